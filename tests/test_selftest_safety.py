"""branchdesk selftest changes nothing of the user's: her settings (window size, page,
remembered choices) stay as they were, and the copies it makes are closed, so they
can be removed (on Windows an open file cannot be)."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

SETTINGS = "[window]\npage=3\n\n[export]\nfolder=/somewhere/导出\n"


def run_selftest(tmp_path: Path, *args: str, after: tuple[str, ...] = ()
                 ) -> tuple[subprocess.CompletedProcess, Path, Path]:
    """The command in a process of its own, with a user data folder and a home of its own
    (matplotlib keeps its font cache where it was, or the run would spend seconds on it)."""
    import matplotlib

    data, home = tmp_path / "data", tmp_path / "home"
    data.mkdir(exist_ok=True)
    home.mkdir(exist_ok=True)
    env = dict(os.environ, BRANCHDESK_DATA_DIR=str(data), HOME=str(home), USERPROFILE=str(home),
               XDG_CONFIG_HOME=str(home / ".config"), QT_QPA_PLATFORM="offscreen",
               MPLCONFIGDIR=matplotlib.get_cachedir())
    done = subprocess.run([sys.executable, "-m", "branchdesk", *args, "selftest", *after], env=env, cwd=tmp_path,
                          capture_output=True, text=True, encoding="utf-8", timeout=300)
    return done, data, home


def config_files(home: Path) -> list[str]:
    config = home / ".config"
    return sorted(str(p.relative_to(config)) for p in config.rglob("*")) if config.exists() else []


def test_the_full_selftest_leaves_the_users_settings_alone(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "settings.ini").write_text(SETTINGS, encoding="utf-8")
    before = (data / "settings.ini").read_bytes()
    done, data, home = run_selftest(tmp_path)  # the default database, made on first start
    assert done.returncode == 0, done.stdout + done.stderr
    assert "自检通过。" in done.stdout
    assert (data / "settings.ini").read_bytes() == before
    assert config_files(home) == []  # nor anything of Qt's in her configuration folder


def test_the_startup_check_writes_no_settings(tmp_path):
    from branchdesk.store import open_store

    database = tmp_path / "branchdesk.db"
    open_store(database, create=True).close()
    done, data, home = run_selftest(tmp_path, "--db", str(database), after=("--startup-only",))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "启动到主窗口首次绘制" in done.stdout
    assert not (data / "settings.ini").exists()
    assert config_files(home) == []


def test_the_copy_of_the_database_is_closed(qapp, store, monkeypatch):
    """The Excel step copies the database with sqlite3 and removes the copy: both
    connections are closed, not only committed."""
    from branchdesk.ui import selftest

    made: list[sqlite3.Connection] = []
    connect = sqlite3.connect

    def tracked(database, *args, **kwargs):
        con = connect(database, *args, **kwargs)
        if sys._getframe(1).f_globals.get("__name__") == selftest.__name__:
            made.append(con)  # held here, so only close() can close it
        return con

    monkeypatch.setattr(sqlite3, "connect", tracked)
    results: list[tuple[bool, str]] = []
    selftest._check_outputs(store, lambda ok, text: results.append((ok, text)))
    assert all(ok for ok, _text in results), results
    assert len(made) == 2  # the database and its copy
    for con in made:
        with pytest.raises(sqlite3.ProgrammingError):
            con.execute("SELECT 1")
