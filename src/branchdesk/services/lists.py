"""The three lists (需求清单 / 资源清单 / 责任清单), the partner units (红色合伙人),
the editable choice lists and the registered members (在职党员双报到).

A demand moves 待对接 (open) → 已对接 (matched: a resource is chosen) → 已认领
(claimed: a partner or a member takes it on) → 已办结 (done), or is 已关闭 (closed)
without being met. Each step checks where the demand stands and changes nothing
when refused.

As in the other services: callers run each change in one transaction, a refusal
raises ValidationFailed({field: the sentence to show}), deletes are soft (撤销
restores exactly what one delete hid), and the day is passed in (`on`, `today`)
rather than read here."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, delete, exists, func, insert, literal, select, update
from sqlalchemy.orm import Session, aliased

from ..fields import (
    CHOICE_LABEL_FIELD, DEMAND_CLOSE_FIELD, DEMAND_DERIVED, DEMAND_FEEDBACK_FIELD, DEMAND_FIELDS, DEMAND_RESULT_FIELD,
    DEMAND_STATUSES, DUTY_RESULT_FIELD, PARTNER_DERIVED, PARTNER_FIELDS, RESOURCE_DERIVED, RESOURCE_FIELDS,
    RESPONSIBILITY_DERIVED, RESPONSIBILITY_FIELDS, by_key, parse_record,
)
from ..models import (
    Building, ChoiceItem, Compound, Demand, Household, Issue, Meeting, Member, Partner, PartyOrg, Resident, Resource,
    Responsibility, ServiceLog, Unit, resource_category,
)
from ..models.lists import (
    BY_DEPARTMENT, BY_MEMBER, BY_OTHER, BY_PARTNER, BY_TEAM, DEMAND_CATEGORY, DEMAND_CLAIMED, DEMAND_CLOSED,
    DEMAND_DONE, DEMAND_MATCHED, DEMAND_OPEN, DUTY_DONE, DUTY_TODO, ISSUE_CATEGORY, ISSUE_SOURCE, MEETING_KIND,
    RESPONSE_ROUTINE, URGENCY_NORMAL, URGENCY_PRESSING, URGENCY_URGENT,
)
from ..validation import Invalid
from . import NotFound, ValidationFailed
from .org import AddressBook, Choice, address_of

STATUS_LABELS = dict(DEMAND_STATUSES)
IN_HAND = (DEMAND_MATCHED, DEMAND_CLAIMED)  # a resource matched to one of these is in use


def _fail_if(errors: dict) -> None:
    if errors:
        raise ValidationFailed(errors)


def _form(fields, derived) -> tuple:
    """The fields a form (or an import) sets: the others follow from the steps. The
    forms in the window read these (PARTNER_FORM …), so both agree."""
    return tuple(f for f in fields if f.key not in derived)


PARTNER_FORM = _form(PARTNER_FIELDS, PARTNER_DERIVED)
RESOURCE_FORM = _form(RESOURCE_FIELDS, RESOURCE_DERIVED)
DEMAND_FORM = _form(DEMAND_FIELDS, DEMAND_DERIVED)
DUTY_FORM = _form(RESPONSIBILITY_FIELDS, RESPONSIBILITY_DERIVED)
_DUTY_STATUS = by_key(RESPONSIBILITY_FIELDS)["status"]


def _live(session: Session, model, row_id: int | None):
    row = session.get(model, row_id) if row_id is not None else None
    if row is None or row.deleted_at is not None:
        raise NotFound(row_id)
    return row


def _soft_delete(session: Session, model, ids: list[int]) -> datetime:
    stamp = datetime.now()  # the undo token, not a date the user sees
    session.execute(update(model).where(model.id.in_(ids), model.deleted_at.is_(None)).values(deleted_at=stamp))
    return stamp


def _restore(session: Session, model, ids: list[int], stamp: datetime) -> None:
    session.execute(update(model).where(model.id.in_(ids), model.deleted_at == stamp).values(deleted_at=None))


# ---- the editable choice lists -----------------------------------------------------------
CHOICE_KINDS = {DEMAND_CATEGORY: "需求类别", ISSUE_CATEGORY: "问题类别", ISSUE_SOURCE: "问题来源",
                MEETING_KIND: "会议类型"}
# Records hold a choice's label, not its id: a rename follows it into them.
_CHOICE_USES = {
    DEMAND_CATEGORY: (Demand.__table__.c.category, resource_category.c.category),
    ISSUE_CATEGORY: (Issue.__table__.c.category,),
    ISSUE_SOURCE: (Issue.__table__.c.source,),
    MEETING_KIND: (Meeting.__table__.c.kind,),
}


def _kind_name(kind: str) -> str:
    if kind not in CHOICE_KINDS:
        raise ValueError(f"unknown choice list: {kind}")
    return CHOICE_KINDS[kind]


def list_choice_items(session: Session, kind: str) -> list:
    """Every entry of a list, retired ones included (for the editor), in their order."""
    _kind_name(kind)
    return session.execute(select(ChoiceItem.id, ChoiceItem.label, ChoiceItem.sort_key, ChoiceItem.active)
                           .where(ChoiceItem.kind == kind).order_by(ChoiceItem.sort_key, ChoiceItem.id)).all()


def active_labels(session: Session, kind: str) -> list[str]:
    """What a new record may choose from: retired entries are left out."""
    return [row.label for row in list_choice_items(session, kind) if row.active]


def demand_categories(session: Session) -> list[str]:
    return active_labels(session, DEMAND_CATEGORY)


def _choice_label(session: Session, kind: str, raw: object,
                  item_id: int | None = None) -> tuple[str, ChoiceItem | None]:
    """The cleaned label, and the other entry of the list that already has it."""
    try:
        label = CHOICE_LABEL_FIELD.parse(raw)
    except Invalid as exc:
        raise ValidationFailed({"label": str(exc)}) from None
    same = session.scalar(select(ChoiceItem).where(ChoiceItem.kind == kind, ChoiceItem.label == label,
                                                   ChoiceItem.id != (item_id or 0)))
    return label, same


def add_choice(session: Session, kind: str, label: str) -> int:
    """Add an entry at the end of a list. A retired entry of the same name comes back
    instead: its old records are found again under it."""
    name = _kind_name(kind)
    label, same = _choice_label(session, kind, label)
    if same is not None:
        if same.active:
            raise ValidationFailed({"label": f"{name}中已有“{label}”，请勿重复添加。"})
        same.active = True
        session.flush()
        return same.id
    last = session.scalar(select(func.max(ChoiceItem.sort_key)).where(ChoiceItem.kind == kind)) or 0
    item = ChoiceItem(kind=kind, label=label, sort_key=last + 1, active=True)
    session.add(item)
    session.flush()
    return item.id


def _choice(session: Session, item_id: int) -> ChoiceItem:
    item = session.get(ChoiceItem, item_id)
    if item is None:
        raise NotFound(item_id)
    return item


def rename_choice(session: Session, item_id: int, label: str) -> None:
    """Rename an entry, and the records that carry it (a typo fixed once)."""
    item = _choice(session, item_id)
    name = _kind_name(item.kind)
    label, same = _choice_label(session, item.kind, label, item_id)
    if same is not None:
        retired = "" if same.active else "已停用的"
        raise ValidationFailed({"label": f"{name}中已有{retired}“{label}”，请换一个名称。"})
    if label == item.label:
        return
    old, item.label = item.label, label
    session.flush()
    for column in _CHOICE_USES[item.kind]:
        session.execute(update(column.table).where(column == old).values({column.name: label}))
    session.expire_all()  # the records just renamed in SQL


def retire_choice(session: Session, item_id: int) -> None:
    """Hide an entry from new records; the records that have it keep it."""
    item = _choice(session, item_id)
    name = _kind_name(item.kind)
    if not item.active:
        return
    others = session.scalar(select(func.count()).where(ChoiceItem.kind == item.kind, ChoiceItem.active,
                                                       ChoiceItem.id != item.id))
    if not others:
        raise ValidationFailed({"label": f"“{item.label}”是唯一可选的{name}，请先添加新的{name}再停用它。"})
    item.active = False
    session.flush()


def reinstate_choice(session: Session, item_id: int) -> None:
    """Offer a retired entry again (and undo a retire)."""
    _choice(session, item_id).active = True
    session.flush()


# ---- partners (红色合伙人) -----------------------------------------------------------------
def list_partners(session: Session) -> list:
    """Every partner with its resources and the demands it claimed and completed; one query."""
    claims = (select(Demand.claimed_partner_id.label("partner_id"), func.count().label("claims"),
                     func.count().filter(Demand.status == DEMAND_DONE).label("completed"))
              .where(Demand.deleted_at.is_(None), Demand.claimed_partner_id.is_not(None))
              .group_by(Demand.claimed_partner_id).subquery())
    offered = (select(Resource.partner_id.label("partner_id"), func.count().label("resources"))
               .where(Resource.deleted_at.is_(None), Resource.partner_id.is_not(None))
               .group_by(Resource.partner_id).subquery())
    stmt = (select(Partner.id, Partner.name, Partner.kind, Partner.contact_name, Partner.contact_phone,
                   Partner.offers, Partner.response_level, Partner.agreement_on, Partner.note,
                   func.coalesce(offered.c.resources, 0).label("resources"),
                   func.coalesce(claims.c.claims, 0).label("claims"),
                   func.coalesce(claims.c.completed, 0).label("completed"))
            .outerjoin(claims, claims.c.partner_id == Partner.id)
            .outerjoin(offered, offered.c.partner_id == Partner.id)
            .where(Partner.deleted_at.is_(None)).order_by(Partner.name))
    return session.execute(stmt).all()


def partner_choices(session: Session) -> list[Choice]:
    rows = session.execute(select(Partner.id, Partner.name).where(Partner.deleted_at.is_(None))
                           .order_by(Partner.name)).all()
    return [Choice(r[0], r[1]) for r in rows]


def get_partner(session: Session, partner_id: int) -> dict:
    partner = _live(session, Partner, partner_id)
    return {f.key: getattr(partner, f.key) for f in PARTNER_FORM}


def save_partner(session: Session, raw: dict, partner_id: int | None = None) -> int:
    """Add a partner (partner_id None) or change one; raw holds PARTNER_FIELDS' text."""
    partner = _live(session, Partner, partner_id) if partner_id is not None else None
    raw = dict(raw)
    if partner is None:
        raw.setdefault("response_level", RESPONSE_ROUTINE)
    values, errors = parse_record(PARTNER_FORM, raw, new=partner is None)
    if values.get("name"):
        same = session.scalar(select(Partner).where(Partner.name == values["name"], Partner.id != (partner_id or 0)))
        if same is not None and same.deleted_at is None:
            errors["name"] = f"红色合伙人“{values['name']}”已经登记过，请直接修改原记录。"
        elif same is not None and partner is not None:
            errors["name"] = f"已删除的红色合伙人中有“{values['name']}”，请换一个名称。"
        elif same is not None:
            partner = same  # a unit deleted earlier signs again: its record and history come back
    _fail_if(errors)
    if partner is None:
        partner = Partner()
        session.add(partner)
    partner.deleted_at = None
    for key, value in values.items():
        setattr(partner, key, value)
    session.flush()
    return partner.id


