"""Meetings in the window: the form for a meeting's kind, time and place, and the
meeting's own dialog where the secretary prepares it (议程, who is invited), holds it
(签到: present, excused with the reason, absent) and files it (会议记录: per item
what was said and the decisions, who does what by when). 保存 writes all three in
one transaction; the services check everything and the dialog shows what they say.
The 三会一课 dialog shows which required meetings are held, due or overdue."""
from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QFrame, QGroupBox, QHBoxLayout, QHeaderView, QLabel,
    QLineEdit, QListWidget, QListWidgetItem, QMessageBox, QPlainTextEdit, QPushButton, QScrollArea, QTableWidget,
    QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget,
)

from ..fields import ATTENDANCE, ATTENDEE_ROLES, ISSUE_LEVELS, MEETING_FIELDS
from ..models.meetings import EXCUSED, INVITED, PRESENT, ROLE_LEADER, ROLE_MEMBER, ROLE_OTHER, ROLE_PARTNER
from ..services import NotFound, ValidationFailed, org
from ..services import meetings as S
from ..services.search import haystack, matching_indexes
from ..store import Store
from .widgets import ERROR_STYLE, NOTE_STYLE, close_buttons, message_label, note_label
from .forms import RecordForm, Section, run_form

ROLE_LABELS = dict(ATTENDEE_ROLES)
PRINTS = (("notice", "打印通知…"), ("agenda", "打印议程…"), ("signin", "打印签到表…"), ("minutes", "打印会议记录…"))
STATUS_LABELS = dict(ATTENDANCE)


def now() -> datetime:
    return datetime.now().replace(microsecond=0)


# ---- the meeting's kind, time and place ----------------------------------------------------------
class MeetingForm(RecordForm):
    NOUN = "会议"
    FIELDS = MEETING_FIELDS
    MIN_WIDTH = 760
    COLUMNS = ((Section("会议", ("kind", "title", "party_org_id")),
                Section("时间地点", ("date", "start_time", "end_time", "place", "host", "recorder"))),)

    def load_choices(self, session):
        self.inputs["kind"].set_options(S.meeting_kinds(session))
        self.inputs["party_org_id"].set_choices((c.id, c.label) for c in org.party_org_choices(session))

    def load_record(self, session, record_id):
        return S.get_meeting(session, record_id)

    def defaults(self):
        return {"date": date.today(), "start_time": "14:30", "place": "党群服务站"}

    def record_name(self, values):
        return values.get("title") or values.get("kind") or ""

    def save_record(self, session, raw):
        return S.save_meeting(session, raw, self.record_id)


def open_meeting(parent: QWidget | None, store: Store, record_id: int | None) -> int | None:
    """New: the form, then straight on to the agenda and the invitees. Existing: its dialog."""
    if record_id is None:
        record_id = run_form(MeetingForm, parent, store, None)
        if record_id is None:
            return None
    try:
        dialog = MeetingDialog(store, record_id, parent)
    except NotFound:
        QMessageBox.information(parent, "记录已删除", "这次会议已被删除（可能刚刚在别处删除），请刷新列表。")
        return None
    try:
        dialog.exec()
    finally:
        dialog.deleteLater()
    return record_id


# ---- small table helpers -----------------------------------------------------------------------
def _table(parent: QWidget, headers: list[str], name: str) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _text(table: QTableWidget, row: int, col: int) -> str:
    item = table.item(row, col)
    return item.text().strip() if item is not None else ""


def _set(table: QTableWidget, row: int, col: int, text: object, data: object = None) -> None:
    item = QTableWidgetItem("" if text is None else str(text))
    if data is not None:
        item.setData(Qt.ItemDataRole.UserRole, data)
    table.setItem(row, col, item)


def _combo(parent: QWidget, choices, current) -> QComboBox:
    box = QComboBox(parent)
    for value, label in choices:
        box.addItem(label, value)
    box.setCurrentIndex(max(0, box.findData(current)))
    return box


