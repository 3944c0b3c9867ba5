"""Importing a roster: plan first (new / changed / unchanged / invalid, field by
field), then apply the whole plan in one transaction, or nothing at all.

Planning reads the database but never writes it, so the preview shown to the
secretary is exactly what applying will do. A file with any invalid row is not
applied: the rows go back to the sender as an error workbook instead.
"""
from __future__ import annotations

import io
import re
from pathlib import Path

from sqlalchemy.orm import Session

from ..validation import clean_text, mask_id_number, mask_phone
from . import (
    ExchangeError,
    import_center_households,
    import_households,
    import_issues,
    import_leaders,
    import_lists,
    import_members,
    import_party_orgs,
)
from .package import (
    ListsPlan,
    PackagePlan,
    is_meetings_export,
    is_package,
    meetings_refused,
    package_error_workbook,
    plan_lists,
    plan_package,
)
from .plan import (  # noqa: F401  (re-exported: the GUI and the command line read them from here)
    CHANGED,
    INVALID,
    NEW,
    STATUS_LABELS,
    UNCHANGED,
    Change,
    ColumnInfo,
    Hidden,
    ImportKind,
    ImportPlan,
    PlannedRow,
    Problem,
    Report,
    gc_held,
    layout_signature,
    no_report,
)
from .reader import (
    Book,
    Mapping,
    Sheet,
    Table,
    guess_field,
    header_cells_of,
    locate_table,
    normalise_header,
    read_book,
    roster_sheets,
)
from .writer import FACTS_SHEET, LIST_KINDS, LISTS, PACKAGE

KINDS: dict[str, ImportKind] = {k.key: k for k in (
    import_members.KIND, import_households.KIND, import_party_orgs.KIND, import_leaders.KIND, import_center_households.KIND,
    import_lists.PARTNERS_KIND, import_lists.RESOURCES_KIND, import_lists.DEMANDS_KIND,
    import_lists.RESPONSIBILITIES_KIND, import_issues.KIND)}


def list_sheets(sheets: list, mapping: Mapping | None = None) -> list[tuple[str, str]]:
    """(kind, sheet name) of every sheet that reads best as one of the lists, the best
    sheet of each kind, in the order an import applies them: a workbook with a demand
    list, a resource list and a responsibility list is imported as all three."""
    best: dict[str, tuple[int, str]] = {}
    for sheet in sheets:
        scores = [(score, key) for key, k in KINDS.items() for _s, score in roster_sheets([sheet], k.fields, mapping)]
        if not scores:
            continue
        score, key = max(scores, key=lambda pair: pair[0])  # the first kind on a tie: a roster before a list
        if key in LIST_KINDS and score > best.get(key, (0, ""))[0]:
            best[key] = (score, sheet.name)
    return [(key, best[key][1]) for key in LIST_KINDS if key in best]


# ---- the whole import ------------------------------------------------------------------------
def plan_import(session: Session, path: str | Path, *, kind: str | None = None, sheet: str | None = None,
                mapping: Mapping | None = None, remembered: dict[str, Mapping] | None = None,
                report: Report | None = None, include_hidden: bool = False) -> ImportPlan | PackagePlan:
    """Read the file and plan the import; raises ExchangeError when the file cannot
    be used at all (unreadable, no header, unknown kind). A sync package (kind
    "package", or any file with the package's facts sheet) plans every sheet.
    mapping is a column mapping the secretary confirmed (see ImportPlan.layout);
    remembered maps layout signatures to mappings confirmed for earlier files, used
    when this file has one of those layouts. The sheets and rows hidden in Excel are
    left out unless include_hidden (or the sheet is asked for by name); the plan's
    hidden (hidden_of) says what they were."""
    with gc_held():
        book = read_book(path, include_hidden=include_hidden)
        plan = _plan_import(session, book, Path(path).name, kind, sheet, mapping, remembered, report)
        if isinstance(plan, PackagePlan):  # its sheets' own plans say nothing of hidden parts
            plan.hidden = _hidden(book, [(s, None) for s in plan.sheets if s.name in _planned_sheets(plan)])
            plan.left_out = [(s.name, ref) for s in plan.sheets for ref in s.left_out]
        return plan


def _planned_sheets(plan: PackagePlan) -> set[str]:
    return {sub.sheet_name for sub in plan.plans}


def _hidden(book: Book, used: list[tuple[Sheet, Table | None]], fields=None) -> Hidden:
    """The hidden sheets (left out, or the ones imported) and the hidden rows below
    the header of the imported sheets, as the preview names them."""
    hidden = Hidden(included=book.include_hidden)
    sheets = [s for s, _table in used if s.hidden] if book.include_hidden else book.hidden_sheets
    for s in sheets:
        rows = _data_rows(s, fields)
        if rows or book.include_hidden:
            hidden.sheets.append((s.name, rows))
    hidden.rows = sum(1 for s, table in used for r in s.hidden_rows if table is None or r >= table.data_start)
    return hidden


