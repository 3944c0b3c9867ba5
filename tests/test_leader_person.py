"""A building leader who is already on the rosters: adding them reuses that person and
never blanks what is stored of them (an ID number the leader form was not given), in
the service and through the real leader form."""
from __future__ import annotations

from datetime import date

import pytest
from stdnum.cn import ric

from ui_helpers import build_org, make_store

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QInputMethodEvent  # noqa: E402
from PySide6.QtWidgets import QApplication, QDialog  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from branchdesk.models import BuildingLeader, Member, Resident  # noqa: E402
from branchdesk.services import ValidationFailed, org, people  # noqa: E402
from branchdesk.ui.forms import LeaderForm  # noqa: E402
from branchdesk.ui.qtenv import setup_application  # noqa: E402

WANG_ID = "370203196211208073"  # born 1962-11-20, male
WANG_PHONE = "13912345678"
OTHER_ID = (lambda body: body + ric.calc_check_digit(body + "0"))("37020319621120805")  # same birthday, male


@pytest.fixture
def store(tmp_path, qapp):
    setup_application(qapp)
    s = make_store(tmp_path)
    yield s
    s.close()


@pytest.fixture
def orgs(store):
    return build_org(store)


@pytest.fixture
def wang(store, orgs) -> int:
    """The member 王测试 (ID number and phone on the roster); their member id."""
    with store.transaction() as s:
        return people.save_member(s, {"name": "王测试", "id_number": WANG_ID, "phone": WANG_PHONE,
                                      "category": "正式党员", "address": "3-2-301"})


def unit_id(store, building_id: int, name: str) -> int:
    with store.session() as s:
        return next(u.id for u in org.unit_choices(s) if u.parent_id == building_id and u.label == name)


def person(store, member_id: int) -> tuple:
    with store.session() as s:
        r = s.get(Member, member_id).resident
        return r.id, r.name, r.id_number, r.phone, r.birth_date, r.gender, r.household_id


def counts(store) -> tuple[int, int]:
    with store.session() as s:
        return s.scalar(select(func.count(Resident.id))), s.scalar(select(func.count(BuildingLeader.id)))


def save_leader(store, raw: dict, leader_id: int | None = None) -> int:
    with store.transaction() as s:
        return people.save_leader(s, raw, leader_id)


def refused(store, raw: dict, leader_id: int | None = None) -> dict:
    with pytest.raises(ValidationFailed) as info:
        save_leader(store, raw, leader_id)
    return info.value.errors


def leader_raw(orgs, **over) -> dict:
    """What the leader form sends for 新增楼栋长 with the ID number left empty."""
    raw = {"name": "王测试", "phone": WANG_PHONE, "id_number": "", "building_id": orgs.buildings["3"],
           "unit_id": None, "since": "", "is_member": True, "note": ""}
    raw.update(over)
    return raw


# ---- the service ------------------------------------------------------------------------------
def test_new_leader_typed_like_a_member_keeps_the_members_id_number(store, orgs, wang):
    before = person(store, wang)
    unit = unit_id(store, orgs.buildings["3"], "2单元")
    lid = save_leader(store, leader_raw(orgs, unit_id=unit))
    assert person(store, wang) == before  # the ID number (and all else stored) survives
    assert before[2] == WANG_ID
    assert counts(store) == (1, 1)  # one person, not a second one
    with store.session() as s:
        leader = s.get(BuildingLeader, lid)
        assert (leader.resident_id, leader.building_id, leader.unit_id, leader.is_member) == (
            before[0], orgs.buildings["3"], unit, True)


def test_new_leader_with_a_conflicting_id_number_is_refused(store, orgs, wang):
    before = person(store, wang)
    errors = refused(store, leader_raw(orgs, id_number=OTHER_ID))
    assert set(errors) == {"id_number"}
    assert "370203********8073" in errors["id_number"] and "不一致" in errors["id_number"]
    assert person(store, wang) == before
    assert counts(store) == (1, 0)


def test_new_leader_with_a_members_id_number_under_another_name_is_refused(store, orgs, wang):
    before = person(store, wang)
    errors = refused(store, leader_raw(orgs, name="王侧试", phone="13700000000", id_number=WANG_ID))
    assert set(errors) == {"id_number"} and "王测试" in errors["id_number"]
    assert person(store, wang) == before  # not renamed
    assert counts(store) == (1, 0)


def test_picked_person_needs_no_numbers_and_keeps_them(store, orgs, wang):
    before = person(store, wang)
    raw = {"resident_id": before[0], "name": "王测试", "building_id": orgs.buildings["1"], "is_member": False}
    lid = save_leader(store, raw)
    assert person(store, wang) == before
    with store.session() as s:
        leader = s.get(BuildingLeader, lid)
        assert (leader.resident_id, leader.is_member) == (before[0], True)  # a member leads: a member leader


def test_picked_person_with_another_id_number_is_refused(store, orgs, wang):
    resident_id = person(store, wang)[0]
    errors = refused(store, {"resident_id": resident_id, "name": "王测试", "id_number": OTHER_ID,
                             "building_id": orgs.buildings["1"]})
    assert set(errors) == {"id_number"} and "所选的“王测试”" in errors["id_number"]
    assert counts(store) == (1, 0)


