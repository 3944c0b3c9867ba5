"""The SQLite store: opening, checking, migrating and backing up the database file.

Opening is careful because the file is the secretary's only copy of the
rosters: a wrong path, a file that is not a database, or a database written
by a newer branchdesk is refused with one Chinese sentence and left untouched
(checked read-only, before anything would switch it to WAL or migrate it).
"""
from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # SQLAlchemy costs ~0.25 s to import: the window is painted first
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
BACKUP_KEEP = 20  # newest backups kept per database
BACKUP_EVERY = timedelta(days=1)
SQLITE_MAGIC = b"SQLite format 3\x00"


class StoreError(Exception):
    """A problem with the database file, worded for the secretary."""


def known_revisions() -> list[str]:
    """Migration ids in order. Files are named NNNN_what.py and NNNN is the revision id,
    so start-up can tell the schema version without importing alembic (~0.2 s)."""
    names = sorted(p.name for p in (MIGRATIONS_DIR / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))
    return [n[:4] for n in names]


def head_revision() -> str:
    return known_revisions()[-1]


class DatabaseState:
    """What a read-only look found. (A plain class: dataclasses costs start-up time.)"""

    __slots__ = ("exists", "revision")

    def __init__(self, exists: bool, revision: str | None):
        self.exists = exists
        self.revision = revision  # None for an empty or new file


def inspect_database(path: Path) -> DatabaseState:
    """Read-only look at a database file; raises StoreError for anything we must not open."""
    if not path.exists():
        return DatabaseState(False, None)
    if path.is_dir():
        raise StoreError(f"“{path}”是一个文件夹，不是数据库文件，请选择 .db 文件。")
    try:
        with open(path, "rb") as fh:
            header = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise StoreError(f"无法读取数据库文件“{path}”（{exc.strerror or exc}），请检查文件权限或是否被其他程序占用。") from exc
    if header == b"" and path.stat().st_size == 0:
        return DatabaseState(True, None)
    if header != SQLITE_MAGIC:
        raise StoreError(f"“{path}”不是 branchdesk 数据库文件（也不是 SQLite 数据库），请确认选择的文件是否正确。")
    try:
        # A plain read-only open of a WAL database creates -wal/-shm files beside it.
        # Without an existing -wal the main file holds everything, so open it immutable;
        # with one, its pages matter and the files are there already.
        has_wal = path.with_name(path.name + "-wal").exists()
        uri = f"{path.resolve().as_uri()}?" + ("mode=ro" if has_wal else "immutable=1")
        with closing(sqlite3.connect(uri, uri=True)) as con:
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "alembic_version" not in tables:
                if tables:
                    raise StoreError(f"“{path}”是其他程序的 SQLite 数据库，不是 branchdesk 数据库，请确认选择的文件是否正确。")
                return DatabaseState(True, None)
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"数据库文件“{path}”已损坏或无法读取（{exc}），请从 backups 文件夹中的备份恢复。") from exc
    revision = row[0] if row else None
    if revision is not None and revision not in known_revisions():
        raise StoreError(
            f"数据库“{path}”由更新版本的 branchdesk 创建（数据版本 {revision}），"
            "当前程序无法打开，请安装最新版本的 branchdesk 后再打开。"
        )
    return DatabaseState(True, revision)


def _on_connect(dbapi_con, _record) -> None:
    cur = dbapi_con.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def make_engine(path: Path) -> Engine:
    from sqlalchemy import create_engine, event

    engine = create_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", _on_connect)
    return engine


def backup_dir(path: Path) -> Path:
    return path.parent / "backups"


def _backups_of(path: Path) -> list[Path]:
    """This database's backups, oldest first. Matched exactly so that backups of
    'branchdesk-2023.db' are never taken for backups of 'branchdesk.db'."""
    pattern = re.compile(re.escape(path.stem) + r"-\d{8}-\d{6}-\d{6}-[0-9a-z-]+\.db")
    folder = backup_dir(path)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if pattern.fullmatch(p.name))


def backup_database(path: Path, reason: str) -> Path:
    """Copy the database with SQLite's online backup API (consistent even mid-WAL) and rotate."""
    folder = backup_dir(path)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"{path.stem}-{stamp}-{reason}.db"
    with closing(sqlite3.connect(path)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
    for old in _backups_of(path)[:-BACKUP_KEEP]:
        old.unlink(missing_ok=True)
    return target


def latest_backup_time(path: Path) -> datetime | None:
    backups = _backups_of(path)
    if not backups:
        return None
    return datetime.fromtimestamp(max(p.stat().st_mtime for p in backups))


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


class Store:
    """An open database: the engine and the session factory handed to services and pages."""

    def __init__(self, path: Path, engine: Engine):
        self.path = path
        self.engine = engine
        from sqlalchemy.orm import sessionmaker

        self.session_factory = sessionmaker(engine, expire_on_commit=False)

    def session(self) -> Session:
        return self.session_factory()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One change, one transaction: commits when the block ends, rolls back on any error."""
        with self.session_factory() as session, session.begin():
            yield session

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


def check_database(path: Path, *, create: bool = False) -> DatabaseState:
    """Everything that can refuse a file, without SQLAlchemy: cheap enough to run
    before the window opens, so a bad --db never gets as far as a window.
    create=False refuses a missing file: a mistyped --db must not silently
    start an empty roster."""
    state = inspect_database(path)
    if not state.exists and not create:
        raise StoreError(f"找不到数据库文件“{path}”，请检查路径是否正确。")
    return state


def _backup_on_opening(path: Path, state: DatabaseState) -> None:
    if state.revision is None:
        return
    try:
        if state.revision != head_revision():
            backup_database(path, f"before-upgrade-{state.revision}")
        else:
            last = latest_backup_time(path)
            if last is None or datetime.now() - last > BACKUP_EVERY:
                backup_database(path, "daily")
    except (OSError, sqlite3.Error) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise StoreError(f"无法备份数据库“{path}”（{reason}），为保护数据没有打开它。"
                         f"请检查“{backup_dir(path)}”文件夹的权限和磁盘空间。") from exc


def open_store(path: Path | str, *, create: bool = False) -> Store:
    """Open (and if asked, create) a database, backing it up and migrating it to head."""
    path = Path(path)
    state = check_database(path, create=create)
    if not state.exists:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"无法创建数据库所在的文件夹“{path.parent}”（{exc.strerror or exc}）。") from exc
    else:
        _backup_on_opening(path, state)
    engine = make_engine(path)
    try:
        if state.revision != head_revision():
            upgrade(engine)
    except Exception as exc:
        engine.dispose()
        raise StoreError(f"无法写入数据库“{path}”（{exc}），请检查文件权限或磁盘空间。") from exc
    return Store(path, engine)
