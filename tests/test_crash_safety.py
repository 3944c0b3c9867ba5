"""Crashes and concurrency, with real processes.

kill -9 at measured moments of a 20,000-row import, of `demo` on a new file, of an upgrade
from each older schema, and of an export and a print; two imports into one database at
once; a window-like store that lives beside commands; a full disk. After each: SQLite's
integrity_check is ok, the change is all there or not at all, and the app opens the file.

The moments are fractions of the time the same command takes when it is left alone,
measured first, so a kill lands while the work is under way on a slow machine too.
"""
from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

from branchdesk import store as store_mod
from branchdesk.store import head_revision, known_revisions, open_store

KILL_AT = (0.15, 0.35, 0.55, 0.75, 0.95)  # fractions of an undisturbed run
TIMEOUT = 180
ROWS = 20_000

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="kill -9 and POSIX locks")


# ---- running and killing ---------------------------------------------------------------------
def _env(data_dir: Path) -> dict:
    env = dict(os.environ, BRANCHDESK_DATA_DIR=str(data_dir), QT_QPA_PLATFORM="offscreen")
    env.pop("PYTHONWARNINGS", None)
    return env


def _command(db: Path, *args) -> list[str]:
    return [sys.executable, "-m", "branchdesk", "--db", str(db), *map(str, args)]


def _run(cmd: list[str], data_dir: Path, timeout: float = TIMEOUT) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, env=_env(data_dir), capture_output=True, text=True, timeout=timeout)


def _timed(cmd: list[str], data_dir: Path) -> float:
    started = time.monotonic()
    done = _run(cmd, data_dir)
    assert done.returncode == 0, done.stderr
    return time.monotonic() - started


def _kill_after(cmd: list[str], data_dir: Path, seconds: float, when=None) -> bool:
    """Start cmd and kill -9 it after `seconds` (or as soon as when() holds). True when the
    kill landed while the command still ran."""
    proc = subprocess.Popen(cmd, env=_env(data_dir), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if when is not None and when():
                break
            time.sleep(0.005)
        landed = proc.poll() is None
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=TIMEOUT)
    return landed


def _integrity(db: Path) -> str:
    with closing(sqlite3.connect(db)) as con:
        return con.execute("PRAGMA integrity_check").fetchone()[0]


def _scalar(db: Path, sql: str):
    with closing(sqlite3.connect(db)) as con:
        return con.execute(sql).fetchone()[0]


def _opens(db: Path) -> None:
    """The app opens the file (upgrading it if need be) and reads it."""
    with open_store(db) as store, store.session() as session:
        from sqlalchemy import text

        session.execute(text("SELECT count(*) FROM member")).scalar()


def _wal_size(db: Path) -> int:
    try:
        return db.with_name(db.name + "-wal").stat().st_size
    except FileNotFoundError:
        return 0


class Tally:
    """What the suite tried, for the report at the end of the module."""
    kills = landed = checks = 0


