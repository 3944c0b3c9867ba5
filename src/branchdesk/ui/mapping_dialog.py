"""Which column is which: shown when the import is not sure how to read a file's
header (a wording it does not know, or a required column it cannot find).

Each column of the file is listed with its header, the first values under it and
what it will be imported as; the secretary corrects the guesses and confirms.
A confirmed mapping is remembered for files of the same layout, so the street
office's next file of that shape goes straight to the preview."""
from __future__ import annotations

import json

from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..exchange.importer import KINDS, ImportPlan
from ..exchange.reader import Mapping

SETTINGS_KEY = "import/mappings"
NOT_IMPORTED = ""


def remembered_mappings(settings: QSettings) -> dict[str, Mapping]:
    try:
        value = json.loads(str(settings.value(SETTINGS_KEY, "") or "{}"))
    except ValueError:  # a damaged setting is forgotten, not fatal
        return {}
    return value if isinstance(value, dict) else {}


def remember_mapping(settings: QSettings, signature: str, mapping: Mapping) -> None:
    known = remembered_mappings(settings)
    known[signature] = mapping
    settings.setValue(SETTINGS_KEY, json.dumps(known, ensure_ascii=False))


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class MappingDialog(QDialog):
    """One row per column of the file: 列, 表头, 示例, 导入为."""

    def __init__(self, plan: ImportPlan, parent: QWidget | None = None):
        super().__init__(parent)
        self.plan = plan
        self.setObjectName("mappingDialog")
        self.setWindowTitle("确认各列的含义")
        self.setSizeGripEnabled(True)
        fields = KINDS[plan.kind].fields

        intro = QLabel(self)
        intro.setWordWrap(True)
        lines = [f"“{plan.file_name}”工作表“{plan.sheet_name}”中有几列的含义无法确定，请在“导入为”一栏核对或选择，"
                 "不需要的列选“（不导入）”。"]
        if plan.missing_required:
            lines.append(f"没有找到必填的列：{'、'.join(plan.missing_required)}。")
        intro.setText("\n".join(lines))

        self.table = QTableWidget(len(plan.layout), 4, self)
        self.table.setObjectName("mappingTable")
        self.table.setHorizontalHeaderLabels(["列", "表头", "前几行的内容", "导入为"])
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.boxes: list[QComboBox] = []
        for row, column in enumerate(plan.layout):
            chosen = column.key or column.guess
            cells = (_column_letter(column.index), column.header or "（无表头）", "、".join(column.samples))
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if column.guess and not column.key:
                    item.setBackground(QColor("#fff1c1"))  # a guess: look here first
                self.table.setItem(row, col, item)
            box = QComboBox(self.table)
            box.addItem("（不导入）", NOT_IMPORTED)
            for f in fields:
                box.addItem(f.label, f.key)
            box.setCurrentIndex(max(0, box.findData(chosen or NOT_IMPORTED)))
            self.table.setCellWidget(row, 3, box)
            self.boxes.append(box)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)

        self.remember = QCheckBox("记住这种格式的表格，下次自动按此读取", self)
        self.remember.setObjectName("remember")
        self.remember.setChecked(True)
        self.problem = QLabel(self)
        self.problem.setObjectName("mappingProblem")
        self.problem.setStyleSheet("color: #c0392b;")
        self.problem.setWordWrap(True)
        buttons = QDialogButtonBox(self)
        ok = buttons.addButton("按此读取", QDialogButtonBox.ButtonRole.AcceptRole)
        ok.setObjectName("applyMapping")
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        ok.clicked.connect(self._confirm)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.remember)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.resize(760, 420)

    def mapping(self) -> Mapping:
        """normalised header → field key ("" for a column not imported), for every
        column with a header: the whole layout as the secretary confirmed it."""
        return {column.norm: box.currentData() for column, box in zip(self.plan.layout, self.boxes)
                if column.norm}

    def _confirm(self) -> None:
        chosen: dict[str, list[str]] = {}
        for column, box in zip(self.plan.layout, self.boxes):
            if box.currentData():
                chosen.setdefault(box.currentText(), []).append(_column_letter(column.index))
        twice = [f"“{label}”（{'、'.join(cols)} 列）" for label, cols in chosen.items() if len(cols) > 1]
        if twice:
            self.problem.setText(f"同一项不能对应两列：{'；'.join(twice)}。请把其中一列改为“（不导入）”。")
            return
        self.accept()
