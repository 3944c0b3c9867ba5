"""The three lists and the partners in the services: the editable choice lists, a
demand matched to a resource of its category and compound, claimed and completed;
refusals that change nothing; members' claims counted for 在职党员双报到; what is
left unmatched or idle; duties overdue on an injected day; the messages for what
is missing."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from exchange_helpers import LI, WANG, ZHANG, build_qiming
from sqlalchemy import func, select

from branchdesk.fields import DEMAND_FIELDS, PARTNER_FIELDS, RESOURCE_FIELDS, RESPONSIBILITY_FIELDS
from branchdesk.models import ChoiceItem, Compound, Demand, Partner, ServiceLog
from branchdesk.models.lists import DEMAND_CATEGORY
from branchdesk.services import ValidationFailed, org, people
from branchdesk.services import lists as L

TODAY = date(2026, 11, 20)


@dataclass
class Place:
    qiming: int  # compound ids
    sunshine: int
    sunshine_building: int
    zhang: int  # member ids
    li: int
    wang: int


@pytest.fixture
def place(store) -> Place:
    """启明小区 (buildings 1-3) with three members, and a second compound 阳光花园 with one building."""
    build_qiming(store)
    with store.transaction() as s:
        qiming = s.scalar(select(Compound.id).where(Compound.name == "启明小区"))
        community_id = s.get(Compound, qiming).community_id
        sunshine = org.add_compound(s, community_id=community_id, name="阳光花园")
        building = org.add_building(s, compound_id=sunshine.id, code="8", units=1, floors=2)
        ids = [people.save_member(s, {"name": name, "id_number": idn, "category": "正式党员", "address": address,
                                      "employer": employer})
               for name, idn, address, employer in (("张三", ZHANG, "1-1-101", None),
                                                    ("李四", LI, "2-1-201", "市北区人民医院"),
                                                    ("王五", WANG, "3-2-302", "青岛港集团"))]
        return Place(qiming, sunshine.id, building.id, *ids)


def run(store, fn, *args, **kw):
    with store.transaction() as s:
        return fn(s, *args, **kw)


def failure(store, fn, *args, **kw) -> dict:
    with pytest.raises(ValidationFailed) as info:
        run(store, fn, *args, **kw)
    return info.value.errors


def read(store, fn, *args, **kw):
    with store.session() as s:
        return fn(s, *args, **kw)


def partner(store, name="市北区人民医院党支部", **over) -> int:
    raw = {"name": name, "contact_name": "于浩洁", "contact_phone": "13867221981", "response_level": "平时服务",
           "offers": "每月一次义诊", "agreement_on": "2026-03-01"}
    raw.update(over)
    return run(store, L.save_partner, raw)


def resource(store, title, categories, **over) -> int:
    raw = {"title": title, "categories": categories, "period": "长期"}
    raw.update(over)
    return run(store, L.save_resource, raw)


def demand(store, **over) -> int:
    raw = {"category": "健康保健", "description": "独居老人希望定期上门测血压", "address": "2-1-201",
           "contact_phone": "19983666490", "urgency": "较急", "raised_on": "2026-11-02"}
    raw.update(over)
    return run(store, L.save_demand, raw, today=TODAY)


def snapshot(store, demand_id: int) -> dict:
    with store.session() as s:
        d = s.get(Demand, demand_id)
        logs = s.scalar(select(func.count()).select_from(ServiceLog))
        return {c: getattr(d, c) for c in ("status", "resource_id", "claimed_by_kind", "claimed_partner_id",
                                           "claimed_member_id", "claimed_on", "done_on", "result")} | {"logs": logs}


# ---- the fields ----------------------------------------------------------------------------------
def test_the_sample_lists_headers_are_known():
    """Every column of the street office's 三张清单 sample names one field."""
    samples = {
        "需求清单": (DEMAND_FIELDS,
                     ["需求类别", "需求内容", "提出人/楼栋", "联系电话", "紧急程度", "提出日期", "办理状态"]),
        "资源清单": (RESOURCE_FIELDS, ["资源提供方", "资源类型", "资源内容", "服务时间", "联系人", "联系电话"]),
        "责任清单": (RESPONSIBILITY_FIELDS, ["任务内容", "责任主体", "责任人", "完成时限", "任务来源", "完成情况"]),
    }
    for sheet, (fields, headers) in samples.items():
        for header in headers:
            owners = [f.key for f in fields if header in f.all_headers]
            assert len(owners) == 1, f"{sheet}: {header} → {owners}"
    for fields in (PARTNER_FIELDS, RESOURCE_FIELDS, DEMAND_FIELDS, RESPONSIBILITY_FIELDS):
        words = [h for f in fields for h in f.all_headers]
        assert len(words) == len(set(words)), "a header wording must name one field"


