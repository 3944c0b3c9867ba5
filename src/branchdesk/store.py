"""The SQLite store: opening, checking, migrating, backing up and restoring the database file.

Opening is careful because the file is the secretary's only copy of the
rosters: a wrong path, a file that is not a database, or a database written
by a newer branchdesk is refused with one Chinese sentence and left untouched
(checked read-only, before anything would switch it to WAL or migrate it).

Every write is one transaction that takes the write lock when it starts (BEGIN
IMMEDIATE), so ids read inside it stay free until it commits and a second
writer waits instead of failing halfway. A schema upgrade, and the creation of
a new file, is one transaction too: a crash leaves the file as it was.
"""
from __future__ import annotations

import logging
import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # SQLAlchemy costs ~0.25 s to import: the window is painted first
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
BACKUP_KEEP = 20  # newest routine backups kept per database
UPGRADE_BACKUP_KEEP = 10  # the backups made before upgrades are kept apart from the routine ones
BACKUP_EVERY = timedelta(days=1)
SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_WAIT_SECONDS = 30.0  # how long a write in the window waits for another window or command
COMMAND_BUSY_WAIT_SECONDS = 300.0  # a command waits longer: another import may be running
_BUSY_STEP_MS = 200  # one wait for the write lock, between two calls of the busy hook
_PART = ".part"  # a backup being written; renamed when it has been verified
_STALE_PART = timedelta(hours=1)  # a .part this old was left by a killed process


# Where opening tells what it repaired and a write why it waits; the command line sets it
# (and a longer wait) to print to stderr, the window reads Store.notice and sets on_busy.
notify: Callable[[str], None] | None = None
busy_wait_default = BUSY_WAIT_SECONDS


class StoreError(Exception):
    """A problem with the database file, worded for the secretary."""


class StoreBusy(StoreError):
    """Another window or command held the write lock for longer than the wait."""


class WaitCancelled(StoreBusy):
    """The user stopped waiting for the write lock."""


def known_revisions() -> list[str]:
    """Migration ids in order. Files are named NNNN_what.py and NNNN is the revision id,
    so start-up can tell the schema version without importing alembic (~0.2 s)."""
    names = sorted(p.name for p in (MIGRATIONS_DIR / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))
    return [n[:4] for n in names]


def head_revision() -> str:
    return known_revisions()[-1]


class DatabaseState:
    """What a read-only look found. (A plain class: dataclasses costs start-up time.)"""

    __slots__ = ("exists", "revision", "tables")

    def __init__(self, exists: bool, revision: str | None, tables: frozenset[str] = frozenset()):
        self.exists = exists
        self.revision = revision  # None for an empty or new file
        self.tables = tables  # the file's own tables (not SQLite's, not alembic's)


