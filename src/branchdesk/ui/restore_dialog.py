"""文件 ▸ 从备份恢复…: this database's backups, newest first, each checked in full
before it can be chosen; 恢复 puts the chosen one in place of the current data.

The store does the work (store.list_backups, store.restore_backup): the current
data are backed up first, the backup goes in in one transaction, and a failure
changes nothing. Listing and checking the backups and the restore itself run on
the task runner; the dialog cannot be closed while a restore runs."""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, QUrl, Signal
from PySide6.QtGui import QBrush, QColor, QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView, QDialog, QHBoxLayout, QHeaderView, QLabel, QMessageBox, QPushButton, QTableView,
    QVBoxLayout, QWidget,
)

from ..store import BackupInfo, Store, StoreError, backup_dir, list_backups, reason_text, restore_backup
from .tasks import TaskRunner
from .widgets import ERROR_STYLE, NOTE_STYLE, note_label

CHECKING = "正在检查…"
USABLE = "可用"
RED, GREEN, GREY = "#c0392b", "#1e7b34", "#7a7a7a"


def when(info: BackupInfo) -> str:
    return f"{info.taken_at:%Y-%m-%d %H:%M}"


def size_text(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024)) if size else 0} KB"
    return f"{size / (1024 * 1024):.1f} MB"