def _data_rows(sheet: Sheet, fields) -> int:
    """The rows of a sheet's table for these fields, or its rows with values."""
    if fields:
        try:
            return len(locate_table(sheet, fields).rows)
        except ExchangeError:
            pass
    return sum(1 for row in sheet.rows if row)


def hidden_of(plan: ImportPlan | PackagePlan) -> Hidden:
    """What the file hid and what became of it (a package's plan carries it too)."""
    return getattr(plan, "hidden", None) or Hidden()


def left_out_text(plan: ImportPlan | PackagePlan) -> str:
    """The stray cells far outside the table that were not read, as one sentence, or ""."""
    cells = getattr(plan, "left_out", None) or []
    by_sheet: dict[str, list[str]] = {}
    for sheet, ref in cells:
        by_sheet.setdefault(sheet, []).append(ref)
    places = "；".join(f"工作表“{sheet}”的 {'、'.join(refs)}" for sheet, refs in by_sheet.items())
    return f"远在表格以外的单元格没有读取：{places}。" if places else ""


def _hidden_refused(name: str, what: str) -> ExchangeError:
    return ExchangeError(f"“{name}”{what}：如确需导入，请勾选“包括隐藏的工作表和行”（命令行加上 --include-hidden）"
                         "后重新导入。")


def _plan_import(session: Session, book: Book, name: str, kind: str | None, sheet: str | None,
                 mapping: Mapping | None, remembered: dict[str, Mapping] | None,
                 report: Report | None) -> ImportPlan | PackagePlan:
    asked = [s for s in book.hidden_sheets if s.name == sheet]
    if asked:  # a hidden sheet named on the command line: asked for (its hidden rows stay out)
        book.hidden_sheets.remove(asked[0])
        book.sheets.append(asked[0])
    all_sheets = book.sheets
    if not all_sheets:
        names = "、".join(f"“{s.name}”" for s in book.hidden_sheets)
        raise _hidden_refused(name, f"中只有隐藏的工作表（{names}），没有导入任何数据")
    if is_meetings_export(all_sheets):  # its 签到 sheet would read as a roster of names
        raise meetings_refused(name)
    if kind in (None, PACKAGE) and sheet is None and is_package(all_sheets):
        return plan_package(session, all_sheets, name, KINDS, report=report)
    if kind in (None, LISTS) and sheet is None:
        chosen = list_sheets(all_sheets, mapping)
        if len(chosen) > 1 or (kind == LISTS and chosen):
            return plan_lists(session, all_sheets, name, chosen, KINDS, report=report)
        if kind == LISTS:
            raise ExchangeError(f"“{name}”中找不到需求清单、资源清单、责任清单、红色合伙人或居民问题的表头，"
                                "请确认选择了正确的文件。")
    if kind == PACKAGE:
        raise ExchangeError(f"“{name}”不是 branchdesk 导出的数据包（缺少“{FACTS_SHEET}”工作表），"
                            "请选择“导出全部数据”得到的文件，或导入单个名册。")
    sheets = all_sheets
    if sheet is not None:
        sheets = [s for s in sheets if s.name == sheet]
        if not sheets:
            raise ExchangeError(f"“{name}”中没有名为“{sheet}”的工作表，请核对工作表名称。")
    chosen_kind = KINDS.get(kind) if kind else None
    if kind and chosen_kind is None:
        raise ExchangeError(f"不认识的名册类型“{kind}”，可用的有：{'、'.join(KINDS)}。")
    candidates = [chosen_kind] if chosen_kind else list(KINDS.values())
    best = None
    for k in candidates:  # scored by their headers alone: only the winner's rows are collected
        for found, score in roster_sheets(sheets, k.fields, mapping):
            if best is None or score > best[0]:
                best = (score, k, found)
    if best is None:
        wanted = chosen_kind.title if chosen_kind else "名册"
        hidden = [s.name for k in candidates for s, _score in roster_sheets(book.hidden_sheets, k.fields, mapping)]
        if hidden:
            raise _hidden_refused(name, f"中只有隐藏的工作表“{hidden[0]}”里有{wanted}的表头")
        raise ExchangeError(f"“{name}”中找不到{wanted}的表头（如“姓名”“身份证号”），请确认选择了正确的文件。")
    _score, k, found = best
    table = locate_table(found, k.fields, mapping)
    if mapping is None and remembered:
        mapping = remembered.get(layout_signature(k.key, header_cells_of(found.rows, table)))
        if mapping is not None:
            table = locate_table(found, k.fields, mapping)
    if not table.rows:
        raise ExchangeError(f"“{name}”工作表“{found.name}”只有表头，没有数据行。")
    header_cells = header_cells_of(found.rows, table)
    rows = k.plan(session, table, report)
    plan = ImportPlan(k.key, name, found.name, table.header_row, header_cells, table.ignored, rows,
                      layout=_layout(table, header_cells, k, mapping or {}), mapped=bool(mapping))
    plan.other_sheets = [s.name for s, _score in roster_sheets(all_sheets, k.fields, mapping) if s is not found]
    plan.missing_required = [f.label for f in k.fields if f.required and f.key not in table.columns]
    plan.hidden = _hidden(book, [(found, table)], k.fields)
    plan.left_out = [(found.name, ref) for ref in found.left_out]
    return plan


