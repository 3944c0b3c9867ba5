"""The record forms, driven the way the secretary uses them: typing, clicking 保存
and 取消, reading the Chinese messages, and checking what the database holds."""
from __future__ import annotations

from datetime import date

import pytest

from ui_helpers import build_org, household_id, id_number, make_store

from PySide6.QtCore import QMargins, Qt, QTimer  # noqa: E402
from PySide6.QtGui import QInputMethodEvent  # noqa: E402
from PySide6.QtWidgets import QApplication, QComboBox, QDialog, QMessageBox, QPushButton  # noqa: E402

from branchdesk.services import org, people  # noqa: E402
from branchdesk.ui.center_household_form import OWN_MARK, CenterHouseholdForm, open_center_household_form  # noqa: E402
from branchdesk.ui.forms import UNSAVED_QUESTION, WHOLE_BUILDING, LeaderForm, MemberForm, open_member_form  # noqa: E402
from branchdesk.ui.qtenv import setup_application  # noqa: E402

MALE_ID = id_number("19650312", "123")  # 17th digit 3: male
FEMALE_ID = id_number("19780605", "224")  # 17th digit 4: female
BAD_CHECKSUM = MALE_ID[:-1] + ("1" if MALE_ID[-1] != "1" else "2")


@pytest.fixture
def store(tmp_path, qapp):
    setup_application(qapp)
    s = make_store(tmp_path)
    yield s
    s.close()


@pytest.fixture
def orgs(store):
    return build_org(store)


def show(qtbot, form):
    # at the end of the test close without the unsaved-changes prompt
    qtbot.addWidget(form, before_close_func=lambda w: w.done(QDialog.DialogCode.Rejected))
    form.show()
    qtbot.waitExposed(form)
    # the offscreen platform does not hand activation to a new window by itself
    form.windowHandle().requestActivate()
    qtbot.waitUntil(form.isActiveWindow)
    return form


def type_into(qtbot, inp, text: str, *, clear: bool = True) -> None:
    """Focus a field like a user would (click into it), replace its text, then leave it with Tab."""
    widget = inp.focus_widget
    widget.setFocus(Qt.FocusReason.MouseFocusReason)
    if clear:
        editor = widget.lineEdit() if isinstance(widget, QComboBox) else widget
        editor.clear()
    if text.isascii():
        qtbot.keyClicks(widget, text)
    else:  # QTest types ASCII only; Chinese arrives from the input method as a committed string
        event = QInputMethodEvent()
        event.setCommitString(text)
        QApplication.sendEvent(widget.lineEdit() if isinstance(widget, QComboBox) else widget, event)


def leave(qtbot, inp) -> None:
    qtbot.keyClick(inp.focus_widget, Qt.Key.Key_Tab)


def members(store):
    with store.session() as s:
        return people.list_members(s)


def prompt_of(form) -> QMessageBox | None:
    box = form.findChild(QMessageBox, "unsavedPrompt")
    return box if box is not None and box.isVisible() else None


# ---- the member form ------------------------------------------------------------------
def test_wrong_id_number_is_shown_beside_the_field_and_nothing_is_saved(qtbot, store, orgs):
    form = show(qtbot, MemberForm(store))
    assert form.windowTitle() == "新增党员"
    type_into(qtbot, form.inputs["name"], "李梅")
    type_into(qtbot, form.inputs["id_number"], BAD_CHECKSUM)
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)

    message = form.inputs["id_number"].message
    assert message.isVisible()
    assert "校验位" in message.text()
    assert form.isVisible()
    assert QApplication.focusWidget() is form.inputs["id_number"].focus_widget
    assert members(store) == []

    type_into(qtbot, form.inputs["id_number"], MALE_ID)
    assert not form.inputs["id_number"].message.isVisible()  # fixed: the message goes at once
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)

    assert form.result() == QDialog.DialogCode.Accepted
    [row] = members(store)
    assert row.id == form.saved_id
    assert (row.name, row.id_number, row.gender, row.birth_date) == ("李梅", MALE_ID, "M", date(1965, 3, 12))
    assert row.category == "full"