def delete_partners(session: Session, partner_ids: list[int]) -> datetime:
    """Hide partners and the resources they offer; returns the stamp that undo needs."""
    stamp = _soft_delete(session, Partner, partner_ids)
    session.execute(update(Resource).where(Resource.partner_id.in_(partner_ids), Resource.deleted_at.is_(None))
                    .values(deleted_at=stamp))
    return stamp


def restore_partners(session: Session, partner_ids: list[int], stamp: datetime) -> None:
    _restore(session, Partner, partner_ids, stamp)
    session.execute(update(Resource).where(Resource.partner_id.in_(partner_ids), Resource.deleted_at == stamp)
                    .values(deleted_at=None))


# ---- resources (资源清单) ---------------------------------------------------------------------
_CATEGORY_SPLIT = re.compile(r"[、,，;；/\s]+")


def _in_use(*, besides: int | None = None):
    """How many demands in hand (matched or claimed) use the resource of the row."""
    where = [Demand.resource_id == Resource.id, Demand.deleted_at.is_(None), Demand.status.in_(IN_HAND)]
    if besides is not None:
        where.append(Demand.id != besides)
    return select(func.count()).where(*where).correlate(Resource).scalar_subquery()


def _resource_select(in_use=None):
    provider = aliased(Resident)
    categories = (select(func.group_concat(resource_category.c.category, "、"))
                  .where(resource_category.c.resource_id == Resource.id).correlate(Resource).scalar_subquery())
    return (select(Resource.id, Resource.title, categories.label("categories"), Resource.provider_kind,
                   Resource.partner_id, Resource.member_id,
                   func.coalesce(Partner.name, provider.name, Resource.provider_name).label("provider_name"),
                   Resource.compound_id, Compound.name.label("compound"), Resource.capacity, Resource.period,
                   func.coalesce(Resource.contact_name, Partner.contact_name, provider.name).label("contact_name"),
                   func.coalesce(Resource.contact_phone, Partner.contact_phone, provider.phone).label("contact_phone"),
                   Resource.note, (in_use if in_use is not None else _in_use()).label("in_use"))
            .outerjoin(Partner, Resource.partner_id == Partner.id)
            .outerjoin(Member, Resource.member_id == Member.id)
            .outerjoin(provider, Member.resident_id == provider.id)
            .outerjoin(Compound, Resource.compound_id == Compound.id)
            .where(Resource.deleted_at.is_(None)))


