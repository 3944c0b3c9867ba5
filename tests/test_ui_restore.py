"""文件 ▸ 从备份恢复… as the secretary uses it: the backups listed and checked, the
chosen one restored after a confirmation, a broken one refused; and the task runner
the dialog relies on, when a task outlives its window."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import time  # noqa: E402

import pytest  # noqa: E402
import shiboken6  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget  # noqa: E402

from branchdesk.services import people  # noqa: E402
from branchdesk.store import StoreError, backup_database, backup_dir, list_backups  # noqa: E402
from branchdesk.ui import restore_dialog  # noqa: E402
from branchdesk.ui.restore_dialog import RestoreDialog  # noqa: E402
from branchdesk.ui.tasks import TaskRunner  # noqa: E402
from ui_helpers import build_org, id_number, shown_window  # noqa: E402

OLD_PHONE, NEW_PHONE = "13800138000", "13900139000"


def save_member(store, member_id: int | None = None, phone: str = OLD_PHONE) -> int:
    raw = {"name": "张三", "id_number": id_number(), "category": "正式党员", "address": "1号楼1单元101",
           "phone": phone, "joined_on": "1975-07-01"}
    with store.transaction() as s:
        return people.save_member(s, raw, member_id)


def phone_of(store, member_id: int) -> str:
    with store.session() as s:
        return people.get_member(s, member_id)["phone"]


@pytest.fixture
def member(store) -> int:
    """张三 with his old phone in a backup, and his new phone in the database."""
    build_org(store)
    member_id = save_member(store)
    backup_database(store.path, "daily")
    save_member(store, member_id, phone=NEW_PHONE)
    return member_id


@pytest.fixture
def window(qtbot, qapp, store, member):
    return shown_window(qtbot, qapp, store)


def open_dialog(qtbot, window) -> RestoreDialog:
    window.act_restore.trigger()
    [dialog] = [d for d in window.findChildren(RestoreDialog) if d.isVisible()]
    dialog.closed = []  # the dialog deletes itself on closing
    dialog.finished.connect(dialog.closed.append)
    qtbot.waitUntil(lambda: dialog.model.checked and not dialog.tasks.busy)
    return dialog


def shown(dialog) -> list[tuple[str, ...]]:
    m = dialog.model
    return [tuple(m.data(m.index(r, c)) for c in range(m.columnCount())) for r in range(m.rowCount())]


def answer(monkeypatch, button) -> list[str]:
    asked: list[str] = []

    def question(_parent, _title, text, *_args):
        asked.append(text)
        return button

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


def corrupt_backup(store, stamp: str = "20990101-120000-000000") -> None:
    """Random bytes named like a backup, newer than any real one."""
    folder = backup_dir(store.path)
    folder.mkdir(exist_ok=True)
    (folder / f"{store.path.stem}-{stamp}-daily.db").write_bytes(os.urandom(8192))


def test_restoring_a_backup_brings_the_old_data_back(qtbot, window, store, member, monkeypatch):
    assert phone_of(store, member) == NEW_PHONE
    dialog = open_dialog(qtbot, window)
    [(when, reason, size, status)] = shown(dialog)
    assert (reason, status) == ("每日自动备份", "可用") and size.endswith("KB")
    assert dialog.selected() is not None  # the newest usable backup is chosen at start
    asked = answer(monkeypatch, QMessageBox.StandardButton.Yes)
    closed = dialog.closed
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(closed))
    assert f"用 {when} 的备份" in asked[0] and "先把现在的数据自动备份" in asked[0]
    assert phone_of(store, member) == OLD_PHONE
    assert [b.reason for b in list_backups(store.path, verify=False)][0] == "before-restore"
    assert window.statusBar().currentMessage() == f"已从 {when} 的备份恢复（恢复前的数据已备份）。"
    page = window.show_page(1)  # the members page reads the restored data
    qtbot.waitUntil(lambda: page.loaded and not page.tasks.busy)
    with store.session() as s:
        assert [m.phone for m in people.list_members(s)] == [OLD_PHONE]


def test_no_restore_without_confirmation(qtbot, window, store, member, monkeypatch):
    dialog = open_dialog(qtbot, window)
    asked = answer(monkeypatch, QMessageBox.StandardButton.No)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)  # Enter: 恢复 on the selected row
    assert len(asked) == 1 and dialog.isVisible()
    assert phone_of(store, member) == NEW_PHONE
    assert [b.reason for b in list_backups(store.path, verify=False)] == ["daily"]
    closed = dialog.closed
    qtbot.keyClick(dialog.table, Qt.Key.Key_Escape)
    assert closed == [QDialog.DialogCode.Rejected]


def test_a_corrupt_backup_is_shown_as_unusable_and_cannot_be_chosen(qtbot, window, store, member, monkeypatch):
    corrupt_backup(store)
    dialog = open_dialog(qtbot, window)
    rows = shown(dialog)
    assert [r[3] == "可用" for r in rows] == [False, True]  # the broken one is the newest
    assert rows[0][3] and "备份" in rows[0][3]  # the store's sentence says what is wrong
    assert dialog.model.data(dialog.model.index(0, 3), Qt.ItemDataRole.ForegroundRole).color().name() == "#c0392b"
    assert "1 份不能使用" in dialog.summary.text()
    assert dialog.table.selectionModel().selectedRows()[0].row() == 1  # the newest usable one
    table = dialog.table
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton,
                     pos=table.visualRect(dialog.model.index(0, 1)).center())
    assert table.selectionModel().selectedRows()[0].row() == 1  # a click on it chooses nothing
    qtbot.keyClick(table, Qt.Key.Key_Up)
    assert table.selectionModel().selectedRows()[0].row() == 1  # nor do the arrow keys
    dialog.table.clearSelection()
    assert not dialog.restore_button.isEnabled()
    asked = answer(monkeypatch, QMessageBox.StandardButton.Yes)
    dialog.restore_selected()
    assert asked == [] and phone_of(store, member) == NEW_PHONE


def test_only_corrupt_backups_leave_nothing_to_restore(qtbot, qapp, store):
    build_org(store)
    corrupt_backup(store)
    window = shown_window(qtbot, qapp, store)
    dialog = open_dialog(qtbot, window)
    assert len(shown(dialog)) == 1 and dialog.selected() is None
    assert not dialog.restore_button.isEnabled()
    assert "都不能使用" in dialog.summary.text()


def test_a_failed_restore_shows_the_reason_and_changes_nothing(qtbot, window, store, member, monkeypatch):
    dialog = open_dialog(qtbot, window)
    answer(monkeypatch, QMessageBox.StandardButton.Yes)

    def refuse(_store, _backup):
        raise StoreError("恢复前无法先备份当前数据（磁盘已满），没有恢复。")

    monkeypatch.setattr(restore_dialog, "restore_backup", refuse)
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *_a: warned.append(text))
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(warned))
    assert warned == ["恢复前无法先备份当前数据（磁盘已满），没有恢复。"]
    assert dialog.isVisible() and phone_of(store, member) == NEW_PHONE
    qtbot.waitUntil(lambda: dialog.model.checked and dialog.restore_button.isEnabled())  # listed again


def test_the_dialog_stays_open_while_the_backup_goes_in(qtbot, window, store, member, monkeypatch):
    dialog = open_dialog(qtbot, window)
    answer(monkeypatch, QMessageBox.StandardButton.Yes)
    real = restore_dialog.restore_backup

    def slow(store_, backup):
        time.sleep(0.3)
        return real(store_, backup)

    monkeypatch.setattr(restore_dialog, "restore_backup", slow)
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    assert not dialog.restore_button.isEnabled() and not dialog.close_button.isEnabled()
    closed = dialog.closed
    dialog.reject()  # Esc meanwhile
    assert dialog.isVisible() and closed == []
    qtbot.waitUntil(lambda: bool(closed))
    assert closed == [QDialog.DialogCode.Accepted]
    assert phone_of(store, member) == OLD_PHONE


def test_the_menu_waits_for_background_work(qtbot, window, monkeypatch):
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text, *_a: told.append(text))
    window.demo_tasks = TaskRunner(window)
    window.demo_tasks.run(lambda _r: time.sleep(0.5), on_done=lambda _r: None)
    window.act_restore.trigger()
    assert told and "后台" in told[0]
    assert not [d for d in window.findChildren(RestoreDialog) if d.isVisible()]
    qtbot.waitUntil(lambda: not window.demo_tasks.busy)
    window.act_restore.trigger()
    assert len(told) == 1 and [d for d in window.findChildren(RestoreDialog) if d.isVisible()]


def test_the_dialog_fits_a_small_screen(qtbot, window):
    dialog = open_dialog(qtbot, window)
    assert dialog.width() <= 1000 and dialog.height() <= 700  # 1024×768 less the title bar and task bar
    hint = dialog.minimumSizeHint()
    assert hint.width() <= 1000 and hint.height() <= 700


# ---- the task runner -------------------------------------------------------------------------
@pytest.mark.parametrize("fails", [False, True])
def test_a_task_that_outlives_its_window_is_dropped_quietly(qtbot, fails):
    """The window closes while the work runs: its timer and progress dialog are gone when
    the result arrives. Nothing may raise in the event loop (pytest-qt fails the test on
    an exception in a slot), and on_done / on_error must not touch the dead window."""
    widget = QWidget()
    runner = TaskRunner(widget)
    called: list[object] = []

    def work(_report):
        time.sleep(0.2)
        if fails:
            raise ValueError("坏了")
        return 42

    runner.run(work, on_done=called.append, on_error=called.append)
    assert runner.busy
    shiboken6.delete(widget)  # the runner's thread pool goes with it, waiting for the work
    qtbot.wait(200)  # the finished signal arrives now
    assert called == []