# ---- the choice lists ------------------------------------------------------------------------------
def test_choice_list_add_rename_retire(store, place):
    seeded = read(store, L.demand_categories)
    assert seeded[:3] == ["亲子娱乐", "文体赛事", "生活服务"]
    new_id = run(store, L.add_choice, DEMAND_CATEGORY, " 心理疏导 ")
    assert read(store, L.demand_categories)[-1] == "心理疏导"

    # duplicate and empty labels are refused, and nothing is added
    assert "已有“心理疏导”" in failure(store, L.add_choice, DEMAND_CATEGORY, "心理疏导")["label"]
    assert failure(store, L.add_choice, DEMAND_CATEGORY, "  ")["label"] == "请填写选项名称。"
    assert "已有“亲子娱乐”" in failure(store, L.rename_choice, new_id, "亲子娱乐")["label"]
    assert len(read(store, L.list_choice_items, DEMAND_CATEGORY)) == len(seeded) + 1

    # a rename follows the label into the records that carry it
    run(store, L.rename_choice, new_id, "心理疏导服务")
    rid = resource(store, "心理咨询志愿者", ["心理疏导服务"], provider_kind="志愿服务队", provider_name="心晴志愿队")
    did = demand(store, category="心理疏导服务", description="失独老人需要心理陪伴")
    run(store, L.rename_choice, new_id, "心理健康")
    assert read(store, L.get_demand, did)["category"] == "心理健康"
    assert read(store, L.get_resource, rid)["categories"] == ["心理健康"]

    # retired: hidden from new records, kept on the old ones, which can still be saved
    run(store, L.retire_choice, new_id)
    assert "心理健康" not in read(store, L.demand_categories)
    assert [r.active for r in read(store, L.list_choice_items, DEMAND_CATEGORY) if r.id == new_id] == [False]
    errors = failure(store, L.save_demand, {"category": "心理健康", "description": "x", "raised_by": "王阿姨"},
                     today=TODAY)
    assert errors == {"category": "需求类别“心理健康”不在列表中，请从列表中选择，或先在需求类别中添加。"}
    run(store, L.save_demand, {"category": "心理健康", "description": "失独老人需要每周心理陪伴"}, did, today=TODAY)
    run(store, L.save_resource, {"title": "心理咨询志愿者（周末）", "categories": "心理健康"}, rid)
    family = next(r.id for r in read(store, L.list_choice_items, DEMAND_CATEGORY) if r.label == "亲子娱乐")
    assert "已停用的“心理健康”" in failure(store, L.rename_choice, family, "心理健康")["label"]
    # adding it again brings the retired entry back rather than a second one
    assert run(store, L.add_choice, DEMAND_CATEGORY, "心理健康") == new_id
    assert "心理健康" in read(store, L.demand_categories)


def test_the_last_choice_cannot_be_retired(store):
    with store.session() as s:
        items = [r.id for r in L.list_choice_items(s, "issue_source")]
    for item_id in items[:-1]:
        run(store, L.retire_choice, item_id)
    errors = failure(store, L.retire_choice, items[-1])
    assert "唯一可选的问题来源" in errors["label"]
    with store.session() as s:
        assert s.get(ChoiceItem, items[-1]).active