def list_resources(session: Session) -> list:
    """Every resource with its provider, categories and the demands in hand using it; one
    query. A partner's or a member's contact stands in where the resource has none."""
    return session.execute(_resource_select().order_by(Resource.id)).all()


def get_resource(session: Session, resource_id: int) -> dict:
    resource = _live(session, Resource, resource_id)
    values = {f.key: getattr(resource, f.key) for f in RESOURCE_FORM if f.key != "categories"}
    values["categories"] = _categories_of(session, resource_id)
    return values


def _categories_of(session: Session, resource_id: int) -> list[str]:
    return list(session.scalars(select(resource_category.c.category)
                                .where(resource_category.c.resource_id == resource_id)))


def _provider_kind(session: Session, raw: dict) -> str:
    """The provider's kind where the form or the file does not say: a partner or a member
    picked, or a typed name that is a partner's (资源提供方 in a street-office list)."""
    if raw.get("partner_id"):
        return BY_PARTNER
    if raw.get("member_id"):
        return BY_MEMBER
    name = str(raw.get("provider_name") or "").strip()
    if name:
        partner_id = session.scalar(select(Partner.id).where(Partner.name == name, Partner.deleted_at.is_(None)))
        if partner_id is not None:
            raw["partner_id"] = partner_id
            return BY_PARTNER
        return BY_OTHER
    return BY_PARTNER