def test_a_new_phone_typed_for_a_known_person_is_written(store, orgs, wang):
    save_leader(store, leader_raw(orgs, phone="13500000000", id_number=WANG_ID))  # found by ID number
    assert person(store, wang)[2:4] == (WANG_ID, "13500000000")
    assert counts(store) == (1, 1)


def test_phone_is_still_required_for_a_new_leader(store, orgs):
    errors = refused(store, leader_raw(orgs, name="孙楼长", phone=""))
    assert set(errors) == {"phone"}


def test_editing_a_leader_clears_what_the_user_cleared(store, orgs):
    lid = save_leader(store, leader_raw(orgs, name="孙楼长", phone="13500000001", id_number=OTHER_ID))
    save_leader(store, {"name": "孙楼长", "phone": "13500000001", "id_number": "",
                        "building_id": orgs.buildings["3"]}, lid)  # the edit form showed it, the user cleared it
    with store.session() as s:
        assert s.get(BuildingLeader, lid).resident.id_number is None
    save_leader(store, {"since": "2024-05"}, lid)  # keys not given are kept
    with store.session() as s:
        assert people.get_leader(s, lid)["phone"] == "13500000001"


def test_a_leaders_birth_date_follows_a_corrected_id_number_but_a_members_must_agree(store, orgs, wang):
    lid = save_leader(store, leader_raw(orgs, name="孙楼长", phone="13500000001",
                                        id_number="11010519650312123X"[:-1] + ric.calc_check_digit("11010519650312123" + "0")))
    corrected = "11010519700101123" + ric.calc_check_digit("11010519700101123" + "0")
    save_leader(store, {"id_number": corrected}, lid)
    with store.session() as s:
        assert s.get(BuildingLeader, lid).resident.birth_date == date(1970, 1, 1)  # derived, so it follows
    with store.transaction() as s:
        no_id = people.save_member(s, {"name": "钱多", "phone": "13500000002", "birth_date": "1980-02-03",
                                       "category": "正式党员"})
    errors = refused(store, leader_raw(orgs, name="钱多", phone="13500000002", id_number=OTHER_ID))
    assert set(errors) == {"id_number"} and "出生日期" in errors["id_number"]
    with store.session() as s:
        assert s.get(Member, no_id).resident.id_number is None


def test_new_member_of_a_known_leader_keeps_what_the_member_form_left_empty(store, orgs):
    lid = save_leader(store, leader_raw(orgs, name="孙楼长", phone="13500000001", id_number=OTHER_ID,
                                        is_member=False))
    with store.transaction() as s:
        mid = people.save_member(s, {"name": "孙楼长", "id_number": OTHER_ID, "phone": "", "address": "",
                                     "category": "正式党员", "employer": ""})
    with store.session() as s:
        leader = s.get(BuildingLeader, lid)
        assert leader.resident_id == s.get(Member, mid).resident_id
        assert (leader.resident.phone, leader.is_member) == ("13500000001", True)


def test_new_member_typed_like_a_leader_without_id_number_is_that_person(store, orgs):
    lid = save_leader(store, leader_raw(orgs, name="孙楼长", phone="13500000001", is_member=False))
    with store.transaction() as s:
        mid = people.save_member(s, {"name": "孙楼长", "phone": "13500000001", "id_number": OTHER_ID,
                                     "category": "正式党员"})
    with store.session() as s:
        assert s.get(BuildingLeader, lid).resident_id == s.get(Member, mid).resident_id
        assert s.get(Member, mid).resident.id_number == OTHER_ID
    assert counts(store) == (1, 1)


def test_bulk_saved_member_keeps_a_known_persons_phone(store, orgs):
    save_leader(store, leader_raw(orgs, name="孙楼长", phone="13500000001", id_number=OTHER_ID))
    with store.transaction() as s:
        people.bulk_save_members(s, [(None, {"name": "孙楼长", "id_number": OTHER_ID, "phone": None,
                                             "category": "full", "household_id": None, "address": None})])
    with store.session() as s:
        r = s.scalars(select(Resident)).one()
        assert (r.phone, r.member is not None) == ("13500000001", True)


# ---- the leader form -------------------------------------------------------------------------
def show(qtbot, form):
    qtbot.addWidget(form, before_close_func=lambda w: w.done(QDialog.DialogCode.Rejected))
    form.show()
    qtbot.waitExposed(form)
    form.windowHandle().requestActivate()
    qtbot.waitUntil(form.isActiveWindow)
    return form


def type_into(qtbot, inp, text: str) -> None:
    """Click into a field and type; Chinese arrives from the input method as a committed string."""
    widget = inp.focus_widget
    widget.setFocus(Qt.FocusReason.MouseFocusReason)
    if text.isascii():
        qtbot.keyClicks(widget, text)
    else:
        event = QInputMethodEvent()
        event.setCommitString(text)
        QApplication.sendEvent(widget, event)


