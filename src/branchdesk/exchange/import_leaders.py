"""Importing the building-leader roster (楼栋长/单元长花名册): each row is a person
leading a building (unit empty) or one unit of it. Rows are matched to leaders by
record code, or by the same person (ID number, else name and phone) leading the
same building and unit, or else by the one leader of that building and unit with
the same name: a roster sent again with a new phone number changes that leader
instead of adding a second one. Buildings are written as rosters write them
(1号楼, 1栋, 启明小区 1号楼, 1号楼2单元)."""
from __future__ import annotations

import re

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from .. import fields as F
from ..fields import LEADER_FIELDS, by_key, check_against_id, column_parsers, parse_record
from ..models import Building, BuildingLeader, Compound, Member, Resident, Unit
from ..services import ValidationFailed, people
from ..validation import Invalid, clean_text
from . import ExchangeError
from .plan import (
    CHANGED,
    INVALID,
    NEW,
    UNCHANGED,
    Change,
    ImportKind,
    PlannedRow,
    Problem,
    Report,
    display,
    read_rows,
    take_masked_numbers,
)
from .reader import Table
from .writer import CODE_FIELD, LEADERS

L = by_key(LEADER_FIELDS)
WHOLE_BUILDING = "（整栋楼）"  # the unit shown in a change when a leader leads the whole building

_CN_DIGITS = "一二三四五六七八九"
_NUM = rf"[0-9A-Za-z]+|[{_CN_DIGITS}十]+"
# 1号楼 / 1 / 1栋 / 1幢 / 启明小区 1号楼 / 1号楼2单元 / 第1栋; a lone 楼 is left out: “1楼” is a floor.
_BUILDING = re.compile(rf"^(?P<c>.*?)(?P<b>{_NUM})(?:号楼|号|栋|幢|座)?(?:(?P<u>{_NUM})(?:单元|单))?$")
_UNIT = re.compile(rf"^(?P<u>{_NUM})(?:单元|单)?$")


def _cn_number(text: str) -> str:
    """一 → 1, 十二 → 12, 二十一 → 21: unit and building numbers as some rosters write them."""
    if "十" not in text:
        return str(_CN_DIGITS.index(text) + 1) if len(text) == 1 else text
    tens, _sep, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1 or "十" in ones:
        return text
    value = (_CN_DIGITS.index(tens) + 1 if tens else 1) * 10 + (_CN_DIGITS.index(ones) + 1 if ones else 0)
    return str(value)


def _code(text: str) -> str:
    """A building or unit number compared as the organisation stores it: 01 = 1, a = A."""
    text = text.upper()
    if text and text[0] in _CN_DIGITS + "十":
        text = _cn_number(text)
    return str(int(text)) if text.isdigit() else text


def _compact(text: str | None) -> str:
    return clean_text(text).replace(" ", "")