SAMPLES = 3  # values shown under each column in the mapping dialog


_ID_LIKE = re.compile(r"^\d{15}$|^\d{17}[\dXx]$")
_MOBILE_LIKE = re.compile(r"^1\d{10}$")


def _sample(value: object) -> str:
    """A cell as the mapping dialog shows it: numbers as typed, dates as dates, and
    anything shaped like an ID or mobile number masked, as everywhere on screen."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = f"{value:%Y-%m-%d}" if hasattr(value, "year") else clean_text(value)
    if _ID_LIKE.match(text):
        return mask_id_number(text)
    if _MOBILE_LIKE.match(text):
        return mask_phone(text)
    return text


def _layout(table: Table, header_cells: list, kind: ImportKind, mapping: Mapping) -> list[ColumnInfo]:
    """Every header column with the field it was read as, a guess for the unmatched
    ones (a field no other column took, and not a column the mapping decided) and
    the first few values under it."""
    key_at = {col: key for key, col in table.columns.items()}
    taken = set(table.columns)
    layout = []
    for i, cell in enumerate(header_cells):
        header = "" if cell is None else str(cell).strip()
        key = key_at.get(i)
        decided = normalise_header(cell) in mapping
        guess = guess_field(header, kind.fields) if key is None and header and not decided else None
        samples = []
        for _excel_row, cells in table.rows:
            if len(samples) == SAMPLES:
                break
            if i < len(cells) and cells[i] not in (None, ""):
                samples.append(_sample(cells[i]))
        layout.append(ColumnInfo(i, header, normalise_header(cell), key, guess if guess not in taken else None,
                                 samples))
    return layout


def apply_plan(session: Session, plan: ImportPlan | PackagePlan, report: Report | None = None) -> int:
    """Save every new and changed row; the caller's transaction makes it all or nothing.
    Refuses a plan with invalid rows: never half an import."""
    with gc_held():
        return _apply_plan(session, plan, report)


def _apply_plan(session: Session, plan: ImportPlan | PackagePlan, report: Report | None) -> int:
    if isinstance(plan, ListsPlan):
        applied = plan_lists(session, plan.sheets, plan.file_name, plan.chosen, KINDS, apply=True, report=report)
        return len(applied.to_save)
    if isinstance(plan, PackagePlan):
        applied = plan_package(session, plan.sheets, plan.file_name, KINDS, apply=True, report=report)
        return len(applied.to_save)
    if plan.invalid:
        raise ExchangeError(f"“{plan.file_name}”有 {len(plan.invalid)} 行有问题，没有导入任何数据，请修改后重新导入。")
    report = report or no_report
    rows = plan.to_save
    report(0, len(rows), f"正在导入 {len(rows)} 条…")
    saved = KINDS[plan.kind].save(session, rows)
    report(len(rows), len(rows), "导入完成")
    return saved


def write_error_workbook(plan: ImportPlan | PackagePlan, path: str | Path) -> None:
    """The rejected rows as they came, with a column saying what is wrong, so the
    sender can fix them and send the file again (one sheet per roster of a package).
    A file that cannot be written raises safefile.WriteFailed (an OSError whose str()
    is the sentence for the user) and keeps the one that was there."""
    if isinstance(plan, PackagePlan):
        package_error_workbook(plan, path, _write_error_sheet)
        return
    from openpyxl import Workbook

    from ..safefile import check_xlsx, write_bytes

    wb = Workbook()
    ws = wb.active
    ws.title = "有问题的行"
    _write_error_sheet(ws, plan)
    made = io.BytesIO()  # in memory, then written in one go
    wb.save(made)
    write_bytes(path, made.getvalue(), check=check_xlsx)


def _write_error_sheet(ws, plan: ImportPlan) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

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
