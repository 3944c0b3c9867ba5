"""Where the app finds its resources and keeps its data, and keeping that data the user's alone.

The data folder holds the rosters (the database, its backups), what forms have not
saved yet (drafts) and the log: on Linux and macOS it is readable by its owner only
(0700, files 0600), and files the app creates while it runs are too (private_files()
sets the umask for the whole process: SQLite's database, -wal, -shm and backups, the
log, drafts, settings, exports). Scratch files (openpyxl's sheets of a large export,
selftest's copy of the database: whatever Python's tempfile makes) go to a folder of
this process inside the data folder instead of the system's temporary folder, and a
process killed halfway leaves them where the next start removes them. On Windows the data folder is in the user's own
profile already: modes are left alone there, the scratch folder is used all the same.
"""
from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
PRIVATE_UMASK = 0o077
_POSIX = os.name == "posix"


def resource_dir() -> Path:
    """The resources/ folder: beside the package in a checkout, inside a bundle when frozen."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def data_dir() -> Path:
    """The per-user data folder (BRANCHDESK_DATA_DIR overrides it, for tests and portable use)."""
    override = os.environ.get("BRANCHDESK_DATA_DIR")
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir("branchdesk", appauthor=False, roaming=False))


def default_db_path() -> Path:
    return data_dir() / "branchdesk.db"


def log_path() -> Path:
    return data_dir() / "branchdesk.log"


def drafts_dir() -> Path:
    return data_dir() / "drafts"


# ---- private folders and files -----------------------------------------------------------------
def private_dir(path: Path | str) -> Path:
    """Make the folder (and any missing parent) readable by its owner only, and an existing
    one that is looser tighter. Raises OSError when it cannot be made; a mode that cannot be
    changed (a USB stick's file system, a folder of another owner) is left as it is."""
    path = Path(path)
    missing = []
    at = path
    while not at.is_dir():
        missing.append(at)
        if at.parent == at:
            break
        at = at.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:  # made meanwhile by another process, or a file of that name
            if not folder.is_dir():
                raise
    tighten(path)
    return path


def tighten(path: Path | str) -> None:
    """Take group and other permissions off a file or folder of this user, never adding any
    (a folder the owner made read-only stays so; POSIX only; anything that cannot be
    changed is left as it is)."""
    if not _POSIX:
        return
    with suppress(OSError):
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode) or st.st_uid != os.geteuid() or not st.st_mode & 0o077:
            return
        os.chmod(path, stat.S_IMODE(st.st_mode) & 0o700)  # the owner's own bits stay as they were


def _tighten_tree(folder: Path) -> None:
    if not folder.is_dir():
        return
    tighten(folder)
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            tighten(os.path.join(root, name))


_OWN_FILES = ("branchdesk.log", "settings.ini")
_OWN_SUFFIXES = (".db", ".db-wal", ".db-shm", ".db-journal", ".log", ".ini")
_OWN_FOLDERS = ("backups", "drafts", "tmp")


def tighten_data_dir() -> None:
    """Make an existing data folder, and what the app keeps in it, private: a folder made
    by an earlier version (0755, files 0644) is tightened at the next start."""
    if not _POSIX:
        return
    folder = data_dir()
    if not folder.is_dir():
        return
    tighten(folder)
    with suppress(OSError):
        for entry in os.scandir(folder):
            if entry.is_dir(follow_symlinks=False):
                if entry.name in _OWN_FOLDERS:
                    _tighten_tree(Path(entry.path))
            elif entry.name in _OWN_FILES or entry.name.endswith(_OWN_SUFFIXES) or ".log." in entry.name:
                tighten(entry.path)


# ---- this process's scratch folder ---------------------------------------------------------------
_LOCK = ".lock"
_temp: _Scratch | _SystemScratch | None = None
_at_exit = False


class _Scratch:
    """A folder of this process under data_dir()/tmp, and beside it a lock file held for as
    long as the process lives: another process that can take the lock (POSIX) or remove the
    file (Windows, where an open file cannot be removed) knows its owner is gone."""

    def __init__(self, root: Path):
        for _attempt in range(5):
            name = f"{os.getpid()}-{os.urandom(4).hex()}"
            lock = root / (name + _LOCK)
            fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), PRIVATE_FILE)
            if _lock(fd) and os.fstat(fd).st_nlink > 0:  # not taken for a dead one's and removed meanwhile
                break
            os.close(fd)
        else:
            raise OSError("no scratch folder could be locked")
        self.fd, self.lock, self.folder = fd, lock, root / name
        try:
            self.folder.mkdir(mode=PRIVATE_DIR)
        except OSError:
            self.close()
            raise

    def close(self) -> None:
        import shutil

        shutil.rmtree(self.folder, ignore_errors=True)
        with suppress(OSError):
            os.close(self.fd)
        with suppress(OSError):
            self.lock.unlink()


