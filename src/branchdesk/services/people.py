"""Members (党员), center households (党员中心户) and building leaders (楼栋长):
listing, saving, deleting and restoring.

Callers run each function inside one transaction (Store.transaction()), so a
failed validation or any error leaves the database as it was. Deletes are
soft: 撤销 (undo) restores exactly what one delete hid.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session, aliased

from ..fields import CENTER_HOUSEHOLD_FIELDS, LEADER_FIELDS, MEMBER_FIELDS, check_against_id, parse_record
from ..models import (
    Building, BuildingLeader, CenterHousehold, Compound, Household, Member, PartyOrg, Resident, Unit,
    center_household_link,
)
from ..validation import Invalid, id_birth_date, id_gender, mask_id_number
from . import NotFound, ValidationFailed
from .org import address_of, resolve_household
from .pinyin import name_pinyin

_ADDRESS = (Building.name + Unit.name + Household.room).label("address")
_SHORT = (Building.code + "-" + Unit.code + "-" + Household.room).label("short_address")

RESIDENT_KEYS = ("name", "gender", "ethnicity", "birth_date", "id_number", "phone", "education", "employer")


def _with_household(stmt):
    return (stmt.outerjoin(Household, Resident.household_id == Household.id)
            .outerjoin(Unit, Household.unit_id == Unit.id)
            .outerjoin(Building, Unit.building_id == Building.id))


def _set_resident(resident: Resident, values: dict) -> None:
    for key in RESIDENT_KEYS:
        if key in values:
            setattr(resident, key, values[key])
    resident.name_pinyin, resident.name_initials = name_pinyin(resident.name)


def _fail_if(errors: dict) -> None:
    if errors:
        raise ValidationFailed(errors)


def _resident_by_id_number(session: Session, id_number: str | None) -> Resident | None:
    if not id_number:
        return None
    return session.scalar(select(Resident).where(Resident.id_number == id_number))


# ---- known people: who a new record is, and what it may change of them ----------------
def _given(value) -> bool:
    """Whether a value was entered: an empty field, an unticked box or an empty cell of a
    NEW record says nothing about what is stored of a known person, so it keeps that."""
    return value not in (None, "", False)


def _same_name_and_phone(session: Session, name: str | None, phone: str | None, *,
                         members: bool = True) -> Resident | None:
    """The known person with this name and phone: the rosters' rule for the same person
    where no ID number says otherwise. members=False leaves out active members (a second
    member of the same name and phone is not the same record). Where earlier saves stored
    one person twice, an active member first, then the earliest."""
    if not name or not phone:
        return None
    active = Member.id.is_not(None) & Member.deleted_at.is_(None)
    stmt = (select(Resident).outerjoin(Member, Member.resident_id == Resident.id)
            .where(Resident.name == name, Resident.phone == phone))
    if not members:
        stmt = stmt.where(~active)
    return session.scalars(stmt.order_by(active.desc(), Resident.id)).first()


def _id_number_conflict(person: Resident, id_number: str | None, who: str) -> str | None:
    """The sentence refusing an ID number typed for a known person who has another one."""
    if id_number and person.id_number and person.id_number != id_number:
        return f"{who}身份证号是 {mask_id_number(person.id_number)}，与填写的不一致，请核对。"
    return None


def _id_facts(person: Resident | None, id_number: str) -> dict:
    """What a person's record becomes with this ID number (person None: a new person): the
    birth date and gender follow it where they were empty or came from the old number; where
    they were entered otherwise (the member form) they must agree with it. Raises
    ValidationFailed on id_number."""
    facts = {"id_number": id_number}
    errors: dict = {}
    if person is None:
        check_against_id(facts, errors)
        return facts
    old = person.id_number
    try:
        from_old = {"birth_date": id_birth_date(old), "gender": id_gender(old)} if old else {}
    except (ValueError, Invalid, IndexError):  # a stored number read from an old roster
        from_old = {}
    for key in ("birth_date", "gender"):
        stored = getattr(person, key)
        if stored is not None and stored != from_old.get(key):
            facts[key] = stored
    check_against_id(facts, errors)
    if "id_number" in errors:
        raise ValidationFailed({"id_number": errors["id_number"]})
    if "birth_date" in errors:
        raise ValidationFailed({"id_number": f"身份证号中的出生日期与“{person.name}”已登记的出生日期"
                                             f"（{facts['birth_date']:%Y-%m-%d}）不一致，请核对。"})
    if "gender" in errors:
        raise ValidationFailed({"id_number": f"身份证号中的性别与“{person.name}”已登记的性别不一致，请核对。"})
    return facts


# ---- members -------------------------------------------------------------------
def list_members(session: Session) -> list:
    """Every member on the roster, with what the list shows and searches; one query."""
    stmt = _with_household(
        select(Member.id, Resident.name, Resident.name_pinyin, Resident.name_initials, Resident.gender,
               Resident.ethnicity, Resident.birth_date, Resident.id_number, Resident.education,
               Member.joined_on, Member.confirmed_on, Member.category, Member.party_org_id,
               PartyOrg.name.label("party_org"), Resident.phone, _ADDRESS, _SHORT,
               Building.id.label("building_id"), Resident.employer, Member.is_registered, Member.note)
        .join(Resident, Member.resident_id == Resident.id)
        .outerjoin(PartyOrg, Member.party_org_id == PartyOrg.id)
    ).where(Member.deleted_at.is_(None)).order_by(Resident.name_pinyin, Member.id)
    return session.execute(stmt).all()


def get_member(session: Session, member_id: int) -> dict:
    member = session.get(Member, member_id)
    if member is None or member.deleted_at is not None:
        raise NotFound(member_id)
    r = member.resident
    values = {k: getattr(r, k) for k in RESIDENT_KEYS}
    values.update(category=member.category, joined_on=member.joined_on, confirmed_on=member.confirmed_on,
                  party_org_id=member.party_org_id, is_registered=member.is_registered, note=member.note,
                  address=address_of(session, r.household_id))
    return values


def check_member(values: dict, errors: dict) -> None:
    """The checks across a member's own fields (the form, the service and the import share them)."""
    check_against_id(values, errors)
    joined, confirmed, born = values.get("joined_on"), values.get("confirmed_on"), values.get("birth_date")
    if joined and born and joined <= born:
        errors.setdefault("joined_on", "入党日期早于出生日期，请核对。")
    if joined and confirmed and confirmed < joined:
        errors.setdefault("confirmed_on", "转正日期早于入党日期，请核对。")
    if values.get("category") == "probationary" and confirmed:
        errors.setdefault("confirmed_on", "预备党员还没有转正日期：若已转正，请把党员类别改为正式党员。")


