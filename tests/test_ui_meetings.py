"""A meeting as the secretary prepares, holds and files it in the window: the form
(kind, day, time), the agenda with an issue on it, invitees picked from the members
and typed in, who came and who was excused, and the minutes whose decision moves the
issue to 定事. A decision without an owner is refused with its reason, nothing saved."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import date, datetime, timedelta  # noqa: E402

import pytest  # noqa: E402
from sqlalchemy import select  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QPushButton  # noqa: E402

from branchdesk.models import Issue  # noqa: E402
from branchdesk.models.meetings import EXCUSED  # noqa: E402
from branchdesk.services import issues as S  # noqa: E402
from branchdesk.services import meetings as MT  # noqa: E402
from branchdesk.services import org, people  # noqa: E402
from branchdesk.ui.meetings import MeetingDialog, MeetingForm, PickDialog, TrackerDialog  # noqa: E402
from exchange_helpers import build_qiming  # noqa: E402
from test_ui_issues import type_text, when_shown  # noqa: E402
from ui_helpers import id_number, shown_window  # noqa: E402

MEETINGS_PAGE = 5


@pytest.fixture
def window(qtbot, qapp, store):
    build_qiming(store)
    with store.transaction() as s:
        group = next(c.id for c in org.party_org_choices(s) if "第一党小组" in c.label)
        for n, name in enumerate(("王建华", "李秀英", "赵刚"), start=1):
            people.save_member(s, {"name": name, "id_number": id_number("19700101", f"10{n}"), "category": "full",
                                   "address": f"1-{n}-101" if n < 3 else "1-1-102", "party_org_id": group})
        S.raise_issue(s, {"source": "议事会", "category": "设施维修", "address": "3-2-302",
                          "description": "3号楼2单元楼道灯不亮"}, at=datetime.now() - timedelta(days=1))
    return shown_window(qtbot, qapp, store)


def test_a_meeting_from_the_notice_to_the_minutes(qtbot, window, store, monkeypatch):
    page = window.show_page(MEETINGS_PAGE)
    qtbot.waitUntil(lambda: page.loaded and not page.tasks.busy)
    assert page.act_add.text() == "新建会议"
    # the picker ticks everyone it shows, as 全选显示的 then 添加 would
    monkeypatch.setattr(PickDialog, "exec", lambda self: (self.tick_shown(), QDialog.DialogCode.Accepted)[1])
    seen = {}

    def prepare(dialog: MeetingDialog):
        seen["dialog"] = dialog
        dialog.agenda.add_row()
        dialog.agenda.table.item(0, 0).setText("3号楼楼道灯维修")
        dialog.agenda.table.item(0, 1).setText("楼栋长")
        issue_box = dialog.agenda.table.cellWidget(0, 3)
        issue_box.setCurrentIndex(1)  # the open issue
        dialog.tabs.setCurrentWidget(dialog.attendance)
        dialog.findChild(QPushButton, "addMembers").click()
        dialog.findChild(QPushButton, "addOther").click()
        dialog.attendance.table.item(3, 0).setText("张敏")
        dialog.attendance.table.item(3, 1).setText("业委会")
        dialog.findChild(QPushButton, "allPresent").click()
        names = [dialog.attendance.table.item(r, 0).text() for r in range(dialog.attendance.table.rowCount())]
        seen["li"] = li = names.index("李秀英")
        status = dialog.attendance.table.cellWidget(li, 3)
        status.setCurrentIndex(status.findData(EXCUSED))  # excused, but no reason yet
        dialog.tabs.setCurrentWidget(dialog.minutes)
        [block] = dialog.minutes.blocks.values()
        block.discussion.setPlainText("居民反映灯坏了两周")
        block.add_decision({"content": "物业更换灯具", "deadline": f"{date.today() + timedelta(days=3):%Y-%m-%d}"})
        dialog.save_button.click()  # refused: no owner, and an excuse without a reason
        seen["refused"] = dialog.message.text()
        block.decisions.item(0, 1).setText("华仁物业")
        dialog.attendance.table.item(li, 4).setText("出差")
        dialog.save_button.click()
        seen["saved"] = dialog.message.text()
        dialog.accept()

    def basics(form: MeetingForm):
        assert form.inputs["start_time"].raw() == "14:30" and form.inputs["place"].raw() == "党群服务站"
        type_text(form.inputs["kind"].editor, "党群议事会")
        type_text(form.inputs["title"].editor, "楼道照明议事会")
        when_shown(MeetingDialog, prepare)
        form.save_button.click()
    when_shown(MeetingForm, basics)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.model.total == 1 and not page.tasks.busy, timeout=10_000)

    assert "议题“3号楼楼道灯维修”的第 1 条决议：请填写责任人（单位）。" in seen["refused"]
    assert "李秀英请假，请写明请假原因。" in seen["refused"]
    assert seen["saved"].startswith("已保存。")
    row = page.model.row_at(0)
    assert (row.title, row.invited, row.present, row.excused, row.held) == ("楼道照明议事会", 4, 3, 1, True)
    with store.session() as s:
        issue = s.scalars(select(Issue)).one()
        counts = MT.attendance(s, row.id)
        events = [(e.kind, e.step, e.meeting_id) for e in S.timeline(s, issue.id)]
    assert (issue.step, issue.owner) == ("decided", "华仁物业")  # the decision is the issue's 定事
    assert ("step", "decided", row.id) in events and ("meeting", "raised", row.id) in events
    assert counts.excused == [("李秀英", "出差")] and counts.present == 3


def test_the_tracker_opens_from_the_page_and_changes_a_frequency(qtbot, window, store):
    page = window.show_page(MEETINGS_PAGE)
    qtbot.waitUntil(lambda: page.loaded and not page.tasks.busy)
    actions = {a.text(): a for _s, a in page.step_actions}
    assert actions["三会一课…"].isEnabled()  # a page-wide action: no row needed
    assert not actions["打印…"].isEnabled()  # prints the selected meeting: none is selected
    dialog = TrackerDialog(store, window, today=date(2026, 11, 27))
    qtbot.addWidget(dialog)
    rows = {(dialog.table.item(r, 0).text(), dialog.table.item(r, 1).text()): dialog.table.item(r, 6).text()
            for r in range(dialog.table.rowCount())}
    assert rows[("支委会", "启明小区党支部")] == "逾期"
    assert rows[("党小组会", "启明小区党支部 第一党小组")] == "逾期"
    box = dialog.frequency_boxes["党课"]
    box.setCurrentIndex(box.findData("month"))
    with store.session() as s:
        assert MT.frequencies(s)["党课"] == "month"
    lesson = next(r for r in range(dialog.table.rowCount()) if dialog.table.item(r, 0).text() == "党课")
    assert dialog.table.item(lesson, 2).text() == "每月"


def test_closing_with_unsaved_changes_asks_first(qtbot, window, store, monkeypatch):
    with store.transaction() as s:
        meeting_id = MT.save_meeting(s, {"kind": "支委会", "date": "2026-11-20", "start_time": "9:00"})
    dialog = MeetingDialog(store, meeting_id, window)
    qtbot.addWidget(dialog)
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Cancel)
    dialog.reject()
    assert asked == [] and dialog.result() == QDialog.DialogCode.Rejected  # nothing typed: closes at once
    dialog = MeetingDialog(store, meeting_id, window)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.minutes.summary.setPlainText("研究本月发展党员工作")
    dialog.reject()
    assert asked == ["有未保存的修改，要保存吗？"] and dialog.isVisible()  # 取消: the typing stays
    dialog.minutes.summary.clear()
    dialog.reject()  # nothing left unsaved: it closes without asking again
    assert asked == ["有未保存的修改，要保存吗？"] and not dialog.isVisible()


def _pdf_text(document, path) -> str:
    import subprocess

    from branchdesk.printing import write_pdf
    write_pdf(document, path)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_printing_from_the_dialog_saves_first_and_prints_what_was_saved(qtbot, window, store, monkeypatch, tmp_path):
    import branchdesk.ui.print_preview as preview

    printed = []
    monkeypatch.setattr(preview, "print_preview", lambda parent, document: printed.append(document) or 0)
    with store.transaction() as s:
        meeting_id = MT.save_meeting(s, {"kind": "支委会", "title": "十一月支委会", "date": "2026-11-20",
                                         "start_time": "9:00", "place": "党群服务站"})
    dialog = MeetingDialog(store, meeting_id, window)
    qtbot.addWidget(dialog)
    dialog.attendance.add_other()
    dialog.attendance.table.item(0, 0).setText("王建华")
    dialog.findChild(QPushButton, "print_signin").click()  # unsaved: saved first, then printed
    with store.session() as s:
        assert [a["name"] for a in MT.attendees(s, meeting_id)] == ["王建华"]
    [document] = printed
    text = _pdf_text(document, tmp_path / "signin.pdf")
    assert "签到表" in text and "十一月支委会" in text and "王建华" in text


def test_the_member_roster_prints_masked_unless_the_page_shows_whole_numbers(qtbot, window, store, monkeypatch,
                                                                          tmp_path):
    import branchdesk.ui.print_preview as preview

    printed = []
    monkeypatch.setattr(preview, "print_preview", lambda parent, document: printed.append(document) or 0)
    with store.transaction() as s:
        people.save_member(s, {"name": "孙丽", "category": "full", "phone": "13912345678", "address": "2-1-101"})
    page = window.show_page(1)
    qtbot.waitUntil(lambda: page.loaded and not page.tasks.busy)
    action = next(a for _s, a in page.step_actions if a.text() == "打印名册…")
    action.trigger()
    page.act_unmask.trigger()
    action.trigger()
    masked, full = (_pdf_text(d, tmp_path / f"{n}.pdf") for n, d in enumerate(printed))
    assert "139****5678" in masked and "13912345678" not in masked
    assert "13912345678" in full


def test_moving_an_agenda_item_takes_its_issue_with_it(qtbot, window, store):
    with store.transaction() as s:
        meeting_id = MT.save_meeting(s, {"kind": "党群议事会", "date": "2026-11-20", "start_time": "14:30"})
        [(issue_id, _label)] = MT.open_issue_choices(s)
        MT.set_agenda(s, meeting_id, [{"title": "通报"}, {"title": "楼道灯", "issue_id": issue_id}])
        now = datetime.now()
        S.discuss(s, issue_id, at=now)
        S.decide(s, issue_id, {"decision": "更换灯具", "owner": "物业", "deadline": date.today() + timedelta(days=3),
                               "level": "小区"}, at=now)
        S.start_work(s, issue_id, at=now)  # being done: only its own row's box still offers it
    dialog = MeetingDialog(store, meeting_id, window)
    qtbot.addWidget(dialog)
    table = dialog.agenda.table
    table.setCurrentCell(1, 0)
    dialog.findChild(QPushButton, "itemUp").click()
    assert [r["title"] for r in dialog.agenda.rows()] == ["楼道灯", "通报"]
    assert [r["issue_id"] for r in dialog.agenda.rows()] == [issue_id, None]
    assert dialog.save()
    with store.session() as s:
        assert [(i["title"], i["issue_id"]) for i in MT.agenda(s, meeting_id)] == [("楼道灯", issue_id), ("通报", None)]
