"""The branchdesk command line. No Qt is imported until a command needs a window."""
from __future__ import annotations

import argparse
import logging
import re
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
    imp.add_argument("--include-hidden", action="store_true",
                     help="也导入在 Excel 中隐藏的工作表和行（默认跳过，并在检查结果中列出）")
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


# ---- the log: never a whole ID number or phone ---------------------------------------------------
_ID_NUMBER = re.compile(r"(?<!\d)(\d{6})\d{8}(\d{3}[\dXx])(?!\d)")
_MOBILE = re.compile(r"(?<!\d)((?:\+?86[- ]?)?1[3-9]\d)[- ]?\d{4}[- ]?(\d{4})(?!\d)")


def mask_personal_numbers(text: str) -> str:
    """Hide the middle of anything shaped like an ID number or a mainland mobile, as the
    rosters do: 420302********0002, 139****0000."""
    text = _ID_NUMBER.sub(r"\1********\2", text)
    return _MOBILE.sub(r"\1****\2", text)


class _MaskingFilter(logging.Filter):
    """Masks the message itself, for every formatter that may see the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_personal_numbers(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class _MaskingFormatter(logging.Formatter):
    """Masks the whole line, the exception text and stack included (an error's message may
    quote a cell of a roster)."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_personal_numbers(super().format(record))


_LOGGED_TO_FILE = "branchdesk_log_file"  # marks the handler set up here


def _setup_logging() -> bool:
    """The log file in the data folder, private, with ID numbers and phones masked.
    Returns whether the log goes to the file. Where it cannot be opened (a read-only
    folder) the log is dropped silently: a command speaks only in its own sentences."""
    from .paths import PRIVATE_FILE, log_path, tighten

    root = logging.getLogger()
    if any(getattr(h, _LOGGED_TO_FILE, False) for h in root.handlers):
        return True
    if root.handlers:  # set up by whoever runs us (a test runner): theirs
        return False
    path = log_path()
    try:
        if not path.exists():  # private from its first line, whatever the umask
            import os

            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE))
        tighten(path)
        handler = logging.FileHandler(path, encoding="utf-8")
    except OSError:
        root.addHandler(logging.NullHandler())  # not Python's last resort, which prints to stderr
        return False
    handler.addFilter(_MaskingFilter())
    handler.setFormatter(_MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    setattr(handler, _LOGGED_TO_FILE, True)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return True


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if stream is not None and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    with _ChineseArgparse():
        args = build_parser().parse_args(argv)
    from .paths import private_files

    with private_files():  # what this process writes is its user's alone; its scratch files go at the end
        logged = _setup_logging()
        _prune_drafts()
        return _main(args, logged)


def _main(args, logged: bool) -> int:
    from . import store

    if args.command not in (None, "open"):  # what opening repaired, or why a write waits
        store.notify = lambda text: print(text, file=sys.stderr, flush=True)
        store.busy_wait_default = store.COMMAND_BUSY_WAIT_SECONDS
    try:
        return _run(args)
    except (store.StoreError, Refused) as exc:
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
        print(_unexpected_text(exc, logged), file=sys.stderr)
        return 1


def _unexpected_text(exc: BaseException, logged: bool) -> str:
    """One Chinese sentence for what no command caught: a file that could not be read or
    written, an SQLite failure the secretary can act on, or a bug (its English stays in
    the log)."""
    from .safefile import WriteFailed
    from .store import describe_database_error, os_error_text

    if isinstance(exc, WriteFailed):
        return str(exc)
    if type(exc).__module__.startswith(("sqlalchemy", "sqlite3")):
        known = describe_database_error(exc)
        if known:
            return known
    where = "详细信息已写入日志文件 branchdesk.log，请把它发给技术支持人员。" if logged else \
        "请把运行的命令告诉技术支持人员。"
    if isinstance(exc, OSError):
        name = f"“{Path(exc.filename).name}”" if exc.filename else "文件"
        return f"读写{name}时出错：{os_error_text(exc)}，命令没有完成；请检查文件和文件夹的权限以及磁盘空间后再试。"
    said = str(exc)
    said = f"：{said}" if re.search(r"[\u4e00-\u9fff]", said) else ""  # a bug's English stays in the log
    return f"程序出错{said}，命令没有完成。{where}"


def _prune_drafts() -> None:
    from .paths import drafts_dir

    if not drafts_dir().is_dir():  # no draft was left: nothing to import and look at
        return
    from .drafts import prune

    try:
        prune()
    except Exception:  # housekeeping never stops a command
        log.warning("could not prune the drafts", exc_info=True)


class Refused(Exception):
    """Input the command cannot use, found before anything is opened: str() is the sentence (exit 2)."""


# ---- what is refused before the database is opened ---------------------------------------------
_USE_DATABASE = ("open", "demo", "selftest", "import", "export", "meetings", "print", "chart", "report")


def database_problem(path: Path, *, create: bool) -> str | None:
    """What makes a database file unusable, found without opening it (a stat and an access
    check: only SQLite may open it, see store._LockGuard), as one sentence; None if nothing
    does. What the file holds is store.check_database's to judge."""
    import os
    import stat

    try:
        st = path.stat()
    except OSError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode):
        return None  # a folder: check_database says so
    if st is None and not create:
        return None  # check_database says it is not there
    if st is not None and st.st_size == 0 and not create:
        return (f"数据库文件“{path}”是空的（0 字节），不是 branchdesk 数据库，没有打开它；"
                "请检查是否选对了文件，或从 backups 文件夹中的备份恢复。")
    folder = path.parent
    if folder.is_dir() and not os.access(folder, os.W_OK | os.X_OK):
        if st is None:
            return f"无法新建数据库“{path}”：文件夹“{folder}”是只读的，请检查文件夹的权限或换一个位置。"
        return (f"数据库“{path}”所在的文件夹是只读的，无法打开它（打开时要在它旁边写入工作文件和备份）；"
                "请检查文件夹的权限，或把数据库复制到可以写入的位置后用 --db 打开。")
    if st is not None and not os.access(path, os.R_OK | os.W_OK):
        return f"数据库文件“{path}”是只读的，无法打开它；请检查文件的权限。"
    return None


