"""The center-household form (党员中心户): the member, the date, the 四有 standard,
and the households the center household serves, ticked in a building → unit →
room tree beside a per-building coverage panel, so the secretary sees which
buildings are still not reached."""
from __future__ import annotations

from collections import defaultdict

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..fields import CENTER_HOUSEHOLD_FIELDS, FOUR_HAVES, Field
from ..services import org, people
from ..store import Store
from .field_inputs import ERROR_COLOR, SearchableRefInput, SearchChoice, required_label
from .forms import RecordForm, run_form

HID_ROLE = Qt.ItemDataRole.UserRole  # household id on room items, building id on building items
OWN_MARK = "本户"
OVERLAP_COLOR = QColor("#a15c00")
MUTED_COLOR = QColor("#8a8a8a")
ZERO_BACKGROUND = QColor("#fbe3e0")
# The served households are not a registry field (they are a list, not a value),
# but their heading is marked required like one.
SERVED = Field("served", "联系户", required=True)


class CenterHouseholdForm(RecordForm):
    NOUN = "党员中心户"
    FIELDS = CENTER_HOUSEHOLD_FIELDS
    MIN_WIDTH = 1080
    MIN_HEIGHT = 720

    def create_input(self, field):
        if field.key == "member_id":
            return SearchableRefInput(field, self)
        return super().create_input(field)

    # ---- loading ----
    def load_choices(self, session) -> None:
        refs = org.household_refs(session)
        self._refs = {r.id: r for r in refs}
        self._building_labels = {c.id: c.label for c in org.building_choices(session)}
        self._unit_labels = {c.id: c.label for c in org.unit_choices(session)}
        self._coverage = org.coverage_by_building(session)
        members = people.member_choices(session)
        self._member_household = {m_id: hid for m_id, _label, hid in members}
        search = {r.id: f"{r.name_pinyin} {r.name_initials} {r.short_address or ''}"
                  for r in people.list_members(session)}

        # What the other center households already reach, for the overlap marks and the live coverage.
        self._others_served: dict[int, list[str]] = defaultdict(list)
        self._others_own: dict[int, str] = {}
        self._record_name = ""
        taken: set[int] = set()
        for row in people.list_center_households(session):
            if row.id == self.record_id:
                self._record_name = row.name
                continue
            taken.add(row.member_id)
            own = self._member_household.get(row.member_id)
            if own is not None:
                self._others_own[own] = row.name
            _values, served = people.get_center_household(session, row.id)
            for hid in served:
                self._others_served[hid].append(row.name)

        choices = []
        for m_id, label, hid in members:
            if hid is None:  # only a member with an address can be a center household
                continue
            if m_id in taken:
                label += "（已是中心户）"
            choices.append(SearchChoice(m_id, label, search.get(m_id, "")))
        self.inputs["member_id"].set_choices(choices)
        self.inputs["member_id"].edited.connect(self._member_changed)

        self._own: int | None = None
        self._own_was = Qt.CheckState.Unchecked
        self._leaves: dict[int, QTreeWidgetItem] = {}
        self._building_items: dict[int, QTreeWidgetItem] = {}
        self._build_tree(refs)
        self._build_coverage()

    def load_record(self, session, record_id):
        values, served = people.get_center_household(session, record_id)
        self._initial_served = served
        return values

    def record_name(self, values):
        return self._record_name

    def set_values(self, values: dict) -> None:
        super().set_values(values)
        served = getattr(self, "_initial_served", [])
        self.tree.blockSignals(True)
        for hid in served:
            leaf = self._leaves.get(hid)
            if leaf is not None and hid != self._own:
                leaf.setCheckState(0, Qt.CheckState.Checked)
        self.tree.blockSignals(False)
        for hid in served[:1]:
            self._reveal(hid, select=False)
        self._member_changed()
        self._refresh()

    # ---- the served-household tree ----
    def _build_tree(self, refs) -> None:
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("servedTree")
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(["楼栋 / 单元 / 门牌", "情况"])
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.tree.header().setStretchLastSection(True)
        em = self.tree.fontMetrics().horizontalAdvance("中")
        self.tree.setColumnWidth(0, 13 * em)
        self.tree.setToolTip("勾选这户党员中心户联系的住户；勾选楼栋或单元即选中其中所有住户。")
        parent_flags = (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable
                        | Qt.ItemFlag.ItemIsAutoTristate)
        leaf_flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable
        units: dict[int, QTreeWidgetItem] = {}
        self.tree.blockSignals(True)
        for r in refs:
            building = self._building_items.get(r.building_id)
            if building is None:
                building = QTreeWidgetItem(self.tree, [self._building_labels.get(r.building_id, r.building_code)])
                building.setFlags(parent_flags)
                building.setCheckState(0, Qt.CheckState.Unchecked)
                building.setData(0, HID_ROLE, r.building_id)
                self._building_items[r.building_id] = building
            unit = units.get(r.unit_id)
            if unit is None:
                unit = QTreeWidgetItem(building, [self._unit_labels.get(r.unit_id, f"{r.unit_code}单元")])
                unit.setFlags(parent_flags)
                unit.setCheckState(0, Qt.CheckState.Unchecked)
                units[r.unit_id] = unit
            leaf = QTreeWidgetItem(unit, [r.room, ""])
            leaf.setFlags(leaf_flags)
            leaf.setCheckState(0, Qt.CheckState.Unchecked)
            leaf.setData(0, HID_ROLE, r.id)
            leaf.setToolTip(0, f"{r.address}（{r.short}）")
            self._leaves[r.id] = leaf
            self._mark(leaf)
        self.tree.blockSignals(False)
        self.tree.itemChanged.connect(lambda *_: self._refresh_timer.start())
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self._refresh)

        self.counter = QLabel(self)
        self.counter.setObjectName("servedCount")
        self.served_message = QLabel(self)
        self.served_message.setObjectName("servedMessage")
        self.served_message.setStyleSheet(f"color: {ERROR_COLOR};")
        self.served_message.setWordWrap(True)
        self.served_message.hide()

    def _status_of(self, hid: int) -> str:
        notes = []
        if hid in self._others_own:
            notes.append(f"{self._others_own[hid]} 的本户（中心户）")
        if self._others_served.get(hid):
            notes.append(f"已由 {'、'.join(self._others_served[hid])} 联系")
        return "；".join(notes)

    def _mark(self, leaf: QTreeWidgetItem) -> None:
        hid = leaf.data(0, HID_ROLE)
        status = self._status_of(hid)
        leaf.setText(1, status)
        leaf.setToolTip(1, status)
        leaf.setForeground(1, QBrush(OVERLAP_COLOR) if status else QBrush())

    def _set_own(self, hid: int | None) -> None:
        """The picked member's own household: ticked but greyed out and marked 本户
        (it is covered by the center household itself). It keeps its check box
        so that the tri-state building and unit boxes still work."""
        if hid == self._own:
            return
        self.tree.blockSignals(True)
        old = self._leaves.get(self._own) if self._own is not None else None
        if old is not None:
            old.setFlags(old.flags() | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled
                         | Qt.ItemFlag.ItemIsSelectable)
            old.setCheckState(0, self._own_was)  # as it was before it became the own household
            old.setForeground(0, QBrush())
            font = old.font(0)
            font.setItalic(False)
            old.setFont(0, font)
            self._mark(old)
        self._own = hid
        new = self._leaves.get(hid) if hid is not None else None
        self._own_was = new.checkState(0) if new is not None else Qt.CheckState.Unchecked
        if new is not None:
            new.setCheckState(0, Qt.CheckState.Checked)
            new.setFlags(new.flags() & ~(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled
                                         | Qt.ItemFlag.ItemIsSelectable))
            new.setForeground(0, QBrush(MUTED_COLOR))
            font = new.font(0)
            font.setItalic(True)
            new.setFont(0, font)
            new.setText(1, OWN_MARK)
            new.setForeground(1, QBrush(MUTED_COLOR))
            new.setToolTip(1, "中心户党员自己的家，不必勾选")
        self.tree.blockSignals(False)
        self.tree.viewport().update()

    def _member_changed(self) -> None:
        member_id = self.inputs["member_id"].raw()
        hid = self._member_household.get(member_id) if member_id is not None else None
        if hid == self._own:
            return
        self._set_own(hid)
        if hid is not None:
            self._reveal(hid, select=True)
        self._refresh()

    def _reveal(self, hid: int, *, select: bool) -> None:
        """Open the household's building and unit and scroll to it."""
        leaf = self._leaves.get(hid)
        if leaf is None:
            return
        unit = leaf.parent()
        unit.parent().setExpanded(True)
        unit.setExpanded(True)
        self.tree.scrollToItem(leaf, QAbstractItemView.ScrollHint.PositionAtCenter)
        if select and leaf.flags() & Qt.ItemFlag.ItemIsSelectable:
            self.tree.setCurrentItem(leaf)

    def served_ids(self) -> list[int]:
        return sorted(hid for hid, leaf in self._leaves.items()
                      if hid != self._own and leaf.checkState(0) == Qt.CheckState.Checked)

    def set_served(self, ids) -> None:
        """Tick exactly these households (used by tests and by future "copy from" actions)."""
        wanted = set(ids)
        self.tree.blockSignals(True)
        for hid, leaf in self._leaves.items():
            if hid != self._own:
                leaf.setCheckState(0, Qt.CheckState.Checked if hid in wanted else Qt.CheckState.Unchecked)
        self.tree.blockSignals(False)
        self._refresh()

    # ---- the coverage panel ----
    def _build_coverage(self) -> None:
        self.coverage = QTableWidget(len(self._coverage), 4, self)
        self.coverage.setObjectName("coverage")
        self.coverage.setHorizontalHeaderLabels(["楼栋", "已联系 / 总户数", "中心户", "楼栋长"])
        self.coverage.verticalHeader().setVisible(False)
        self.coverage.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.coverage.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.coverage.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.coverage.setWordWrap(False)
        self.coverage.setToolTip("双击一栋楼，在左边的列表中打开它。")
        header = self.coverage.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2, 3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.coverage.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        for row, c in enumerate(self._coverage):
            name = QTableWidgetItem(c.label)
            name.setData(HID_ROLE, c.building_id)
            self.coverage.setItem(row, 0, name)
            for col in (1, 2):
                item = QTableWidgetItem()
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.coverage.setItem(row, col, item)
            leader = QTableWidgetItem("有" if c.has_leader else "无")
            leader.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            if not c.has_leader:
                leader.setForeground(QBrush(QColor(ERROR_COLOR)))
                leader.setToolTip("这栋楼还没有楼栋长")
            self.coverage.setItem(row, 3, leader)
        self.coverage.cellDoubleClicked.connect(self._coverage_clicked)
        self.coverage_note = QLabel(self)
        self.coverage_note.setObjectName("coverageNote")
        self.coverage_note.setWordWrap(True)

    def _coverage_clicked(self, row: int, _col: int) -> None:
        building = self._building_items.get(self.coverage.item(row, 0).data(HID_ROLE))
        if building is not None:
            building.setExpanded(True)
            self.tree.scrollToItem(building, QAbstractItemView.ScrollHint.PositionAtTop)
            self.tree.setCurrentItem(building)

    def live_coverage(self) -> dict[int, tuple[int, int]]:
        """Per building: (households reached, center households) counting the
        unsaved choices in this form."""
        covered = set(self._others_own) | set(self._others_served) | set(self.served_ids())
        centers = set(self._others_own)
        if self._own is not None:
            covered.add(self._own)
            centers.add(self._own)
        reached: dict[int, int] = defaultdict(int)
        count: dict[int, int] = defaultdict(int)
        for hid in covered:
            ref = self._refs.get(hid)
            if ref is not None:
                reached[ref.building_id] += 1
        for hid in centers:
            ref = self._refs.get(hid)
            if ref is not None:
                count[ref.building_id] += 1
        return {c.building_id: (reached[c.building_id], count[c.building_id]) for c in self._coverage}

    def _keep_own_ticked(self) -> None:
        """Ticking or clearing a whole unit also reaches the own household; put it back."""
        leaf = self._leaves.get(self._own) if self._own is not None else None
        if leaf is not None and leaf.checkState(0) != Qt.CheckState.Checked:
            self.tree.blockSignals(True)
            leaf.setCheckState(0, Qt.CheckState.Checked)
            self.tree.blockSignals(False)

    def _refresh(self) -> None:
        self._keep_own_ticked()
        served = self.served_ids()
        self.counter.setText(f"已选 {len(served)} 户")
        if served and self.served_message.isVisible():
            self.served_message.hide()
        chosen = set(served)
        for building in self._building_items.values():
            total = 0
            for u in range(building.childCount()):
                unit = building.child(u)
                n = sum(1 for k in range(unit.childCount()) if unit.child(k).data(0, HID_ROLE) in chosen)
                unit.setText(1, f"已选 {n} 户" if n else "")
                total += n
            building.setText(1, f"已选 {total} 户" if total else "")
        live = self.live_coverage()
        zero = 0
        for row, c in enumerate(self._coverage):
            reached, centers = live[c.building_id]
            text = f"{reached} / {c.households}"
            if reached != c.covered:
                text += f"（本次 {reached - c.covered:+d}）"
            self.coverage.item(row, 1).setText(text)
            self.coverage.item(row, 2).setText(str(centers))
            empty = reached == 0
            zero += empty
            for col in range(4):
                item = self.coverage.item(row, col)
                item.setBackground(QBrush(ZERO_BACKGROUND) if empty else QBrush())
            font = QFont(self.coverage.font())
            font.setBold(empty)
            self.coverage.item(row, 0).setFont(font)
            self.coverage.item(row, 0).setToolTip("这栋楼还没有党员中心户联系" if empty else "")
        note = "红色底色：还没有党员中心户联系的楼栋。" if zero else "每栋楼都已有党员中心户联系。"
        self.coverage_note.setText(f"共 {len(self._coverage)} 栋楼，{zero} 栋未覆盖。{note}数字已含本次尚未保存的选择。")

    # ---- layout ----
    def build_layout(self) -> None:
        top = QGroupBox("中心户", self)
        form = self.form_layout(("member_id", "appointed_on"))
        haves = QWidget(self)
        row = QHBoxLayout(haves)
        row.setContentsMargins(0, 0, 0, 0)
        for f in FOUR_HAVES:
            row.addWidget(self.inputs[f.key].container)
        row.addStretch(1)
        haves_label = QLabel("四有标准", self)
        haves_label.setToolTip("党员中心户的选树标准：有能力、有威望、有公心、有热情")
        form.addRow(haves_label, haves)
        note = self.inputs["note"]
        note.editor.setFixedHeight(2 * note.editor.fontMetrics().lineSpacing() + 14)
        form.addRow(note.label, note.container)
        top.setLayout(form)
        em = self.fontMetrics().horizontalAdvance("中")
        self.inputs["appointed_on"].editor.setMaximumWidth(18 * em)
        self.inputs["member_id"].editor.setMaximumWidth(36 * em)

        served_box = QGroupBox(self)
        served_layout = QVBoxLayout(served_box)
        head = QHBoxLayout()
        title = QLabel(required_label(SERVED), self)
        title.setObjectName("servedTitle")
        head.addWidget(title)
        head.addStretch(1)
        head.addWidget(self.counter)
        served_layout.addLayout(head)
        served_layout.addWidget(self.served_message)
        served_layout.addWidget(self.tree, 1)
        hint = QLabel("勾选楼栋或单元即选中其中所有住户；灰色的“本户”是中心户自己的家，不用勾选。", self)
        hint.setStyleSheet("color: #7a7a7a;")
        hint.setWordWrap(True)
        served_layout.addWidget(hint)

        coverage_box = QGroupBox("各楼栋覆盖情况", self)
        coverage_layout = QVBoxLayout(coverage_box)
        coverage_layout.addWidget(self.coverage, 1)
        coverage_layout.addWidget(self.coverage_note)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(served_box)
        splitter.addWidget(coverage_box)
        splitter.setChildrenCollapsible(False)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 14, 16, 12)
        outer.addWidget(top)
        outer.addWidget(splitter, 1)
        outer.addWidget(self.form_message)
        outer.addWidget(self.buttons)
        self.tree.setMinimumHeight(300)

    def ordered_focus(self) -> list[QWidget]:
        return [*super().ordered_focus(), self.tree, self.coverage]

    # ---- state and saving ----
    def extra_state(self) -> tuple:
        return (("served", tuple(self.served_ids())),)

    def restore_extra(self, extra):
        if extra.get("served") is not None:
            self.set_served(int(h) for h in extra["served"])

    def save_record(self, session, raw):
        return people.save_center_household(session, raw, self.served_ids(), self.record_id)

    def show_extra_error(self, key, message):
        if key != "served":
            return False
        self.served_message.setText(message)
        self.served_message.show()
        return True

    def clear_errors(self) -> None:
        super().clear_errors()
        self.served_message.hide()

    def first_wrong_widget(self, errors):
        return super().first_wrong_widget(errors) or (self.tree if "served" in errors else None)


def open_center_household_form(parent: QWidget | None, store: Store, record_id: int | None = None) -> int | None:
    return run_form(CenterHouseholdForm, parent, store, record_id)
