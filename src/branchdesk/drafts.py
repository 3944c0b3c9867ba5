"""Drafts: what the user has typed into a form and not saved yet, kept on disk.

A form writes its draft every few seconds while it has unsaved changes and
removes it when the record is saved or the changes are thrown away on purpose.
A draft that is still there when the same form opens again is what a crash, a
power cut or a killed process would otherwise have lost, and the form offers it
back. Drafts belong to one database file: another file never sees them.
"""
from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .paths import data_dir
from .safefile import write_bytes

log = logging.getLogger(__name__)


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
        return cls(data_dir() / "drafts" / f"{Path(db_path).stem}-{tag}")

    def _file(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def save(self, key: str, values: dict, extra: dict | None = None, saved_at: datetime | None = None) -> None:
        """Write atomically (a crash mid-write leaves the previous draft, never half a file).
        A draft is a convenience: a full disk must not stop the user, so errors are logged."""
        payload = {"saved_at": (saved_at or datetime.now()).isoformat(timespec="seconds"), "values": values,
                   "extra": extra or {}}
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_bytes(self._file(key), json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8"))
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
