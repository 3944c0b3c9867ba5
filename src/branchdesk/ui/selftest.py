"""branchdesk selftest: open the main window offscreen, visit every page, report.

The installer's check runs this from the built bundle, so it exercises what a
user would: the font, the translations, the database, each page's first load."""
from __future__ import annotations

import os
import time
from pathlib import Path

from .. import STARTED_AT


def _wait(app, predicate, timeout: float = 20.0) -> bool:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        app.processEvents()
        if predicate():
            return True
        time.sleep(0.005)
    return predicate()


def run_selftest(path: Path, *, create: bool, screenshots: Path | None = None, out=print) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import sys

    from PySide6.QtGui import QFontDatabase

    from ..app import Launch
    from .qtenv import BUNDLED_FAMILY

    launch = Launch(path, create=create, on_error=lambda message: print(message, file=sys.stderr))
    app, window = launch.app, launch.window
    painted = _wait(app, lambda: window.first_paint_at is not None, 10)
    attached = _wait(app, lambda: bool(window.pages) or launch.exit_code is not None, 30)
    if launch.exit_code is not None:
        launch.close()
        return launch.exit_code
    failures: list[str] = []

    def check(ok: bool, text: str) -> None:
        out(("✓ " if ok else "✗ ") + text)
        if not ok:
            failures.append(text)

    if painted:
        out(f"启动到主窗口首次绘制：{window.first_paint_at - STARTED_AT:.2f} 秒")
    check(painted, "主窗口已显示")
    check(attached, "数据库已打开")
    if not attached:
        window.close()
        launch.close()
        out("自检失败：数据库没有打开。")
        return 1
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
    launch.close()
    out("自检通过。" if not failures else f"自检失败：{len(failures)} 项未通过。")
    return 0 if not failures else 1