class _Places:
    """Buildings and units loaded once: a roster of hundreds of rows needs no query per row."""

    def __init__(self, session: Session):
        rows = session.execute(select(Building.id, Building.code, Building.name, Compound.name)
                               .join(Compound, Building.compound_id == Compound.id)).all()
        several = len({r[3] for r in rows}) > 1
        self.by_code: dict[str, list[tuple[int, str]]] = {}
        self.label: dict[int, str] = {}
        for bid, code, name, compound in rows:
            self.by_code.setdefault(_code(code), []).append((bid, compound))
            self.label[bid] = f"{compound} {name}" if several else name
        self.units: dict[int, dict[str, int]] = {}
        self.unit_label: dict[int, str] = {}
        for uid, bid, code, name in session.execute(select(Unit.id, Unit.building_id, Unit.code, Unit.name)):
            self.units.setdefault(bid, {})[_code(code)] = uid
            self.units[bid].setdefault(_compact(name), uid)
            self.unit_label[uid] = name

    def building(self, text: str) -> tuple[int, str | None]:
        """The building a cell names, and the unit number when the cell names one too."""
        s = _compact(text)
        m = _BUILDING.match(s)
        if m is None:
            raise Invalid(f"楼栋“{s}”看不懂，请按“1号楼”或“启明小区1号楼”填写。")
        prefix = m["c"].rstrip("-—_/·")
        if prefix == "第":  # 第1栋
            prefix = ""
        b = _code(m["b"])
        found = self.by_code.get(b, [])
        if prefix:
            # The compound's own name, perhaps after the community's (幸福社区启明小区), with or
            # without 小区; an exact name wins over one that merely ends the same way.
            want = prefix.removesuffix("小区")
            exact = [f for f in found if f[1].removesuffix("小区") == want]
            found = exact or [f for f in found if want.endswith(f[1].removesuffix("小区"))]
            if not found:
                raise Invalid(f"组织架构中没有“{prefix}”的{b}号楼，请核对小区名和楼号，"
                              "或先在“组织架构”中添加这栋楼。")
        if not found:
            raise Invalid(f"组织架构中没有{b}号楼，请核对楼号，或先在“组织架构”中添加这栋楼。")
        if len(found) > 1:
            names = sorted(f[1] for f in found)
            raise Invalid(f"{'、'.join(names)}都有{b}号楼，请在楼号前写上小区名，如“{names[0]}{b}号楼”。")
        return found[0][0], (_code(m["u"]) if m["u"] else None)

    def unit(self, building_id: int, text: str) -> int:
        s = _compact(text)
        units = self.units.get(building_id, {})
        if s in units:  # the unit's own name, as our export writes it
            return units[s]
        m = _UNIT.match(s)
        if m is None:
            raise Invalid(f"单元“{s}”看不懂，请填写如“2单元”或“2”；负责整栋楼的请留空。")
        u = _code(m["u"])
        if u not in units:
            raise Invalid(f"{self.label[building_id]}没有{u}单元，请核对楼栋和单元，"
                          "或先在“组织架构”中为这栋楼添加单元。")
        return units[u]

    def unit_text(self, unit_id: int | None) -> str:
        return self.unit_label.get(unit_id, "") if unit_id else WHOLE_BUILDING


class _People:
    """Who is already known, loaded once: the leaders with their stored values, and every
    person by ID number and by name and phone (to tell members and reused records)."""

    def __init__(self, session: Session):
        active = and_(Member.resident_id == Resident.id, Member.deleted_at.is_(None))
        stmt = (select(BuildingLeader.id, BuildingLeader.resident_id, BuildingLeader.building_id,
                       BuildingLeader.unit_id, BuildingLeader.since, BuildingLeader.is_member, BuildingLeader.note,
                       Resident.name, Resident.phone, Resident.id_number, Member.id.label("member_id"))
                .join(Resident, BuildingLeader.resident_id == Resident.id).outerjoin(Member, active)
                .where(BuildingLeader.deleted_at.is_(None)))
        self.leaders: dict[int, dict] = {r.id: r._asdict() for r in session.execute(stmt)}
        self.by_place: dict[tuple, list[int]] = {}  # (building, unit) → leaders there
        self.by_person_place: dict[tuple, int] = {}
        for lid, v in self.leaders.items():
            place = (v["building_id"], v["unit_id"])
            self.by_place.setdefault(place, []).append(lid)
            if v["id_number"]:
                self.by_person_place.setdefault((v["id_number"], *place), lid)
            if v["phone"]:
                self.by_person_place.setdefault(((v["name"], v["phone"]), *place), lid)
        self.by_id_number: dict[str, tuple[int, str, bool]] = {}
        self.members_by_name_phone: set[tuple[str, str]] = set()
        stmt = (select(Resident.id, Resident.id_number, Resident.name, Resident.phone, Member.id)
                .outerjoin(Member, active))
        for rid, idn, name, phone, member_id in session.execute(stmt):
            if idn:
                self.by_id_number[idn] = (rid, name, member_id is not None)
            if member_id is not None and phone:
                self.members_by_name_phone.add((name, phone))

    def is_member(self, match: int | None, values: dict) -> bool:
        """Whether the person the row names is on the member roster, found as saving finds them."""
        if match is not None:
            return self.leaders[match]["member_id"] is not None
        idn = values.get("id_number")
        if idn:
            return idn in self.by_id_number and self.by_id_number[idn][2]
        return (values.get("name"), values.get("phone")) in self.members_by_name_phone

    def masked_match(self, name: str, place: tuple, raw: dict) -> int | None:
        """The leader at this place with this name whose numbers the masked ones in the row hide."""
        found = []
        for lid in self.by_place.get(place, []):
            v = self.leaders[lid]
            if v["name"] != name:
                continue
            if all(L[k].display(v[k], masked=True) == raw[k] for k in ("id_number", "phone")
                   if raw.get(k) and "*" in raw[k]):
                found.append(lid)
        return found[0] if len(found) == 1 else None

    def same_name_at(self, name: str | None, place: tuple, idn: str | None) -> int | None:
        """The one leader of this place with this name (and no other ID number): the same
        person whose phone (or missing ID number) the row now gives."""
        found = [lid for lid in self.by_place.get(place, []) if self.leaders[lid]["name"] == name
                 and (not idn or not self.leaders[lid]["id_number"] or self.leaders[lid]["id_number"] == idn)]
        return found[0] if len(found) == 1 else None


