"""The branchdesk command line. No Qt is imported until a command needs a window."""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from . import APP_TITLE, __version__

log = logging.getLogger("branchdesk")


# argparse's own words (usage, option groups, its error messages), in Chinese like the rest.
_ARGPARSE_WORDS = {
    "usage: ": "用法：",
    "positional arguments": "参数",
    "options": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "show program's version number and exit": "显示版本号并退出",
    "argument %(argument_name)s: %(message)s": "%(argument_name)s：%(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "没有 %(value)r 这一项（可选：%(choices)s）",
    "the following arguments are required: %s": "缺少 %s",
    "unrecognized arguments: %s": "不认识的参数 %s",
    "expected one argument": "后面要写一个值",
    "expected at most one argument": "后面最多写一个值",
    "expected at least one argument": "后面至少要写一个值",
    "expected %s argument": "后面要写 %s 个值",
    "expected %s arguments": "后面要写 %s 个值",
    "not allowed with argument %s": "不能和 %s 同时使用",
    "ignored explicit argument %r": "不需要写值 %r",
    "one of the arguments %s is required": "%s 中要写一个",
    "invalid %(type)s value: %(value)r": "%(value)r 不是有效的值",
    "ambiguous option: %(option)s could match %(matches)s": "%(option)s 不明确，可能是 %(matches)s",
}


class _ChineseArgparse:
    """While parsing, argparse speaks Chinese; other users of argparse in the same
    process (a test runner) keep theirs."""

    def __enter__(self):
        self.saved = argparse._, argparse.ngettext
        argparse._ = lambda text: _ARGPARSE_WORDS.get(text, text)
        argparse.ngettext = lambda one, many, n: _ARGPARSE_WORDS.get(one if n == 1 else many, one if n == 1 else many)

    def __exit__(self, *_exc):
        argparse._, argparse.ngettext = self.saved


class _Parser(argparse.ArgumentParser):
    """argparse that explains mistakes in Chinese and exits with 2."""

    def error(self, message: str) -> None:  # noqa: D401
        self.print_usage(sys.stderr)
        print(f"命令行参数有误：{message}。运行 branchdesk --help 查看用法。", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="branchdesk", description=f"{APP_TITLE}：小区党支部的离线桌面工作台。")
    parser.add_argument("--version", action="version", version=f"branchdesk {__version__}")
    parser.add_argument("--db", metavar="FILE", type=Path,
                        help="使用指定的数据库文件（默认保存在本机用户数据文件夹中）")
    sub = parser.add_subparsers(dest="command", metavar="命令")
    sub.add_parser("open", help="打开主窗口（不写命令时默认执行）")
    sub.add_parser("demo", help="在数据库中填入示例社区（重复运行不会重复添加）")
    selftest = sub.add_parser("selftest", help="在后台打开主窗口逐页检查，再生成 PDF、统计图表和 Excel 名册检查一遍（不修改数据库），报告启动耗时")
    selftest.add_argument("--screenshots", metavar="DIR", type=Path, help="把每一页截图保存到该文件夹")
    selftest.add_argument("--startup-only", action="store_true",
                          help="只测量启动到主窗口首次绘制的时间（同时打印该时刻的 Unix 时间戳），不逐页检查")
    imp = sub.add_parser("import", help="从 Excel 或 CSV 文件导入名册：先逐行检查，全部无误才导入")
    imp.add_argument("file", metavar="FILE", type=Path, help="要导入的 .xlsx、.xls 或 .csv 文件")
    imp.add_argument("--kind", metavar="KIND", help="名册类型（同 export 的 KIND）；不写时按表头判断")
    imp.add_argument("--sheet", metavar="NAME", help="要导入的工作表；不写时自动选择")
    imp.add_argument("--dry-run", action="store_true", help="只检查并报告，不修改数据库")
    imp.add_argument("--errors", metavar="OUT.xlsx", type=Path, help="把有问题的行连同问题说明写入这个文件")
    imp.add_argument("--map", metavar="表头=项目", action="append",
                     help="说明某一列是什么，如 --map 证件号码=身份证号；写成 --map 表头= 表示不导入该列；可写多次")
    kinds = ("members（党员）、building-leaders（楼栋长）、center-households（党员中心户）、households（住户）、"
             "party-orgs（党组织）、demands（需求清单）、resources（资源清单）、responsibilities（责任清单）、"
             "partners（红色合伙人）、issues（居民问题）")
    exp = sub.add_parser("export", help="把名册导出为 Excel 文件（名册默认隐藏部分身份证号和电话）")
    exp.add_argument("kind", metavar="KIND", help=kinds + "，meetings（会议记录：会议、议程与决议、签到三张表；"
                     "只有姓名，--masked 与 --full 导出相同；只能导出，不能导入），"
                     "或 package（全部数据打包，含会议记录，默认完整号码，供街道汇总）")
    exp.add_argument("file", metavar="FILE", type=Path, help="要保存的 .xlsx 文件")
    shown = exp.add_mutually_exclusive_group()
    shown.add_argument("--masked", action="store_true", help="隐藏部分身份证号和电话（默认）")
    shown.add_argument("--full", action="store_true", help="显示完整号码（报街道用，请妥善保管）")
    exp.add_argument("--prepared-by", metavar="NAME", default="", help="填报人姓名，写在表格末尾")
    tpl = sub.add_parser("template", help="生成空白导入模板（含下拉选项和填写说明）")
    tpl.add_argument("kind", metavar="KIND", help=kinds)
    tpl.add_argument("file", metavar="FILE", type=Path, help="要保存的 .xlsx 文件")
    _add_print_commands(sub)
    _add_chart_commands(sub)
    return parser


