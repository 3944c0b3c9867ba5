"""`branchdesk charts`, `branchdesk chart NAME --out FILE` and `branchdesk report --pdf FILE`.
Exit 0 written; 2 for a chart name, a date, a file type or a folder that is wrong;
1 for a file that could not be written (a full disk, no permission: the file that was
there is kept). Each refusal is one sentence on stderr. No Qt is imported."""
from __future__ import annotations

import io
import sys
from datetime import date
from pathlib import Path

from . import BY_NAME, CHARTS

FORMATS = (".png", ".pdf")


class _Refused(Exception):
    """Bad input: str() is the sentence for the secretary."""


LAST_YEAR = 2100  # a period ending later is a typing mistake (and past 9999 there are no dates to count to)


def _day(text: str | None, option: str) -> date | None:
    from ..validation import Invalid, parse_date

    try:
        day = parse_date(text, allow_future=True)
    except Invalid as exc:
        raise _Refused(f"{option} 的{exc}") from None
    if day is not None and day.year > LAST_YEAR:
        raise _Refused(f"{option} 的日期 {day.isoformat()} 超出范围：请写 1900 年到 {LAST_YEAR} 年之间的日期，"
                       f"如 {date.today().year}-12-31。")
    return day


def _filters(args):
    from ..services.dashboard import Filters
    from ..services.periods import period_range

    today = date.today()
    year_start, year_end = period_range("year", today)
    start = _day(args.date_from, "--from") or year_start
    end = _day(args.date_to, "--to") or (year_end if start.year == today.year else date(start.year, 12, 31))
    if end < start:
        raise _Refused(f"结束日期 {end:%Y-%m-%d} 早于开始日期 {start:%Y-%m-%d}，请检查 --from 和 --to。")
    return Filters(start, end, today)


def _writable(path: Path, suffixes: tuple[str, ...]) -> None:
    if path.suffix.lower() not in suffixes:
        raise _Refused(f"文件“{path}”的类型不对：请用 {' 或 '.join(suffixes)} 结尾的文件名。")
    if not path.parent.is_dir():
        raise _Refused(f"文件夹“{path.parent}”不存在，请先建好它或换一个位置。")


def _load(db_path: Path, filters, names=None):
    from ..services import dashboard, org
    from ..store import open_store
    from . import load_all

    with open_store(db_path, create=False) as store, store.session() as session:
        return load_all(session, filters, names), dashboard.subtitle(session, filters), org.community_name(session)


def _refusing(run):
    """Run a command; bad input ends in one sentence and exit 2, a file that could not be
    written in one sentence and exit 1."""
    def wrapped(db_path: Path, args) -> int:
        from ..safefile import write_error_text

        try:
            return run(db_path, args)
        except _Refused as exc:
            print(str(exc), file=sys.stderr)
            return 2
        except OSError as exc:
            target = getattr(args, "out", None) or getattr(args, "pdf", None) or "文件"
            print(write_error_text(target, exc), file=sys.stderr)
            return 1
    return wrapped


def run_charts(_db_path: Path, _args) -> int:
    width = max(len(spec.name) for spec in CHARTS)
    for spec in CHARTS:
        print(f"{spec.name.ljust(width)}  {spec.title}：{spec.note}")
    return 0


@_refusing
def run_chart(db_path: Path, args) -> int:
    spec = BY_NAME.get(args.name)
    if spec is None:
        raise _Refused(f"没有名为“{args.name}”的图表：运行 branchdesk charts 查看全部图表的名称。")
    _writable(args.out, FORMATS)
    filters = _filters(args)
    data, subtitle, _community = _load(db_path, filters, (spec.name,))
    from ..safefile import check_for, write_bytes
    from .figures import render

    chart = render(spec.name, data[spec.name], subtitle=subtitle)
    drawn = io.BytesIO()  # made in memory, then written in one go: a full disk keeps the old file
    chart.figure.savefig(drawn, format=args.out.suffix.lower().lstrip("."), dpi=150)
    write_bytes(args.out, drawn.getvalue(), check=check_for(args.out))
    print(f"已把“{spec.title}”保存到“{args.out}”。")
    return 0


@_refusing
def run_report(db_path: Path, args) -> int:
    _writable(args.pdf, (".pdf",))
    filters = _filters(args)
    data, subtitle, community = _load(db_path, filters)
    from .report import write_report

    pages = write_report(args.pdf, data, heading=report_heading(community), subtitle=subtitle, made_on=date.today())
    print(f"已把统计报告保存到“{args.pdf}”，共 {pages} 页。")
    return 0


def report_heading(community: str) -> str:
    return f"{community}党建工作统计报告" if community else "党建工作统计报告"
