"""What an import plans to do, row by row: the types every import kind fills in.

Planning reads the database but never writes it, so the preview shown to the
secretary is exactly what applying will do."""
from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from .. import fields as F
from ..validation import Invalid
from .reader import CellError, Table, cell_text, normalise_header

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


def layout_signature(kind: str, header_cells: list) -> str:
    """A file's layout: its kind and its header as compared. Files of the same
    layout reuse the column mapping confirmed for the first of them."""
    return kind + "|" + "|".join(normalise_header(c) for c in header_cells)


# Headers that are never a field: a missing required column is not looked for there.
NEVER_FIELDS = frozenset({"序号", "序", "no", "no.", "照片", "签名", "签字", "本人签字"})


@dataclass
class ColumnInfo:
    """One column of the file's header, as the mapping dialog shows it."""

    index: int
    header: str  # as written
    norm: str  # as compared (reader.normalise_header)
    key: str | None  # the field it was read as, or None when not imported
    guess: str | None = None  # for an unmatched header: the field it probably means
    samples: list[str] = field(default_factory=list)  # the first few values below it


@dataclass
class Hidden:
    """What the workbook hides in Excel or WPS, and what the import did with it: hidden
    sheets and rows are left out unless the secretary asks for them."""

    sheets: list[tuple[str, int]] = field(default_factory=list)  # a hidden sheet and its data rows
    rows: int = 0  # hidden rows with values in the imported sheet(s), below the header
    included: bool = False  # asked for: read with the rest

    def __bool__(self) -> bool:
        return bool(self.sheets or self.rows)

    def text(self) -> str:
        """跳过隐藏的工作表“旧名册”（10 行）、隐藏的行 3 行 — as the preview and the command line say it."""
        parts = [f"隐藏的工作表“{name}”" + (f"（{rows} 行）" if rows else "") for name, rows in self.sheets]
        if self.rows:
            parts.append(f"隐藏的行 {self.rows} 行")
        return ("包括了" if self.included else "跳过") + "、".join(parts)


@dataclass
class ImportPlan:
    kind: str
    file_name: str
    sheet_name: str
    header_row: int
    header_cells: list
    ignored: list[str]
    rows: list[PlannedRow]
    layout: list[ColumnInfo] = field(default_factory=list)
    other_sheets: list[str] = field(default_factory=list)  # further sheets that look like this roster
    missing_required: list[str] = field(default_factory=list)  # labels of required fields with no column
    mapped: bool = False  # read with a mapping the secretary confirmed
    hidden: Hidden = field(default_factory=Hidden)  # hidden sheets and rows, left out or included
    left_out: list[tuple[str, str]] = field(default_factory=list)  # (sheet, cell): stray cells far outside, unread

    @property
    def unsure(self) -> bool:
        """Whether the secretary should confirm how the columns were read: a header
        looks like a field it was not read as, or a required field has no column
        while some column (other than the usual 序号, 照片 …) was left unread."""
        unmatched = any(c.key is None and c.norm and c.norm not in NEVER_FIELDS for c in self.layout)
        return any(c.guess for c in self.layout) or bool(self.missing_required and unmatched)

    @property
    def signature(self) -> str:
        return layout_signature(self.kind, [c.header for c in self.layout])

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




@contextmanager
def gc_held():
    """Cyclic garbage collection held off while a file is planned, applied or written:
    reading and planning tens of thousands of rows make hundreds of thousands of lists,
    dicts and tuples (an export, a cell object per value), and the collector, run every few
    hundred new ones, kept walking them (planning 50,000 members took half as long again).
    These make no cycles that must be freed before they end; the collector runs again
    afterwards."""
    held = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if held:
            gc.enable()


def display(f: F.Field, value) -> str:
    # the preview is shown and printed: ID and phone numbers stay masked
    return f.display(value, masked=f.sensitive) if value not in (None, "") else "（空）"


def no_report(_done: int, _total: int, _text: str = "") -> None:
    pass


@dataclass
class RowInput:
    """One data row of a table as every kind first reads it: the text of each
    matched column, the cells that could not be read, and the record code."""

    excel_row: int
    cells: list
    raw: dict = field(default_factory=dict)  # field key → text (None for an empty cell)
    problems: dict = field(default_factory=dict)  # field key → what is wrong with the cell
    code: int | None = None  # the record id of this kind's record code, if the row has one