# ---- a demand from raising to done ----------------------------------------------------------------------
def test_demand_matched_claimed_and_completed(store, place):
    hospital = partner(store)
    local = resource(store, "每月一次义诊", "健康保健、助老助残", partner_id=hospital, compound_id=place.qiming)
    everywhere = resource(store, "家庭医生签约咨询", ["健康保健"], provider_kind="职能部门",
                          provider_name="街道社区卫生服务中心")
    elsewhere = resource(store, "阳光花园健康讲座", ["健康保健"], provider_name="阳光花园物业",
                         compound_id=place.sunshine)
    resource(store, "暑期托管", ["亲子娱乐"], provider_name="敦化路小学")  # another category
    did = demand(store)

    suggested = read(store, L.suggest_resources, did)
    assert [r.id for r in suggested] == [local, everywhere]  # this compound's first; not 阳光花园's
    assert suggested[0].provider_name == "市北区人民医院党支部" and suggested[0].contact_name == "于浩洁"
    assert set(suggested[0].categories.split("、")) == {"健康保健", "助老助残"}
    errors = failure(store, L.match_demand, did, elsewhere, on=TODAY)
    assert errors == {"resource_id": "资源“阳光花园健康讲座”只服务阳光花园，与需求所在小区不符，请另选资源。"}

    run(store, L.match_demand, did, local, on=date(2026, 11, 3))
    run(store, L.claim_demand, did, partner_id=hospital, on=date(2026, 11, 4))
    run(store, L.complete_demand, did, result="每周三上门测血压", feedback="老人很满意", on=date(2026, 11, 18))

    [row] = read(store, L.list_demands)
    assert (row.status, row.resource, row.claimed_by, row.claimed_on, row.done_on) == (
        "done", "每月一次义诊", "市北区人民医院党支部", date(2026, 11, 4), date(2026, 11, 18))
    assert (row.address, row.building, row.compound, row.feedback) == (
        "2号楼1单元201", "2号楼", "启明小区", "老人很满意")
    [p] = read(store, L.list_partners)
    assert (p.name, p.resources, p.claims, p.completed) == ("市北区人民医院党支部", 1, 1, 1)
    # a partner's claim is counted from the demands, not logged as a member's service
    assert snapshot(store, did)["logs"] == 0


def test_a_demand_used_resource_is_suggested_last(store, place):
    first = resource(store, "楼道照明维修", ["便民维修"], provider_name="华仁物业公司")
    second = resource(store, "志愿维修队", ["便民维修"], provider_kind="志愿服务队", provider_name="红邻维修队")
    a = demand(store, category="便民维修", description="楼道灯不亮", address=None, building_id=None,
               raised_by="5号楼居民")
    b = demand(store, category="便民维修", description="单元门禁损坏", address="1-2-301")
    run(store, L.match_demand, a, first, on=TODAY)
    assert [r.id for r in read(store, L.suggest_resources, b)] == [second, first]
    assert [(r.id, r.in_use) for r in read(store, L.suggest_resources, a)] == [(first, 0), (second, 0)]


def test_claim_on_a_closed_demand_is_refused_and_changes_nothing(store, place):
    hospital = partner(store)
    did = demand(store)
    assert failure(store, L.close_demand, did, reason="", on=TODAY) == {"reason": "请填写关闭原因。"}
    run(store, L.close_demand, did, reason="居民已自行解决", on=date(2026, 11, 10))
    before = snapshot(store, did)
    assert before["status"] == "closed" and before["result"] == "居民已自行解决"

    errors = failure(store, L.claim_demand, did, partner_id=hospital, on=TODAY)
    assert errors == {"status": "需求“独居老人希望定期上门测血压”已关闭，不能再认领。"}
    errors = failure(store, L.claim_demand, did, member_id=place.li, on=TODAY)
    assert "已关闭" in errors["status"]
    assert "已关闭" in failure(store, L.complete_demand, did, result="x", on=TODAY)["status"]
    assert snapshot(store, did) == before