def test_leaving_a_wrong_field_shows_its_message(qtbot, store, orgs):
    form = show(qtbot, MemberForm(store))
    type_into(qtbot, form.inputs["phone"], "1380013")
    leave(qtbot, form.inputs["phone"])
    assert form.inputs["phone"].message.text() == "手机号应为 11 位，现在是 7 位，请核对。"
    type_into(qtbot, form.inputs["joined_on"], "2024-13-01")
    leave(qtbot, form.inputs["joined_on"])
    assert "不是存在的日期" in form.inputs["joined_on"].message.text()
    type_into(qtbot, form.inputs["joined_on"], "19900701")
    leave(qtbot, form.inputs["joined_on"])
    assert form.inputs["joined_on"].error is None
    assert form.inputs["joined_on"].raw() == "1990-07-01"  # shown the way it is understood


def test_id_number_fills_birth_date_and_gender_and_flags_a_mismatch(qtbot, store, orgs):
    form = show(qtbot, MemberForm(store))
    type_into(qtbot, form.inputs["id_number"], FEMALE_ID)
    assert form.inputs["birth_date"].raw() == "1978-06-05"
    assert form.inputs["gender"].editor.currentText() == "女"

    form2 = show(qtbot, MemberForm(store))
    form2.inputs["gender"].editor.setCurrentIndex(form2.inputs["gender"].editor.findText("男"))
    type_into(qtbot, form2.inputs["birth_date"], "1978-07-05")
    type_into(qtbot, form2.inputs["id_number"], FEMALE_ID)
    leave(qtbot, form2.inputs["id_number"])
    assert "身份证上是女" in form2.inputs["gender"].message.text()
    assert "身份证上是 1978-06-05" in form2.inputs["birth_date"].message.text()


def test_address_is_completed_and_checked_against_the_organisation(qtbot, store, orgs):
    form = show(qtbot, MemberForm(store))
    completer = form.inputs["address"].editor.completer()
    words = completer.model().stringList()
    assert "2号楼1单元201" in words and "2-1-201" in words
    type_into(qtbot, form.inputs["address"], "9-9-999")
    leave(qtbot, form.inputs["address"])
    assert "在组织架构中不存在" in form.inputs["address"].message.text()
    type_into(qtbot, form.inputs["name"], "赵六")
    type_into(qtbot, form.inputs["address"], "2号楼1单元201")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    [row] = members(store)
    assert row.short_address == "2-1-201"


def test_several_wrong_fields_all_shown_first_one_focused(qtbot, store, orgs):
    form = show(qtbot, MemberForm(store))
    type_into(qtbot, form.inputs["phone"], "12")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert form.inputs["name"].message.text() == "请填写姓名。"
    assert form.inputs["phone"].message.isVisible()
    assert "2 处需要修改" in form.form_message.text()
    assert QApplication.focusWidget() is form.inputs["name"].focus_widget
    assert members(store) == []


