"""The three lists, the partners and 双报到 as the secretary uses them in the window:
a partner and its resource are entered in their forms, a demand is raised, matched
with a resource the dialog suggests, claimed by an in-service member and closed with
the residents' word; a step that does not fit the demand's state is not offered, and
a refused step shows its reason and changes nothing."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import date, timedelta  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QItemSelectionModel, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton  # noqa: E402

from branchdesk.models.lists import BY_MEMBER, DEMAND_CLAIMED, DEMAND_DONE, DEMAND_MATCHED, DUTY_DONE  # noqa: E402
from branchdesk.services import lists, people  # noqa: E402
from branchdesk.ui.issues import StepDialog  # noqa: E402
from branchdesk.ui.list_forms import DemandForm, MatchDialog, PartnerForm, ResourceForm, ResponsibilityForm  # noqa: E402
from exchange_helpers import build_qiming  # noqa: E402
from test_ui_issues import type_text, when_shown  # noqa: E402
from ui_helpers import id_number, shown_window  # noqa: E402

DEMANDS, RESOURCES, RESPONSIBILITIES, PARTNERS, REGISTERED = 6, 7, 8, 9, 10


@pytest.fixture
def window(qtbot, qapp, store):
    build_qiming(store)
    with store.transaction() as s:
        people.save_member(s, {"name": "王建华", "id_number": id_number("19800101", "135"), "category": "full",
                               "address": "1-1-101", "phone": "13912345678", "employer": "市人民医院",
                               "is_registered": True})
    return shown_window(qtbot, qapp, store)


def open_page(qtbot, window, index):
    page = window.show_page(index)
    qtbot.waitUntil(lambda: page.loaded and not page.tasks.busy)
    return page


def reloaded(qtbot, page, total):
    qtbot.waitUntil(lambda: page.model.total == total and not page.tasks.busy)


def select_only(page, row: int = 0) -> None:
    """Select one row as a click would (selectRow would toggle it if Qt still thought
    Ctrl was down after a shortcut)."""
    page.table.setFocus()
    flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    page.table.selectionModel().select(page.model.index(row, 0), flags)


def fill_step(qtbot, page, action, fill, *, expect_open: bool = False) -> None:
    """Run one of the page's steps: fill its dialog and press 确定."""
    def act(dialog: StepDialog):
        fill(dialog)
        dialog.findChild(QPushButton, "stepOk").click()
        if expect_open:  # refused: the dialog stays with its reason; give up on it
            assert dialog.isVisible()
            dialog.reject()
    when_shown(StepDialog, act)
    action.trigger()