def validate_member(session: Session, raw: dict, member_id: int | None = None) -> tuple[dict, int | None]:
    """Parse and check a member's values; returns them with the resolved household id."""
    values, errors = parse_record(MEMBER_FIELDS, raw, new=member_id is None)
    check_member(values, errors)
    household_id = None
    if "address" not in errors and values.get("address"):
        try:
            household_id = resolve_household(session, values["address"])
        except Invalid as exc:
            errors["address"] = str(exc)
    other = _resident_by_id_number(session, values.get("id_number"))
    editing = session.get(Member, member_id) if member_id is not None else None
    own = editing.resident_id if editing is not None else None
    if other is not None and other.id != own:
        if other.member is not None and other.member.deleted_at is None:
            errors.setdefault("id_number", f"这个身份证号已登记在党员“{other.name}”名下，请勿重复添加。")
        elif member_id is not None:
            # Editing must not take over another person's record (a leader, a deleted member).
            errors.setdefault("id_number", f"这个身份证号已属于“{other.name}”，请核对身份证号。")
        elif values.get("name") and values["name"] != other.name:
            # Adding reuses the known person (e.g. a building leader), but only the same person.
            errors.setdefault("id_number", f"这个身份证号已登记在“{other.name}”名下，与填写的姓名不一致，请核对。")
    elif member_id is None and "id_number" not in errors:
        # Adding reuses a known person of the same name and phone, unless their ID number differs.
        same = _same_name_and_phone(session, values.get("name"), values.get("phone"), members=False)
        conflict = same and _id_number_conflict(same, values.get("id_number"), f"已登记的“{same.name}”（姓名和电话相同）")
        if conflict:
            errors["id_number"] = conflict
    _fail_if(errors)
    return values, household_id


