"""The import dialog: choose a file, see exactly what will change, then import it
all at once, or send the rejected rows back as an error workbook.

Reading and checking run on a worker thread with a progress dialog; nothing is
written until 导入 is pressed, and then all rows go in one transaction."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSettings, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QDialog, QDialogButtonBox, QHBoxLayout, QHeaderView, QLabel,
    QLineEdit, QMessageBox, QPushButton, QTableView, QVBoxLayout, QWidget,
)

from ..exchange import ExchangeError
from ..exchange.importer import (
    CHANGED,
    INVALID,
    KINDS,
    NEW,
    STATUS_LABELS,
    UNCHANGED,
    ImportPlan,
    ListsPlan,
    PackagePlan,
    PlannedRow,
    hidden_of,
    left_out_text,
)
from ..exchange.package import MEETINGS_NOT_MERGED
from ..store import Store
from . import file_dialogs
from .mapping_dialog import MappingDialog, remember_mapping, remembered_mappings
from .tasks import TaskRunner

FILE_FILTER = "表格文件 (*.xlsx *.xlsm *.xls *.ods *.csv);;所有文件 (*)"
STATUS_COLORS = {NEW: "#1e7b34", CHANGED: "#1f5fa8", UNCHANGED: "#7a7a7a", INVALID: "#c0392b"}


class PlanModel(QAbstractTableModel):
    """Planned rows with the sheet they come from ("" for a single roster)."""

    HEADERS = ("行号", "结果", "名称", "说明")

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[tuple[str, PlannedRow]] = []

    def set_rows(self, rows: list[tuple[str, PlannedRow]]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def row_at(self, n: int) -> tuple[str, PlannedRow]:
        return self._rows[n]

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        sheet, row = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            place = f"{sheet} 第 {row.excel_row} 行" if sheet else str(row.excel_row)
            return (place, STATUS_LABELS[row.status], row.name, describe(row))[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 1:
            return QBrush(QColor(STATUS_COLORS[row.status]))
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None


def describe(row: PlannedRow) -> str:
    if row.status == INVALID:
        return row.problem_text()
    if row.status == CHANGED:
        return "；".join(f"{c.label}：{c.old} → {c.new}" for c in row.changes)
    return ""


class ImportDialog(QDialog):
    imported = Signal(int)  # rows saved

    def __init__(self, store: Store, settings: QSettings, kind: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.settings, self.kind = store, settings, kind
        self.plan: ImportPlan | PackagePlan | None = None
        self.path: Path | None = None
        self.sheet: str | None = None  # a sheet the secretary picked; None: the best one
        self.mapping: dict[str, str] | None = None  # columns as the secretary confirmed them
        self.tasks = TaskRunner(self)
        self.setObjectName("importDialog")
        self.setWindowTitle(f"从 Excel 导入{KINDS[kind].title}" if kind else "从 Excel 导入（名册或数据包）")
        self.setSizeGripEnabled(True)

        self.file_edit = QLineEdit(self)
        self.file_edit.setReadOnly(True)
        self.file_edit.setPlaceholderText("请选择街道下发或自己整理的 .xlsx、.xls 或 .csv 文件")
        choose = QPushButton("选择文件…", self)
        choose.setObjectName("chooseFile")
        choose.clicked.connect(self.choose_file)
        # what Excel hides is left out unless asked for; the preview says what there was
        self.hidden_box = QCheckBox("包括隐藏的工作表和行", self)
        self.hidden_box.setObjectName("includeHidden")
        self.hidden_box.setToolTip("在 Excel 或 WPS 中隐藏的工作表和行默认不导入；勾选后一并检查和导入")
        self.hidden_box.toggled.connect(self._hidden_toggled)
        self.summary = QLabel("还没有选择文件。", self)
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        self.show_box = QComboBox(self)
        self.show_box.setObjectName("showStatus")
        self.show_box.addItem("显示全部", None)
        for status in (NEW, CHANGED, INVALID, UNCHANGED):
            self.show_box.addItem(f"只看{STATUS_LABELS[status]}", status)
        self.show_box.currentIndexChanged.connect(self._show_rows)
        # where a workbook has several sheets that look like the roster, the secretary picks
        self.sheet_box = QComboBox(self)
        self.sheet_box.setObjectName("sheetChoice")
        self.sheet_box.setToolTip("文件中有几个工作表都像是名册，可以换一个")
        self.sheet_box.setVisible(False)
        self.sheet_box.activated.connect(self._sheet_chosen)

        self.model = PlanModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("planTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setColumnWidth(2, 90 if kind else 170)  # a package names households by address
        # the whole explanation of the chosen row: a table cell cuts long messages
        self.details = QLabel(self)
        self.details.setObjectName("rowDetails")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setStyleSheet("QLabel { background: #fbfaf9; border: 1px solid #e4e0dc; padding: 6px; }")
        self.details.setMinimumHeight(self.fontMetrics().height() * 3 + 14)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.table.selectionModel().currentRowChanged.connect(self._show_details)

        self.buttons = QDialogButtonBox(self)
        self.import_button = self.buttons.addButton("导入", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setObjectName("importButton")
        self.import_button.setEnabled(False)
        self.errors_button = self.buttons.addButton("保存有问题的行…", QDialogButtonBox.ButtonRole.ActionRole)
        self.errors_button.setObjectName("errorsButton")
        self.errors_button.setEnabled(False)
        self.columns_button = self.buttons.addButton("调整列的对应…", QDialogButtonBox.ButtonRole.ActionRole)
        self.columns_button.setObjectName("columnsButton")
        self.columns_button.setToolTip("核对文件的每一列导入为哪一项")
        self.columns_button.setEnabled(False)
        self.columns_button.clicked.connect(self.ask_columns)
        close = self.buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        close.setObjectName("closeButton")
        self.import_button.clicked.connect(self.apply)
        self.errors_button.clicked.connect(self.save_errors)
        close.clicked.connect(self.reject)

        top = QHBoxLayout()
        top.addWidget(QLabel("文件：", self))
        top.addWidget(self.file_edit, 1)
        top.addWidget(choose)
        top.addWidget(self.hidden_box)
        middle = QHBoxLayout()
        middle.addWidget(self.summary, 1)
        middle.addWidget(self.sheet_box, 0, Qt.AlignmentFlag.AlignBottom)
        middle.addWidget(self.show_box, 0, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(middle)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.details)
        layout.addWidget(self.buttons)
        self.resize(900, 560)
        choose.setShortcut(QKeySequence.StandardKey.Open)

    # ---- choosing and checking ----
    def choose_file(self) -> None:
        folder = str(self.settings.value("import/folder", "") or Path.home())
        path = file_dialogs.open_file_name(self, "选择要导入的文件", folder, FILE_FILTER)
        if path is not None:
            self.settings.setValue("import/folder", str(path.parent))
            self.sheet, self.mapping = None, None
            self.load_file(path)

    def _hidden_toggled(self, _checked: bool) -> None:
        if self.path is not None:
            self.load_file(self.path)

    def load_file(self, path: Path) -> None:
        self.path = path
        sheet, mapping, remembered = self.sheet, self.mapping, remembered_mappings(self.settings)
        include_hidden = self.hidden_box.isChecked()
        self.file_edit.setText(path.name)  # the folder is in the tooltip: a long path hides the name
        self.file_edit.setToolTip(str(path))
        self._set_plan(None, "正在读取和检查…")

        def work(report):
            from ..exchange.importer import plan_import

            with self.store.session() as session:
                return plan_import(session, path, kind=self.kind, sheet=sheet, mapping=mapping,
                                   remembered=remembered, report=report, include_hidden=include_hidden)

        self.tasks.run(work, on_done=self._planned, on_error=self._failed, label=f"正在检查“{path.name}”…",
                       cancellable=True, on_cancel=lambda: self._set_plan(None, "已取消检查，请重新选择文件。"))

    def _failed(self, exc: Exception) -> None:
        if isinstance(exc, ExchangeError):
            self._set_plan(None, str(exc))
        else:
            self._set_plan(None, f"读取文件时出错：{exc}")
        self.summary.setStyleSheet("color: #c0392b;")

    def _planned(self, plan: ImportPlan | PackagePlan) -> None:
        c = plan.counts
        if isinstance(plan, PackagePlan):
            if isinstance(plan, ListsPlan):
                lines = [f"“{plan.file_name}”是一个工作簿中的 {len(plan.plans)} 张清单：{plan.sheets_named}，"
                         "将一并导入。"]
            else:
                origin = "另一个数据库，将按身份证号、姓名和住址合并" if plan.foreign else "本数据库"
                lines = [f"“{plan.file_name}”是数据包，导出自{origin}。"]
            if plan.has_meetings:
                lines.append(MEETINGS_NOT_MERGED)
            lines.extend(f"{sub.sheet_name}：新增 {sub.count(NEW)}，修改 {sub.count(CHANGED)}，"
                         f"有问题 {sub.count(INVALID)}。" for sub in plan.plans)
            lines.append(f"合计：新增 {c[NEW]} 条，修改 {c[CHANGED]} 条，无变化 {c[UNCHANGED]} 条，有问题 {c[INVALID]} 条。")
        else:
            lines = [f"文件“{plan.file_name}”，工作表“{plan.sheet_name}”，表头在第 {plan.header_row} 行。",
                     f"新增 {c[NEW]} 条，修改 {c[CHANGED]} 条，无变化 {c[UNCHANGED]} 条，有问题 {c[INVALID]} 条。"]
            if plan.mapped:
                lines.append("各列已按确认过的对应关系读取（可点“调整列的对应…”修改）。")
            if plan.ignored:
                lines.append(f"没有用到的列：{'、'.join(plan.ignored)}。")
        hidden = hidden_of(plan)
        if hidden:  # 跳过隐藏的工作表“旧名册”（10 行）、隐藏的行 3 行
            lines.append(f"{hidden.text()}。" + ("" if hidden.included else "如需导入，请勾选“包括隐藏的工作表和行”。"))
        if left_out_text(plan):
            lines.append(left_out_text(plan))
        if c[INVALID]:
            lines.append("有问题的行必须先改好：可以点“保存有问题的行…”，把它们连同问题说明发回给填表人。"
                         "在全部改好之前不会导入任何数据。")
        elif not plan.to_save:
            lines.append("文件中的数据与现有名册完全一致，没有需要导入的变化。")
        self._set_plan(plan, "\n".join(lines))
        if c[INVALID]:
            self.show_box.setCurrentIndex(self.show_box.findData(INVALID))
        single = isinstance(plan, ImportPlan)
        self.sheet_box.setVisible(single and bool(plan.other_sheets))
        if single and plan.other_sheets:
            self.sheet_box.clear()
            for name in sorted([plan.sheet_name, *plan.other_sheets]):
                self.sheet_box.addItem(f"工作表：{name}", name)
            self.sheet_box.setCurrentIndex(self.sheet_box.findData(plan.sheet_name))
        if single and plan.unsure and not plan.mapped:
            self.ask_columns()

    def _sheet_chosen(self, index: int) -> None:
        name = self.sheet_box.itemData(index)
        if self.path is not None and isinstance(self.plan, ImportPlan) and name != self.plan.sheet_name:
            self.sheet, self.mapping = name, None
            self.load_file(self.path)

    def ask_columns(self) -> None:
        """Let the secretary say which column is which, then check the file again."""
        plan = self.plan
        if not isinstance(plan, ImportPlan) or self.path is None:
            return
        dialog = MappingDialog(plan, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._columns_confirmed(plan, dialog.mapping(), dialog.remember.isChecked()))
        dialog.open()

    def _columns_confirmed(self, plan: ImportPlan, mapping: dict[str, str], remember: bool) -> None:
        if remember:
            remember_mapping(self.settings, plan.signature, mapping)
        self.sheet, self.mapping = plan.sheet_name, mapping
        if self.path is not None:
            self.load_file(self.path)

    def _set_plan(self, plan: ImportPlan | PackagePlan | None, text: str) -> None:
        self.plan = plan
        self.summary.setStyleSheet("")
        self.summary.setText(text)
        self.import_button.setEnabled(bool(plan and not plan.invalid and plan.to_save))
        self.errors_button.setEnabled(bool(plan and plan.invalid))
        self.columns_button.setEnabled(isinstance(plan, ImportPlan))
        self._show_rows()

    def _show_rows(self) -> None:
        wanted = self.show_box.currentData()
        if isinstance(self.plan, PackagePlan):
            rows = [(sub.sheet_name, r) for sub in self.plan.plans for r in sub.rows]
        else:
            rows = [("", r) for r in (self.plan.rows if self.plan else [])]
        self.model.set_rows([(sheet, r) for sheet, r in rows if wanted is None or r.status == wanted])
        if self.model.rowCount():
            self.table.setCurrentIndex(self.model.index(0, 0))
        else:
            self.details.clear()

    def _show_details(self, current: QModelIndex, _previous=None) -> None:
        if not current.isValid():
            self.details.clear()
            return
        sheet, row = self.model.row_at(current.row())
        text = describe(row) or {NEW: "新增这条记录。", UNCHANGED: "与名册中的记录相同，不会修改。"}.get(row.status, "")
        where = f"工作表“{sheet}”" if sheet else ""
        self.details.setText(f"{where}第 {row.excel_row} 行 {row.name}（{STATUS_LABELS[row.status]}）：{text}")

    # ---- saving ----
    def save_errors(self) -> None:
        if not self.plan or not self.path:
            return
        suggested = self.path.with_name(f"{self.path.stem}_有问题的行.xlsx")
        path = file_dialogs.save_file_name(self, "保存有问题的行", suggested, "Excel 工作簿 (*.xlsx)")
        if path is None:
            return
        from ..exchange.importer import write_error_workbook

        try:
            write_error_workbook(self.plan, path)
        except OSError:
            QMessageBox.warning(self, "无法保存", f"无法写入“{path.name}”：文件可能正被 Excel 或 WPS 打开，"
                                "或没有写入这个文件夹的权限，请关闭文件或换一个位置后再试。")
            return
        self.summary.setText(self.summary.text() + f"\n有问题的行已保存到“{path}”。")

    def apply(self) -> None:
        plan, path = self.plan, self.path
        if not plan or not path:
            return
        shown = plan.counts
        mapping, remembered = self.mapping, remembered_mappings(self.settings)
        include_hidden = self.hidden_box.isChecked()
        self.import_button.setEnabled(False)

        def work(report):
            from ..exchange.importer import apply_plan, plan_import
            from ..store import backup_database

            backup_database(self.store.path, "before-import")
            with self.store.transaction() as session:
                # checked again inside the writing transaction: what is saved is what was checked
                sheet = plan.sheet_name if isinstance(plan, ImportPlan) else None
                fresh = plan_import(session, path, kind=plan.kind, sheet=sheet, mapping=mapping,
                                    remembered=remembered, report=report, include_hidden=include_hidden)
                if fresh.counts != shown:
                    return fresh, None
                return fresh, apply_plan(session, fresh, report)

        def cancelled() -> None:
            self._set_plan(plan, self.summary.text())
            self.summary.setText(f"已取消导入，没有导入任何数据，名册保持原样。\n{self.summary.text()}")

        # cancelling anywhere before the end rolls the one transaction back
        self.tasks.run(work, on_done=self._applied, on_error=self._apply_failed, label="正在导入…",
                       cancellable=True, on_cancel=cancelled)

    def _apply_failed(self, exc: Exception) -> None:
        self._failed(exc)
        self.summary.setText(f"导入时出错，没有导入任何数据，名册保持原样。\n{self.summary.text()}")

    def _applied(self, result) -> None:
        fresh, saved = result
        if saved is None:  # the file or the rosters changed since the preview
            self._planned(fresh)
            QMessageBox.information(self, "需要重新确认", "文件或名册在检查之后有了变化，已重新检查，请再确认一次。")
            return
        self._set_plan(None, f"已导入 {saved} 条。导入前的数据库已自动备份。")
        self.imported.emit(saved)
        self.accept()
