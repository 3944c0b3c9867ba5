"""Documents for the printer and PDF: a meeting's notice, agenda, sign-in sheet and
minutes, and the rosters. Each document function takes a session (data is read
through the services, never by SQL here) and returns a PrintDocument (layout.py),
which the print preview paints on a QPrinter and write_pdf writes as an A4 PDF.

A Qt GUI application must exist before anything is laid out (fonts need it): the
command line and the window both make one through ui.qtenv.make_application."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Qt is imported when a document is made, not for `branchdesk meetings`
    from .layout import PrintDocument

PDF_RESOLUTION = 600


class PrintError(Exception):
    """The document cannot be written; the message is one Chinese sentence for the user."""


class PrintWriteError(PrintError):
    """Writing the file failed (a full disk, no permission): the previous file is kept."""


# kind → (what it is called, needs a meeting)
MEETING_KINDS = {"notice": "会议通知", "agenda": "会议议程", "signin": "签到表", "minutes": "会议记录"}
ROSTER_KINDS = {"members": "党员名册", "building-leaders": "楼栋长通讯录"}


def build_document(session, kind: str, meeting_id: int | None = None, *, full: bool = False,
                   blank_rows: int | None = None, today=None) -> PrintDocument:
    """One call for every document: kind is a key of MEETING_KINDS (with meeting_id) or of
    ROSTER_KINDS (full=True shows whole ID and phone numbers). A deleted or unknown
    meeting raises services.NotFound."""
    from . import meetings, rosters

    if kind == "notice":
        return meetings.notice(session, meeting_id, today=today)
    if kind == "agenda":
        return meetings.agenda(session, meeting_id)
    if kind == "signin":
        extra = {} if blank_rows is None else {"blank_rows": blank_rows}
        return meetings.signin_sheet(session, meeting_id, **extra)
    if kind == "minutes":
        return meetings.minutes(session, meeting_id)
    if kind == "members":
        return rosters.member_roster(session, full=full, today=today)
    if kind == "building-leaders":
        return rosters.leader_roster(session, full=full, today=today)
    raise ValueError(kind)


def write_pdf(document: PrintDocument, path) -> int:
    """Write the document as an A4 PDF with the Chinese font embedded; returns the page
    count. A missing folder or a folder given as the file raises PrintError; a file that
    cannot be written (a full disk, no permission) raises PrintWriteError, and the file
    that was there before is left as it was (safefile.replacing).

    Qt lays the PDF out into memory: QPdfWriter writing to a file only says "false" when
    the disk is full, and says it where nobody asks. Python then writes the bytes, so a
    failure comes with its reason; the written file is checked before it takes the place
    of the old one."""
    from PySide6.QtCore import QBuffer, QIODevice
    from PySide6.QtGui import QPdfWriter

    from ..safefile import check_pdf, write_bytes, write_error_text

    path = Path(path)
    folder = path.parent
    if not folder.is_dir():
        raise PrintError(f"保存位置“{folder}”不存在，请换一个文件夹后再试。")
    if path.is_dir():
        raise PrintError(f"“{path}”是一个文件夹，请写上要保存的文件名，如 {path / '会议记录.pdf'}。")
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setPageLayout(document.page_layout())
    writer.setResolution(PDF_RESOLUTION)
    writer.setTitle(document.title)
    writer.setCreator("branchdesk")
    try:
        pages = document.paint(writer)  # OSError when the painter cannot begin on the writer
        del writer  # finished: the PDF is whole in the buffer
        data = bytes(buffer.data())
        buffer.close()
        write_bytes(path, data, check=check_pdf)
    except OSError as exc:
        raise PrintWriteError(write_error_text(path, exc)) from exc
    return pages


__all__ = ["MEETING_KINDS", "ROSTER_KINDS", "PrintError", "PrintWriteError", "build_document", "write_pdf"]
