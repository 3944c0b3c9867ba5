"""The database file: creation, migration, backups and refusing files we must not touch."""
from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import func, select

from branchdesk import store as store_mod
from branchdesk.cli import main as cli_main
from branchdesk.models import Community
from branchdesk.services import org
from branchdesk.store import BACKUP_KEEP, StoreError, head_revision, known_revisions, open_store

CJK = re.compile(r"[\u4e00-\u9fff]")


def _pragma(store, name: str):
    with store.engine.connect() as con:
        return con.exec_driver_sql(f"PRAGMA {name}").scalar()


def _alembic_script():
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(store_mod.MIGRATIONS_DIR))


# ---- a fresh database ------------------------------------------------------------
def test_fresh_database_is_at_head_with_wal_and_foreign_keys(store):
    assert _pragma(store, "journal_mode") == "wal"
    assert _pragma(store, "foreign_keys") == 1
    with store.engine.connect() as con:
        assert con.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == head_revision()
    assert store_mod.inspect_database(store.path).revision == head_revision()


def test_revision_list_agrees_with_alembic():
    """The fast start-up check reads file names; it must say what alembic says."""
    script = _alembic_script()
    assert script.get_heads() == [script.get_current_head()], "migrations must stay linear"
    in_order = [rev.revision for rev in reversed(list(script.walk_revisions()))]
    assert known_revisions() == in_order
    assert head_revision() == script.get_current_head()
    for rev in script.walk_revisions():
        assert Path(rev.path).name[:4] == rev.revision, f"{rev.path} must be named after its revision id"


