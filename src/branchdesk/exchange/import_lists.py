"""Importing the lists: 红色合伙人 (partners), 资源清单 (resources), 需求清单 (demands)
and 责任清单 (responsibilities), through the services in services/lists.py.

A row is matched by its record code (an export's 记录编号), else by what names the
record where there is no code: a partner by its unit name; a resource by 资源内容 and
提供方; a demand by 需求类别, 需求内容, 提出日期 and 提出人; a duty by 任务内容 and
任务来源.

Categories come from the database's lists (需求类别): a row naming one the list does
not have is refused with the list to choose from, and the import with it.

A demand whose 提出人 is a building of the organisation (5号楼, 2号楼3单元: the sample lists'
提出人/楼栋) and that names no 住址 or 楼栋 of its own is linked to that building as well.

What the steps set is exported but not read, and the preview lists those columns as
not used: a demand's 办理状态, 对接资源, 认领方 and its dates and results follow from
对接, 认领 and 办结, which pick a resource or a claimer in the window; a partner's and a
resource's counts follow from the demands. A duty's 完成情况 and 完成说明 are read (a
street office's task list says how far each task is) and set as
set_responsibility_status does, on the day of the import; its 完成日期 is not read.

A resource's provider is one column, 提供方: with 提供方类型 红色合伙人 (or no type and
a partner's name) it must be a partner in the database, with 党员 a member of that
name; any other name is kept as written."""
from __future__ import annotations

from ..fields import (
    DEMAND_DERIVED,
    DEMAND_FIELDS,
    PARTNER_DERIVED,
    PARTNER_FIELDS,
    RESOURCE_DERIVED,
    RESPONSIBILITY_FIELDS,
)
from ..models.lists import BY_MEMBER, BY_OTHER, BY_PARTNER, DEMAND_CATEGORY
from ..services import lists
from ..services.lists import _CATEGORY_SPLIT
from ..validation import Invalid
from .listing import ADDRESS_REF, BUILDING_REF, ListSpec, Lookups, Ref, check_choice
from .writer import DEMANDS, DUTY_NOT_READ, PARTNERS, RESOURCE_COLUMNS, RESOURCES, RESPONSIBILITIES, ROSTER_NAMES


def _stored(rows, keys: tuple[str, ...]) -> dict[int, dict]:
    return {r.id: {k: getattr(r, k) for k in keys} for r in rows}


def _keys(fields, skip=()) -> tuple[str, ...]:
    return tuple(f.key for f in fields if f.key not in skip)


# ---- partners ------------------------------------------------------------------------------
def _save_partner(lookups: Lookups, record_id, values: dict, _row: dict) -> int:
    return lists.save_partner(lookups.session, values, record_id)


PARTNERS_SPEC = ListSpec(
    PARTNERS, ROSTER_NAMES[PARTNERS], PARTNER_FIELDS, PARTNER_DERIVED,
    snapshot=lambda lk: _stored(lists.list_partners(lk.session), _keys(PARTNER_FIELDS, PARTNER_DERIVED)),
    identity=lambda v: [(v["name"],)] if v.get("name") else [],
    save=_save_partner,
    describe=lambda v: v.get("name") or "",
)


# ---- resources -----------------------------------------------------------------------------
def _categories(text) -> tuple[str, ...]:
    if isinstance(text, tuple):
        return text
    return tuple(dict.fromkeys(c for c in _CATEGORY_SPLIT.split(text or "") if c))


def _provider(lookups: Lookups, kind: str | None, name: str | None) -> tuple[str | None, dict, str | None]:
    """(kind, the service's provider values, or why the provider cannot be used)."""
    if not name:
        return kind, {}, None
    if kind is None:
        kind = BY_PARTNER if name in lookups.partners else BY_OTHER
    if kind == BY_PARTNER:
        if name not in lookups.partners:
            return kind, {}, (f"红色合伙人“{name}”不在系统中：请先在“红色合伙人”中添加这个单位（或先导入红色合伙人名单），"
                              "或把提供方类型改为“其他”。")
        return kind, {"partner_id": lookups.partners[name]}, None
    if kind == BY_MEMBER:
        found = lookups.members_named(name)
        if len(found) != 1:
            why = "有几位党员都叫" if found else "党员名册中没有"
            return kind, {}, f"{why}“{name}”，请核对姓名，或把提供方类型改为“其他”。"
        return kind, {"member_id": found[0]}, None
    return kind, {"provider_name": name}, None


def _check_resource(lookups: Lookups, values: dict, old: dict | None, errors: dict) -> None:
    if values.get("categories"):
        values["categories"] = _categories(values["categories"])
        current = set(old["categories"]) if old else set()  # a retired category stays on its records
        unknown = [c for c in values["categories"] if c not in lookups.choices(DEMAND_CATEGORY) and c not in current]
        if unknown and "categories" not in errors:
            errors["categories"] = (f"服务类别“{'、'.join(unknown)}”不在系统的需求类别中：请先在软件的“设置 ▸ 选项列表 ▸ 需求类别”中添加，"
                                    f"或改为以下之一：{'、'.join(lookups.choices(DEMAND_CATEGORY))}。")
    if "provider_name" in values or "provider_kind" in values:
        name = values.get("provider_name", old["provider_name"] if old else None)
        kind = values.get("provider_kind")
        if kind is None and old is not None and name == old["provider_name"]:
            kind = old["provider_kind"]  # the same provider as before: its kind stays
        kind, _ids, problem = _provider(lookups, kind, name)
        if problem:
            errors.setdefault("provider_name", problem)
        elif kind is not None:
            values["provider_kind"] = kind
    if old is None and not values.get("provider_name") and "provider_name" not in errors:
        errors["provider_name"] = "请填写提供方（红色合伙人、党员、职能部门或服务队的名称）。"


