"""Helpers for the Qt form tests: a small organisation in a fresh database, valid
ID numbers, and finding widgets the way the user sees them."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

from stdnum.cn import ric  # noqa: E402

from branchdesk.services import org  # noqa: E402
from branchdesk.store import Store, open_store  # noqa: E402


def id_number(born: str = "19650312", serial: str = "123", region: str = "110105") -> str:
    """A valid 18-digit ID number; the last serial digit odd means male."""
    body = region + born + serial
    return body + ric.calc_check_digit(body + "0")  # stdnum expects a placeholder last digit


@dataclass
class Org:
    community_id: int
    compound_id: int
    buildings: dict[str, int]  # code → id
    branch_id: int
    group_id: int


def make_store(folder: Path) -> Store:
    return open_store(folder / "test.db", create=True)


def build_org(store: Store, buildings: tuple[str, ...] = ("1", "2", "3")) -> Org:
    """启明小区 with a few buildings (2 units × 3 floors × 2 rooms = 12 households each)."""
    with store.transaction() as s:
        community = org.ensure_community(s, name="幸福社区", street_name="和平街道")
        compound = org.add_compound(s, community_id=community.id, name="启明小区")
        ids = {code: org.add_building(s, compound_id=compound.id, code=code, units=2, floors=3,
                                      rooms_per_floor=2).id for code in buildings}
        committee = org.add_party_org(s, level="community_committee", name="幸福社区党委",
                                      community_id=community.id)
        branch = org.add_party_org(s, level="branch", name="启明小区党支部", parent_id=committee.id,
                                   compound_id=compound.id, sort_key=1)
        group = org.add_party_org(s, level="party_group", name="第一党小组", parent_id=branch.id, sort_key=2)
        return Org(community.id, compound.id, ids, branch.id, group.id)


def household_id(store: Store, short: str) -> int:
    with store.session() as s:
        return next(r.id for r in org.household_refs(s) if r.short == short)


def shown_window(qtbot, qapp, store: Store):
    """The main window on a store, shown; closed (settings written, loads finished)
    at the end of the test."""
    from branchdesk.ui.main_window import MainWindow
    from branchdesk.ui.qtenv import make_settings, setup_application

    setup_application(qapp)
    window = MainWindow.on_store(store, make_settings())

    def shut(win):
        win.close()
        for page in win.pages:
            page.tasks.wait()

    qtbot.addWidget(window, before_close_func=shut)
    window.show()
    qtbot.waitExposed(window)
    # Shortcuts need the active window; a window shown while another test's was closing
    # is not always made active on its own (seen with tests in parallel processes).
    from PySide6.QtWidgets import QApplication
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    return window


def press_shortcut(qtbot, widget, key, modifiers) -> None:
    """A shortcut typed into widget: its window is made active and the widget focused
    first (a shortcut reaches only the active window, and the test before may have left
    another one active)."""
    from PySide6.QtWidgets import QApplication

    window = widget.window()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus, timeout=5000)
    qtbot.keyClick(widget, key, modifiers)