def _buttons(parent: QWidget, specs) -> QVBoxLayout:
    column = QVBoxLayout()
    for text, name, slot in specs:
        button = QPushButton(text, parent)
        button.setObjectName(name)
        button.clicked.connect(slot)
        column.addWidget(button)
    column.addStretch(1)
    return column


def _choose(box: QComboBox, value: object, text: str) -> None:
    """Select value in box, adding it first if the box does not offer it (an issue already done)."""
    if box.findData(value) < 0:
        box.addItem(text, value)
    box.setCurrentIndex(box.findData(value))


def _move_row(table: QTableWidget, step: int, cell_widgets: tuple[int, ...] = ()) -> None:
    """Move the current row up (-1) or down (+1), its items and its combo boxes."""
    row = table.currentRow()
    other = row + step
    if row < 0 or not 0 <= other < table.rowCount():
        return
    for col in range(table.columnCount()):
        if col in cell_widgets:
            a, b = table.cellWidget(row, col), table.cellWidget(other, col)
            a_item, b_item = (a.currentData(), a.currentText()), (b.currentData(), b.currentText())
            _choose(a, *b_item)
            _choose(b, *a_item)
        else:
            a, b = table.takeItem(row, col), table.takeItem(other, col)
            table.setItem(row, col, b)
            table.setItem(other, col, a)
    table.setCurrentCell(other, table.currentColumn())


# ---- 议程 -----------------------------------------------------------------------------------------
class AgendaTab(QWidget):
    changed = Signal()
    COLUMNS = ["议题", "汇报人", "时长（分钟）", "关联问题"]

    def __init__(self, issue_choices: list[tuple[int, str]], parent: QWidget):
        super().__init__(parent)
        self.issue_choices = [(None, "（不关联）"), *issue_choices]
        self.table = _table(self, self.COLUMNS, "agenda")
        for col, width in enumerate((300, 90, 90)):
            self.table.setColumnWidth(col, width)
        self.table.itemChanged.connect(lambda _i: self.changed.emit())
        self._new = 0
        row = QHBoxLayout(self)
        row.addWidget(self.table, 1)
        row.addLayout(_buttons(self, (("添加议题", "addItem", self.add_row), ("删除", "removeItem", self.remove_row),
                                      ("上移", "itemUp", lambda: self._move(-1)),
                                      ("下移", "itemDown", lambda: self._move(1)))))

    def load(self, items: list[dict]) -> None:
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        for item in items:
            self.add_row(item)
        self.table.blockSignals(False)

    def add_row(self, item: dict | None = None) -> None:
        item = item or {}
        if not item.get("id"):
            self._new += 1
        key = item.get("id") or f"new{self._new}"
        row = self.table.rowCount()
        self.table.blockSignals(True)
        self.table.insertRow(row)
        _set(self.table, row, 0, item.get("title"), key)
        _set(self.table, row, 1, item.get("presenter"))
        _set(self.table, row, 2, item.get("planned_minutes"))
        choices = list(self.issue_choices)
        if item.get("issue_id") and all(v != item["issue_id"] for v, _l in choices):
            choices.append((item["issue_id"], item.get("issue_number") or "（已办理的问题）"))
        box = _combo(self.table, choices, item.get("issue_id"))
        box.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.table.setCellWidget(row, 3, box)
        self.table.blockSignals(False)
        if not item:
            self.table.setCurrentCell(row, 0)
            self.table.editItem(self.table.item(row, 0))
            self.changed.emit()

    def remove_row(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)
            self.changed.emit()

    def _move(self, step: int) -> None:
        _move_row(self.table, step, (3,))
        self.changed.emit()

    def rows(self) -> list[dict]:
        """The agenda for set_agenda, each with its key (an id, or new1 …)."""
        found = []
        for row in range(self.table.rowCount()):
            key = self.table.item(row, 0).data(Qt.ItemDataRole.UserRole)
            found.append({"key": key, "id": key if isinstance(key, int) else None, "title": _text(self.table, row, 0),
                          "presenter": _text(self.table, row, 1), "planned_minutes": _text(self.table, row, 2),
                          "issue_id": self.table.cellWidget(row, 3).currentData()})
        return found


