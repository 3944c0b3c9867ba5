"""Importing the center-household roster (党员中心户台账): each row names a member who
is already on the member roster and the households that member serves.

The member is found by ID number, or by name with the address (or just the
building and unit, 5号楼1单元) choosing among members of the same name; the served
households are resolved in the member's own compound first."""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..fields import (
    BUILDING_UNIT_FIELD,
    CENTER_HOUSEHOLD_FIELDS,
    FOUR_HAVES,
    FOUR_HAVES_FIELD,
    MEMBER_FIELDS,
    SERVED_COUNT_FIELD,
    SERVED_FIELD,
    by_key,
    column_parsers,
)
from ..models import CenterHousehold, center_household_link
from ..services import org as org_service
from ..services import people
from ..validation import Invalid, clean_text, parse_phone
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
from .writer import CENTER_HOUSEHOLDS, CODE_FIELD

C = by_key(CENTER_HOUSEHOLD_FIELDS)
M = by_key(MEMBER_FIELDS)
# The member's ID number, phone and address are read to find the member; they are
# the member roster's to change, never this import's.
FIELDS = (CODE_FIELD, C["member_id"], M["id_number"], M["phone"], M["address"], BUILDING_UNIT_FIELD,
          C["appointed_on"], *FOUR_HAVES, FOUR_HAVES_FIELD, SERVED_COUNT_FIELD, SERVED_FIELD, C["note"])
BY_KEY = by_key(FIELDS)
HAVE_KEYS = tuple(f.key for f in FOUR_HAVES)
SAVED_KEYS = ("appointed_on", *HAVE_KEYS, "note")

_SPLIT = re.compile(r"[、，,；;/\s]+")
_HAVE_WORDS = {f.label: f.key for f in FOUR_HAVES} | {f.label.removeprefix("有"): f.key for f in FOUR_HAVES}
# 是否符合四有 columns answer for all four at once
_ALL_HAVES = {"四有", "四有俱全", "全部", "均具备", "全部具备", "是", "符合", "符合四有"}
_NO_HAVES = {"无", "否", "不符合"}
# A place as ledgers write it: 5号楼1单元, 5号楼, 5-1, or a whole address 5-1-502
_PLACE = (
    re.compile(r"^(?P<c>.*?)(?P<b>[0-9A-Za-z]+)(?:号楼|号|栋|幢|座)"
               r"(?:(?P<u>[0-9]+)单元(?:(?P<r>[0-9A-Za-z]+)(?:室|号)?)?)?$"),
    re.compile(r"^(?P<c>.*?)(?P<b>[0-9A-Za-z]+)-(?P<u>[0-9]+)(?:-(?P<r>[0-9A-Za-z]+))?$"),
)

Place = tuple[str, str, str | None, str | None]  # compound prefix, building, unit, room


def _norm_name(text: object) -> str:
    return re.sub(r"\s+", "", clean_text(text))


def _parse_place(text: str | None) -> Place | None:
    s = clean_text(text).replace(" ", "")
    for pattern in _PLACE:
        m = pattern.match(s)
        if m:
            return m["c"], m["b"].upper(), m["u"], m["r"].upper() if m["r"] else None
    return None


def _place_text(place: tuple) -> str:
    _c, b, u, r = place
    return f"{b}号楼{u}单元{r}"


def _fits(place: Place, household: tuple[str, str, str, str] | None) -> bool:
    """Whether a (perhaps partial) place names this household's building, unit and room."""
    if household is None:
        return False
    prefix, b, u, r = place
    compound, hb, hu, hr = household
    if b != hb or (u is not None and u != hu) or (r is not None and r != hr):
        return False
    if prefix:  # 启明小区5号楼 / 光明社区启明小区5号楼: as _pick_household reads a prefix
        want, have = prefix.removesuffix("小区"), compound.removesuffix("小区")
        return want == have or want.endswith(have)
    return True


def _parse_four_haves(text: str | None) -> dict[str, bool]:
    """有能力、有威望 → those two true, the others false; raises Invalid on another word."""
    values = dict.fromkeys(HAVE_KEYS, False)
    for word in _SPLIT.split(clean_text(text)):
        if not word or word in _NO_HAVES:
            continue
        if word in _ALL_HAVES:
            values = dict.fromkeys(HAVE_KEYS, True)
        elif word in _HAVE_WORDS:
            values[_HAVE_WORDS[word]] = True
        else:
            raise Invalid(f"“{word}”不是四有中的一项，请从“有能力、有威望、有公心、有热情”中填写，用顿号隔开。")
    return values