def save_resource(session: Session, raw: dict, resource_id: int | None = None) -> int:
    """Add or change a resource. raw holds RESOURCE_FIELDS' text; categories may be a
    list of demand categories or one string (健康保健、助老助残). The provider is a
    partner (partner_id), a member (member_id) or a department or team (provider_name)."""
    resource = _live(session, Resource, resource_id) if resource_id is not None else None
    raw = {k: v for k, v in raw.items() if k not in RESOURCE_DERIVED}
    if isinstance(raw.get("categories"), (list, tuple, set)):
        raw["categories"] = "、".join(raw["categories"])
    provider_keys = ("provider_kind", "partner_id", "member_id", "provider_name")
    if not raw.get("provider_kind") and (resource is None or any(k in raw for k in provider_keys)):
        raw["provider_kind"] = _provider_kind(session, raw)
    values, errors = parse_record(RESOURCE_FORM, raw, new=resource is None)

    current = set(_categories_of(session, resource.id)) if resource is not None else set()
    categories = None
    if values.get("categories"):
        categories = list(dict.fromkeys(c for c in _CATEGORY_SPLIT.split(values["categories"]) if c))
        known = set(demand_categories(session)) | current  # a retired category stays on its old records
        unknown = [c for c in categories if c not in known]
        if unknown:
            errors["categories"] = (f"服务类别“{'、'.join(unknown)}”不在需求类别中，"
                                    "请从列表中选择，或先在需求类别中添加。")

    def given(key):
        return values[key] if key in values else (getattr(resource, key) if resource is not None else None)

    kind, partner_id, member_id, provider_name = (given(k) for k in provider_keys)
    if kind == BY_PARTNER:
        partner = session.get(Partner, partner_id) if partner_id else None
        if partner is None or partner.deleted_at is not None:
            errors["partner_id"] = "请选择提供资源的红色合伙人。"
        member_id = provider_name = None
    elif kind == BY_MEMBER:
        member = session.get(Member, member_id) if member_id else None
        if member is None or member.deleted_at is not None:
            errors["member_id"] = "请选择提供资源的党员。"
        partner_id = provider_name = None
    elif kind in (BY_DEPARTMENT, BY_TEAM, BY_OTHER):
        if not provider_name:
            errors["provider_name"] = "请填写提供资源的部门或服务队名称。"
        partner_id = member_id = None
    if values.get("compound_id") and session.get(Compound, values["compound_id"]) is None:
        errors["compound_id"] = "所选小区已不存在，请重新选择。"
    _fail_if(errors)

    if resource is None:
        resource = Resource()
        session.add(resource)
    for key in ("title", "compound_id", "capacity", "period", "contact_name", "contact_phone", "note"):
        if key in values:
            setattr(resource, key, values[key])
    resource.provider_kind, resource.partner_id = kind, partner_id
    resource.member_id, resource.provider_name = member_id, provider_name
    session.flush()
    if categories is not None:
        session.execute(delete(resource_category).where(resource_category.c.resource_id == resource.id))
        session.execute(insert(resource_category), [{"resource_id": resource.id, "category": c} for c in categories])
    return resource.id


def delete_resources(session: Session, resource_ids: list[int]) -> datetime:
    return _soft_delete(session, Resource, resource_ids)


def restore_resources(session: Session, resource_ids: list[int], stamp: datetime) -> None:
    _restore(session, Resource, resource_ids, stamp)


def idle_resources(session: Session) -> list:
    """Resources no demand in hand (matched or claimed) uses: what to offer next."""
    in_hand = exists().where(Demand.resource_id == Resource.id, Demand.deleted_at.is_(None),
                             Demand.status.in_(IN_HAND))
    return session.execute(_resource_select().where(~in_hand).order_by(Resource.id)).all()


# ---- demands (需求清单) -----------------------------------------------------------------------
_URGENCY_RANK = case({URGENCY_URGENT: 0, URGENCY_PRESSING: 1}, value=Demand.urgency, else_=2)


def _demand_select():
    claimer = aliased(Partner)
    claim_member = aliased(Member)
    claim_resident = aliased(Resident)
    return (select(Demand.id, Demand.category, Demand.description, Demand.raised_by, Demand.household_id,
                   (Building.name + Unit.name + Household.room).label("address"), Demand.building_id,
                   Building.name.label("building"), Building.compound_id, Compound.name.label("compound"),
                   Demand.contact_phone, Demand.urgency, Demand.status, Demand.raised_on, Demand.resource_id,
                   Resource.title.label("resource"), Demand.claimed_by_kind, Demand.claimed_partner_id,
                   Demand.claimed_member_id, func.coalesce(claimer.name, claim_resident.name).label("claimed_by"),
                   Demand.claimed_on, Demand.done_on, Demand.result, Demand.feedback)
            .outerjoin(Household, Demand.household_id == Household.id)
            .outerjoin(Unit, Household.unit_id == Unit.id)
            .outerjoin(Building, Demand.building_id == Building.id)
            .outerjoin(Compound, Building.compound_id == Compound.id)
            .outerjoin(Resource, Demand.resource_id == Resource.id)
            .outerjoin(claimer, Demand.claimed_partner_id == claimer.id)
            .outerjoin(claim_member, Demand.claimed_member_id == claim_member.id)
            .outerjoin(claim_resident, claim_member.resident_id == claim_resident.id)
            .where(Demand.deleted_at.is_(None)))