def choose(combo, text: str) -> None:
    combo.setCurrentIndex(combo.findText(text))


def test_typing_the_member_into_the_leader_form_keeps_their_id_number(qtbot, store, orgs, wang):
    before = person(store, wang)
    form = show(qtbot, LeaderForm(store))
    type_into(qtbot, form.inputs["name"], "王测试")  # typed, not picked from the list it opens
    type_into(qtbot, form.inputs["phone"], WANG_PHONE)
    choose(form.inputs["building_id"].editor, "3号楼")
    choose(form.inputs["unit_id"].editor, "2单元")
    form.inputs["is_member"].editor.click()
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)

    assert form.result() == QDialog.DialogCode.Accepted, form.form_message.text()
    assert person(store, wang) == before and before[2] == WANG_ID
    assert counts(store) == (1, 1)
    with store.session() as s:
        leader = s.get(BuildingLeader, form.saved_id)
        assert (leader.resident_id, leader.unit_id, leader.is_member) == (
            before[0], unit_id(store, orgs.buildings["3"], "2单元"), True)


def test_picking_the_member_from_the_name_list(qtbot, store, orgs, wang):
    before = person(store, wang)
    with store.transaction() as s:
        people.save_member(s, {"name": "赵六", "phone": "13600136000", "category": "正式党员"})
    form = show(qtbot, LeaderForm(store))
    name = form.inputs["name"]
    type_into(qtbot, name, "wcs")  # the initials find 王测试 and only them
    popup = name.line.completer().popup()
    qtbot.waitUntil(popup.isVisible)
    assert [popup.model().index(i, 0).data() for i in range(popup.model().rowCount())] == [
        "王测试  139****5678  3号楼2单元301  党员"]
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)

    assert name.raw() == "王测试"
    assert "已选择名册中的党员" in name.message.text()
    assert form.inputs["phone"].line.text() == "139****5678"  # shown partly hidden
    assert form.inputs["id_number"].line.text() == "370203********8073"
    assert form.inputs["is_member"].raw() is True
    choose(form.inputs["building_id"].editor, "3号楼")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)

    assert form.result() == QDialog.DialogCode.Accepted, form.form_message.text()
    assert person(store, wang) == before
    assert counts(store) == (2, 1)
    with store.session() as s:
        leader = s.get(BuildingLeader, form.saved_id)
        assert (leader.resident_id, leader.is_member, leader.unit_id) == (before[0], True, None)


def test_editing_the_name_after_picking_drops_the_pick(qtbot, store, orgs, wang):
    form = show(qtbot, LeaderForm(store))
    name = form.inputs["name"]
    qtbot.mouseClick(name.button, Qt.MouseButton.LeftButton)  # 选择已有人员… lists everyone
    popup = name.line.completer().popup()
    qtbot.waitUntil(popup.isVisible)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert form.person is not None and form.inputs["phone"].masked

    name.line.setFocus()
    qtbot.keyClick(name.line, Qt.Key.Key_Backspace)  # 王测 — someone else now
    assert form.person is None
    assert (form.inputs["phone"].raw(), form.inputs["id_number"].raw(), form.inputs["is_member"].raw()) == (
        "", "", False)
    assert name.message.text() == ""


def test_editing_a_leader_shows_the_numbers_hidden_and_keeps_them(qtbot, store, orgs, wang):
    lid = save_leader(store, leader_raw(orgs))
    form = show(qtbot, LeaderForm(store, lid))
    phone, idn = form.inputs["phone"], form.inputs["id_number"]
    assert (phone.line.text(), idn.line.text()) == ("139****5678", "370203********8073")
    assert "phone" not in form.raw_values() and not form.is_dirty()
    type_into(qtbot, form.inputs["phone"], "13500000000")  # the first key replaces the hidden number
    assert phone.raw() == "13500000000" and not phone.masked
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)

    assert form.result() == QDialog.DialogCode.Accepted, form.form_message.text()
    r = person(store, wang)
    assert (r[2], r[3]) == (WANG_ID, "13500000000")


def test_a_draft_keeps_the_picked_person(qtbot, store, orgs, wang, monkeypatch):
    from PySide6.QtWidgets import QPushButton

    from branchdesk.ui import forms

    monkeypatch.setattr(forms, "DRAFT_EVERY_MS", 50)
    form = show(qtbot, LeaderForm(store))
    form.pick_person(person(store, wang)[0])
    qtbot.waitUntil(lambda: (d := form.drafts.load(form.draft_key)) is not None and d.extra.get("resident_id"))
    assert "phone" not in form.drafts.load(form.draft_key).values  # a hidden number is not written to disk
    form._draft_timer.stop()  # the program dies with the form open
    form.hide()
    again = show(qtbot, LeaderForm(store))
    qtbot.mouseClick(again.findChild(QPushButton, "draftRestore"), Qt.MouseButton.LeftButton)
    assert again.person is not None and again.person.name == "王测试"
    assert again.inputs["phone"].line.text() == "139****5678"