class RowReader:
    """Reads one data row of a table into a RowInput. Columns in skip are not read
    (those a roster shows but an import never sets)."""

    def __init__(self, table: Table, fields: dict[str, F.Field], kind: str, skip: tuple[str, ...] = ()):
        from .writer import parse_record_code  # the writer owns the codes it writes

        self._parse_code = parse_record_code
        self._kind = kind
        self._code_col = table.columns.get("record_code") if "record_code" not in skip else None
        # per column: key, index, field, and what each of its dates and numbers reads as
        self._columns = [(key, col, fields[key], {}) for key, col in table.columns.items()
                         if key not in skip and key != "record_code"]

    def code(self, cells: list) -> int | None:
        """The record id of this kind's record code in the row, if it has one."""
        if self._code_col is None:
            return None
        parsed = self._parse_code(cells[self._code_col])
        return parsed[1] if parsed and parsed[0] == self._kind else None

    def __call__(self, excel_row: int, cells: list) -> RowInput:
        row = RowInput(excel_row, cells)
        row.code = self.code(cells)
        raw = row.raw
        for key, col, f, known in self._columns:
            value = cells[col]
            # most cells are text or empty: cell_text's first two cases, without a call per cell
            if value is None:
                raw[key] = None
            elif value.__class__ is str:
                raw[key] = value.strip() or None
            else:
                # dates and numbers: a column repeats them (days of birth, of joining), and what
                # one reads as depends on its type, its value and the field alone
                typed = (value.__class__, value)
                found = known.get(typed)
                if found is None:
                    try:
                        found = known[typed] = (True, cell_text(value, f))
                    except CellError as exc:
                        found = known[typed] = (False, str(exc))
                if found[0]:
                    raw[key] = found[1]
                else:
                    row.problems[key] = found[1]
        return row


def progress(report: Report | None, total: int):
    """report's calls while rows are checked, every 500 rows and at the end: call the
    result with each row's index, then with total."""
    report = report or no_report

    def step(n: int) -> None:
        if n == total:
            report(total, total, "检查完成")
        elif n % 500 == 0:
            report(n, total, f"正在检查第 {n + 1} / {total} 行…")
    return step


def read_rows(table: Table, fields: dict[str, F.Field], kind: str, report: Report | None = None,
              skip: tuple[str, ...] = ()):
    """Yield a RowInput per data row, reporting progress every 500 rows. Columns in
    skip are not read (those a roster shows but an import never sets)."""
    read = RowReader(table, fields, kind, skip)
    step = progress(report, len(table.rows))
    for n, (excel_row, cells) in enumerate(table.rows):
        step(n)
        yield read(excel_row, cells)
    step(len(table.rows))


UNREAD = object()  # in parsed_column: a cell that needs reading on its own, for its message


def table_columns(table: Table) -> list[tuple]:
    """The table's cells column by column (each a tuple, row by row)."""
    if not table.rows:  # a package's sheet may have its header alone
        return [()] * (max(table.columns.values(), default=-1) + 1)
    return list(zip(*(cells for _r, cells in table.rows)))


_NUMBERS = frozenset({int, float, bool})


def parsed_column(cells: Sequence[object], f: F.Field, parse: Callable[[str | None], object]) -> tuple[list, bool]:
    """The cells of one column (table_columns) read as RowReader reads them and then parsed,
    each distinct cell once: the value of every row's cell, or UNREAD where the cell cannot
    be read or parse raises Invalid; and whether any cell is UNREAD. parse must give the same
    for the same text; a DATE field's date cells are given to it as dates, as Field.parse
    takes them, not as text."""
    dates = f.kind == F.DATE

    def one(value):
        if value is None:
            text = None
        elif value.__class__ is str:
            text = value.strip() or None
        elif dates and isinstance(value, date) and value.year >= 1000:
            text = value if value.__class__ is date else value.date()  # what its text would parse to
        else:
            try:
                text = cell_text(value, f)
            except CellError:
                return UNREAD
        try:
            return parse(text)
        except Invalid:
            return UNREAD

    distinct = set(cells)
    if not _NUMBERS.isdisjoint(map(type, distinct)):
        # 1, 1.0 and True are one key of a set but read differently: numbers keyed by their type
        typed = [(v.__class__, v) for v in cells]
        outcome = {t: one(t[1]) for t in set(typed)}
        values = list(map(outcome.__getitem__, typed))
    else:
        outcome = {v: one(v) for v in distinct}
        values = list(map(outcome.__getitem__, cells))
    return values, any(v is UNREAD for v in outcome.values())


def take_masked_numbers(raw: dict, problems: dict, stored: dict | None, fields: dict[str, F.Field]) -> None:
    """A roster exported with 隐藏部分号码 comes back with 110105********002X: where that
    is the mask of what is stored the number is unchanged; otherwise it cannot be used."""
    for key in ("id_number", "phone"):
        text = raw.get(key)
        if not text or "*" not in text:
            continue
        f = fields[key]
        if stored is not None and f.display(stored.get(key), masked=True) == text:
            del raw[key]
        else:
            problems[key] = (f"{f.label}是隐藏了部分数字的（如 138****8000），无法导入：请填写完整号码，"
                             "或用“显示完整号码”导出的表格。")