def list_demands(session: Session) -> list:
    """Every demand with its place, resource and claimer, newest first; one query."""
    return session.execute(_demand_select().order_by(Demand.raised_on.desc(), Demand.id.desc())).all()


def unmatched_demands(session: Session) -> list:
    """Demands still waiting for a resource or a claimer (待对接), most urgent and oldest first."""
    stmt = _demand_select().where(Demand.status == DEMAND_OPEN).order_by(_URGENCY_RANK, Demand.raised_on, Demand.id)
    return session.execute(stmt).all()


def get_demand(session: Session, demand_id: int) -> dict:
    demand = _live(session, Demand, demand_id)
    values = {f.key: getattr(demand, f.key) for f in DEMAND_FORM if f.key != "address"}
    values["address"] = address_of(session, demand.household_id)
    values.update(status=demand.status, resource_id=demand.resource_id, claimed_on=demand.claimed_on,
                  done_on=demand.done_on, result=demand.result, feedback=demand.feedback)
    return values


def save_demand(session: Session, raw: dict, demand_id: int | None = None, *, today: date) -> int:
    """Add or change a demand; raw holds DEMAND_FIELDS' text. Who raised it is a household
    (address), a building, or a person or group typed (raised_by): at least one of them.
    The status and what follows it are left to the steps below."""
    demand = _live(session, Demand, demand_id) if demand_id is not None else None
    raw = {k: v for k, v in raw.items() if k not in DEMAND_DERIVED}
    if demand is None:
        raw.setdefault("raised_on", today)
        raw.setdefault("urgency", URGENCY_NORMAL)
    values, errors = parse_record(DEMAND_FORM, raw, new=demand is None)

    category = values.get("category")
    if category and (demand is None or category != demand.category) and category not in demand_categories(session):
        errors["category"] = f"需求类别“{category}”不在列表中，请从列表中选择，或先在需求类别中添加。"
    raised = values.get("raised_on")
    if raised and raised > today:
        errors["raised_on"] = "提出日期不能晚于今天。"
    elif raised and demand is not None and demand.claimed_on and raised > demand.claimed_on:
        errors["raised_on"] = f"提出日期不能晚于认领日期（{demand.claimed_on:%Y-%m-%d}）。"

    household_id = demand.household_id if demand is not None else None
    building_id = demand.building_id if demand is not None else None
    if "address" in values:
        household_id = None
        if values["address"]:
            try:
                household_id = AddressBook(session).resolve(values["address"])
            except Invalid as exc:
                errors["address"] = str(exc)
    if "building_id" in values:
        building_id = values["building_id"]
    if household_id is not None:
        household_building = session.scalar(select(Unit.building_id).join(Household, Household.unit_id == Unit.id)
                                            .where(Household.id == household_id))
        if values.get("building_id") and values["building_id"] != household_building:
            errors["building_id"] = "所选楼栋与住址不一致，请核对。"
        building_id = household_building
    elif building_id is not None and session.get(Building, building_id) is None:
        errors["building_id"] = "所选楼栋已不存在，请重新选择。"
    raised_by = values.get("raised_by", demand.raised_by if demand else None)
    if household_id is None and building_id is None and not raised_by and not {"address", "building_id"} & set(errors):
        errors["raised_by"] = "请填写提出人，或选择提出需求的住址、楼栋。"
    _fail_if(errors)

    if demand is None:
        demand = Demand(status=DEMAND_OPEN)
        session.add(demand)
    for key in ("category", "description", "raised_by", "contact_phone", "urgency", "raised_on"):
        if key in values:
            setattr(demand, key, values[key])
    demand.household_id, demand.building_id = household_id, building_id
    session.flush()
    return demand.id


def delete_demands(session: Session, demand_ids: list[int]) -> datetime:
    return _soft_delete(session, Demand, demand_ids)


def restore_demands(session: Session, demand_ids: list[int], stamp: datetime) -> None:
    _restore(session, Demand, demand_ids, stamp)


def _compound_of(session: Session, demand: Demand) -> int | None:
    if demand.building_id is None:
        return None
    return session.scalar(select(Building.compound_id).where(Building.id == demand.building_id))


def _brief(demand: Demand) -> str:
    text = demand.description
    return text if len(text) <= 20 else text[:20] + "…"


def _refuse_if_finished(demand: Demand, doing: str) -> None:
    if demand.status in (DEMAND_DONE, DEMAND_CLOSED):
        raise ValidationFailed({"status": f"需求“{_brief(demand)}”{STATUS_LABELS[demand.status]}，不能再{doing}。"})


