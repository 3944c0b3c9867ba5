#!/usr/bin/env python
"""Excel exchange at 50,000 members: export and import figures, each beside its target.

    python benchmarks/exchange_50k.py [--runs 3] [--members 50000] [--profile]

1. Export of the member roster (exchange.writer.export_roster, full numbers) from a
   database with the demo organisation and --members members, vs. a baseline: the
   very cell values of that export (read back from it) written by a bare openpyxl
   write-only loop, without styles, widths or print settings.
   Target: export <= 1.2 x baseline. The export's own query is part of its figure.
2. Import of a --members-row member file into a database with the same organisation
   and no members: the export's values as a street office sends them (one header
   row, then one row per member, no record codes). Planning (importer.plan_import,
   kind "members"), applying (importer.apply_plan, commit included) and both, in one
   transaction as the import dialog runs them, vs. the floor: python-calamine reading
   the same file plus plain sqlite3 inserting its rows (one executemany into a table
   with one column per file column, in a database set up as the app's: WAL,
   synchronous=NORMAL, committed). Both parts are printed, and reader.read_workbook
   (python-calamine plus cleaning each cell, part of planning) for information.
   Target: plan + apply <= 2 x floor.
3. Re-import of the same file into the database it was just imported into (every
   row unchanged): planning time.

Each figure is the median of --runs; every run imports into a fresh copy of the
member-less database. --profile also prints cProfile's top functions of one plan,
one apply and one re-plan. Databases and files are made in a temporary folder and
removed at the end. The exit status is 0 even when a figure is over its target;
non-zero on a crash.
"""
import os
import sys
import time

EXPORT_RATIO_TARGET = 1.2
IMPORT_RATIO_TARGET = 2.0
PROFILE_TOP = 25


def make_databases(folder, members):
    """big.db: the demo organisation and members up to `members`, and empty.db: a copy
    of it without members (and without the people who were only members), so an
    import of big.db's members finds every address and party group it names."""
    import sqlite3
    from contextlib import closing
    from pathlib import Path

    from branchdesk.services import people
    from branchdesk.services.demo import fill_bulk, fill_demo
    from branchdesk.store import open_store

    folder = Path(folder)
    big, empty = folder / "big.db", folder / "empty.db"
    store = open_store(big, create=True)
    with store.transaction() as session:
        fill_demo(session)
    with store.transaction() as session:
        have = len(people.list_members(session))
        if members > have:
            fill_bulk(session, members - have)
    with store.session() as session:
        total = len(people.list_members(session))
    store.close()
    with closing(sqlite3.connect(big)) as src, closing(sqlite3.connect(empty)) as dst:
        src.backup(dst)
        dst.execute("PRAGMA foreign_keys=ON")
        dst.execute("DELETE FROM center_household_link")
        dst.execute("DELETE FROM center_household")
        dst.execute("DELETE FROM member")
        dst.execute("DELETE FROM resident WHERE id NOT IN (SELECT resident_id FROM building_leader)")
        dst.commit()
        left = dst.execute("SELECT count(*) FROM member").fetchone()[0]
        dst.execute("VACUUM")
    assert left == 0
    return big, empty, total


def read_values(path, sheet_name):
    """The cell values of one sheet as a spreadsheet holds them (None for empty)."""
    import python_calamine as pc

    workbook = pc.CalamineWorkbook.from_path(str(path))
    try:
        raw = workbook.get_sheet_by_name(sheet_name).to_python()
    finally:
        workbook.close()

    def value(v):
        if v == "":
            return None
        if isinstance(v, float) and v.is_integer():
            return int(v)
        return v

    return [[value(v) for v in row] for row in raw]


