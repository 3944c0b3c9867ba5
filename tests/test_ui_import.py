"""The import dialog as the secretary uses it: 从 Excel 导入… on the members page,
choose the file, read the preview, import, or save the rejected rows."""
from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import openpyxl  # noqa: E402
import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QPushButton  # noqa: E402

from branchdesk.services import people  # noqa: E402
from branchdesk.ui import file_dialogs  # noqa: E402
from branchdesk.ui.import_dialog import ImportDialog  # noqa: E402
from branchdesk.ui.mapping_dialog import MappingDialog  # noqa: E402
from ui_helpers import shown_window  # noqa: E402
from exchange_helpers import HEADER, build_qiming, rows, write_roster  # noqa: E402


@pytest.fixture
def window(qtbot, qapp, store):
    build_qiming(store)
    return shown_window(qtbot, qapp, store)


def open_import(qtbot, window, monkeypatch, path) -> ImportDialog:
    page = window.show_page(1)
    qtbot.waitUntil(lambda: page.loaded and not page.tasks.busy)
    monkeypatch.setattr(file_dialogs, "open_file_name", lambda *a, **k: Path(path))
    page.act_import.trigger()
    [dialog] = [d for d in page.findChildren(ImportDialog) if d.isVisible()]
    qtbot.waitUntil(lambda: dialog.plan is not None or "出错" in dialog.summary.text() or "不是" in dialog.summary.text())
    return dialog


def shown_rows(dialog) -> list[tuple[str, str, str]]:
    m = dialog.model
    return [tuple(m.data(m.index(r, c)) for c in (1, 2, 3)) for r in range(m.rowCount())]


def test_preview_then_import_fills_the_members_page(qtbot, window, store, tmp_path, monkeypatch):
    dialog = open_import(qtbot, window, monkeypatch, write_roster(tmp_path / "花名册.xlsx", rows()))
    assert "新增 3 条，修改 0 条，无变化 0 条，有问题 0 条" in dialog.summary.text()
    assert "没有用到的列：序号、照片" in dialog.summary.text()
    assert [r[:2] for r in shown_rows(dialog)] == [("新增", "张三"), ("新增", "李四"), ("新增", "王五")]
    with store.session() as s:
        assert people.list_members(s) == []  # the preview wrote nothing
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    page = window.pages[1]
    qtbot.waitUntil(lambda: page.model.total == 3 and not page.tasks.busy)
    assert "已导入 3 条党员记录" in window.statusBar().currentMessage()
    assert any("before-import" in p.name for p in (store.path.parent / "backups").iterdir())


def test_changed_rows_show_old_and_new(qtbot, window, store, tmp_path, monkeypatch):
    first = write_roster(tmp_path / "a.xlsx", rows())
    dialog = open_import(qtbot, window, monkeypatch, first)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    page = window.pages[1]
    qtbot.waitUntil(lambda: page.model.total == 3 and not page.tasks.busy)
    data = rows()
    data[0][8] = "13811112222"
    dialog = open_import(qtbot, window, monkeypatch, write_roster(tmp_path / "b.xlsx", data))
    assert "新增 0 条，修改 1 条，无变化 2 条" in dialog.summary.text()
    dialog.show_box.setCurrentIndex(dialog.show_box.findText("只看修改"))
    assert shown_rows(dialog) == [("修改", "张三", "联系电话：138****8000 → 138****2222")]


def test_bad_rows_block_the_import_and_go_back_as_a_workbook(qtbot, window, store, tmp_path, monkeypatch):
    data = rows()
    data[1][4] = 440305198506151310  # ID typed into a number cell
    source = write_roster(tmp_path / "花名册.xlsx", data)
    dialog = open_import(qtbot, window, monkeypatch, source)
    assert not dialog.import_button.isEnabled() and dialog.errors_button.isEnabled()
    assert "在全部改好之前不会导入任何数据" in dialog.summary.text()
    assert shown_rows(dialog)[0][:2] == ("有问题", "李四")  # the view opens on the problems
    out = tmp_path / "退回.xlsx"
    monkeypatch.setattr(file_dialogs, "save_file_name", lambda *a, **k: Path(out))
    qtbot.mouseClick(dialog.errors_button, Qt.MouseButton.LeftButton)
    ws = openpyxl.load_workbook(out).active
    assert ws.cell(2, 1).value == 5 and "存成了数字" in ws.cell(2, ws.max_column).value
    with store.session() as s:
        assert people.list_members(s) == []


