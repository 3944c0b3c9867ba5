#!/usr/bin/env python
"""Start-up, search-box and memory figures of branchdesk, each beside its target.

    python benchmarks/startup_filter_memory.py [--runs 5] [--rounds 3] [--members 50000]

1. Start-up to the first paint of the main window, each run a fresh process
   (QT_QPA_PLATFORM=offscreen, a fresh BRANCHDESK_DATA_DIR): the parent takes
   time.time() just before Popen, the child prints time.time() when the main
   window receives its first QEvent.Paint; the figure is the median of --runs.
   a. baseline: bare PySide6, a QMainWindow with a QTableView on a 50,000 x 8 model;
   b. branchdesk on the demo database; c. branchdesk on a 50,000-member database.
   branchdesk runs through its real entry point (branchdesk.cli.main, `open`);
   the only hook, set when run_gui is called, wraps MainWindow.show to install
   the same paint filter. The window paints before the database is opened; the
   time until the pages are attached and the first one is filled is printed too.
   Target: first paint of branchdesk <= 1.5 x baseline.
2. Search box on the 50,000-member roster: one more child opens the members page,
   waits for the load, then sets the search text one character at a time. Each
   keystroke is timed from setText (the filter runs synchronously in the
   textChanged slot; there is no debounce) until the table viewport has been
   repainted. Target: <= 50 ms per keystroke (median and max).
3. Peak memory (ru_maxrss) of that child after start-up + members page loaded.
   Target: <= 300 MiB.

Databases are generated once per run in a temporary folder and removed at the end.
The exit status is 0 even when a figure is over its target; non-zero on a crash.
"""
import os
import sys
import time

HERE = os.path.abspath(__file__)
RESULT_TAG = "BENCH_RESULT "
STARTUP_RATIO_TARGET = 1.5
KEYSTROKE_TARGET_MS = 50.0
RSS_TARGET_MIB = 300.0
# What is typed, one character at a time; "" is clearing the box.
TYPING = ("zhang", "", "zs", "", "8000", "")
BASELINE_ROWS, BASELINE_COLS = 50_000, 8


# ---------------------------------------------------------------- child side
# Keep the imports above and in these functions minimal: they count in start-up.