def test_claim_refusals(store, place):
    hospital = partner(store)
    did = demand(store)
    assert failure(store, L.claim_demand, did, on=TODAY) == {"claimed_by": "请选择认领的红色合伙人或党员，二者选其一。"}
    assert "二者选其一" in failure(store, L.claim_demand, did, partner_id=hospital, member_id=place.li,
                                  on=TODAY)["claimed_by"]
    assert "早于需求提出日期" in failure(store, L.claim_demand, did, partner_id=hospital,
                                     on=date(2026, 11, 1))["claimed_on"]
    # 办结 before anyone took it on is refused
    assert "请先对接或认领" in failure(store, L.complete_demand, did, result="x", on=TODAY)["status"]
    assert snapshot(store, did)["status"] == "open"
    run(store, L.claim_demand, did, partner_id=hospital, on=TODAY)
    errors = failure(store, L.claim_demand, did, member_id=place.li, on=TODAY)
    assert errors == {"status": "需求“独居老人希望定期上门测血压”已由“市北区人民医院党支部”认领，不能重复认领。"}
    assert failure(store, L.complete_demand, did, result=" ", on=TODAY) == {"result": "请填写办理结果。"}
    assert "不能早于认领日期" in failure(store, L.complete_demand, did, result="已上门",
                                     on=date(2026, 11, 19))["done_on"]
    assert snapshot(store, did)["status"] == "claimed"


def test_member_claims_count_for_the_registered_member(store, place):
    run(store, L.register_member, place.li, on=date(2026, 3, 1))
    run(store, L.register_member, place.wang, on=date(2026, 4, 1))
    first = demand(store)
    second = demand(store, category="助老助残", description="陪同老人去医院复查", address="2-1-202")
    run(store, L.claim_demand, first, member_id=place.li, on=date(2026, 11, 5))
    run(store, L.claim_demand, second, member_id=place.li, on=date(2026, 11, 6))
    run(store, L.complete_demand, first, result="已联系社区医生每周上门", on=date(2026, 11, 12))

    rows = {r.name: r for r in read(store, L.list_registered_members)}
    assert set(rows) == {"李四", "王五"}  # 张三 has not registered
    li = rows["李四"]
    assert (li.employer, li.registered_on, li.services, li.last_served_on) == (
        "市北区人民医院", date(2026, 3, 1), 2, date(2026, 11, 6))
    assert (rows["王五"].services, rows["王五"].last_served_on) == (0, None)
    with store.session() as s:
        log = s.scalar(select(ServiceLog).where(ServiceLog.demand_id == first))
        assert (log.member_id, log.served_on) == (place.li, date(2026, 11, 5)) and "上门测血压" in log.description
    assert read(store, L.list_demands)[-1].claimed_by == "李四"
    run(store, L.unregister_member, place.wang)
    assert [r.name for r in read(store, L.list_registered_members)] == ["李四"]


def test_unmatched_demands_and_idle_resources(store, place):
    hospital = partner(store)
    clinic = resource(store, "每月一次义诊", ["健康保健"], partner_id=hospital)
    repair = resource(store, "楼道照明维修", ["便民维修"], provider_name="华仁物业公司")
    tutoring = resource(store, "暑期托管场地", ["亲子娱乐"], provider_name="敦化路小学")
    normal = demand(store, urgency="一般", raised_on="2026-11-01")
    urgent = demand(store, category="便民维修", description="楼道灯不亮", urgency="紧急", raised_on="2026-11-09",
                    address=None, building_id=None, raised_by="5号楼居民")
    matched = demand(store, category="亲子娱乐", description="暑期儿童托管", raised_by="小区居民", address=None)
    done = demand(store, category="便民维修", description="单元门禁损坏", address="1-2-301")
    # the most urgent first, then the oldest
    assert [r.id for r in read(store, L.unmatched_demands)] == [urgent, matched, done, normal]

    run(store, L.match_demand, matched, tutoring, on=TODAY)
    run(store, L.match_demand, done, repair, on=TODAY)
    run(store, L.claim_demand, done, partner_id=hospital, on=TODAY)
    run(store, L.complete_demand, done, result="已修好", on=TODAY)
    assert [r.id for r in read(store, L.unmatched_demands)] == [urgent, normal]
    # the repair resource's only demand is done: it is free again
    assert [r.id for r in read(store, L.idle_resources)] == [clinic, repair]
    assert {r.id: r.in_use for r in read(store, L.list_resources)} == {clinic: 0, repair: 0, tutoring: 1}

    # deleting hides, restoring brings back exactly that
    stamp = run(store, L.delete_demands, [matched])
    assert tutoring in [r.id for r in read(store, L.idle_resources)]
    run(store, L.restore_demands, [matched], stamp)
    assert tutoring not in [r.id for r in read(store, L.idle_resources)]


