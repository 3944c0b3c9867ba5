"""Documents for the printer and PDF: a meeting's notice, agenda, sign-in sheet and
minutes, and the rosters. Each document function takes a session (data is read
through the services, never by SQL here) and returns a PrintDocument (layout.py),
which the print preview paints on a QPrinter and write_pdf writes as an A4 PDF.

A Qt GUI application must exist before anything is laid out (fonts need it): the
command line and the window both make one through ui.qtenv.make_application."""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Qt is imported when a document is made, not for `branchdesk meetings`
    from .layout import PrintDocument

PDF_RESOLUTION = 600


class PrintError(Exception):
    """The document cannot be written; the message is one Chinese sentence for the user."""


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
    count. The file is written beside the target and then put in its place, so a failed
    write never leaves half a PDF where a good one was."""
    from PySide6.QtGui import QPdfWriter

    path = Path(path)
    folder = path.parent
    if not folder.is_dir():
        raise PrintError(f"保存位置“{folder}”不存在，请换一个文件夹后再试。")
    if path.is_dir():
        raise PrintError(f"“{path}”是一个文件夹，请写上要保存的文件名，如 {path / '会议记录.pdf'}。")
    temp = path.with_name(f".{path.stem}.part.pdf")
    try:
        temp.open("wb").close()  # Qt only says "false" when it cannot write: find out here, in words
    except OSError as exc:
        raise PrintError(f"无法写入“{path.name}”：没有写入这个文件夹的权限，或磁盘已满，请换一个保存位置后再试。") from exc
    writer = QPdfWriter(str(temp))
    writer.setPageLayout(document.page_layout())
    writer.setResolution(PDF_RESOLUTION)
    writer.setTitle(document.title)
    writer.setCreator("branchdesk")
    try:
        pages = document.paint(writer)
        del writer  # closes the file
        os.replace(temp, path)
    except PermissionError as exc:
        temp.unlink(missing_ok=True)
        raise PrintError(f"无法写入“{path.name}”：文件可能正在 PDF 阅读器中打开，请关闭后再试，或换一个文件名。") from exc
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise PrintError(f"无法写入“{path.name}”：磁盘可能已满，或没有写入这个文件夹的权限，请换一个保存位置后再试。") from exc
    return pages


__all__ = ["MEETING_KINDS", "ROSTER_KINDS", "PrintError", "build_document", "write_pdf"]
