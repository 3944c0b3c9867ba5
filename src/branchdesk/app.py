"""Start-up of the window: the Qt application and the main window first, the
database right after the window's first paint.

Opening the database means importing SQLAlchemy, the models and the services
(about half a second on a slow PC); the secretary sees the window while that
happens instead of waiting for it. Every way the file itself can be refused was
checked before Qt started (store.check_database), so what can still fail here
is rare: a backup or a migration that cannot be written."""
from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)


class Launch:
    """The shown main window, with the store attached once it is open."""

    def __init__(self, path: Path, *, create: bool, on_error: Callable[[str], None] | None = None):
        from .ui.main_window import MainWindow
        from .ui.qtenv import make_application, make_settings

        self.path, self.create = path, create
        self.app = make_application()
        self.window = MainWindow(make_settings())
        self.store = None
        self.exit_code: int | None = None  # set when opening failed
        self.running = False  # inside exec(): a failure ends the event loop
        self._on_error = on_error or self._show_error
        self._on_notice = self._show_notice
        self._on_unexpected = self._show_unexpected
        self._previous_hook = None
        self.window.first_painted.connect(self._open)
        self.window.show()

    def _open(self) -> None:
        from .store import StoreError, open_store

        try:
            self.store = open_store(self.path, create=self.create)
            from .ui.busy import BusyWaiter

            self.store.on_busy = BusyWaiter(self.window, self.store.busy_wait)
            self.window.attach(self.store)
            if self.store.notice:
                self._on_notice(self.store.notice)
        except StoreError as exc:
            self._fail(2, str(exc))
        except Exception as exc:  # a bug: one sentence for the user, the traceback for the log
            log.exception("opening the database failed")
            self._fail(1, f"打开数据库时程序出错：{exc}。详细信息已写入日志文件 branchdesk.log，请把它发给技术支持人员。")

    def _fail(self, code: int, message: str) -> None:
        self.exit_code = code
        self._on_error(message)
        if self.running:
            self.app.exit(code)

    def _show_error(self, message: str) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.critical(self.window, "无法打开数据库", message)

    def _show_notice(self, message: str) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.information(self.window, "数据库已修复", message)

    def report_unexpected(self, on_unexpected: Callable[[str], None] | None = None) -> None:
        """From now until close(), an exception no code caught (a bug in a slot) is logged
        and told in one sentence. Otherwise it would only print to a console the secretary
        does not have: the Windows program has none."""
        if on_unexpected is not None:
            self._on_unexpected = on_unexpected
        self._previous_hook, sys.excepthook = sys.excepthook, self._unexpected

    def _unexpected(self, kind, exc, trace) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, trace)
            return
        from .store import StoreError, describe_database_error

        if issubclass(kind, StoreError):  # already one sentence for the secretary
            log.info("refused: %s", kind.__name__)
            self._on_unexpected(str(exc))
            return
        log.error("unexpected error", exc_info=(kind, exc, trace))
        known = describe_database_error(exc) if kind.__module__.startswith(("sqlalchemy", "sqlite3")) else None
        if known:
            self._on_unexpected(known)
            return
        self._on_unexpected(f"程序出错：{exc}。刚才的操作可能没有完成，已保存的数据不受影响；"
                            "详细信息已写入日志文件 branchdesk.log，请把它发给技术支持人员。")

    def _show_unexpected(self, message: str) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.warning(self.window, "程序出错", message)

    def close(self) -> None:
        self.window.wait_for_tasks()
        if self.store is not None:
            self.store.close()
        if self._previous_hook is not None:
            sys.excepthook, self._previous_hook = self._previous_hook, None


def run_gui(path: Path, *, create: bool) -> int:
    launch = Launch(path, create=create)
    launch.report_unexpected()
    launch.running = True
    try:
        code = launch.app.exec()
    finally:
        launch.close()
    return launch.exit_code if launch.exit_code is not None else code