# ---- 参会人员（签到） ----------------------------------------------------------------------------------
class PickDialog(QDialog):
    """Tick who to invite; the search box finds names by pinyin, initials or address.
    Members can be narrowed to a branch or a party group (and those below it)."""

    def __init__(self, title: str, candidates: list[S.Candidate], orgs: list[tuple[int, str]] | None,
                 parent: QWidget):
        super().__init__(parent)
        self.setObjectName("pickDialog")
        self.setWindowTitle(title)
        self.candidates = candidates
        self.hays = [haystack(c.name, c.unit, c.search) for c in candidates]
        self.search = QLineEdit(self)
        self.search.setObjectName("pickSearch")
        self.search.setPlaceholderText("搜索：姓名、拼音首字母、住址")
        self.search.textChanged.connect(self._filter)
        self.org = QComboBox(self)
        self.org.setObjectName("pickOrg")
        self.org.addItem("全部", None)
        for org_id, label in orgs or []:
            self.org.addItem(label, org_id)
        self.org.setVisible(bool(orgs))
        self.org.currentIndexChanged.connect(self._filter)
        self.list = QListWidget(self)
        self.list.setObjectName("pickList")
        for c in candidates:
            item = QListWidgetItem(f"{c.name}　{c.unit}", self.list)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
        self.count = QLabel(self)
        self.list.itemChanged.connect(self._count)
        tick = QPushButton("全选显示的", self)
        tick.setObjectName("pickAll")
        tick.clicked.connect(self.tick_shown)
        buttons = QDialogButtonBox(self)
        ok = buttons.addButton("添加", QDialogButtonBox.ButtonRole.AcceptRole)
        ok.setObjectName("pickOk")
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.org)
        bottom = QHBoxLayout()
        bottom.addWidget(tick)
        bottom.addWidget(self.count, 1)
        bottom.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.list, 1)
        layout.addLayout(bottom)
        self.resize(520, 560)
        self._count()

    def _filter(self) -> None:
        text, org_id = self.search.text(), self.org.currentData()
        shown = set(matching_indexes(text, self.hays, [None] * len(self.hays))) if text else None
        for n, c in enumerate(self.candidates):
            hide = (shown is not None and n not in shown) or (org_id is not None and org_id not in c.party_orgs)
            self.list.item(n).setHidden(hide)

    def tick_shown(self) -> None:
        for n in range(self.list.count()):
            item = self.list.item(n)
            if not item.isHidden():
                item.setCheckState(Qt.CheckState.Checked)

    def _count(self, *_args) -> None:
        self.count.setText(f"已选 {len(self.chosen())} 人")

    def chosen(self) -> list[S.Candidate]:
        return [c for n, c in enumerate(self.candidates)
                if self.list.item(n).checkState() == Qt.CheckState.Checked]