def _add_print_commands(sub) -> None:
    sub.add_parser("meetings", help="列出全部会议及其编号（日期、时间、类型和主题、地点、应到/实到、是否已记录）")
    prt = sub.add_parser("print", help="把会议通知、议程、签到表、会议记录或名册保存为 A4 PDF 文件，供打印")
    papers = prt.add_subparsers(dest="document", metavar="DOCUMENT", required=True)
    for name, text in (("notice", "会议通知"), ("agenda", "会议议程"), ("signin", "签到表（含空白行供临时参会人员签到）"),
                       ("minutes", "会议记录")):
        paper = papers.add_parser(name, help=text)
        paper.add_argument("meeting_id", metavar="MEETING_ID", help="会议编号（见 branchdesk meetings）")
        paper.add_argument("--pdf", metavar="FILE", type=Path, required=True, help="要保存的 .pdf 文件")
        if name == "signin":
            paper.add_argument("--blank-rows", metavar="N", type=int, default=None,
                               help="名单后的空白行数，0 到 100（默认 6）")
    roster = papers.add_parser("roster", help="名册：members（党员名册）、building-leaders（楼栋长通讯录）")
    roster.add_argument("roster", metavar="ROSTER", choices=("members", "building-leaders"),
                        help="members（党员名册）或 building-leaders（楼栋长通讯录）")
    roster.add_argument("--pdf", metavar="FILE", type=Path, required=True, help="要保存的 .pdf 文件")
    roster.add_argument("--full", action="store_true", help="显示完整身份证号和电话（默认隐藏中间几位）")


def _add_chart_commands(sub) -> None:
    sub.add_parser("charts", help="列出全部统计图表的名称和标题")
    chart = sub.add_parser("chart", help="把一张统计图表保存为 PNG 图片或 PDF 文件")
    chart.add_argument("name", metavar="NAME", help="图表名称（见 branchdesk charts）")
    chart.add_argument("--out", metavar="FILE", type=Path, required=True, help="要保存的 .png 或 .pdf 文件")
    report = sub.add_parser("report", help="把全部统计图表和数字表格保存为一份 A4 PDF 报告，供议事会和存档")
    report.add_argument("--pdf", metavar="FILE", type=Path, required=True, help="要保存的 .pdf 文件")
    for command in (chart, report):
        command.add_argument("--from", dest="date_from", metavar="DATE", help="统计开始日期，如 2026-01-01（默认本年 1 月 1 日）")
        command.add_argument("--to", dest="date_to", metavar="DATE", help="统计结束日期，如 2026-06-30（默认本年 12 月 31 日）")


def _setup_logging() -> None:
    from .paths import data_dir

    try:
        folder = data_dir()
        folder.mkdir(parents=True, exist_ok=True)
        logging.basicConfig(filename=folder / "branchdesk.log", level=logging.INFO, encoding="utf-8",
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    except OSError:
        logging.basicConfig(level=logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if stream is not None and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    with _ChineseArgparse():
        args = build_parser().parse_args(argv)
    _setup_logging()
    from . import store

    if args.command not in (None, "open"):  # what opening repaired, or why a write waits
        store.notify = lambda text: print(text, file=sys.stderr, flush=True)
        store.busy_wait_default = store.COMMAND_BUSY_WAIT_SECONDS
    try:
        return _run(args)
    except store.StoreError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `branchdesk charts | head`: the reader has all it wanted
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 141
    except Exception as exc:  # the user gets one sentence; the traceback goes to the log
        log.exception("unexpected error")
        known = store.describe_database_error(exc) if type(exc).__module__.startswith(("sqlalchemy", "sqlite3")) else None
        if known:
            print(known, file=sys.stderr)
            return 1
        print(f"程序出错：{exc}。详细信息已写入日志文件 branchdesk.log，请把它发给技术支持人员。", file=sys.stderr)
        return 1


def _run(args) -> int:
    from .paths import default_db_path
    from .store import check_database, open_store

    command = args.command or "open"
    path = args.db or default_db_path()
    # The default database is created on first start; a path given with --db must exist
    # unless the command is there to fill it.
    create = args.db is None or command == "demo"
    if command in ("charts", "chart", "report"):
        from .charts import cli as charts_cli

        return getattr(charts_cli, f"run_{command}")(path, args)
    if command in ("print", "meetings"):
        from .printing import cli as printing_cli

        return getattr(printing_cli, f"run_{command}")(path, args)
    if command in ("import", "export", "template"):
        from .exchange import cli as exchange_cli

        return getattr(exchange_cli, f"run_{command}")(path, args)
    if command == "demo":
        store = open_store(path, create=create)
        try:
            from .services.demo import fill_demo

            with store.transaction() as session:
                report = fill_demo(session)
            print(report)
            return 0
        finally:
            store.close()
    check_database(path, create=create)  # a bad file is refused before any window opens
    if command == "selftest":
        from .ui.selftest import run_selftest

        return run_selftest(path, create=create, screenshots=args.screenshots, startup_only=args.startup_only)
    from .app import run_gui

    return run_gui(path, create=create)
