"""branchdesk selftest: open the main window offscreen, visit every page, report.

The installer's check runs this from the built bundle, so it exercises what a
user would: the font, the translations, the database, each page's first load.
It changes nothing of the user's: the database is only read, and the window keeps
its size, page and choices in settings of its own, removed at the end. Its copies
(the database, the files it makes) are written to the app's private scratch folder
(paths.temp_dir()), which a killed run leaves for the next start to remove.

It is a command: it never waits for a person. A dialog that opens meanwhile (a
message box, a question) is closed at once and counted as a failure."""
from __future__ import annotations

import os
import tempfile
import time
from contextlib import closing
from pathlib import Path

from .. import STARTED_AT
from ..paths import temp_dir


def _wait(app, predicate, timeout: float = 20.0) -> bool:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        app.processEvents()
        if predicate():
            return True
        time.sleep(0.005)
    return predicate()


def _check_outputs(store, check) -> None:
    """What the secretary makes from the data: a PDF, the charts, an Excel roster read
    back. Written to a temporary folder and removed; the database is only read. Each
    step imports what it needs, so a module missing from a bundle fails that step only."""
    import warnings
    from datetime import date

    def attempt(text: str, run) -> None:
        try:
            with warnings.catch_warnings():
                # A chart whose Chinese falls back to boxes is a bundle without its font.
                warnings.filterwarnings("error", message=r".*Glyph .* missing from font")
                detail = run()
        except Exception as exc:  # the check reports every failure, then goes on
            check(False, f"{text}：{_failure_text(exc)}")
        else:
            check(True, f"{text}{detail}")

    with tempfile.TemporaryDirectory(prefix="selftest-", dir=temp_dir(), ignore_cleanup_errors=True) as tmp:
        folder = Path(tmp)

        def roster_pdf():
            from ..printing import build_document, write_pdf

            with store.session() as session:
                document = build_document(session, "members")
            pages = write_pdf(document, folder / "roster.pdf")
            return f"，{pages} 页"

        def charts():
            from ..charts import CHARTS, load_all
            from ..charts.figures import render
            from ..charts.report import write_report
            from ..services.dashboard import Filters
            from ..services.periods import period_range

            today = date.today()
            with store.session() as session:
                data = load_all(session, Filters(*period_range("year", today), today))
            for spec in CHARTS:
                render(spec.name, data[spec.name]).figure.savefig(folder / f"{spec.name}.png", dpi=60)
            pages = write_report(folder / "report.pdf", data, heading="自检", subtitle="", made_on=today)
            return f"，{len(CHARTS)} 张图表，报告 {pages} 页"

        def excel():
            """Export, change one phone as a sender would in Excel, import it: on a copy
            of the database, so the secretary's own is only read."""
            import sqlite3

            from ..exchange.importer import apply_plan, plan_import
            from ..exchange.writer import export_roster, write_template
            from ..store import open_store

            copy, workbook = folder / "copy.db", folder / "members.xlsx"
            # closed, not only committed: an open copy cannot be removed on Windows
            with closing(sqlite3.connect(store.path)) as source, closing(sqlite3.connect(copy)) as target:
                source.backup(target)
            with open_store(copy, create=False) as trial:
                with trial.session() as session:
                    written = export_roster(session, "members", workbook, masked=False)
                    write_template("members", folder / "template.xlsx", session)
                if not written:  # a new database: an import refuses a header without rows
                    from ..exchange.reader import read_workbook

                    if not read_workbook(workbook):
                        raise RuntimeError("导出的空名册读不出来")
                    return "（还没有党员，只导出了表头）"
                _change_one_phone(workbook)
                with trial.transaction() as session:
                    plan = plan_import(session, workbook, kind="members")
                    counts = plan.counts
                    if counts.get("changed") != 1 or counts.get("unchanged") != written - 1 or counts.get("invalid"):
                        raise RuntimeError(f"导出 {written} 人、改动 1 个电话后读回：{counts}")
                    apply_plan(session, plan)
                with trial.session() as session:
                    again = plan_import(session, workbook, kind="members").counts
                if again.get("unchanged") != written:
                    raise RuntimeError(f"导入后再读同一文件仍有变化：{again}")
            return f"（{written} 人原样读回；改动 1 个电话后导入了数据库的副本）"

        attempt("党员名册 PDF 已生成", roster_pdf)
        attempt("统计图表 PNG 和统计报告 PDF 已生成", charts)
        attempt("党员名册 Excel 已导出并导入", excel)


def _failure_text(exc: BaseException) -> str:
    """Why a step failed, in Chinese where the system said it (a file that could not be
    written), else what the program said, with the kind of error for the technician."""
    from ..safefile import WriteFailed, write_error_text
    from ..store import StoreError

    if isinstance(exc, (WriteFailed, StoreError)):
        return str(exc)
    if isinstance(exc, OSError):
        return write_error_text(exc.filename or "文件", exc)
    return f"{type(exc).__name__}: {exc}"


