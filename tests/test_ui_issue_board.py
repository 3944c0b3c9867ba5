"""The 居民问题 board (看板) as the secretary uses it: each issue in its step's column
with the counts in the headings, an overdue card marked in red and in words, the
search box and the filters narrowing the board as they narrow the table, Enter on a
card opening the issue's dialog and the card moving on after a step, the arrow keys
moving between cards, and 表格 / 看板 remembered."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QToolButton
from test_ui_issues import step, type_text, when_shown
from ui_helpers import shown_window

from branchdesk.services import issues as S
from branchdesk.ui.issue_board import RED, CardDelegate, IssuesPage
from branchdesk.ui.issues import IssueDialog
from exchange_helpers import build_qiming

ISSUES_PAGE = 4
COLUMNS = ("raised", "discussed", "decided", "doing", "reviewed", "closed")


@pytest.fixture
def settings_dir(tmp_path, monkeypatch):
    """A settings file of this test's own: the view chosen here must not leak."""
    monkeypatch.setenv("BRANCHDESK_DATA_DIR", str(tmp_path / "userdata"))


@pytest.fixture
def issues(store):
    """One issue waiting at each step, one closed, and one left unaccepted for ten days."""
    build_qiming(store)
    now = datetime.now().replace(microsecond=0)
    start = now - timedelta(hours=6)
    decision = {"decision": "物业维修", "owner": "华仁物业", "deadline": (now + timedelta(days=5)).date(),
                "level": "compound"}
    steps = [
        lambda s, i, t: S.discuss(s, i, at=t),
        lambda s, i, t: S.decide(s, i, decision, at=t),
        lambda s, i, t: S.start_work(s, i, at=t),
        lambda s, i, t: S.finish_work(s, i, at=t),
        lambda s, i, t: S.review(s, i, "satisfied", at=t),
    ]
    made = {}
    with store.transaction() as s:
        for n, (state, category, text) in enumerate((
                ("raised", "设施维修", "3号楼2单元楼道灯不亮"), ("discussed", "环境卫生", "垃圾分类点异味大"),
                ("decided", "停车管理", "消防通道被占"), ("doing", "设施维修", "单元门禁损坏"),
                ("reviewed", "绿化养护", "树枝遮挡采光"), ("closed", "设施维修", "雨水管漏水"))):
            issue_id = S.raise_issue(s, {"source": "居民来访", "category": category, "address": "3-2-302",
                                         "description": text}, at=start)
            for k in range(n):
                steps[k](s, issue_id, start + timedelta(minutes=10 * (k + 1)))
            made[state] = issue_id
        made["late"] = S.raise_issue(s, {"source": "居民来访", "category": "安全隐患", "address": "1-1-101",
                                         "description": "外墙瓷砖脱落", "raised_at": (now - timedelta(days=10)).date()},
                                     at=now)
        S.commit(s, made["discussed"], (now + timedelta(days=3)).date(), at=now)
    return made


@pytest.fixture
def page(qtbot, qapp, store, settings_dir, issues) -> IssuesPage:
    window = shown_window(qtbot, qapp, store)
    page = window.show_page(ISSUES_PAGE)
    qtbot.waitUntil(lambda: page.loaded and not page.tasks.busy)
    return page


def tool_button(page, action) -> QToolButton:
    return page.toolbar.widgetForAction(action)


def cards(page) -> dict[str, list[int]]:
    """Issue ids in each column, top to bottom."""
    return {state: [r.id for r in model.rows] for state, model in zip(COLUMNS, page.board.models)}


def headers(page) -> list[str]:
    return [h.text() for h in page.board.headers]


def show_board(qtbot, page) -> None:
    qtbot.mouseClick(tool_button(page, page.view_actions["board"]), Qt.MouseButton.LeftButton)
    assert page.views.currentWidget() is page.board


def test_the_main_window_shows_issues_as_table_or_board(page):
    assert isinstance(page, IssuesPage) and page.spec.key == "issues"
    assert [a.text() for a in page.view_actions.values()] == ["表格", "看板"]
    assert page.view_actions["table"].isChecked() and page.views.currentWidget() is page.table
    assert page.model.total == 7 and page.table.isVisible()


def test_each_issue_stands_in_its_steps_column_with_the_counts(qtbot, page, issues):
    show_board(qtbot, page)
    assert headers(page) == ["提事　2", "议事　1", "定事　1", "干事　1", "评事　1", "已办结　1"]
    shown = cards(page)
    assert shown["raised"] == [issues["late"], issues["raised"]]  # the overdue one first
    for state in COLUMNS[1:]:
        assert shown[state] == [issues[state]]
    assert page.board.hints[4].text() == "待居民评价"


