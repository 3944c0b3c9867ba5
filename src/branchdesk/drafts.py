"""Drafts: what the user has typed into a form and not saved yet, kept on disk.

A form writes its draft every few seconds while it has unsaved changes and
removes it when the record is saved or the changes are thrown away on purpose.
A draft that is still there when the same form opens again is what a crash, a
power cut or a killed process would otherwise have lost, and the form offers it
back. Drafts belong to one database file: another file never sees them.

A draft holds whole ID numbers and phones: its folder and file are its owner's alone
(0700 and 0600 on Linux and macOS), and one left for more than KEEP_DAYS days (a form
never opened again after a crash) is removed when the app starts (prune()).
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from .paths import PRIVATE_FILE, drafts_dir, private_dir
from .safefile import write_bytes

log = logging.getLogger(__name__)

KEEP_DAYS = 30  # a draft typed longer ago than this is removed at start
_PARTIAL_AGE = timedelta(hours=1)  # a temporary file of a write this old was left by a killed process


@dataclass
class Draft:
    values: dict
    extra: dict
    saved_at: datetime


class Drafts:
    def __init__(self, folder: Path):
        self.folder = folder

    @classmethod
    def for_database(cls, db_path: Path) -> Drafts:
        tag = hashlib.sha1(str(Path(db_path).resolve()).encode("utf-8")).hexdigest()[:10]
        return cls(drafts_dir() / f"{Path(db_path).stem}-{tag}")

    def _file(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def save(self, key: str, values: dict, extra: dict | None = None, saved_at: datetime | None = None) -> None:
        """Write atomically (a crash mid-write leaves the previous draft, never half a file).
        A draft is a convenience: a full disk must not stop the user, so errors are logged."""
        payload = {"saved_at": (saved_at or datetime.now()).isoformat(timespec="seconds"), "values": values,
                   "extra": extra or {}}
        try:
            private_dir(self.folder)
            write_bytes(self._file(key), json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8"),
                        mode=PRIVATE_FILE)
        except OSError:
            log.warning("could not write the draft %s", key, exc_info=True)

    def load(self, key: str) -> Draft | None:
        path = self._file(key)
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
            return Draft(dict(payload["values"]), dict(payload.get("extra") or {}),
                         datetime.fromisoformat(payload["saved_at"]))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            log.warning("ignoring an unreadable draft %s", path, exc_info=True)
            return None

    def discard(self, key: str) -> None:
        try:
            self._file(key).unlink(missing_ok=True)
        except OSError:
            log.warning("could not remove the draft %s", key, exc_info=True)


def prune(root: Path | None = None, *, keep_days: int = KEEP_DAYS, now: datetime | None = None) -> int:
    """Remove drafts typed more than keep_days days ago (by the time saved in the draft, which
    stays when a draft offered again is kept; the file's time for one that does not read),
    temporary files of writes a killed process left, and folders left empty (the drafts folder
    too: a start then only sees that there is none). Returns how
    many drafts were removed. Nothing here may stop the app from starting: errors are logged."""
    root = drafts_dir() if root is None else Path(root)
    if not root.is_dir():
        return 0
    now = now or datetime.now()
    oldest = now - timedelta(days=keep_days)
    removed = 0
    try:
        folders = [f for f in root.iterdir() if f.is_dir() and not f.is_symlink()]
    except OSError:
        log.warning("could not list the drafts", exc_info=True)
        return 0
    for folder in folders:
        try:
            for file in folder.iterdir():
                if file.name.startswith(".~"):  # safefile's temporary name: a write cut short
                    if time.time() - file.stat().st_mtime > _PARTIAL_AGE.total_seconds():
                        file.unlink()
                elif file.suffix == ".json" and _saved_at(file) < oldest:
                    file.unlink()
                    removed += 1
            if not any(folder.iterdir()):
                folder.rmdir()
        except OSError:
            log.warning("could not prune the drafts in %s", folder.name, exc_info=True)
    try:
        if not any(root.iterdir()):
            root.rmdir()  # made again by the next draft; meanwhile a start need not look
    except OSError:
        pass
    return removed


def _saved_at(file: Path) -> datetime:
    try:
        saved = datetime.fromisoformat(json.loads(file.read_text(encoding="utf-8"))["saved_at"])
        return saved.astimezone().replace(tzinfo=None) if saved.tzinfo else saved
    except (ValueError, KeyError, TypeError):
        return datetime.fromtimestamp(os.stat(file).st_mtime)
