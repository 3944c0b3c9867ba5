"""While a write waits for another window or command: the window keeps painting.

The store waits for SQLite's write lock in short steps and calls Store.on_busy between
them. On the GUI thread this shows, after half a second, how long it has waited with
取消; a worker thread has its task's own progress dialog and just waits."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEventLoop, QThread, Qt
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget

from ..store import WaitCancelled

SHOW_AFTER_SECONDS = 0.5
CANCELLED_TEXT = "已取消：数据库仍被另一个 branchdesk 窗口或命令占用，刚才的更改没有保存，可以稍后再试。"


class BusyWaiter:
    def __init__(self, parent: QWidget, limit: float):
        self.parent, self.limit = parent, limit
        self.dialog: QProgressDialog | None = None

    def __call__(self, waited: float | None) -> None:
        app = QCoreApplication.instance()
        if app is None or QThread.currentThread() is not app.thread():
            return
        if waited is None:  # the wait is over, either way
            self._close()
            return
        if self.dialog is None and waited >= SHOW_AFTER_SECONDS:
            dialog = QProgressDialog("数据库正被另一个 branchdesk 窗口或命令写入（例如正在导入），正在等待它完成…",
                                     "取消", 0, int(self.limit * 10), QApplication.activeWindow() or self.parent)
            dialog.setWindowTitle("请稍候")
            # the form that is saving is blocked too: nothing can start a second write meanwhile
            dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
            dialog.setMinimumDuration(0)
            dialog.setAutoReset(False)
            dialog.setAutoClose(False)
            dialog.show()
            self.dialog = dialog
        if self.dialog is not None:
            self.dialog.setValue(int(waited * 10))
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        if self.dialog is not None and self.dialog.wasCanceled():
            self._close()
            raise WaitCancelled(CANCELLED_TEXT)

    def _close(self) -> None:
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None
