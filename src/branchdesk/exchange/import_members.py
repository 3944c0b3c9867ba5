"""Importing the member roster (党员花名册): people matched by record code, ID
number, or name and phone; addresses resolved to households; branches and party
groups by name."""
from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy.orm import Session

from .. import fields as F
from ..fields import MEMBER_FIELDS, by_key, column_parsers, parse_record
from ..services import org as org_service
from ..services import people
from ..validation import Invalid, clean_text
from .plan import (
    CHANGED,
    INVALID,
    UNCHANGED,
    UNREAD,
    Change,
    ImportKind,
    PlannedRow,
    Problem,
    Report,
    RowReader,
    display,
    parsed_column,
    progress,
    table_columns,
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


class _Planner:
    """What planning a member roster knows, loaded once, and how it plans a row."""

    def __init__(self, session: Session, table: Table):
        self.session = session
        self.snapshot = snapshot = people.member_snapshot(session)
        self.by_id_number = {v["id_number"]: mid for mid, v in snapshot.items() if v["id_number"]}
        self.by_name_phone = {(v["name"], v["phone"]): mid for mid, v in snapshot.items() if v["phone"]}
        self.others = people.resident_names_by_id_number(session)  # ID numbers of non-members (leaders)
        self.addresses = org_service.AddressBook(session)
        self.orgs = _PartyOrgs(session)
        self.headers = table.headers
        self.seen: dict[object, int] = {}
        self.parsers = column_parsers(MEMBER_FIELDS)
        self.read = RowReader(table, M, "members")

    def column(self, cells: Sequence[object], key: str) -> tuple[list, bool]:
        """A column's cells parsed as read_row parses them, UNREAD where a row must be read
        on its own."""
        f = M[key]
        parse = f.parser  # parsed_column parses each distinct cell once already
        if key == "party_org_id":
            resolve = self.orgs.resolve
            return parsed_column(cells, f, lambda text: parse(resolve(text) if text else text))
        if key in ("id_number", "phone"):
            def unmasked(text):
                if text and "*" in text:  # take_masked_numbers decides, row by row
                    raise Invalid(text)
                return parse(text)
            return parsed_column(cells, f, unmasked)
        return parsed_column(cells, f, parse)

    def read_row(self, excel_row: int, cells: list) -> tuple[dict, dict, dict, int | None]:
        """A row as it came: (values, errors, problems, matched member id)."""
        given = self.read(excel_row, cells)
        raw, problems, code = given.raw, given.problems, given.code
        if raw.get("party_org_id"):
            try:
                raw["party_org_id"] = self.orgs.resolve(raw["party_org_id"])
            except Invalid as exc:
                problems["party_org_id"] = str(exc)
                del raw["party_org_id"]
        match = code if code in self.snapshot else None
        take_masked_numbers(raw, problems, self.snapshot.get(match), M)
        values, errors = parse_record(MEMBER_FIELDS, raw, new=False, parsers=self.parsers)
        match = self.match(match, values)
        if match is None and any(f.key not in raw for f in _REQUIRED):
            # a new member: the required fields must be there (parsed again only when a column
            # is missing: a field present parses the same either way)
            values, errors = parse_record(MEMBER_FIELDS, raw, new=True, parsers=self.parsers)
        return values, errors, problems, match

    def match(self, match: int | None, values: dict) -> int | None:
        """The member a row is, by record code, else ID number, else name and phone."""
        idn = values.get("id_number")
        if match is None and idn:
            match = self.by_id_number.get(idn)
        if match is None and not idn and values.get("name") and values.get("phone"):
            match = self.by_name_phone.get((values["name"], values["phone"]))
        return match

    def finish(self, excel_row: int, cells: list, values: dict, errors: dict, problems: dict,
               match: int | None) -> PlannedRow:
        """The checks across fields and rows, and the row's verdict."""
        people.check_member(values, errors)
        if "address" in values and "address" not in errors:
            try:
                values["household_id"] = self.addresses.resolve(values["address"])
            except Invalid as exc:
                errors["address"] = str(exc)
        idn = values.get("id_number")
        snapshot = self.snapshot
        if idn and "id_number" not in errors:
            holder = self.by_id_number.get(idn)
            if holder is not None and holder != match:
                errors["id_number"] = f"这个身份证号已登记在党员“{snapshot[holder]['name']}”名下，请核对。"
            elif match is None and idn in self.others and values.get("name") and self.others[idn] != values["name"]:
                errors["id_number"] = f"这个身份证号已登记在“{self.others[idn]}”名下，与填写的姓名不一致，请核对。"
        if idn:
            person: object = idn
        elif values.get("name") and values.get("phone"):
            person = (values["name"], values["phone"])
        else:
            person = None
        seen = self.seen
        if person is not None and person in seen:
            problems.setdefault("", f"与第 {seen[person]} 行是同一个人，请删去重复的一行。")
        elif person is not None:
            seen[person] = excel_row
        errors.update(problems)
        row = PlannedRow(excel_row, cells, record_id=match,
                         name=values.get("name") or (snapshot[match]["name"] if match else ""))
        if errors:
            row.status = INVALID
            headers = self.headers
            row.problems = [Problem(headers.get(k, M[k].label if k in M else ""), msg) for k, msg in errors.items()]
        else:
            row.values = values
            if match is not None:
                row.changes = _member_changes(self.session, snapshot[match], values)
                row.status = CHANGED if row.changes else UNCHANGED
        return row


def _plan_members(session: Session, table: Table, report: Report | None = None) -> list[PlannedRow]:
    planner = _Planner(session, table)
    # Every column parsed first, each distinct value once; a row whose cells all read and
    # parse is planned from those values; any other row is read on its own, as it came,
    # for its exact messages.
    keys = [f.key for f in MEMBER_FIELDS if f.key in table.columns]
    cells_of = table_columns(table)
    columns = []
    unread: set[int] = set()
    for key in keys:
        values, any_unread = planner.column(cells_of[table.columns[key]], key)
        columns.append(values)
        if any_unread:
            unread.update(i for i, v in enumerate(values) if v is UNREAD)
    missing_required = any(f.key not in table.columns for f in _REQUIRED)
    codes = ([planner.read.code(cells) for _r, cells in table.rows] if "record_code" in table.columns
             else [None] * len(table.rows))
    step = progress(report, len(table.rows))
    planned: list[PlannedRow] = []
    snapshot = planner.snapshot
    for n, ((excel_row, cells), parsed, code) in enumerate(zip(table.rows, zip(*columns) if columns
                                                               else [()] * len(table.rows), codes)):
        step(n)
        if n not in unread:
            values = dict(zip(keys, parsed))
            match = planner.match(code if code in snapshot else None, values)
            if match is not None or not missing_required:
                planned.append(planner.finish(excel_row, cells, values, {}, {}, match))
                continue
        planned.append(planner.finish(excel_row, cells, *planner.read_row(excel_row, cells)))
    step(len(table.rows))
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