def _parse_count(text: str) -> int:
    s = clean_text(text).replace(" ", "").removesuffix("户")
    if not s.isdigit():
        raise Invalid(f"“{text}”不是户数，请填写数字，如 5。")
    return int(s)


def _natural(text: str) -> list:
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text)]


@dataclass
class _Stored:
    """A center household as saved (live or deleted), for matching and comparing."""
    id: int
    member_id: int
    live: bool
    values: dict  # SAVED_KEYS
    served: frozenset[int]


def _stored_center_households(session: Session) -> dict[int, _Stored]:
    """Every center household record by member id (a member has at most one), with its
    served households: two queries for the whole file."""
    served: dict[int, set[int]] = {}
    for ch_id, hid in session.execute(select(center_household_link.c.center_household_id,
                                             center_household_link.c.household_id)):
        served.setdefault(ch_id, set()).add(hid)
    stmt = select(CenterHousehold.id, CenterHousehold.member_id, CenterHousehold.deleted_at,
                  *[getattr(CenterHousehold, k) for k in SAVED_KEYS])
    out = {}
    for row in session.execute(stmt):
        values = {k: getattr(row, k) for k in SAVED_KEYS}
        values.update({k: bool(values[k]) for k in HAVE_KEYS})
        out[row.member_id] = _Stored(row.id, row.member_id, row.deleted_at is None, values,
                                     frozenset(served.get(row.id, ())))
    return out


class _Miss(Invalid):
    """No member (or not one member) for a row; key is the column to blame."""

    def __init__(self, key: str, message: str):
        super().__init__(message)
        self.key = key


class _Roster:
    """The member roster loaded once, and how a row finds its member in it."""

    def __init__(self, session: Session, addresses: org_service.AddressBook):
        self.snapshot = people.member_snapshot(session)
        self.addresses = addresses
        self.by_id_number = {v["id_number"]: mid for mid, v in self.snapshot.items() if v["id_number"]}
        self.by_name: dict[str, list[int]] = {}
        for mid, v in self.snapshot.items():
            self.by_name.setdefault(_norm_name(v["name"]), []).append(mid)

    def name(self, member_id: int) -> str:
        return self.snapshot[member_id]["name"]

    def household(self, member_id: int) -> int | None:
        return self.snapshot[member_id]["household_id"]

    def _masks(self, member_id: int) -> str:
        return M["id_number"].display(self.snapshot[member_id]["id_number"], masked=True)

    def find(self, name: str | None, id_number: str | None, masked: str | None, places: list[Place],
             phone: str | None, prefer: int | None) -> int:
        """The member a row means; prefer is the member of the record its code names."""
        if id_number:
            found = self.by_id_number.get(id_number)
            if found is not None:
                if name and _norm_name(name) != _norm_name(self.name(found)):
                    raise _Miss("id_number", f"这个身份证号在党员名册中登记的是“{self.name(found)}”，"
                                             f"与填写的“{name}”不一致，请核对。")
                return found
            same_name = self.by_name.get(_norm_name(name), []) if name else []
            # The roster may lack the number: then only a same-name member without one is meant.
            candidates = [m for m in same_name if not self.snapshot[m]["id_number"]]
            if not candidates:
                if same_name:
                    raise _Miss("id_number", f"党员名册中“{name}”的身份证号与填写的不一致，请核对。")
                who = f"“{name}”" if name else f"身份证号为 {M['id_number'].display(id_number, masked=True)} 的党员"
                raise _Miss("member_id", f"党员名册中没有{who}，请先导入或添加该党员。")
        else:
            if not name:
                raise _Miss("member_id", "请填写中心户党员的姓名或身份证号。")
            candidates = list(self.by_name.get(_norm_name(name), []))
            if not candidates:
                raise _Miss("member_id", f"党员名册中没有“{name}”，请先导入或添加该党员。")
            if masked:  # 420303********0648 from a masked export tells namesakes apart
                candidates = [m for m in candidates if self._masks(m) == masked] or candidates
        if prefer in candidates:
            return prefer
        if len(candidates) > 1:
            fitting = [m for m in candidates
                       if all(_fits(p, self.addresses.place(self.household(m))) for p in places)]
            if places and not fitting:
                raise _Miss("member_id", f"党员名册中有 {len(candidates)} 位“{name}”，住址都与填写的不符，"
                                         "请核对住址，或填写身份证号。")
            candidates = fitting
            if len(candidates) > 1 and phone:
                candidates = [m for m in candidates if self.snapshot[m]["phone"] == phone] or candidates
            if len(candidates) > 1:
                raise _Miss("member_id", f"党员名册中有 {len(candidates)} 位“{name}”，请填写身份证号，"
                                         "或填写住址（如 5号楼1单元502）以区分。")
            return candidates[0]
        [found] = candidates
        home = self.addresses.place(self.household(found))
        misfit = next((p for p in places if not _fits(p, home)), None)
        if home is not None and misfit is not None:
            # A namesake who is not on the roster yet must not take this member's place.
            raise _Miss("member_id", f"党员名册中的“{name}”住在{_place_text(home)}，与填写的住址不符，"
                                     "请核对住址，或填写身份证号。")
        return found