def test_edit_an_existing_member(qtbot, store, orgs):
    with store.transaction() as s:
        member_id = people.save_member(s, {"name": "张三", "id_number": MALE_ID, "category": "probationary",
                                           "party_org_id": orgs.group_id, "address": "1-2-301",
                                           "joined_on": "2023-07-01", "is_registered": True})
    form = show(qtbot, MemberForm(store, member_id))
    assert form.windowTitle() == "编辑党员：张三"
    assert form.inputs["name"].raw() == "张三"
    assert form.inputs["category"].editor.currentText() == "预备党员"
    assert form.inputs["party_org_id"].editor.currentText() == "启明小区党支部 / 第一党小组"
    assert form.inputs["address"].raw() == "1号楼2单元301"
    assert form.inputs["joined_on"].raw() == "2023-07-01"
    assert form.inputs["is_registered"].raw() is True
    assert not form.is_dirty()

    type_into(qtbot, form.inputs["phone"], "13912345678")
    form.inputs["category"].editor.setCurrentIndex(form.inputs["category"].editor.findText("正式党员"))
    type_into(qtbot, form.inputs["confirmed_on"], "2024年7月1日")
    qtbot.keyClick(form, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # Ctrl+S saves

    assert form.saved_id == member_id
    with store.session() as s:
        saved = people.get_member(s, member_id)
    assert saved["phone"] == "13912345678"
    assert saved["category"] == "full"
    assert saved["confirmed_on"] == date(2024, 7, 1)
    assert len(members(store)) == 1


def test_cancel_after_typing_asks_and_discard_saves_nothing(qtbot, store, orgs):
    form = show(qtbot, MemberForm(store))
    type_into(qtbot, form.inputs["name"], "王芳")
    qtbot.mouseClick(form.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: prompt_of(form) is not None)
    box = prompt_of(form)
    assert box.text() == UNSAVED_QUESTION
    assert [b.text() for b in box.buttons()] and {b.text() for b in box.buttons()} == {"保存", "不保存", "取消"}
    assert form.isVisible()

    qtbot.mouseClick(box.findChild(type(form.save_button), "promptDiscard"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not form.isVisible())
    assert form.result() == QDialog.DialogCode.Rejected
    assert members(store) == []


def test_unsaved_prompt_cancel_keeps_typing_and_save_saves(qtbot, store, orgs):
    form = show(qtbot, MemberForm(store))
    type_into(qtbot, form.inputs["name"], "王芳")
    qtbot.keyClick(form.inputs["name"].focus_widget, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: prompt_of(form) is not None)
    qtbot.mouseClick(prompt_of(form).findChild(type(form.save_button), "promptCancel"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: prompt_of(form) is None)
    assert form.isVisible() and form.inputs["name"].raw() == "王芳"

    form.close()  # the window's close button asks too
    qtbot.waitUntil(lambda: prompt_of(form) is not None)
    qtbot.mouseClick(prompt_of(form).findChild(type(form.save_button), "promptSave"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not form.isVisible())
    assert form.result() == QDialog.DialogCode.Accepted
    assert [r.name for r in members(store)] == ["王芳"]


def test_cancel_without_changes_closes_at_once(qtbot, store, orgs):
    form = show(qtbot, MemberForm(store))
    qtbot.mouseClick(form.cancel_button, Qt.MouseButton.LeftButton)
    assert not form.isVisible()
    assert prompt_of(form) is None


def test_return_moves_to_the_next_field(qtbot, store, orgs):
    form = show(qtbot, MemberForm(store))
    type_into(qtbot, form.inputs["name"], "周七")
    qtbot.keyClick(form.inputs["name"].focus_widget, Qt.Key.Key_Return)
    assert form.isVisible() and members(store) == []
    assert QApplication.focusWidget() is form.inputs["gender"].focus_widget


def test_tab_order_follows_the_fields(qtbot, store, orgs):
    form = show(qtbot, MemberForm(store))
    expected = [form.inputs[key].focus_widget for key in form.inputs]
    seen = [QApplication.focusWidget()]
    for _ in range(len(expected) - 1):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
    assert seen == expected
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is form.save_button


def test_open_member_form_returns_the_saved_id(qtbot, store, orgs):
    def fill():
        form = QApplication.activeModalWidget()
        if not isinstance(form, MemberForm):
            QTimer.singleShot(20, fill)
            return
        form.inputs["name"].editor.setText("孙八")
        form.save_button.click()

    QTimer.singleShot(0, fill)
    saved = open_member_form(None, store, None)
    assert saved is not None and [r.id for r in members(store)] == [saved]


# ---- the building-leader form ---------------------------------------------------------------
def test_leader_unit_choices_follow_the_building(qtbot, store, orgs):
    form = show(qtbot, LeaderForm(store))
    units = form.inputs["unit_id"].editor
    assert not units.isEnabled()
    buildings = form.inputs["building_id"].editor
    buildings.setCurrentIndex(buildings.findText("2号楼"))
    assert units.isEnabled()
    assert [units.itemText(i) for i in range(units.count())] == [WHOLE_BUILDING, "1单元", "2单元"]
    with store.session() as s:
        unit_parent = {u.id: u.parent_id for u in org.unit_choices(s)}
    assert all(unit_parent[units.itemData(i)] == orgs.buildings["2"] for i in range(1, units.count()))
    units.setCurrentIndex(2)

    type_into(qtbot, form.inputs["name"], "钱九")
    type_into(qtbot, form.inputs["phone"], "13700001111")
    form.inputs["is_member"].editor.click()
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert form.saved_id is not None
    with store.session() as s:
        saved = people.get_leader(s, form.saved_id)
    assert saved["building_id"] == orgs.buildings["2"]
    assert unit_parent[saved["unit_id"]] == orgs.buildings["2"]
    assert saved["is_member"] is True

    edit = show(qtbot, LeaderForm(store, form.saved_id))
    assert edit.windowTitle() == "编辑楼栋长：钱九"
    assert edit.inputs["building_id"].editor.currentText() == "2号楼"
    assert edit.inputs["unit_id"].editor.currentText() == "2单元"
    buildings = edit.inputs["building_id"].editor
    buildings.setCurrentIndex(buildings.findText("3号楼"))
    assert edit.inputs["unit_id"].editor.currentText() == WHOLE_BUILDING  # the old unit is not in 3号楼


def test_leader_needs_a_building(qtbot, store, orgs):
    form = show(qtbot, LeaderForm(store))
    type_into(qtbot, form.inputs["name"], "钱九")
    type_into(qtbot, form.inputs["phone"], "13700001111")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert form.inputs["building_id"].message.text() == "请选择楼栋。"
    with store.session() as s:
        assert people.list_leaders(s) == []


# ---- the center-household form ---------------------------------------------------------------
@pytest.fixture
def two_members(store, orgs):
    with store.transaction() as s:
        zhang = people.save_member(s, {"name": "张三", "address": "1-1-101", "category": "full"})
        li = people.save_member(s, {"name": "李四", "address": "2-1-201", "category": "full"})
        people.save_member(s, {"name": "王五", "category": "full"})  # no address: cannot be a center household
    return zhang, li


def tick(qtbot, form, short: str) -> None:
    """Select the room in the tree and press Space, as a keyboard user would."""
    leaf = form._leaves[household_id(form.store, short)]
    leaf.parent().parent().setExpanded(True)
    leaf.parent().setExpanded(True)
    form.tree.setFocus()
    form.tree.setCurrentItem(leaf)
    qtbot.keyClick(form.tree, Qt.Key.Key_Space)


def test_center_household_saves_the_ticked_households(qtbot, store, two_members):
    zhang, _li = two_members
    form = show(qtbot, CenterHouseholdForm(store))
    member = form.inputs["member_id"]
    labels = [member.editor.itemText(i) for i in range(member.editor.count())]
    assert labels == ["李四  2号楼1单元201", "张三  1号楼1单元101"]  # 王五 has no address

    type_into(qtbot, member, "zhangsan")  # pinyin finds 张三
    assert member.raw() == zhang
    leave(qtbot, member)
    assert member.editor.currentText() == "张三  1号楼1单元101"
    own = form._leaves[household_id(store, "1-1-101")]
    assert own.text(1) == OWN_MARK and not own.flags() & Qt.ItemFlag.ItemIsEnabled
    assert own.parent().parent().isExpanded()  # the member's own building is open

    for short in ("1-1-102", "1-1-201", "1-2-101"):
        tick(qtbot, form, short)
    qtbot.waitUntil(lambda: form.counter.text() == "已选 3 户")
    form.inputs["has_ability"].editor.click()
    type_into(qtbot, form.inputs["appointed_on"], "2024-03-01")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)

    assert form.saved_id is not None
    with store.session() as s:
        values, served = people.get_center_household(s, form.saved_id)
    assert values["member_id"] == zhang and values["has_ability"] is True
    assert values["appointed_on"] == date(2024, 3, 1)
    assert sorted(served) == sorted(household_id(store, x) for x in ("1-1-102", "1-1-201", "1-2-101"))


def test_center_household_without_households_is_not_saved(qtbot, store, two_members):
    zhang, _li = two_members
    form = show(qtbot, CenterHouseholdForm(store))
    form.inputs["member_id"].set_value(zhang)
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert form.served_message.isVisible()
    assert form.served_message.text() == "请至少选择一户联系户。"
    assert QApplication.focusWidget() is form.tree
    assert form.isVisible()
    with store.session() as s:
        assert people.list_center_households(s) == []


def test_center_household_needs_a_member(qtbot, store, two_members):
    form = show(qtbot, CenterHouseholdForm(store))
    type_into(qtbot, form.inputs["member_id"], "不存在的人")
    leave(qtbot, form.inputs["member_id"])
    assert "没有找到" in form.inputs["member_id"].message.text()
    tick(qtbot, form, "3-1-101")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert form.inputs["member_id"].message.text() == "请选择中心户党员。"
    with store.session() as s:
        assert people.list_center_households(s) == []


def test_center_household_shows_overlap_and_coverage(qtbot, store, two_members):
    zhang, li = two_members
    with store.transaction() as s:
        li_ch = people.save_center_household(s, {"member_id": li}, [household_id(store, "1-1-102")])
    form = show(qtbot, CenterHouseholdForm(store))
    labels = [form.inputs["member_id"].editor.itemText(i) for i in range(form.inputs["member_id"].editor.count())]
    assert "李四  2号楼1单元201（已是中心户）" in labels
    assert form._leaves[household_id(store, "1-1-102")].text(1) == "已由 李四 联系"
    assert "李四 的本户" in form._leaves[household_id(store, "2-1-201")].text(1)

    def coverage_row(label):
        table = form.coverage
        row = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == label)
        return table.item(row, 1).text(), table.item(row, 0).background().color().name()

    assert coverage_row("1号楼")[0] == "1 / 12"
    assert coverage_row("3号楼") == ("0 / 12", "#fbe3e0")  # no center household reaches it
    form.inputs["member_id"].set_value(zhang)
    tick(qtbot, form, "3-1-101")
    qtbot.waitUntil(lambda: coverage_row("3号楼")[0].startswith("1 / 12"))
    assert coverage_row("3号楼")[1] != "#fbe3e0"
    assert coverage_row("1号楼")[0].startswith("2 / 12")  # 张三's own household counts

    edit = show(qtbot, CenterHouseholdForm(store, li_ch))
    assert edit.windowTitle() == "编辑党员中心户：李四"
    assert edit.served_ids() == [household_id(store, "1-1-102")]
    assert edit._leaves[household_id(store, "1-1-102")].text(1) == ""  # its own choice is no overlap
    assert not edit.is_dirty()


def test_center_household_unsaved_ticks_ask_before_closing(qtbot, store, two_members):
    zhang, _li = two_members
    form = show(qtbot, CenterHouseholdForm(store))
    tick(qtbot, form, "3-1-101")
    qtbot.mouseClick(form.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: prompt_of(form) is not None)
    qtbot.mouseClick(prompt_of(form).findChild(type(form.save_button), "promptDiscard"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not form.isVisible())
    with store.session() as s:
        assert people.list_center_households(s) == []


def test_open_center_household_form_cancel_returns_none(qtbot, store, two_members):
    QTimer.singleShot(0, lambda: QApplication.activeModalWidget().reject())
    assert open_center_household_form(None, store, None) is None


def test_a_deleted_record_is_reported_not_opened(qtbot, store, orgs, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda *args: shown.append(args[2]))
    assert open_member_form(None, store, 999) is None
    assert shown and "已被删除" in shown[0]


def test_editing_keeps_the_address_when_two_compounds_share_building_numbers(qtbot, store, orgs):
    with store.transaction() as s:
        other = org.add_compound(s, community_id=orgs.community_id, name="东园小区")
        org.add_building(s, compound_id=other.id, code="1", units=1, floors=2, rooms_per_floor=2)
        member_id = people.save_member(s, {"name": "张三", "address": "启明小区1-1-101", "category": "full"})
    form = show(qtbot, MemberForm(store, member_id))
    assert form.inputs["address"].raw() == "启明小区1号楼1单元101"
    assert "东园小区1-1-101" in form.inputs["address"].editor.completer().model().stringList()
    type_into(qtbot, form.inputs["phone"], "13912345678")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert form.saved_id == member_id


# ---- drafts: what was typed survives a crash ---------------------------------------------
@pytest.fixture
def fast_drafts(monkeypatch):
    from branchdesk.ui import forms

    monkeypatch.setattr(forms, "DRAFT_EVERY_MS", 50)


def crash(form) -> None:
    """The process dies with the form open: no done(), no prompt, nothing tidied."""
    form._draft_timer.stop()
    form.hide()


def crash_while_typing_a_name(qtbot, store) -> None:
    form = show(qtbot, MemberForm(store))
    type_into(qtbot, form.inputs["name"], "王小明")
    qtbot.waitUntil(lambda: form.drafts.load(form.draft_key) is not None)
    crash(form)


def test_typing_survives_a_crash_and_is_offered_back(qtbot, store, orgs, fast_drafts):
    form = show(qtbot, MemberForm(store))
    assert form.draft_banner is None
    type_into(qtbot, form.inputs["name"], "王小明")
    type_into(qtbot, form.inputs["phone"], "13912345678")
    drafts = form.drafts
    qtbot.waitUntil(lambda: (d := drafts.load(form.draft_key)) is not None and d.values["phone"] == "13912345678")
    crash(form)

    again = show(qtbot, MemberForm(store))
    assert again.draft_banner is not None and not again.draft_banner.isHidden()
    assert again.inputs["name"].raw() == ""  # nothing is put back without asking
    qtbot.mouseClick(again.findChild(QPushButton, "draftRestore"), Qt.MouseButton.LeftButton)
    assert again.inputs["name"].raw() == "王小明" and again.inputs["phone"].raw() == "13912345678"
    assert again.draft_banner.isHidden()
    qtbot.mouseClick(again.save_button, Qt.MouseButton.LeftButton)
    assert [m.name for m in members(store)] == ["王小明"]
    assert drafts.load(again.draft_key) is None  # saved: the draft is gone
    assert show(qtbot, MemberForm(store)).draft_banner is None


def test_a_discarded_draft_is_not_offered_again(qtbot, store, orgs, fast_drafts):
    crash_while_typing_a_name(qtbot, store)
    again = show(qtbot, MemberForm(store))
    qtbot.mouseClick(again.findChild(QPushButton, "draftDiscard"), Qt.MouseButton.LeftButton)
    assert again.inputs["name"].raw() == "" and again.draft_banner.isHidden()
    qtbot.mouseClick(again.cancel_button, Qt.MouseButton.LeftButton)
    assert show(qtbot, MemberForm(store)).draft_banner is None


def test_a_draft_left_undecided_waits_for_next_time(qtbot, store, orgs, fast_drafts):
    crash_while_typing_a_name(qtbot, store)
    again = show(qtbot, MemberForm(store))
    qtbot.mouseClick(again.cancel_button, Qt.MouseButton.LeftButton)  # closed without choosing
    third = show(qtbot, MemberForm(store))
    assert third.pending_draft is not None and third.pending_draft.values["name"] == "王小明"


def test_an_edit_draft_belongs_to_its_record(qtbot, store, orgs, fast_drafts):
    with store.transaction() as s:
        mid = people.save_member(s, {"name": "张三", "category": "正式党员"})
    form = show(qtbot, MemberForm(store, mid))
    type_into(qtbot, form.inputs["phone"], "13912345678")
    qtbot.waitUntil(lambda: form.drafts.load(form.draft_key) is not None)
    crash(form)
    assert show(qtbot, MemberForm(store)).draft_banner is None  # a new member's form is not offered it
    again = show(qtbot, MemberForm(store, mid))
    qtbot.mouseClick(again.findChild(QPushButton, "draftRestore"), Qt.MouseButton.LeftButton)
    assert again.inputs["name"].raw() == "张三" and again.inputs["phone"].raw() == "13912345678"


def test_center_household_draft_keeps_the_ticked_households(qtbot, store, two_members, fast_drafts):
    zhang, _li = two_members
    form = show(qtbot, CenterHouseholdForm(store))
    type_into(qtbot, form.inputs["member_id"], "zhangsan")
    leave(qtbot, form.inputs["member_id"])
    for short in ("1-1-102", "1-2-101"):
        tick(qtbot, form, short)
    qtbot.waitUntil(lambda: (d := form.drafts.load(form.draft_key)) is not None and len(d.extra["served"]) == 2)
    crash(form)
    again = show(qtbot, CenterHouseholdForm(store))
    qtbot.mouseClick(again.findChild(QPushButton, "draftRestore"), Qt.MouseButton.LeftButton)
    assert again.inputs["member_id"].raw() == zhang
    assert sorted(again.served_ids()) == sorted(household_id(store, x) for x in ("1-1-102", "1-2-101"))


def test_the_form_opens_at_the_size_it_was_left(qtbot, store, orgs):
    form = show(qtbot, LeaderForm(store))
    wanted = form.size().grownBy(QMargins(0, 0, 140, 60))
    form.resize(wanted)
    qtbot.mouseClick(form.cancel_button, Qt.MouseButton.LeftButton)
    again = show(qtbot, LeaderForm(store))
    assert again.size() == wanted