def save_member(session: Session, raw: dict, member_id: int | None = None) -> int:
    values, household_id = validate_member(session, raw, member_id)
    if member_id is not None:
        member = session.get(Member, member_id)
        if member is None:
            raise NotFound(member_id)
        resident = member.resident
    else:
        # The person may already be known (a building leader, or a member deleted earlier): by
        # ID number, else by name and phone. The new member's form did not show what is stored
        # of them, so its empty fields keep that.
        resident = (_resident_by_id_number(session, values.get("id_number"))
                    or _same_name_and_phone(session, values.get("name"), values.get("phone"), members=False))
        if resident is None:
            resident = Resident()
        else:
            values = {k: v for k, v in values.items() if _given(v)}
        member = resident.member or Member()
        member.deleted_at = None
        if resident.id is None:
            session.add(resident)
        member.resident = resident
        session.add(member)
    _set_resident(resident, values)
    if "address" in values:  # a partial record (an import without an address column) keeps the address
        resident.household_id = household_id
    for key in ("category", "joined_on", "confirmed_on", "party_org_id", "is_registered", "note"):
        if key in values:
            setattr(member, key, values[key])
    session.flush()
    # A member who leads a building is a member leader.
    session.execute(update(BuildingLeader).where(BuildingLeader.resident_id == resident.id)
                    .values(is_member=True))
    return member.id


MEMBER_KEYS = ("category", "joined_on", "confirmed_on", "party_org_id", "is_registered", "note")
_CHUNK = 500  # ids per IN (...): SQLite limits the number of bound parameters


def bulk_save_members(session: Session, records: list[tuple[int | None, dict]]) -> int:
    """Save many checked members at once (an import of tens of thousands of rows).

    Each record is (member id or None for a new member, parsed values with
    "household_id" when the row has an address). The values must already have
    passed what validate_member checks, against this same transaction: the import
    plans and applies inside one. Like save_member, only the keys present are
    written, a known person (a building leader, a member deleted earlier) is
    reused by ID number keeping what a new row leaves empty, and a member who leads
    a building becomes a member leader."""
    pinyin: dict[str, tuple[str, str]] = {}
    resident_of = dict(session.execute(select(Member.id, Member.resident_id)).all())
    member_of = {rid: mid for mid, rid in resident_of.items()}
    by_id_number = dict(session.execute(select(Resident.id_number, Resident.id)
                                        .where(Resident.id_number.is_not(None))).all())
    resident_rows, member_rows, new_members = [], [], []
    new_people: list[dict] = []  # the values of members who are new people: every column given
    touched: list[int] = []
    for member_id, values in records:
        resident_id = resident_of[member_id] if member_id is not None else by_id_number.get(values.get("id_number"))
        if resident_id is None:
            new_people.append(values)
            continue
        if member_id is None:  # a known person: the row's empty cells keep what is stored, as save_member
            values = {k: v for k, v in values.items() if _given(v)}
        person = {k: values[k] for k in RESIDENT_KEYS if k in values}
        if "name" in values:
            if values["name"] not in pinyin:
                pinyin[values["name"]] = name_pinyin(values["name"])
            person["name_pinyin"], person["name_initials"] = pinyin[values["name"]]
        if "household_id" in values:
            person["household_id"] = values["household_id"]
        party = {k: values[k] for k in MEMBER_KEYS if k in values}
        touched.append(resident_id)
        resident_rows.append({"id": resident_id, **person})
        existing = member_id if member_id is not None else member_of.get(resident_id)
        if existing is not None:
            member_rows.append({"id": existing, "deleted_at": None, **party})
        else:
            new_members.append({"resident_id": resident_id, "is_registered": False} | party)
    _update_by_id(session, Resident.__table__, resident_rows)
    _update_by_id(session, Member.__table__, member_rows)
    for rows in _by_keys(new_members):
        _insert_many(session, Member.__table__, rows)
    if new_people:
        _insert_new_people(session, new_people)
    for start in range(0, len(touched), _CHUNK):  # a member who leads a building is a member leader
        session.execute(update(BuildingLeader).where(BuildingLeader.resident_id.in_(touched[start:start + _CHUNK]))
                        .values(is_member=True))
    session.expire_all()
    return len(records)