def test_a_demand_from_the_list_to_the_residents_feedback(qtbot, window, store):
    # a partner and the resource it offers, typed into their forms
    partners = open_page(qtbot, window, PARTNERS)

    def partner(form: PartnerForm):
        type_text(form.inputs["name"].editor, "市第一人民医院")
        form.inputs["contact_phone"].editor.setText("13800001111")
        form.save_button.click()
    when_shown(PartnerForm, partner)
    partners.act_add.trigger()
    reloaded(qtbot, partners, 1)
    assert partners.model.display(0, 2) == "平时服务"  # the usual response level is filled in

    resources = open_page(qtbot, window, RESOURCES)

    def resource(form: ResourceForm):
        assert form.inputs["partner_id"].editor.isEnabled() and not form.inputs["provider_name"].editor.isEnabled()
        type_text(form.inputs["title"].editor, "每月一次上门测血压")
        form.inputs["categories"].editor.setText("健康保健")
        form.inputs["partner_id"].editor.setCurrentIndex(1)
        form.save_button.click()
    when_shown(ResourceForm, resource)
    resources.act_add.trigger()
    reloaded(qtbot, resources, 1)
    assert resources.model.display(0, 3) == "市第一人民医院"

    # the demand, raised from the keyboard (Ctrl+N) with today's date and 一般 filled in
    demands = open_page(qtbot, window, DEMANDS)

    def demand(form: DemandForm):
        assert form.inputs["raised_on"].raw() in (date.today(), f"{date.today():%Y-%m-%d}")
        type_text(form.inputs["category"].editor, "健康保健")
        type_text(form.inputs["description"].editor, "1号楼独居老人希望定期测血压")
        form.inputs["address"].editor.setText("1-1-102")
        form.save_button.click()
    when_shown(DemandForm, demand)
    window.activateWindow()  # offscreen, a closed dialog hands the activation back to no one
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    demands.table.setFocus()
    qtbot.keyClick(demands.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    reloaded(qtbot, demands, 1)
    select_only(demands)
    offered = {a.text(): a.isEnabled() for _s, a in demands.step_actions}
    assert offered == {"对接资源…": True, "认领…": True, "办结…": False, "关闭…": True}  # nothing to finish yet

    # 对接: the dialog offers the hospital's resource, of the same category
    def match(dialog: MatchDialog):
        assert dialog.table.topLevelItemCount() == 1
        assert dialog.table.topLevelItem(0).text(0) == "每月一次上门测血压"
        dialog.ok.click()
    when_shown(MatchDialog, match)
    demands.step_actions[0][1].trigger()
    qtbot.waitUntil(lambda: not demands.tasks.busy and demands.model.row_at(0).status == DEMAND_MATCHED)

    # 认领 by the member: first without choosing anyone (refused, nothing saved), then properly
    select_only(demands)
    claim = demands.step_actions[1][1]

    def nobody(d: StepDialog):
        d.inputs["claimer_kind"].set_value(BY_MEMBER)
        assert d.inputs["member_id"].editor.isEnabled() and not d.inputs["partner_id"].editor.isEnabled()
    fill_step(qtbot, demands, claim, nobody, expect_open=True)
    with store.session() as s:
        assert lists.get_demand(s, demands.model.row_at(0).id)["status"] == DEMAND_MATCHED

    def member(d: StepDialog):
        d.inputs["claimer_kind"].set_value(BY_MEMBER)
        d.inputs["member_id"].set_value(d.inputs["member_id"]._choices[0].id)
    select_only(demands)
    fill_step(qtbot, demands, claim, member)
    qtbot.waitUntil(lambda: not demands.tasks.busy and demands.model.row_at(0).status == DEMAND_CLAIMED)
    assert demands.model.row_at(0).claimed_by == "王建华"

    # 办结 with the residents' word
    select_only(demands)

    def done(d: StepDialog):
        type_text(d.inputs["result"].editor, "医院每月第一个周六上门")
        type_text(d.inputs["feedback"].editor, "老人很满意")
    fill_step(qtbot, demands, demands.step_actions[2][1], done)
    qtbot.waitUntil(lambda: not demands.tasks.busy and demands.model.row_at(0).status == DEMAND_DONE)
    select_only(demands)
    assert not any(a.isEnabled() for _s, a in demands.step_actions)  # a finished demand takes no more steps
    with store.session() as s:
        [row] = lists.list_demands(s)
        [registered] = lists.list_registered_members(s)
    assert (row.result, row.feedback, row.done_on) == ("医院每月第一个周六上门", "老人很满意", date.today())
    assert registered.services == 1  # the member's claim is on their 双报到 record

    # the partner's page counts the resource
    partners.reload()
    qtbot.waitUntil(lambda: not partners.tasks.busy)
    assert partners.model.row_at(0).resources == 1


def test_the_resource_filters_show_idle_resources_and_a_category(qtbot, window, store):
    with store.transaction() as s:
        partner = lists.save_partner(s, {"name": "阳光超市"})
        lists.save_resource(s, {"title": "送货上门", "categories": "生活服务、助老助残", "partner_id": partner})
        used = lists.save_resource(s, {"title": "义诊", "categories": "健康保健", "partner_id": partner})
        demand = lists.save_demand(s, {"category": "健康保健", "description": "义诊", "raised_by": "老年协会"},
                                   today=date.today())
        lists.match_demand(s, demand, used, on=date.today())
    page = open_page(qtbot, window, RESOURCES)
    assert page.model.total == 2
    usage = page.filter_boxes[2]
    usage.setCurrentIndex(usage.findText("闲置"))
    assert [page.model.row_at(i).title for i in range(page.model.rowCount())] == ["送货上门"]
    usage.setCurrentIndex(0)
    category = page.filter_boxes[0]
    category.setCurrentIndex(category.findText("助老助残"))  # one of the resource's two categories
    assert [page.model.row_at(i).title for i in range(page.model.rowCount())] == ["送货上门"]
    assert page.count_label.text() == "共 2 项，找到 1 项"


def test_a_duty_is_entered_done_and_no_longer_overdue(qtbot, window, store):
    page = open_page(qtbot, window, RESPONSIBILITIES)

    def duty(form: ResponsibilityForm):
        type_text(form.inputs["title"].editor, "垃圾分类督导")
        type_text(form.inputs["source"].editor, "街道党工委")
        form.save_button.click()  # refused: nobody owns it
        assert form.isVisible() and form.inputs["owner_unit"].error == "请填写责任主体或责任人。"
        type_text(form.inputs["owner_unit"].editor, "小区党支部")
        form.inputs["deadline"].set_value(date.today() - timedelta(days=3))
        form.save_button.click()
    when_shown(ResponsibilityForm, duty)
    page.act_add.trigger()
    reloaded(qtbot, page, 1)
    overdue = [c.field.label for c in page.model.columns].index("逾期")
    assert page.model.display(0, overdue) == "是"

    select_only(page)

    def finish(d: StepDialog):
        d.inputs["status"].set_value(DUTY_DONE)
        type_text(d.inputs["result"].editor, "已督导三次")
    fill_step(qtbot, page, page.step_actions[0][1], finish)
    qtbot.waitUntil(lambda: not page.tasks.busy and page.model.row_at(0).status == DUTY_DONE)
    assert page.model.display(0, overdue) == "否"
    assert page.model.row_at(0).done_on == date.today()


def test_taking_a_member_off_the_registered_list_can_be_undone(qtbot, window, store, monkeypatch):
    with store.transaction() as s:
        member_id = people.list_members(s)[0].id
        lists.register_member(s, member_id, on=date(2026, 3, 1))
    page = open_page(qtbot, window, REGISTERED)
    assert page.model.total == 1 and page.model.row_at(0).registered_on == date(2026, 3, 1)
    assert page.act_delete.text() == "取消报到"
    monkeypatch.setattr(QMessageBox, "exec", lambda self: QMessageBox.StandardButton.Yes)
    select_only(page)
    page.act_delete.trigger()
    reloaded(qtbot, page, 0)
    with store.session() as s:
        assert people.get_member(s, member_id)["is_registered"] is False  # still a member, not registered
    page.act_undo.trigger()
    reloaded(qtbot, page, 1)
    assert page.model.row_at(0).registered_on == date(2026, 3, 1)  # the day they had comes back