def suggest_resources(session: Session, demand_id: int) -> list:
    """Resources serving the demand's category, for its compound or for all compounds:
    those no other demand in hand uses first, then those of the compound itself.
    A demand whose place is not known (raised by a group) is offered every compound's."""
    demand = _live(session, Demand, demand_id)
    serving = select(resource_category.c.resource_id).where(resource_category.c.category == demand.category)
    in_use = _in_use(besides=demand.id)
    stmt = _resource_select(in_use).where(Resource.id.in_(serving))
    compound_id = _compound_of(session, demand)
    if compound_id is not None:
        stmt = stmt.where((Resource.compound_id.is_(None)) | (Resource.compound_id == compound_id))
    return session.execute(stmt.order_by(in_use, Resource.compound_id.is_(None), Resource.id)).all()


def match_demand(session: Session, demand_id: int, resource_id: int, *, on: date) -> None:
    """对接: choose the resource that is to meet the demand (again, to choose another)."""
    demand = _live(session, Demand, demand_id)
    _refuse_if_finished(demand, "对接资源")
    if demand.status == DEMAND_CLAIMED:
        raise ValidationFailed({"status": f"需求“{_brief(demand)}”已被认领，不能再更换对接的资源。"})
    resource = session.get(Resource, resource_id)
    if resource is None or resource.deleted_at is not None:
        raise ValidationFailed({"resource_id": "所选资源已被删除，请重新选择。"})
    compound_id = _compound_of(session, demand)
    if resource.compound_id is not None and compound_id is not None and resource.compound_id != compound_id:
        only = session.get(Compound, resource.compound_id).name
        raise ValidationFailed({"resource_id": f"资源“{resource.title}”只服务{only}，与需求所在小区不符，请另选资源。"})
    if on < demand.raised_on:
        raise ValidationFailed({"on": f"对接日期不能早于需求提出日期（{demand.raised_on:%Y-%m-%d}）。"})
    demand.resource_id, demand.status = resource.id, DEMAND_MATCHED
    session.flush()


def claim_demand(session: Session, demand_id: int, *, partner_id: int | None = None, member_id: int | None = None,
                 on: date) -> None:
    """认领: a partner or a member (exactly one) takes the demand on. A member's claim is
    logged as a service for their record (在职党员双报到)."""
    demand = _live(session, Demand, demand_id)
    if (partner_id is None) == (member_id is None):
        raise ValidationFailed({"claimed_by": "请选择认领的红色合伙人或党员，二者选其一。"})
    _refuse_if_finished(demand, "认领")
    if demand.status == DEMAND_CLAIMED:
        claimer = next(r.claimed_by for r in session.execute(_demand_select().where(Demand.id == demand.id)))
        raise ValidationFailed({"status": f"需求“{_brief(demand)}”已由“{claimer}”认领，不能重复认领。"})
    if partner_id is not None:
        partner = session.get(Partner, partner_id)
        if partner is None or partner.deleted_at is not None:
            raise ValidationFailed({"claimed_by": "所选红色合伙人已被删除，请重新选择。"})
    else:
        member = session.get(Member, member_id)
        if member is None or member.deleted_at is not None:
            raise ValidationFailed({"claimed_by": "所选党员已不在党员名册中，请重新选择。"})
    if on < demand.raised_on:
        raise ValidationFailed({"claimed_on": f"认领日期不能早于需求提出日期（{demand.raised_on:%Y-%m-%d}）。"})
    demand.claimed_by_kind = BY_PARTNER if partner_id is not None else BY_MEMBER
    demand.claimed_partner_id, demand.claimed_member_id = partner_id, member_id
    demand.claimed_on, demand.status = on, DEMAND_CLAIMED
    if member_id is not None:
        session.add(ServiceLog(member_id=member_id, demand_id=demand.id, served_on=on,
                               description=f"认领需求（{demand.category}）：{demand.description}"))
    session.flush()


def complete_demand(session: Session, demand_id: int, *, result: str, feedback: str | None = None,
                    on: date) -> None:
    """办结: the demand is met, with what was done and the residents' word on it."""
    demand = _live(session, Demand, demand_id)
    _refuse_if_finished(demand, "办结")
    if demand.status == DEMAND_OPEN:
        raise ValidationFailed({"status": f"需求“{_brief(demand)}”还没有对接资源或认领，请先对接或认领后再办结。"})
    values, errors = parse_record((DEMAND_RESULT_FIELD, DEMAND_FEEDBACK_FIELD),
                                  {"result": result, "feedback": feedback}, new=True)
    start, what = (demand.claimed_on, "认领") if demand.claimed_on else (demand.raised_on, "提出")
    if on < start:
        errors["done_on"] = f"办结日期不能早于{what}日期（{start:%Y-%m-%d}）。"
    _fail_if(errors)
    demand.status, demand.done_on = DEMAND_DONE, on
    demand.result, demand.feedback = values["result"], values["feedback"]
    session.flush()


def close_demand(session: Session, demand_id: int, *, reason: str, on: date) -> None:
    """关闭: the demand leaves the list without being met. The reason is kept as its
    result, and done_on is the day it was closed."""
    demand = _live(session, Demand, demand_id)
    _refuse_if_finished(demand, "关闭")
    values, errors = parse_record((DEMAND_CLOSE_FIELD,), {"reason": reason}, new=True)
    if on < demand.raised_on:
        errors["done_on"] = f"关闭日期不能早于需求提出日期（{demand.raised_on:%Y-%m-%d}）。"
    _fail_if(errors)
    demand.status, demand.done_on, demand.result = DEMAND_CLOSED, on, values["reason"]
    session.flush()


