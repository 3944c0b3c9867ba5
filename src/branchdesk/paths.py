"""Where the app finds its resources and keeps its data."""
from __future__ import annotations

import os
import sys
from pathlib import Path


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