def _paint_probe(window, on_frame):
    """Event filter on `window`: its first Paint records time.time(); a zero timer
    then fires after that whole paint pass (children included) and calls on_frame."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    times = {}

    class Probe(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint and "paint" not in times:
                times["paint"] = time.time()
                QTimer.singleShot(0, frame_done)
            return False

    def frame_done():
        times["frame"] = time.time()
        try:
            on_frame(times)
        except BaseException:  # noqa: BLE001 (a slot's exception never reaches the caller: fail loudly)
            import traceback

            traceback.print_exc()
            os._exit(4)

    probe = Probe(window)
    window.installEventFilter(probe)
    return probe


def _report(result):
    import json

    sys.stdout.write(RESULT_TAG + json.dumps(result) + "\n")
    sys.stdout.flush()


def _watchdog(app, seconds=60):
    """Ends the child if the window is never painted; stopped once it is."""
    from PySide6.QtCore import QTimer

    def give_up():
        sys.stderr.write(f"benchmark child: no first paint within {seconds} s\n")
        app.exit(3)

    timer = QTimer(app)
    timer.setSingleShot(True)
    timer.timeout.connect(give_up)
    timer.start(seconds * 1000)
    return timer


def child_baseline():
    from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
    from PySide6.QtWidgets import QApplication, QMainWindow, QTableView

    root = QModelIndex()

    class Model(QAbstractTableModel):
        def rowCount(self, parent=root):
            return 0 if parent.isValid() else BASELINE_ROWS

        def columnCount(self, parent=root):
            return 0 if parent.isValid() else BASELINE_COLS

        def data(self, index, role=Qt.ItemDataRole.DisplayRole):
            if role == Qt.ItemDataRole.DisplayRole and index.isValid():
                return f"r{index.row()} c{index.column()}"
            return None

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setWindowTitle("baseline")
    table = QTableView(window)
    model = Model(table)
    table.setModel(model)
    window.setCentralWidget(table)
    window.resize(1280, 800)

    def on_frame(times):
        watchdog.stop()
        times["ready"] = times["frame"]
        _report(times)
        app.quit()

    _probe = _paint_probe(window, on_frame)  # kept alive until exit
    watchdog = _watchdog(app)
    window.show()
    return app.exec()


def child_branchdesk(db, profile):
    """Runs `branchdesk --db DB open` through branchdesk.cli.main; with profile, then
    also the members page, ru_maxrss and the typing, before quitting.

    The hook is set inside run_gui, not before cli.main: importing PySide6 first
    would slow every later import (shiboken wraps __import__), SQLAlchemy's by ~0.17 s,
    so the app's own import order must be kept."""
    import branchdesk.app

    original_run_gui = branchdesk.app.run_gui

    def run_gui(path, *, create):
        from branchdesk.ui import main_window

        original_show = main_window.MainWindow.show

        def show(window):
            from PySide6.QtWidgets import QApplication

            app = QApplication.instance()

            def on_frame(times):
                watchdog.stop()
                # The window paints before the database is open; "ready" is when the
                # pages are attached and the page shown has its rows.
                _wait(app, lambda: bool(window.pages) and window.stack.currentWidget().loaded, 60)
                times["ready"] = time.time()
                if profile:
                    times.update(_profile(app, window))
                # Let the pages' background loads finish: quitting under a running
                # load prints "Signal source has been deleted" (see the report).
                _wait(app, lambda: not any(getattr(p, "tasks", None) and p.tasks.busy for p in window.pages), 60)
                _report(times)
                app.quit()

            window._bench_probe = _paint_probe(window, on_frame)
            watchdog = _watchdog(app)
            original_show(window)

        main_window.MainWindow.show = show
        return original_run_gui(path, create=create)

    branchdesk.app.run_gui = run_gui
    from branchdesk.cli import main

    return main(["--db", db, "open"])


def _wait(app, predicate, timeout):
    deadline = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > deadline:
            raise RuntimeError("timed out waiting for a page to load")
        app.processEvents()
        time.sleep(0.002)


