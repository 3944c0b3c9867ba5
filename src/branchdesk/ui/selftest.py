"""branchdesk selftest: open the main window offscreen, visit every page, report.

The installer's check runs this from the built bundle, so it exercises what a
user would: the font, the translations, the database, each page's first load."""
from __future__ import annotations

import os
import time
from pathlib import Path

from .. import STARTED_AT
from ..store import Store


class _FirstPaint:
    """Records when the main window is first painted."""

    def __init__(self):
        self.at: float | None = None

    def install(self, widget) -> None:
        from PySide6.QtCore import QEvent, QObject

        outer = self

        class Filter(QObject):
            def eventFilter(self, obj, event):  # noqa: N802 (Qt's name)
                if event.type() == QEvent.Type.Paint and outer.at is None:
                    outer.at = time.perf_counter()
                return False

        self._filter = Filter(widget)
        widget.installEventFilter(self._filter)


def _wait(app, predicate, timeout: float = 20.0) -> bool:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        app.processEvents()
        if predicate():
            return True
        time.sleep(0.005)
    return predicate()


def run_selftest(store: Store, screenshots: Path | None = None, *, out=print) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QFontDatabase

    from .main_window import MainWindow
    from .qtenv import BUNDLED_FAMILY, make_application, make_settings

    app = make_application()
    window = MainWindow(store, make_settings())
    first_paint = _FirstPaint()
    first_paint.install(window)
    window.show()
    painted = _wait(app, lambda: first_paint.at is not None, 10)
    failures: list[str] = []

    def check(ok: bool, text: str) -> None:
        out(("✓ " if ok else "✗ ") + text)
        if not ok:
            failures.append(text)

    if painted:
        out(f"启动到主窗口首次绘制：{first_paint.at - STARTED_AT:.2f} 秒")
    check(painted, "主窗口已显示")
    check(BUNDLED_FAMILY in QFontDatabase.families(), f"内置中文字体 {BUNDLED_FAMILY} 已加载")
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
        check(loaded and not image.isNull(), f"页面“{title}”已加载{detail}")
        if screenshots:
            image.save(str(screenshots / f"{n + 1}-{title}.png"))
    window.close()
    out("自检通过。" if not failures else f"自检失败：{len(failures)} 项未通过。")
    return 0 if not failures else 1
