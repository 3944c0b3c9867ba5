"""A roster page: search box, filters, the table, and add / edit / delete with undo.

One class serves every roster; what differs (columns, the load query, the form,
the filters) comes in a RosterSpec, so members, center households and building
leaders behave alike."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QMessageBox, QStatusBar,
    QTableView, QToolBar, QVBoxLayout, QWidget,
)

from ..store import Store
from .table_model import Column, Loaded, RecordTableModel, prepare
from .tasks import TaskRunner


@dataclass(frozen=True)
class FilterSpec:
    label: str  # "全部楼栋" is shown as the first entry
    attr: str  # row attribute compared with the chosen value
    choices: Callable  # (session) -> list[(value, label)]


@dataclass(frozen=True)
class PageAction:
    """A step a page offers on the one selected record besides editing it (对接, 认领, 办结 …)."""
    text: str
    run: Callable  # (page, row) -> True when something was saved
    shortcut: str | None = None
    applies: Callable = lambda row: True  # enabled for this row?
    tip: str = ""
    needs_row: bool = True  # False: a page-wide action (三会一课), run with row None


@dataclass(frozen=True)
class RosterSpec:
    key: str  # settings key, and the page's objectName
    title: str  # 党员
    measure: str  # 名 / 户 / 位
    columns: list[Column]
    search_attrs: tuple[str, ...]
    search_hint: str
    load: Callable  # (session) -> rows
    delete: Callable  # (session, ids) -> stamp
    restore: Callable  # (session, ids, stamp) -> None
    open_form: Callable  # (parent, store, record_id | None) -> saved id | None
    describe: Callable = lambda row: row.name
    delete_note: str = ""
    exchange_kind: str | None = None  # the roster's kind in the Excel import, export and templates
    heading: str = ""  # the page's title; 党员名册 when left empty
    add_text: str = ""  # the new-record action; 新增党员 when left empty
    edit_text: str = "编辑"
    filters: list[FilterSpec] = field(default_factory=list)
    actions: tuple[PageAction, ...] = ()
    delete_text: str = "删除"
    undo_text: str = "撤销删除"
    nav: str = ""  # the sidebar's word; the title when left empty

    @property
    def nav_title(self) -> str:
        return self.nav or self.title


class RosterPage(QWidget):
    changed = Signal()  # after a save or a delete: other pages' counts are stale

    def __init__(self, spec: RosterSpec, store: Store, settings: QSettings, status: QStatusBar, parent=None):
        super().__init__(parent)
        self.spec, self.store, self.settings, self.status = spec, store, settings, status
        self.setObjectName(f"page_{spec.key}")
        self.tasks = TaskRunner(self)
        self._undo: list[tuple[list[int], object, str]] = []
        self._select_after_load: int | None = None
        self._generation = 0
        self.loaded = False

        self.model = RecordTableModel(spec.columns, self)
        self.table = QTableView(self)
        self.table.setObjectName("table")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.table.horizontalHeader().setHighlightSections(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        em = self.fontMetrics().horizontalAdvance("中")
        for n, col in enumerate(spec.columns):
            self.table.setColumnWidth(n, max(col.field.width, len(col.field.label)) * em + 16)
        self.table.doubleClicked.connect(lambda _i: self.edit_selected())
        state = settings.value(f"{spec.key}/header")
        if isinstance(state, QByteArray):
            self.table.horizontalHeader().restoreState(state)

        self.search = QLineEdit(self)
        self.search.setObjectName("search")
        self.search.setPlaceholderText(spec.search_hint)
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(22 * em)
        self.search.textChanged.connect(self._on_search)

        self.filter_boxes: list[QComboBox] = []
        for f in spec.filters:
            box = QComboBox(self)
            box.setObjectName(f"filter_{f.attr}")
            box.addItem(f.label, None)
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            box.currentIndexChanged.connect(lambda _n, b=box, fs=f: self.model.set_filter(fs.attr, b.currentData()))
            box.currentIndexChanged.connect(self._update_count)
            self.filter_boxes.append(box)

        self.count_label = QLabel("正在加载…", self)
        self.count_label.setObjectName("count")

        self.toolbar = QToolBar(self)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.act_add = self._action(spec.add_text or f"新增{spec.title}", QKeySequence.StandardKey.New, self.add)
        self.act_edit = self._action(spec.edit_text, "Return", self.edit_selected)
        self.step_actions: list[tuple[PageAction, QAction]] = []
        for step in spec.actions:
            act = self._action(step.text, step.shortcut, lambda _c=False, a=step: self.run_step(a))
            if step.tip:
                act.setToolTip(step.tip + (f"（{act.shortcut().toString()}）" if step.shortcut else ""))
            self.step_actions.append((step, act))
        self.act_delete = self._action(spec.delete_text, QKeySequence.StandardKey.Delete, self.delete_selected)
        self.act_undo = self._action(spec.undo_text, QKeySequence.StandardKey.Undo, self.undo_delete)
        self.act_undo.setEnabled(False)
        if spec.exchange_kind:
            self.act_import = self._action("从 Excel 导入…", "Ctrl+I", self.import_file)
            self.act_export = self._action("导出到 Excel…", "Ctrl+E", self.export_file)
            self.act_template = self._action("导入模板…", None, self.save_template)
            self.act_template.setToolTip("保存一份空白的导入模板，带下拉选项和填写说明")
        self.toolbar.addSeparator()
        self.act_unmask = self._action("显示完整号码", "Ctrl+Shift+M", self._toggle_mask)
        self.act_unmask.setCheckable(True)
        self.act_unmask.setToolTip("身份证号和电话默认部分隐藏，出生日期只显示年份；勾选后显示完整号码和日期（Ctrl+Shift+M）")
        self.act_refresh = self._action("刷新", QKeySequence.StandardKey.Refresh, self.reload)
        find = QAction(self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.triggered.connect(lambda: (self.search.setFocus(), self.search.selectAll()))
        self.addAction(find)

        bar = QHBoxLayout()
        bar.addWidget(self.search)
        for box in self.filter_boxes:
            bar.addWidget(box)
        bar.addStretch(1)
        bar.addWidget(self.count_label)
        title = QLabel(spec.heading or f"{spec.title}名册", self)
        title.setObjectName("pageTitle")
        layout = QVBoxLayout(self)
        head = QHBoxLayout()
        head.addWidget(title)
        head.addStretch(1)
        head.addWidget(self.toolbar)
        layout.addLayout(head)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        self.model.modelReset.connect(self._update_actions)
        self._update_actions()

    def _action(self, text: str, shortcut, slot) -> QAction:
        act = QAction(text, self)
        if shortcut is not None:
            act.setShortcut(QKeySequence(shortcut))
        act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        act.triggered.connect(slot)
        self.toolbar.addAction(act)
        self.addAction(act)
        shortcut_text = act.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if shortcut_text:
            act.setToolTip(f"{text}（{shortcut_text}）")
        return act

    # ---- loading ----
    def reload(self) -> None:
        spec = self.spec

        def work(_report):
            with self.store.session() as session:
                rows = spec.load(session)
                choices = [f.choices(session) for f in spec.filters]
            return prepare(rows, spec.search_attrs), choices

        # Only the newest load counts: one started before a delete and finished after
        # the undo must not put stale rows back.
        self._generation += 1
        generation = self._generation

        def done(result) -> None:
            if generation == self._generation:
                self._loaded(result)

        self.count_label.setText("正在加载…")
        self.tasks.run(work, on_done=done, on_error=self._load_failed, label=f"正在加载{spec.title}名册…")

    def _loaded(self, result: tuple[Loaded, list]) -> None:
        loaded, choices = result
        for box, values in zip(self.filter_boxes, choices):
            current = box.currentData()
            box.blockSignals(True)
            box.clear()
            box.addItem(self.spec.filters[self.filter_boxes.index(box)].label, None)
            for value, label in values:
                box.addItem(label, value)
            # compared in Python: a branch's value is a set of organisation ids
            box.setCurrentIndex(next((i for i in range(box.count()) if box.itemData(i) == current), 0))
            box.blockSignals(False)
        self.model.set_loaded(loaded)
        self.loaded = True
        self._update_count()
        wanted, self._select_after_load = self._select_after_load, None
        if wanted is not None and not self.select_id(wanted) and self.model.has_id(wanted):
            # just saved or restored, but hidden by a filter: show everything so it can be seen
            for box in self.filter_boxes:
                box.setCurrentIndex(0)
            self.search.clear()
            self.select_id(wanted)
            self.status.showMessage("已清除筛选条件，以显示刚保存的记录。", 6000)

    def _load_failed(self, exc: Exception) -> None:
        self.count_label.setText("加载失败")
        QMessageBox.critical(self, "加载失败", f"读取{self.spec.title}名册时出错：{exc}")

    def _on_search(self, text: str) -> None:
        self.model.set_query(text)
        self._update_count()

    def _update_count(self) -> None:
        shown, total = self.model.rowCount(), self.model.total
        m = self.spec.measure
        self.count_label.setText(f"共 {total} {m}" if shown == total else f"共 {total} {m}，找到 {shown} {m}")

    def _update_actions(self) -> None:
        rows = self.selected_rows()
        self.act_edit.setEnabled(len(rows) == 1)
        self.act_delete.setEnabled(bool(rows))
        for step, act in self.step_actions:
            act.setEnabled(not step.needs_row or (len(rows) == 1 and bool(step.applies(rows[0]))))

    def _toggle_mask(self, unmasked: bool) -> None:
        self.model.set_masked(not unmasked)

    # ---- selection ----
    def selected_rows(self) -> list:
        return [self.model.row_at(i.row()) for i in self.table.selectionModel().selectedRows()]

    def selected_ids(self) -> list[int]:
        return [r.id for r in self.selected_rows()]

    def select_id(self, record_id: int) -> bool:
        row = self.model.row_of_id(record_id)
        if row is None:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0), QAbstractItemView.ScrollHint.PositionAtCenter)
        return True

    # ---- changes ----
    def add(self) -> None:
        self._after_form(self.spec.open_form(self, self.store, None))

    def edit_selected(self) -> None:
        ids = self.selected_ids()
        if len(ids) == 1:
            self._after_form(self.spec.open_form(self, self.store, ids[0]))

    def run_step(self, step: PageAction) -> None:
        if not step.needs_row:
            if step.run(self, None):
                self.reload()
            return
        rows = self.selected_rows()
        if len(rows) != 1 or not step.applies(rows[0]):
            return
        if step.run(self, rows[0]):
            self._after_form(rows[0].id)

    def _after_form(self, saved_id: int | None) -> None:
        if saved_id is None:
            return
        self._select_after_load = saved_id
        if self.search.text():
            self.search.clear()
        self.reload()
        self.changed.emit()
        self.status.showMessage("已保存。", 4000)

    def delete_selected(self) -> None:
        rows = self.selected_rows()
        if not rows:
            return
        names = "、".join(self.spec.describe(r) for r in rows[:10]) + ("等" if len(rows) > 10 else "")
        verb, undo = self.spec.delete_text, self.spec.undo_text
        text = f"确定要{verb}选中的 {len(rows)} {self.spec.measure}{self.spec.title}吗？\n\n{names}"
        if self.spec.delete_note:
            text += f"\n\n{self.spec.delete_note}"
        text += f"\n\n{verb}后可以用“{undo}”（Ctrl+Z）恢复。"
        box = QMessageBox(QMessageBox.Icon.Warning, f"确认{verb}", text,
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.button(QMessageBox.StandardButton.Yes).setText(verb)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        if box.exec() != QMessageBox.StandardButton.Yes:
            return
        ids = [r.id for r in rows]
        with self.store.transaction() as session:
            stamp = self.spec.delete(session, ids)
        self._undo.append((ids, stamp, names))
        self.act_undo.setEnabled(True)
        self.reload()
        self.changed.emit()
        self.status.showMessage(f"已{self.spec.delete_text} {len(ids)} {self.spec.measure}{self.spec.title}：{names}。"
                                "按 Ctrl+Z 可撤销。", 15000)

    def undo_delete(self) -> None:
        if not self._undo:
            return
        ids, stamp, names = self._undo.pop()
        with self.store.transaction() as session:
            self.spec.restore(session, ids, stamp)
        self.act_undo.setEnabled(bool(self._undo))
        self._select_after_load = ids[0]
        self.reload()
        self.changed.emit()
        self.status.showMessage(f"已恢复：{names}。", 6000)

    def import_file(self) -> None:
        from .import_dialog import ImportDialog

        dialog = ImportDialog(self.store, self.settings, self.spec.exchange_kind, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.imported.connect(self._imported)
        dialog.open()
        dialog.choose_file()

    def export_file(self) -> None:
        from .export_dialog import ExportDialog

        dialog = ExportDialog(self.store, self.settings, self.spec.exchange_kind, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.exported.connect(lambda path: self.status.showMessage(f"已导出到“{path}”。", 10000))
        dialog.open()

    def save_template(self) -> None:
        from .export_dialog import save_template

        save_template(self, self.settings, self.spec.exchange_kind, self.store)

    def _imported(self, saved: int) -> None:
        self.reload()
        self.changed.emit()
        self.status.showMessage(f"已导入 {saved} 条{self.spec.title}记录（导入前已自动备份数据库）。", 10000)

    def save_state(self) -> None:
        self.settings.setValue(f"{self.spec.key}/header", self.table.horizontalHeader().saveState())

    def showEvent(self, event) -> None:  # first visit loads; later visits keep the rows
        super().showEvent(event)
        if not self.loaded and not self.tasks.busy:
            QTimer.singleShot(0, self.reload)
