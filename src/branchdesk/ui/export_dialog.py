"""Exporting to Excel from the window: one roster, or every roster as a sync
package, and the empty import templates.

The secretary chooses whether ID and phone numbers are shown in full (for the
street office) or partly hidden (for anything posted or printed: the default for
a roster); the export runs on a worker thread and offers to open the file."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QSettings, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QButtonGroup, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QMessageBox,
    QRadioButton, QVBoxLayout, QWidget,
)

from ..exchange import ExchangeError
# This module is imported when an export is first asked for, so the writer (and
# openpyxl with it) is not loaded at start-up.
from ..exchange.writer import (
    EDITABLE_CHOICES,
    MEETINGS,
    PACKAGE,
    ROSTER_NAMES,
    export_package,
    export_roster,
    has_numbers_to_hide,
    write_template,
)
from ..store import Store
from . import file_dialogs
from .tasks import TaskRunner

NAMES = {**ROSTER_NAMES, PACKAGE: "全部数据（数据包）"}
XLSX_FILTER = "Excel 工作簿 (*.xlsx)"


def _folder(settings: QSettings) -> Path:
    return Path(str(settings.value("export/folder", "") or Path.home()))


def _ask_save_path(parent: QWidget, settings: QSettings, title: str, suggested: str) -> Path | None:
    path = file_dialogs.save_file_name(parent, title, _folder(settings) / suggested, XLSX_FILTER)
    if path is None:
        return None
    if path.suffix.lower() != ".xlsx":
        path = path.with_name(path.name + ".xlsx")
    settings.setValue("export/folder", str(path.parent))
    return path


def offer_to_open(parent: QWidget, path: Path, text: str) -> None:
    box = QMessageBox(QMessageBox.Icon.Information, "导出完成", text, QMessageBox.StandardButton.NoButton, parent)
    open_file = box.addButton("打开文件", QMessageBox.ButtonRole.AcceptRole)
    open_folder = box.addButton("打开所在文件夹", QMessageBox.ButtonRole.ActionRole)
    box.addButton("关闭", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    if box.clickedButton() is open_file:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
    elif box.clickedButton() is open_folder:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))


class ExportDialog(QDialog):
    """Masked or full, who prepared it, then the file name."""

    exported = Signal(str)  # the file written

    def __init__(self, store: Store, settings: QSettings, kind: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.settings, self.kind = store, settings, kind
        self.tasks = TaskRunner(self)
        self.setObjectName("exportDialog")
        self.setWindowTitle(f"导出{NAMES[kind]}")

        package = kind == PACKAGE
        self.masked = QRadioButton("隐藏部分身份证号和电话（用于公示、张贴、打印）", self)
        self.masked.setObjectName("masked")
        self.full = QRadioButton("显示完整号码（报送街道用，请妥善保管）", self)
        self.full.setObjectName("full")
        group = QButtonGroup(self)
        group.addButton(self.masked)
        group.addButton(self.full)
        # a package is for merging into another database: full numbers unless asked otherwise
        (self.full if package else self.masked).setChecked(True)
        for button in (self.masked, self.full):
            button.setEnabled(has_numbers_to_hide(kind))  # 党组织名册 has none
        self.prepared_by = QLineEdit(str(settings.value("export/prepared_by", "") or ""), self)
        self.prepared_by.setObjectName("preparedBy")
        self.prepared_by.setPlaceholderText("写在表格末尾的“填报人”，可不填")

        intro = QLabel(self)
        intro.setWordWrap(True)
        if package:
            intro.setText("把组织架构、党组织、党员、楼栋长、党员中心户、各项清单和会议记录全部导出到一个 Excel 文件，"
                          "每种名册一个工作表，另有一张“基本信息”表。街道可以在自己的 branchdesk 中"
                          "用“从 Excel 导入”把各小区的数据包合并到一起（会议记录只随数据包导出，导入时不合并）。")
        elif kind == MEETINGS:
            intro.setText("把全部会议导出为“会议”“议程与决议”“签到”三张表，按日期排列，按 A4 横向排好版，"
                          "可直接打印归档。会议记录中只有姓名，没有身份证号和电话；会议记录只能导出，不能导入。")
        else:
            intro.setText("导出的表格带标题、表头和“记录编号”列，按 A4 横向排好版，可直接打印；"
                          "在 Excel 或 WPS 中修改后可以再导入，记录编号用于找回原记录。")
        form = QFormLayout()
        form.addRow("身份证号和电话：", self.masked)
        form.addRow("", self.full)
        form.addRow("填报人：", self.prepared_by)
        buttons = QDialogButtonBox(self)
        save = buttons.addButton("选择保存位置并导出…", QDialogButtonBox.ButtonRole.AcceptRole)
        save.setObjectName("exportButton")
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        save.clicked.connect(self.choose_and_export)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.resize(560, self.sizeHint().height())

    def suggested_name(self) -> str:
        hidden = self.masked.isChecked() and self.kind != PACKAGE and has_numbers_to_hide(self.kind)
        suffix = "（公示版）" if hidden else ""
        return f"{NAMES[self.kind].removesuffix('（数据包）')}{suffix}_{date.today():%Y%m%d}.xlsx"

    def choose_and_export(self) -> None:
        path = _ask_save_path(self, self.settings, f"导出{NAMES[self.kind]}", self.suggested_name())
        if path is not None:
            self.export_to(path)

    def export_to(self, path: Path) -> None:
        masked, kind = self.masked.isChecked(), self.kind
        prepared_by = self.prepared_by.text().strip()
        self.settings.setValue("export/prepared_by", prepared_by)

        def work(_report):
            with self.store.session() as session:
                if kind == PACKAGE:
                    return sum(export_package(session, path, masked=masked, prepared_by=prepared_by).values())
                return export_roster(session, kind, path, masked=masked, prepared_by=prepared_by)

        def done(count: int) -> None:
            shown = "已隐藏部分身份证号和电话" if masked else "完整号码，请妥善保管"
            shown = f"（{shown}）" if has_numbers_to_hide(kind) else ""
            self.exported.emit(str(path))
            self.accept()
            offer_to_open(self.parentWidget(), path, f"已把{NAMES[kind]}共 {count} 条导出到“{path.name}”{shown}。")

        def failed(exc: Exception) -> None:
            text = str(exc) if isinstance(exc, ExchangeError) else f"导出时出错：{exc}"
            QMessageBox.warning(self, "无法导出", text)

        self.tasks.run(work, on_done=done, on_error=failed, label=f"正在导出{NAMES[kind]}…")


def save_template(parent: QWidget, settings: QSettings, kind: str, store: Store | None = None) -> Path | None:
    """Ask where, write the empty import template of a kind, and offer to open it.
    With the store, the category columns of the lists offer the database's own lists."""
    title = NAMES[kind].removesuffix("花名册").removesuffix("名册")
    path = _ask_save_path(parent, settings, f"保存{title}导入模板", f"{title}导入模板.xlsx")
    if path is None:
        return None
    try:
        if store is not None and any(kind == k for k, _key in EDITABLE_CHOICES):
            # the category columns offer the database's current lists
            with store.session() as session:
                write_template(kind, path, session=session)
        else:
            write_template(kind, path)
    except ExchangeError as exc:
        QMessageBox.warning(parent, "无法保存模板", str(exc))
        return None
    offer_to_open(parent, path, f"已保存空白模板“{path.name}”：按表头逐行填写后，用“从 Excel 导入”导入。"
                                "每列的填写要求见其中的“填写说明”工作表。")
    return path
