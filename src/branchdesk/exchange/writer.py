"""Writing rosters to Excel: the exports a street office expects, and empty templates.

An export is built for printing and for coming back: a title, the export date and
a styled header, then one row per record whose first column is a stable record
code (DY000123), so an edited export re-imports onto the right records. ID numbers
and phones are text cells (never numbers, which would lose digits), dates are real
date cells, choices and yes/no values are written as the Chinese words.

Exports use openpyxl's write-only mode so 50,000 rows stay fast; templates need
data validations and are small, so they use a normal workbook.
"""
from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from copy import copy
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties
from sqlalchemy.orm import Session

from .. import fields as F
from ..fields import (
    CENTER_HOUSEHOLD_FIELDS,
    COMMITMENT_FIELDS,
    DECISION_FIELDS,
    DEMAND_DERIVED,
    DEMAND_FIELDS,
    FOUR_HAVES,
    HOUSEHOLD_DERIVED,
    HOUSEHOLD_FIELDS,
    ISSUE_FIELDS,
    ISSUE_STATE_FIELD,
    LEADER_FIELDS,
    MEMBER_FIELDS,
    PARTNER_DERIVED,
    PARTNER_FIELDS,
    PARTY_ORG_FIELDS,
    RESOURCE_DERIVED,
    RESOURCE_FIELDS,
    RESPONSIBILITY_FIELDS,
    SERVED_COUNT_FIELD,
    SERVED_FIELD,
    VERDICT_FIELD,
    Field,
    by_key,
)
from ..models.lists import DEMAND_CATEGORY, ISSUE_CATEGORY, ISSUE_SOURCE
from ..safefile import check_xlsx, write_bytes, write_error_text
from ..services import issues, lists, org, people
from ..validation import clean_text
from . import ExchangeError
from .plan import gc_held

# ---- kinds and record codes --------------------------------------------------------
MEMBERS = "members"
LEADERS = "building-leaders"
CENTER_HOUSEHOLDS = "center-households"
HOUSEHOLDS = "households"
PARTY_ORGS = "party-orgs"
# The lists and the residents' issues
PARTNERS = "partners"
RESOURCES = "resources"
DEMANDS = "demands"
RESPONSIBILITIES = "responsibilities"
ISSUES = "issues"
# In the order an import applies them: a resource names its partner.
LIST_KINDS = (PARTNERS, RESOURCES, DEMANDS, RESPONSIBILITIES, ISSUES)
KINDS = (MEMBERS, LEADERS, CENTER_HOUSEHOLDS, HOUSEHOLDS, PARTY_ORGS)  # the rosters
ALL_KINDS = (*KINDS, *LIST_KINDS)
PACKAGE = "package"  # every kind in one workbook, with a sheet of facts
LISTS = "lists"  # a workbook holding several of the lists, one sheet each (需求 / 资源 / 责任清单)
# The package's sheets in the order an import must apply them: the organisation
# before the people who live and serve in it, the people before the resources they offer.
PACKAGE_KINDS = (HOUSEHOLDS, PARTY_ORGS, MEMBERS, LEADERS, CENTER_HOUSEHOLDS, *LIST_KINDS)
# The meetings with their agenda, decisions and sign-in (exchange.meeting_sheets):
# exported alone or in the package, never imported.
MEETINGS = "meetings"

ROSTER_NAMES = {
    MEMBERS: "党员花名册",
    LEADERS: "楼栋长花名册",
    CENTER_HOUSEHOLDS: "党员中心户花名册",
    HOUSEHOLDS: "住户花名册",
    PARTY_ORGS: "党组织名册",
    PARTNERS: "红色合伙人",
    RESOURCES: "资源清单",
    DEMANDS: "需求清单",
    RESPONSIBILITIES: "责任清单",
    ISSUES: "居民问题",
    MEETINGS: "会议记录",
}
CODE_PREFIXES = {MEMBERS: "DY", LEADERS: "LD", CENTER_HOUSEHOLDS: "ZX", HOUSEHOLDS: "HH", PARTY_ORGS: "DZ",
                 PARTNERS: "HB", RESOURCES: "ZY", DEMANDS: "XQ", RESPONSIBILITIES: "ZR", ISSUES: "WT"}