class AttendanceTab(QWidget):
    changed = Signal()
    COLUMNS = ["姓名", "单位/身份", "类别", "出席情况", "请假原因"]

    def __init__(self, store: Store, parent: QWidget):
        super().__init__(parent)
        self.store = store
        self.table = _table(self, self.COLUMNS, "attendees")
        for col, width in enumerate((100, 220, 90, 90)):
            self.table.setColumnWidth(col, width)
        self.table.itemChanged.connect(lambda _i: self._edited())
        self.counts = QLabel(self)
        self.counts.setObjectName("attendanceCounts")
        side = _buttons(self, (("添加党员…", "addMembers", lambda: self.pick(ROLE_MEMBER)),
                               ("添加楼栋长…", "addLeaders", lambda: self.pick(ROLE_LEADER)),
                               ("添加红色合伙人…", "addPartners", lambda: self.pick(ROLE_PARTNER)),
                               ("添加其他人", "addOther", self.add_other), ("删除", "removeAttendee", self.remove_row),
                               ("全部出席", "allPresent", self.all_present)))
        row = QHBoxLayout()
        row.addWidget(self.table, 1)
        row.addLayout(side)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("业委会、物业等单位的代表请用“添加其他人”，在“单位/身份”一栏写明单位。", self))
        layout.addLayout(row, 1)
        layout.addWidget(self.counts)
        self._candidates: list[S.Candidate] | None = None

    def load(self, people: list[dict]) -> None:
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        for person in people:
            self._append(person)
        self.table.blockSignals(False)
        self._update_counts()

    def _append(self, person: dict) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        ids = {k: person.get(k) for k in ("member_id", "leader_id", "partner_id")}
        _set(self.table, row, 0, person.get("name"), ids)
        _set(self.table, row, 1, person.get("unit"))
        role = person.get("role") or ROLE_OTHER
        box = _combo(self.table, ATTENDEE_ROLES, role)
        box.currentIndexChanged.connect(lambda _i: self._edited())
        self.table.setCellWidget(row, 2, box)
        status = _combo(self.table, ATTENDANCE, person.get("status") or INVITED)
        status.setObjectName("attendanceStatus")
        status.currentIndexChanged.connect(lambda _i: self._edited())
        self.table.setCellWidget(row, 3, status)
        _set(self.table, row, 4, person.get("reason"))

    def _edited(self) -> None:
        self._update_counts()
        self.changed.emit()

    def _known(self) -> set[tuple]:
        found = set()
        for row in range(self.table.rowCount()):
            ids = self.table.item(row, 0).data(Qt.ItemDataRole.UserRole) or {}
            found.add((ids.get("member_id"), ids.get("leader_id"), ids.get("partner_id")))
        return found

    def pick(self, role: str) -> None:
        if self._candidates is None:
            with self.store.session() as session:
                self._candidates = S.invitee_candidates(session)
                self._orgs = [(c.id, c.label) for c in org.party_org_choices(session)]
        known = self._known()
        offered = [c for c in self._candidates if c.role == role
                   and (c.member_id, c.leader_id, c.partner_id) not in known]
        title = {ROLE_MEMBER: "添加党员", ROLE_LEADER: "添加楼栋长", ROLE_PARTNER: "添加红色合伙人"}[role]
        dialog = PickDialog(title, offered, self._orgs if role == ROLE_MEMBER else None, self)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return
            chosen = dialog.chosen()
        finally:
            dialog.deleteLater()
        self.table.blockSignals(True)
        for c in chosen:
            self._append({"name": c.name, "unit": c.unit, "role": c.role, "member_id": c.member_id,
                          "leader_id": c.leader_id, "partner_id": c.partner_id})
        self.table.blockSignals(False)
        self._edited()

    def add_other(self) -> None:
        self._append({"role": ROLE_OTHER})
        row = self.table.rowCount() - 1
        self.table.setCurrentCell(row, 0)
        self.table.editItem(self.table.item(row, 0))
        self._edited()

    def remove_row(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True)
        for row in rows:
            self.table.removeRow(row)
        self._edited()

    def all_present(self) -> None:
        """Everyone not excused came: the usual case, marked in one click."""
        for row in range(self.table.rowCount()):
            box = self.table.cellWidget(row, 3)
            if box.currentData() != EXCUSED:
                box.setCurrentIndex(box.findData(PRESENT))

    def rows(self) -> list[dict]:
        found = []
        for row in range(self.table.rowCount()):
            ids = self.table.item(row, 0).data(Qt.ItemDataRole.UserRole) or {}
            found.append({**ids, "name": _text(self.table, row, 0), "unit": _text(self.table, row, 1),
                          "role": self.table.cellWidget(row, 2).currentData(),
                          "status": self.table.cellWidget(row, 3).currentData(),
                          "reason": _text(self.table, row, 4)})
        return found

    def _update_counts(self) -> None:
        statuses = [self.table.cellWidget(r, 3).currentData() for r in range(self.table.rowCount())
                    if self.table.cellWidget(r, 3) is not None]
        present, excused = statuses.count(PRESENT), statuses.count(EXCUSED)
        self.counts.setText(f"应到 {len(statuses)} 人，实到 {present} 人，请假 {excused} 人，"
                            f"缺席 {len(statuses) - present - excused} 人")