def _lock(fd: int) -> bool:
    """Take the lock that says the scratch folder is in use; False if another process has it."""
    if not _POSIX:
        return True  # the open file itself says so on Windows
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def clean_temp_root(root: Path | None = None) -> int:
    """Remove what processes that are gone (killed, crashed) left under data_dir()/tmp;
    returns how many folders were removed. A live process's folder is left alone."""
    import shutil

    root = root or temp_root()
    if not root.is_dir():
        return 0
    removed = 0
    locks = {p.name[:-len(_LOCK)] for p in root.glob("*" + _LOCK)}
    for name in locks:
        lock = root / (name + _LOCK)
        if _POSIX:
            try:
                fd = os.open(lock, os.O_RDWR | getattr(os, "O_CLOEXEC", 0))
            except OSError:
                continue
            try:
                if not _lock(fd):
                    continue  # its process is alive
                shutil.rmtree(root / name, ignore_errors=True)
                with suppress(OSError):
                    lock.unlink()
                removed += 1
            finally:
                os.close(fd)
        else:
            try:
                lock.unlink()  # refused while its process has it open
            except OSError:
                continue
            shutil.rmtree(root / name, ignore_errors=True)
            removed += 1
    for entry in root.iterdir():  # a folder without its lock file: a cleaner stopped halfway
        # (a process starting now makes its lock file before its folder)
        if entry.name not in locks and not entry.name.endswith(_LOCK) \
                and not (root / (entry.name + _LOCK)).exists():
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                with suppress(OSError):
                    entry.unlink()
            removed += 1
    return removed


def temp_root() -> Path:
    return data_dir() / "tmp"


def temp_dir() -> Path:
    """This process's private scratch folder (data_dir()/tmp/<pid>-<random>, 0700), made on
    first use and removed when the process ends (or, if it is killed, at the next start).
    Where the data folder cannot be written, a private folder in the system's temporary one."""
    global _temp, _at_exit
    if _temp is None:
        try:
            _temp = _Scratch(private_dir(temp_root()))
        except OSError:
            import tempfile

            _temp = _SystemScratch(Path(tempfile.mkdtemp(prefix="branchdesk-", dir=tempfile.gettempdir())))
        if not _at_exit:
            import atexit

            atexit.register(_drop_temp)
            _at_exit = True
    if not _temp.folder.is_dir():  # removed from outside: made again
        with suppress(OSError):
            private_dir(_temp.folder)
    return _temp.folder


class _SystemScratch:
    def __init__(self, folder: Path):
        self.folder = folder

    def close(self) -> None:
        import shutil

        shutil.rmtree(self.folder, ignore_errors=True)


def _drop_temp() -> None:
    global _temp
    if _temp is not None:
        _temp.close()
        _temp = None


@contextmanager
def private_files() -> Iterator[Path]:
    """For the life of a command or the window: files and folders the process creates are
    its user's alone (umask 077 on POSIX), the data folder is private, what killed processes
    left in the scratch folder is removed, and Python's temporary files (tempfile: openpyxl's
    sheets, selftest's copies) go to this process's scratch folder, removed at the end.
    Yields the scratch folder. What it changed in the process is put back afterwards
    (tests run commands in-process).

    The environment (TMPDIR) is left alone: a program the window starts (Excel, WPS, a file
    manager opening an export) would inherit a folder that goes away when branchdesk ends.
    It does inherit the umask: what it creates is its user's alone too."""
    import tempfile

    old_umask = os.umask(PRIVATE_UMASK) if _POSIX else None
    saved_tempdir = tempfile.tempdir
    try:
        with suppress(OSError):
            private_dir(data_dir())
            tighten_data_dir()
        with suppress(OSError):
            clean_temp_root()
        scratch = temp_dir()
        tempfile.tempdir = str(scratch)
        yield scratch
    finally:
        tempfile.tempdir = saved_tempdir
        _drop_temp()
        if old_umask is not None:
            os.umask(old_umask)
