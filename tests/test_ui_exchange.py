"""Exporting from the window as the secretary does it: 导出到 Excel… on a roster page
(masked by default), the whole database as a package from the 文件 menu, templates,
and a package brought into another branch's database through the import dialog."""
from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import openpyxl  # noqa: E402
import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QMenu, QMessageBox, QPushButton  # noqa: E402

from branchdesk.exchange import writer as W  # noqa: E402
from branchdesk.services import people  # noqa: E402
from branchdesk.services.demo import fill_demo  # noqa: E402
from branchdesk.ui import file_dialogs  # noqa: E402
from branchdesk.ui.export_dialog import ExportDialog  # noqa: E402
from branchdesk.ui.import_dialog import ImportDialog  # noqa: E402
from branchdesk.ui.main_window import MainWindow  # noqa: E402
from ui_helpers import press_shortcut, shown_window  # noqa: E402
from exchange_helpers import build_qiming  # noqa: E402

MESSAGES: list[str] = []


@pytest.fixture(autouse=True)
def _no_blocking_boxes(monkeypatch):
    """The 导出完成 box would wait for a click: record its text instead."""
    MESSAGES.clear()

    def fake_exec(box):
        MESSAGES.append(box.text())
        return 0
    monkeypatch.setattr(QMessageBox, "exec", fake_exec)


def _window(qtbot, qapp, store) -> MainWindow:
    return shown_window(qtbot, qapp, store)


@pytest.fixture
def demo_window(qtbot, qapp, store):
    with store.transaction() as s:
        fill_demo(s)
    return _window(qtbot, qapp, store)


def _save_as(monkeypatch, path) -> None:
    monkeypatch.setattr(file_dialogs, "save_file_name", lambda *a, **k: Path(path))


def _export_dialog(window) -> ExportDialog:
    [dialog] = [d for d in window.findChildren(ExportDialog) if d.isVisible()]
    return dialog