def _user_tables(con: sqlite3.Connection) -> frozenset[str]:
    return frozenset(r[0] for r in con.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"))


def inspect_database(path: Path) -> DatabaseState:
    """Read-only look at a database file; raises StoreError for anything we must not open.

    The header is read outside SQLite only while no store of this process has the file
    open: on Linux that read would drop the process's locks on it (see _LockGuard)."""
    if not path.exists():
        return DatabaseState(False, None)
    if path.is_dir():
        raise StoreError(f"“{path}”是一个文件夹，不是数据库文件，请选择 .db 文件。")
    held = holds_open(path)  # then only SQLite may touch it (see _LockGuard)
    try:
        header = SQLITE_MAGIC if held else _read_header(path)
    except OSError as exc:
        raise StoreError(f"无法读取数据库文件“{path}”（{os_error_text(exc)}），请检查文件权限或是否被其他程序占用。") from exc
    if header == b"" and path.stat().st_size == 0:
        return DatabaseState(True, None)
    if header != SQLITE_MAGIC:
        raise StoreError(f"“{path}”不是 branchdesk 数据库文件（也不是 SQLite 数据库），请确认选择的文件是否正确。")
    try:
        # A plain read-only open of a WAL database creates -wal/-shm files beside it.
        # Without an existing -wal the main file holds everything, so open it immutable;
        # with one, its pages matter and the files are there already.
        # An immutable open takes no locks and so closes its descriptor at once: never
        # on a file this process holds.
        has_wal = path.with_name(path.name + "-wal").exists()
        with closing(_connect_readonly(path, immutable=not (has_wal or held))) as con:
            tables = _user_tables(con)
            if "alembic_version" not in tables:
                if tables:
                    raise StoreError(f"“{path}”是其他程序的 SQLite 数据库，不是 branchdesk 数据库，请确认选择的文件是否正确。")
                return DatabaseState(True, None)
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
            own = tables - {"alembic_version"}
            if row is None and any(con.execute(f'SELECT 1 FROM "{t}" LIMIT 1').fetchone() for t in own):
                raise StoreError(f"数据库“{path}”没有数据版本记录却已有数据，无法判断如何打开；"
                                 "为保护数据没有改动它，请从 backups 文件夹中的备份恢复或联系技术支持。")
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"数据库文件“{path}”已损坏或无法读取，请在“文件 ▸ 从备份恢复”中选择一个备份恢复。") from exc
    revision = row[0] if row else None
    if revision is not None and revision not in known_revisions():
        raise StoreError(
            f"数据库“{path}”由更新版本的 branchdesk 创建（数据版本 {revision}），"
            "当前程序无法打开，请安装最新版本的 branchdesk 后再打开。"
        )
    return DatabaseState(True, revision, own)


def _read_header(path: Path) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(len(SQLITE_MAGIC))


def _connect_readonly(path: Path, *, immutable: bool) -> sqlite3.Connection:
    uri = f"{path.resolve().as_uri()}?" + ("immutable=1" if immutable else "mode=ro")
    return sqlite3.connect(uri, uri=True)


def os_error_text(exc: BaseException) -> str:
    """An OSError in Chinese, for the middle of a sentence."""
    import errno

    code = getattr(exc, "errno", None)
    words = {errno.ENOSPC: "磁盘空间不足", errno.EDQUOT: "磁盘空间配额已用完", errno.EACCES: "没有权限",
             errno.EPERM: "没有权限", errno.EROFS: "磁盘是只读的", errno.ENOENT: "找不到文件或文件夹",
             errno.EISDIR: "这是一个文件夹", errno.EFBIG: "文件太大", errno.EIO: "磁盘读写出错",
             errno.EBUSY: "文件正被占用"}
    return words.get(code, "系统无法完成读写")


# ---- SQLite errors in one sentence -------------------------------------------------------
def describe_database_error(exc: BaseException, path: Path | None = None) -> str | None:
    """One Chinese sentence for an SQLite failure the secretary can act on, or None.
    Never the SQL or its parameters: they may hold ID numbers and phones."""
    text = str(getattr(exc, "orig", None) or exc).lower()
    name = f"“{path.name}”" if path is not None else ""
    if "locked" in text or "busy" in text:
        return busy_text()
    if "disk is full" in text or "no space" in text:
        return f"磁盘空间不足，无法写入数据库{name}，刚才的更改没有保存；请清理磁盘后再试。"
    if "readonly" in text or "read-only" in text:
        return f"数据库文件{name}是只读的，刚才的更改没有保存；请检查文件或文件夹的权限。"
    if "disk i/o" in text:
        return f"读写数据库文件{name}时磁盘出错，刚才的更改没有保存；请检查磁盘后重新打开 branchdesk。"
    if "unable to open" in text:
        return f"无法打开数据库文件{name}，请检查文件是否存在以及文件夹的权限。"
    if "malformed" in text or "not a database" in text:
        return f"数据库文件{name}已损坏，请在“文件 ▸ 从备份恢复”中选择一个备份恢复。"
    return None


def busy_text(seconds: float = BUSY_WAIT_SECONDS) -> str:
    return (f"数据库正被另一个 branchdesk 窗口或命令写入（例如正在导入），等了 {seconds:.0f} 秒仍未结束，"
            "刚才的更改没有保存；请等它完成后再试。")