Places = _Places  # the lists and the issues name buildings as the leader roster does


def _is_member_text(text: str | None) -> str | None:
    """政治面貌 as rosters write it (中共党员, 预备党员, 群众) → 是 / 否."""
    s = _compact(text)
    if s.startswith("非"):
        return "否"
    if s.startswith("中共") or s.endswith("党员"):
        return "是"
    if s in ("群众", "团员", "共青团员", "无党派人士", "民主党派"):
        return "否"
    return text


def _plan_leaders(session: Session, table: Table, report: Report | None = None) -> list[PlannedRow]:
    if "building_id" not in table.columns:
        raise ExchangeError(f"“{table.file_name}”的楼栋长名册中没有“楼栋”列，无法知道每人负责哪栋楼："
                            "请加上“楼栋”列（如“1号楼”）后重新导入。")
    places = _Places(session)
    known = _People(session)
    headers = table.headers
    seen_record: dict[int, int] = {}
    seen_person: dict[tuple, int] = {}
    names_by_id_number: dict[str, tuple[str, int]] = {}
    parsers = column_parsers(LEADER_FIELDS)
    planned: list[PlannedRow] = []
    for given in read_rows(table, L, LEADERS, report):
        excel_row, raw, problems, code = given.excel_row, given.raw, given.problems, given.code
        row = PlannedRow(excel_row, given.cells)
        if raw.get("is_member"):
            raw["is_member"] = _is_member_text(raw["is_member"])

        building_id = unit_id = None
        named_unit = None
        if raw.get("building_id"):
            try:
                building_id, named_unit = places.building(raw["building_id"])
            except Invalid as exc:
                problems["building_id"] = str(exc)
        elif "building_id" not in problems:
            problems["building_id"] = "楼栋没有填写，请填写这位楼栋长负责的楼栋，如“1号楼”。"
        if building_id is not None:
            try:
                if raw.get("unit_id"):
                    unit_id = places.unit(building_id, raw["unit_id"])
                    if named_unit is not None and unit_id != places.units[building_id].get(named_unit):
                        problems["unit_id"] = (f"楼栋一栏写的是{named_unit}单元，单元一栏写的是"
                                               f"{places.unit_label[unit_id]}，两处不一致，请核对后只保留一处。")
                elif named_unit is not None:  # 1号楼2单元 written in the building column
                    unit_id = places.unit(building_id, named_unit)
            except Invalid as exc:
                problems["unit_id"] = str(exc)
        raw["building_id"], raw["unit_id"] = building_id, unit_id
        place = (building_id, unit_id)
        name = clean_text(raw.get("name")) or None

        match = code if code in known.leaders else None
        masked = any("*" in (raw.get(k) or "") for k in ("id_number", "phone"))
        if match is None and masked and building_id is not None:  # a masked export whose codes were cut off
            match = known.masked_match(name, place, raw)
        take_masked_numbers(raw, problems, known.leaders.get(match), L)
        values, errors = parse_record(LEADER_FIELDS, raw, new=False, parsers=parsers)
        idn, phone = values.get("id_number"), values.get("phone")
        if match is None and building_id is not None and "unit_id" not in problems:
            if idn:
                match = known.by_person_place.get((idn, *place))
            if match is None and values.get("name") and phone:
                candidate = known.by_person_place.get(((values["name"], phone), *place))
                if candidate is not None and not (idn and known.leaders[candidate]["id_number"] not in (None, idn)):
                    match = candidate
            if match is None:
                match = known.same_name_at(values.get("name"), place, idn)
        if match is None:  # a new leader: the required columns must be filled
            values, errors = parse_record(LEADER_FIELDS, raw, new=True, parsers=parsers)
        check_against_id(values, errors)
        if idn and "id_number" not in errors:
            holder = known.by_id_number.get(idn)
            if holder is not None and match is not None and holder[0] != known.leaders[match]["resident_id"]:
                errors["id_number"] = f"这个身份证号已登记在“{holder[1]}”名下，请核对身份证号。"
            elif holder is not None and match is None and values.get("name") and holder[1] != values["name"]:
                errors["id_number"] = f"这个身份证号已登记在“{holder[1]}”名下，与填写的姓名不一致，请核对。"
            elif idn in names_by_id_number and values.get("name") and names_by_id_number[idn][0] != values["name"]:
                other_name, other_row = names_by_id_number[idn]
                errors["id_number"] = (f"这个身份证号与第 {other_row} 行的“{other_name}”相同，"
                                       "同一个身份证号只能属于一个人，请核对。")
            elif values.get("name"):
                names_by_id_number.setdefault(idn, (values["name"], excel_row))

        # who the row is, with what a masked export left out taken from the matched record
        stored = known.leaders[match] if match is not None else {}
        who = {k: values[k] if k in values else stored.get(k) for k in ("id_number", "name", "phone")}
        if who["id_number"]:
            person: object = who["id_number"]
        elif who["name"] and who["phone"]:
            person = (who["name"], who["phone"])
        else:
            person = None
        if building_id is not None and "unit_id" not in problems and person is not None:
            key = (person, *place)
            if key in seen_person:
                problems.setdefault("", f"与第 {seen_person[key]} 行是同一人负责同一楼栋（单元），请删去重复的一行。")
            else:
                seen_person[key] = excel_row
                if match is not None:
                    other = known.by_person_place.get(key)
                    if other is not None and other != match:  # moved onto a place where they already lead
                        problems.setdefault("", f"“{known.leaders[other]['name']}”已经是"
                                                f"{places.label[building_id]}{places.unit_text(unit_id)}的楼栋长，"
                                                "请删去这一行，或在软件中删除原来的记录后再导入。")
        if match is not None and "" not in problems:
            if match in seen_record:
                problems[""] = f"与第 {seen_record[match]} 行是同一条楼栋长记录，请删去重复的一行。"
            else:
                seen_record[match] = excel_row
        errors.update(problems)

        row.name = values.get("name") or (known.leaders[match]["name"] if match else "")
        row.record_id = match
        if errors:
            row.status = INVALID
            row.problems = [Problem(headers.get(k, L[k].label if k in L else ""), msg) for k, msg in errors.items()]
        else:
            member = known.is_member(match, values)
            if "is_member" in values:
                values["is_member"] = bool(values["is_member"]) or member  # a 否 for a member is no error
            else:  # no such column: keep what is stored
                values["is_member"] = bool(stored.get("is_member")) or member
            row.values = values
            if match is None:
                row.status = NEW
            else:
                row.changes = _changes(places, known.leaders[match], values)
                row.status = CHANGED if row.changes else UNCHANGED
        planned.append(row)
    return planned