# What a new member's record holds where the values do not say (the columns' defaults)
_NEW_MEMBER = {"is_registered": False, "note": None, "joined_on": None, "confirmed_on": None, "party_org_id": None,
               "category": Member.__table__.c.category.default.arg}


def _insert_new_people(session: Session, people: list[dict]) -> None:
    """INSERT a resident and a member for each of these values, a column at a time: one
    executemany each, no dict per row. The ids are the ones SQLite would choose (the
    largest + 1 onward: no AUTOINCREMENT), read inside this same transaction; the ORM's
    insert … RETURNING in parameter order took half a minute for 50,000 rows."""
    first = (session.scalar(select(func.max(Resident.id))) or 0) + 1
    ids = list(range(first, first + len(people)))
    residents = {k: [v.get(k) for v in people] for k in (*RESIDENT_KEYS, "household_id")}
    spelt = {name: name_pinyin(name) for name in set(residents["name"])}  # names repeat
    residents["name_pinyin"] = [spelt[name][0] for name in residents["name"]]
    residents["name_initials"] = [spelt[name][1] for name in residents["name"]]
    residents["id"] = ids
    _insert_columns(session, Resident.__table__, residents)
    members = {k: [v.get(k, default) for v in people] for k, default in _NEW_MEMBER.items()}
    members["resident_id"] = ids
    _insert_columns(session, Member.__table__, members)


def _insert_many(session: Session, table, rows: list[dict]) -> None:
    """INSERT rows that carry the same keys (see _insert_columns)."""
    _insert_columns(session, table, {name: [row[name] for row in rows] for name in rows[0]})


def _insert_columns(session: Session, table, columns: dict[str, list]) -> None:
    """INSERT the rows these columns hold, as Core's insert would: each value through its
    column type's bind processor, an absent column with a Python-side default given it.
    But one executemany of plain tuples, the values processed a column at a time: Core's
    own executemany builds and processes a parameter dict per row, which cost more than
    SQLite's writes."""
    connection = session.connection()
    dialect = connection.dialect
    names = list(columns)
    values = list(columns.values())
    count = len(values[0])
    for c in table.c:
        if c.key not in columns and c.default is not None and c.default.is_scalar:
            names.append(c.key)
            values.append([c.default.arg] * count)
    for i, name in enumerate(names):
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:  # dates and flags: each distinct value once, a column repeats them
            processed = {value: process(value) for value in set(values[i])}
            values[i] = [processed[value] for value in values[i]]
    quote = dialect.identifier_preparer.quote
    sql = (f"INSERT INTO {quote(table.name)} ({', '.join(map(quote, names))}) "
           f"VALUES ({', '.join('?' * len(names))})")
    connection.exec_driver_sql(sql, list(zip(*values)))


def _update_by_id(session: Session, table, rows: list[dict]) -> None:
    """UPDATE … WHERE id = ? for rows of {"id", column: value …}, one executemany per shape.
    Core, not the ORM's bulk update by primary key: that spent more on its bookkeeping
    than SQLite on the writes. Like it, a row with nothing but its id is left alone."""
    where = table.c.id == bindparam("row_id")  # a bind named like a column is taken for the SET
    for group in _by_keys(rows):
        if len(group[0]) > 1:
            session.execute(update(table).where(where),
                            [{"row_id": row["id"], **{k: v for k, v in row.items() if k != "id"}} for row in group])