def _change_one_phone(workbook: Path) -> None:
    """Give the first member with an ID number another phone, in the workbook itself."""
    from openpyxl import load_workbook

    from ..fields import MEMBER_FIELDS

    labels = {f.key: f.label for f in MEMBER_FIELDS}
    book = load_workbook(workbook)
    sheet = book.worksheets[0]
    for header in sheet.iter_rows(min_row=1, max_row=10):
        columns = {cell.value: cell.column for cell in header if cell.value}
        if labels["phone"] in columns and labels["id_number"] in columns:
            break
    else:
        raise RuntimeError("导出的名册里找不到联系电话和身份证号两列")
    for row in sheet.iter_rows(min_row=header[0].row + 1):
        if row[columns[labels["id_number"]] - 1].value:
            cell = row[columns[labels["phone"]] - 1]
            cell.value = "13900000000" if cell.value != "13900000000" else "13900000001"
            break
    book.save(workbook)


def run_selftest(path: Path, *, create: bool, screenshots: Path | None = None, startup_only: bool = False,
                 out=print) -> int:
    from .qtenv import use_scratch_settings

    with tempfile.TemporaryDirectory(prefix="selftest-settings-", dir=temp_dir(), ignore_cleanup_errors=True) as tmp:
        use_scratch_settings(Path(tmp))
        try:
            return _run(path, create=create, screenshots=screenshots, startup_only=startup_only, out=out)
        finally:
            use_scratch_settings(None)


def _run(path: Path, *, create: bool, screenshots: Path | None, startup_only: bool, out) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import sys

    from ..app import Launch

    unexpected: list[str] = []
    failures: list[str] = []

    def check(ok: bool, text: str) -> None:
        out(("✓ " if ok else "✗ ") + text)
        if not ok:
            failures.append(text)

    launch = Launch(path, create=create, on_error=lambda message: print(message, file=sys.stderr))
    launch.report_unexpected(unexpected.append)
    watchdog = _NoDialogs(launch.app, lambda text: check(False, text))
    try:
        return _visit(launch, failures, check, unexpected, screenshots=screenshots, startup_only=startup_only,
                      out=out)
    finally:
        watchdog.stop()


class _NoDialogs:
    """While the self-test runs, a dialog that waits for a person (a message box, a question,
    a file dialog) is closed as soon as it shows, and what it said is told as a failure: an
    unattended check must end, not wait for a click nobody gives."""

    def __init__(self, app, failed):
        from PySide6.QtCore import QTimer

        self.app, self.failed = app, failed
        self.timer = QTimer()
        self.timer.setInterval(50)  # runs in a dialog's own event loop too
        self.timer.timeout.connect(self._close)
        self.timer.start()

    def _close(self) -> None:
        from PySide6.QtWidgets import QDialog, QMessageBox

        for _ in range(10):  # one dialog may have opened over another
            dialog = self.app.activeModalWidget()
            if dialog is None:
                return
            said = dialog.text() if isinstance(dialog, QMessageBox) else ""
            title = dialog.windowTitle() or "对话框"
            self.failed(f"出现了需要人点击的对话框“{title}”，已自动关闭" + (f"：{said}" if said else ""))
            if isinstance(dialog, QDialog):
                dialog.reject()
            else:
                dialog.close()

    def stop(self) -> None:
        self.timer.stop()


def _visit(launch, failures: list[str], check, unexpected: list[str], *, screenshots: Path | None,
           startup_only: bool, out) -> int:
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtGui import QFontDatabase

    from .qtenv import BUNDLED_FAMILY

    app, window = launch.app, launch.window
    painted = _wait(app, lambda: window.first_paint_at is not None, 10)
    attached = _wait(app, lambda: bool(window.pages) or launch.exit_code is not None, 30)
    if launch.exit_code is not None:
        launch.close()
        return launch.exit_code
    if painted:
        # The wall-clock moment too, so a caller that started this process can add the
        # time before Python ran (a bundle's unpacking, the interpreter's own start).
        wall = time.time() - (time.perf_counter() - window.first_paint_at)
        out(f"启动到主窗口首次绘制：{window.first_paint_at - STARTED_AT:.2f} 秒（时刻 {wall:.3f}）")
    if startup_only:
        window.close()
        launch.close()
        return 0 if painted and launch.exit_code is None and not failures else 1
    check(painted, "主窗口已显示")
    check(attached, "数据库已打开")
    if not attached:
        window.close()
        launch.close()
        out("自检失败：数据库没有打开。")
        return 1
    check(BUNDLED_FAMILY in QFontDatabase.families(), f"内置中文字体 {BUNDLED_FAMILY} 已加载")
    check(QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消", "Qt 中文界面翻译已加载")
    check(not app.windowIcon().isNull(), "程序图标已加载")
    if screenshots:
        screenshots.mkdir(parents=True, exist_ok=True)
    for n, title in enumerate(window.page_titles()):
        page = window.show_page(n)
        loaded = _wait(app, lambda: getattr(page, "loaded", True) and not page.tasks.busy)
        detail = ""
        model = getattr(page, "model", None)
        if model is not None:
            detail = f"，{model.rowCount()} 行，{model.columnCount()} 列"
        elif hasattr(page, "tree"):
            detail = f"，{page.tree.topLevelItemCount()} 个社区"
        image = window.grab()
        errors, unexpected[:] = unexpected[:], []
        if errors:
            check(False, f"页面“{title}”出错：{errors[0]}")
        else:
            check(loaded and not image.isNull(), f"页面“{title}”已加载{detail}")
        if screenshots:
            image.save(str(screenshots / f"{n + 1}-{title}.png"))
    _check_outputs(launch.store, check)
    window.close()
    launch.close()
    out("自检通过。" if not failures else f"自检失败：{len(failures)} 项未通过。")
    return 0 if not failures else 1