def _profile(app, window):
    import resource

    from PySide6.QtCore import QEvent, QObject

    index = next(n for n, p in enumerate(window.pages) if getattr(getattr(p, "spec", None), "key", "") == "members")
    page = window.pages[index]
    t0 = time.perf_counter()
    window.show_page(index)
    _wait(app, lambda: page.loaded and not page.tasks.busy, 120)
    app.processEvents()  # the reset table's first paint
    load_s = time.perf_counter() - t0
    rss_loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux

    paints = [0]

    class Counter(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint:
                paints[0] += 1
            return False

    counter = Counter(page.table.viewport())
    page.table.viewport().installEventFilter(counter)
    rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
    steps = []
    for r in range(rounds):
        for word in TYPING:
            texts = [""] if word == "" else [word[:k] for k in range(1, len(word) + 1)]
            for text in texts:
                before = paints[0]
                t0 = time.perf_counter()
                page.search.setText(text)
                t1 = time.perf_counter()
                deadline = t1 + 2.0
                while paints[0] == before and time.perf_counter() < deadline:
                    app.processEvents()
                t2 = time.perf_counter()
                shown = page.model.rowCount()
                label = page.count_label.text()
                steps.append({"round": r, "text": text, "filter_ms": (t1 - t0) * 1e3, "total_ms": (t2 - t0) * 1e3,
                              "painted": paints[0] > before, "rows": shown,
                              "label_ok": str(shown) in label or (text == "" and str(page.model.total) in label)})
    return {"members": page.model.total, "load_s": load_s, "rss_loaded_kib": rss_loaded,
            "rss_after_typing_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "steps": steps}


def child_main(argv):
    if argv[0] == "baseline":
        return child_baseline()
    if argv[0] in ("branchdesk", "profile"):
        return child_branchdesk(argv[1], profile=argv[0] == "profile")
    raise SystemExit(f"unknown child mode {argv[0]!r}")


# ---------------------------------------------------------------- parent side

def make_databases(folder, members):
    """demo.db (the demo community) and big.db (demo + bulk members up to `members`)."""
    import sqlite3
    from contextlib import closing
    from pathlib import Path

    from branchdesk.services import people
    from branchdesk.services.demo import fill_bulk, fill_demo
    from branchdesk.store import backup_database, open_store

    folder = Path(folder)
    demo, big = folder / "demo.db", folder / "big.db"
    store = open_store(demo, create=True)
    with store.transaction() as session:
        fill_demo(session)
    store.close()
    with closing(sqlite3.connect(demo)) as src, closing(sqlite3.connect(big)) as dst:
        src.backup(dst)
    store = open_store(big)  # also takes the day's first backup, so the timed runs do not
    with store.transaction() as session:
        have = len(people.list_members(session))
        if members > have:
            fill_bulk(session, members - have)
    with store.session() as session:
        total = len(people.list_members(session))
    store.close()
    store = open_store(demo)  # the day's first backup of demo.db, likewise
    with store.session() as session:
        demo_total = len(people.list_members(session))
    store.close()
    t0 = time.perf_counter()
    backup_database(big, "bench")
    backup_s = time.perf_counter() - t0
    return demo, big, demo_total, total, backup_s


def run_child(args, label, workdir, env_extra=None):
    """One fresh child; returns its result dict and the seconds from just before
    Popen to the main window's first Paint and to the end of that first frame."""
    import json
    import subprocess
    import tempfile

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen",
               BRANCHDESK_DATA_DIR=tempfile.mkdtemp(prefix=f"data-{label}-", dir=workdir), **(env_extra or {}))
    cmd = [sys.executable, HERE, "--child", *args]
    t0 = time.time()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            encoding="utf-8", errors="replace")
    try:
        out, err = proc.communicate(timeout=240)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise RuntimeError(f"{label}: child timed out\n{err[-3000:]}")
    lines = [ln for ln in out.splitlines() if ln.startswith(RESULT_TAG)]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"{label}: child failed (exit {proc.returncode})\n--- stdout\n{out[-3000:]}"
                           f"\n--- stderr\n{err[-3000:]}")
    result = json.loads(lines[-1][len(RESULT_TAG):])
    return result, result["paint"] - t0, result["frame"] - t0, result["ready"] - t0