# ---- the engine ----------------------------------------------------------------------------
def _on_connect(dbapi_con, _record) -> None:
    # The driver's own transaction handling would run DDL outside any transaction and
    # begin only before DML; SQLAlchemy's begin event (_on_begin) issues BEGIN instead.
    dbapi_con.isolation_level = None
    cur = dbapi_con.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def _begin_immediate(raw: sqlite3.Connection, on_busy: Callable[[float | None], None] | None,
                     limit: float) -> None:
    """Take the write lock, waiting for another writer in short steps so that the caller can
    show progress: on_busy(seconds waited) while waiting (it may raise WaitCancelled), then
    on_busy(None) once the wait is over. Without one, the command line hears once why it waits."""
    started = time.monotonic()
    waited = 0.0
    raw.execute(f"PRAGMA busy_timeout={_BUSY_STEP_MS}")
    try:
        while True:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
            waited = time.monotonic() - started
            if waited >= limit:
                raise StoreBusy(busy_text(limit))
            if on_busy is not None:
                on_busy(waited)
            elif notify is not None and waited < _BUSY_STEP_MS / 1000 * 1.5:
                notify(f"数据库正被另一个 branchdesk 窗口或命令写入，正在等待它完成（最多 {limit:.0f} 秒）…")
    finally:
        raw.execute("PRAGMA busy_timeout=5000")
        if waited and on_busy is not None:
            on_busy(None)


def make_engine(path: Path, store: Store | None = None) -> Engine:
    from sqlalchemy import create_engine, event

    # hide_parameters: a failed statement's message and the log never carry row values.
    engine = create_engine(f"sqlite:///{path}", hide_parameters=True)
    event.listen(engine, "connect", _on_connect)

    def on_begin(conn) -> None:
        raw = conn.connection.driver_connection
        if conn.get_execution_options().get("branchdesk_write"):
            on_busy = store.on_busy if store is not None else None
            limit = store.busy_wait if store is not None else busy_wait_default
            _begin_immediate(raw, on_busy, limit)
        else:
            raw.execute("BEGIN")

    event.listen(engine, "begin", on_begin)
    return engine


# ---- the lock guard ------------------------------------------------------------------------
class _LockGuard:
    """Keeps other processes from taking this database away while it is open here.

    On Linux and macOS a process loses every POSIX lock it holds on a file as soon as
    ANY descriptor of that file is closed in it: a file dialog sniffing types, a library
    reading the header. SQLite would then believe nobody else uses the database, and a
    command closing it in another process would checkpoint and delete the WAL under this
    one. An open-file-description lock on SQLite's SHARED range belongs to this descriptor
    alone, survives those closes, and, as SQLite's EXCLUSIVE lock conflicts with it, makes
    every other process see that the database is still in use. (WAL mode needs the
    EXCLUSIVE lock only to close the last connection and to change the journal mode.)
    Windows' locks belong to handles already, and macOS has no such locks: there it does nothing."""

    _SHARED_FIRST = 0x40000000 + 2  # SQLite's PENDING_BYTE + 2
    _SHARED_SIZE = 510
    _open: dict[tuple[int, int], list] = {}  # (device, inode) -> [fd, users]

    def __init__(self, path: Path):
        self.key: tuple[int, int] | None = None
        try:
            import fcntl
        except ImportError:  # Windows
            return
        if not hasattr(fcntl, "F_OFD_SETLK"):  # macOS, the BSDs
            return
        st = os.stat(path)
        key = (st.st_dev, st.st_ino)
        entry = self._open.get(key)
        if entry is None:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
            try:
                self._lock(fd, fcntl.F_RDLCK)
            except OSError:
                os.close(fd)  # no SQLite connection is open here yet: closing loses nothing
                log.warning("could not take the open-file lock on the database", exc_info=True)
                return
            entry = self._open[key] = [fd, 0]
        entry[1] += 1
        self.key = key

    @classmethod
    def _lock(cls, fd: int, kind: int) -> None:
        import fcntl
        import struct

        # struct flock: l_type, l_whence, l_start, l_len, l_pid (0 for OFD locks)
        fcntl.fcntl(fd, fcntl.F_OFD_SETLK, struct.pack("hhqqi4x", kind, 0, cls._SHARED_FIRST, cls._SHARED_SIZE, 0))

    def release(self) -> None:
        """Before the last connection closes: let SQLite checkpoint if it is the last user."""
        entry = self._open.get(self.key) if self.key else None
        if entry is not None and entry[1] == 1:
            import fcntl

            self._lock(entry[0], fcntl.F_UNLCK)

    def close(self) -> None:
        """After the connections closed. The descriptor stays while another store of this
        process uses the file: closing it would drop that store's locks."""
        key, self.key = self.key, None
        entry = self._open.get(key) if key else None
        if entry is None:
            return
        entry[1] -= 1
        if entry[1] == 0:
            del self._open[key]
            os.close(entry[0])