def test_deleting_a_partner_hides_its_resources_until_restored(store, place):
    hospital = partner(store)
    school = partner(store, "敦化路小学", contact_name="龙玉", contact_phone="19959924416")
    clinic = resource(store, "每月一次义诊", ["健康保健"], partner_id=hospital)
    tutoring = resource(store, "暑期托管场地", ["亲子娱乐"], provider_name="敦化路小学")  # a partner, by its name
    assert [(r.provider_kind, r.partner_id) for r in read(store, L.list_resources)] == [
        ("partner", hospital), ("partner", school)]
    stamp = run(store, L.delete_partners, [hospital])
    assert [p.name for p in read(store, L.list_partners)] == ["敦化路小学"]
    assert [r.id for r in read(store, L.list_resources)] == [tutoring]
    run(store, L.restore_partners, [hospital], stamp)
    assert [r.id for r in read(store, L.list_resources)] == [clinic, tutoring]

    # a deleted unit that signs again gets its own record back
    stamp = run(store, L.delete_partners, [school])
    assert partner(store, "敦化路小学") == school
    with store.session() as s:
        assert s.get(Partner, school).deleted_at is None


# ---- responsibilities ----------------------------------------------------------------------------------
def test_responsibilities_overdue_on_an_injected_day(store):
    def duty(title, deadline, **over):
        raw = {"title": title, "owner_unit": "物业公司", "owner_name": "汪福建", "deadline": deadline,
               "source": "街道党工委"}
        raw.update(over)
        return run(store, L.save_responsibility, raw)

    fire = duty("小区消防通道清理", "2026-12-18")  # a deadline ahead is accepted
    sorting = duty("垃圾分类宣传", date(2026, 12, 28), owner_unit="业委会")
    visits = duty("居民诉求收集与反馈", "2026-12-13", owner_unit=None, owner_name="吴涛")
    standing = duty("楼栋党小组组织生活", None)

    assert read(store, L.overdue_responsibilities, today=date(2026, 12, 1)) == []
    late = read(store, L.overdue_responsibilities, today=date(2026, 12, 20))
    assert [r.id for r in late] == [visits, fire]
    run(store, L.set_responsibility_status, fire, "进行中", on=date(2026, 12, 10))
    run(store, L.set_responsibility_status, visits, "已完成", on=date(2026, 12, 12), result="已收集 12 条")
    assert [r.id for r in read(store, L.overdue_responsibilities, today=date(2026, 12, 20))] == [fire]
    done = read(store, L.get_responsibility, visits)
    assert (done["status"], done["done_on"], done["result"]) == ("done", date(2026, 12, 12), "已收集 12 条")
    assert read(store, L.get_responsibility, fire)["done_on"] is None
    assert [r.id for r in read(store, L.list_responsibilities)] == [fire, sorting, standing, visits]

    errors = failure(store, L.set_responsibility_status, fire, "搁置", on=TODAY)
    assert errors == {"status": "完成情况“搁置”不在可选范围内，请填写：未开始、进行中、已完成。"}
    run(store, L.set_responsibility_status, visits, "进行中", on=date(2026, 12, 15))
    assert read(store, L.get_responsibility, visits)["done_on"] is None