def test_an_overdue_card_says_so_in_words_and_in_red(qtbot, page, issues):
    show_board(qtbot, page)
    view, model = page.board.lists[0], page.board.models[0]
    late, fresh = model.index(0), model.index(1)
    assert "逾期" in late.data() and "逾期" not in fresh.data()
    committed = page.board.models[1].index(0)
    assert "承诺" in committed.data()
    qtbot.waitUntil(lambda: view.viewport().isVisible())
    image = view.viewport().grab().toImage()
    edge = CardDelegate.MARGIN + 2

    def edge_colour(index) -> QColor:
        rect = view.visualRect(index)
        return image.pixelColor(rect.left() + edge, rect.center().y())

    assert edge_colour(late) == RED  # the red edge of an overdue card
    assert edge_colour(fresh) != RED


def test_the_board_follows_the_search_box_and_the_filters(qtbot, page, issues):
    show_board(qtbot, page)
    category = page.findChild(type(page.filter_boxes[0]), "filter_category")
    category.setCurrentIndex(category.findText("设施维修"))
    assert page.model.rowCount() == 3
    assert headers(page) == ["提事　1", "议事　0", "定事　0", "干事　1", "评事　0", "已办结　1"]
    assert sum(m.rowCount() for m in page.board.models) == page.model.rowCount()
    type_text(page.search, "门禁")
    assert cards(page)["doing"] == [issues["doing"]] and sum(m.rowCount() for m in page.board.models) == 1
    assert page.count_label.text() == "共 7 件，找到 1 件"
    page.search.clear()
    category.setCurrentIndex(0)
    overdue = page.findChild(type(category), "filter_overdue")
    overdue.setCurrentIndex(overdue.findText("已逾期"))
    assert cards(page)["raised"] == [issues["late"]] and page.model.rowCount() == 1
    overdue.setCurrentIndex(0)
    qtbot.mouseClick(tool_button(page, page.view_actions["table"]), Qt.MouseButton.LeftButton)
    assert page.model.rowCount() == 7 and page.views.currentWidget() is page.table


def test_enter_on_a_card_opens_the_issue_and_the_card_moves_on(qtbot, page, issues):
    show_board(qtbot, page)
    first = page.board.lists[0]
    qtbot.waitUntil(first.hasFocus)
    qtbot.keyClick(first, Qt.Key.Key_Down)  # from the overdue card to the fresh one
    assert page.board.current_row().id == issues["raised"]
    seen = []

    def take_it_up(dialog: IssueDialog):
        seen.append(dialog.issue_id)
        step(dialog, "discuss", lambda d: type_text(d.inputs["note"].editor, "书记接待日受理"))
        dialog.accept()
    when_shown(IssueDialog, take_it_up)
    qtbot.keyClick(first, Qt.Key.Key_Return)
    assert seen == [issues["raised"]]
    qtbot.waitUntil(lambda: not page.tasks.busy and issues["raised"] in cards(page)["discussed"])
    assert headers(page)[:2] == ["提事　1", "议事　2"]
    assert page.board.current_row().id == issues["raised"]  # still chosen, in its new column
    assert page.window().focusWidget() is page.board.lists[1]


def test_arrow_keys_move_between_columns_and_cards(qtbot, page, issues):
    show_board(qtbot, page)
    first = page.board.lists[0]
    assert page.board.current_row().id == issues["late"]
    qtbot.keyClick(first, Qt.Key.Key_Right)
    assert page.board.current_row().id == issues["discussed"] and page.board.lists[1].hasFocus()
    for _ in range(4):
        qtbot.keyClick(page.board.lists[page.board.active], Qt.Key.Key_Right)
    assert page.board.current_row().id == issues["closed"]
    qtbot.keyClick(page.board.lists[5], Qt.Key.Key_Right)  # the last column: stays
    assert page.board.current_row().id == issues["closed"]
    qtbot.keyClick(page.board.lists[5], Qt.Key.Key_Left)
    assert page.board.current_row().id == issues["reviewed"]
    assert page.act_edit.isEnabled()  # 办理… acts on the chosen card


def test_the_chosen_view_is_remembered(qtbot, qapp, store, settings_dir, issues):
    window = shown_window(qtbot, qapp, store)
    page = window.show_page(ISSUES_PAGE)
    qtbot.waitUntil(lambda: page.loaded and not page.tasks.busy)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)  # Ctrl+B: the board
    assert page.views.currentWidget() is page.board and page.view_actions["board"].isChecked()
    window.close()

    again = shown_window(qtbot, qapp, store).show_page(ISSUES_PAGE)
    qtbot.waitUntil(lambda: again.loaded and not again.tasks.busy)
    assert again.views.currentWidget() is again.board and sum(m.rowCount() for m in again.board.models) == 7
    again.board.focus_board()
    qtbot.keyClick(again.board.lists[again.board.active], Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert again.views.currentWidget() is again.table


def test_a_double_click_on_a_card_opens_that_issue(qtbot, page, issues, monkeypatch):
    opened = []
    monkeypatch.setattr("branchdesk.ui.issues.open_issue", lambda parent, store, issue_id: opened.append(issue_id))
    show_board(qtbot, page)
    view = page.board.lists[3]  # 干事
    where = view.visualRect(page.board.models[3].index(0)).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=where)  # a double-click starts as a click
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert opened == [issues["doing"]] and page.board.current_row().id == issues["doing"]