def save_demands(session: Session, raws: list[dict], *, today: date) -> list[int]:
    """Add several demands, each as save_demand adds one, but with the households of
    their addresses looked up in one AddressBook rather than one per demand (the demo's
    year of demands). The first refusal raises; the caller's transaction undoes the rest."""
    book = AddressBook(session)
    households: dict[int, int] = {}  # position in raws → household
    for n, raw in enumerate(raws):
        if raw.get("address") and not raw.get("building_id"):
            try:
                households[n] = book.resolve(raw["address"])
            except Invalid as exc:
                raise ValidationFailed({"address": str(exc)}) from None
    building_of = dict(session.execute(select(Household.id, Unit.building_id).join(Unit, Household.unit_id == Unit.id)
                                       .where(Household.id.in_(households.values()))).all())
    ids = [save_demand(session, {**raw, "address": None, "building_id": building_of[households[n]]}
                       if n in households else raw, today=today) for n, raw in enumerate(raws)]
    if households:
        session.execute(update(Demand), [{"id": ids[n], "household_id": h} for n, h in households.items()])
    return ids


# ---- responsibilities (责任清单) ----------------------------------------------------------------
def _duty_select(today: date | None = None):
    overdue = (func.coalesce((Responsibility.status != DUTY_DONE) & (Responsibility.deadline < today), False)
               if today else literal(False))
    return (select(Responsibility.id, Responsibility.title, Responsibility.owner_unit, Responsibility.owner_name,
                   Responsibility.deadline, Responsibility.source, Responsibility.status, Responsibility.result,
                   Responsibility.done_on, overdue.label("overdue"))
            .where(Responsibility.deleted_at.is_(None)))


def list_responsibilities(session: Session, today: date | None = None) -> list:
    """Unfinished duties first, by deadline (those without one last); one query. With
    today, each row says whether it is overdue."""
    stmt = _duty_select(today).order_by(Responsibility.status == DUTY_DONE, Responsibility.deadline.is_(None),
                                   Responsibility.deadline, Responsibility.id)
    return session.execute(stmt).all()


def responsibility_sources(session: Session) -> list[str]:
    """The sources the duties name (街道党工委, 社区党委 …), for the list's filter."""
    stmt = (select(Responsibility.source).distinct()
            .where(Responsibility.deleted_at.is_(None), Responsibility.source.is_not(None))
            .order_by(Responsibility.source))
    return list(session.scalars(stmt))


def overdue_responsibilities(session: Session, *, today: date) -> list:
    """Duties past their deadline and not done, the longest overdue first."""
    stmt = _duty_select().where(Responsibility.status != DUTY_DONE, Responsibility.deadline < today)
    return session.execute(stmt.order_by(Responsibility.deadline, Responsibility.id)).all()


def get_responsibility(session: Session, responsibility_id: int) -> dict:
    duty = _live(session, Responsibility, responsibility_id)
    return {f.key: getattr(duty, f.key) for f in RESPONSIBILITY_FIELDS}


def save_responsibility(session: Session, raw: dict, responsibility_id: int | None = None) -> int:
    """Add or change a duty; raw holds RESPONSIBILITY_FIELDS' text. It needs an owner: a
    unit (责任主体) or a person (责任人). Its progress is set_responsibility_status's."""
    duty = _live(session, Responsibility, responsibility_id) if responsibility_id is not None else None
    raw = {k: v for k, v in raw.items() if k not in RESPONSIBILITY_DERIVED}
    values, errors = parse_record(DUTY_FORM, raw, new=duty is None)

    def given(key):
        return values[key] if key in values else (getattr(duty, key) if duty is not None else None)

    if not given("owner_unit") and not given("owner_name") and not {"owner_unit", "owner_name"} & set(errors):
        errors["owner_unit"] = "请填写责任主体或责任人。"
    _fail_if(errors)
    if duty is None:
        duty = Responsibility(status=DUTY_TODO)
        session.add(duty)
    for key, value in values.items():
        setattr(duty, key, value)
    session.flush()
    return duty.id


def set_responsibility_status(session: Session, responsibility_id: int, status: str, *, on: date,
                              result: str | None = None) -> None:
    """未开始 / 进行中 / 已完成 (code or label). Done records the day it was done (kept
    when it was done already); any other status clears it."""
    duty = _live(session, Responsibility, responsibility_id)
    errors: dict = {}
    code = None
    try:
        code = _DUTY_STATUS.parse(status)
        if code is None:
            errors["status"] = f"请选择{_DUTY_STATUS.label}。"
    except Invalid as exc:
        errors["status"] = str(exc)
    values, more = parse_record((DUTY_RESULT_FIELD,), {"result": result}, new=False) if result is not None else ({}, {})
    errors.update(more)
    _fail_if(errors)
    if code == DUTY_DONE:
        duty.done_on = duty.done_on if duty.status == DUTY_DONE and duty.done_on else on
    else:
        duty.done_on = None
    duty.status = code
    if "result" in values:
        duty.result = values["result"]
    session.flush()