def holds_open(path: Path) -> bool:
    """Whether a store of this process has the file open (so it must not be read outside SQLite)."""
    try:
        st = os.stat(path)
    except OSError:
        return False
    return (st.st_dev, st.st_ino) in _LockGuard._open


# ---- backups ---------------------------------------------------------------------------------
_STAMP = re.compile(r"-(\d{8}-\d{6}-\d{6})-([0-9a-z-]+)\.db$")


def backup_dir(path: Path) -> Path:
    return path.parent / "backups"


def _backup_files(path: Path) -> list[Path]:
    """Every file named as a backup of this database, oldest first, finished or not. Matched
    exactly so that backups of 'branchdesk-2023.db' are never taken for 'branchdesk.db''s."""
    pattern = re.compile(re.escape(path.stem) + r"-\d{8}-\d{6}-\d{6}-[0-9a-z-]+\.db")
    folder = backup_dir(path)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if pattern.fullmatch(p.name))


def _looks_complete(file: Path) -> bool:
    """A cheap test for rotation and the daily check: not empty and an SQLite header.
    (A backup is verified in full before it gets its name; this catches older leftovers.)"""
    try:
        return _read_header(file) == SQLITE_MAGIC
    except OSError:
        return False


def _backups_of(path: Path) -> list[Path]:
    return [p for p in _backup_files(path) if _looks_complete(p)]


def _is_upgrade_backup(file: Path) -> bool:
    return "-before-upgrade-" in file.name


def verify_backup(file: Path, *, revision: str | None = None) -> tuple[str | None, str | None]:
    """(the backup's revision, None) when it opens, passes integrity_check and (if given)
    is at that revision; otherwise (revision or None, the problem in one Chinese sentence)."""
    try:
        if file.stat().st_size == 0:
            return None, "备份文件是空的（备份时被中断或磁盘已满）。"
        if not _looks_complete(file):
            return None, "备份文件不完整，不是数据库文件。"
        with closing(_connect_readonly(file, immutable=True)) as con:
            if con.execute("PRAGMA integrity_check").fetchone() != ("ok",):
                return None, "备份文件已损坏（完整性检查未通过）。"
            tables = _user_tables(con)
            found = None
            if "alembic_version" in tables:
                row = con.execute("SELECT version_num FROM alembic_version").fetchone()
                found = row[0] if row else None
    except (OSError, sqlite3.DatabaseError):
        return None, "备份文件无法读取或已损坏。"
    if found is None:
        return None, "备份文件中没有数据版本记录，不是完整的 branchdesk 数据库。"
    if found not in known_revisions():
        return found, f"备份来自更新版本的 branchdesk（数据版本 {found}），当前程序无法使用。"
    if revision is not None and found != revision:
        return found, f"备份的数据版本是 {found}，不是预期的 {revision}。"
    return found, None