def bare_write(path, sheet_name, rows):
    """The baseline: plain values, openpyxl write-only, no styles."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet_name)
    for row in rows:
        ws.append(row)
    wb.save(path)


def copy_database(src, dst):
    import sqlite3
    from contextlib import closing

    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(f"{dst}{suffix}"):
            os.remove(f"{dst}{suffix}")
    with closing(sqlite3.connect(src)) as a, closing(sqlite3.connect(dst)) as b:
        a.backup(b)


def floor_run(import_file, db_path):
    """The floor of an import: python-calamine reads the file's first sheet, and plain
    sqlite3 inserts its data rows, as read, into a comparable table: one executemany,
    committed. Returns (read seconds, insert seconds)."""
    import sqlite3
    from contextlib import closing

    import python_calamine as pc

    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(f"{db_path}{suffix}"):
            os.remove(f"{db_path}{suffix}")
    t0 = time.perf_counter()
    workbook = pc.CalamineWorkbook.from_path(str(import_file))
    try:
        rows = workbook.get_sheet_by_index(0).to_python()
    finally:
        workbook.close()
    t1 = time.perf_counter()
    header, data = rows[0], rows[1:]
    columns = ", ".join(f"c{i}" for i in range(len(header)))
    with closing(sqlite3.connect(db_path)) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute(f"CREATE TABLE member_row (id INTEGER PRIMARY KEY, {columns})")
        db.executemany(f"INSERT INTO member_row ({columns}) VALUES ({', '.join('?' * len(header))})", data)
        db.commit()
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1


def profiled(enabled, label, fn, *args):
    """fn(*args); with enabled, under cProfile, printing the top functions."""
    if not enabled:
        return fn(*args)
    import cProfile
    import io
    import pstats

    prof = cProfile.Profile()
    result = prof.runcall(fn, *args)
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("tottime").print_stats(PROFILE_TOP)
    stats.sort_stats("cumulative").print_stats(PROFILE_TOP)
    print(f"\n==== cProfile: {label} (times inflated by the profiler)")
    print("\n".join(ln for ln in out.getvalue().splitlines() if ln.strip() and not ln.startswith("   Ordered by")))
    return result


def import_run(empty, run_db, import_file, profile=False):
    """One import into a fresh member-less copy, then the re-import's plan.
    Returns the seconds of each step and the plans' counts."""
    from branchdesk.exchange.importer import apply_plan, plan_import
    from branchdesk.store import open_store

    copy_database(empty, run_db)
    store = open_store(run_db)  # takes the day's backup here, not inside the timed part
    try:
        with store.transaction() as session:
            t0 = time.perf_counter()
            plan = profiled(profile, "plan_import, new members", lambda: plan_import(session, import_file,
                                                                                     kind="members"))
            t1 = time.perf_counter()
            saved = profiled(profile, "apply_plan (without the commit)", apply_plan, session, plan)
            t_apply_end = time.perf_counter()
        t2 = time.perf_counter()  # the commit done
        counts = plan.counts
        invalid = plan.invalid[:3]
        with store.session() as session:
            t3 = time.perf_counter()
            again = profiled(profile, "plan_import, all unchanged", lambda: plan_import(session, import_file,
                                                                                      kind="members"))
            t4 = time.perf_counter()
        return {"plan": t1 - t0, "apply": t2 - t1, "commit": t2 - t_apply_end, "replan": t4 - t3,
                "counts": counts, "saved": saved, "again": again.counts,
                "invalid": [(r.excel_row, r.problem_text()) for r in invalid]}
    finally:
        store.close()


