"""Importing a sync package (数据包): every roster of a branch in one workbook, after
a sheet of facts. A street office merges its compounds' packages into one database;
a branch can bring its own package back.

The sheets depend on each other (members live in households the package's own
household sheet may create), so a package is planned by applying it sheet by
sheet inside a savepoint that is then rolled back: the preview is exactly what
applying does, and nothing is written until the secretary confirms. Applying
runs the same steps in the caller's transaction and refuses if any row anywhere
is invalid: never half a package.

Record codes are this database's row ids: they are trusted only when the package
names this database as its origin; another branch's package is matched by ID
numbers, names and addresses instead.

The meetings' sheets a package carries are not merged in this version: the plan
says so (MEETINGS_NOT_MERGED) and the rosters import as without them."""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from ..services import ValidationFailed
from ..services.meta import database_id
from ..validation import Invalid, clean_text
from . import ExchangeError
from .meeting_sheets import MEETING_SHEETS
from .plan import INVALID, ImportKind, ImportPlan, PlannedRow, Report, no_report
from .reader import Sheet, header_cells_of, locate_table
from .writer import (
    FACT_DATABASE,
    FACTS_SHEET,
    LISTS,
    PACKAGE_KINDS,
    ROSTER_NAMES,
)

MEETINGS_NOT_MERGED = "会议记录只随数据包导出，导入时不合并。"


@dataclass
class PackagePlan:
    file_name: str
    facts: dict[str, str]
    foreign: bool  # from another database: record codes were not used
    sheets: list[Sheet] = field(default_factory=list, repr=False)  # kept to apply what was planned
    plans: list[ImportPlan] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # roster sheets the package lacks
    has_meetings: bool = False  # it carries the meetings' sheets, which are not merged

    kind = "package"

    @property
    def counts(self) -> dict[str, int]:
        total: dict[str, int] = {}
        for p in self.plans:
            for status, n in p.counts.items():
                total[status] = total.get(status, 0) + n
        return total

    @property
    def invalid(self) -> list[tuple[ImportPlan, PlannedRow]]:
        return [(p, r) for p in self.plans for r in p.rows if r.status == INVALID]

    @property
    def to_save(self) -> list[tuple[ImportPlan, PlannedRow]]:
        return [(p, r) for p in self.plans for r in p.to_save]


@dataclass
class ListsPlan(PackagePlan):
    """A workbook holding several of the lists, one sheet each (需求清单, 资源清单,
    责任清单 as a street office sends them): planned and applied as a package is, every
    sheet as its kind in one transaction, refused as a whole if any row is bad."""

    chosen: list[tuple[str, str]] = field(default_factory=list)  # (kind, sheet name), in the order applied

    kind = LISTS

    @property
    def sheets_named(self) -> str:
        """“需求”（需求清单）、“资源”（资源清单）…: the sheets and the list each is read as."""
        return "、".join(f"“{sub.sheet_name}”（{ROSTER_NAMES[sub.kind]}）" for sub in self.plans)


def is_package(sheets: list[Sheet]) -> bool:
    return any(s.name == FACTS_SHEET for s in sheets) and any(
        s.name == ROSTER_NAMES[k] for s in sheets for k in PACKAGE_KINDS)


def is_meetings_export(sheets: list[Sheet]) -> bool:
    """The meetings exported alone (会议, 议程与决议, 签到 without a facts sheet)."""
    names = {s.name for s in sheets}
    return FACTS_SHEET not in names and names.issuperset(MEETING_SHEETS)


def meetings_refused(file_name: str) -> ExchangeError:
    return ExchangeError(f"“{file_name}”是导出的会议记录，会议记录只能导出、不能导入，请选择名册、清单或数据包文件。")


def read_facts(sheet: Sheet) -> dict[str, str]:
    """项目 | 内容 rows: the first two filled cells of each row."""
    facts = {}
    for row in sheet.rows:
        cells = [clean_text(c) for c in row if c not in (None, "")]
        if len(cells) >= 2:
            facts[cells[0]] = cells[1]
    return facts