# ---- 会议记录 ------------------------------------------------------------------------------------------
class ItemMinutes(QGroupBox):
    """One agenda item in the minutes: what was said, and its decisions."""

    COLUMNS = ["决议事项", "责任人（单位）", "完成时限", "办理层级"]

    def __init__(self, title: str, has_issue: bool, parent: QWidget):
        super().__init__(title, parent)
        self.setObjectName("itemMinutes")
        self.discussion = QPlainTextEdit(self)
        self.discussion.setObjectName("discussion")
        self.discussion.setPlaceholderText("讨论情况：谁说了什么，有哪些意见")
        self.discussion.setFixedHeight(80)
        self.decisions = _table(self, self.COLUMNS, "decisions")
        self.decisions.setFixedHeight(110)
        for col, width in enumerate((300, 140, 100)):
            self.decisions.setColumnWidth(col, width)
        note = "本议题关联居民问题：第一条决议会记为该问题的“定事”。" if has_issue else ""
        hint = QLabel(note, self)
        hint.setStyleSheet(NOTE_STYLE)
        hint.setVisible(bool(note))
        add = QPushButton("添加决议", self)
        add.setObjectName("addDecision")
        add.clicked.connect(lambda: self.add_decision())
        remove = QPushButton("删除决议", self)
        remove.clicked.connect(lambda: self.decisions.removeRow(self.decisions.currentRow()))
        row = QHBoxLayout()
        row.addWidget(hint)
        row.addStretch(1)
        row.addWidget(add)
        row.addWidget(remove)
        layout = QVBoxLayout(self)
        layout.addWidget(self.discussion)
        layout.addLayout(row)
        layout.addWidget(self.decisions)

    def load(self, discussion: str | None, decisions: list[dict]) -> None:
        self.discussion.setPlainText(discussion or "")
        for d in decisions:
            self.add_decision(d)

    def add_decision(self, decision: dict | None = None) -> None:
        decision = decision or {}
        row = self.decisions.rowCount()
        self.decisions.insertRow(row)
        _set(self.decisions, row, 0, decision.get("content"))
        _set(self.decisions, row, 1, decision.get("owner"))
        deadline = decision.get("deadline")
        _set(self.decisions, row, 2, f"{deadline:%Y-%m-%d}" if hasattr(deadline, "year") else deadline)
        self.decisions.setCellWidget(row, 3, _combo(self.decisions, ISSUE_LEVELS, decision.get("level") or "compound"))

    def values(self) -> tuple[str, list[dict]]:
        rows = []
        for row in range(self.decisions.rowCount()):
            cells = [_text(self.decisions, row, c) for c in range(3)]
            if any(cells):
                rows.append({"content": cells[0], "owner": cells[1], "deadline": cells[2],
                             "level": self.decisions.cellWidget(row, 3).currentData()})
        return self.discussion.toPlainText().strip(), rows