def main(argv=None):
    import argparse
    import statistics
    import tempfile
    from pathlib import Path

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each step (median is reported)")
    parser.add_argument("--members", type=int, default=50_000, help="members in the database and rows in the file")
    parser.add_argument("--profile", action="store_true", help="also print cProfile's top functions")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    started = time.perf_counter()

    from branchdesk.exchange.importer import plan_import
    from branchdesk.exchange.reader import read_workbook
    from branchdesk.exchange.writer import HEADER_ROW, MEMBERS, ROSTER_NAMES, export_roster
    from branchdesk.services import people
    from branchdesk.store import open_store

    with tempfile.TemporaryDirectory(prefix="branchdesk-bench-") as workdir:
        work = Path(workdir)
        print(f"preparing databases in {workdir} ...", flush=True)
        t0 = time.perf_counter()
        big, empty, total = make_databases(work, args.members)
        print(f"  big.db ({total:,} members) and empty.db (no members) ready in {time.perf_counter() - t0:.1f} s",
              flush=True)

        # ---- export
        sheet = ROSTER_NAMES[MEMBERS]
        export_file, bare_file = work / "export.xlsx", work / "bare.xlsx"
        print(f"export: {args.runs} timed runs each of export_roster and the bare write, interleaved ...", flush=True)
        store = open_store(big)
        try:
            with store.session() as session:
                written = export_roster(session, MEMBERS, export_file, masked=False)  # warms caches and file
            values = read_values(export_file, sheet)
            export_s, bare_s = [], []
            for _ in range(args.runs):
                with store.session() as session:
                    t0 = time.perf_counter()
                    export_roster(session, MEMBERS, export_file, masked=False)
                    export_s.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                bare_write(bare_file, sheet, values)
                bare_s.append(time.perf_counter() - t0)
            with store.session() as session:
                t0 = time.perf_counter()
                people.list_members(session)
                query_s = time.perf_counter() - t0
        finally:
            store.close()
        export_size, bare_size = export_file.stat().st_size, bare_file.stat().st_size

        # ---- the file to import: the export's header and rows without the record-code column
        header = values[HEADER_ROW - 1]
        data = values[HEADER_ROW:HEADER_ROW + written]
        assert header[0] == "记录编号" and len(data) == written, "unexpected export layout"
        import_file = work / "members.xlsx"
        bare_write(import_file, "Sheet1", [header[1:], *(row[1:] for row in data)])

        # ---- the floor (calamine read + sqlite3 insert), read_workbook, and the import itself
        print(f"import: {args.runs} timed runs of the floor, read_workbook, plan + apply and the re-import's plan "
              "...", flush=True)
        read_workbook(import_file)  # warm
        floor_run(import_file, work / "floor.db")
        read_s, insert_s, workbook_s, runs = [], [], [], []
        run_db = work / "run.db"
        for _ in range(args.runs):
            read, inserted = floor_run(import_file, work / "floor.db")
            read_s.append(read)
            insert_s.append(inserted)
            t0 = time.perf_counter()
            sheets = read_workbook(import_file)
            workbook_s.append(time.perf_counter() - t0)
            runs.append(import_run(empty, run_db, import_file))
        rows_read = len(sheets[0].rows) - 1

        # ---- the window's 从 Excel 导入 does not know the kind: it tries every roster kind
        store = open_store(run_db)
        try:
            with store.session() as session:
                t0 = time.perf_counter()
                guessed = plan_import(session, import_file)
                auto_s = time.perf_counter() - t0
        finally:
            store.close()

        if args.profile:
            import_run(empty, run_db, import_file, profile=True)

    med = statistics.median
    export_med, bare_med = med(export_s), med(bare_s)
    floor_med = med(r + i for r, i in zip(read_s, insert_s))
    workbook_med = med(workbook_s)
    plan_med, apply_med = med(r["plan"] for r in runs), med(r["apply"] for r in runs)
    both_med = med(r["plan"] + r["apply"] for r in runs)
    replan_med = med(r["replan"] for r in runs)
    commit_med = med(r["commit"] for r in runs)
    first = runs[0]
    n = first["counts"]["new"] + first["counts"]["changed"] + first["counts"]["unchanged"] + first["counts"]["invalid"]

    def verdict(ok):
        return "ok" if ok else "OVER"

    def rate(seconds, rows=n):
        return f"{rows / seconds:,.0f} rows/s" if seconds > 0 else "-"

    export_limit = EXPORT_RATIO_TARGET * bare_med
    import_limit = IMPORT_RATIO_TARGET * floor_med
    k = f"{written // 1000}k" if written >= 1000 else str(written)  # in the labels: 50k
    rows = [
        (f"export baseline: bare write-only openpyxl, {k} rows", f"{bare_med:.2f} s", "reference", "-",
         rate(bare_med, written)),
        (f"export_roster, members, full numbers, {k}", f"{export_med:.2f} s = {export_med / bare_med:.2f}x",
         f"<= {export_limit:.2f} s (1.2x)", verdict(export_med <= export_limit), rate(export_med, written)),
        (f"import floor: calamine read + sqlite3 insert, {k} rows", f"{floor_med:.2f} s", "reference", "-",
         rate(floor_med, rows_read)),
        ("import: read_workbook (part of planning)", f"{workbook_med:.2f} s = {workbook_med / floor_med:.2f}x",
         "(for information)", "-", rate(workbook_med, rows_read)),
        ("import: plan_import (new members)", f"{plan_med:.2f} s = {plan_med / floor_med:.2f}x", "(part of the next)",
         "-", rate(plan_med)),
        ("import: apply_plan + commit", f"{apply_med:.2f} s = {apply_med / floor_med:.2f}x", "(part of the next)",
         "-", rate(apply_med)),
        ("import: plan + apply", f"{both_med:.2f} s = {both_med / floor_med:.2f}x", f"<= {import_limit:.2f} s (2x)",
         verdict(both_med <= import_limit), rate(both_med)),
        ("re-import, all unchanged: plan_import", f"{replan_med:.2f} s = {replan_med / floor_med:.2f}x",
         "(for information)", "-", rate(replan_med)),
    ]
    head = ("measure", "figure", "target", "verdict", "rate")
    widths = [max(len(r[i]) for r in (head, *rows)) for i in range(5)]
    line = "  ".join("-" * w for w in widths)
    print()
    for r in (head, None, *rows):
        print(line if r is None else "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    print()
    print("details")
    print(f"  export runs: {' '.join(f'{v:.2f}' for v in export_s)} s; bare write: "
          f"{' '.join(f'{v:.2f}' for v in bare_s)} s; files {export_size / 2**20:.1f} / {bare_size / 2**20:.1f} MiB; "
          f"the export's query (people.list_members) alone {query_s:.2f} s")
    print(f"  floor runs, calamine read + sqlite3 executemany: "
          + "; ".join(f"{r:.2f} + {i:.2f}" for r, i in zip(read_s, insert_s))
          + f" s (medians {med(read_s):.2f} + {med(insert_s):.2f} s)")
    print(f"  read_workbook runs (calamine plus cleaning each cell): {' '.join(f'{v:.2f}' for v in workbook_s)} s")
    print("  plan / apply+commit / re-plan runs: "
          + "; ".join(f"{r['plan']:.2f} / {r['apply']:.2f} / {r['replan']:.2f}" for r in runs)
          + f" s; the commit alone {commit_med:.2f} s")
    print(f"  plan counts {first['counts']}, saved {first['saved']:,}; re-import counts {first['again']}")
    print(f"  the window's 从 Excel 导入 (no kind given, every roster kind tried): plan_import {auto_s:.2f} s "
          f"(read as {guessed.kind!r})")
    if first["counts"]["invalid"] or first["counts"]["new"] != written:
        print(f"  WARNING: expected {written:,} new rows and none invalid; first problems: {first['invalid']}")
    if first["again"]["unchanged"] != written:
        print(f"  WARNING: the re-import should find all {written:,} rows unchanged")
    print(f"total benchmark time {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