def _by_keys(rows: list[dict]) -> list[list[dict]]:
    """Rows grouped by the keys they carry, in their order (rows made alike list them
    alike, and sorting every row's keys cost more than a second group would): one
    executemany per shape."""
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        groups.setdefault(tuple(row), []).append(row)
    return list(groups.values())


def member_snapshot(session: Session) -> dict[int, dict]:
    """Every active member's stored values keyed by member id, with the household id
    for the address: what an import compares a row with, in one query."""
    stmt = (select(Member.id, Member.category, Member.joined_on, Member.confirmed_on, Member.party_org_id,
                   Member.is_registered, Member.note, Resident.household_id,
                   *[getattr(Resident, k) for k in RESIDENT_KEYS])
            .join(Resident, Member.resident_id == Resident.id).where(Member.deleted_at.is_(None)))
    return {row.id: row._asdict() for row in session.execute(stmt)}


def resident_names_by_id_number(session: Session) -> dict[str, str]:
    """Names of the known people who are not active members (building leaders, members
    deleted earlier), by ID number: an import may add them as members."""
    stmt = (select(Resident.id_number, Resident.name).outerjoin(Member, Member.resident_id == Resident.id)
            .where(Resident.id_number.is_not(None))
            .where((Member.id.is_(None)) | (Member.deleted_at.is_not(None))))
    return dict(session.execute(stmt).all())


def delete_members(session: Session, member_ids: list[int]) -> datetime:
    """Hide members (and their center households); returns the stamp that undo needs."""
    stamp = datetime.now()
    session.execute(update(Member).where(Member.id.in_(member_ids), Member.deleted_at.is_(None))
                    .values(deleted_at=stamp))
    session.execute(update(CenterHousehold)
                    .where(CenterHousehold.member_id.in_(member_ids), CenterHousehold.deleted_at.is_(None))
                    .values(deleted_at=stamp))
    return stamp


def restore_members(session: Session, member_ids: list[int], stamp: datetime) -> None:
    session.execute(update(Member).where(Member.id.in_(member_ids), Member.deleted_at == stamp)
                    .values(deleted_at=None))
    session.execute(update(CenterHousehold)
                    .where(CenterHousehold.member_id.in_(member_ids), CenterHousehold.deleted_at == stamp)
                    .values(deleted_at=None))


def member_choices(session: Session) -> list[tuple[int, str, int | None]]:
    """Members for pickers: (id, "张三  3号楼2单元501", household id), by pinyin."""
    stmt = _with_household(select(Member.id, Resident.name, _ADDRESS, Resident.household_id)
                           .join(Resident, Member.resident_id == Resident.id)
                           ).where(Member.deleted_at.is_(None)).order_by(Resident.name_pinyin)
    return [(r[0], f"{r[1]}  {r[2] or '（未登记住址）'}", r[3]) for r in session.execute(stmt)]


def person_choices(session: Session) -> list:
    """The people on the rosters (active members and building leaders), for picking one
    instead of typing them again: resident id, name, pinyin, initials, phone, ID number,
    address, short address and whether they are a member / lead a building; by pinyin."""
    leading = select(BuildingLeader.resident_id).where(BuildingLeader.deleted_at.is_(None))
    is_member = Member.id.is_not(None) & Member.deleted_at.is_(None)
    is_leader = Resident.id.in_(leading)  # not correlated: SQLite reads the leaders once
    stmt = _with_household(
        select(Resident.id, Resident.name, Resident.name_pinyin, Resident.name_initials, Resident.phone,
               Resident.id_number, _ADDRESS, _SHORT, is_member.label("is_member"), is_leader.label("is_leader"))
        .outerjoin(Member, Member.resident_id == Resident.id)
    ).where(is_member | is_leader).order_by(Resident.name_pinyin, Resident.id)
    return session.execute(stmt).all()


