"""The sample community (branchdesk demo) and the bulk rosters for benchmarks."""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from branchdesk import cli
from branchdesk.models import (
    AgendaItem, Attendee, Building, BuildingLeader, CenterHousehold, Community, Compound, Decision, Demand, Household,
    Issue, IssueEvent, Meeting, Member, Partner, PartyOrg, Resident, Resource, Responsibility, ServiceLog, Unit,
)
from branchdesk.services import ValidationFailed, issues, lists, org, people
from branchdesk.services import meetings as MT
from branchdesk.services.demo import DEMO_COMMUNITY, add_years, community_counts, fill_bulk, fill_demo
from branchdesk.services.pinyin import name_pinyin
from branchdesk.store import open_store
from branchdesk.validation import id_birth_date, id_gender, parse_address, parse_id_number, parse_phone


@pytest.fixture
def demo(store):
    """A fresh database holding the demo community, and fill_demo's report."""
    with store.transaction() as session:
        report = fill_demo(session)
    return store, report


def _counts(store) -> dict[str, int]:
    with store.transaction() as session:
        community = session.scalar(select(Community).where(Community.name == DEMO_COMMUNITY))
        return community_counts(session, community.id)


def _totals(store) -> dict[str, int]:
    """Rows in every table that demo writes, to see that nothing was added."""
    with store.transaction() as session:
        return {model.__name__: session.scalar(select(func.count()).select_from(model))
                for model in (Community, Compound, Building, Unit, Household, PartyOrg, Resident, Member,
                              CenterHousehold, BuildingLeader, Partner, Resource, Demand, Responsibility, ServiceLog,
                              Issue, IssueEvent, Meeting, AgendaItem, Attendee, Decision)}


def test_demo_community_has_the_promised_size_and_report(demo):
    store, report = demo
    c = _counts(store)
    assert c["compounds"] == 2
    assert 25 <= c["buildings"] <= 35
    assert 1300 <= c["households"] <= 1700
    assert 160 <= c["members"] <= 200
    assert 20 <= c["center_households"] <= 30
    assert c["building_leaders"] == c["buildings"]
    assert c["unit_leaders"] > 0
    # the report names what was added, with the same figures the database holds
    assert report.startswith(f"已填入示例社区“{DEMO_COMMUNITY}”")
    for figure in (f"小区 {c['compounds']} 个", f"楼栋 {c['buildings']} 栋", f"住户 {c['households']} 户",
                   f"党员 {c['members']} 名", f"党员中心户 {c['center_households']} 户",
                   f"楼栋长 {c['building_leaders']} 名"):
        assert figure in report