def test_members_export_is_masked_unless_full_is_chosen(qtbot, demo_window, store, tmp_path, monkeypatch):
    page = demo_window.show_page(1)
    qtbot.waitUntil(lambda: page.loaded and not page.tasks.busy)
    _save_as(monkeypatch, tmp_path / "公示")  # no suffix typed: .xlsx is added
    press_shortcut(qtbot, page.table, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)  # Ctrl+E
    qtbot.waitUntil(lambda: any(d.isVisible() for d in page.findChildren(ExportDialog)), timeout=5000)
    dialog = _export_dialog(page)
    assert dialog.masked.isChecked() and not dialog.full.isChecked()
    dialog.prepared_by.setText("周建华")
    qtbot.mouseClick(_button(dialog, "exportButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(MESSAGES), timeout=20_000)
    assert "已把党员花名册共" in MESSAGES[0] and "已隐藏部分身份证号和电话" in MESSAGES[0]
    ws = openpyxl.load_workbook(tmp_path / "公示.xlsx").active
    assert ws["A1"].value.endswith("党员花名册（已隐藏部分号码）")
    header = [c.value for c in ws[W.HEADER_ROW]]
    with store.session() as s:
        count = len(people.list_members(s))
    ids = [ws.cell(r, header.index("身份证号") + 1).value for r in range(W.HEADER_ROW + 1, W.HEADER_ROW + 1 + count)]
    assert all("********" in i for i in ids if i)
    assert ws.cell(W.HEADER_ROW + count + 2, 1).value.startswith("填报人：周建华")

    # full numbers when chosen; the prepared-by name was remembered
    MESSAGES.clear()
    _save_as(monkeypatch, tmp_path / "报街道.xlsx")
    page.act_export.trigger()
    dialog = _export_dialog(page)
    assert dialog.prepared_by.text() == "周建华"
    dialog.full.setChecked(True)
    qtbot.mouseClick(_button(dialog, "exportButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(MESSAGES), timeout=20_000)
    ws = openpyxl.load_workbook(tmp_path / "报街道.xlsx").active
    first_id = ws.cell(W.HEADER_ROW + 1, header.index("身份证号") + 1).value
    assert len(first_id) == 18 and "*" not in first_id


def _button(dialog, name) -> QPushButton:
    return dialog.findChild(QPushButton, name)


def test_template_from_the_leaders_page(qtbot, demo_window, tmp_path, monkeypatch):
    page = demo_window.show_page(3)
    qtbot.waitUntil(lambda: page.loaded and not page.tasks.busy)
    _save_as(monkeypatch, tmp_path / "楼栋长模板.xlsx")
    page.act_template.trigger()
    wb = openpyxl.load_workbook(tmp_path / "楼栋长模板.xlsx")
    assert wb.sheetnames[1] == "填写说明"
    assert [c.value for c in wb.active[1]][:2] == ["*姓名", "*联系电话"]
    assert "空白模板" in MESSAGES[0]


def test_package_from_the_file_menu_merges_into_another_branch(qtbot, qapp, demo_window, tmp_path, monkeypatch,
                                                               tmp_path_factory):
    from branchdesk.store import open_store

    menu = demo_window.menuBar().findChild(QMenu, "fileMenu")
    assert [a.text() for a in menu.actions() if a.text()][:2] == ["从 Excel 导入（名册或数据包）…",
                                                                 "导出全部数据（数据包）…"]
    package = tmp_path / "光明社区数据包.xlsx"
    _save_as(monkeypatch, package)
    demo_window.act_export_package.trigger()
    dialog = _export_dialog(demo_window)
    assert dialog.full.isChecked()  # a package is for merging: full numbers by default
    qtbot.mouseClick(_button(dialog, "exportButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(MESSAGES), timeout=30_000)
    assert openpyxl.load_workbook(package, read_only=True).sheetnames[0] == "基本信息"

    # another branch's database: 启明小区 only
    other = open_store(tmp_path_factory.mktemp("other") / "other.db", create=True)
    try:
        build_qiming(other)
        window = _window(qtbot, qapp, other)
        members = window.show_page(1)
        qtbot.waitUntil(lambda: members.loaded and not members.tasks.busy)
        assert members.model.rowCount() == 0
        monkeypatch.setattr(file_dialogs, "open_file_name", lambda *a, **k: Path(package))
        window.act_import_any.trigger()
        [imp] = [d for d in window.findChildren(ImportDialog) if d.isVisible()]
        qtbot.waitUntil(lambda: imp.plan is not None, timeout=60_000)
        text = imp.summary.text()
        assert "是数据包，导出自另一个数据库" in text and "党员花名册：新增 " in text and "有问题 0 条" in text
        first = imp.model.data(imp.model.index(0, 0))
        assert first.startswith("住户花名册 第 ")  # rows name their sheet
        saved: list[int] = []
        imp.imported.connect(saved.append)
        qtbot.mouseClick(imp.import_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bool(saved), timeout=60_000)
        assert "已导入" in window.statusBar().currentMessage()
        qtbot.waitUntil(lambda: members.loaded and not members.tasks.busy and members.model.rowCount() > 0)
        with other.session() as s:
            assert members.model.rowCount() == len(people.list_members(s)) > 100
        window.close()
        for page in window.pages:
            page.tasks.wait()
    finally:
        other.close()


def test_a_list_template_from_its_page_offers_the_databases_categories(qtbot, qapp, store, tmp_path, monkeypatch):
    from branchdesk.models.lists import DEMAND_CATEGORY
    from branchdesk.services import lists

    build_qiming(store)
    with store.transaction() as s:
        lists.add_choice(s, DEMAND_CATEGORY, "宠物服务")
    window = _window(qtbot, qapp, store)
    [page] = [p for p in window.pages if getattr(getattr(p, "spec", None), "exchange_kind", None) == "demands"]
    window.show_page(window.pages.index(page))
    qtbot.waitUntil(lambda: page.loaded and not page.tasks.busy)
    _save_as(monkeypatch, tmp_path / "需求模板.xlsx")
    page.act_template.trigger()
    ws = openpyxl.load_workbook(tmp_path / "需求模板.xlsx").active
    assert ws["A1"].value == "*需求类别"
    [category] = [dv for dv in ws.data_validations.dataValidation if str(dv.sqref).startswith("A2")]
    assert "宠物服务" in category.formula1 and "亲子娱乐" in category.formula1  # the database's own list
    assert "空白模板" in MESSAGES[0]


def test_meetings_from_the_file_menu(qtbot, qapp, store, tmp_path, monkeypatch):
    from branchdesk.services import meetings

    build_qiming(store)
    with store.transaction() as s:
        held = meetings.save_meeting(s, {"kind": "支委会", "title": "研究年终慰问", "date": "2026-11-18",
                                         "start_time": "14:30", "place": "党群服务站"})
        meetings.set_attendees(s, held, [{"name": "王建华", "role": "member", "present": True}])
    window = _window(qtbot, qapp, store)
    menu = window.menuBar().findChild(QMenu, "fileMenu")
    [act] = [a for a in menu.actions() if a.text().startswith("导出会议记录")]
    _save_as(monkeypatch, tmp_path / "会议记录.xlsx")
    act.trigger()
    dialog = _export_dialog(window)
    assert dialog.windowTitle() == "导出会议记录"
    assert not dialog.masked.isEnabled() and not dialog.full.isEnabled()  # names only: nothing to hide
    assert dialog.suggested_name().startswith("会议记录")
    qtbot.mouseClick(_button(dialog, "exportButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(MESSAGES), timeout=20_000)
    assert MESSAGES[0] == "已把会议记录共 1 条导出到“会议记录.xlsx”。"
    wb = openpyxl.load_workbook(tmp_path / "会议记录.xlsx")
    assert wb.sheetnames == ["会议", "议程与决议", "签到"] and wb["签到"].cell(W.HEADER_ROW + 1, 3).value == "王建华"