class MinutesTab(QWidget):
    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.blocks: dict[object, ItemMinutes] = {}
        self.area = QScrollArea(self)
        self.area.setWidgetResizable(True)
        self.area.setFrameShape(QFrame.Shape.NoFrame)
        self.inner = QWidget(self.area)
        self.column = QVBoxLayout(self.inner)
        self.area.setWidget(self.inner)
        self.empty = QLabel("先在“议程”中添加议题，再在这里写每个议题的讨论情况和决议。", self.inner)
        self.summary = QPlainTextEdit(self)
        self.summary.setObjectName("summary")
        self.summary.setPlaceholderText("会议小结（可不填）")
        self.summary.setFixedHeight(70)
        layout = QVBoxLayout(self)
        layout.addWidget(self.area, 1)
        layout.addWidget(QLabel("会议小结", self))
        layout.addWidget(self.summary)

    def follow(self, agenda: list[dict], saved: dict[object, dict] | None = None) -> None:
        """Show one block per agenda item, keeping what was typed for items still there."""
        shape = [(item["key"], item["title"], bool(item.get("issue_id"))) for item in agenda]
        if shape == getattr(self, "_shape", None):
            return  # the same items: keep the blocks (and where the cursor is)
        self._shape = shape
        saved = saved or {}
        typed = {key: block.values() for key, block in self.blocks.items()}
        for block in self.blocks.values():
            block.setParent(None)
            block.deleteLater()
        self.blocks = {}
        while self.column.count():
            self.column.takeAt(0)
        for n, item in enumerate(agenda, start=1):
            block = ItemMinutes(f"议题{n}：{item['title'] or '（未填写）'}", bool(item.get("issue_id")), self.inner)
            if item["key"] in typed:
                discussion, decisions = typed[item["key"]]
                block.load(discussion, decisions)
            elif item["key"] in saved:
                block.load(saved[item["key"]].get("discussion"), saved[item["key"]].get("decisions") or [])
            self.blocks[item["key"]] = block
            self.column.addWidget(block)
        self.empty.setVisible(not agenda)
        self.column.addWidget(self.empty)
        self.column.addStretch(1)

    def reset(self) -> None:
        """Forget the blocks: the next follow() shows what was saved."""
        for block in self.blocks.values():
            block.setParent(None)
            block.deleteLater()
        self.blocks = {}
        self._shape = None

    def has_content(self) -> bool:
        return bool(self.summary.toPlainText().strip()) or any(
            d or rows for d, rows in (b.values() for b in self.blocks.values()))


