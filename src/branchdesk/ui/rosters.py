"""The list pages (three rosters and the residents' issues), each declared as a
RosterSpec from the field registry."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from ..fields import (
    BOOL,
    CENTER_HOUSEHOLD_FIELDS,
    DATE,
    DEMAND_FIELDS,
    DEMAND_STATUSES,
    DUTY_STATUSES,
    PARTNER_FIELDS,
    PROVIDER_KINDS,
    REGISTRATION_FIELDS,
    RESOURCE_FIELDS,
    RESPONSE_LEVELS,
    RESPONSIBILITY_FIELDS,
    URGENCIES,
    FOUR_HAVES,
    ISSUE_FIELDS,
    ISSUE_STATE_FIELD,
    MEETING_COUNT_FIELDS,
    MEETING_FIELDS,
    LEADER_FIELDS,
    MEMBER_CATEGORIES,
    MEMBER_FIELDS,
    SERVED_COUNT_FIELD,
    SERVED_FIELD,
    Field,
    by_key,
)
from ..models.lists import DEMAND_CLAIMED, DEMAND_MATCHED, DEMAND_OPEN
from ..services import issues, lists, meetings, org, people
from .list_page import FilterSpec, PageAction, RosterSpec
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


def _print_roster(kind: str):
    """打印名册: masked as the page shows it; full numbers when the page shows them whole."""
    def run(page, _row):
        from .print_preview import preview_document
        preview_document(page, page.store, kind, full=page.act_unmask.isChecked())
        return False
    return run


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
    actions=(PageAction("打印名册…", _print_roster("members"), "Ctrl+P", needs_row=False,
                        tip="打印党员名册（A4 横向；身份证号、电话和出生日期按页面上的显示隐藏或完整）"),),
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
    actions=(PageAction("打印通讯录…", _print_roster("building-leaders"), "Ctrl+P", needs_row=False,
                        tip="打印楼栋长通讯录（电话按页面上的显示隐藏或完整）"),),
    filters=[BUILDING_FILTER, FilterSpec("是否党员（全部）", "is_member", lambda _s: [(True, "党员"), (False, "非党员")])],
)

def _open_issue(parent, store, record_id):
    from .issues import open_issue
    return open_issue(parent, store, record_id)


def _issue_categories(session):
    return [(c, c) for c in issues.issue_categories(session)]


_DUE = Field("due_on", "办结时限", DATE, width=9)
OVERDUE_FILTER = FilterSpec("是否逾期（全部）", "overdue", lambda _s: [(True, "已逾期"), (False, "未逾期")])
_OVERDUE = Field("overdue", "逾期", BOOL, width=3)
_OWNER = Field("owner", "责任人", width=8)
ISSUES = RosterSpec(
    key="issues", title="居民问题", measure="件", heading="居民问题（五事制）", add_text="提事（登记问题）",
    edit_text="办理…",
    columns=[Column.of(IS["number"]), Column.of(IS["raised_at"]), Column.of(IS["category"]),
             Column.of(IS["building_id"]), Column.of(IS["description"]), Column.of(ISSUE_STATE_FIELD), Column.of(_OWNER),
             Column.of(_DUE), Column.of(_OVERDUE), Column.of(IS["source"]), Column.of(IS["reporter_name"]),
             Column.of(IS["reporter_phone"])],
    search_attrs=("number", "description", "category", "building", "reporter_name", "reporter_phone", "owner"),
    search_hint="搜索：编号、内容、类别、楼栋、反映人、责任人",
    load=lambda session: issues.list_issues(session, date.today()), delete=issues.delete_issues,
    restore=issues.restore_issues, open_form=_open_issue, describe=lambda row: row.number,
    filters=[FilterSpec("全部进度", "state", lambda _s: list(issues.ISSUE_STATES)),
             FilterSpec("全部类别", "category", _issue_categories),
             OVERDUE_FILTER,
             BUILDING_FILTER],
)


# ---- the three lists, the partners and 双报到 -------------------------------------------------
def _list_form(name: str):
    """The form opener of ui/list_forms.py called name, imported when first used."""
    def opener(parent, store, record_id):
        from . import list_forms
        return getattr(list_forms, name)(parent, store, record_id)
    return opener


def _list_step(name: str):
    def run(page, row):
        from . import list_forms
        return getattr(list_forms, name)(page, row)
    return run


def _demand_categories(session):
    return [(c, c) for c in lists.demand_categories(session)]


@dataclass(frozen=True)
class _Serves:
    """A resource serves this category among its several (健康保健、助老助残)."""
    category: str

    def __call__(self, row) -> bool:
        return self.category in (row.categories or "").split("、")


def _idle(row) -> bool:
    return not row.in_use


def _busy(row) -> bool:
    return bool(row.in_use)


def _serving(session):
    return [(_Serves(c), c) for c in lists.demand_categories(session)]


DM = by_key(DEMAND_FIELDS)
RS = by_key(RESOURCE_FIELDS)
DT = by_key(RESPONSIBILITY_FIELDS)
PT = by_key(PARTNER_FIELDS)
RG = by_key(REGISTRATION_FIELDS)
_MATCHABLE = (DEMAND_OPEN, DEMAND_MATCHED)  # a claimed demand keeps its resource
_FINISHABLE = (DEMAND_MATCHED, DEMAND_CLAIMED)  # done needs someone or something to have done it
_IN_HAND = (DEMAND_OPEN, DEMAND_MATCHED, DEMAND_CLAIMED)

DEMANDS = RosterSpec(
    key="demands", nav="需求清单", title="需求", measure="条", heading="需求清单", add_text="登记需求", edit_text="编辑",
    columns=[Column.of(DM["raised_on"]), Column.of(DM["category"]), Column.of(DM["description"]),
             Column.of(DM["urgency"]), Column.of(DM["status"]), Column.of(DM["building_id"]),
             Column.of(DM["raised_by"]), Column.of(DM["address"]), Column.of(DM["contact_phone"]),
             Column.of(DM["resource"]), Column.of(DM["claimed_by"]), Column.of(DM["claimed_on"]),
             Column.of(DM["done_on"]), Column.of(DM["result"]), Column.of(DM["feedback"])],
    search_attrs=("description", "category", "raised_by", "address", "building", "resource", "claimed_by",
                  "contact_phone"),
    search_hint="搜索：内容、类别、提出人、住址、对接资源、认领方",
    load=lists.list_demands, delete=lists.delete_demands, restore=lists.restore_demands,
    open_form=_list_form("open_demand_form"), describe=lambda row: (row.description or "")[:16],
    exchange_kind="demands",
    filters=[FilterSpec("全部状态", "status", lambda _s: list(DEMAND_STATUSES)),
             FilterSpec("全部类别", "category", _demand_categories),
             FilterSpec("全部紧急程度", "urgency", lambda _s: list(URGENCIES)),
             BUILDING_FILTER],
    actions=(PageAction("对接资源…", _list_step("match_demand"), "Ctrl+M",
                        lambda row: row.status in _MATCHABLE, "从资源清单中选一项服务本需求"),
             PageAction("认领…", _list_step("claim_demand"), "Ctrl+L", lambda row: row.status in _MATCHABLE,
                        "红色合伙人或在职党员认领本需求"),
             PageAction("办结…", _list_step("complete_demand"), "Ctrl+D",
                        lambda row: row.status in _FINISHABLE, "记下办理结果和居民反馈"),
             PageAction("关闭…", _list_step("close_demand"), None, lambda row: row.status in _IN_HAND,
                        "不再办理（如居民已自行解决），写明原因")),
)

RESOURCES = RosterSpec(
    key="resources", nav="资源清单", title="资源", measure="项", heading="资源清单", add_text="登记资源",
    columns=[Column.of(RS["title"]), Column.of(RS["categories"]), Column.of(RS["provider_kind"]),
             Column.of(RS["provider_name"]), Column.of(RS["compound_id"]), Column.of(RS["capacity"]),
             Column.of(RS["period"]), Column.of(RS["contact_name"]), Column.of(RS["contact_phone"]),
             Column.of(RS["in_use"]), Column.of(RS["note"])],
    search_attrs=("title", "categories", "provider_name", "compound", "contact_name", "contact_phone"),
    search_hint="搜索：资源内容、类别、提供方、联系人",
    load=lists.list_resources, delete=lists.delete_resources, restore=lists.restore_resources,
    open_form=_list_form("open_resource_form"), describe=lambda row: row.title[:16],
    exchange_kind="resources",
    filters=[FilterSpec("全部类别", "categories", _serving),
             FilterSpec("全部提供方", "provider_kind", lambda _s: list(PROVIDER_KINDS)),
             FilterSpec("使用情况（全部）", "in_use", lambda _s: [(_idle, "闲置"), (_busy, "对接中")])],
)

RESPONSIBILITIES = RosterSpec(
    key="responsibilities", nav="责任清单", title="任务", measure="项", heading="责任清单", add_text="登记任务",
    columns=[Column.of(DT["title"]), Column.of(DT["owner_unit"]), Column.of(DT["owner_name"]),
             Column.of(DT["deadline"]), Column.of(_OVERDUE), Column.of(DT["source"]), Column.of(DT["status"]),
             Column.of(DT["done_on"]), Column.of(DT["result"])],
    search_attrs=("title", "owner_unit", "owner_name", "source", "result"),
    search_hint="搜索：任务内容、责任主体、责任人、来源",
    load=lambda session: lists.list_responsibilities(session, date.today()), delete=lists.delete_responsibilities,
    restore=lists.restore_responsibilities, open_form=_list_form("open_responsibility_form"),
    describe=lambda row: row.title[:16], exchange_kind="responsibilities",
    filters=[FilterSpec("全部完成情况", "status", lambda _s: list(DUTY_STATUSES)),
             OVERDUE_FILTER,
             FilterSpec("全部来源", "source", lambda s: [(x, x) for x in lists.responsibility_sources(s)])],
    actions=(PageAction("更新进展…", _list_step("update_duty"), "Ctrl+D", lambda row: True,
                        "改为进行中或已完成，写下落实情况"),),
)

PARTNERS = RosterSpec(
    key="partners", title="红色合伙人", measure="家",
    columns=[Column.of(PT["name"]), Column.of(PT["kind"]), Column.of(PT["response_level"]),
             Column.of(PT["contact_name"]), Column.of(PT["contact_phone"]), Column.of(PT["offers"]),
             Column.of(PT["agreement_on"]), Column.of(PT["resources"]), Column.of(PT["claims"]),
             Column.of(PT["completed"]), Column.of(PT["note"])],
    search_attrs=("name", "kind", "contact_name", "contact_phone", "offers"),
    search_hint="搜索：单位名称、类型、联系人、可提供的服务",
    load=lists.list_partners, delete=lists.delete_partners, restore=lists.restore_partners,
    open_form=_list_form("open_partner_form"), exchange_kind="partners",
    delete_note="该单位登记的资源也会一并删除。",
    filters=[FilterSpec("全部响应级别", "response_level", lambda _s: list(RESPONSE_LEVELS))],
)

REGISTERED = RosterSpec(
    key="registered", nav="双报到", title="双报到党员", measure="名", heading="在职党员双报到", add_text="登记双报到",
    edit_text="查看服务记录",
    columns=[Column.of(M["name"], sort_attr="name_pinyin"), Column.of(M["phone"]), Column.of(M["employer"]),
             Column.of(M["party_org_id"]), Column.of(M["address"]),
             Column.of(RG["registered_on"]), Column.of(RG["services"]), Column.of(RG["last_served_on"])],
    search_attrs=("name", "name_pinyin", "name_initials", "phone", "employer", "address"), search_hint=SEARCH_HINT,
    load=lists.list_registered_members, delete=lists.unregister_members, restore=lists.restore_registrations,
    open_form=_list_form("open_registration"), delete_text="取消报到", undo_text="撤销取消报到",
    delete_note="党员本人仍在党员名册中，只是不再列为双报到党员。",
)


# ---- meetings ------------------------------------------------------------------------------
def _open_meeting(parent, store, record_id):
    from .meetings import open_meeting
    return open_meeting(parent, store, record_id)


def _print_meeting(page, row):
    from .meetings import print_meeting
    return print_meeting(page, row)


def _tracker(page, _row):
    from .meetings import open_tracker
    return open_tracker(page, page.store)


MT = by_key(MEETING_FIELDS)
MEETINGS = RosterSpec(
    key="meetings", title="会议", measure="次", heading="会议（议事会、联席会、三会一课）", add_text="新建会议",
    edit_text="打开…",
    columns=[Column.of(MT["date"], "starts_at"), Column.of(MT["start_time"]), Column.of(MT["kind"]),
             Column.of(MT["title"]), Column.of(MT["place"]), Column.of(MT["host"]), Column.of(MT["party_org_id"]),
             *[Column.of(f) for f in MEETING_COUNT_FIELDS]],
    search_attrs=("kind", "title", "place", "host", "recorder", "party_org"),
    search_hint="搜索：会议类型、主题、地点、主持人",
    load=meetings.list_meetings, delete=meetings.delete_meetings, restore=meetings.restore_meetings,
    open_form=_open_meeting, describe=lambda row: f"{row.starts_at:%m-%d}{row.title}",
    filters=[FilterSpec("全部类型", "kind", lambda s: [(k, k) for k in meetings.meeting_kinds(s)]),
             FilterSpec("是否已记录（全部）", "held", lambda _s: [(True, "已写会议记录"), (False, "未写会议记录")])],
    actions=(PageAction("打印…", _print_meeting, "Ctrl+P", tip="打印会议通知、议程、签到表或会议记录"),
             PageAction("三会一课…", _tracker, "Ctrl+T", needs_row=False,
                        tip="支委会、党员大会、党小组会、党课：本期是否已召开"),),
)
ROSTERS = (MEMBERS, CENTER_HOUSEHOLDS, LEADERS, ISSUES, MEETINGS, DEMANDS, RESOURCES, RESPONSIBILITIES, PARTNERS,
           REGISTERED)