# ---- building leaders -------------------------------------------------------------
def list_leaders(session: Session) -> list:
    leader_unit = aliased(Unit)
    stmt = (select(BuildingLeader.id, Resident.name, Resident.name_pinyin, Resident.name_initials,
                   Resident.phone, Resident.id_number, BuildingLeader.building_id,
                   (Compound.name + " " + Building.name).label("building_full"), Building.name.label("building"),
                   BuildingLeader.unit_id, leader_unit.name.label("unit"), BuildingLeader.since,
                   BuildingLeader.is_member, BuildingLeader.note, Building.sort_key, leader_unit.sort_key)
            .join(Resident, BuildingLeader.resident_id == Resident.id)
            .join(Building, BuildingLeader.building_id == Building.id)
            .join(Compound, Building.compound_id == Compound.id)
            .outerjoin(leader_unit, BuildingLeader.unit_id == leader_unit.id)
            .where(BuildingLeader.deleted_at.is_(None))
            .order_by(Compound.name, Building.sort_key, leader_unit.sort_key.nulls_first(), Resident.name_pinyin))
    return session.execute(stmt).all()


def get_leader(session: Session, leader_id: int) -> dict:
    leader = session.get(BuildingLeader, leader_id)
    if leader is None or leader.deleted_at is not None:
        raise NotFound(leader_id)
    r = leader.resident
    return {"name": r.name, "phone": r.phone, "id_number": r.id_number, "building_id": leader.building_id,
            "unit_id": leader.unit_id, "since": leader.since, "is_member": leader.is_member, "note": leader.note}


def save_leader(session: Session, raw: dict, leader_id: int | None = None) -> int:
    """Save a building leader from the leader form or a roster row.

    raw may carry "resident_id": a known person picked in the form, whose stored name,
    phone and ID number it need not repeat. A new leader is otherwise the known person
    with the typed ID number, else with the same name and phone, or a new person; a typed
    ID number that is not the known person's is refused. Of a known person the save writes
    only what was entered: an empty field of a new leader was not typed and keeps what is
    stored. Editing a leader writes the keys given (the form showed them), so clearing a
    field there clears it; keys not given are kept."""
    leader = session.get(BuildingLeader, leader_id) if leader_id else None
    if leader_id and leader is None:
        raise NotFound(leader_id)
    picked = None
    if raw.get("resident_id") is not None:
        picked = session.get(Resident, raw["resident_id"])
        if picked is None:
            raise ValidationFailed({"name": "所选人员已不在名册中（可能刚被删除），请重新选择。"})
        if leader is not None and picked.id == leader.resident_id:
            picked = None  # the leader's own person: an ordinary edit
        else:
            raw = {"name": picked.name, "phone": picked.phone, **raw}  # what the form did not repeat
    values, errors = parse_record(LEADER_FIELDS, raw, new=leader is None)
    idn = values.get("id_number")
    if idn:
        check_against_id({"id_number": idn}, errors)  # a birth date after today
    unit_id, building_id = values.get("unit_id"), values.get("building_id")
    if unit_id and building_id:
        unit = session.get(Unit, unit_id)
        if unit is None or unit.building_id != building_id:
            errors["unit_id"] = "所选单元不属于所选楼栋，请重新选择。"
    _fail_if(errors)

    editing = leader is not None and picked is None
    holder = _resident_by_id_number(session, idn)
    if editing:
        resident = leader.resident
        if holder is not None and holder.id != resident.id:
            raise ValidationFailed({"id_number": f"这个身份证号属于“{holder.name}”，请核对。"})
    else:
        resident = _leader_person(session, values, picked, holder)
    known = resident is not None and not editing  # a known person the form did not show
    facts = _id_facts(resident, idn) if idn else {}
    if resident is None:
        resident = Resident()
        session.add(resident)
    for key in ("name", "phone"):
        if key in values and not (known and not _given(values[key])):
            setattr(resident, key, values[key])
    if facts:
        for key, value in facts.items():
            setattr(resident, key, value)
    elif "id_number" in values and not known:
        resident.id_number = None  # cleared in the edit form, which showed it
    resident.name_pinyin, resident.name_initials = name_pinyin(resident.name)
    session.flush()
    building_id = values["building_id"] if "building_id" in values else leader.building_id
    if "unit_id" in values or leader is None:
        unit_id = values.get("unit_id")
    else:
        unit_id = leader.unit_id
    duplicate = session.scalar(select(BuildingLeader.id).where(
        BuildingLeader.resident_id == resident.id, BuildingLeader.building_id == building_id,
        BuildingLeader.unit_id.is_(None) if unit_id is None else BuildingLeader.unit_id == unit_id,
        BuildingLeader.deleted_at.is_(None), BuildingLeader.id != (leader_id or 0)))
    if duplicate:
        raise ValidationFailed({"name": f"“{resident.name}”已经是这个楼栋（单元）的楼栋长，请勿重复添加。"})
    ticked = values.get("is_member") if "is_member" in values or leader is None else leader.is_member
    if leader is None:
        leader = BuildingLeader()
        session.add(leader)
    leader.resident = resident
    leader.building_id, leader.unit_id = building_id, unit_id
    for key in ("since", "note"):
        if key in values or leader.id is None:
            setattr(leader, key, values.get(key))
    is_member = resident.member is not None and resident.member.deleted_at is None
    leader.is_member = bool(ticked) or is_member
    session.flush()
    return leader.id