def test_migrations_match_the_models(store):
    """A model change without its migration would only show on the secretary's PC."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from branchdesk.models import Base

    with store.engine.connect() as con:
        diff = compare_metadata(MigrationContext.configure(con), Base.metadata)
    assert diff == []


def test_failed_transaction_writes_nothing(store):
    with pytest.raises(RuntimeError):
        with store.transaction() as session:
            community = org.ensure_community(session, name="幸福社区", street_name="和平街道")
            compound = org.add_compound(session, community_id=community.id, name="启明小区")
            org.add_building(session, compound_id=compound.id, code="1")
            raise RuntimeError("boom")
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Community)) == 0
    with store.engine.connect() as con:
        for table in ("compound", "building", "unit", "household"):
            assert con.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar() == 0


# ---- upgrading an old database ------------------------------------------------------
def _make_first_schema_db(path: Path) -> None:
    engine = store_mod.make_engine(path)
    try:
        store_mod.upgrade(engine, "0001")
        with engine.begin() as con:
            run = con.exec_driver_sql
            run("INSERT INTO community (id, name, street_name) VALUES (1, '幸福社区', '和平街道')")
            run("INSERT INTO compound (id, community_id, name, kind) VALUES (1, 1, '启明小区', 'property')")
            run("INSERT INTO building (id, compound_id, code, name, sort_key) VALUES (1, 1, '3', '3号楼', 3)")
            run("INSERT INTO unit (id, building_id, code, name, sort_key) VALUES (1, 1, '2', '2单元', 2)")
            run("INSERT INTO household (id, unit_id, room, sort_key) VALUES (1, 1, '501', 501)")
            run("INSERT INTO resident (id, name, name_pinyin, name_initials, id_number, household_id) "
                "VALUES (1, '张三', 'zhangsan', 'zs', '11010519491231002X', 1)")
            run("INSERT INTO member (id, resident_id, category, is_registered) VALUES (1, 1, 'full', 0)")
    finally:
        engine.dispose()


def test_first_schema_upgrades_to_head_with_data_and_backup(tmp_path):
    path = tmp_path / "old.db"
    _make_first_schema_db(path)
    assert store_mod.inspect_database(path).revision == "0001"

    s = open_store(path)
    try:
        with s.engine.connect() as con:
            assert con.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == head_revision()
            row = con.exec_driver_sql(
                "SELECT r.name, r.id_number, h.room, m.category FROM member m "
                "JOIN resident r ON r.id = m.resident_id JOIN household h ON h.id = r.household_id").one()
            assert tuple(row) == ("张三", "11010519491231002X", "501", "full")
            assert con.exec_driver_sql("SELECT name FROM community").scalar() == "幸福社区"
    finally:
        s.close()

    backups = sorted(store_mod.backup_dir(path).glob("old-*.db"))
    assert backups, "opening an existing database must leave a backup"
    if head_revision() != "0001":
        assert any("before-upgrade-0001" in b.name for b in backups)
    # the backup is a readable database holding the data as it was before the upgrade
    with closing(sqlite3.connect(backups[0])) as con:
        assert con.execute("SELECT name FROM resident").fetchone() == ("张三",)


def test_daily_backup_only_once_a_day(tmp_path):
    path = tmp_path / "branchdesk.db"
    open_store(path, create=True).close()
    assert list(store_mod.backup_dir(path).glob("*.db")) == []  # nothing to back up in a new file
    open_store(path).close()
    open_store(path).close()
    assert len(list(store_mod.backup_dir(path).glob("branchdesk-*.db"))) == 1


def test_backups_rotate_to_backup_keep(store):
    made = [store_mod.backup_database(store.path, "test") for _ in range(BACKUP_KEEP + 3)]
    kept = sorted(store_mod.backup_dir(store.path).glob("branchdesk-*.db"))
    assert len(kept) == BACKUP_KEEP
    assert kept == sorted(made[-BACKUP_KEEP:])  # the newest stay
    assert not any(p.exists() for p in made[:3])


def test_rotation_leaves_other_databases_backups_alone(tmp_path):
    main_db, archive = tmp_path / "branchdesk.db", tmp_path / "branchdesk-2023.db"
    for p in (main_db, archive):
        open_store(p, create=True).close()
    archive_backup = store_mod.backup_database(archive, "test")
    for _ in range(BACKUP_KEEP + 1):
        store_mod.backup_database(main_db, "test")
    assert archive_backup.exists()


# ---- files we must refuse, untouched -------------------------------------------------
def _missing(tmp_path: Path) -> Path:
    return tmp_path / "no-such.db"


def _text_file(tmp_path: Path) -> Path:
    p = tmp_path / "notes.db"
    p.write_text("党员名单\n张三,3号楼2单元501\n", encoding="utf-8")
    return p


def _other_program(tmp_path: Path) -> Path:
    p = tmp_path / "other.db"
    with closing(sqlite3.connect(p)) as con:
        con.execute("CREATE TABLE songs (id INTEGER PRIMARY KEY, title TEXT)")
        con.commit()
    return p


def _newer_app(tmp_path: Path) -> Path:
    p = tmp_path / "future.db"
    with closing(sqlite3.connect(p)) as con:
        con.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        con.execute("INSERT INTO alembic_version VALUES ('9999')")
        con.execute("CREATE TABLE community (id INTEGER PRIMARY KEY, name TEXT)")
        con.execute("INSERT INTO community VALUES (1, '幸福社区')")
        con.commit()
    return p


def _directory(tmp_path: Path) -> Path:
    p = tmp_path / "folder.db"
    p.mkdir()
    (p / "inside.txt").write_text("x")
    return p


def _corrupt(tmp_path: Path) -> Path:
    p = tmp_path / "broken.db"
    p.write_bytes(store_mod.SQLITE_MAGIC + bytes(range(256)) * 16)
    return p


BAD = {
    "missing": (_missing, "找不到数据库文件"),
    "text_file": (_text_file, "不是 branchdesk 数据库文件"),
    "other_program": (_other_program, "其他程序"),
    "newer_app": (_newer_app, "更新版本"),
    "directory": (_directory, "文件夹"),
    "corrupt": (_corrupt, "已损坏"),
}


def _snapshot(path: Path):
    """Everything that opening could change: the file's bytes and times, and the folder's names."""
    folder = sorted(p.name for p in path.parent.iterdir())
    if path.is_dir():
        return folder, sorted(p.name for p in path.iterdir()), path.stat().st_mtime_ns
    if path.exists():
        st = path.stat()
        return folder, path.read_bytes(), st.st_mtime_ns, st.st_size
    return folder, None


@pytest.fixture(params=sorted(BAD))
def bad_file(request, tmp_path):
    make, expected = BAD[request.param]
    path = make(tmp_path)
    return path, expected


def test_bad_file_is_refused_and_untouched(bad_file):
    path, expected = bad_file
    before = _snapshot(path)
    with pytest.raises(StoreError) as info:
        open_store(path)
    message = str(info.value)
    assert expected in message
    assert CJK.search(message)
    assert _snapshot(path) == before  # same bytes and mtime; no -wal, -shm, -journal or backups
    for suffix in ("-wal", "-shm", "-journal"):
        assert not Path(f"{path}{suffix}").exists()


@pytest.mark.parametrize("kind", sorted(set(BAD) - {"missing"}))  # create=True does create a missing file
def test_bad_file_refused_even_with_create(kind, tmp_path):
    path = BAD[kind][0](tmp_path)
    before = _snapshot(path)
    with pytest.raises(StoreError):
        open_store(path, create=True)
    assert _snapshot(path) == before


def test_cli_explains_bad_file_in_one_sentence(bad_file, capsys):
    path, expected = bad_file
    before = _snapshot(path)
    assert cli_main(["--db", str(path), "open"]) == 2
    out, err = capsys.readouterr()
    assert expected in err
    assert "Traceback" not in err and "Error" not in err
    assert out == ""
    assert _snapshot(path) == before


def test_newer_wal_database_leaves_no_wal_files(tmp_path):
    path = tmp_path / "future.db"
    with closing(sqlite3.connect(path)) as con:
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        con.execute("INSERT INTO alembic_version VALUES ('9999')")
        con.commit()
    before = _snapshot(path)
    with pytest.raises(StoreError, match="更新版本"):
        open_store(path)
    assert _snapshot(path) == before


# ---- upgrades that cannot half-happen --------------------------------------------------------
def _db_at(path: Path, revision: str) -> Path:
    engine = store_mod.make_engine(path)
    try:
        store_mod.upgrade(engine, revision)
    finally:
        engine.dispose()
    with closing(sqlite3.connect(path)) as con:
        con.execute("INSERT INTO community (name) VALUES ('幸福社区')")
        con.commit()
    return path


def _tables(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as con:
        return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def test_a_failing_migration_leaves_the_file_as_it_was(tmp_path, monkeypatch):
    path = _db_at(tmp_path / "old.db", "0003")
    before = _tables(path)
    store_mod.reference_tables("0003")  # made by the migrations too: before they are broken
    from alembic.operations import Operations

    real = Operations.create_table
    made = []

    def create_then_fail(self, name, *columns, **kw):
        made.append(name)
        if len(made) == 3:  # two tables of 0004 already made, then the disk fills up
            raise sqlite3.OperationalError("database or disk is full")
        return real(self, name, *columns, **kw)

    monkeypatch.setattr(Operations, "create_table", create_then_fail)
    with pytest.raises(StoreError, match="磁盘空间不足"):
        open_store(path)
    assert _tables(path) == before  # not one table of 0004 stayed
    assert store_mod.inspect_database(path).revision == "0003"
    monkeypatch.setattr(Operations, "create_table", real)
    with open_store(path) as s:  # and the next start upgrades it
        assert _pragma(s, "integrity_check") == "ok"
    assert store_mod.inspect_database(path).revision == head_revision()
    upgrades = [b for b in store_mod.list_backups(path) if b.reason == "before-upgrade-0003"]
    assert upgrades and all(b.ok for b in upgrades)


def test_half_upgraded_file_from_an_older_version_is_repaired_from_its_backup(tmp_path):
    path = _db_at(tmp_path / "branchdesk.db", "0003")
    good = store_mod.backup_database(path, "before-upgrade-0003")
    # what an older branchdesk left: 0004's first table made outside a transaction, and then
    # at every failed start another "before-upgrade" backup, of the broken file
    with closing(sqlite3.connect(path)) as con:
        con.execute("CREATE TABLE meeting (id INTEGER PRIMARY KEY, kind VARCHAR(50) NOT NULL)")
        con.commit()
    for _ in range(3):
        store_mod.backup_database(path, "before-upgrade-0003")
    messages = []
    monkey_notify, store_mod.notify = store_mod.notify, messages.append
    try:
        with open_store(path) as s:
            notice = s.notice
            with s.engine.connect() as con:
                assert con.exec_driver_sql("SELECT name FROM community").scalar() == "幸福社区"
    finally:
        store_mod.notify = monkey_notify
    assert notice and "中断" in notice and CJK.search(notice)
    assert messages == [notice]
    assert store_mod.inspect_database(path).revision == head_revision()
    assert good.exists()
    assert [b for b in store_mod.list_backups(path) if b.reason == "before-repair"]
    open_store(path).close()  # and it opens from now on, without a word


def test_half_upgraded_file_without_a_good_backup_is_refused_untouched(tmp_path):
    path = _db_at(tmp_path / "branchdesk.db", "0003")
    with closing(sqlite3.connect(path)) as con:
        con.execute("CREATE TABLE meeting (id INTEGER PRIMARY KEY)")
        con.commit()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="升级时被中断"):
        open_store(path)
    assert path.read_bytes() == before


def test_a_creation_an_older_version_left_unfinished_is_made_again(tmp_path):
    path = tmp_path / "new.db"
    with closing(sqlite3.connect(path)) as con:  # alembic_version made, no revision, empty tables
        con.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        con.execute("CREATE TABLE community (id INTEGER PRIMARY KEY, name TEXT)")
        con.commit()
    with open_store(path) as s:
        assert _pragma(s, "integrity_check") == "ok"
    assert store_mod.inspect_database(path).revision == head_revision()


# ---- backups that count only when whole ------------------------------------------------------
def test_an_empty_or_broken_backup_never_counts(store):
    folder = store_mod.backup_dir(store.path)
    folder.mkdir()
    today = __import__("datetime").datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    empty = folder / f"branchdesk-{today}-daily.db"
    empty.write_bytes(b"")
    assert store_mod.latest_backup_time(store.path) is None  # so today's backup is still made
    (folder / f"branchdesk-{today}-daily.db.part").write_bytes(b"SQLite format 3\x00half")
    made = store_mod.backup_database(store.path, "daily")
    assert not empty.exists()
    infos = store_mod.list_backups(store.path)
    assert [i.path for i in infos] == [made] and infos[0].ok


def test_a_backup_cut_short_leaves_nothing(store, monkeypatch):
    def full(*_a, **_k):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(store_mod, "_fsync", full)
    with pytest.raises(sqlite3.OperationalError):
        store_mod.backup_database(store.path, "daily")
    assert list(store_mod.backup_dir(store.path).iterdir()) == []


def test_upgrade_backups_are_kept_apart_from_routine_ones(tmp_path):
    path = _db_at(tmp_path / "branchdesk.db", head_revision())
    kept = store_mod.backup_database(path, "before-upgrade-0004")
    for _ in range(BACKUP_KEEP + 2):
        store_mod.backup_database(path, "daily")
    assert kept.exists()


def test_restore_puts_the_backup_back_and_keeps_the_present(store):
    with store.transaction() as s:
        org.ensure_community(s, name="旧名社区", street_name="和平街道")
    backup = store_mod.backup_database(store.path, "daily")
    with store.transaction() as s:
        s.scalars(select(Community)).one().name = "新名社区"
    before_restore = store_mod.restore_backup(store, backup)
    with store.session() as s:
        assert s.scalars(select(Community.name)).all() == ["旧名社区"]
    with closing(sqlite3.connect(before_restore)) as con:
        assert con.execute("SELECT name FROM community").fetchall() == [("新名社区",)]
    assert store_mod.reason_text("before-restore") == "恢复备份前"


def test_restore_refuses_a_broken_backup_and_changes_nothing(store):
    with store.transaction() as s:
        org.ensure_community(s, name="幸福社区", street_name="和平街道")
    folder = store_mod.backup_dir(store.path)
    folder.mkdir(exist_ok=True)
    broken = folder / "branchdesk-20261201-080000-000000-daily.db"
    broken.write_bytes(store_mod.SQLITE_MAGIC + bytes(range(256)) * 16)
    with pytest.raises(StoreError, match="不能用备份"):
        store_mod.restore_backup(store, broken)
    with store.session() as s:
        assert s.scalars(select(Community.name)).all() == ["幸福社区"]
    assert [b.ok for b in store_mod.list_backups(store.path)] == [False]


# ---- two writers -----------------------------------------------------------------------------
def test_a_busy_database_is_one_sentence_and_nothing_is_written(store):
    store.busy_wait = 0.5
    with closing(sqlite3.connect(store.path, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")  # another writer holds the lock
        with pytest.raises(store_mod.StoreBusy) as info:
            with store.transaction() as s:
                org.ensure_community(s, name="幸福社区", street_name="和平街道")
        other.execute("ROLLBACK")
    assert CJK.search(str(info.value)) and "另一个" in str(info.value)
    with store.session() as s:
        assert s.scalars(select(Community)).all() == []


def test_ids_are_taken_inside_the_write_transaction(store):
    """A write transaction holds the lock from its start: what it read stays true until it commits."""
    with store.transaction() as s:
        first = s.scalar(select(func.count(Community.id)))
        with closing(sqlite3.connect(store.path, timeout=0.1)) as other:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("INSERT INTO community (name) VALUES ('插队社区')")
        org.ensure_community(s, name="幸福社区", street_name="和平街道")
    assert first == 0


def test_errors_never_carry_row_values(store):
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError) as info:
        with store.transaction() as s:
            s.execute(__import__("sqlalchemy").text("INSERT INTO community (id, name) VALUES (1, :a), (1, :b)"),
                      {"a": "甲社区", "b": "420302198001010002"})
    assert "420302198001010002" not in str(info.value)


def test_a_reader_of_the_open_file_in_this_process_keeps_the_locks(store, tmp_path):
    """inspect_database on a file this process holds open reads it only through SQLite."""
    with store.transaction() as s:
        org.ensure_community(s, name="幸福社区", street_name="和平街道")
    assert store_mod.holds_open(store.path)
    assert store_mod.inspect_database(store.path).revision == head_revision()


def test_a_database_in_rollback_mode_opens_and_takes_writes(tmp_path):
    """Copied or restored files may come in rollback-journal mode: the switch to WAL happens
    before the lock guard is taken (which would otherwise refuse it the lock it needs)."""
    path = _db_at(tmp_path / "plain.db", head_revision())
    with closing(sqlite3.connect(path)) as con:
        con.execute("PRAGMA journal_mode=DELETE")
    with open_store(path) as s:
        with s.transaction() as session:
            org.ensure_community(session, name="新社区", street_name="和平街道")
        assert _pragma(s, "journal_mode") == "wal"


def test_without_posix_locks_the_store_opens_as_on_windows(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "fcntl", None)  # `import fcntl` raises, as on Windows
    with open_store(tmp_path / "w.db", create=True) as s:
        with s.transaction() as session:
            org.ensure_community(session, name="幸福社区", street_name="和平街道")
        assert not store_mod.holds_open(s.path)