# ---- what is missing ------------------------------------------------------------------------------------
def test_missing_required_fields_are_named(store, place):
    assert failure(store, L.save_partner, {"contact_phone": "abc"}) == {
        "name": "请填写单位名称。",
        "contact_phone": "电话号码格式不对：手机号为 1 开头的 11 位数字，固定电话如 010-12345678。"}
    assert failure(store, L.save_resource, {}) == {
        "title": "请填写资源内容。", "categories": "请填写服务类别。",
        "partner_id": "请选择提供资源的红色合伙人。"}
    errors = failure(store, L.save_resource, {"title": "上门理发", "categories": "美容美发", "provider_kind": "党员"})
    assert errors == {"categories": "服务类别“美容美发”不在需求类别中，请从列表中选择，或先在需求类别中添加。",
                      "member_id": "请选择提供资源的党员。"}
    assert failure(store, L.save_resource, {"title": "上门理发", "categories": "生活服务",
                                            "provider_kind": "志愿服务队"}) == {
        "provider_name": "请填写提供资源的部门或服务队名称。"}
    assert failure(store, L.save_demand, {}, today=TODAY) == {
        "category": "请填写需求类别。", "description": "请填写需求内容。",
        "raised_by": "请填写提出人，或选择提出需求的住址、楼栋。"}
    errors = failure(store, L.save_demand, {"category": "生活服务", "description": "x", "address": "9-9-909",
                                            "urgency": "特急", "raised_on": "2026-11-21"}, today=TODAY)
    assert set(errors) == {"address", "urgency", "raised_on"}
    assert errors["raised_on"] == "提出日期不能晚于今天。"
    assert "一般、较急、紧急" in errors["urgency"]
    errors = failure(store, L.save_demand, {"category": "生活服务", "description": "x", "address": "1-1-101",
                                            "building_id": place.sunshine_building}, today=TODAY)
    assert errors == {"building_id": "所选楼栋与住址不一致，请核对。"}
    assert failure(store, L.save_responsibility, {"deadline": "2026-13-01"}) == {
        "title": "请填写任务内容。", "deadline": "“2026-13-01”不是存在的日期，请检查年、月、日。",
        "owner_unit": "请填写责任主体或责任人。"}
    assert failure(store, L.save_responsibility, {"title": "垃圾分类宣传"}) == {
        "owner_unit": "请填写责任主体或责任人。"}
    with store.session() as s:
        assert L.list_partners(s) == L.list_resources(s) == L.list_demands(s) == L.list_responsibilities(s) == []


def test_demand_by_building_or_group_and_edit(store, place):
    by_building = demand(store, address=None, building_id=place.sunshine_building, description="楼道扶手松动",
                         category="便民维修")
    by_group = run(store, L.save_demand, {"category": "文体赛事", "description": "希望组织广场舞比赛",
                                          "raised_by": "文体队"}, today=TODAY)
    rows = {r.id: r for r in read(store, L.list_demands)}
    assert (rows[by_building].building, rows[by_building].compound, rows[by_building].address) == (
        "8号楼", "阳光花园", None)
    assert (rows[by_group].building_id, rows[by_group].raised_by, rows[by_group].urgency) == (None, "文体队", "normal")
    # the status is the steps' own: a form cannot set it
    run(store, L.save_demand, {"description": "希望组织社区广场舞比赛", "status": "已办结"}, by_group, today=TODAY)
    values = read(store, L.get_demand, by_group)
    assert (values["description"], values["status"], values["raised_by"]) == (
        "希望组织社区广场舞比赛", "open", "文体队")
    run(store, L.save_demand, {"address": "阳光花园8-1-101"}, by_group, today=TODAY)
    assert read(store, L.get_demand, by_group)["building_id"] == place.sunshine_building


def test_the_duty_filter_offers_each_source_once(store):
    with store.transaction() as s:
        for title, source in (("消防检查", "街道党工委"), ("垃圾分类", "街道党工委"), ("议事会", "社区党委"), ("自查", None)):
            L.save_responsibility(s, {"title": title, "owner_unit": "物业", "source": source})
    with store.session() as s:
        assert L.responsibility_sources(s) == sorted(["街道党工委", "社区党委"])