def delete_responsibilities(session: Session, responsibility_ids: list[int]) -> datetime:
    return _soft_delete(session, Responsibility, responsibility_ids)


def restore_responsibilities(session: Session, responsibility_ids: list[int], stamp: datetime) -> None:
    _restore(session, Responsibility, responsibility_ids, stamp)


# ---- registered members (在职党员双报到) ------------------------------------------------------------
def register_member(session: Session, member_id: int, *, on: date) -> None:
    """The member reported to the community on `on` (a second call corrects the day)."""
    member = _live(session, Member, member_id)
    member.is_registered, member.registered_on = True, on
    session.flush()


def unregister_member(session: Session, member_id: int) -> None:
    member = _live(session, Member, member_id)
    member.is_registered, member.registered_on = False, None
    session.flush()


def unregister_members(session: Session, member_ids: list[int]) -> dict[int, date | None]:
    """Take several members off the 双报到 list; returns what undo needs (their dates)."""
    members = session.scalars(select(Member).where(Member.id.in_(member_ids), Member.is_registered)).all()
    undo = {m.id: m.registered_on for m in members}
    for m in members:
        m.is_registered, m.registered_on = False, None
    session.flush()
    return undo


def restore_registrations(session: Session, member_ids: list[int], undo: dict[int, date | None]) -> None:
    """Undo unregister_members: the members report again on the days they had."""
    for member in session.scalars(select(Member).where(Member.id.in_(member_ids))):
        if member.id in undo and member.deleted_at is None:
            member.is_registered, member.registered_on = True, undo[member.id]
    session.flush()


def member_services(session: Session, member_id: int) -> list:
    """What a registered member has done (认领的需求 and other services), newest first."""
    stmt = (select(ServiceLog.served_on, ServiceLog.description).where(ServiceLog.member_id == member_id)
            .order_by(ServiceLog.served_on.desc(), ServiceLog.id.desc()))
    return session.execute(stmt).all()


def list_registered_members(session: Session) -> list:
    """Registered members with their employer and the services they took (ServiceLog);
    one query."""
    served = (select(ServiceLog.member_id.label("member_id"), func.count().label("services"),
                     func.max(ServiceLog.served_on).label("last_served_on"))
              .where(ServiceLog.member_id.is_not(None)).group_by(ServiceLog.member_id).subquery())
    stmt = (select(Member.id, Resident.name, Resident.name_pinyin, Resident.name_initials, Resident.phone,
                   Resident.employer, PartyOrg.name.label("party_org"),
                   (Building.name + Unit.name + Household.room).label("address"), Member.registered_on,
                   func.coalesce(served.c.services, 0).label("services"), served.c.last_served_on)
            .join(Resident, Member.resident_id == Resident.id)
            .outerjoin(PartyOrg, Member.party_org_id == PartyOrg.id)
            .outerjoin(Household, Resident.household_id == Household.id)
            .outerjoin(Unit, Household.unit_id == Unit.id)
            .outerjoin(Building, Unit.building_id == Building.id)
            .outerjoin(served, served.c.member_id == Member.id)
            .where(Member.deleted_at.is_(None), Member.is_registered)
            .order_by(Resident.name_pinyin, Member.id))
    return session.execute(stmt).all()


# ---- what the street office asks of the lists ---------------------------------------------------
@dataclass(frozen=True)
class ListCounts:
    """Demands raised in a period and where they stand; resources and duties as they are today."""

    demands: int
    answered: int  # matched, claimed or done
    claimed: int  # taken on by a partner or a member (and perhaps done since)
    done: int
    open: int  # still 待对接
    closed: int
    resources: int
    idle_resources: int
    duties: int
    duties_done: int
    duties_overdue: int


def list_counts(session: Session, *, start: date, end: date, today: date) -> ListCounts:
    """The demands raised from start to end (both included), and today's resources and
    duties; a few SQL counts."""
    def count(*where):
        return func.count().filter(*where)

    window = (Demand.deleted_at.is_(None), Demand.raised_on >= start, Demand.raised_on <= end)
    d = session.execute(select(
        count(*window), count(*window, Demand.status.in_((DEMAND_MATCHED, DEMAND_CLAIMED, DEMAND_DONE))),
        count(*window, Demand.claimed_on.is_not(None)), count(*window, Demand.status == DEMAND_DONE),
        count(*window, Demand.status == DEMAND_OPEN), count(*window, Demand.status == DEMAND_CLOSED),
    ).select_from(Demand)).one()
    resources = session.scalar(select(func.count()).select_from(Resource).where(Resource.deleted_at.is_(None)))
    idle = len(idle_resources(session))
    live = Responsibility.deleted_at.is_(None)
    t = session.execute(select(
        count(live), count(live, Responsibility.status == DUTY_DONE),
        count(live, Responsibility.status != DUTY_DONE, Responsibility.deadline < today),
    ).select_from(Responsibility)).one()
    return ListCounts(*d, resources, idle, *t)
