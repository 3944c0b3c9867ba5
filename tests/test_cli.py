"""The command line as the secretary (or the installer's check) runs it: a real
process, Qt offscreen, its exit code and what it prints."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from branchdesk import __version__


def run(*args: str, data_dir: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", BRANCHDESK_DATA_DIR=str(data_dir), PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "branchdesk", *args], env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=timeout)


def test_version(tmp_path):
    done = run("--version", data_dir=tmp_path)
    assert done.returncode == 0 and done.stdout.strip() == f"branchdesk {__version__}"


def test_unknown_command_is_explained_in_chinese(tmp_path):
    done = run("frobnicate", data_dir=tmp_path)
    assert done.returncode == 2
    assert "命令行参数有误" in done.stderr and "Traceback" not in done.stderr


def test_demo_then_selftest_on_the_default_database(tmp_path):
    first = run("demo", data_dir=tmp_path)
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "branchdesk.db").exists()
    again = run("demo", data_dir=tmp_path)  # adds nothing twice
    assert again.returncode == 0
    shots = tmp_path / "shots"
    done = run("selftest", "--screenshots", str(shots), data_dir=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "启动到主窗口首次绘制" in done.stdout
    assert "页面“党员”已加载，180 行" in done.stdout and "自检通过。" in done.stdout
    from branchdesk.ui.main_window import PAGE_TITLES
    assert sorted(p.name for p in shots.iterdir()) == sorted(f"{n}-{t}.png" for n, t in enumerate(PAGE_TITLES, 1))


def test_selftest_refuses_a_missing_database_before_any_window(tmp_path):
    done = run("--db", str(tmp_path / "nope.db"), "selftest", data_dir=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().endswith("请检查路径是否正确。") and "主窗口" not in done.stdout


# ---- the window is painted first, the database opened after ----------------------------------
def test_window_is_painted_before_the_database_opens(qtbot, tmp_path):
    from branchdesk.app import Launch

    launch = Launch(tmp_path / "new.db", create=True, on_error=pytest.fail)
    try:
        window = launch.window
        assert window.store is None and window.pages == []  # nothing waits for the database
        qtbot.waitUntil(lambda: window.first_paint_at is not None)
        from branchdesk.ui.main_window import PAGE_TITLES
        qtbot.waitUntil(lambda: len(window.pages) == len(PAGE_TITLES), timeout=30_000)
        assert window.page_titles()[:5] == ["组织架构", "党员", "党员中心户", "楼栋长", "居民问题"]
        assert window.store.path == tmp_path / "new.db"
    finally:
        launch.window.close()
        launch.close()


def test_a_backup_that_cannot_be_written_is_reported_and_nothing_opens(qtbot, tmp_path):
    from branchdesk.app import Launch
    from branchdesk.store import open_store

    path = tmp_path / "branchdesk.db"
    open_store(path, create=True).close()
    (tmp_path / "backups").write_text("a file where the backups folder should be")
    messages: list[str] = []
    launch = Launch(path, create=False, on_error=messages.append)
    try:
        qtbot.waitUntil(lambda: launch.exit_code is not None, timeout=20_000)
        assert launch.exit_code == 2 and launch.window.pages == []
        assert len(messages) == 1 and "无法备份数据库" in messages[0] and "backups" in messages[0]
    finally:
        launch.window.close()
        launch.close()