def plan_package(session: Session, sheets: list[Sheet], file_name: str, kinds: dict[str, ImportKind], *,
                 apply: bool = False, report: Report | None = None) -> PackagePlan:
    """Plan (apply=False: nothing stays written) or apply (apply=True: in the caller's
    transaction, refused with ExchangeError if any row is invalid) a package."""
    by_name = {s.name: s for s in sheets}
    facts = read_facts(by_name[FACTS_SHEET])
    plan = PackagePlan(file_name, facts, foreign=facts.get(FACT_DATABASE, "") != database_id(session),
                       sheets=sheets, has_meetings=any(name in by_name for name in MEETING_SHEETS))
    pairs = []
    for key in PACKAGE_KINDS:
        if ROSTER_NAMES[key] in by_name:
            pairs.append((key, by_name[ROSTER_NAMES[key]]))
        else:
            plan.missing.append(ROSTER_NAMES[key])
    return _plan_sheets(session, plan, pairs, kinds, apply=apply, report=report)


def plan_lists(session: Session, sheets: list[Sheet], file_name: str, chosen: list[tuple[str, str]],
               kinds: dict[str, ImportKind], *, apply: bool = False, report: Report | None = None) -> ListsPlan:
    """Plan or apply (as plan_package) a workbook of several lists: chosen names the
    kind of each sheet to import, in the order to apply them."""
    by_name = {s.name: s for s in sheets}
    plan = ListsPlan(file_name, {}, foreign=False, sheets=sheets, chosen=chosen)
    return _plan_sheets(session, plan, [(key, by_name[name]) for key, name in chosen], kinds, apply=apply,
                        report=report)


def _plan_sheets(session: Session, plan: PackagePlan, pairs: list[tuple[str, Sheet]],
                 kinds: dict[str, ImportKind], *, apply: bool, report: Report | None):
    report = report or no_report
    file_name = plan.file_name
    # Even applying works in a savepoint: a refused package leaves nothing behind
    # should the caller catch the error and commit its transaction anyway.
    savepoint = session.begin_nested()
    keep = False
    try:
        for step, (key, sheet) in enumerate(pairs):
            kind = kinds[key]
            report(step, len(pairs), f"正在检查“{sheet.name}”…")
            table = locate_table(sheet, kind.fields)
            if plan.foreign:
                table.columns.pop("record_code", None)
            rows = kind.plan(session, table, lambda done, total, text, name=sheet.name:
                             report(done, total, f"“{name}”：{text}"))
            sub = ImportPlan(key, file_name, sheet.name, table.header_row, header_cells_of(sheet.rows, table),
                             table.ignored, rows)
            plan.plans.append(sub)
            if sub.to_save and not sub.invalid:
                # later sheets must see this one: members live in the households above them
                try:
                    kind.save(session, sub.to_save)
                    session.flush()
                except (Invalid, ValidationFailed) as exc:
                    raise ExchangeError(f"“{file_name}”工作表“{sheet.name}”无法导入（{exc}），没有导入任何数据。") from exc
        if apply and plan.invalid:
            raise ExchangeError(f"“{file_name}”有 {len(plan.invalid)} 行有问题，没有导入任何数据，请修改后重新导入。")
        keep = apply
    finally:
        if keep:
            savepoint.commit()
        else:
            savepoint.rollback()
    report(len(pairs), len(pairs), "检查完成")
    return plan


def package_error_workbook(plan: PackagePlan, path: str | Path, write_sheet) -> None:
    """One sheet of rejected rows per roster sheet that has any. A file that cannot be
    written raises safefile.WriteFailed and keeps the one that was there."""
    from openpyxl import Workbook

    from ..safefile import check_xlsx, write_bytes

    wb = Workbook()
    wb.remove(wb.active)
    for sub in plan.plans:
        if sub.invalid:
            write_sheet(wb.create_sheet(sub.sheet_name), sub)
    made = io.BytesIO()  # in memory, then written in one go
    wb.save(made)
    write_bytes(path, made.getvalue(), check=check_xlsx)