_KIND_OF_PREFIX = {p: k for k, p in CODE_PREFIXES.items()}
_CODE = re.compile(rf"^({'|'.join(CODE_PREFIXES.values())})(\d{{1,12}})$")

# The package's facts sheet: one label and one value per row.
FACTS_SHEET = "基本信息"
FACT_COMMUNITY = "社区"
FACT_COMPOUNDS = "小区"
FACT_APP_VERSION = "软件版本"
FACT_SCHEMA = "数据版本"
FACT_DATABASE = "数据库标识"
FACT_EXPORTED_AT = "导出时间"
FACT_MASKED = "身份证号和电话"
FACT_COUNT_SUFFIX = "条数"

CODE_FIELD = Field("record_code", "记录编号", headers=("编号",), width=8)
MASKED_NOTE = "（已隐藏部分号码）"
TEXT_FORMAT = "@"
DATE_FORMAT = "yyyy-mm-dd"
HEADER_ROW = 3  # row 1 the title, row 2 the export date
TEMPLATE_ROWS = 1000  # rows a template's dropdowns cover (header included)
# A text starting with one of these would be taken as a formula by a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


KIND_CHOICES = ("党员（members）、楼栋长（building-leaders）、党员中心户（center-households）、"
                "住户（households）、党组织（party-orgs）、需求清单（demands）、资源清单（resources）、"
                "责任清单（responsibilities）、红色合伙人（partners）、居民问题（issues）、会议记录（meetings，只导出）")


def _check_kind(kind: str) -> None:
    if kind not in ALL_KINDS:
        raise ExchangeError(f"没有“{kind}”这种名册，可以导出：{KIND_CHOICES}，或全部数据（package）。")


def record_code(kind: str, record_id: int) -> str:
    """members 123 → DY000123 (six digits, more once ids pass 999999)."""
    _check_kind(kind)
    return f"{CODE_PREFIXES[kind]}{record_id:06d}"


def parse_record_code(text: object) -> tuple[str, int] | None:
    """DY000123 → ("members", 123); None for anything that is not a record code.
    Full-width letters and digits, spaces and lower case are forgiven."""
    if text is None or isinstance(text, bool):
        return None
    s = clean_text(text).replace(" ", "").upper()
    m = _CODE.match(s)
    if m is None or int(m.group(2)) == 0:
        return None
    return _KIND_OF_PREFIX[m.group(1)], int(m.group(2))


# ---- what each roster shows -----------------------------------------------------------
@dataclass(frozen=True)
class ExportColumn:
    field: Field
    attr: str  # the attribute of the listed row that holds the value


M = by_key(MEMBER_FIELDS)
L = by_key(LEADER_FIELDS)
C = by_key(CENTER_HOUSEHOLD_FIELDS)
R = by_key(RESOURCE_FIELDS)
# The columns of the residents' issues: the issue, where it stands, what was decided,
# promised and said. Decision and verdict are needed only from their step on.
ISSUE_COLUMNS: tuple[Field, ...] = (
    *ISSUE_FIELDS, ISSUE_STATE_FIELD, *(replace(f, required=False) for f in DECISION_FIELDS), *COMMITMENT_FIELDS,
    replace(VERDICT_FIELD, required=False))
# A resource's provider is one column (a partner's, a member's or a typed name); its kind says which.
RESOURCE_COLUMNS: tuple[Field, ...] = tuple(
    replace(f, required=False, hint="不填时按提供方判断：红色合伙人的名称即为红色合伙人，其余为其他")
    if f.key == "provider_kind" else f
    for f in RESOURCE_FIELDS if f.key not in ("partner_id", "member_id"))
# The choice lists the secretary edits, by the field that uses them.
EDITABLE_CHOICES = {(DEMANDS, "category"): DEMAND_CATEGORY, (RESOURCES, "categories"): DEMAND_CATEGORY,
                    (ISSUES, "category"): ISSUE_CATEGORY, (ISSUES, "source"): ISSUE_SOURCE}

