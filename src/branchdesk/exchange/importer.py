"""Importing a roster: plan first (new / changed / unchanged / invalid, field by
field), then apply the whole plan in one transaction, or nothing at all.

Planning reads the database but never writes it, so the preview shown to the
secretary is exactly what applying will do. A file with any invalid row is not
applied: the rows go back to the sender as an error workbook instead.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from .. import fields as F
from ..fields import MEMBER_FIELDS, by_key, parse_record
from ..services import people
from ..services import org as org_service
from ..validation import Invalid, clean_text
from . import ExchangeError
from .reader import CellError, Table, cell_text, choose_sheet, locate_table, read_workbook
# The export's first column: a stable code per record, so an edited export comes
# back onto the same records even where ID numbers were missing or corrected.
from .writer import CODE_FIELD, parse_record_code


NEW, CHANGED, UNCHANGED, INVALID = "new", "changed", "unchanged", "invalid"
STATUS_LABELS = {NEW: "新增", CHANGED: "修改", UNCHANGED: "无变化", INVALID: "有问题"}

Report = Callable[[int, int, str], None]


@dataclass
class Problem:
    column: str  # the header as written in the file, or "" for the row as a whole
    message: str


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class PlannedRow:
    excel_row: int
    cells: list
    status: str = NEW
    record_id: int | None = None
    name: str = ""
    values: dict = field(default_factory=dict)  # parsed and checked: what the service saves
    changes: list[Change] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def problem_text(self) -> str:
        return "；".join(f"{p.column}：{p.message}" if p.column else p.message for p in self.problems)


@dataclass
class ImportPlan:
    kind: str
    file_name: str
    sheet_name: str
    header_row: int
    header_cells: list
    ignored: list[str]
    rows: list[PlannedRow]

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def counts(self) -> dict[str, int]:
        return {s: self.count(s) for s in (NEW, CHANGED, UNCHANGED, INVALID)}

    @property
    def invalid(self) -> list[PlannedRow]:
        return [r for r in self.rows if r.status == INVALID]

    @property
    def to_save(self) -> list[PlannedRow]:
        return [r for r in self.rows if r.status in (NEW, CHANGED)]

    def where(self, row: PlannedRow) -> str:
        """“党员.xlsx”工作表“Sheet1”第 12 行 — how every message names its place."""
        return f"“{self.file_name}”工作表“{self.sheet_name}”第 {row.excel_row} 行"


# ---- kinds -----------------------------------------------------------------------------
@dataclass(frozen=True)
class ImportKind:
    key: str
    title: str  # what the file is, in messages: 党员名册
    fields: tuple[F.Field, ...]  # what the header is matched against
    plan: Callable[[Session, Table, Report | None], list[PlannedRow]]
    save: Callable[[Session, list[PlannedRow]], int]  # every new and changed row at once


def _no_report(_done: int, _total: int, _text: str = "") -> None:
    pass


# ---- members ---------------------------------------------------------------------------
M = by_key(MEMBER_FIELDS)


class _PartyOrgs:
    """Branch and party group names as rosters write them: 第一党小组, 启明小区党支部,
    or 启明小区党支部/第一党小组."""

    def __init__(self, session: Session):
        self._ids: dict[str, set[int]] = {}
        for choice in org_service.party_org_choices(session):
            full = self._norm(choice.label)
            short = self._norm(choice.label.rsplit("/", 1)[-1])
            for name in {full, short}:
                self._ids.setdefault(name, set()).add(choice.id)

    @staticmethod
    def _norm(text: str) -> str:
        return re.sub(r"\s+", "", clean_text(text) or "")

    def resolve(self, text: str) -> int:
        ids = self._ids.get(self._norm(text), set())
        if len(ids) == 1:
            return next(iter(ids))
        if ids:
            raise Invalid(f"有几个党组织都叫“{text}”，请写成“支部名/党小组名”。")
        raise Invalid(f"“{text}”不在组织架构的党组织中，请核对名称，或先在“组织架构”中添加。")


def _display(f: F.Field, value) -> str:
    # the preview is shown and printed: ID and phone numbers stay masked
    return f.display(value, masked=f.sensitive) if value not in (None, "") else "（空）"


def _plan_members(session: Session, table: Table, report: Report | None = None) -> list[PlannedRow]:
    report = report or _no_report
    snapshot = people.member_snapshot(session)
    by_id_number = {v["id_number"]: mid for mid, v in snapshot.items() if v["id_number"]}
    by_name_phone = {(v["name"], v["phone"]): mid for mid, v in snapshot.items() if v["phone"]}
    others = people.resident_names_by_id_number(session)  # ID numbers of non-members (leaders)
    addresses = org_service.AddressBook(session)
    orgs = _PartyOrgs(session)
    headers = table.headers
    seen: dict[object, int] = {}
    planned: list[PlannedRow] = []
    total = len(table.rows)
    for n, (excel_row, cells) in enumerate(table.rows):
        if n % 500 == 0:
            report(n, total, f"正在检查第 {n + 1} / {total} 行…")
        row = PlannedRow(excel_row, cells)
        problems: dict[str, str] = {}
        raw: dict = {}
        code = None
        for key, col in table.columns.items():
            if key == "record_code":
                parsed = parse_record_code(cells[col])
                code = parsed[1] if parsed and parsed[0] == "members" else None
                continue
            f = M[key]
            try:
                text = cell_text(cells[col], f)
            except CellError as exc:
                problems[key] = str(exc)
                continue
            if key == "party_org_id" and text:
                try:
                    text = orgs.resolve(text)
                except Invalid as exc:
                    problems[key] = str(exc)
                    continue
            raw[key] = text
        match = code if code in snapshot else None
        _take_masked_numbers(raw, problems, snapshot.get(match))
        values, errors = parse_record(MEMBER_FIELDS, raw, new=False)
        idn = values.get("id_number")
        if match is None and idn:
            match = by_id_number.get(idn)
        if match is None and not idn and values.get("name") and values.get("phone"):
            match = by_name_phone.get((values["name"], values["phone"]))
        if match is None:  # a new member: the required fields must be there
            values, errors = parse_record(MEMBER_FIELDS, raw, new=True)
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
    report(total, total, "检查完成")
    return planned


def _take_masked_numbers(raw: dict, problems: dict, stored: dict | None) -> None:
    """A roster exported with 隐藏部分号码 comes back with 110105********002X: where that
    is the mask of what is stored the number is unchanged; otherwise it cannot be used."""
    for key in ("id_number", "phone"):
        text = raw.get(key)
        if not text or "*" not in text:
            continue
        f = M[key]
        if stored is not None and f.display(stored.get(key), masked=True) == text:
            del raw[key]
        else:
            problems[key] = (f"{f.label}是隐藏了部分数字的（如 138****8000），无法导入：请填写完整号码，"
                             "或用“显示完整号码”导出的表格。")


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
            changes.append(Change(f.label, _display(f, before), _display(f, after)))
    return changes


def _save_members(session: Session, rows: list[PlannedRow]) -> int:
    return people.bulk_save_members(session, [(r.record_id, r.values) for r in rows])


MEMBERS = ImportKind("members", "党员名册", (CODE_FIELD, *MEMBER_FIELDS), _plan_members, _save_members)
KINDS: dict[str, ImportKind] = {k.key: k for k in (MEMBERS,)}


# ---- the whole import ------------------------------------------------------------------------
def plan_import(session: Session, path: str | Path, *, kind: str | None = None, sheet: str | None = None,
                report: Report | None = None) -> ImportPlan:
    """Read the file and plan the import; raises ExchangeError when the file cannot
    be used at all (unreadable, no header, unknown kind)."""
    name = Path(path).name
    sheets = read_workbook(path)
    if sheet is not None:
        sheets = [s for s in sheets if s.name == sheet]
        if not sheets:
            raise ExchangeError(f"“{name}”中没有名为“{sheet}”的工作表，请核对工作表名称。")
    chosen_kind = KINDS.get(kind) if kind else None
    if kind and chosen_kind is None:
        raise ExchangeError(f"不认识的名册类型“{kind}”，可用的有：{'、'.join(KINDS)}。")
    candidates = [chosen_kind] if chosen_kind else list(KINDS.values())
    best = None
    for k in candidates:
        found = choose_sheet(sheets, k.fields)
        if found is not None:
            table = locate_table(found, k.fields)
            score = len(table.columns)
            if best is None or score > best[0]:
                best = (score, k, table, found)
    if best is None:
        wanted = chosen_kind.title if chosen_kind else "名册"
        raise ExchangeError(f"“{name}”中找不到{wanted}的表头（如“姓名”“身份证号”），请确认选择了正确的文件。")
    _score, k, table, found = best
    if not table.rows:
        raise ExchangeError(f"“{name}”工作表“{found.name}”只有表头，没有数据行。")
    header_cells = _header_cells(found.rows, table)
    rows = k.plan(session, table, report)
    return ImportPlan(k.key, name, found.name, table.header_row, header_cells, table.ignored, rows)


def _header_cells(rows: Sequence[Sequence[object]], table: Table) -> list:
    width = max((len(c) for _r, c in table.rows), default=0)
    upper = list(rows[table.header_row - 1])
    lower = list(rows[table.header_row]) if table.header_height == 2 else []
    cells = []
    for i in range(width):
        low = lower[i] if i < len(lower) else None
        up = upper[i] if i < len(upper) else None
        cells.append(low if low is not None else up)
    return cells


def apply_plan(session: Session, plan: ImportPlan, report: Report | None = None) -> int:
    """Save every new and changed row; the caller's transaction makes it all or nothing.
    Refuses a plan with invalid rows: never half an import."""
    if plan.invalid:
        raise ExchangeError(f"“{plan.file_name}”有 {len(plan.invalid)} 行有问题，没有导入任何数据，请修改后重新导入。")
    report = report or _no_report
    rows = plan.to_save
    report(0, len(rows), f"正在导入 {len(rows)} 条…")
    saved = KINDS[plan.kind].save(session, rows)
    report(len(rows), len(rows), "导入完成")
    return saved


def write_error_workbook(plan: ImportPlan, path: str | Path) -> None:
    """The rejected rows as they came, with a column saying what is wrong, so the
    sender can fix them and send the file again."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "有问题的行"
    ws.append(["原行号", *[("" if c is None else str(c)) for c in plan.header_cells], "问题说明"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F6D7D3")
    for row in plan.invalid:
        values = [row.excel_row, *row.cells]
        values.extend([None] * (len(plan.header_cells) - len(row.cells)))
        values.append(row.problem_text())
        ws.append(values)
    for cells in ws.iter_rows(min_row=2):
        for cell in cells:
            if cell.data_type == "f":  # "=…" as typed stays text, never a formula
                cell.data_type = "s"
            elif isinstance(cell.value, str):
                cell.number_format = "@"
            elif hasattr(cell.value, "year"):
                cell.number_format = "yyyy-mm-dd"
        cells[-1].alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions[ws.cell(1, ws.max_column).column_letter].width = 60
    ws.freeze_panes = "B2"
    wb.save(path)