# ---- the databases ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def bulk(tmp_path_factory):
    """full.db: the demo and 20,000 more members in two bulk compounds; empty.db: the same
    organisation without members; roster.xlsx: full.db's members as the street office
    gets them (full numbers); half-a.xlsx and half-b.xlsx: the two bulk compounds apart."""
    from branchdesk.exchange.writer import export_roster
    from branchdesk.services.demo import fill_bulk, fill_demo

    folder = tmp_path_factory.mktemp("bulk")
    full, empty = folder / "full.db", folder / "empty.db"
    with open_store(full, create=True) as store:
        with store.transaction() as session:
            fill_demo(session)
        for _ in range(2):
            with store.transaction() as session:
                fill_bulk(session, ROWS // 2)
        with store.session() as session:
            export_roster(session, "members", folder / "export.xlsx", masked=False)
    with closing(sqlite3.connect(full)) as src, closing(sqlite3.connect(empty)) as dst:
        src.backup(dst)
        dst.execute("DELETE FROM center_household_link")
        dst.execute("DELETE FROM center_household")
        dst.execute("DELETE FROM member")
        dst.execute("DELETE FROM resident WHERE id NOT IN (SELECT resident_id FROM building_leader)")
        dst.commit()
        dst.execute("PRAGMA journal_mode=DELETE")  # one file to copy
        dst.execute("VACUUM")
    _split_roster(folder / "export.xlsx", folder / "roster.xlsx", folder / "half-a.xlsx", folder / "half-b.xlsx")
    total = _scalar(full, "SELECT count(*) FROM member")
    shutil.rmtree(store_mod.backup_dir(full), ignore_errors=True)
    return folder, empty, total


def _split_roster(source: Path, whole: Path, a: Path, b: Path) -> None:
    """The export as a street office sends it back (header row, then rows, no record codes):
    all of it, and the bulk members of each compound in a file of their own."""
    import openpyxl
    import python_calamine

    rows = python_calamine.CalamineWorkbook.from_path(str(source)).get_sheet_by_index(0).to_python()
    at = next(i for i, row in enumerate(rows) if "姓名" in [str(c) for c in row])
    code = rows[at].index("记录编号")
    rows = [row[:code] + row[code + 1:] for row in rows]
    header = rows[at]
    body = [row for row in rows[at + 1:] if row[header.index("身份证号")]]  # not the 填报人 line
    branch = next(i for i, cell in enumerate(header) if "支部" in str(cell))
    for target, prefix in ((whole, ""), (a, "大型测试小区党支部"), (b, "大型测试小区2党支部")):
        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet("党员")
        sheet.append(header)
        for row in body:
            if str(row[branch]).startswith(prefix):
                sheet.append(row)
        book.save(target)


def _fresh(empty: Path, tmp_path: Path, name: str = "work.db") -> Path:
    db = tmp_path / name
    shutil.copyfile(empty, db)
    return db


# ---- kill -9 ---------------------------------------------------------------------------------
def test_killed_import_of_20000_rows_is_all_or_nothing(bulk, tmp_path):
    folder, empty, total = bulk
    roster = folder / "roster.xlsx"
    data = tmp_path / "data"
    members_before = _scalar(empty, "SELECT count(*) FROM member")
    whole = _timed(_command(_fresh(empty, tmp_path, "timing.db"), "import", roster, "--kind", "members"), data)
    landed = 0
    for n, fraction in enumerate(KILL_AT):
        db = _fresh(empty, tmp_path, f"kill{n}.db")
        landed += _kill_after(_command(db, "import", roster, "--kind", "members"), data, whole * fraction)
        assert _integrity(db) == "ok"
        members = _scalar(db, "SELECT count(*) FROM member")
        assert members in (members_before, total), f"a killed import left {members} members"
        _opens(db)
        # and the import can simply be run again
        again = _run(_command(db, "import", roster, "--kind", "members"), data)
        assert again.returncode == 0, again.stderr
        assert _scalar(db, "SELECT count(*) FROM member") == total
        assert _integrity(db) == "ok"
    assert landed >= 2, f"only {landed} of {len(KILL_AT)} kills landed while the import ran"


def test_killed_demo_on_a_new_file_leaves_a_file_that_opens(tmp_path):
    data = tmp_path / "data"
    whole = _timed(_command(tmp_path / "timing.db", "demo"), data)
    full_households = _scalar(tmp_path / "timing.db", "SELECT count(*) FROM household")
    landed = 0
    moments = [(tmp_path / f"kill{n}.db", whole * f, None) for n, f in enumerate((0.3, 0.6, 0.9))]
    first_pages = tmp_path / "wal.db"  # as soon as the WAL has pages: the creation itself under way
    moments.append((first_pages, whole, lambda: _wal_size(first_pages) > 0))
    for n, (db, seconds, when) in enumerate(moments):
        landed += _kill_after(_command(db, "demo"), data, seconds, when)
        if db.exists():
            assert _integrity(db) == "ok"
            households = _scalar(db, "SELECT count(*) FROM household") if _has_table(db, "household") else 0
            assert households in (0, full_households)
        if n == 0 or db is first_pages:  # and it can simply be run again
            again = _run(_command(db, "demo"), data)
            assert again.returncode == 0, again.stderr
            assert _scalar(db, "SELECT count(*) FROM household") == full_households
        _opens(db)
    assert landed >= 2


def _has_table(db: Path, name: str) -> bool:
    return bool(_scalar(db, f"SELECT count(*) FROM sqlite_master WHERE type='table' AND name='{name}'"))


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    db = folder / "demo.db"
    done = _run(_command(db, "demo"), folder / "data")
    assert done.returncode == 0, done.stderr
    with closing(sqlite3.connect(db)) as con:
        con.execute("PRAGMA journal_mode=DELETE")
    return db


def _downgrade(db: Path, revision: str) -> None:
    """The demo database as an older branchdesk would have it (tables of later revisions gone)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(store_mod.MIGRATIONS_DIR))
    engine = store_mod.make_engine(db)
    try:
        with engine.connect() as connection:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
            with connection.begin():
                cfg.attributes["connection"] = connection
                command.downgrade(cfg, revision)
    finally:
        engine.dispose()
    with closing(sqlite3.connect(db)) as con:
        con.execute("PRAGMA journal_mode=DELETE")


@pytest.mark.parametrize("revision", known_revisions()[:-1])
def test_killed_upgrade_leaves_the_old_schema_or_the_new(revision, demo_db, tmp_path):
    data = tmp_path / "data"
    old = tmp_path / "old.db"
    shutil.copyfile(demo_db, old)
    _downgrade(old, revision)
    members = _scalar(old, "SELECT count(*) FROM member")
    timing = tmp_path / "timing.db"
    shutil.copyfile(old, timing)
    whole = _timed(_command(timing, "export", "members", tmp_path / "timing.xlsx"), data)
    landed = 0
    moments = [(whole * f, None) for f in (0.3, 0.5, 0.7, 0.9)]
    moments.append((whole, lambda: _wal_size(tmp_path / "kill4.db") > 0))
    for n, (seconds, when) in enumerate(moments):
        db = tmp_path / f"kill{n}.db"
        shutil.copyfile(old, db)
        landed += _kill_after(_command(db, "export", "members", tmp_path / f"out{n}.xlsx"), data, seconds, when)
        assert _integrity(db) == "ok"
        now = _scalar(db, "SELECT version_num FROM alembic_version")
        assert now in (revision, head_revision())
        state = store_mod.inspect_database(db)
        if now == revision:  # not a table of the next revision made: the upgrade is one step
            assert state.tables == store_mod.reference_tables(revision)
        assert _scalar(db, "SELECT count(*) FROM member") == members
        _opens(db)
        assert _scalar(db, "SELECT version_num FROM alembic_version") == head_revision()
        assert _scalar(db, "SELECT count(*) FROM member") == members
        for info in store_mod.list_backups(db):  # whatever a killed start left counts only if whole
            assert info.ok, info.problem
    assert landed >= 1


def _valid_pdf(path: Path) -> bool:
    data = path.read_bytes()
    return data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]


def _valid_xlsx(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as book:
            return "[Content_Types].xml" in book.namelist() and book.testzip() is None
    except zipfile.BadZipFile:
        return False


@pytest.mark.parametrize("kind", ["print", "export"])
def test_killed_export_or_print_keeps_the_old_file_or_writes_a_whole_one(kind, demo_db, tmp_path):
    data = tmp_path / "data"
    db = tmp_path / "demo.db"
    shutil.copyfile(demo_db, db)
    target = tmp_path / ("名册.pdf" if kind == "print" else "名册.xlsx")
    args = (("print", "roster", "members", "--pdf", target) if kind == "print"
            else ("export", "members", target))
    whole = _timed(_command(db, *args), data)
    valid = _valid_pdf if kind == "print" else _valid_xlsx
    assert valid(target)
    target.write_bytes(target.read_bytes())  # the previous good file
    previous = target.read_bytes()
    landed = 0
    for fraction in KILL_AT:
        landed += _kill_after(_command(db, *args), data, whole * fraction)
        assert target.exists()
        assert target.read_bytes() == previous or valid(target), "a killed write left a broken file"
        previous = target.read_bytes()
    assert _integrity(db) == "ok"
    assert landed >= 2


# ---- two writers -----------------------------------------------------------------------------
def test_two_imports_at_once_both_land(bulk, tmp_path):
    folder, empty, total = bulk
    db = _fresh(empty, tmp_path)
    data = tmp_path / "data"
    before = _scalar(db, "SELECT count(*) FROM member")
    procs = [subprocess.Popen(_command(db, "import", folder / name, "--kind", "members"), env=_env(data),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for name in ("half-a.xlsx", "half-b.xlsx")]
    results = [p.communicate(timeout=TIMEOUT) for p in procs]
    for proc, (_out, err) in zip(procs, results):
        assert proc.returncode == 0, err
        assert "locked" not in err and "UNIQUE" not in err and "Traceback" not in err
    assert _integrity(db) == "ok"
    assert _scalar(db, "SELECT count(*) FROM member") == before + ROWS
    assert _scalar(db, "SELECT count(DISTINCT id_number) FROM resident WHERE id_number IS NOT NULL") == \
        _scalar(db, "SELECT count(id_number) FROM resident")


def _sniff_like_a_file_dialog(db: Path) -> None:
    """What Qt's file dialog does to every file of the folder it shows: detect the type by
    content (it opens and closes the file), and a plain read of the header too."""
    from PySide6.QtCore import QMimeDatabase

    QMimeDatabase().mimeTypeForFile(str(db), QMimeDatabase.MatchMode.MatchContent)
    with open(db, "rb") as fh:
        fh.read(100)


def _phone_seen_by_another_process(db: Path, member_id: int, data: Path) -> str:
    code = ("import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute("
            "'SELECT r.phone FROM member m JOIN resident r ON r.id=m.resident_id WHERE m.id=?',"
            "(int(sys.argv[2]),)).fetchone()[0])")
    done = subprocess.run([sys.executable, "-c", code, str(db), str(member_id)], env=_env(data),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _set_phone(store, member_id: int, phone: str) -> None:
    from branchdesk.models import Member

    with store.transaction() as session:
        session.get(Member, member_id).resident.phone = phone


def test_window_like_store_keeps_its_writes_beside_commands(demo_db, tmp_path, qapp):
    data = tmp_path / "data"
    db = tmp_path / "X.db"
    shutil.copyfile(demo_db, db)
    member_id = _scalar(db, "SELECT min(id) FROM member")
    with open_store(db) as window:
        _set_phone(window, member_id, "13900000001")
        _sniff_like_a_file_dialog(db)
        for args in (("meetings",), ("export", "members", tmp_path / "m.xlsx")):
            done = _run(_command(db, *args), data)
            assert done.returncode == 0, done.stderr
        assert db.with_name("X.db-wal").exists(), "a command deleted the WAL under the open store"
        _set_phone(window, member_id, "13900000002")
        assert _phone_seen_by_another_process(db, member_id, data) == "13900000002"
        with window.session() as session:
            from branchdesk.models import Member

            assert session.get(Member, member_id).resident.phone == "13900000002"
    assert _integrity(db) == "ok"
    assert _phone_seen_by_another_process(db, member_id, data) == "13900000002"


def test_window_like_store_writes_while_an_import_runs(bulk, tmp_path, qapp):
    folder, empty, total = bulk
    data = tmp_path / "data"
    db = _fresh(empty, tmp_path)
    leader = _scalar(db, "SELECT min(id) FROM building_leader")
    with open_store(db) as window:
        window.busy_wait = 60  # the import holds the write lock for a second or two
        _sniff_like_a_file_dialog(db)
        proc = subprocess.Popen(_command(db, "import", folder / "roster.xlsx", "--kind", "members"),
                                env=_env(data), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        writes = 0
        from branchdesk.models import BuildingLeader

        while proc.poll() is None or writes < 3:
            with window.transaction() as session:
                session.get(BuildingLeader, leader).note = f"第 {writes} 次"
            writes += 1
            time.sleep(0.05)
        _out, err = proc.communicate(timeout=TIMEOUT)
        assert proc.returncode == 0, err
        with window.transaction() as session:
            session.get(BuildingLeader, leader).note = "最后一次"
    assert _integrity(db) == "ok"
    assert _scalar(db, "SELECT count(*) FROM member") == total
    assert _scalar(db, f"SELECT note FROM building_leader WHERE id={leader}") == "最后一次"


# ---- a full disk -----------------------------------------------------------------------------
@contextmanager
def _small_disk(tmp_path: Path, size_kb: int):
    """A tmpfs of size_kb KiB, or skip when this machine cannot mount one (not root)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def _kb(path: Path) -> int:
    return path.stat().st_size // 1024 + 1


def test_full_disk_during_import_changes_nothing(bulk, tmp_path):
    folder, empty, total = bulk
    data = tmp_path / "data"
    before = _scalar(empty, "SELECT count(*) FROM member")
    # room for the database, its daily and before-import backups, not for 20,000 members more
    with _small_disk(tmp_path, 3 * _kb(empty) + 600) as disk:
        db = disk / "work.db"
        shutil.copyfile(empty, db)
        done = _run(_command(db, "import", folder / "roster.xlsx", "--kind", "members"), data)
        assert done.returncode != 0
        assert "磁盘空间不足" in done.stderr and "Traceback" not in done.stderr, done.stderr
        assert "parameters" not in done.stderr and "INSERT" not in done.stderr
        assert _integrity(db) == "ok"
        assert _scalar(db, "SELECT count(*) FROM member") == before
        for info in store_mod.list_backups(db):
            assert info.ok, info.problem
        assert not list(store_mod.backup_dir(db).glob("*.part"))
        _opens(db)


def test_full_disk_during_backup_leaves_no_backup_that_counts(demo_db, tmp_path):
    data = tmp_path / "data"
    with _small_disk(tmp_path, _kb(demo_db) + 200) as disk:
        db = disk / "demo.db"
        shutil.copyfile(demo_db, db)
        done = _run(_command(db, "meetings"), data)  # the first open of the day backs up
        assert done.returncode != 0
        assert "无法备份" in done.stderr and "磁盘空间不足" in done.stderr, done.stderr
        backups = store_mod.backup_dir(db)
        assert not [p for p in backups.iterdir() if p.suffix == ".part" or p.stat().st_size == 0] \
            if backups.exists() else True
        assert store_mod.latest_backup_time(db) is None, "a cut-short backup counted as today's"
        assert _integrity(db) == "ok"
        shutil.move(db, tmp_path / "moved.db")  # room again: the next start backs up and opens
    moved = tmp_path / "moved.db"
    done = _run(_command(moved, "meetings"), data)
    assert done.returncode == 0, done.stderr
    assert [b for b in store_mod.list_backups(moved) if b.ok and b.reason == "daily"]
