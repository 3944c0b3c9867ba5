"""Shared test set-up: Qt runs offscreen, the app's user data folder is a
temporary one, and `store` is a fresh database for each test."""
from __future__ import annotations

import os

# Before anything creates a QApplication: never open real windows in tests.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from branchdesk.store import open_store  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def _user_data_dir(tmp_path_factory):
    """Point BRANCHDESK_DATA_DIR (log file, default database) at a temporary folder
    for the whole session, so tests never touch the secretary's real data."""
    folder = tmp_path_factory.mktemp("userdata")
    old = os.environ.get("BRANCHDESK_DATA_DIR")
    os.environ["BRANCHDESK_DATA_DIR"] = str(folder)
    yield folder
    if old is None:
        os.environ.pop("BRANCHDESK_DATA_DIR", None)
    else:
        os.environ["BRANCHDESK_DATA_DIR"] = old


@pytest.fixture
def store(tmp_path):
    """A fresh database at the head revision, closed after the test."""
    s = open_store(tmp_path / "branchdesk.db", create=True)
    try:
        yield s
    finally:
        s.close()