def main(argv=None):
    import argparse
    import statistics
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="start-up runs per case (median is reported)")
    parser.add_argument("--rounds", type=int, default=3, help="times the typing sequence is repeated")
    parser.add_argument("--members", type=int, default=50_000, help="members in the large database")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.rounds < 1:
        parser.error("--runs and --rounds must be at least 1")
    started = time.perf_counter()

    with tempfile.TemporaryDirectory(prefix="branchdesk-bench-") as workdir:
        print(f"preparing databases in {workdir} ...", flush=True)
        t0 = time.perf_counter()
        demo, big, demo_total, big_total, backup_s = make_databases(workdir, args.members)
        print(f"  demo.db and big.db ({big_total:,} members) ready in {time.perf_counter() - t0:.1f} s", flush=True)

        cases = [("baseline", ["baseline"]), ("demo", ["branchdesk", str(demo)]), ("big", ["branchdesk", str(big)])]
        paint = {name: [] for name, _ in cases}
        frame = {name: [] for name, _ in cases}
        ready = {name: [] for name, _ in cases}
        print(f"start-up: 1 warm-up + {args.runs} timed runs per case, interleaved ...", flush=True)
        for n in range(args.runs + 1):
            for name, child_args in cases:
                _result, p, f, r = run_child(child_args, name, workdir)
                if n:  # run 0 only warms the file cache
                    paint[name].append(p)
                    frame[name].append(f)
                    ready[name].append(r)

        print("members page, search box and memory on the large database ...", flush=True)
        prof, prof_paint, _, _ = run_child(["profile", str(big)], "profile", workdir, {"BENCH_ROUNDS": str(args.rounds)})

    med = {name: statistics.median(v) for name, v in paint.items()}
    med_frame = {name: statistics.median(v) for name, v in frame.items()}
    med_ready = {name: statistics.median(v) for name, v in ready.items()}
    limit = STARTUP_RATIO_TARGET * med["baseline"]
    steps = prof["steps"]
    totals = [s["total_ms"] for s in steps]
    filters = [s["filter_ms"] for s in steps]
    key_med, key_max = statistics.median(totals), max(totals)
    rss = prof["rss_loaded_kib"] / 1024

    def verdict(ok):
        return "ok" if ok else "OVER"

    rows = [
        ("start-up, bare PySide6 (QTableView 50,000 x 8)", f"{med['baseline']:.3f} s", "reference", "-"),
        (f"start-up, branchdesk, demo db ({demo_total} members)",
         f"{med['demo']:.3f} s = {med['demo'] / med['baseline']:.2f}x", f"<= {limit:.3f} s (1.5x)",
         verdict(med["demo"] <= limit)),
        (f"start-up, branchdesk, {big_total:,} members",
         f"{med['big']:.3f} s = {med['big'] / med['baseline']:.2f}x", f"<= {limit:.3f} s (1.5x)",
         verdict(med["big"] <= limit)),
        ("pages ready (database open, first page filled), demo db", f"{med_ready['demo']:.3f} s", "(for information)",
         "-"),
        (f"pages ready, {big_total:,} members", f"{med_ready['big']:.3f} s", "(for information)", "-"),
        (f"search keystroke, median of {len(steps)} ({big_total // 1000}k)", f"{key_med:.1f} ms",
         f"<= {KEYSTROKE_TARGET_MS:.0f} ms",
         verdict(key_med <= KEYSTROKE_TARGET_MS)),
        ("search keystroke, max", f"{key_max:.1f} ms", f"<= {KEYSTROKE_TARGET_MS:.0f} ms",
         verdict(key_max <= KEYSTROKE_TARGET_MS)),
        (f"peak RSS, {big_total // 1000}k start-up + members page", f"{rss:.0f} MiB", f"<= {RSS_TARGET_MIB:.0f} MiB",
         verdict(rss <= RSS_TARGET_MIB)),
    ]
    head = ("measure", "figure", "target", "verdict")
    widths = [max(len(r[i]) for r in (head, *rows)) for i in range(4)]
    line = "  ".join("-" * w for w in widths)
    print()
    for r in (head, None, *rows):
        print(line if r is None else "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    print()
    print("details")
    for name, label in (("baseline", "baseline"), ("demo", "demo db"), ("big", f"{big_total // 1000}k db")):
        print(f"  start-up {label:<8} first paint, runs: " + " ".join(f"{v:.3f}" for v in paint[name])
              + f" s; whole first frame done (median): {med_frame[name]:.3f} s")
    print(f"  profile child: first paint {prof_paint:.3f} s, members page loaded {prof['load_s']:.2f} s later "
          f"({prof['members']:,} rows); max RSS after typing {prof['rss_after_typing_kib'] / 1024:.0f} MiB")
    print(f"  a keystroke = setText (filter + model reset + count label, synchronous, no debounce) "
          f"+ event processing until the table is repainted; filter part alone: median "
          f"{statistics.median(filters):.1f} ms, max {max(filters):.1f} ms")
    print("  per keystroke, median over rounds (ms total / ms filter -> rows shown):")
    per_round = len(steps) // args.rounds
    for i in range(per_round):
        same = steps[i::per_round]
        tot = statistics.median(t["total_ms"] for t in same)
        fil = statistics.median(t["filter_ms"] for t in same)
        print(f"    {same[0]['text']!r:<9} {tot:6.1f} / {fil:5.1f} -> {same[0]['rows']:>6,}")
    bad = [s for s in steps if not (s["painted"] and s["label_ok"])]
    if bad:
        print(f"  WARNING: {len(bad)} keystroke(s) without a repaint or with a stale count label: "
              + ", ".join(repr(s["text"]) for s in bad[:5]))
    print(f"  first start of a day also backs up the database: {backup_s:.2f} s for the {big_total:,}-member db "
          "(excluded above: the timed runs open databases already backed up today)")
    print(f"total benchmark time {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        sys.exit(child_main(sys.argv[2:]))
    sys.exit(main())