def _leader_person(session: Session, values: dict, picked: Resident | None,
                   holder: Resident | None) -> Resident | None:
    """The known person a new leader is (None: a new person); holder: the one with the typed
    ID number. Raises ValidationFailed where the typed values belong to someone else."""
    name, idn = values.get("name"), values.get("id_number")
    if picked is not None:
        if name != picked.name:
            raise ValidationFailed({"name": f"所选人员是“{picked.name}”，与填写的姓名不一致，请重新选择。"})
        if holder is not None and holder.id != picked.id:
            raise ValidationFailed({"id_number": f"这个身份证号属于“{holder.name}”，请核对。"})
        conflict = _id_number_conflict(picked, idn, f"所选的“{picked.name}”已登记的")
    elif holder is not None:
        if name and holder.name != name:
            raise ValidationFailed({"id_number": f"这个身份证号已登记在“{holder.name}”名下，与填写的姓名不一致，请核对。"})
        return holder
    else:
        picked = _same_name_and_phone(session, name, values.get("phone"))
        conflict = picked and _id_number_conflict(picked, idn, f"已登记的“{picked.name}”（姓名和电话相同）")
    if conflict:
        raise ValidationFailed({"id_number": conflict})
    return picked


def delete_leaders(session: Session, leader_ids: list[int]) -> datetime:
    stamp = datetime.now()
    session.execute(update(BuildingLeader)
                    .where(BuildingLeader.id.in_(leader_ids), BuildingLeader.deleted_at.is_(None))
                    .values(deleted_at=stamp))
    return stamp


def restore_leaders(session: Session, leader_ids: list[int], stamp: datetime) -> None:
    session.execute(update(BuildingLeader)
                    .where(BuildingLeader.id.in_(leader_ids), BuildingLeader.deleted_at == stamp)
                    .values(deleted_at=None))


# ---- center households ---------------------------------------------------------------
FOUR_HAVE_KEYS = ("has_ability", "has_prestige", "has_public_spirit", "has_enthusiasm")


