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


def test_a_reader_that_stops_early_is_no_error(tmp_path):
    """`branchdesk charts | head -1`: the pipe closes; no 程序出错, no traceback."""
    env = dict(os.environ, BRANCHDESK_DATA_DIR=str(tmp_path), PYTHONIOENCODING="utf-8")
    lister = subprocess.Popen([sys.executable, "-m", "branchdesk", "charts"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    lister.stdout.close()  # as head does once it has its line
    assert lister.wait(timeout=60) == 141
    assert lister.stderr.read() == b""


def test_unknown_command_is_explained_in_chinese(tmp_path):
    done = run("frobnicate", data_dir=tmp_path)
    assert done.returncode == 2
    assert "命令行参数有误" in done.stderr and "Traceback" not in done.stderr
    assert "命令：没有 'frobnicate' 这一项（可选：'open', 'demo'" in done.stderr
    assert "invalid choice" not in done.stderr and done.stderr.startswith("用法：branchdesk")


def test_argparse_speaks_chinese_in_its_help_and_its_mistakes(tmp_path, capsys):
    from branchdesk.cli import main

    with pytest.raises(SystemExit) as stop:
        main(["export", "members", "x.xlsx", "--masked", "--full"])
    assert stop.value.code == 2
    assert "--full：不能和 --masked 同时使用" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--help"])
    shown = capsys.readouterr().out
    assert shown.startswith("用法：") and "显示本帮助并退出" in shown and "show this help" not in shown
    import argparse  # other users of argparse in the process keep its English
    assert argparse._("usage: ") == "usage: "


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
    # what a bundle could lack: Qt's Chinese, the icon, and the PDF, chart and Excel writers
    for line in ("✓ Qt 中文界面翻译已加载", "✓ 程序图标已加载", "✓ 党员名册 PDF 已生成",
                 "✓ 统计图表 PNG 和统计报告 PDF 已生成，10 张图表",
                 "✓ 党员名册 Excel 已导出并导入（180 人原样读回；改动 1 个电话后导入了数据库的副本）"):
        assert line in done.stdout
    from branchdesk.ui.main_window import PAGE_TITLES
    assert sorted(p.name for p in shots.iterdir()) == sorted(f"{n}-{t}.png" for n, t in enumerate(PAGE_TITLES, 1))


def test_selftest_startup_only_reports_the_moment_of_the_first_paint(tmp_path):
    import time

    started = time.time()
    done = run("selftest", "--startup-only", data_dir=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    moment = float(done.stdout.split("（时刻 ", 1)[1].split("）", 1)[0])
    assert started < moment < time.time()
    assert "页面" not in done.stdout  # no page was visited


def test_a_bug_in_a_slot_is_logged_and_told_in_one_sentence(qtbot, tmp_path):
    """Without a console (the Windows program has none) an exception in a slot would vanish."""
    import logging
    import sys

    from PySide6.QtCore import QTimer

    from branchdesk.app import Launch

    told: list[str] = []
    before = sys.excepthook
    launch = Launch(tmp_path / "new.db", create=True, on_error=pytest.fail)
    launch.report_unexpected(told.append)
    try:
        def broken():
            raise ValueError("坏了")

        records: list[logging.LogRecord] = []
        handler = logging.Handler()
        handler.emit = records.append
        logging.getLogger("branchdesk.app").addHandler(handler)
        QTimer.singleShot(0, broken)
        qtbot.waitUntil(lambda: bool(told))
        assert told[0].startswith("程序出错：坏了。") and "branchdesk.log" in told[0]
        assert records and records[0].exc_info[0] is ValueError  # the traceback is in the log
    finally:
        logging.getLogger("branchdesk.app").removeHandler(handler)
        launch.window.close()
        launch.close()
    assert sys.excepthook is before  # closing gives the hook back


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
