"""Qt's print preview (A4, in Chinese) for a printed document: the secretary sees the
pages, picks a printer or prints to PDF. One call from a page's button:

    preview_document(self, self.store, "signin", meeting_id)
"""
from __future__ import annotations

from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QMessageBox, QWidget

from ..printing import MEETING_KINDS, ROSTER_KINDS, build_document
from ..printing.layout import PrintDocument
from ..services import NotFound


def make_preview_dialog(parent: QWidget | None, document: PrintDocument) -> QPrintPreviewDialog:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageLayout(document.page_layout())
    printer.setDocName(document.title)
    dialog = QPrintPreviewDialog(printer, parent)
    dialog.setWindowTitle(f"打印预览 — {document.title}")
    dialog.paintRequested.connect(document.paint)
    dialog.resize(900, 1000)
    dialog._printer = printer  # the dialog does not own the printer: keep it alive with the dialog
    return dialog


def print_preview(parent: QWidget | None, document: PrintDocument) -> int:
    """Show the preview, modal; returns the dialog's result (printed or closed)."""
    dialog = make_preview_dialog(parent, document)
    try:
        return dialog.exec()
    finally:
        dialog.deleteLater()


def preview_document(parent: QWidget | None, store, kind: str, meeting_id: int | None = None, *,
                     full: bool = False) -> int:
    """kind: notice / agenda / signin / minutes (with meeting_id), members / building-leaders
    (full=True shows whole ID and phone numbers). A meeting deleted meanwhile is said in a box."""
    if kind not in MEETING_KINDS and kind not in ROSTER_KINDS:
        raise ValueError(kind)
    try:
        with store.session() as session:
            document = build_document(session, kind, meeting_id, full=full)
    except NotFound:
        QMessageBox.warning(parent, "打印", "这次会议已被删除，无法打印。")
        return 0
    return print_preview(parent, document)
