"""Importing the member roster (党员花名册): people matched by record code, ID
number, or name and phone; addresses resolved to households; branches and party
groups by name."""
from __future__ import annotations

import re

from sqlalchemy.orm import Session

from .. import fields as F
from ..fields import MEMBER_FIELDS, ColumnParser, by_key, parse_record
from ..services import org as org_service
from ..services import people
from ..validation import Invalid, clean_text
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

# The export's first column: a stable code per record, so an edited export comes
# back onto the same records even where ID numbers were missing or corrected.
from .writer import CODE_FIELD

M = by_key(MEMBER_FIELDS)
_REQUIRED = tuple(f for f in MEMBER_FIELDS if f.required)


class _PartyOrgs:
    """Branch and party group names as rosters write them: 第一党小组, 启明小区党支部,
    or 启明小区党支部/第一党小组."""

    def __init__(self, session: Session):
        self._ids: dict[str, set[int]] = {}
        self._resolved: dict[str, int | str] = {}  # text → id, or why it is refused: rows repeat a few names
        for choice in org_service.party_org_choices(session):
            full = self._norm(choice.label)
            short = self._norm(choice.label.rsplit("/", 1)[-1])
            for name in {full, short}:
                self._ids.setdefault(name, set()).add(choice.id)

    @staticmethod
    def _norm(text: str) -> str:
        return re.sub(r"\s+", "", clean_text(text) or "")

    def resolve(self, text: str) -> int:
        found = self._resolved.get(text)
        if found is None:
            try:
                found = self._resolve(text)
            except Invalid as exc:
                found = str(exc)
            self._resolved[text] = found
        if isinstance(found, str):
            raise Invalid(found)
        return found

    def _resolve(self, text: str) -> int:
        ids = self._ids.get(self._norm(text), set())
        if len(ids) == 1:
            return next(iter(ids))
        if ids:
            raise Invalid(f"有几个党组织都叫“{text}”，请写成“支部名/党小组名”。")
        raise Invalid(f"“{text}”不在组织架构的党组织中，请核对名称，或先在“组织架构”中添加。")


def _plan_members(session: Session, table: Table, report: Report | None = None) -> list[PlannedRow]:
    snapshot = people.member_snapshot(session)
    by_id_number = {v["id_number"]: mid for mid, v in snapshot.items() if v["id_number"]}
    by_name_phone = {(v["name"], v["phone"]): mid for mid, v in snapshot.items() if v["phone"]}
    others = people.resident_names_by_id_number(session)  # ID numbers of non-members (leaders)
    addresses = org_service.AddressBook(session)
    orgs = _PartyOrgs(session)
    headers = table.headers
    seen: dict[object, int] = {}
    planned: list[PlannedRow] = []
    parsers = {f.key: ColumnParser(f) for f in MEMBER_FIELDS}
    for given in read_rows(table, M, "members", report):
        excel_row, raw, problems, code = given.excel_row, given.raw, given.problems, given.code
        row = PlannedRow(excel_row, given.cells)
        if raw.get("party_org_id"):
            try:
                raw["party_org_id"] = orgs.resolve(raw["party_org_id"])
            except Invalid as exc:
                problems["party_org_id"] = str(exc)
                del raw["party_org_id"]
        match = code if code in snapshot else None
        take_masked_numbers(raw, problems, snapshot.get(match), M)
        values, errors = parse_record(MEMBER_FIELDS, raw, new=False, parsers=parsers)
        idn = values.get("id_number")
        if match is None and idn:
            match = by_id_number.get(idn)
        if match is None and not idn and values.get("name") and values.get("phone"):
            match = by_name_phone.get((values["name"], values["phone"]))
        if match is None and any(f.key not in raw for f in _REQUIRED):
            # a new member: the required fields must be there (parsed again only when a column
            # is missing: a field present parses the same either way)
            values, errors = parse_record(MEMBER_FIELDS, raw, new=True, parsers=parsers)
        people.check_member(values, errors)
        if "address" in values and "address" not in errors:
            try:
                values["household_id"] = addresses.resolve(values["address"])
            except Invalid as exc:
                errors["address"] = str(exc)
        if idn and "id_number" not in errors:
            holder = by_id_number.get(idn)
            if holder is not None and holder != match:
                errors["id_number"] = f"这个身份证号已登记在党员“{snapshot[holder]['name']}”名下，请核对。"
            elif match is None and idn in others and values.get("name") and others[idn] != values["name"]:
                errors["id_number"] = f"这个身份证号已登记在“{others[idn]}”名下，与填写的姓名不一致，请核对。"
        if idn:
            person: object = idn
        elif values.get("name") and values.get("phone"):
            person = (values["name"], values["phone"])
        else:
            person = None
        if person is not None and person in seen:
            problems.setdefault("", f"与第 {seen[person]} 行是同一个人，请删去重复的一行。")
        elif person is not None:
            seen[person] = excel_row
        errors.update(problems)
        row.name = values.get("name") or (snapshot[match]["name"] if match else "")
        row.record_id = match
        if errors:
            row.status = INVALID
            row.problems = [Problem(headers.get(k, M[k].label if k in M else ""), msg) for k, msg in errors.items()]
        else:
            row.values = values
            if match is None:
                row.status = NEW
            else:
                row.changes = _member_changes(session, snapshot[match], values)
                row.status = CHANGED if row.changes else UNCHANGED
        planned.append(row)
    return planned


def _member_changes(session: Session, old: dict, new: dict) -> list[Change]:
    changes = []
    for f in MEMBER_FIELDS:
        if f.key not in new:
            continue
        if f.key == "address":
            if new.get("household_id") != old["household_id"]:
                changes.append(Change(f.label, org_service.address_of(session, old["household_id"]) or "（空）",
                                      org_service.address_of(session, new.get("household_id")) or "（空）"))
            continue
        before, after = old.get(f.key), new[f.key]
        if f.kind == F.BOOL:
            before, after = bool(before), bool(after)
        if before != after:
            changes.append(Change(f.label, display(f, before), display(f, after)))
    return changes


def _save_members(session: Session, rows: list[PlannedRow]) -> int:
    return people.bulk_save_members(session, [(r.record_id, r.values) for r in rows])


KIND = ImportKind("members", "党员名册", (CODE_FIELD, *MEMBER_FIELDS), _plan_members, _save_members)
