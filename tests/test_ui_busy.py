"""A save in the window while another window or command holds the write lock: the window
keeps painting, shows how long it has waited with 取消, and then either saves or says in
one sentence that nothing was saved."""
from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget
from sqlalchemy import select

from branchdesk.models import Community
from branchdesk.services import org
from branchdesk.store import WaitCancelled
from branchdesk.ui.busy import BusyWaiter


def _visible_progress() -> list[QProgressDialog]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog) and w.isVisible()]


@pytest.fixture
def window_store(store, qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    store.on_busy = BusyWaiter(parent, store.busy_wait)
    return store


def _add_community(store) -> None:
    with store.transaction() as session:
        org.ensure_community(session, name="幸福社区", street_name="和平街道")


def test_a_save_waits_for_the_other_writer_with_progress_then_saves(window_store, qtbot):
    other = sqlite3.connect(window_store.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # a command importing, say
    seen = []

    def other_finishes() -> None:
        seen.append([d.labelText() for d in _visible_progress()])
        other.execute("COMMIT")

    QTimer.singleShot(1500, other_finishes)  # runs while the save waits: the window is not frozen
    _add_community(window_store)
    other.close()
    assert seen and seen[0] and "另一个" in seen[0][0]
    assert _visible_progress() == []  # closed once the wait was over
    with window_store.session() as session:
        assert session.scalars(select(Community.name)).all() == ["幸福社区"]


def test_cancelling_the_wait_saves_nothing_and_says_so(window_store, qtbot):
    with closing(sqlite3.connect(window_store.path, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")

        def cancel() -> None:
            for dialog in _visible_progress():
                dialog.cancel()

        QTimer.singleShot(1200, cancel)
        with pytest.raises(WaitCancelled) as info:
            _add_community(window_store)
        other.execute("ROLLBACK")
    assert "没有保存" in str(info.value)
    assert _visible_progress() == []
    with window_store.session() as session:
        assert session.scalars(select(Community)).all() == []