def _plan_center_households(session: Session, table: Table, report: Report | None = None) -> list[PlannedRow]:
    addresses = org_service.AddressBook(session)
    roster = _Roster(session, addresses)
    stored = _stored_center_households(session)
    by_id = {s.id: s for s in stored.values() if s.live and s.member_id in roster.snapshot}
    headers = table.headers
    seen: dict[tuple[str, int], int] = {}
    parsers = column_parsers(FIELDS)
    planned: list[PlannedRow] = []
    for given in read_rows(table, BY_KEY, CENTER_HOUSEHOLDS, report):
        excel_row, raw, problems, code = given.excel_row, given.raw, given.problems, given.code
        row = PlannedRow(excel_row, given.cells)
        problems.pop("phone", None)  # the phone only helps to find the member
        coded = by_id.get(code)
        name = clean_text(raw.get("member_id")) or None
        member_id = _find_member(roster, raw, problems, name, coded, parsers)
        row.name = roster.name(member_id) if member_id is not None else (name or "")

        target: _Stored | None = None
        own = None
        if member_id is not None:
            own = roster.household(member_id)
            if own is None:
                problems.setdefault("member_id", f"党员“{roster.name(member_id)}”在党员名册中还没有登记住址，"
                                                 "请先在党员名册中填写住址。")
            target = _target(member_id, coded, stored, roster, problems)
            for key in (("member", member_id), ("record", target.id if target else 0)):
                if key[1] and key in seen:
                    problems.setdefault("", f"与第 {seen[key]} 行是同一位中心户党员，请删去重复的一行。")
                    break
            else:
                seen.setdefault(("member", member_id), excel_row)
                if target is not None:
                    seen.setdefault(("record", target.id), excel_row)

        values = dict(target.values) if target else {"appointed_on": None, "note": None,
                                                     **dict.fromkeys(HAVE_KEYS, False)}
        given = _parse_values(raw, problems, parsers)
        values.update(given)
        served = _served(raw, problems, addresses, own, target, headers)

        row.record_id = target.id if target else None
        if problems:
            row.status = INVALID
            row.problems = [Problem(headers.get(k, BY_KEY[k].label if k in BY_KEY else ""), msg)
                            for k, msg in problems.items()]
        else:
            row.values = {"member_id": member_id, **values, "served_ids": sorted(served)}
            if target is None:
                row.status = NEW
            else:
                row.changes = _changes(target, member_id, given, values, served, roster, addresses)
                row.status = CHANGED if row.changes else UNCHANGED
        planned.append(row)
    return planned


def _find_member(roster: _Roster, raw: dict, problems: dict, name: str | None, coded: _Stored | None,
                 parsers: dict) -> int | None:
    """The row's member, or None with the reason in problems; parsers: the file's column parsers."""
    text = raw.get("id_number")
    masked = text if text and "*" in text else None
    id_number = None
    if text and not masked:
        try:
            id_number = parsers["id_number"](text)
        except Invalid as exc:
            problems["id_number"] = str(exc)
            return None
    if "id_number" in problems:  # stored by Excel as a number: no telling whom it names
        return None
    places = [p for p in (_parse_place(raw.get(k)) for k in ("address", "building_unit") if raw.get(k)) if p]
    try:
        phone = parse_phone(raw.get("phone"))
    except Invalid:
        phone = None
    try:
        member_id = roster.find(name, id_number, masked, places, phone, coded.member_id if coded else None)
    except _Miss as exc:
        problems[exc.key] = str(exc)
        return None
    if masked:  # the mask must be that of the member's stored number
        take_masked_numbers({"id_number": masked}, problems, roster.snapshot[member_id], M)
        if "id_number" in problems:
            return None
    return member_id