def _save_resource(lookups: Lookups, record_id, values: dict, row: dict) -> int:
    raw = {k: (list(v) if k == "categories" else v) for k, v in values.items()}
    if "provider_name" in raw or "provider_kind" in raw:
        kind, ids, _problem = _provider(lookups, row.get("provider_kind"), row.get("provider_name"))
        raw.update({"provider_kind": kind, "partner_id": None, "member_id": None, "provider_name": None, **ids})
    return lists.save_resource(lookups.session, raw, record_id)


def _resource_snapshot(lookups: Lookups) -> dict[int, dict]:
    found = _stored(lists.list_resources(lookups.session), _keys(RESOURCE_COLUMNS, RESOURCE_DERIVED))
    for values in found.values():
        values["categories"] = _categories(values["categories"])
    return found


RESOURCES_SPEC = ListSpec(
    RESOURCES, ROSTER_NAMES[RESOURCES], RESOURCE_COLUMNS, RESOURCE_DERIVED,
    snapshot=_resource_snapshot,
    identity=lambda v: [(v["title"], v.get("provider_name") or "")] if v.get("title") else [],
    save=_save_resource,
    describe=lambda v: v.get("title") or "",
    refs={"compound_id": Ref(Lookups.compound,
                             lambda lk, cid: next((n for n, i in lk.compounds.items() if i == cid), ""))},
    check=_check_resource,
    same=lambda key, a, b: set(a or ()) == set(b or ()) if key == "categories" else a == b,
    shown=lambda key, value: "、".join(value or ()) if key == "categories" else None,
)


# ---- demands -------------------------------------------------------------------------------
def _check_demand(lookups: Lookups, values: dict, old: dict | None, errors: dict) -> None:
    if old is None or values.get("category") != old["category"]:
        check_choice(lookups, DEMAND_CATEGORY, "需求类别", values.get("category"), errors, "category", "需求类别")
    raised_by = values.get("raised_by")
    if raised_by and not values.get("address") and not values.get("building_id") \
            and not {"address", "building_id"} & set(errors):
        # 提出人/楼栋 as street-office lists write it: 5号楼 or 2号楼3单元 names the building too
        try:
            values["building_id"] = lookups.building(raised_by)
        except Invalid:
            pass  # a person or a group (王阿姨, 文体队): kept as written


def _save_demand(lookups: Lookups, record_id, values: dict, _row: dict) -> int:
    return lists.save_demand(lookups.session, values, record_id, today=lookups.today)


_DEMAND_KEYS = ("category", "description", "raised_by", "building_id", "contact_phone", "urgency", "raised_on")


def _demand_snapshot(lookups: Lookups) -> dict[int, dict]:
    return {r.id: {**{k: getattr(r, k) for k in _DEMAND_KEYS}, "address": r.household_id}
            for r in lists.list_demands(lookups.session)}


def _short(text: str | None) -> str:
    text = text or ""
    return text if len(text) <= 20 else text[:20] + "…"


DEMANDS_SPEC = ListSpec(
    DEMANDS, ROSTER_NAMES[DEMANDS], DEMAND_FIELDS, DEMAND_DERIVED,
    snapshot=_demand_snapshot,
    identity=lambda v: ([(v["category"], v["description"], v["raised_on"], v.get("raised_by") or "")]
                        if v.get("category") and v.get("description") and v.get("raised_on") else []),
    save=_save_demand,
    describe=lambda v: _short(v.get("description")),
    refs={"address": ADDRESS_REF, "building_id": BUILDING_REF},
    check=_check_demand,
)


# ---- responsibilities ----------------------------------------------------------------------
_PROGRESS = ("status", "result")


def _save_responsibility(lookups: Lookups, record_id, values: dict, row: dict) -> int:
    session = lookups.session
    form = {k: v for k, v in values.items() if k not in _PROGRESS}
    if form or record_id is None:
        record_id = lists.save_responsibility(session, form, record_id)
    if any(k in values for k in _PROGRESS):
        status = row.get("status") or lists.get_responsibility(session, record_id)["status"]
        lists.set_responsibility_status(session, record_id, status, on=lookups.today, result=values.get("result"))
    return record_id


RESPONSIBILITIES_SPEC = ListSpec(
    RESPONSIBILITIES, ROSTER_NAMES[RESPONSIBILITIES], RESPONSIBILITY_FIELDS, DUTY_NOT_READ,
    snapshot=lambda lk: _stored(lists.list_responsibilities(lk.session), _keys(RESPONSIBILITY_FIELDS, DUTY_NOT_READ)),
    identity=lambda v: [(v["title"], v.get("source") or "")] if v.get("title") else [],
    save=_save_responsibility,
    describe=lambda v: v.get("title") or "",
)

PARTNERS_KIND = PARTNERS_SPEC.kind()
RESOURCES_KIND = RESOURCES_SPEC.kind()
DEMANDS_KIND = DEMANDS_SPEC.kind()
RESPONSIBILITIES_KIND = RESPONSIBILITIES_SPEC.kind()