def test_a_file_that_is_not_a_workbook_is_explained(qtbot, window, tmp_path, monkeypatch):
    path = tmp_path / "名单.xlsx"
    path.write_text("hello")
    dialog = open_import(qtbot, window, monkeypatch, path)
    assert "不是 Excel 文件" in dialog.summary.text() and not dialog.import_button.isEnabled()


# ---- columns the import is not sure of, and several roster sheets --------------------------
UNSURE_HEADER = ["序号", "姓名", "证件号码", "党员类别", "现居住地址", "手机号码"]


def _unsure_rows() -> list[list]:
    return [[r[0], r[1], r[4], r[6], r[9], r[8]] for r in rows()]


def _mapping_dialog(qtbot, dialog) -> MappingDialog:
    qtbot.waitUntil(lambda: any(d.isVisible() for d in dialog.findChildren(MappingDialog)))
    return next(d for d in dialog.findChildren(MappingDialog) if d.isVisible())


def test_unsure_columns_are_confirmed_once_and_remembered(qtbot, window, store, tmp_path, monkeypatch):
    source = write_roster(tmp_path / "街道名单.xlsx", _unsure_rows(), header=UNSURE_HEADER)
    dialog = open_import(qtbot, window, monkeypatch, source)
    mapping = _mapping_dialog(qtbot, dialog)
    chosen = {mapping.table.item(r, 1).text(): mapping.boxes[r].currentText() for r in range(len(mapping.boxes))}
    # the guesses for the unknown wordings, the known ones as read, 序号 not imported
    assert chosen == {"序号": "（不导入）", "姓名": "姓名", "证件号码": "身份证号", "党员类别": "党员类别",
                      "现居住地址": "住址", "手机号码": "联系电话"}
    # one field for two columns is refused in the dialog itself
    mapping.boxes[0].setCurrentIndex(mapping.boxes[0].findText("姓名"))
    qtbot.mouseClick(mapping.findChild(QPushButton, "applyMapping"), Qt.MouseButton.LeftButton)
    assert mapping.isVisible() and "同一项不能对应两列" in mapping.problem.text()
    mapping.boxes[0].setCurrentIndex(0)
    qtbot.mouseClick(mapping.findChild(QPushButton, "applyMapping"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.plan is not None and dialog.plan.mapped)
    assert "新增 3 条，修改 0 条，无变化 0 条，有问题 0 条" in dialog.summary.text()
    assert "已按确认过的对应关系读取" in dialog.summary.text()
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    page = window.pages[1]
    qtbot.waitUntil(lambda: page.model.total == 3 and not page.tasks.busy)
    with store.session() as s:
        assert {m.id_number for m in people.list_members(s)} == {r[4] for r in rows()}
        assert {m.short_address for m in people.list_members(s)} == {"1-1-101", "2-1-201", "3-2-302"}

    # the next file of that layout goes straight to the preview
    data = _unsure_rows()
    data[0][5] = "13811112222"
    dialog = open_import(qtbot, window, monkeypatch, write_roster(tmp_path / "下个月.xlsx", data,
                                                                  header=UNSURE_HEADER))
    assert dialog.plan.mapped and "修改 1 条" in dialog.summary.text()
    assert not [d for d in dialog.findChildren(MappingDialog) if d.isVisible()]


def test_another_roster_sheet_can_be_chosen(qtbot, window, tmp_path, monkeypatch):
    path = write_roster(tmp_path / "两个支部.xlsx", rows()[:2])
    wb = openpyxl.load_workbook(path)
    other = wb.create_sheet("第二支部")
    other.append(HEADER)
    other.append(rows()[2])
    wb.save(path)
    dialog = open_import(qtbot, window, monkeypatch, path)
    assert dialog.plan.sheet_name == "党员" and dialog.sheet_box.isVisible()
    assert [dialog.sheet_box.itemData(i) for i in range(dialog.sheet_box.count())] == ["党员", "第二支部"]
    index = dialog.sheet_box.findData("第二支部")
    dialog.sheet_box.setCurrentIndex(index)
    dialog.sheet_box.activated.emit(index)
    qtbot.waitUntil(lambda: dialog.plan is not None and dialog.plan.sheet_name == "第二支部")
    assert [r[1] for r in shown_rows(dialog)] == ["王五"]


def test_cancelling_a_long_import_leaves_the_roster_as_it_was(qtbot, window, store, tmp_path, monkeypatch):
    import time

    from PySide6.QtWidgets import QProgressDialog

    dialog = open_import(qtbot, window, monkeypatch, write_roster(tmp_path / "花名册.xlsx", rows()))
    real_save = people.bulk_save_members

    def slow_save(session, records):
        saved = real_save(session, records)  # written inside the transaction…
        time.sleep(1.5)  # …and still going when the secretary presses 取消
        return saved
    monkeypatch.setattr(people, "bulk_save_members", slow_save)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(d.isVisible() for d in dialog.findChildren(QProgressDialog)), timeout=5000)
    progress = next(d for d in dialog.findChildren(QProgressDialog) if d.isVisible())
    assert progress.labelText().startswith("正在")
    [cancel] = [b for b in progress.findChildren(QPushButton) if b.text() == "取消"]
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "已取消导入" in dialog.summary.text(), timeout=10_000)
    assert "没有导入任何数据" in dialog.summary.text() and dialog.import_button.isEnabled()
    with store.session() as s:
        assert people.list_members(s) == []


