"""`branchdesk charts`, `branchdesk chart NAME --out FILE` and `branchdesk report --pdf FILE`.
Exit 0 written; 2 for a chart name, a date or a file type that is wrong, or a file
that cannot be written (one sentence on stderr). No Qt is imported."""
from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from . import BY_NAME, CHARTS

FORMATS = (".png", ".pdf")


class _Refused(Exception):
    """Bad input: str() is the sentence for the secretary."""


def _day(text: str | None, option: str) -> date | None:
    from ..validation import Invalid, parse_date

    try:
        return parse_date(text, allow_future=True)
    except Invalid as exc:
        raise _Refused(f"{option} 的{exc}") from None


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
    """Run a command; bad input and an unwritable file end in one sentence and exit 2."""
    def wrapped(db_path: Path, args) -> int:
        try:
            return run(db_path, args)
        except _Refused as exc:
            print(str(exc), file=sys.stderr)
        except OSError as exc:
            print(f"文件无法写入（{exc.strerror or exc}）：请关闭正在打开它的程序，或换一个位置保存。", file=sys.stderr)
        return 2
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
    from .figures import render

    chart = render(spec.name, data[spec.name], subtitle=subtitle)
    chart.figure.savefig(args.out, dpi=150)
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
