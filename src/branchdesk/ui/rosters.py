"""The list pages (three rosters and the residents' issues), each declared as a
RosterSpec from the field registry."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from ..fields import (
    BOOL,
    CENTER_HOUSEHOLD_FIELDS,
    CHOICE,
    DATE,
    FOUR_HAVES,
    ISSUE_FIELDS,
    LEADER_FIELDS,
    MEMBER_CATEGORIES,
    MEMBER_FIELDS,
    SERVED_COUNT_FIELD,
    SERVED_FIELD,
    Field,
    by_key,
)
from ..services import issues, org, people
from .list_page import FilterSpec, RosterSpec
from .table_model import Column

M = by_key(MEMBER_FIELDS)
L = by_key(LEADER_FIELDS)
C = by_key(CENTER_HOUSEHOLD_FIELDS)
IS = by_key(ISSUE_FIELDS)

SEARCH_HINT = "搜索：姓名、拼音首字母（如 zs）、电话、身份证后几位、住址"
_SEARCH = ("name", "name_pinyin", "name_initials", "phone", "address", "short_address")


def _buildings(session):
    return [(c.id, c.label) for c in org.building_choices(session)]


def _orgs(session):
    """Each branch stands for itself and everything under it: choosing 启明小区党支部
    shows the members of its party groups too, as the 党组织 tab counts them."""
    choices = org.party_org_choices(session)
    children: dict[int | None, list[int]] = {}
    for c in choices:
        children.setdefault(c.parent_id, []).append(c.id)

    def below(org_id: int) -> frozenset[int]:
        found = {org_id}
        for child in children.get(org_id, []):
            found |= below(child)
        return frozenset(found)

    return [(below(c.id), c.label) for c in choices]


BUILDING_FILTER = FilterSpec("全部楼栋", "building_id", _buildings)


def _open_member_form(parent, store, record_id):
    from .forms import open_member_form
    return open_member_form(parent, store, record_id)


def _open_leader_form(parent, store, record_id):
    from .forms import open_leader_form
    return open_leader_form(parent, store, record_id)


def _open_center_household_form(parent, store, record_id):
    from .center_household_form import open_center_household_form
    return open_center_household_form(parent, store, record_id)


MEMBERS = RosterSpec(
    key="members", title="党员", measure="名",
    columns=[Column.of(M["name"], sort_attr="name_pinyin"), Column.of(M["gender"]), Column.of(M["birth_date"]),
             Column.of(M["id_number"]), Column.of(M["phone"]), Column.of(M["address"]),
             Column.of(M["party_org_id"]), Column.of(M["category"]), Column.of(M["joined_on"]),
             Column.of(M["confirmed_on"]), Column.of(M["education"]), Column.of(M["ethnicity"]),
             Column.of(M["employer"]), Column.of(M["is_registered"]), Column.of(M["note"])],
    search_attrs=_SEARCH, search_hint=SEARCH_HINT,
    load=people.list_members, delete=people.delete_members, restore=people.restore_members,
    open_form=_open_member_form,
    delete_note="若其中有党员中心户，中心户记录也会一并删除。",
    exchange_kind="members",
    filters=[BUILDING_FILTER, FilterSpec("全部支部", "party_org_id", _orgs),
             FilterSpec("全部类别", "category", lambda _s: list(MEMBER_CATEGORIES))],
)


CENTER_HOUSEHOLDS = RosterSpec(
    key="center_households", title="党员中心户", measure="户",
    columns=[Column.of(replace(C["member_id"], label="中心户党员"), "name", sort_attr="name_pinyin"),
             Column.of(M["address"]), Column.of(M["phone"]), Column.of(SERVED_COUNT_FIELD), Column.of(SERVED_FIELD),
             *[Column.of(f) for f in FOUR_HAVES], Column.of(C["appointed_on"]), Column.of(C["note"])],
    search_attrs=(*_SEARCH, "served"), search_hint=SEARCH_HINT,
    load=people.list_center_households, delete=people.delete_center_households,
    restore=people.restore_center_households, open_form=_open_center_household_form,
    exchange_kind="center-households",
    filters=[BUILDING_FILTER, FilterSpec("全部支部", "party_org_id", _orgs)],
)

LEADERS = RosterSpec(
    key="leaders", title="楼栋长", measure="位",
    columns=[Column.of(L["name"], sort_attr="name_pinyin"), Column.of(L["building_id"], "building_full"),
             Column.of(L["unit_id"]), Column.of(L["phone"]), Column.of(L["id_number"]), Column.of(L["is_member"]),
             Column.of(L["since"]), Column.of(L["note"])],
    search_attrs=("name", "name_pinyin", "name_initials", "phone", "building_full"), search_hint=SEARCH_HINT,
    load=people.list_leaders, delete=people.delete_leaders, restore=people.restore_leaders,
    open_form=_open_leader_form,
    exchange_kind="building-leaders",
    filters=[BUILDING_FILTER, FilterSpec("是否党员（全部）", "is_member", lambda _s: [(True, "党员"), (False, "非党员")])],
)

def _open_issue(parent, store, record_id):
    from .issues import open_issue
    return open_issue(parent, store, record_id)


def _issue_categories(session):
    return [(c, c) for c in issues.issue_categories(session)]


_STATE = Field("state", "进度", CHOICE, choices=issues.ISSUE_STATES, width=4)
_DUE = Field("due_on", "办结时限", DATE, width=9)
_OVERDUE = Field("overdue", "逾期", BOOL, width=3)
_OWNER = Field("owner", "责任人", width=8)
ISSUES = RosterSpec(
    key="issues", title="居民问题", measure="件", heading="居民问题（五事制）", add_text="提事（登记问题）",
    edit_text="办理…",
    columns=[Column.of(IS["number"]), Column.of(IS["raised_at"]), Column.of(IS["category"]),
             Column.of(IS["building_id"]), Column.of(IS["description"]), Column.of(_STATE), Column.of(_OWNER),
             Column.of(_DUE), Column.of(_OVERDUE), Column.of(IS["source"]), Column.of(IS["reporter_name"]),
             Column.of(IS["reporter_phone"])],
    search_attrs=("number", "description", "category", "building", "reporter_name", "reporter_phone", "owner"),
    search_hint="搜索：编号、内容、类别、楼栋、反映人、责任人",
    load=lambda session: issues.list_issues(session, date.today()), delete=issues.delete_issues,
    restore=issues.restore_issues, open_form=_open_issue, describe=lambda row: row.number,
    filters=[FilterSpec("全部进度", "state", lambda _s: list(issues.ISSUE_STATES)),
             FilterSpec("全部类别", "category", _issue_categories),
             FilterSpec("是否逾期（全部）", "overdue", lambda _s: [(True, "已逾期"), (False, "未逾期")]),
             BUILDING_FILTER],
)

ROSTERS = (MEMBERS, CENTER_HOUSEHOLDS, LEADERS, ISSUES)