def backup_database(path: Path, reason: str) -> Path:
    """Copy the database with SQLite's online backup API (consistent even mid-WAL), verify the
    copy, and only then give it its name; then rotate. A copy cut short (full disk, a kill)
    is removed, or left as .part for the next backup to remove, and never counts."""
    folder = backup_dir(path)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"{path.stem}-{stamp}-{reason}.db"
    part = target.with_name(target.name + _PART)
    try:
        with closing(sqlite3.connect(path)) as src, closing(sqlite3.connect(part)) as dst:
            src.backup(dst)
        _fsync(part)
        _revision, problem = verify_backup(part)
        if problem is not None:
            raise sqlite3.DatabaseError("the copy did not verify")
        os.replace(part, target)
        _fsync_dir(folder)
    except BaseException:
        _unlink_quietly(part)
        raise
    rotate_backups(path)
    return target


def rotate_backups(path: Path) -> None:
    """Keep the newest BACKUP_KEEP routine backups and, apart from them, the newest
    UPGRADE_BACKUP_KEEP made before upgrades, so routine backups (and failed starts) never
    push out the copy taken before an upgrade. Empty or broken leftovers are removed."""
    routine, upgrades = [], []
    for file in _backup_files(path):
        if not _looks_complete(file):
            _unlink_quietly(file)
        else:
            (upgrades if _is_upgrade_backup(file) else routine).append(file)
    for old in routine[:-BACKUP_KEEP] + upgrades[:-UPGRADE_BACKUP_KEEP]:
        _unlink_quietly(old)
    folder = backup_dir(path)
    now = time.time()
    for part in folder.glob(f"{path.stem}-*.db{_PART}"):
        try:
            if now - part.stat().st_mtime > _STALE_PART.total_seconds():
                part.unlink()
        except OSError:
            pass


def _unlink_quietly(file: Path) -> None:
    try:
        file.unlink(missing_ok=True)
    except OSError:
        log.warning("could not remove an unusable backup file", exc_info=True)


def _fsync(file: Path) -> None:
    fd = os.open(file, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def latest_backup_time(path: Path) -> datetime | None:
    backups = _backups_of(path)
    if not backups:
        return None
    return datetime.fromtimestamp(max(p.stat().st_mtime for p in backups))


class BackupInfo:
    """One backup file as the restore dialog lists it."""

    __slots__ = ("path", "taken_at", "reason", "size", "revision", "problem")

    def __init__(self, path: Path, taken_at: datetime, reason: str, size: int,
                 revision: str | None = None, problem: str | None = None):
        self.path, self.taken_at, self.reason, self.size = path, taken_at, reason, size
        self.revision, self.problem = revision, problem

    @property
    def ok(self) -> bool:
        return self.problem is None


_REASONS = {"daily": "每日自动备份", "before-import": "导入前", "before-demo": "填入示例社区前",
            "before-restore": "恢复备份前", "before-repair": "修复前（升级中断的文件）"}


def reason_text(reason: str) -> str:
    if reason.startswith("before-upgrade-"):
        return f"升级前（数据版本 {reason.removeprefix('before-upgrade-')}）"
    return _REASONS.get(reason, reason)


def list_backups(db_path: Path, *, verify: bool = True) -> list[BackupInfo]:
    """This database's backups, newest first; verify checks each one in full (slow-ish)."""
    found = []
    for file in _backup_files(Path(db_path)):
        match = _STAMP.search(file.name)
        try:
            size = file.stat().st_size
            taken_at = datetime.strptime(match.group(1), "%Y%m%d-%H%M%S-%f")
        except (OSError, ValueError, AttributeError):
            continue
        info = BackupInfo(file, taken_at, match.group(2), size)
        if verify:
            info.revision, info.problem = verify_backup(file)
        found.append(info)
    return sorted(found, key=lambda b: b.taken_at, reverse=True)


def _copy_into(source: Path, target: Path) -> None:
    """Replace target's content with source's in one transaction (SQLite's backup API
    writing into the target): other connections see the old or the new, never a mix."""
    with closing(_connect_readonly(source, immutable=True)) as src, closing(sqlite3.connect(target)) as dst:
        dst.execute("PRAGMA busy_timeout=5000")
        src.backup(dst)


def restore_backup(store: Store, backup: Path) -> Path:
    """Put a verified backup in place of the open database; the current state is backed up
    first (before-restore). Returns that backup. Nothing changes when it fails."""
    backup = Path(backup)
    revision, problem = verify_backup(backup)
    if problem is not None:
        raise StoreError(f"不能用备份“{backup.name}”恢复：{problem}")
    try:
        before = backup_database(store.path, "before-restore")
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"恢复前无法先备份当前数据（{_error_words(exc)}），没有恢复。"
                         f"请检查“{backup_dir(store.path)}”文件夹的权限和磁盘空间。") from exc
    try:
        _copy_into(backup, store.path)
    except sqlite3.Error as exc:
        raise StoreError(describe_database_error(exc, store.path) or "恢复没有完成，数据库保持原样。") from exc
    if revision != head_revision():
        _upgrade_or_explain(store.engine, store.path)
    return before