def test_compounds_grids_and_buildings_look_like_a_real_community(demo):
    store, _report = demo
    with store.transaction() as session:
        compounds = {c.kind: c for c in session.scalars(select(Compound))}
        assert set(compounds) == {"property", "open"}
        assert compounds["property"].property_company and compounds["property"].owners_committee
        assert compounds["open"].property_company is None
        for compound in compounds.values():
            assert 2 <= len(compound.grids) <= 3
            for grid in compound.grids:
                assert grid.worker_name and parse_phone(grid.worker_phone) == grid.worker_phone
                assert grid.buildings, f"{grid.name} has no buildings"
        for building in session.scalars(select(Building)):
            assert 2 <= len(building.units) <= 4
            assert 5 <= building.floors <= 7
            for unit in building.units:
                per_floor = Counter(h.sort_key // 100 for h in unit.households)
                assert set(per_floor) == set(range(1, building.floors + 1))
                assert set(per_floor.values()) <= {2, 3}
        # building numbers run through the community, so a typed 3-2-501 names one flat
        refs = org.household_refs(session)
        assert len({r.short for r in refs}) == len(refs)


def test_every_member_passes_the_member_form_and_id_checks(demo):
    """Opening any demo member in the form and saving it unchanged must not raise."""
    store, _report = demo
    today = date.today()
    with store.transaction() as session:
        rows = people.list_members(session)
        ids = set()
        for r in rows:
            assert parse_id_number(r.id_number) == r.id_number
            assert id_birth_date(r.id_number) == r.birth_date
            assert id_gender(r.id_number) == r.gender
            assert r.id_number not in ids
            ids.add(r.id_number)
            assert (r.name_pinyin, r.name_initials) == name_pinyin(r.name)
            assert 2 <= len(r.name) <= 3
            assert r.phone is None or parse_phone(r.phone) == r.phone and r.phone[1] in "3456789"
            assert r.address, f"{r.name} has no household"
            assert add_years(r.birth_date, 18) < r.joined_on <= today
            if r.category == "full":
                assert r.confirmed_on == add_years(r.joined_on, 1) <= today
            else:
                assert r.category == "probationary" and r.confirmed_on is None
            if r.is_registered:
                assert r.employer
            values = people.get_member(session, r.id)
            people.validate_member(session, values, r.id)


def test_members_are_a_plausible_branch_roster(demo):
    store, _report = demo
    today = date.today()
    with store.transaction() as session:
        rows = people.list_members(session)
    n = len(rows)
    ages = [(today - r.birth_date).days // 365.25 for r in rows]
    assert 25 <= min(ages) and max(ages) <= 90
    assert sum(a >= 60 for a in ages) > n / 2  # most members of a compound branch are retired
    genders = Counter(r.gender for r in rows)
    assert genders["M"] > n / 4 and genders["F"] > n / 4
    assert Counter(r.ethnicity for r in rows)["汉族"] > 0.85 * n
    assert len({r.education for r in rows}) >= 5
    assert 0.02 * n <= sum(r.category == "probationary" for r in rows) <= 0.08 * n
    assert 0.15 * n <= sum(r.is_registered for r in rows) <= 0.25 * n
    assert len({r.name for r in rows}) == n  # no two members share a name: a pick list stays clear


def test_party_chain_and_member_placement(demo):
    store, _report = demo
    with store.transaction() as session:
        orgs = session.scalars(select(PartyOrg)).all()
        by_level = Counter(o.level for o in orgs)
        by_id = {o.id: o for o in orgs}
        committee = next(o for o in orgs if o.level == "community_committee")
        general = next(o for o in orgs if o.level == "general_branch")
        assert by_level["community_committee"] == 1 and by_level["general_branch"] == 1
        assert general.parent_id == committee.id
        assert session.get(Compound, general.compound_id).kind == "property"
        branches = [o for o in orgs if o.level == "branch"]
        assert sorted(b.parent_id for b in branches) == sorted([general.id, general.id, committee.id])
        open_branch = next(b for b in branches if b.parent_id == committee.id)
        assert session.get(Compound, open_branch.compound_id).kind == "open"
        groups = [o for o in orgs if o.level == "party_group"]
        buildings = session.scalar(select(func.count()).select_from(Building))
        assert buildings / 3 <= len(groups) <= buildings / 2
        assert all(by_id[g.parent_id].level == "branch" for g in groups)
        assert all(o.secretary_name for o in orgs if o.level != "party_group")

        # each member sits in a group or branch of the compound they live in
        rows = session.execute(
            select(Member.party_org_id, Building.compound_id)
            .join(Resident, Member.resident_id == Resident.id)
            .join(Household, Resident.household_id == Household.id)
            .join(Unit, Household.unit_id == Unit.id).join(Building, Unit.building_id == Building.id)).all()
        assert rows
        for party_org_id, compound_id in rows:
            assert by_id[party_org_id].level in ("branch", "party_group")
            assert by_id[party_org_id].compound_id == compound_id
        members_per_group = Counter(p for p, _c in rows)
        assert all(members_per_group[g.id] > 0 for g in groups)


def test_center_households_serve_neighbours_in_their_own_building(demo):
    store, _report = demo
    today = date.today()
    with store.transaction() as session:
        centers = session.scalars(select(CenterHousehold)).all()
        assert 20 <= len(centers) <= 30
        all_four = 0
        served_anywhere = Counter()
        for ch in centers:
            member = ch.member
            own = member.resident.household
            assert member.category == "full" and member.deleted_at is None
            assert 6 <= len(ch.served_households) <= 10
            for h in ch.served_households:
                assert h.id != own.id
                assert h.unit.building_id == own.unit.building_id
                served_anywhere[h.id] += 1
            assert ch.appointed_on is not None and member.confirmed_on <= ch.appointed_on <= today
            all_four += all((ch.has_ability, ch.has_prestige, ch.has_public_spirit, ch.has_enthusiasm))
        assert all_four >= 0.75 * len(centers)
        assert max(served_anywhere.values()) == 1  # no flat is looked after twice
        # the list the secretary sees agrees
        listed = people.list_center_households(session)
        assert len(listed) == len(centers)
        assert sum(r.served_count for r in listed) == sum(len(ch.served_households) for ch in centers)


def test_every_building_has_a_leader_and_leaders_can_be_edited(demo):
    store, _report = demo
    with store.transaction() as session:
        coverage = org.coverage_by_building(session)
        assert coverage and all(c.has_leader for c in coverage)
        leaders = session.scalars(select(BuildingLeader)).all()
        whole = Counter(le.building_id for le in leaders if le.unit_id is None)
        assert set(whole.values()) == {1}  # exactly one 楼栋长 per building
        as_member = [le for le in leaders if le.is_member]
        others = [le for le in leaders if not le.is_member]
        assert as_member and others
        for le in as_member:
            assert le.resident.member is not None  # reuses the member's own record
        for le in leaders:
            r = le.resident
            assert parse_phone(r.phone) == r.phone
            assert (r.name_pinyin, r.name_initials) == name_pinyin(r.name)
            assert r.household is not None and r.household.unit.building_id == le.building_id
            if le.unit_id is not None:
                assert le.unit.building_id == le.building_id and r.household.unit_id == le.unit_id
            if r.id_number:
                assert parse_id_number(r.id_number) == r.id_number and id_birth_date(r.id_number) == r.birth_date
            # saving a leader unchanged from the form works
            assert people.save_leader(session, people.get_leader(session, le.id), le.id) == le.id
        for le in others:
            assert le.resident.member is None


def test_demo_partners_and_resources(demo):
    store, report = demo
    today = date.today()
    with store.transaction() as session:
        partners = lists.list_partners(session)
        resources = lists.list_resources(session)
        categories = set(lists.demand_categories(session))
        idle = lists.idle_resources(session)
    assert 10 <= len(partners) <= 14 and f"红色合伙人 {len(partners)} 家" in report
    assert {p.response_level for p in partners} == {"routine", "emergency", "wartime"}
    assert {p.kind for p in partners} >= {"医院", "学校", "企业", "机关", "社会组织"}
    for p in partners:
        assert p.contact_name and parse_phone(p.contact_phone) == p.contact_phone and p.offers
        assert today - timedelta(days=730) <= p.agreement_on <= today
    assert sum(p.claims for p in partners) > 0 and sum(p.completed for p in partners) > 0

    assert 25 <= len(resources) <= 35 and f"资源 {len(resources)} 项" in report
    assert {r.provider_kind for r in resources} == {"partner", "member", "department", "team"}
    for r in resources:
        assert r.provider_name and set(r.categories.split("、")) <= categories
        assert r.contact_phone is None or parse_phone(r.contact_phone) == r.contact_phone
    assert {r.compound for r in resources} >= {None, "阳光花园", "光明里"}  # some for one compound, most for all
    assert idle and len(idle) < len(resources)  # some wait to be used


def test_demo_demands_in_every_status_with_consistent_dates(demo):
    store, report = demo
    today = date.today()
    with store.transaction() as session:
        rows = lists.list_demands(session)
        categories = set(lists.demand_categories(session))
        unmatched = lists.unmatched_demands(session)
        services = session.execute(select(ServiceLog.member_id, ServiceLog.demand_id)).all()
        registered_on = dict(session.execute(select(Member.id, Member.registered_on)).all())
        # any demand opens in the form and saves unchanged
        for r in rows[::9]:
            lists.save_demand(session, lists.get_demand(session, r.id), r.id, today=today)
    assert 70 <= len(rows) <= 90 and f"需求 {len(rows)} 条" in report
    statuses = Counter(r.status for r in rows)
    assert set(statuses) == {"open", "matched", "claimed", "done", "closed"}
    assert statuses["done"] > len(rows) / 3 and statuses["closed"] < len(rows) / 8
    assert {r.category for r in rows} == categories
    assert {r.urgency for r in rows} == {"normal", "pressing", "urgent"}
    assert Counter(r.claimed_by_kind for r in rows if r.claimed_by_kind)["partner"] > 0
    assert Counter(r.claimed_by_kind for r in rows if r.claimed_by_kind)["member"] > 0
    # raised by households, buildings and groups
    assert any(r.household_id for r in rows) and any(r.building_id and not r.household_id for r in rows)
    assert any(r.building_id is None and r.raised_by for r in rows)
    for r in rows:
        assert today - timedelta(days=366) <= r.raised_on <= today
        if r.household_id:
            assert r.address and r.building_id
        if r.status == "matched" or r.status == "done" and not r.claimed_on:
            assert r.resource_id is not None
        if r.status == "claimed":
            assert r.claimed_on
        if r.claimed_on:
            assert r.raised_on <= r.claimed_on <= today and r.claimed_by
        if r.status in ("done", "closed"):
            assert r.result and (r.claimed_on or r.raised_on) <= r.done_on <= today
        else:
            assert r.done_on is None and r.result is None
        if r.claimed_by_kind == "member":
            assert (r.claimed_member_id, r.id) in services  # logged for the member's record
            assert registered_on[r.claimed_member_id] <= r.claimed_on
    assert any(r.feedback for r in rows if r.status == "done")
    # the newest wait, and a few urgent ones have waited too long
    assert unmatched and any(r.urgency == "urgent" and (today - r.raised_on).days > 60 for r in unmatched)


def test_demo_responsibilities_and_registrations(demo):
    store, report = demo
    today = date.today()
    with store.transaction() as session:
        duties = lists.list_responsibilities(session, today)
        overdue = lists.overdue_responsibilities(session, today=today)
        registered = lists.list_registered_members(session)
        joined = dict(session.execute(select(Member.id, Member.joined_on)).all())
    assert 20 <= len(duties) <= 30 and f"责任清单任务 {len(duties)} 项" in report
    assert {d.source for d in duties} >= {"街道党工委", "社区党委", "小区党支部"}
    assert set(Counter(d.status for d in duties)) == {"todo", "doing", "done"}
    assert overdue and all(d.status != "done" and d.deadline < today for d in overdue)
    assert any(d.deadline and d.deadline > today for d in duties if d.status != "done")
    for d in duties:
        assert d.owner_unit and d.title
        if d.status == "done":
            assert d.done_on <= today and d.result
        else:
            assert d.done_on is None
    assert len(registered) >= 30
    for r in registered:
        assert joined[r.id] <= r.registered_on <= today
    assert 0 < sum((today - r.registered_on).days <= 365 for r in registered) < len(registered)
    assert any(r.services for r in registered)


def test_demo_has_no_day_after_today(demo):
    store, _report = demo
    today = date.today()
    columns = (Partner.agreement_on, Demand.raised_on, Demand.claimed_on, Demand.done_on, Member.registered_on,
               Responsibility.done_on, ServiceLog.served_on)
    with store.transaction() as session:
        for column in columns:
            assert session.scalar(select(func.count()).where(column > today)) == 0, column


# ---- meetings ---------------------------------------------------------------------------------
THREE_AND_ONE = ("支部党员大会", "支委会", "党小组会", "党课")


def test_demo_holds_meetings_of_every_kind_with_their_minutes(demo):
    store, report = demo
    now = datetime.now()
    with store.transaction() as session:
        kinds = set(MT.meeting_kinds(session))
        rows = MT.list_meetings(session)
        levels = dict(session.execute(select(PartyOrg.id, PartyOrg.level)).all())
        deadlines = session.execute(select(Decision.deadline, Meeting.starts_at).select_from(Decision)
                                    .join(AgendaItem, Decision.agenda_item_id == AgendaItem.id)
                                    .join(Meeting, AgendaItem.meeting_id == Meeting.id)).all()
    assert {r.kind for r in rows} == kinds  # every kind on the list, the 三会一课 first among them
    held = Counter(r.kind for r in rows if r.held)
    assert all(held[k] >= 4 for k in THREE_AND_ONE) and all(held[k] >= 3 for k in kinds - set(THREE_AND_ONE))
    assert f"会议 {len(rows)} 场" in report and f"支委会 {Counter(r.kind for r in rows)['支委会']} 场" in report
    for r in rows:
        assert r.title and r.place and r.host and r.recorder and r.items and r.invited
        if r.held:
            assert r.starts_at < now and r.minutes_at <= now and r.present > 0
        if r.kind == "党小组会":
            assert levels[r.party_org_id] == "party_group"
        elif r.kind in THREE_AND_ONE:
            assert levels[r.party_org_id] == "branch"
    assert all(deadline >= starts.date() for deadline, starts in deadlines)


def test_demo_meetings_sign_in_members_partners_and_the_three_parties(demo):
    store, _report = demo
    with store.transaction() as session:
        rows = MT.list_meetings(session)
        members = dict(session.execute(select(Member.id, Member.party_org_id)).all())
        parents = dict(session.execute(select(PartyOrg.id, PartyOrg.parent_id)).all())
        contacts = dict(session.execute(select(Partner.id, Partner.contact_name)).all())
        company = session.scalar(select(Compound.property_company).where(Compound.kind == "property"))
        people_of = {r.id: MT.attendees(session, r.id) for r in rows}
        sheets = {r.id: MT.attendance(session, r.id) for r in rows if r.held}
    statuses = Counter(a["status"] for r in rows if r.held for a in people_of[r.id])
    assert statuses["present"] > 10 * statuses["absent"] > 0 and statuses["excused"] > 0
    assert set(statuses) == {"present", "excused", "absent"}  # nobody left unmarked at a meeting held
    reasons = Counter(reason for sheet in sheets.values() for _name, reason in sheet.excused)
    assert all(reasons) and {"出差", "生病住院", "照顾老人"} <= set(reasons)
    for r in rows:
        invited = people_of[r.id]
        if r.kind == "党小组会":  # the group's own members
            assert {members[a["member_id"]] for a in invited} == {r.party_org_id}
        if r.kind in ("支部党员大会", "支委会", "党课"):
            assert all(r.party_org_id in (members[a["member_id"]], parents[members[a["member_id"]]])
                       for a in invited)
        roles = Counter(a["role"] for a in invited)
        if r.kind == "三方联席会议":
            assert roles["owners_committee"] and roles["property_company"] and roles["member"]
            assert {a["unit"] for a in invited if a["role"] == "owners_committee"} == {"业委会"}
            assert {a["unit"] for a in invited if a["role"] == "property_company"} == {company}
        if r.kind == "红色合伙人圆桌会":
            partners = [a for a in invited if a["role"] == "partner"]
            assert len(partners) >= 5 and all(contacts[a["partner_id"]] == a["name"] for a in partners)


def test_demo_issues_decided_at_a_meeting_have_it_as_their_ding_shi(demo):
    store, _report = demo
    with store.transaction() as session:
        taken = session.execute(select(AgendaItem.meeting_id, AgendaItem.issue_id, Meeting.minutes_at)
                                .join(Meeting, AgendaItem.meeting_id == Meeting.id)
                                .where(AgendaItem.issue_id.is_not(None))).all()
        decided = [(m, i) for m, i, minutes in taken if minutes is not None]
        assert len(decided) >= 20
        for meeting_id, issue_id in decided:
            [item] = [a for a in MT.agenda(session, meeting_id) if a["issue_id"] == issue_id]
            events = issues.timeline(session, issue_id)
            [step] = [e for e in events if e.kind == "step" and e.step == "decided"]
            assert step.meeting_id == meeting_id
            assert any(e.kind == "meeting" and e.meeting_id == meeting_id for e in events)  # put on the agenda
            issue = session.get(Issue, issue_id)
            assert (issue.decision, issue.owner) == (item["decisions"][0]["content"], item["decisions"][0]["owner"])
            assert step.at >= session.get(Meeting, meeting_id).starts_at
        # the issues decided without a meeting still are, and the spread is kept
        rows = issues.list_issues(session, date.today())
    steps = Counter(r.step for r in rows)
    assert {"raised", "discussed", "reviewed"} <= set(steps) and steps["decided"] + steps["doing"] > 0
    assert steps["reviewed"] > len(rows) / 2
    assert any(r.overdue for r in rows) and any(r.reopen_count for r in rows)
    assert len({i for _m, i, _at in taken}) == len(taken)  # an issue is decided at one meeting


def test_demo_upcoming_meetings_are_prepared_without_minutes(demo):
    store, _report = demo
    now = datetime.now()
    with store.transaction() as session:
        upcoming = [r for r in MT.list_meetings(session) if not r.held]
        agendas = {r.id: MT.agenda(session, r.id) for r in upcoming}
        people_of = {r.id: MT.attendees(session, r.id) for r in upcoming}
        summaries = {r.id: session.get(Meeting, r.id).summary for r in upcoming}
        steps = {r.id: [session.get(Issue, a["issue_id"]).step for a in agendas[r.id] if a["issue_id"]]
                 for r in upcoming}
    assert len(upcoming) >= 2 and {"党群议事会", "三方联席会议"} <= {r.kind for r in upcoming}
    for r in upcoming:
        assert now < r.starts_at <= now + timedelta(days=14)
        assert r.minutes_at is None and summaries[r.id] is None
        assert agendas[r.id] and all(not a["decisions"] and not a["discussion"] for a in agendas[r.id])
        assert people_of[r.id] and {a["status"] for a in people_of[r.id]} == {"invited"}
        assert set(steps[r.id]) <= {"raised", "discussed"}  # waiting for the meeting's 定事
    assert any(steps.values())  # the notice has residents' issues to print


def test_demo_tracker_shows_what_is_held_due_and_overdue(demo):
    store, _report = demo
    today = date.today()
    with store.transaction() as session:
        found = MT.tracker(session, today)
        last_branch = session.scalars(select(PartyOrg.name).where(PartyOrg.level == "branch")
                                      .order_by(PartyOrg.sort_key.desc())).first()
    states = Counter(r.state for r in found)
    assert states["待召开"] + states["逾期"] > 0
    by = {(r.kind, r.party_org): r for r in found}
    assert by[("党课", last_branch)].state == "逾期"  # no 党课 last quarter or this one
    if today.day > 12:  # every branch's 支委会 falls in the month's first days
        assert states["已召开"] > 0
    # one group's 党小组会 this month is still to come (its notice is out), last month's was held
    assert any(r.kind == "党小组会" and r.state == "待召开" and r.last_held for r in found)


def test_filing_a_batch_of_meetings_checks_every_row_and_refuses_the_whole(demo):
    """The year of meetings is filed in one batch (file_meetings): the checks of one by one."""
    store, _report = demo
    record = {"meeting": {"kind": "支委会", "title": "研究发展党员工作", "date": "2026-03-05", "start_time": "9:30",
                          "end_time": "11:00", "place": "党群服务站", "host": "周建华", "recorder": "李娟"},
              "agenda": [{"title": "研究发展党员工作", "planned_minutes": "40"}],
              "attendees": [{"name": "王建华", "status": "present"}, {"name": "张敏", "status": "excused"}],
              "decisions": {1: [{"content": "起草方案", "owner": "李娟", "deadline": "2026-03-01"}]},
              "at": datetime(2026, 3, 5, 12)}
    totals = _totals(store)
    with store.transaction() as session, pytest.raises(ValidationFailed) as info:
        MT.file_meetings(session, [record, {**record, "meeting": {**record["meeting"], "kind": "茶话会"}}])
    messages = " ".join(info.value.errors.values())
    assert "张敏请假，请写明请假原因" in messages and "完成时限不能早于会议日期" in messages
    assert "第 2 场会议：会议类型“茶话会”不在列表中" in messages
    assert _totals(store) == totals
    fixed = {**record, "attendees": [{"name": "王建华", "status": "present"},
                                     {"name": "张敏", "status": "excused", "reason": "出差"}],
             "decisions": {1: [{"content": "起草方案", "owner": "李娟", "deadline": "2026-03-12"}]}}
    with store.transaction() as session:
        [meeting_id] = MT.file_meetings(session, [fixed])
    with store.transaction() as session:
        sheet = MT.attendance(session, meeting_id)
        [item] = MT.agenda(session, meeting_id)
        assert (sheet.present, sheet.excused) == (1, [("张敏", "出差")])
        assert item["decisions"][0]["deadline"] == date(2026, 3, 12)
        assert MT.get_meeting(session, meeting_id)["start_time"] == "09:30"


def _snapshot(session) -> tuple:
    return ([(r.name, r.id_number, r.short_address, r.party_org) for r in people.list_members(session)],
            [(r.name, r.short_address, r.served) for r in people.list_center_households(session)],
            [(r.name, r.phone, r.building_full, r.unit) for r in people.list_leaders(session)],
            [tuple(r) for r in lists.list_partners(session)], [tuple(r) for r in lists.list_resources(session)],
            [tuple(r) for r in lists.list_demands(session)], [tuple(r) for r in lists.list_responsibilities(session)],
            [(r.name, r.registered_on, r.services) for r in lists.list_registered_members(session)],
            [(r.kind, r.title, r.starts_at, r.place, r.host, r.items, r.invited, r.present, r.excused, r.held)
             for r in MT.list_meetings(session)])


def test_demo_is_the_same_every_time(store, tmp_path):
    """Two secretaries following the same guide on the same day see the same people."""
    with store.transaction() as session:
        fill_demo(session)
        first = _snapshot(session)
    other = open_store(tmp_path / "other.db", create=True)
    try:
        with other.transaction() as session:
            fill_demo(session)
            second = _snapshot(session)
    finally:
        other.close()
    assert first == second


def test_running_demo_twice_adds_nothing(demo):
    store, _report = demo
    before, totals = _counts(store), _totals(store)
    with store.transaction() as session:
        report = fill_demo(session)
    assert "已经存在" in report and "没有重复添加" in report
    assert f"党员 {before['members']} 名" in report and f"住户 {before['households']} 户" in report
    assert _totals(store) == totals


def test_cli_demo_fills_once_and_second_run_is_harmless(tmp_path, capsys):
    path = tmp_path / "cli.db"
    assert cli.main(["--db", str(path), "demo"]) == 0
    first = capsys.readouterr().out
    assert "已填入示例社区" in first
    store = open_store(path)
    try:
        before, totals = _counts(store), _totals(store)
    finally:
        store.close()
    assert before["members"] > 0

    assert cli.main(["--db", str(path), "demo"]) == 0
    second = capsys.readouterr().out
    assert "已经存在" in second
    store = open_store(path)
    try:
        assert _totals(store) == totals
    finally:
        store.close()


def test_fill_bulk_members_are_listable_and_valid(store):
    with store.transaction() as session:
        fill_bulk(session, 2000)
    with store.transaction() as session:
        rows = people.list_members(session)
        assert len(rows) == 2000
        assert len({r.id_number for r in rows}) == 2000
        assert len({r.building_id for r in rows}) > 1
        assert len({r.short_address for r in rows}) == 2000  # one member per flat
        today = date.today()
        for r in rows:
            assert parse_id_number(r.id_number) == r.id_number
            assert id_birth_date(r.id_number) == r.birth_date and id_gender(r.id_number) == r.gender
            assert parse_phone(r.phone) == r.phone
            assert (r.name_pinyin, r.name_initials) == name_pinyin(r.name)
            assert r.party_org and r.address
            assert add_years(r.birth_date, 18) < r.joined_on <= today
            assert r.confirmed_on is None if r.category == "probationary" else r.confirmed_on <= today
        # the member form accepts them as they are
        for r in rows[:50]:
            people.validate_member(session, people.get_member(session, r.id), r.id)


def test_fill_bulk_beside_the_demo_keeps_addresses_unambiguous(demo):
    store, _report = demo
    before = _counts(store)
    with store.transaction() as session:
        fill_bulk(session, 300)
    assert _counts(store) == before  # the demo community is untouched
    with store.transaction() as session:
        rows = people.list_members(session)
        assert len(rows) == before["members"] + 300
        refs = org.household_refs(session)
        assert len({r.short for r in refs}) == len(refs)
        for r in rows[::40]:
            assert org.resolve_household(session, parse_address(r.short_address)) is not None
