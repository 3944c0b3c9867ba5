"""`branchdesk import / export / template`: the Excel exchange from the command
line, worded for the secretary.

Import exit codes: 0 applied (or would apply, with --dry-run), 1 rows were
rejected and nothing was changed, 2 the file (or the database) cannot be used.
Export and template: 0 written, 2 a wrong kind or a missing folder. A file that
could not be written (a full disk, no permission) exits 1 with one sentence saying
so, and the file that was there is kept."""
from __future__ import annotations

import sys
from pathlib import Path

from . import ExchangeError
from .package import MEETINGS_NOT_MERGED
from .reader import normalise_header
from .importer import (
    CHANGED,
    INVALID,
    KINDS,
    NEW,
    STATUS_LABELS,
    UNCHANGED,
    ImportPlan,
    ListsPlan,
    PackagePlan,
    apply_plan,
    plan_import,
    write_error_workbook,
)

SHOWN = 50  # rows listed per section; the error workbook has them all


def _summary(plan: ImportPlan | PackagePlan) -> str:
    c = plan.counts
    return "，".join(f"{STATUS_LABELS[s]} {c[s]} 条" for s in (NEW, CHANGED, UNCHANGED, INVALID)) + "。"


def _print_plan(plan: ImportPlan | PackagePlan, out) -> None:
    if isinstance(plan, PackagePlan):
        if isinstance(plan, ListsPlan):
            print(f"文件“{plan.file_name}”是一个工作簿中的 {len(plan.plans)} 张清单：{plan.sheets_named}，将一并导入。",
                  file=out)
        else:
            origin = "另一台电脑（按身份证号和住址合并）" if plan.foreign else "本数据库"
            print(f"文件“{plan.file_name}”是数据包，导出自{origin}，导出时间 {plan.facts.get('导出时间', '不详')}。",
                  file=out)
        if plan.missing:
            print(f"数据包中没有：{'、'.join(plan.missing)}。", file=out)
        if plan.has_meetings:
            print(MEETINGS_NOT_MERGED, file=out)
        for sub in plan.plans:
            print(f"—— 工作表“{sub.sheet_name}”：{_summary(sub)}", file=out)
            if sub.ignored:
                print(f"没有用到的列：{'、'.join(sub.ignored)}。", file=out)
            _print_rows(sub, out)
        print(f"合计：{_summary(plan)}", file=out)
        return
    print(f"文件“{plan.file_name}”，工作表“{plan.sheet_name}”，表头在第 {plan.header_row} 行。", file=out)
    if plan.ignored:
        print(f"没有用到的列：{'、'.join(plan.ignored)}。", file=out)
    labels = {f.key: f.label for f in KINDS[plan.kind].fields}
    for c in plan.layout:
        if c.guess:
            print(f"“{c.header}”列可能是“{labels[c.guess]}”：如确是，请加上 --map {c.header}={labels[c.guess]}，"
                  f"不需要这一列则加上 --map {c.header}=，或者在窗口中导入时直接选择。", file=out)
    print(_summary(plan), file=out)
    _print_rows(plan, out)


def _print_rows(plan: ImportPlan, out) -> None:
    changed = [r for r in plan.rows if r.status == CHANGED]
    if changed:
        print("将修改：", file=out)
        for r in changed[:SHOWN]:
            detail = "；".join(f"{c.label} {c.old} → {c.new}" for c in r.changes)
            print(f"  第 {r.excel_row} 行 {r.name}：{detail}", file=out)
        if len(changed) > SHOWN:
            print(f"  ……另有 {len(changed) - SHOWN} 条。", file=out)
    if plan.invalid:
        print("有问题的行：", file=out)
        for r in plan.invalid[:SHOWN]:
            print(f"  第 {r.excel_row} 行 {r.name}：{r.problem_text()}", file=out)
        if len(plan.invalid) > SHOWN:
            print(f"  ……另有 {len(plan.invalid) - SHOWN} 行，详见 --errors 生成的文件。", file=out)


def _parse_map(pairs: list[str] | None, kind: str | None) -> dict[str, str] | None:
    """--map 证件号码=身份证号 (a header and the field it is), --map 备注2= (not imported)."""
    if not pairs:
        return None
    fields = [f for k in ([KINDS[kind]] if kind in KINDS else KINDS.values()) for f in k.fields]
    by_label = {normalise_header(w): f.key for f in fields for w in f.all_headers}
    mapping = {}
    for pair in pairs:
        header, sep, label = pair.partition("=")
        if not sep or not normalise_header(header):
            raise ExchangeError(f"--map {pair} 看不懂：请写成“表头=项目”，如 --map 证件号码=身份证号。")
        key = by_label.get(normalise_header(label), None) if label.strip() else ""
        if key is None:
            raise ExchangeError(f"--map {pair} 中的“{label}”不是可以导入的项目，请写成如“身份证号”“住址”这样的列名。")
        mapping[normalise_header(header)] = key
    return mapping