# ---- migrations ------------------------------------------------------------------------------
def upgrade(engine: Engine, revision: str = "head", *, drop_first: frozenset[str] = frozenset()) -> None:
    """Run the migrations in ONE transaction: a crash or an error leaves the file as it was.
    Foreign keys are off meanwhile (SQLite's batch operations drop and re-create tables,
    which would otherwise cascade into the rows that refer to them). drop_first: the empty
    tables of a creation an older version left unfinished, made again in the same step."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        raw.execute("PRAGMA foreign_keys=OFF")  # outside any transaction, where it takes effect
        try:
            with connection.execution_options(branchdesk_write=True).begin():
                for table in sorted(drop_first | ({"alembic_version"} if drop_first else set())):
                    connection.exec_driver_sql(f'DROP TABLE IF EXISTS "{table}"')
                cfg.attributes["connection"] = connection
                command.upgrade(cfg, revision)
        finally:
            raw.execute("PRAGMA foreign_keys=ON")


@lru_cache(maxsize=None)
def reference_tables(revision: str) -> frozenset[str]:
    """The tables a database at this revision has, from the migrations themselves."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="branchdesk-schema-") as tmp:
        engine = make_engine(Path(tmp) / "reference.db")
        try:
            upgrade(engine, revision)
            with closing(sqlite3.connect(Path(tmp) / "reference.db")) as con:
                return _user_tables(con) - {"alembic_version"}
        finally:
            engine.dispose()


def _repair_half_upgraded(path: Path, state: DatabaseState) -> str | None:
    """A file left at revision R with tables of a later revision (an older branchdesk ran
    its upgrade outside a transaction and was stopped) is put back from the newest backup
    that verifies at R with R's tables. Returns the sentence telling the user, or None
    when the file is whole."""
    expected = reference_tables(state.revision)
    if state.tables == expected:
        return None
    log.warning("the database is at revision %s with a different set of tables: repairing", state.revision)
    good = None
    for info in list_backups(path, verify=False):
        revision, problem = verify_backup(info.path, revision=state.revision)
        if problem is not None:
            continue
        with closing(_connect_readonly(info.path, immutable=True)) as con:
            if _user_tables(con) - {"alembic_version"} == expected:
                good = info
                break
    if good is None:
        raise StoreError(f"数据库“{path}”上次升级时被中断，结构不完整，backups 文件夹中也没有可用的升级前备份；"
                         "为保护数据没有打开它，请联系技术支持。")
    backup_database(path, "before-repair")
    _copy_into(good.path, path)
    return (f"数据库上次升级时被中断，结构不完整：已用 {good.taken_at:%Y-%m-%d %H:%M} 的备份"
            f"（{reason_text(good.reason)}）恢复后重新升级，中断的文件另存为备份。")


