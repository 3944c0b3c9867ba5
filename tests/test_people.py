"""Members, center households and building leaders, and the organisation views over them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select
from stdnum.cn import ric

from branchdesk.models import BuildingLeader, Member, Resident
from branchdesk.services import ValidationFailed, org, people


def make_id(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


ID_ZHANG = "11010519491231002X"  # born 1949-12-31, female
ID_LI = make_id("44030519850615131")  # born 1985-06-15, male
ID_WANG = make_id("11010519700101002")  # born 1970-01-01, female


@dataclass
class Org:
    community_id: int
    compound_id: int
    grid_id: int
    buildings: dict  # code -> Building id
    units: dict  # (building code, unit code) -> Unit id
    branch_id: int
    group_id: int


@pytest.fixture
def org_ids(store) -> Org:
    """幸福社区 / 启明小区 with grid 第一网格 (buildings 1, 2) and building 3 outside any grid;
    each building 2 units x 6 floors x 2 rooms = 24 households."""
    with store.transaction() as s:
        community = org.ensure_community(s, name="幸福社区", street_name="和平街道")
        assert org.ensure_community(s, name="幸福社区").id == community.id  # idempotent
        compound = org.add_compound(s, community_id=community.id, name="启明小区", property_company="安居物业")
        grid = org.add_grid(s, compound_id=compound.id, name="第一网格", worker_name="王网格")
        buildings, units = {}, {}
        for code in ("1", "2", "3"):
            b = org.add_building(s, compound_id=compound.id, code=code, grid_id=grid.id if code != "3" else None)
            buildings[code] = b.id
            for u in b.units:
                units[(code, u.code)] = u.id
        committee = org.add_party_org(s, level="community_committee", name="幸福社区党委",
                                      community_id=community.id)
        branch = org.add_party_org(s, level="branch", name="启明小区党支部", parent_id=committee.id,
                                   compound_id=compound.id)
        group = org.add_party_org(s, level="party_group", name="第一党小组", parent_id=branch.id)
        return Org(community.id, compound.id, grid.id, buildings, units, branch.id, group.id)


def member_raw(**over) -> dict:
    raw = {"name": "张三", "id_number": ID_ZHANG, "category": "正式党员", "address": "3号楼2单元501",
           "phone": "13800138000", "joined_on": "1975-07-01"}
    raw.update(over)
    return raw


def save_member(store, raw: dict, member_id: int | None = None) -> int:
    with store.transaction() as s:
        return people.save_member(s, raw, member_id)


def failure(store, fn, *args) -> dict:
    with pytest.raises(ValidationFailed) as info:
        with store.transaction() as s:
            fn(s, *args)
    return info.value.errors


def household_id(store, address: str) -> int:
    with store.session() as s:
        return org.resolve_household(s, address)


# ---- members ------------------------------------------------------------------------------
def test_member_gets_gender_and_birth_date_from_id(store, org_ids):
    mid = save_member(store, member_raw(party_org_id=org_ids.group_id))
    with store.session() as s:
        values = people.get_member(s, mid)
        rows = people.list_members(s)
    assert values["gender"] == "F"
    assert values["birth_date"] == date(1949, 12, 31)
    assert values["address"] == "3号楼2单元501"
    assert values["category"] == "full"
    assert values["joined_on"] == date(1975, 7, 1)
    assert [(r.name, r.name_pinyin, r.name_initials, r.short_address, r.party_org) for r in rows] == [
        ("张三", "zhangsan", "zs", "3-2-501", "第一党小组")]


def test_member_birth_month_agreeing_with_id_is_accepted(store, org_ids):
    mid = save_member(store, member_raw(birth_date="1949年12月", gender="女"))
    with store.session() as s:
        assert people.get_member(s, mid)["birth_date"] == date(1949, 12, 1)


@pytest.mark.parametrize("over, field", [
    ({"birth_date": "1950-01-01"}, "birth_date"),
    ({"birth_date": "1949-12-30"}, "birth_date"),
    ({"gender": "男"}, "gender"),
])
def test_member_disagreeing_with_id_is_refused(store, org_ids, over, field):
    errors = failure(store, people.save_member, member_raw(**over))
    assert set(errors) == {field}
    assert "身份证" in errors[field]
    with store.session() as s:
        assert people.list_members(s) == []


def test_member_field_errors_are_named(store, org_ids):
    errors = failure(store, people.save_member,
                     member_raw(name="", id_number="1.10105E+17", phone="12", joined_on="明天", category="群众"))
    assert set(errors) == {"name", "id_number", "phone", "joined_on", "category"}
    errors = failure(store, people.save_member, member_raw(joined_on="1940-01-01"))
    assert set(errors) == {"joined_on"}
    errors = failure(store, people.save_member,
                     member_raw(category="预备", confirmed_on="1976-07-01"))
    assert set(errors) == {"confirmed_on"}


def test_duplicate_id_number_refused(store, org_ids):
    save_member(store, member_raw())
    errors = failure(store, people.save_member, member_raw(name="张叁", address="1号楼1单元101"))
    assert set(errors) == {"id_number"}
    assert "张三" in errors["id_number"]


def test_editing_a_member_keeps_its_own_id_number(store, org_ids):
    mid = save_member(store, member_raw())
    assert save_member(store, member_raw(phone="13900139000"), mid) == mid
    with store.session() as s:
        assert people.get_member(s, mid)["phone"] == "13900139000"


@pytest.mark.parametrize("address", ["9号楼1单元101", "3号楼5单元101", "3号楼2单元909", "别的小区3-2-501"])
def test_unknown_address_refused(store, org_ids, address):
    errors = failure(store, people.save_member, member_raw(address=address))
    assert set(errors) == {"address"}
    assert "不存在" in errors["address"]


def test_address_with_compound_prefix_and_short_form(store, org_ids):
    assert household_id(store, "启明小区3号楼2单元501") == household_id(store, "3-2-501")


def test_member_without_id_number(store, org_ids):
    mid = save_member(store, {"name": "单雄信", "category": "预备党员", "gender": "男", "address": "1-1-101"})
    with store.session() as s:
        v = people.get_member(s, mid)
        assert (v["gender"], v["birth_date"], v["id_number"], v["category"]) == ("M", None, None, "probationary")
        assert s.get(Member, mid).resident.name_pinyin == "shanxiongxin"


def center_raw(member_id: int, **over) -> dict:
    raw = {"member_id": member_id, "appointed_on": "2023-03", "has_ability": "是", "has_prestige": "是",
           "has_public_spirit": "否", "has_enthusiasm": "是"}
    raw.update(over)
    return raw


def test_delete_and_restore_member_with_center_household(store, org_ids):
    mid = save_member(store, member_raw())
    served = [household_id(store, a) for a in ("3-2-502", "3-2-401", "3-2-402")]
    with store.transaction() as s:
        ch_id = people.save_center_household(s, center_raw(mid), served)
    with store.transaction() as s:
        stamp = people.delete_members(s, [mid])
    with store.session() as s:
        assert people.list_members(s) == []
        assert people.list_center_households(s) == []
        assert people.member_choices(s) == []
    with store.transaction() as s:
        people.restore_members(s, [mid], stamp)
    with store.session() as s:
        assert [r.id for r in people.list_members(s)] == [mid]
        chs = people.list_center_households(s)
        assert [(c.id, c.name, c.served_count) for c in chs] == [(ch_id, "张三", 3)]
        values, served_ids = people.get_center_household(s, ch_id)
        assert sorted(served_ids) == sorted(served)
        assert (values["has_ability"], values["has_public_spirit"]) == (True, False)
        assert values["appointed_on"] == date(2023, 3, 1)


def test_restore_brings_back_only_what_that_delete_hid(store, org_ids):
    mid = save_member(store, member_raw())
    with store.transaction() as s:
        ch_id = people.save_center_household(s, center_raw(mid), [household_id(store, "3-2-502")])
    with store.transaction() as s:
        people.delete_center_households(s, [ch_id])  # deleted on its own first
    with store.transaction() as s:
        stamp = people.delete_members(s, [mid])
    with store.transaction() as s:
        people.restore_members(s, [mid], stamp)
    with store.session() as s:
        assert len(people.list_members(s)) == 1
        assert people.list_center_households(s) == []


def test_deleted_member_can_be_added_again(store, org_ids):
    mid = save_member(store, member_raw())
    with store.transaction() as s:
        people.delete_members(s, [mid])
    assert save_member(store, member_raw()) == mid  # the same person comes back
    with store.session() as s:
        assert len(people.list_members(s)) == 1


# ---- center households ---------------------------------------------------------------------------
def test_center_household_needs_a_member_with_address(store, org_ids):
    mid = save_member(store, member_raw(address=""))
    errors = failure(store, people.save_center_household, center_raw(mid), [household_id(store, "3-2-502")])
    assert "member_id" in errors
    assert "住址" in errors["member_id"]


def test_center_household_needs_served_households(store, org_ids):
    mid = save_member(store, member_raw())
    errors = failure(store, people.save_center_household, center_raw(mid), [])
    assert set(errors) == {"served"}
    # its own household does not count as one it serves
    errors = failure(store, people.save_center_household, center_raw(mid), [household_id(store, "3-2-501")])
    assert set(errors) == {"served"}


def test_center_household_once_per_member(store, org_ids):
    mid = save_member(store, member_raw())
    with store.transaction() as s:
        people.save_center_household(s, center_raw(mid), [household_id(store, "3-2-502")])
    errors = failure(store, people.save_center_household, center_raw(mid), [household_id(store, "3-2-401")])
    assert set(errors) == {"member_id"}


def test_center_household_refuses_unknown_member(store, org_ids):
    errors = failure(store, people.save_center_household, center_raw(9999), [household_id(store, "3-2-502")])
    assert set(errors) == {"member_id"}


# ---- building leaders ------------------------------------------------------------------------------
def test_leader_with_id_number_matches_the_member(store, org_ids):
    mid = save_member(store, member_raw())
    with store.transaction() as s:
        lid = people.save_leader(s, {"name": "张三", "phone": "13800138000", "id_number": ID_ZHANG,
                                     "building_id": org_ids.buildings["3"]})
    with store.session() as s:
        leader = s.get(BuildingLeader, lid)
        assert leader.resident_id == s.get(Member, mid).resident_id
        assert leader.is_member is True
        assert len(s.scalars(select(Resident)).all()) == 1  # one person, not two


def test_leader_without_id_number_matches_member_by_name_and_phone(store, org_ids):
    mid = save_member(store, member_raw())
    with store.transaction() as s:
        lid = people.save_leader(s, {"name": "张三", "phone": "138 0013 8000",
                                     "building_id": org_ids.buildings["3"], "unit_id": org_ids.units[("3", "2")]})
    with store.session() as s:
        leader = s.get(BuildingLeader, lid)
        assert leader.resident_id == s.get(Member, mid).resident_id
        assert leader.is_member is True
        assert people.get_leader(s, lid)["unit_id"] == org_ids.units[("3", "2")]


def test_member_saved_after_leader_marks_leader_as_member(store, org_ids):
    with store.transaction() as s:
        lid = people.save_leader(s, {"name": "李四", "phone": "13912345678", "id_number": ID_LI,
                                     "building_id": org_ids.buildings["1"]})
    with store.session() as s:
        assert s.get(BuildingLeader, lid).is_member is False
    mid = save_member(store, member_raw(name="李四", id_number=ID_LI, address="1-1-101", phone="13912345678",
                                        joined_on="2010-07-01"))
    with store.session() as s:
        leader = s.get(BuildingLeader, lid)
        assert leader.is_member is True
        assert leader.resident_id == s.get(Member, mid).resident_id


def test_leader_validation(store, org_ids):
    errors = failure(store, people.save_leader, {"name": "", "phone": "", "building_id": None})
    assert set(errors) == {"name", "phone", "building_id"}
    errors = failure(store, people.save_leader, {"name": "王五", "phone": "13700137000",
                                                 "building_id": org_ids.buildings["1"],
                                                 "unit_id": org_ids.units[("2", "1")]})
    assert set(errors) == {"unit_id"}


def test_leader_not_added_twice(store, org_ids):
    raw = {"name": "王五", "phone": "13700137000", "building_id": org_ids.buildings["1"]}
    with store.transaction() as s:
        people.save_leader(s, raw)
    errors = failure(store, people.save_leader, raw)
    assert set(errors) == {"name"}


def test_leader_id_number_of_someone_else_refused(store, org_ids):
    save_member(store, member_raw())
    with store.transaction() as s:
        lid = people.save_leader(s, {"name": "王五", "phone": "13700137000", "building_id": org_ids.buildings["1"]})
    errors = failure(store, people.save_leader, {"name": "王五", "phone": "13700137000", "id_number": ID_ZHANG,
                                                 "building_id": org_ids.buildings["1"]}, lid)
    assert set(errors) == {"id_number"}


def test_delete_and_restore_leader(store, org_ids):
    with store.transaction() as s:
        lid = people.save_leader(s, {"name": "王五", "phone": "13700137000", "building_id": org_ids.buildings["1"]})
    with store.transaction() as s:
        stamp = people.delete_leaders(s, [lid])
    with store.session() as s:
        assert people.list_leaders(s) == []
    with store.transaction() as s:
        people.restore_leaders(s, [lid], stamp)
    with store.session() as s:
        assert [r.name for r in people.list_leaders(s)] == ["王五"]


# ---- the organisation views -----------------------------------------------------------------------------
def _populate(store, org_ids) -> None:
    """Members in 3-2-501, 3-2-502, 1-1-101 (one deleted: 3-2-502); a center household in 3-2-501
    serving three; a building leader for building 3 and a unit leader for 1-1."""
    zhang = save_member(store, member_raw())
    save_member(store, member_raw(name="李四", id_number=ID_LI, address="1-1-101", phone="13912345678",
                                  joined_on="2010-07-01"))
    wang = save_member(store, member_raw(name="王芳", id_number=ID_WANG, address="3-2-502", phone="13700137000",
                                         joined_on="2000-07-01"))
    served = [household_id(store, a) for a in ("3-2-502", "3-2-401", "3-1-101")]
    with store.transaction() as s:
        people.save_center_household(s, center_raw(zhang), served)
        people.delete_members(s, [wang])
        people.save_leader(s, {"name": "赵六", "phone": "13600136000", "building_id": org_ids.buildings["3"]})
        people.save_leader(s, {"name": "李四", "phone": "13912345678", "building_id": org_ids.buildings["1"],
                               "unit_id": org_ids.units[("1", "1")]})


def _find(nodes, kind, name):
    for n in nodes:
        if n.kind == kind and n.name == name:
            return n
        found = _find(n.children, kind, name)
        if found:
            return found
    return None


def test_org_tree_counts(store, org_ids):
    _populate(store, org_ids)
    with store.session() as s:
        roots = org.org_tree(s)
    assert [r.name for r in roots] == ["幸福社区"]
    community = roots[0]
    assert (community.households, community.members, community.center_households, community.leaders) == (72, 2, 1, 2)
    assert community.details["所属街道"] == "和平街道"
    compound = community.children[0]
    assert compound.name == "启明小区" and compound.details["物业服务企业"] == "安居物业"
    # grid first, then the building outside any grid
    assert [(c.kind, c.name) for c in compound.children] == [("grid", "第一网格"), ("building", "3号楼")]
    grid = compound.children[0]
    assert [b.name for b in grid.children] == ["1号楼", "2号楼"]
    assert (grid.households, grid.members, grid.leaders) == (48, 1, 1)
    b3 = _find(roots, "building", "3号楼")
    assert (b3.households, b3.members, b3.center_households, b3.leaders) == (24, 1, 1, 1)
    assert [u.name for u in b3.children] == ["1单元", "2单元"]
    assert (b3.children[1].households, b3.children[1].members, b3.children[1].center_households) == (12, 1, 1)
    b1 = _find(roots, "building", "1号楼")
    assert (b1.leaders, b1.children[0].leaders, b1.children[0].members) == (1, 1, 1)


def test_coverage_by_building(store, org_ids):
    _populate(store, org_ids)
    with store.session() as s:
        coverage = {c.label: c for c in org.coverage_by_building(s)}
    assert list(coverage) == ["1号楼", "2号楼", "3号楼"]
    b3 = coverage["3号楼"]
    assert (b3.households, b3.covered, b3.center_households, b3.has_leader) == (24, 4, 1, True)
    assert b3.share == pytest.approx(4 / 24)
    assert (coverage["1号楼"].covered, coverage["1号楼"].has_leader) == (0, True)
    assert (coverage["2号楼"].covered, coverage["2号楼"].has_leader, coverage["2号楼"].share) == (0, False, 0.0)


def test_coverage_drops_deleted_center_household(store, org_ids):
    _populate(store, org_ids)
    with store.session() as s:
        ch_id = people.list_center_households(s)[0].id
    with store.transaction() as s:
        people.delete_center_households(s, [ch_id])
    with store.session() as s:
        b3 = {c.label: c for c in org.coverage_by_building(s)}["3号楼"]
        assert (b3.covered, b3.center_households) == (0, 0)
        assert _find(org.org_tree(s), "building", "3号楼").center_households == 0


def test_choices_for_forms(store, org_ids):
    _populate(store, org_ids)
    with store.session() as s:
        assert [c.label for c in org.building_choices(s)] == ["1号楼", "2号楼", "3号楼"]
        assert [c.label for c in org.party_org_choices(s)] == ["启明小区党支部", "启明小区党支部 / 第一党小组"]
        assert len(org.household_refs(s)) == 72
        assert [label for _id, label, _h in people.member_choices(s)] == ["李四  1号楼1单元101", "张三  3号楼2单元501"]


def test_same_address_in_two_compounds_needs_the_compound_name(store, org_ids):
    with store.transaction() as s:
        other = org.add_compound(s, community_id=org_ids.community_id, name="阳光小区")
        org.add_building(s, compound_id=other.id, code="3")
    errors = failure(store, people.save_member, member_raw(address="3-2-501"))
    assert "小区名" in errors["address"]
    assert household_id(store, "阳光小区3-2-501") != household_id(store, "启明小区3-2-501")
    with store.session() as s:
        assert [c.label for c in org.building_choices(s)][:1] == ["启明小区 1号楼"]


# ---- partial records and other people's ID numbers ---------------------------------------------------
def test_editing_member_to_a_leaders_id_number_is_a_validation_error(store, org_ids):
    mid = save_member(store, member_raw(id_number=""))
    with store.transaction() as s:
        people.save_leader(s, {"name": "张三", "phone": "13600136000", "id_number": ID_ZHANG,
                               "building_id": org_ids.buildings["3"]})
    errors = failure(store, people.save_member, member_raw(), mid)
    assert set(errors) == {"id_number"}


def test_saving_without_address_key_keeps_the_address(store, org_ids):
    mid = save_member(store, member_raw())
    save_member(store, {"name": "张三", "category": "正式党员", "phone": "13900139000"}, mid)
    with store.session() as s:
        assert people.get_member(s, mid)["address"] == "3号楼2单元501"


def test_adding_with_a_leaders_id_number_but_another_name_is_refused(store, org_ids):
    with store.transaction() as s:
        people.save_leader(s, {"name": "张三", "phone": "13600136000", "id_number": ID_ZHANG,
                               "building_id": org_ids.buildings["3"]})
    errors = failure(store, people.save_member, member_raw(name="李四"))
    assert "张三" in errors["id_number"]
    with store.session() as s:
        assert s.scalar(select(Resident.name).where(Resident.id_number == ID_ZHANG)) == "张三"


def test_new_member_missing_required_fields_is_refused(store, org_ids):
    errors = failure(store, people.save_member, {"phone": "13900139000"})
    assert set(errors) >= {"name", "category"}
    with store.session() as s:
        assert s.scalar(select(Member.id)) is None


def test_editing_leader_without_since_or_note_keeps_them(store, org_ids):
    with store.transaction() as s:
        lid = people.save_leader(s, {"name": "王五", "phone": "13600136000", "building_id": org_ids.buildings["3"],
                                     "since": "2022-03-01", "note": "兼任志愿者队长"})
    with store.transaction() as s:
        people.save_leader(s, {"name": "王五", "phone": "13600136001", "building_id": org_ids.buildings["3"]}, lid)
    with store.session() as s:
        leader = people.get_leader(s, lid)
    assert (leader["since"], leader["note"], leader["phone"]) == (date(2022, 3, 1), "兼任志愿者队长", "13600136001")


def test_compound_prefix_must_name_the_compound(store, org_ids):
    with store.transaction() as s:
        other = org.add_compound(s, community_id=org_ids.community_id, name="新启明小区")
        org.add_building(s, compound_id=other.id, code="3")
    # the exact name wins over one that only ends the same way; the community may come first
    assert household_id(store, "启明小区3-2-501") != household_id(store, "新启明小区3-2-501")
    assert household_id(store, "幸福社区启明小区3号楼2单元501") == household_id(store, "启明小区3-2-501")
    assert household_id(store, "启明3-2-501") == household_id(store, "启明小区3-2-501")  # "小区" left out
    errors = failure(store, people.save_member, member_raw(address="明小区3-2-501"))
    assert "不存在" in errors["address"]


def test_address_shown_with_compound_when_building_number_repeats(store, org_ids):
    mid = save_member(store, member_raw())
    with store.session() as s:
        assert people.get_member(s, mid)["address"] == "3号楼2单元501"
    with store.transaction() as s:
        other = org.add_compound(s, community_id=org_ids.community_id, name="阳光小区")
        org.add_building(s, compound_id=other.id, code="3")
    with store.session() as s:
        shown = people.get_member(s, mid)["address"]
    assert shown == "启明小区3号楼2单元501"
    save_member(store, {**member_raw(), "address": shown}, mid)  # what the form shows saves back


def test_next_building_number_follows_the_communitys_numbering(store, org_ids):
    with store.transaction() as s:
        other = org.add_compound(s, community_id=org_ids.community_id, name="阳光小区")
        assert org.next_building_code(s, other.id) == "4"  # numbered across the community: 1-3 are taken
        org.add_building(s, compound_id=other.id, code="1")
        assert org.next_building_code(s, other.id) == "2"  # numbered per compound
        assert org.next_building_code(s, org_ids.compound_id) == "4"


def _stored_rows(session, table: str, order_by: str) -> list[tuple]:
    """The rows as SQLite holds them (dates as text, booleans as numbers), without ids and timestamps."""
    result = session.connection().exec_driver_sql(f"SELECT * FROM {table} ORDER BY {order_by}")
    keep = [i for i, n in enumerate(result.keys()) if n not in ("id", "resident_id", "created_at", "updated_at")]
    return [tuple(row[i] for i in keep) for row in result.all()]


def test_bulk_saved_members_are_stored_as_save_member_stores_them(store, org_ids):
    raw = member_raw(confirmed_on="1976-07-01", is_registered="是", note="备注", employer="安居物业",
                     party_org_id=org_ids.group_id)
    save_member(store, raw)
    with store.transaction() as s:
        before = (_stored_rows(s, "resident", "id"), _stored_rows(s, "member", "id"))
        people.delete_members(s, [m.id for m in s.scalars(select(Member))])
        s.execute(Member.__table__.delete())
        s.execute(Resident.__table__.delete())
    with store.transaction() as s:
        values, hid = people.validate_member(s, raw)
        people.bulk_save_members(s, [(None, {**values, "household_id": hid})])
    with store.session() as s:
        assert (_stored_rows(s, "resident", "id"), _stored_rows(s, "member", "id")) == before
        assert s.scalar(select(Resident.birth_date)) == date(1949, 12, 31)


def test_bulk_save_gives_a_known_person_the_default_category(store, org_ids):
    with store.transaction() as s:
        people.save_leader(s, {"name": "李四", "phone": "13912345678", "id_number": ID_LI,
                               "building_id": org_ids.buildings["1"]})
    with store.transaction() as s:
        people.bulk_save_members(s, [(None, {"id_number": ID_LI, "note": "只带备注"})])
    with store.session() as s:
        member = s.scalars(select(Member)).one()
        assert (member.category, member.is_registered, member.note, member.deleted_at) == ("full", False,
                                                                                          "只带备注", None)
        assert s.scalars(select(BuildingLeader)).one().is_member is True
