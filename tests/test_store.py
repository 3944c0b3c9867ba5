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