def _columns(kind: str) -> tuple[ExportColumn, ...]:
    if kind == MEMBERS:
        return tuple(ExportColumn(f, f.key) for f in MEMBER_FIELDS)
    if kind == LEADERS:
        attrs = {"building_id": "building_full", "unit_id": "unit"}
        return tuple(ExportColumn(f, attrs.get(f.key, f.key)) for f in LEADER_FIELDS)
    if kind == CENTER_HOUSEHOLDS:
        return (ExportColumn(C["member_id"], "name"), ExportColumn(M["id_number"], "id_number"),
                ExportColumn(M["address"], "address"), ExportColumn(M["phone"], "phone"),
                ExportColumn(C["appointed_on"], "appointed_on"),
                *[ExportColumn(f, f.key) for f in FOUR_HAVES],
                ExportColumn(SERVED_COUNT_FIELD, "served_count"), ExportColumn(SERVED_FIELD, "served"),
                ExportColumn(C["note"], "note"))
    if kind == PARTY_ORGS:
        return tuple(ExportColumn(f, f.key) for f in PARTY_ORG_FIELDS)
    if kind in _LIST_FIELDS:
        attrs = {"compound_id": "compound"}
        return tuple(ExportColumn(f, attrs.get(f.key, f.key)) for f in _LIST_FIELDS[kind])
    return tuple(ExportColumn(f, f.key) for f in HOUSEHOLD_FIELDS)


_LIST_FIELDS = {PARTNERS: PARTNER_FIELDS, RESOURCES: RESOURCE_COLUMNS, DEMANDS: DEMAND_FIELDS,
                RESPONSIBILITIES: RESPONSIBILITY_FIELDS, ISSUES: ISSUE_COLUMNS}
# A duty's progress is read (street-office lists say how far each task is), its 完成日期 not:
# the import sets the progress on its own day.
DUTY_NOT_READ = ("done_on",)
# What a new record of a list is entered with: the columns an import does not read are left out.
_LIST_DERIVED = {PARTNERS: PARTNER_DERIVED, RESOURCES: RESOURCE_DERIVED, DEMANDS: DEMAND_DERIVED,
                 RESPONSIBILITIES: DUTY_NOT_READ}


def has_numbers_to_hide(kind: str) -> bool:
    """Whether the roster holds ID or phone numbers (the package: yes)."""
    return kind == PACKAGE or (kind != MEETINGS and any(c.field.sensitive for c in _columns(kind)))


def template_fields(kind: str, session: Session | None = None) -> tuple[Field, ...]:
    """The columns of an empty template: what a new record of the kind is entered with.
    With a session, a category column offers the database's current list."""
    _check_kind(kind)
    if kind in _LIST_FIELDS:
        derived = _LIST_DERIVED.get(kind, ())
        return tuple(_with_choices(session, kind, f) for f in _LIST_FIELDS[kind] if f.key not in derived)
    if kind == MEMBERS:
        return MEMBER_FIELDS
    if kind == LEADERS:
        return LEADER_FIELDS
    if kind == CENTER_HOUSEHOLDS:
        return (C["member_id"], replace(M["address"], hint="中心户党员的住址，用于区分同名党员"),
                C["appointed_on"], *FOUR_HAVES, replace(SERVED_FIELD, required=True), C["note"])
    if kind == PARTY_ORGS:
        return PARTY_ORG_FIELDS
    return tuple(f for f in HOUSEHOLD_FIELDS if f.key not in HOUSEHOLD_DERIVED)


def _with_choices(session: Session | None, kind: str, f: Field) -> Field:
    """A category column as a fixed choice of the current list (the import refuses others)."""
    choice_kind = EDITABLE_CHOICES.get((kind, f.key))
    if session is None or choice_kind is None:
        return f
    labels = lists.active_labels(session, choice_kind)
    if f.kind != F.CHOICE:  # several categories in one cell: the dropdown offers one, the note lists all
        return replace(f, hint=f"{f.hint}；可选：{'、'.join(labels)}" if f.hint else f"可选：{'、'.join(labels)}")
    return replace(f, open_choices=False, choices=tuple((label, label) for label in labels))


