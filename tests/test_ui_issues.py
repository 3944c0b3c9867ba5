"""The residents' issues page as the secretary uses it: 提事 from the keyboard, then
the issue's own dialog through 议事, 定事, 干事 and 评事, with 不满意 reopening it and
the timeline showing every step; a step out of order is not offered."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import Qt, QTimer  # noqa: E402
from PySide6.QtGui import QInputMethodEvent  # noqa: E402
from PySide6.QtWidgets import QApplication, QComboBox, QMessageBox, QPushButton  # noqa: E402

from branchdesk.services import issues as S  # noqa: E402
from branchdesk.ui.issues import IssueDialog, IssueForm, StepDialog  # noqa: E402
from ui_helpers import shown_window  # noqa: E402
from exchange_helpers import build_qiming  # noqa: E402

ISSUES_PAGE = 4


@pytest.fixture
def window(qtbot, qapp, store):
    build_qiming(store)
    return shown_window(qtbot, qapp, store)


def type_text(widget, text: str) -> None:
    """Chinese arrives from the input method as a committed string."""
    editor = widget.lineEdit() if isinstance(widget, QComboBox) else widget
    editor.setFocus()
    if hasattr(editor, "clear"):
        editor.clear()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(editor, event)


def when_shown(kind, act) -> None:
    """Run act(dialog) once a modal dialog of this kind is up (exec() blocks the test)."""
    def poll():
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, kind):
            act(dialog)
        else:
            QTimer.singleShot(20, poll)
    QTimer.singleShot(0, poll)


def step(dialog: IssueDialog, key: str, fill) -> None:
    def act(step_dialog: StepDialog):
        fill(step_dialog)
        step_dialog.findChild(QPushButton, "stepOk").click()
    when_shown(StepDialog, act)
    dialog.buttons[key].click()


def visible_steps(dialog: IssueDialog) -> list[str]:
    """The steps offered (修改登记内容 is always there and is no step)."""
    return [k for k, b in dialog.buttons.items() if b.isVisibleTo(dialog) and k != "edit"]


def test_an_issue_from_the_service_desk_to_the_residents_verdict(qtbot, window, store):
    page = window.show_page(ISSUES_PAGE)
    qtbot.waitUntil(lambda: page.loaded and not page.tasks.busy)
    assert page.act_add.text() == "提事（登记问题）" and page.count_label.text() == "共 0 件"

    def raise_it(form: IssueForm):
        assert form.inputs["source"].raw() == "居民来访"  # the usual source is filled in
        type_text(form.inputs["category"].editor, "设施维修")
        type_text(form.inputs["description"].editor, "3号楼2单元楼道灯不亮")
        form.inputs["address"].editor.setText("3-2-302")
        form.save_button.click()
    when_shown(IssueForm, raise_it)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # Ctrl+N: 提事
    qtbot.waitUntil(lambda: page.model.total == 1 and not page.tasks.busy)
    with store.session() as s:
        [row] = S.list_issues(s, S.date.today())
    assert (row.number[-4:], row.category, row.step, row.building) == ("0001", "设施维修", "raised", "3号楼")

    dialog = IssueDialog(store, row.id, window)
    qtbot.addWidget(dialog)
    dialog.show()
    assert visible_steps(dialog) == ["discuss", "commit"]  # 定事 is not offered before 议事
    step(dialog, "discuss", lambda d: type_text(d.inputs["note"].editor, "书记接待日受理"))
    assert visible_steps(dialog) == ["decide", "commit"]

    def decision_without_owner(d: StepDialog):
        type_text(d.inputs["decision"].editor, "物业更换楼道灯")
        d.inputs["owner"].editor.clear()
        d.findChild(QPushButton, "stepOk").click()  # refused: the owner is required
        assert d.isVisible() and d.inputs["owner"].error == "请填写责任人（单位）。"
        type_text(d.inputs["owner"].editor, "华仁物业")
    step(dialog, "decide", decision_without_owner)
    assert visible_steps(dialog) == ["decide", "start", "commit"]
    step(dialog, "start", lambda d: None)
    step(dialog, "progress", lambda d: type_text(d.inputs["note"].editor, "已采购灯具"))
    step(dialog, "finish", lambda d: type_text(d.inputs["actor"].editor, "物业王师傅"))
    assert visible_steps(dialog) == ["review", "commit"]

    def unsatisfied(d: StepDialog):
        d.inputs["verdict"].set_value("unsatisfied")
    step(dialog, "review", unsatisfied)
    assert visible_steps(dialog) == ["progress", "finish", "commit"]  # reopened: back to 干事
    step(dialog, "finish", lambda d: None)
    step(dialog, "review", lambda d: d.inputs["verdict"].set_value("satisfied"))
    assert visible_steps(dialog) == []
    assert "已办结" in dialog.summary.text()
    timeline = [dialog.timeline.topLevelItem(i).text(1) for i in range(dialog.timeline.topLevelItemCount())]
    assert timeline == ["提事", "议事", "定事", "干事", "干事（进展）", "评事", "评事", "重新办理", "评事", "评事"]
    notes = [dialog.timeline.topLevelItem(i).text(3) for i in range(dialog.timeline.topLevelItemCount())]
    assert "居民评价：不满意" in notes and "居民评价：满意" in notes
    assert dialog.changed
    with store.session() as s:
        issue = S.get_issue(s, row.id)
        assert (issue.step, issue.verdict, issue.reopen_count, issue.owner) == ("reviewed", "satisfied", 1, "华仁物业")
    page.reload()
    qtbot.waitUntil(lambda: not page.tasks.busy)
    state = [c.field.label for c in page.model.columns].index("进度")
    assert page.model.index(0, state).data() == "已办结"


def test_a_second_issue_of_the_same_kind_in_the_building_is_pointed_out(qtbot, window, store):
    with store.transaction() as s:
        S.raise_issue(s, {"source": "居民来访", "category": "设施维修", "address": "3-2-302",
                          "description": "楼道灯不亮"}, at=S.datetime.now())
    answers: list[str] = []

    def back(form: IssueForm):
        type_text(form.inputs["category"].editor, "设施维修")
        type_text(form.inputs["description"].editor, "三楼楼道灯也坏了")
        form.inputs["address"].editor.setText("3-1-101")

        def decline(box: QMessageBox):
            answers.append(box.text())
            next(b for b in box.buttons() if b.text() == "返回修改").click()
        when_shown(QMessageBox, decline)
        assert not form.save()  # not saved: the secretary went back
        form.done(0)
    when_shown(IssueForm, back)
    page = window.show_page(ISSUES_PAGE)
    qtbot.waitUntil(lambda: page.loaded and not page.tasks.busy)
    page.act_add.trigger()
    assert answers and "已有 1 件未办结的“设施维修”问题" in answers[0]
    with store.session() as s:
        assert len(S.list_issues(s, S.date.today())) == 1


def test_what_was_raised_is_corrected_and_the_timeline_keeps_the_old_words(qtbot, window, store):
    with store.transaction() as s:
        issue_id = S.raise_issue(s, {"source": "居民来访", "category": "设施维修", "address": "3-2-302",
                                     "description": "楼道灯不亮"}, at=S.datetime(2026, 11, 16, 9), actor="周书记")
    dialog = IssueDialog(store, issue_id, window)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.buttons["edit"].isVisibleTo(dialog)

    def correct(form: IssueForm):
        assert form.windowTitle() == "编辑问题：2026-0001"
        assert not form.inputs["raised_at"].editor.isEnabled()  # the day raised carries the time limit
        type_text(form.inputs["category"].editor, "环境卫生")
        form.inputs["address"].editor.setText("1-1-101")
        form.save_button.click()
    when_shown(IssueForm, correct)
    dialog.buttons["edit"].click()
    last = dialog.timeline.topLevelItem(dialog.timeline.topLevelItemCount() - 1)
    assert last.text(1) == "修改登记"
    assert "类别：设施维修 → 环境卫生" in last.text(3) and "住址：3号楼2单元302 → 1号楼1单元101" in last.text(3)
    with store.session() as s:
        issue = S.get_issue(s, issue_id)
        assert (issue.category, issue.number, issue.step) == ("环境卫生", "2026-0001", "raised")
        [row] = S.list_issues(s, S.date(2026, 11, 16))
        assert row.building == "1号楼"  # the new address brought its building
