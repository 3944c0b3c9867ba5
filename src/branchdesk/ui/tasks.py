"""Slow work off the GUI thread, through one helper.

run() hands a function to a worker thread with its own database session; the
function may report progress through a callback; the result or the error comes
back on the GUI thread. A progress dialog appears only when the work takes
longer than half a second, and offers 取消 when the function accepts cancelling.
When the window that asked for the work is gone by the time it ends, the result
is dropped: there is no one left to show it to.
"""
from __future__ import annotations

import logging
import traceback
from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget
from shiboken6 import isValid

log = logging.getLogger(__name__)
SHOW_PROGRESS_AFTER_MS = 500


class Cancelled(Exception):
    """Raised inside a task when the user pressed 取消."""


class _Signals(QObject):
    progress = Signal(int, int, str)
    done = Signal(object)
    failed = Signal(object, str)


class _Job(QRunnable):
    def __init__(self, fn: Callable, signals: _Signals):
        super().__init__()
        self.fn, self.signals, self.cancelled = fn, signals, False

    def report(self, done: int, total: int, text: str = "") -> None:
        if self.cancelled:
            raise Cancelled()
        self._deliver(self.signals.progress, done, total, text)

    def run(self) -> None:
        try:
            result = self.fn(self.report)
        except Cancelled as exc:
            self._deliver(self.signals.failed, exc, "")
        except Exception as exc:  # delivered to the GUI thread, never lost
            self._deliver(self.signals.failed, exc, traceback.format_exc())
        else:
            self._deliver(self.signals.done, result)

    @staticmethod
    def _deliver(signal, *args) -> None:
        try:
            signal.emit(*args)
        except RuntimeError:  # the window closed while the work ran: no one is waiting for it
            log.info("a background task finished after its page was closed")


class TaskRunner(QObject):
    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self._parent = parent
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(2)
        self._live: set[_Signals] = set()

    def run(self, fn: Callable[[Callable], object], *, on_done: Callable[[object], None],
            on_error: Callable[[Exception], None] | None = None, label: str = "正在处理…",
            cancellable: bool = False, on_cancel: Callable[[], None] | None = None) -> None:
        """fn(report) runs on a worker; report(done, total, text) updates the dialog.
        With cancellable, 取消 makes the next report() raise Cancelled in the worker
        (so a transaction around the work rolls back), then on_cancel runs."""
        signals = _Signals()
        job = _Job(fn, signals)
        dialog: list[QProgressDialog] = []

        def show_dialog() -> None:
            if signals not in self._live:
                return
            d = QProgressDialog(label, "取消" if cancellable else "", 0, 0, self._parent)
            d.setWindowTitle("请稍候")
            d.setWindowModality(Qt.WindowModality.WindowModal)
            d.setMinimumDuration(0)
            if not cancellable:
                d.setCancelButton(None)
            d.canceled.connect(lambda: setattr(job, "cancelled", True))
            d.show()
            dialog.append(d)

        def finish() -> bool:
            """Tidy up; False when this runner's window was deleted while the work ran
            (its timer and dialog went with it, and so did whatever on_done would update)."""
            self._live.discard(signals)
            if not isValid(self):
                log.info("a background task finished after its window was closed")
                return False
            timer.stop()
            for d in dialog:
                if isValid(d):
                    d.reset()
                    d.deleteLater()
            return True

        def progress(done: int, total: int, text: str) -> None:
            for d in dialog:
                if not isValid(d):
                    continue
                d.setMaximum(total)
                d.setValue(done)
                if text:
                    d.setLabelText(text)

        def done(result: object) -> None:
            if finish():
                on_done(result)

        def failed(exc: Exception, trace: str) -> None:
            if not finish():
                if not isinstance(exc, Cancelled):
                    log.error("a background task failed after its window was closed:\n%s", trace or exc)
                return
            if isinstance(exc, Cancelled):
                if on_cancel is not None:
                    on_cancel()
                return
            if type(exc).__module__.startswith("branchdesk."):
                # our own errors are worded for the secretary and shown to her: no trace needed
                log.info("background task refused: %s", exc)
            else:
                log.error("background task failed:\n%s", trace)
            if on_error is not None:
                on_error(exc)

        signals.progress.connect(progress)
        signals.done.connect(done)
        signals.failed.connect(failed)
        self._live.add(signals)
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.timeout.connect(show_dialog)
        timer.start(SHOW_PROGRESS_AFTER_MS)
        self._pool.start(job)

    @property
    def busy(self) -> bool:
        return bool(self._live)

    def wait(self, msecs: int = 30_000) -> bool:
        return self._pool.waitForDone(msecs)