def _changes(places: _Places, old: dict, new: dict) -> list[Change]:
    changes = []
    for f in LEADER_FIELDS:
        if f.key not in new:
            continue
        before, after = old.get(f.key), new[f.key]
        if f.key == "building_id":
            if before != after:
                changes.append(Change(f.label, places.label.get(before, "（空）"), places.label.get(after, "（空）")))
            continue
        if f.key == "unit_id":
            if before != after:
                changes.append(Change(f.label, places.unit_text(before), places.unit_text(after)))
            continue
        if f.kind == F.BOOL:
            before, after = bool(before), bool(after)
        if before != after:
            changes.append(Change(f.label, display(f, before), display(f, after)))
    return changes


def _save_leaders(session: Session, rows: list[PlannedRow]) -> int:
    # Leader rosters are hundreds of rows: the form's own save, row by row, keeps one
    # set of rules (reusing a known person, marking members) for both.
    for row in rows:
        try:
            people.save_leader(session, row.values, row.record_id)
        except ValidationFailed as exc:
            raise ExchangeError(f"第 {row.excel_row} 行“{row.name}”无法保存：{exc}没有导入任何数据，"
                                "请修改后重新导入。") from exc
    return len(rows)


KIND = ImportKind(LEADERS, "楼栋长花名册", (CODE_FIELD, *LEADER_FIELDS), _plan_leaders, _save_leaders)