def test_a_workbook_of_several_lists_is_named_as_what_it_is(qtbot, window, tmp_path, monkeypatch):
    import shutil
    from pathlib import Path

    sample = Path(__file__).parent / "samples" / "三张清单_示例.xlsx"  # 需求清单, 资源清单, 责任清单 in one file
    path = Path(shutil.copy(sample, tmp_path / sample.name))
    monkeypatch.setattr(file_dialogs, "open_file_name", lambda *a, **k: Path(path))
    window.act_import_any.trigger()
    [dialog] = [d for d in window.findChildren(ImportDialog) if d.isVisible()]
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=30_000)
    text = dialog.summary.text()
    assert dialog.plan.kind == "lists"
    assert text.startswith(f"“{path.name}”是一个工作簿中的 3 张清单：“资源清单”（资源清单）、“需求清单”（需求清单）、"
                           "“责任清单”（责任清单），将一并导入。")
    assert "数据包" not in text and "导出自" not in text
    assert dialog.import_button.isEnabled()
    dialog.reject()


def test_a_package_with_meetings_says_they_are_not_merged(qtbot, window, store, tmp_path, monkeypatch):
    from branchdesk.exchange.package import MEETINGS_NOT_MERGED
    from branchdesk.exchange.writer import export_package
    from branchdesk.services import meetings

    with store.transaction() as s:
        meetings.save_meeting(s, {"kind": "支委会", "date": "2026-11-18", "start_time": "14:30"})
        export_package(s, tmp_path / "数据包.xlsx")
    monkeypatch.setattr(file_dialogs, "open_file_name", lambda *a, **k: Path(tmp_path / "数据包.xlsx"))
    window.act_import_any.trigger()
    [dialog] = [d for d in window.findChildren(ImportDialog) if d.isVisible()]
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=30_000)
    lines = dialog.summary.text().splitlines()
    assert lines[0] == "“数据包.xlsx”是数据包，导出自本数据库。" and lines[1] == MEETINGS_NOT_MERGED
    assert not any(line.startswith(("会议：", "签到：")) for line in lines)
    dialog.reject()