def run_import(db_path: Path, args) -> int:
    from ..store import backup_database, open_store
    from .importer import hidden_of, left_out_text

    include_hidden = getattr(args, "include_hidden", False)
    try:
        mapping = _parse_map(args.map, args.kind)
        with open_store(db_path, create=False) as store:
            with store.session() as session:  # checking only reads: a window or command may write meanwhile
                plan = plan_import(session, args.file, kind=args.kind, sheet=args.sheet, mapping=mapping,
                                   include_hidden=include_hidden)
            _print_plan(plan, sys.stdout)
            hidden = hidden_of(plan)
            if hidden:  # 跳过隐藏的工作表“旧名册”（10 行）、隐藏的行 3 行
                print(f"{hidden.text()}。" + ("" if hidden.included else "如需导入，请加上 --include-hidden。"))
            if left_out_text(plan):
                print(left_out_text(plan))
            if isinstance(plan, ImportPlan) and plan.unsure:
                print(f"“{plan.file_name}”有几列的含义无法确定，没有导入任何数据：请按上面的提示用 --map 说明，"
                      "或把表头改成常用的写法后重新导入。", file=sys.stderr)
                return 2
            if plan.invalid:
                if args.errors:
                    _check_errors_folder(args.errors)
                    write_error_workbook(plan, args.errors)
                    print(f"有问题的行已写入“{args.errors}”，可以改好后重新导入。")
                print(f"“{plan.file_name}”有 {len(plan.invalid)} 行有问题，没有导入任何数据；"
                      "请按上面的说明修改后重新导入。", file=sys.stderr)
                return 1
            if args.dry_run:
                print("只做了检查（--dry-run），数据库没有修改。")
                return 0
            if not plan.to_save:
                print("没有需要导入的变化。")
                return 0
            backup_database(store.path, "before-import")
            with store.transaction() as session:
                # planned again inside the writing transaction: what is saved is what was checked
                # (a package's apply_plan runs its plan again itself)
                if not isinstance(plan, PackagePlan):
                    plan = plan_import(session, args.file, kind=plan.kind, sheet=plan.sheet_name, mapping=mapping,
                                       include_hidden=include_hidden)
                saved = apply_plan(session, plan)
            print(f"已导入 {saved} 条。")
            return 0
    except ExchangeError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except OSError as exc:  # the error workbook (or the backup before applying) could not be written
        from ..safefile import write_error_text

        target = getattr(exc, "path", None) or exc.filename or "文件"
        print(write_error_text(target, exc), file=sys.stderr)
        return 1


def _check_errors_folder(path) -> None:
    folder = Path(path).parent
    if not folder.is_dir():
        raise ExchangeError(f"无法写入“{Path(path).name}”：保存位置“{folder}”不存在，请换一个文件夹后再试。")


def run_export(db_path: Path, args) -> int:
    from ..store import open_store
    from .writer import (
        MEETINGS,
        PACKAGE,
        PACKAGE_KINDS,
        ROSTER_NAMES,
        ExportWriteError,
        export_package,
        export_roster,
        has_numbers_to_hide,
    )

    package = args.kind == PACKAGE
    masked = args.masked if package else not args.full  # a package is for merging: full unless asked
    try:
        with open_store(db_path, create=False) as store, store.session() as session:
            if package:
                counts = export_package(session, args.file, masked=masked, prepared_by=args.prepared_by)
            else:
                counts = {args.kind: export_roster(session, args.kind, args.file, masked=masked,
                                                   prepared_by=args.prepared_by)}
    except ExportWriteError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except ExchangeError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    shown = "已隐藏部分身份证号和电话" if masked else "完整号码"
    shown = f"（{shown}）" if has_numbers_to_hide(args.kind) else ""
    if package:
        listed = "、".join(f"{ROSTER_NAMES[k]} {counts[k]} 条" for k in PACKAGE_KINDS)
        listed += f"、{ROSTER_NAMES[MEETINGS]} {counts.meetings} 条"
        print(f"已把全部数据导出到“{args.file}”：{listed}{shown}。")
    else:
        print(f"已导出{ROSTER_NAMES[args.kind]} {counts[args.kind]} 条到“{args.file}”{shown}。")
    return 0


def run_template(db_path: Path, args) -> int:
    from ..store import StoreError, open_store
    from .writer import EDITABLE_CHOICES, ExportWriteError, write_template

    try:
        if not any(kind == args.kind for kind, _key in EDITABLE_CHOICES):
            write_template(args.kind, args.file)
        else:
            # the categories are the database's own lists: the template offers them
            from ..cli import database_problem

            try:
                problem = database_problem(db_path, create=False)  # --db's was refused before
                if problem:
                    raise StoreError(problem)
                store = open_store(db_path, create=False)
            except StoreError as exc:
                if args.db is not None:  # the database asked for cannot be used: said, as everywhere
                    print(str(exc), file=sys.stderr)
                    return 2
                # no database on this computer (yet), or one that cannot be opened now (a read-only
                # data folder): a template without the category lists
                store = None
                write_template(args.kind, args.file)
                why = "数据库现在无法打开" if db_path.exists() else "还没有数据库"
                print(f"{why}，模板中的类别列没有下拉选项，请按“填写说明”填写软件中已有的类别。", file=sys.stderr)
            if store is not None:
                with store, store.session() as session:
                    write_template(args.kind, args.file, session)
    except ExportWriteError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except ExchangeError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print(f"已生成空白模板“{args.file}”，填写说明见其中的“填写说明”工作表。")
    return 0