# ---- the meeting's own dialog ----------------------------------------------------------------------
class MeetingDialog(QDialog):
    def __init__(self, store: Store, meeting_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.meeting_id = store, meeting_id
        self.saved = False
        self.setObjectName("meetingDialog")
        self.setSizeGripEnabled(True)
        self.summary_label = QLabel(self)
        self.summary_label.setObjectName("meetingSummary")
        self.summary_label.setWordWrap(True)
        edit = QPushButton("修改时间地点…", self)
        edit.setObjectName("editMeeting")
        edit.clicked.connect(self.edit_basics)
        with store.session() as session:
            issue_choices = S.open_issue_choices(session)
        self.tabs = QTabWidget(self)
        self.agenda = AgendaTab(issue_choices, self)
        self.attendance = AttendanceTab(store, self)
        self.minutes = MinutesTab(self)
        self.tabs.addTab(self.agenda, "议程")
        self.tabs.addTab(self.attendance, "参会人员（签到）")
        self.tabs.addTab(self.minutes, "会议记录")
        self.tabs.currentChanged.connect(self._tab_changed)
        self.message = message_label(self, "meetingMessage")
        buttons = QDialogButtonBox(self)
        self.save_button = buttons.addButton("保存", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("saveMeeting")
        self.save_button.setToolTip("保存议程、签到和会议记录（Ctrl+S）")
        close = buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.clicked.connect(self.save)
        close.clicked.connect(self.reject)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save)
        self.print_row = QHBoxLayout()
        for kind, text in PRINTS:
            button = QPushButton(text, self)
            button.setObjectName(f"print_{kind}")
            button.clicked.connect(lambda _c=False, k=kind: self.print(k))
            self.print_row.addWidget(button)
        head = QHBoxLayout()
        head.addWidget(self.summary_label, 1)
        head.addWidget(edit)
        bottom = QHBoxLayout()
        bottom.addLayout(self.print_row)
        bottom.addStretch(1)
        bottom.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        layout.addLayout(bottom)
        self.resize(980, 680)
        self.load()

    # ---- loading ----
    def load(self) -> None:
        with self.store.session() as session:
            self._show_basics(session)
            items = S.agenda(session, self.meeting_id)
            people = S.attendees(session, self.meeting_id)
            minutes = S.minutes_of(session, self.meeting_id)
        summary, self.had_minutes = minutes["summary"], minutes["minutes_at"] is not None
        self.agenda.load(items)
        self.attendance.load(people)
        self._saved_items = {i["id"]: i for i in items}
        self.minutes.reset()
        self.minutes.follow(self.agenda.rows(), self._saved_items)
        self.minutes.summary.setPlainText(summary or "")
        self._initial = self.snapshot()

    def snapshot(self) -> str:
        """Everything the dialog would save, to tell whether closing loses anything."""
        self.minutes.follow(self.agenda.rows(), self._saved_items)
        typed = {str(k): b.values() for k, b in self.minutes.blocks.items()}
        return repr((self.agenda.rows(), self.attendance.rows(), typed, self.minutes.summary.toPlainText()))

    def _show_basics(self, session) -> None:
        """The heading: title, kind, time, place, host, recorder and holding organisation."""
        basics = S.get_meeting(session, self.meeting_id)
        org_name = next((c.label for c in org.party_org_choices(session) if c.id == basics["party_org_id"]), "")
        title = basics.get("title") or basics["kind"]
        self.setWindowTitle(f"会议：{title}")
        when = f"{basics['date']:%Y-%m-%d} {basics['start_time']}" + (
            f"—{basics['end_time']}" if basics.get("end_time") else "")
        parts = [f"<b>{title}</b>（{basics['kind']}）", f"时间：{when}", f"地点：{basics.get('place') or '（未填）'}",
                 f"主持人：{basics.get('host') or '（未填）'}", f"记录人：{basics.get('recorder') or '（未填）'}"]
        if org_name:
            parts.append(f"召开组织：{org_name}")
        self.summary_label.setText("　".join(parts))

    def _tab_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.minutes:
            self.minutes.follow(self.agenda.rows(), self._saved_items)

    def edit_basics(self) -> None:
        if run_form(MeetingForm, self, self.store, self.meeting_id) is not None:
            self.saved = True
            with self.store.session() as session:
                self._show_basics(session)

    # ---- saving ----
    def save(self) -> bool:
        self.minutes.follow(self.agenda.rows(), self._saved_items)
        agenda = self.agenda.rows()
        people = self.attendance.rows()
        write_minutes = self.had_minutes or self.minutes.has_content()
        typed = {key: block.values() for key, block in self.minutes.blocks.items()}
        self.message.hide()
        def step(call, errors: dict) -> bool:
            try:
                call()
                return True
            except ValidationFailed as exc:
                errors.update(exc.errors)
                return False

        def write(session) -> None:
            """All three parts, every problem of each said at once; any problem rolls all back."""
            errors: dict = {}
            if step(lambda: S.set_agenda(session, self.meeting_id, agenda), errors):
                ids = [i["id"] for i in S.agenda(session, self.meeting_id)]
                by_key = dict(zip((a["key"] for a in agenda), ids))
                if write_minutes:
                    step(lambda: S.record_minutes(
                        session, self.meeting_id, discussions={by_key[k]: d for k, (d, _r) in typed.items()},
                        decisions={by_key[k]: rows for k, (_d, rows) in typed.items()},
                        summary=self.minutes.summary.toPlainText(), at=now()), errors)
            step(lambda: S.set_attendees(session, self.meeting_id, people), errors)
            if errors:
                raise ValidationFailed(errors)

        try:
            with self.store.transaction() as session:
                write(session)
        except ValidationFailed as exc:
            self._show_errors(exc.errors)
            return False
        self.saved = True
        self.load()
        self.message.setStyleSheet("color: #2e7d32;")
        self.message.setText("已保存。" + ("会议记录中关联问题的决议已记入问题的“定事”。" if write_minutes else ""))
        self.message.show()
        return True

    def print(self, kind: str) -> None:
        """Print from what is saved: unsaved changes are saved first (or the print waits)."""
        if self.snapshot() != self._initial and not self.save():
            return
        from .print_preview import preview_document

        preview_document(self, self.store, kind, self.meeting_id)

    def _show_errors(self, errors: dict) -> None:
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setText("未保存，请改正：\n" + "\n".join(dict.fromkeys(errors.values())))
        self.message.show()
        first = next(iter(errors))
        tab = self.agenda if first.startswith("item") else self.attendance if first.startswith("attendee") \
            else self.minutes
        self.tabs.setCurrentWidget(tab)

    def reject(self) -> None:
        if self.snapshot() != self._initial:
            answer = QMessageBox.question(
                self, "未保存", "有未保存的修改，要保存吗？",
                QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Save)
            if answer == QMessageBox.StandardButton.Cancel:
                return
            if answer == QMessageBox.StandardButton.Save and not self.save():
                return
        super().reject()


# ---- 三会一课 --------------------------------------------------------------------------------------------
class TrackerDialog(QDialog):
    """The 三会一课 this period: held, due, or overdue; how often each is required."""

    COLUMNS = ["会议", "党组织", "频次", "本期", "本期已开", "最近一次", "情况"]

    def __init__(self, store: Store, parent: QWidget | None = None, *, today: date | None = None):
        super().__init__(parent)
        self.store, self.today = store, today or date.today()
        self.setObjectName("trackerDialog")
        self.setWindowTitle("三会一课")
        self.table = _table(self, self.COLUMNS, "tracker")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.frequency_boxes: dict[str, QComboBox] = {}
        row = QHBoxLayout()
        row.addWidget(QLabel("要求频次：", self))
        with store.session() as session:
            current = S.frequencies(session)
        for kind, every in current.items():
            box = _combo(self, S.FREQUENCY_LABELS.items(), every)
            box.setObjectName(f"frequency_{kind}")
            box.currentIndexChanged.connect(lambda _i, k=kind, b=box: self._set_frequency(k, b.currentData()))
            row.addWidget(QLabel(kind, self))
            row.addWidget(box)
            self.frequency_boxes[kind] = box
        row.addStretch(1)
        note = note_label("写了会议记录的会议才算召开。党小组会按每个党小组计，其余按党支部计；"
                      "“逾期”表示本期和上一期都还没有召开。", self)
        buttons = close_buttons(self)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.resize(1040, 560)
        self.refresh()

    def _set_frequency(self, kind: str, every: str) -> None:
        with self.store.transaction() as session:
            S.set_frequencies(session, {kind: every})
        self.refresh()

    def refresh(self) -> None:
        with self.store.session() as session:
            rows = S.tracker(session, self.today)
        # what needs doing first: overdue, then due, then held
        rows.sort(key=lambda r: ("逾期", "待召开", "已召开").index(r.state))
        self.table.setRowCount(0)
        colours = {"逾期": QColor("#c0392b"), "待召开": QColor("#b9770e"), "已召开": QColor("#2e7d32")}
        for r in rows:
            n = self.table.rowCount()
            self.table.insertRow(n)
            cells = (r.kind, r.party_org, r.every, f"{r.start:%Y-%m-%d} 至 {r.end:%Y-%m-%d}", f"{r.held} 次",
                     f"{r.last_held:%Y-%m-%d}" if r.last_held else "—", r.state)
            for col, text in enumerate(cells):
                _set(self.table, n, col, text)
            self.table.item(n, 6).setForeground(colours[r.state])


def print_meeting(page, row) -> bool:
    """The page's 打印…: which document of the selected meeting."""
    from PySide6.QtGui import QCursor
    from PySide6.QtWidgets import QMenu

    from .print_preview import preview_document

    menu = QMenu(page)
    for kind, text in PRINTS:
        menu.addAction(text.removeprefix("打印")).setData(kind)
    chosen = menu.exec(QCursor.pos())
    if chosen is not None:
        preview_document(page, page.store, chosen.data(), row.id)
    return False


def open_tracker(parent: QWidget, store: Store) -> bool:
    dialog = TrackerDialog(store, parent)
    try:
        dialog.exec()
    finally:
        dialog.deleteLater()
    return False