class BackupModel(QAbstractTableModel):
    """The backups as listed; before they are checked (checked False) none can be chosen,
    and afterwards only those that verified."""

    HEADERS = ("时间", "原因", "大小", "状态")

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[BackupInfo] = []
        self.checked = False

    def set_rows(self, rows: list[BackupInfo], *, checked: bool) -> None:
        self.beginResetModel()
        self._rows, self.checked = rows, checked
        self.endResetModel()

    def info(self, row: int) -> BackupInfo:
        return self._rows[row]

    def usable(self, row: int) -> bool:
        return self.checked and self._rows[row].ok

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def _status(self, info: BackupInfo) -> str:
        if not self.checked:
            return CHECKING
        return USABLE if info.ok else info.problem

    def flags(self, index: QModelIndex):
        if index.isValid() and self.usable(index.row()):
            return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return Qt.ItemFlag.NoItemFlags  # shown, but it cannot be chosen

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        info, column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (when(info), reason_text(info.reason), size_text(info.size), self._status(info))[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{self._status(info)}\n备份文件：{info.path.name}"
        if role == Qt.ItemDataRole.ForegroundRole and column == 3:
            color = GREY if not self.checked else GREEN if info.ok else RED
            return QBrush(QColor(color))
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None


class RestoreDialog(QDialog):
    restored = Signal(str)  # the restored backup's time, as shown

    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.tasks = TaskRunner(self)
        self.restoring = False
        self.setObjectName("restoreDialog")
        self.setWindowTitle("从备份恢复")
        self.setSizeGripEnabled(True)

        intro = QLabel(f"数据库“{store.path.name}”的备份，最新的在最上面。选中一份，再点“恢复…”。", self)
        intro.setWordWrap(True)
        self.model = BackupModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("backupTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setWordWrap(True)  # a backup's problem is a whole sentence
        header = self.table.horizontalHeader()
        for column in (0, 1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(self.restore_selected)  # Enter presses 恢复, the default button
        self.summary = QLabel(CHECKING, self)
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        note = note_label(f"恢复时先自动备份现在的数据（原因为“{reason_text('before-restore')}”），再换成所选备份中的数据："
                          "备份时间之后录入和修改的内容都会被替换。需要时，可以再从恢复前的那份备份恢复回来。", self)

        self.folder_button = QPushButton("打开备份文件夹", self)
        self.folder_button.setObjectName("openFolder")
        self.folder_button.setAutoDefault(False)
        self.folder_button.setToolTip(str(backup_dir(store.path)))
        self.folder_button.clicked.connect(self.open_folder)
        self.restore_button = QPushButton("恢复…", self)
        self.restore_button.setObjectName("restoreButton")
        self.restore_button.setDefault(True)
        self.restore_button.setEnabled(False)
        self.restore_button.clicked.connect(self.restore_selected)
        self.close_button = QPushButton("关闭", self)
        self.close_button.setObjectName("closeButton")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.folder_button)
        buttons.addStretch(1)
        buttons.addWidget(self.restore_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        layout.addWidget(note)
        layout.addLayout(buttons)
        self.resize(800, 500)  # within a 1024×768 screen, with room for its title bar
        self.load()

    # ---- listing ----
    def load(self) -> None:
        """The names and sizes first (at once), then every backup checked in full."""
        path = self.store.path
        self.model.set_rows([], checked=False)
        self._set_summary(CHECKING)
        self._update_buttons()

        def listed(rows: list[BackupInfo]) -> None:
            self.model.set_rows(rows, checked=False)
            if not rows:
                self._listed(rows)
                return
            self.tasks.run(lambda _report: list_backups(path, verify=True), on_done=self._listed,
                           on_error=self._load_failed, label=f"正在检查 {len(rows)} 份备份是否完好…")

        self.tasks.run(lambda _report: list_backups(path, verify=False), on_done=listed,
                       on_error=self._load_failed, label="正在查找备份…")

    def _listed(self, rows: list[BackupInfo]) -> None:
        self.model.set_rows(rows, checked=True)
        bad = sum(not info.ok for info in rows)
        if not rows:
            self._set_summary(f"还没有备份。每天第一次打开、导入之前和升级之前都会自动备份，保存在“{backup_dir(self.store.path)}”。")
        elif bad == len(rows):
            self._set_summary(f"共 {len(rows)} 份备份，都不能使用（原因见“状态”一列）。", error=True)
        else:
            self._set_summary(f"共 {len(rows)} 份备份" + (f"，其中 {bad} 份不能使用。" if bad else "，都可以使用。"))
        for row in range(len(rows)):
            if rows[row].ok:
                self.table.selectRow(row)
                self.table.scrollTo(self.model.index(row, 0))
                break
        self.table.setFocus()
        self._update_buttons()

    def _load_failed(self, exc: Exception) -> None:
        self._set_summary(f"无法读取备份文件夹：{exc}", error=True)

    def _set_summary(self, text: str, *, error: bool = False) -> None:
        self.summary.setText(text)
        self.summary.setStyleSheet(ERROR_STYLE if error else NOTE_STYLE)

    def selected(self) -> BackupInfo | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or not self.model.usable(rows[0].row()):
            return None
        return self.model.info(rows[0].row())

    def _update_buttons(self, *_args) -> None:
        self.restore_button.setEnabled(not self.restoring and self.selected() is not None)
        self.close_button.setEnabled(not self.restoring)
        self.folder_button.setEnabled(backup_dir(self.store.path).is_dir())

    def open_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(backup_dir(self.store.path))))

    # ---- restoring ----
    def restore_selected(self, *_args) -> None:
        info = self.selected()
        if info is None or self.restoring:
            return
        time = when(info)
        answer = QMessageBox.question(
            self, "从备份恢复",
            f"用 {time} 的备份（{reason_text(info.reason)}）替换现在的全部数据吗？\n\n"
            f"恢复前会先把现在的数据自动备份一份（原因为“{reason_text('before-restore')}”）。\n"
            f"{time} 之后录入和修改的全部内容都会被这份备份替换。",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return
        store, backup = self.store, info.path
        self.restoring = True
        self._update_buttons()
        self._set_summary(f"正在用 {time} 的备份恢复…")
        self.tasks.run(lambda _report: restore_backup(store, backup), on_done=lambda _before: self._restored(time),
                       on_error=self._restore_failed, label=f"正在用 {time} 的备份恢复…")

    def _restored(self, time: str) -> None:
        self.restoring = False
        self.restored.emit(time)
        self.accept()

    def _restore_failed(self, exc: Exception) -> None:
        self.restoring = False
        if isinstance(exc, StoreError):
            text = str(exc)
        else:
            text = (f"恢复时程序出错：{exc}。详细信息已写入日志文件 branchdesk.log，请把它发给技术支持人员。")
        QMessageBox.warning(self, "没有恢复", text)
        self.load()  # a backup of the current data may have been made before the failure

    def reject(self) -> None:
        if self.restoring:  # Esc or the title bar's × while the backup goes in: wait for it
            return
        super().reject()