def _target(member_id: int, coded: _Stored | None, stored: dict[int, _Stored], roster: _Roster,
            problems: dict) -> _Stored | None:
    """The saved record the row updates: the one its code names (which may pass to
    another member), else the member's own; None for a new (or restored) one."""
    own = stored.get(member_id)
    if coded is None or coded.member_id == member_id:
        return coded or (own if own and own.live else None)
    if own is not None and own.live:
        problems.setdefault("", f"“{roster.name(member_id)}”已经是党员中心户（记录编号 ZX{own.id:06d}），"
                                "与本行的记录编号不是同一条，请核对记录编号。")
    elif own is not None:
        problems.setdefault("", f"“{roster.name(member_id)}”原有一条已删除的党员中心户记录：请删去本行的记录编号，"
                                "导入时会恢复那条记录。")
    return coded


def _parse_values(raw: dict, problems: dict, parsers: dict) -> dict:
    """确定时间, the 四有 and 备注 as far as the file gives them; parsers: the file's column parsers."""
    values: dict = {}
    if "four_haves" in raw:
        try:
            values.update(_parse_four_haves(raw["four_haves"]))
        except Invalid as exc:
            problems["four_haves"] = str(exc)
    for key in SAVED_KEYS:
        # a separate 有能力 column, where filled, says more than the combined one
        if key not in raw or (key in HAVE_KEYS and "four_haves" in raw and raw[key] is None):
            continue
        try:
            values[key] = parsers[key](raw[key])
        except Invalid as exc:
            problems[key] = str(exc)
    return values


def _served(raw: dict, problems: dict, addresses: org_service.AddressBook, own: int | None,
            target: _Stored | None, headers: dict) -> set[int]:
    """The served household ids, the member's own household left out (as saving does)."""
    if "served" in raw:
        ids: set[int] = set()
        unknown: list[str] = []
        for item in _SPLIT.split(clean_text(raw["served"])):
            if not item:
                continue
            try:
                ids.add(addresses.resolve_near(item, own))
            except Invalid as exc:
                unknown.append(str(exc))
        if unknown:
            problems["served"] = "".join(dict.fromkeys(unknown))
            return set()
        dropped = own in ids
        ids.discard(own)
    else:  # a file that does not carry the served households keeps them
        ids = set(target.served) - {own} if target else set()
        dropped = False
    if not ids:
        problems.setdefault("served", "请至少填写一户联系户（中心户党员自己家不算）。")
        return ids
    if raw.get("served_count"):
        try:
            count = _parse_count(raw["served_count"])
        except Invalid as exc:
            problems["served_count"] = str(exc)
            return ids
        if count != len(ids) and "served" in raw:
            listed = headers.get("served", SERVED_FIELD.label)
            note = "（不含中心户党员自己家）" if dropped else ""
            problems["served_count"] = f"填的是 {count} 户，但“{listed}”中列出了 {len(ids)} 户{note}，请核对。"
        elif count != len(ids):
            problems["served_count"] = f"填的是 {count} 户，但登记的联系户是 {len(ids)} 户，请核对。"
    return ids


def _changes(target: _Stored, member_id: int, given: dict, values: dict, served: set[int], roster: _Roster,
             addresses: org_service.AddressBook) -> list[Change]:
    changes = []
    if member_id != target.member_id:
        changes.append(Change(C["member_id"].label, roster.name(target.member_id), roster.name(member_id)))
    for key in SAVED_KEYS:  # in the order of the export's columns: 联系户 comes before 备注
        if key == "note" and served != target.served:
            added = sorted((addresses.short(h) for h in served - target.served), key=_natural)
            removed = sorted((addresses.short(h) for h in target.served - served), key=_natural)
            detail = "；".join(part for part in (
                f"增加 {'、'.join(added)}" if added else "", f"减少 {'、'.join(removed)}" if removed else "") if part)
            changes.append(Change(SERVED_FIELD.label, f"{len(target.served)} 户", f"{len(served)} 户（{detail}）"))
        if key in given and values[key] != target.values[key]:
            f = C[key]
            changes.append(Change(f.label, display(f, target.values[key]), display(f, values[key])))
    return changes


def _save_center_households(session: Session, rows: list[PlannedRow]) -> int:
    for r in rows:
        values = dict(r.values)
        served = values.pop("served_ids")
        people.save_center_household(session, values, served, r.record_id)
    return len(rows)


KIND = ImportKind(CENTER_HOUSEHOLDS, "党员中心户台账", FIELDS, _plan_center_households, _save_center_households)