# ---- loading the rows --------------------------------------------------------------------
_LIST_LOADERS = {PARTNERS: lists.list_partners, RESOURCES: lists.list_resources, DEMANDS: lists.list_demands,
                 RESPONSIBILITIES: lists.list_responsibilities, ISSUES: issues.issue_roster}


def _load(session: Session, kind: str) -> list:
    if kind in _LIST_LOADERS:
        return _LIST_LOADERS[kind](session)
    if kind == MEMBERS:
        return people.list_members(session)
    if kind == LEADERS:
        return people.list_leaders(session)
    if kind == CENTER_HOUSEHOLDS:
        return people.list_center_households(session)
    if kind == PARTY_ORGS:
        return org.party_org_roster(session)
    return org.household_roster(session)


# ---- cells --------------------------------------------------------------------------------
def _text_width(text: str) -> int:
    """Display width in Excel's units: a Chinese character counts two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def column_width(field: Field) -> float:
    return min(60, max(field.width, _text_width(field.label)) + 2)


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")


class _Styles:
    """Prototype cells whose style arrays are copied onto each new cell: setting
    number_format or quotePrefix per cell would look the style up every time."""

    def __init__(self, ws):
        self.ws = ws
        self.text = self._proto(number_format=TEXT_FORMAT)
        self.date = self._proto(number_format=DATE_FORMAT)
        self.literal = self._proto(quote_prefix=True)
        self.literal_text = self._proto(number_format=TEXT_FORMAT, quote_prefix=True)

    def _proto(self, *, number_format: str | None = None, quote_prefix: bool = False) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.ws)
        if number_format:
            cell.number_format = number_format
        if quote_prefix:
            cell.quotePrefix = True
        return cell

    def cell(self, proto: WriteOnlyCell, value) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.ws)
        cell._value = value
        cell.data_type = "d" if isinstance(value, date) else "s"
        # One style array shared by every cell of a kind: a write-only cell is written
        # once and never restyled, so a copy per cell would only cost time.
        cell._style = proto._style
        return cell

    def plain(self, value):
        """A value for a general cell: text that looks like a formula stays text."""
        if value is None or value == "":
            return None
        if isinstance(value, str) and value.startswith(FORMULA_STARTS):
            return self.cell(self.literal, value)
        return value


def _cell_maker(field: Field, styles: _Styles, masked: bool) -> Callable[[object], object]:
    """How one column turns a stored value into what is appended to the row."""
    kind = field.kind
    hide = masked and field.hides
    if kind in (F.ID_NUMBER, F.PHONE):
        def text_cell(value):
            if value is None or value == "":
                return None
            shown = field.display(value, masked=hide)
            return styles.cell(styles.literal_text if shown.startswith(FORMULA_STARTS) else styles.text, shown)
        return text_cell
    if kind == F.DATE and hide:  # masked with the ID number (1962年): text, as the list shows it
        def masked_date_cell(value):
            return None if value is None else styles.cell(styles.text, field.display(value, masked=True))
        return masked_date_cell
    if kind == F.DATE:
        def date_cell(value):
            if value is None:
                return None
            if isinstance(value, datetime):
                value = value.date()
            return styles.cell(styles.date, value)
        return date_cell
    if kind == F.BOOL:
        return lambda value: None if value is None else ("是" if value else "否")
    if kind == F.CHOICE and not field.open_choices:
        labels = dict(field.choices)
        return lambda value: None if value in (None, "") else labels.get(value, styles.plain(str(value)))

    def general(value):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
        return styles.plain(value if value is None or isinstance(value, str) else str(value))
    return general


def _header_cell(ws, label: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=label)
    cell.font = Font(bold=True)
    cell.fill = _HEADER_FILL
    cell.border = _BORDER
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    return cell


def _setup_print(ws) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as needed
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.print_options.gridLines = True  # data rows print with lines, without a style per cell
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top, ws.page_margins.bottom = 0.6, 0.7
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def _day(now) -> date:
    if now is None:
        return date.today()
    return now.date() if isinstance(now, datetime) else now


# ---- export --------------------------------------------------------------------------------
@gc_held()  # a cell object per value of tens of thousands of rows
def export_roster(session: Session, kind: str, path, *, masked: bool = True, prepared_by: str = "",
                  now: date | datetime | None = None) -> int:
    """Write one roster to an .xlsx file; returns the number of records written.

    masked=True (the default, for anything printed or posted) hides the middle of ID
    numbers and phones; masked=False writes them in full, for the street office. The
    meetings hold names only: masked or not, they are written the same."""
    if kind == MEETINGS:
        from .meeting_sheets import export_meetings

        with _making(None, path):
            return export_meetings(session, path, prepared_by=prepared_by, now=now)
    _check_kind(kind)
    _check_folder(path)
    wb = Workbook(write_only=True)
    with _making(wb, path):
        count = _write_roster(wb, session, kind, masked=masked, prepared_by=prepared_by, day=_day(now))
        _save(wb, path)
    return count


class PackageCounts(dict):
    """Rows written per roster kind (what an import of the package merges), and the
    meetings written after them (which it does not)."""

    meetings: int = 0


@gc_held()
def export_package(session: Session, path, *, masked: bool = False, prepared_by: str = "",
                   now: datetime | None = None) -> PackageCounts:
    """Every roster in one workbook, one sheet each, after a sheet of facts (community,
    compounds, versions, this database's identity, export time, row counts), then the
    meetings' three sheets: what a street office gathers from its compounds. Full
    numbers unless masked is asked for."""
    _check_folder(path)
    now = now or datetime.now()
    wb = Workbook(write_only=True)
    with _making(wb, path):
        counts = _write_package(wb, session, masked=masked, prepared_by=prepared_by, now=now)
        _save(wb, path)
    return counts


def _write_package(wb: Workbook, session: Session, *, masked: bool, prepared_by: str,
                   now: datetime) -> PackageCounts:
    from .. import __version__
    from ..services.meta import database_id
    from ..store import head_revision
    from .meeting_sheets import write_meeting_sheets

    facts = wb.create_sheet(FACTS_SHEET)
    counts = PackageCounts({kind: _write_roster(wb, session, kind, masked=masked, prepared_by=prepared_by,
                                                day=now.date(), every_compound=True)
                            for kind in PACKAGE_KINDS})
    counts.meetings = write_meeting_sheets(wb, session, prepared_by=prepared_by, day=now.date())
    facts.column_dimensions["A"].width = 22
    facts.column_dimensions["B"].width = 46
    facts.page_setup.paperSize = 9  # A4, portrait, one page wide
    facts.page_setup.fitToWidth, facts.page_setup.fitToHeight = 1, 0
    facts.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    title = WriteOnlyCell(facts, value=f"{org.community_name(session)}数据包")
    title.font = Font(bold=True, size=16)
    facts.append([title])
    facts.append([_header_cell(facts, "项目"), _header_cell(facts, "内容")])
    styles = _Styles(facts)
    rows = [
        (FACT_COMMUNITY, "、".join(org.community_names(session))),
        (FACT_COMPOUNDS, "、".join(c.label for c in org.compound_choices(session))),
        (FACT_APP_VERSION, __version__),
        (FACT_SCHEMA, head_revision()),
        (FACT_DATABASE, database_id(session)),
        (FACT_EXPORTED_AT, f"{now:%Y-%m-%d %H:%M:%S}"),
        (FACT_MASKED, "已隐藏部分号码" if masked else "完整号码"),
        *[(ROSTER_NAMES[k] + FACT_COUNT_SUFFIX, counts[k]) for k in PACKAGE_KINDS],
        (ROSTER_NAMES[MEETINGS] + FACT_COUNT_SUFFIX, counts.meetings),
    ]
    left = Alignment(horizontal="left", vertical="top", wrap_text=True)
    for label, value in rows:
        cell = styles.cell(styles.text, value) if isinstance(value, str) else WriteOnlyCell(facts, value=value)
        cell._style = copy(cell._style)  # its own style: the prototype's is shared
        cell.alignment = left  # counts too: a column of facts reads from the left
        label_cell = WriteOnlyCell(facts, value=label)
        label_cell.alignment = left
        facts.append([label_cell, cell])
    facts.append([])
    note = WriteOnlyCell(facts, value="说明：本文件由 branchdesk 导出，可在另一台电脑的 branchdesk 中用“从 Excel 导入”"
                                      "合并（会议记录只随数据包导出，导入时不合并）；请勿改动工作表名称和表头。")
    note.alignment = left
    facts.row_dimensions[len(rows) + 4].height = 32
    facts.append([note])
    facts.merged_cells.add(f"A{len(rows) + 4}:B{len(rows) + 4}")
    return counts


def _write_roster(wb: Workbook, session: Session, kind: str, *, masked: bool, prepared_by: str, day: date,
                  every_compound: bool = False) -> int:
    """One roster as a sheet of a write-only workbook; returns the rows written.
    every_compound puts the compound in front of every address, not only where
    building numbers repeat: a package may be merged where they do."""
    rows = list(_load(session, kind))
    prefixes = (org.compound_prefixes(session, every=every_compound)
                if kind in (MEMBERS, CENTER_HOUSEHOLDS, DEMANDS, ISSUES) else {})
    title = org.community_name(session) + ROSTER_NAMES[kind]
    columns = _columns(kind)
    if masked and any(c.field.sensitive for c in columns):
        title += MASKED_NOTE
    fields = (CODE_FIELD, *(c.field for c in columns))
    ws, styles = begin_sheet(wb, ROSTER_NAMES[kind], title, fields, day)

    prefix = CODE_PREFIXES[kind]
    makers = [_cell_maker(c.field, styles, masked) for c in columns]
    if kind == MEMBERS:
        # a party group with its branch (启明小区党支部 / 第一党小组): group names repeat across branches
        labels = {c.id: c.label for c in org.party_org_choices(session)}
        at = next(i for i, c in enumerate(columns) if c.attr == "party_org_id")
        makers[at] = lambda value: styles.plain(labels.get(value))
    elif kind in (DEMANDS, ISSUES):
        # a building as the import reads it back: 启明小区 3号楼 where there are several compounds
        buildings = {c.id: c.label for c in org.building_choices(session)}
        at = next(i for i, c in enumerate(columns) if c.attr == "building_id")
        makers[at] = lambda value: styles.plain(buildings.get(value))
    # the plain values (text, choices, flags) made column by column, once per distinct value
    # (a roster repeats 性别, 党员类别, 所在支部 …); the styled cells made row by row as written
    styled = [(i + 1, make, c.attr) for i, (make, c) in enumerate(zip(makers, columns)) if c.field.kind in _STYLED]
    plain = [[f"{prefix}{row.id:06d}" for row in rows]]
    plain.extend([None] * len(rows) if c.field.kind in _STYLED else
                 _plain_column(make, [getattr(row, c.attr) for row in rows]) for make, c in zip(makers, columns))
    address_at = next((i for i, c in enumerate(columns) if c.attr == "address"), None)
    if prefixes and address_at is not None:
        addresses = plain[address_at + 1]
        for i, row in enumerate(rows):
            if row.building_id in prefixes and row.address:
                addresses[i] = styles.plain(prefixes[row.building_id] + row.address)
    for row, made in zip(rows, zip(*plain)):
        values = list(made)
        for at, make, attr in styled:
            values[at] = make(getattr(row, attr))
        ws.append(values)
    end_sheet(ws, styles, len(fields), len(rows), prepared_by, day)
    return len(rows)


_STYLED = (F.ID_NUMBER, F.PHONE, F.DATE)  # the kinds whose every value is written as a styled cell


def _plain_column(make: Callable[[object], object], values: list) -> list:
    """make applied to each of a column's values, once per distinct value; but for values
    of several number types (1 and True are one key, and are written differently), and
    for a value made into a cell (text that looks like a formula: a cell is written once)."""
    try:
        distinct = set(values)
    except TypeError:  # a value that cannot be a key
        return list(map(make, values))
    if len({type(v) for v in distinct} & {int, float, bool}) > 1:
        return list(map(make, values))
    made = {v: make(v) for v in distinct}
    if any(isinstance(out, Cell) for out in made.values()):
        return [make(v) if isinstance(made[v], Cell) else made[v] for v in values]
    return list(map(made.__getitem__, values))


def begin_sheet(wb: Workbook, name: str, title: str, fields: tuple[Field, ...], day: date):
    """A sheet laid out as the street office files it: the title over the columns, the
    export date, then the styled header, frozen and repeated on every printed page."""
    ws = wb.create_sheet(name)
    styles = _Styles(ws)
    for i, f in enumerate(fields, 1):
        ws.column_dimensions[get_column_letter(i)].width = column_width(f)
    ws.row_dimensions[1].height = 30
    ws.row_dimensions[HEADER_ROW].height = 30
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    _setup_print(ws)

    title_cell = WriteOnlyCell(ws, value=title)
    title_cell.font = Font(bold=True, size=16)
    title_cell.alignment = Alignment(horizontal="center", vertical="center")
    ws.append([title_cell])
    ws.merged_cells.add(f"A1:{get_column_letter(len(fields))}1")
    ws.append([f"导出日期：{day:%Y-%m-%d}"])
    ws.append([_header_cell(ws, f.label) for f in fields])
    return ws, styles


def end_sheet(ws, styles: _Styles, width: int, count: int, prepared_by: str, day: date) -> None:
    """After count data rows: the auto-filter over them and the 填报人 / 审核人 / 日期 line."""
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(width)}{HEADER_ROW + count}"
    ws.append([])
    ws.append([styles.plain(f"填报人：{prepared_by}        审核人：        日期：{day:%Y-%m-%d}")])


def _check_folder(path) -> None:
    """Before any work: a missing folder is said plainly (openpyxl would fail half-way)."""
    folder = Path(path).parent
    if not folder.is_dir():
        raise ExchangeError(f"保存位置“{folder}”不存在，请换一个文件夹后再试。")


class ExportWriteError(ExchangeError):
    """The workbook could not be written (a full disk, no permission); the file that was
    there is kept. str() is one sentence naming the file."""


@contextmanager
def _making(wb: Workbook | None, path) -> Iterator[None]:
    """An OSError while a write-only workbook is made (openpyxl writes its sheets to
    scratch files in the system's temporary folder: a full disk shows there first) is
    said as when saving it, and the half-made sheets are closed and removed at once
    (left to the collector, each would print its own traceback)."""
    try:
        yield
    except OSError as exc:
        if wb is not None:
            _drop_scratch(wb)
        raise ExportWriteError(write_error_text(path, exc)) from exc


def _drop_scratch(wb: Workbook) -> None:
    for ws in wb.worksheets:
        writer = getattr(ws, "_writer", None)
        for stream in (getattr(ws, "_rows", None), getattr(writer, "xf", None)):
            with suppress(Exception):  # closing writes the closing tags: on a full disk it fails again
                if stream is not None:
                    stream.close()
        with suppress(Exception):
            if writer is not None and isinstance(writer.out, str):
                writer.cleanup()


def _save(wb: Workbook, path) -> None:
    """Make the workbook in memory, then write it beside the target, check it and put
    it in place (safefile.write_bytes), so a failed export never leaves a half-written
    file where a good one was."""
    path = Path(path)
    made = io.BytesIO()
    wb.save(made)
    try:
        write_bytes(path, made.getvalue(), check=check_xlsx)
    except OSError as exc:
        raise ExportWriteError(write_error_text(path, exc)) from exc


# ---- templates -----------------------------------------------------------------------------
def _list_formula(labels: Iterable[str]) -> str:
    return '"' + ",".join(labels) + '"'


def _format_note(field: Field) -> str:
    """The accepted format of a column, in words, for the instructions sheet."""
    kind = field.kind
    if kind == F.DATE:
        note = "日期，如 2024-05-31、2024/5/31 或 2024年5月31日"
        if field.allow_month:
            note += "；只知道年月时可写 1965.03 或 1965年3月"
    elif kind == F.ID_NUMBER:
        note = ("18 位公民身份号码，末位可以是 X。本列已设为文本格式，请直接输入或粘贴；"
                "若把身份证号填进数字格式的列，Excel 会把后几位变成 0")
    elif kind == F.PHONE:
        note = "11 位手机号，或带区号的固定电话（如 010-12345678）。本列已设为文本格式"
    elif kind == F.ADDRESS:
        note = "如 3号楼2单元501 或 3-2-501；几个小区有相同楼号时，在前面写上小区名"
    elif kind == F.BOOL:
        note = "从下拉列表选择“是”或“否”"
    elif kind == F.CHOICE and not field.open_choices:
        note = "从下拉列表选择：" + "、".join(label for _c, label in field.choices)
    elif kind == F.CHOICE:
        note = "可从下拉列表选择，也可填写其他：" + "、".join(field.choices)
    elif kind == F.REF:
        note = f"填写系统中已有的{field.label}名称"
    else:
        note = f"文字，最多 {field.max_length} 个字"
    if field.hint and field.hint not in note:
        note += f"（{field.hint}）"
    return note + "。"


def _choice_labels(field: Field) -> list[str] | None:
    if field.kind == F.BOOL:
        return ["是", "否"]
    if field.kind == F.CHOICE:
        return [c[1] if isinstance(c, tuple) else c for c in field.choices]
    return None


def write_template(kind: str, path, session: Session | None = None) -> None:
    """An empty workbook to fill in for an import: the header (required columns marked
    “*”), dropdown lists for fixed choices (with a session, the database's categories
    too), text-formatted ID and phone columns, and a second sheet “填写说明” explaining
    every column."""
    _check_kind(kind)
    _check_folder(path)
    fields = template_fields(kind, session)
    wb = Workbook()
    ws = wb.active
    ws.title = ROSTER_NAMES[kind].removesuffix("花名册") + "登记表"
    for i, f in enumerate(fields, 1):
        letter = get_column_letter(i)
        cell = ws.cell(row=1, column=i, value=f"*{f.label}" if f.required else f.label)
        cell.font = Font(bold=True, color="C00000" if f.required else None)
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        dim = ws.column_dimensions[letter]
        dim.width = column_width(f)
        if f.kind in (F.ID_NUMBER, F.PHONE):
            dim.number_format = TEXT_FORMAT  # the column's style: new cells typed there are text
        elif f.kind == F.DATE:
            dim.number_format = DATE_FORMAT
        labels = _choice_labels(f)
        if labels:
            strict = not (f.kind == F.CHOICE and f.open_choices)
            dv = DataValidation(type="list", formula1=_list_formula(labels), allow_blank=True,
                                showDropDown=False, showErrorMessage=strict)
            if strict:
                dv.errorTitle = f"{f.label}填写有误"
                dv.error = "请从下拉列表中选择：" + "、".join(labels)
            dv.add(f"{letter}2:{letter}{TEMPLATE_ROWS}")
            ws.add_data_validation(dv)
    ws.row_dimensions[1].height = 30
    ws.freeze_panes = "A2"

    notes = wb.create_sheet("填写说明")
    notes.column_dimensions["A"].width = 16
    notes.column_dimensions["B"].width = 10
    notes.column_dimensions["C"].width = 80
    wrap = Alignment(wrap_text=True, vertical="top")
    intro = (
        f"{ROSTER_NAMES[kind].removesuffix('花名册')}导入模板：请在“{ws.title}”工作表第 2 行起每行填写一条记录，不要改动表头。",
        "带 * 的列必须填写，其余可以留空。",
        "从本软件导出的名册第一列是“记录编号”（如 DY000123），修改后可直接导入，编号用于找到原记录，请勿改动。",
    )
    for line in intro:
        notes.append([line])
    notes.append([])
    header = notes.max_row + 1
    notes.append(["列名", "是否必填", "填写要求"])
    for c in notes[header]:
        c.font = Font(bold=True)
        c.fill = _HEADER_FILL
        c.border = _BORDER
    for f in fields:
        notes.append([f.label, "必填" if f.required else "选填", _format_note(f)])
        for c in notes[notes.max_row]:
            c.alignment = wrap
            c.border = _BORDER
    _save(wb, path)