def _upgrade_or_explain(engine: Engine, path: Path, *, drop_first: frozenset[str] = frozenset()) -> None:
    try:
        upgrade(engine, drop_first=drop_first)
    except StoreError:
        raise
    except Exception as exc:
        log.error("the upgrade failed: %s", type(exc).__name__, exc_info=True)
        raise StoreError(describe_database_error(exc, path)
                         or f"无法升级数据库“{path}”，数据库保持原样；请检查文件权限和磁盘空间，"
                            "或把日志文件 branchdesk.log 发给技术支持人员。") from exc


def _error_words(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return os_error_text(exc)
    text = str(exc).lower()
    if "full" in text:
        return "磁盘空间不足"
    if "readonly" in text or "permission" in text:
        return "没有写入权限"
    return "数据库读写出错"


# ---- the store -----------------------------------------------------------------------------
class Store:
    """An open database: the engine and the session factories handed to services and pages.

    on_busy(seconds) is called while a write waits for another window or command, and
    on_busy(None) when it is over (the window shows progress and may raise WaitCancelled);
    busy_wait is how long a write waits."""

    def __init__(self, path: Path, engine: Engine | None = None):
        from sqlalchemy.orm import sessionmaker

        self.path = path
        self.on_busy: Callable[[float | None], None] | None = None
        self.busy_wait = busy_wait_default
        self.notice: str | None = None  # something opening did that the user should hear
        self.engine = engine if engine is not None else make_engine(path, self)
        self.session_factory = sessionmaker(self.engine, expire_on_commit=False)
        self._writer_factory = sessionmaker(self.engine.execution_options(branchdesk_write=True),
                                            expire_on_commit=False)
        self._guard: _LockGuard | None = None

    def session(self) -> Session:
        return self.session_factory()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One change, one transaction: holds the write lock from its start (so ids read
        inside stay free), commits when the block ends, rolls back on any error. An SQLite
        failure the user can act on (busy, full, read-only) becomes a StoreError sentence."""
        from sqlalchemy.exc import OperationalError

        try:
            with self._writer_factory() as session, session.begin():
                yield session
        except OperationalError as exc:
            text = describe_database_error(exc, self.path)
            if text is None:
                raise
            raise StoreError(text) from exc

    def close(self) -> None:
        if self._guard is not None:
            self._guard.release()
        self.engine.dispose()
        if self._guard is not None:
            self._guard.close()
            self._guard = None

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
        raise StoreError(f"无法备份数据库“{path}”（{_error_words(exc)}），为保护数据没有打开它。"
                         f"请检查“{backup_dir(path)}”文件夹的权限和磁盘空间。") from exc


def open_store(path: Path | str, *, create: bool = False) -> Store:
    """Open (and if asked, create) a database, backing it up and migrating it to head."""
    path = Path(path)
    state = check_database(path, create=create)
    if not state.exists:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"无法创建数据库所在的文件夹“{path.parent}”（{os_error_text(exc)}）。") from exc
    notice = None
    if state.revision is not None and state.revision != head_revision():
        notice = _repair_half_upgraded(path, state)
    _backup_on_opening(path, state)
    store = Store(path)
    try:
        if state.revision != head_revision():
            # tables without a revision: an older version's creation, stopped (all empty,
            # inspect_database made sure)
            leftover = state.tables if state.revision is None else frozenset()
            _upgrade_or_explain(store.engine, path, drop_first=leftover)
        # Connected (so switched to WAL, which needs the lock the guard then keeps from
        # everybody) before the guard is taken; the pool keeps this connection.
        try:
            store.engine.connect().close()
        except Exception as exc:  # a read-only file or folder, a full disk
            raise StoreError(f"无法打开数据库文件“{path}”（{_error_words(exc)}），"
                             "请检查文件和文件夹的权限以及磁盘空间。") from exc
        store._guard = _LockGuard(path)
    except BaseException:
        store.close()
        raise
    store.notice = notice
    if notice:
        log.warning("opening repaired the database")
        if notify is not None:
            notify(notice)
    return store
