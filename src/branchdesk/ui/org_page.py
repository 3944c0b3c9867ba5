"""The organisation page: the community → compound → grid → building → unit tree
with counts at every node, the party chain beside it, and 新增楼栋."""
from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QKeySequence
from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QMessageBox,
    QSpinBox, QSplitter, QStatusBar, QTabWidget, QToolBar, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget,
)

from ..fields import ORG_LEVELS
from ..services import org
from ..store import Store
from ..validation import Invalid
from .tasks import TaskRunner

KIND_LABELS = {"community": "社区", "compound": "小区", "grid": "网格", "building": "楼栋", "unit": "单元"}
LOW_COVERAGE = QColor("#fdecea")


class OrgPage(QWidget):
    changed = Signal()

    def __init__(self, store: Store, settings: QSettings, status: QStatusBar, parent=None):
        super().__init__(parent)
        self.store, self.settings, self.status = store, settings, status
        self.setObjectName("page_org")
        self.tasks = TaskRunner(self)
        self._generation = 0
        self.loaded = False

        title = QLabel("组织架构", self)
        title.setObjectName("pageTitle")
        self.toolbar = QToolBar(self)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.act_add_building = QAction("新增楼栋", self)
        self.act_add_building.setShortcut(QKeySequence.StandardKey.New)
        self.act_add_building.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.act_add_building.triggered.connect(self.add_building)
        self.toolbar.addAction(self.act_add_building)
        self.addAction(self.act_add_building)
        act_refresh = QAction("刷新", self)
        act_refresh.setShortcut(QKeySequence.StandardKey.Refresh)
        act_refresh.triggered.connect(self.reload)
        self.toolbar.addAction(act_refresh)

        self.tree = QTreeWidget(self)
        self.tree.setObjectName("orgTree")
        self.tree.setHeaderLabels(["名称", "户数", "党员", "党员中心户", "中心户覆盖", "楼栋长"])
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for c in range(1, 6):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.currentItemChanged.connect(self._show_details)

        self.party_tree = QTreeWidget(self)
        self.party_tree.setObjectName("partyTree")
        self.party_tree.setHeaderLabels(["党组织", "层级", "书记", "党员数"])
        self.party_tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)

        self.details = QLabel(self)
        self.details.setObjectName("orgDetails")
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setMinimumWidth(260)
        self.details.setStyleSheet("QLabel { background: #fbfaf9; border: 1px solid #e4e0dc; padding: 12px; }")

        tabs = QTabWidget(self)
        tabs.addTab(self.tree, "小区与楼栋")
        tabs.addTab(self.party_tree, "党组织")
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(tabs)
        split.addWidget(self.details)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)

        head = QHBoxLayout()
        head.addWidget(title)
        head.addStretch(1)
        head.addWidget(self.toolbar)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(split, 1)

    def reload(self) -> None:
        def work(_report):
            with self.store.session() as session:
                coverage = {c.building_id: c for c in org.coverage_by_building(session)}
                return org.org_tree(session), org.party_tree(session), coverage

        self._generation += 1
        generation = self._generation

        def done(result) -> None:
            if generation == self._generation:  # a newer load is on its way
                self._loaded(result)

        self.tasks.run(work, on_done=done, label="正在加载组织架构…")

    def _loaded(self, result) -> None:
        roots, party_roots, coverage = result
        expanded = self._expanded_keys()
        current = self.tree.currentItem().data(0, Qt.ItemDataRole.UserRole) if self.tree.currentItem() else None
        self.tree.clear()
        first_load = not self.loaded
        for root in roots:
            self._add_node(self.tree.invisibleRootItem(), root, coverage)
        self.tree.expandToDepth(1 if first_load else -1)
        if not first_load:
            self._restore_expanded(expanded)
        self.party_tree.clear()
        levels = dict(ORG_LEVELS)
        for root in party_roots:
            self._add_party(self.party_tree.invisibleRootItem(), root, levels)
        self.party_tree.expandAll()
        self.loaded = True
        item = self._find(current) if current else None
        self.tree.setCurrentItem(item or self.tree.topLevelItem(0))
        if not roots:
            self.details.setText("<p>还没有组织架构数据。</p><p>导入街道发来的名册：<b>文件 ▸ 从 Excel 导入</b>"
                                 "（Ctrl+Shift+I）；或点击上方“新增楼栋”逐栋添加。</p>"
                                 "<p>想先看看软件怎么用：<b>文件 ▸ 填入示例社区</b>。</p>")

    def _add_node(self, parent: QTreeWidgetItem, node: org.OrgNode, coverage: dict) -> tuple[int, int]:
        """Adds the node and its subtree; returns (households covered, households) below it."""
        cov = coverage.get(node.id) if node.kind == "building" else None
        share = f"{cov.covered}/{cov.households}" if cov else ""
        item = QTreeWidgetItem(parent, [node.name, str(node.households), str(node.members),
                                        str(node.center_households), share, str(node.leaders or "")])
        item.setData(0, Qt.ItemDataRole.UserRole, (node.kind, node.id))
        item.setData(1, Qt.ItemDataRole.UserRole, (node, cov))
        for c in range(1, 6):
            item.setTextAlignment(c, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if cov is not None and (cov.covered == 0 or not cov.has_leader):
            for c in range(6):
                item.setBackground(c, QBrush(LOW_COVERAGE))
            missing = [t for t, bad in (("党员中心户", cov.covered == 0), ("楼栋长", not cov.has_leader)) if bad]
            item.setToolTip(0, f"该楼栋还没有{'和'.join(missing)}")
        covered, total = (cov.covered, cov.households) if cov else (0, 0)
        for child in node.children:
            c, t = self._add_node(item, child, coverage)
            covered, total = covered + c, total + t
        if cov is None and total:
            item.setText(4, f"{covered * 100 // total}%")
            item.setToolTip(4, f"{total} 户中有 {covered} 户由党员中心户联系（含中心户本户）")
        return covered, total

    def _add_party(self, parent: QTreeWidgetItem, node: org.PartyNode, levels: dict) -> None:
        item = QTreeWidgetItem(parent, [node.name, levels.get(node.level, node.level), node.secretary,
                                        str(node.members)])
        item.setTextAlignment(3, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        for child in node.children:
            self._add_party(item, child, levels)

    def _items(self):
        stack = [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]
        while stack:
            item = stack.pop()
            yield item
            stack.extend(item.child(i) for i in range(item.childCount()))

    def _find(self, key) -> QTreeWidgetItem | None:
        return next((i for i in self._items() if i.data(0, Qt.ItemDataRole.UserRole) == key), None)

    def _expanded_keys(self) -> set:
        return {i.data(0, Qt.ItemDataRole.UserRole) for i in self._items() if i.isExpanded()}

    def _restore_expanded(self, keys: set) -> None:
        for item in self._items():
            item.setExpanded(item.data(0, Qt.ItemDataRole.UserRole) in keys)

    def _show_details(self, item: QTreeWidgetItem | None, _previous=None) -> None:
        if item is None:
            return
        node, cov = item.data(1, Qt.ItemDataRole.UserRole)
        rows = [("类别", KIND_LABELS[node.kind]), *node.details.items(), ("户数", node.households),
                ("党员", node.members), ("党员中心户", node.center_households), ("楼栋长、单元长", node.leaders)]
        if cov is not None:
            rows.append(("中心户联系覆盖", f"{cov.covered} / {cov.households} 户（{cov.share:.0%}）"))
        body = "".join(f"<tr><td style='color:#6b625c; padding-right:12px'>{k}</td><td>{v}</td></tr>"
                       for k, v in rows if v not in ("", None))
        hint = ""
        if cov is not None and cov.covered == 0:
            hint += "<p style='color:#b3261e'>该楼栋还没有党员中心户联系的住户。</p>"
        if cov is not None and not cov.has_leader:
            hint += "<p style='color:#b3261e'>该楼栋还没有楼栋长。</p>"
        self.details.setText(f"<h3>{node.name}</h3><table>{body}</table>{hint}")

    def _selected_compound(self) -> tuple[int | None, int | None]:
        """The compound (and grid) the current tree item is in, for the new-building dialog."""
        item, compound_id, grid_id = self.tree.currentItem(), None, None
        while item is not None:
            kind, node_id = item.data(0, Qt.ItemDataRole.UserRole)
            if kind == "grid" and grid_id is None:
                grid_id = node_id
            if kind == "compound":
                compound_id = node_id
                break
            item = item.parent()
        return compound_id, grid_id

    def add_building(self) -> None:
        with self.store.session() as session:
            compounds = org.compound_choices(session)
            grids = org.grid_choices(session)
        if not compounds:
            QMessageBox.information(self, "新增楼栋", "还没有小区。请先从“文件 ▸ 从 Excel 导入”导入街道发来的组织架构"
                                    "或名册，或用“文件 ▸ 填入示例社区”先看一看。")
            return
        dialog = NewBuildingDialog(self.store, compounds, grids, *self._selected_compound(), parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.status.showMessage(f"已新增 {dialog.created_name}。", 5000)
            self.reload()
            self.changed.emit()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self.loaded and not self.tasks.busy:
            QTimer.singleShot(0, self.reload)


class NewBuildingDialog(QDialog):
    """A building with its units and households (rooms 101, 102 … numbered by floor)."""

    def __init__(self, store: Store, compounds, grids, compound_id, grid_id, parent=None):
        super().__init__(parent)
        self.store, self.grids, self.created_name = store, grids, ""
        self.setWindowTitle("新增楼栋")
        self.compound = QComboBox(self)
        for c in compounds:
            self.compound.addItem(c.label, c.id)
        self.compound.setCurrentIndex(max(0, self.compound.findData(compound_id)))
        self.grid = QComboBox(self)
        self.code = QLineEdit(self)
        self.code.setPlaceholderText("如 12")
        self.units, self.floors, self.rooms = QSpinBox(self), QSpinBox(self), QSpinBox(self)
        for box, lo, hi, value, suffix in ((self.units, 1, 20, 2, " 个"), (self.floors, 1, 60, 6, " 层"),
                                            (self.rooms, 1, 20, 2, " 户")):
            box.setRange(lo, hi)
            box.setValue(value)
            box.setSuffix(suffix)
        self.error = QLabel(self)
        self.error.setStyleSheet("color: #b3261e")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow("所在小区", self.compound)
        form.addRow("所属网格", self.grid)
        form.addRow("楼号", self.code)
        form.addRow("单元数", self.units)
        form.addRow("层数", self.floors)
        form.addRow("每层户数", self.rooms)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.compound.currentIndexChanged.connect(lambda _n: self._fill(None))
        self._fill(grid_id)

    def _fill(self, grid_id) -> None:
        compound_id = self.compound.currentData()
        self.grid.clear()
        self.grid.addItem("（不分网格）", None)
        for g in self.grids:
            if g.parent_id == compound_id:
                self.grid.addItem(g.label, g.id)
        self.grid.setCurrentIndex(max(0, self.grid.findData(grid_id)))
        with self.store.session() as session:
            self.code.setText(org.next_building_code(session, compound_id))

    def save(self) -> None:
        try:
            with self.store.transaction() as session:
                building = org.create_building(
                    session, compound_id=self.compound.currentData(), code=self.code.text(),
                    grid_id=self.grid.currentData(), units=self.units.value(), floors=self.floors.value(),
                    rooms_per_floor=self.rooms.value())
                self.created_name = building.name
        except Invalid as exc:
            self.error.setText(str(exc))
            self.code.setFocus()
            return
        self.accept()