# command → (the argument naming the file it writes, the suffixes it may have (the first is
# given to a name without one), what that is, an example name)
_OUTPUTS = {
    "export": ("file", (".xlsx",), "Excel 文件", "名册.xlsx"),
    "template": ("file", (".xlsx",), "Excel 文件", "导入模板.xlsx"),
    "print": ("pdf", (".pdf",), "PDF 文件", "打印.pdf"),
    "report": ("pdf", (".pdf",), "PDF 文件", "统计报告.pdf"),
    "chart": ("out", (".png", ".pdf"), "PNG 图片或 PDF 文件", "统计图表.png"),
}


def check_output(args, command: str) -> None:
    """Refuse a file name the command cannot write as given (empty, a folder, a type it does
    not write, a folder that is not there) in one sentence; give a name without a type the
    command's own (名册 → 名册.xlsx), in args."""
    attribute, suffixes, what, example = _OUTPUTS[command]
    path: Path = getattr(args, attribute)
    if path.name in ("", ".", ".."):
        raise Refused(f"要保存的文件名是空的：请写上文件名，如 {example}。")
    if path.is_dir():
        raise Refused(f"“{path}”是一个文件夹：请在后面写上要保存的文件名，如 {path / example}。")
    suffix = path.suffix.lower()
    if not suffix:
        path = path.with_name(path.name.rstrip(".") + suffixes[0])
        setattr(args, attribute, path)
    elif suffix not in suffixes:
        ends = " 或 ".join(suffixes)
        better = path.with_suffix(suffixes[0]) if suffix[1:].isalpha() else path.with_name(path.name + suffixes[0])
        raise Refused(f"文件名“{path.name}”的类型不对：{what}的文件名要以 {ends} 结尾，请改成如“{better.name}”后再试。")
    if not path.parent.is_dir():
        raise Refused(f"保存位置“{path.parent}”不存在，请先建好这个文件夹或换一个位置。")


def _run(args) -> int:
    from .paths import default_db_path
    from .store import check_database, open_store

    command = args.command or "open"
    path = args.db or default_db_path()
    # The default database is created on first start; a path given with --db must exist
    # unless the command is there to fill it.
    create = args.db is None or command == "demo"
    if command in _OUTPUTS:
        check_output(args, command)
    if command in _USE_DATABASE or (command == "template" and args.db is not None):
        problem = database_problem(path, create=create)
        if problem:
            raise Refused(problem)
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