def list_center_households(session: Session) -> list:
    served_count = (select(func.count()).where(center_household_link.c.center_household_id == CenterHousehold.id)
                    .scalar_subquery().label("served_count"))
    served_list = (select(func.group_concat(Building.code + "-" + Unit.code + "-" + Household.room, "、"))
                   .select_from(center_household_link)
                   .join(Household, center_household_link.c.household_id == Household.id)
                   .join(Unit, Household.unit_id == Unit.id).join(Building, Unit.building_id == Building.id)
                   .where(center_household_link.c.center_household_id == CenterHousehold.id)
                   .scalar_subquery().label("served"))
    stmt = _with_household(
        select(CenterHousehold.id, CenterHousehold.member_id, Resident.name, Resident.name_pinyin,
               Resident.name_initials, Resident.phone, Resident.id_number, _ADDRESS, _SHORT,
               Building.id.label("building_id"), Building.name.label("building"), Member.party_org_id,
               CenterHousehold.appointed_on, *[getattr(CenterHousehold, k) for k in FOUR_HAVE_KEYS],
               served_count, served_list, CenterHousehold.note)
        .select_from(CenterHousehold)
        .join(Member, CenterHousehold.member_id == Member.id)
        .join(Resident, Member.resident_id == Resident.id)
    ).where(CenterHousehold.deleted_at.is_(None), Member.deleted_at.is_(None)).order_by(
        Building.sort_key, Unit.sort_key, Household.sort_key)
    return session.execute(stmt).all()


def get_center_household(session: Session, ch_id: int) -> tuple[dict, list[int]]:
    ch = session.get(CenterHousehold, ch_id)
    if ch is None or ch.deleted_at is not None:
        raise NotFound(ch_id)
    values = {"member_id": ch.member_id, "appointed_on": ch.appointed_on, "note": ch.note}
    values.update({k: getattr(ch, k) for k in FOUR_HAVE_KEYS})
    return values, [h.id for h in ch.served_households]


def save_center_household(session: Session, raw: dict, served_ids: list[int], ch_id: int | None = None) -> int:
    values, errors = parse_record(CENTER_HOUSEHOLD_FIELDS, raw, new=ch_id is None)
    member = session.get(Member, values["member_id"]) if values.get("member_id") else None
    if "member_id" not in errors:
        if member is None or member.deleted_at is not None:
            errors["member_id"] = "请选择党员名册中的党员。"
        elif member.resident.household_id is None:
            errors["member_id"] = f"党员“{member.resident.name}”还没有登记住址，请先在党员名册中填写住址。"
        else:
            existing = session.scalar(select(CenterHousehold).where(CenterHousehold.member_id == member.id))
            if existing is not None and existing.deleted_at is None and existing.id != ch_id:
                errors["member_id"] = f"“{member.resident.name}”已经是党员中心户，请直接修改原记录。"
    own = member.resident.household_id if member is not None else None
    served = sorted(set(served_ids) - {own})
    if not served:
        errors.setdefault("served", "请至少选择一户联系户。")
    _fail_if(errors)
    households = session.scalars(select(Household).where(Household.id.in_(served))).all()
    if len(households) != len(served):
        raise ValidationFailed({"served": "部分联系户已被删除，请重新选择。"})
    ch = session.get(CenterHousehold, ch_id) if ch_id else session.scalar(
        select(CenterHousehold).where(CenterHousehold.member_id == member.id))
    if ch is None:
        ch = CenterHousehold()
        session.add(ch)
    ch.deleted_at = None
    ch.member_id = member.id
    # A center household writes nothing of the member's person; of its own values, those
    # not given (a partial edit) are kept, as for members and leaders.
    for key in ("appointed_on", "note", *FOUR_HAVE_KEYS):
        if key in values or ch.id is None:
            setattr(ch, key, bool(values.get(key)) if key in FOUR_HAVE_KEYS else values.get(key))
    ch.served_households = list(households)
    session.flush()
    return ch.id


def delete_center_households(session: Session, ids: list[int]) -> datetime:
    stamp = datetime.now()
    session.execute(update(CenterHousehold).where(CenterHousehold.id.in_(ids), CenterHousehold.deleted_at.is_(None))
                    .values(deleted_at=stamp))
    return stamp


def restore_center_households(session: Session, ids: list[int], stamp: datetime) -> None:
    session.execute(update(CenterHousehold).where(CenterHousehold.id.in_(ids), CenterHousehold.deleted_at == stamp)
                    .values(deleted_at=None))
