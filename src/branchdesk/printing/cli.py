"""`branchdesk print` and `branchdesk meetings`: a meeting's papers and the rosters as
A4 PDF from the command line, and the meetings with the ids to print them by.
Exit 0 written, 2 a wrong meeting id or a missing folder, 1 a file that could not
be written (a full disk, no permission: the file that was there is kept); each
refusal is one sentence on stderr."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from . import MEETING_KINDS, ROSTER_KINDS


def _need_no_display() -> None:
    """Printing draws no window: without a display (a server, a scheduled task) Qt runs offscreen."""
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _meeting_id(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() else None


def run_print(db_path: Path, args) -> int:
    from ..services import NotFound
    from ..store import open_store
    from . import PrintError, PrintWriteError, build_document, write_pdf

    if args.document == "roster":
        kind, meeting_id, name = args.roster, None, ROSTER_KINDS[args.roster]
    else:
        kind, name = args.document, MEETING_KINDS[args.document]
        meeting_id = _meeting_id(args.meeting_id)
        if meeting_id is None:
            print(f"会议编号“{args.meeting_id}”不对：请写 branchdesk meetings 列出的数字编号。", file=sys.stderr)
            return 2
    blank_rows = getattr(args, "blank_rows", None)
    if blank_rows is not None and not 0 <= blank_rows <= 100:
        print(f"空白行数 {blank_rows} 不对：请写 0 到 100 之间的数。", file=sys.stderr)
        return 2
    _need_no_display()
    from ..ui.qtenv import make_application

    make_application()
    try:
        with open_store(db_path, create=False) as store, store.session() as session:
            document = build_document(session, kind, meeting_id, full=getattr(args, "full", False),
                                      blank_rows=blank_rows)
        pages = write_pdf(document, args.pdf)
    except NotFound:
        print(f"没有编号为 {meeting_id} 的会议：请用 branchdesk meetings 查看会议编号。", file=sys.stderr)
        return 2
    except PrintWriteError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except PrintError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    shown = "" if kind not in ROSTER_KINDS else "（完整号码）" if args.full else "（已隐藏部分号码）"
    print(f"已把{name}{shown}保存到“{args.pdf}”，共 {pages} 页。")
    return 0


def run_meetings(db_path: Path, args) -> int:
    from ..services import meetings as MT
    from ..store import open_store

    with open_store(db_path, create=False) as store, store.session() as session:
        rows = MT.list_meetings(session)
    if not rows:
        print("还没有会议。")
        return 0
    print("编号  日期        时间   会议                                    地点                  应到/实到  会议记录")
    for r in rows:
        what = r.kind if r.title == r.kind else f"{r.kind}：{r.title}"
        print(f"{r.id:>4}  {r.starts_at:%Y-%m-%d}  {r.starts_at:%H:%M}  {_pad(what, 40)}{_pad(r.place or '', 22)}"
              f"{_pad(f'{r.invited}/{r.present}', 11)}{'已记录' if r.held else '未记录'}")
    print(f"共 {len(rows)} 次会议。打印：branchdesk print minutes 编号 --pdf 文件.pdf")
    return 0


def _pad(text: str, width: int) -> str:
    """Pad to a width in terminal columns (a Chinese character takes two)."""
    used = sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)
    return text + " " * max(1, width - used)
