"""设置: the lists the secretary keeps (需求类别, 问题类别, 问题来源) and the standard
time limits of the 五事制 (当日受理、三日办结). Each change is one transaction through
the services, which refuse what would break a record and say why."""
from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDateEdit, QDialog, QFormLayout, QGroupBox, QHBoxLayout, QInputDialog, QLabel, QListWidget,
    QListWidgetItem, QPushButton, QSpinBox, QTabWidget, QVBoxLayout, QWidget,
)

from ..services import ValidationFailed, issues, lists
from ..services.periods import cn_date
from ..store import Store
from .widgets import close_buttons, grow_to_fit, message_label, note_label, ok_cancel

RETIRED = "（已停用）"


class ChoiceListEditor(QWidget):
    """One list: its entries in order, retired ones greyed, and what can be done to them."""

    def __init__(self, store: Store, kind: str, parent: QWidget):
        super().__init__(parent)
        self.store, self.kind = store, kind
        self.name = lists.CHOICE_KINDS[kind]
        self.setObjectName(f"choices_{kind}")
        self.items = QListWidget(self)
        self.items.setObjectName("items")
        self.items.currentRowChanged.connect(self._update_buttons)
        self.items.itemDoubleClicked.connect(lambda _i: self.rename())
        self.message = message_label(self, "choiceMessage")
        self.buttons: dict[str, QPushButton] = {}
        column = QVBoxLayout()
        for key, text, slot in (("add", "添加…", self.add), ("rename", "改名…", self.rename),
                                ("retire", "停用", self.retire), ("reinstate", "恢复使用", self.reinstate)):
            button = QPushButton(text, self)
            button.setObjectName(f"choice_{key}")
            button.clicked.connect(slot)
            column.addWidget(button)
            self.buttons[key] = button
        self.buttons["rename"].setToolTip("改名后，已登记的记录也一起改为新名称")
        self.buttons["retire"].setToolTip("停用后新记录不能再选它，已登记的记录保留原类别")
        column.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.items, 1)
        row.addLayout(column)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.message)
        self.refresh()

    def refresh(self, select_id: int | None = None) -> None:
        current = self.current_id() if select_id is None else select_id
        with self.store.session() as session:
            entries = lists.list_choice_items(session, self.kind)
        self.items.clear()
        for e in entries:
            item = QListWidgetItem(e.label if e.active else f"{e.label}{RETIRED}", self.items)
            item.setData(Qt.ItemDataRole.UserRole, e.id)
            item.setData(Qt.ItemDataRole.UserRole + 1, e.active)
            if not e.active:
                item.setForeground(QColor("#8a8580"))
            if e.id == current:
                self.items.setCurrentItem(item)
        self._update_buttons()

    def current_id(self) -> int | None:
        item = self.items.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _current(self) -> tuple[int | None, str, bool]:
        item = self.items.currentItem()
        if item is None:
            return None, "", False
        active = bool(item.data(Qt.ItemDataRole.UserRole + 1))
        label = item.text() if active else item.text().removesuffix(RETIRED)
        return item.data(Qt.ItemDataRole.UserRole), label, active

    def _update_buttons(self) -> None:
        item_id, _label, active = self._current()
        self.buttons["rename"].setEnabled(item_id is not None)
        self.buttons["retire"].setEnabled(item_id is not None and active)
        self.buttons["reinstate"].setEnabled(item_id is not None and not active)

    def _change(self, call) -> None:
        """Run one change; show the service's refusal under the list."""
        self.message.hide()
        try:
            with self.store.transaction() as session:
                changed_id = call(session)
        except ValidationFailed as exc:
            self.message.setText("；".join(exc.errors.values()))
            self.message.show()
            return
        self.refresh(changed_id if isinstance(changed_id, int) else None)

    def _ask(self, title: str, text: str = "") -> str | None:
        label, ok = QInputDialog.getText(self, title, f"{self.name}名称：", text=text)
        return label if ok else None

    def add(self) -> None:
        label = self._ask(f"添加{self.name}")
        if label is not None:
            self._change(lambda s: lists.add_choice(s, self.kind, label))

    def rename(self) -> None:
        item_id, old, _active = self._current()
        if item_id is None:
            return
        label = self._ask(f"{self.name}改名", old)
        if label is not None:
            self._change(lambda s: lists.rename_choice(s, item_id, label))

    def retire(self) -> None:
        item_id, _label, _active = self._current()
        if item_id is not None:
            self._change(lambda s: lists.retire_choice(s, item_id))

    def reinstate(self) -> None:
        item_id, _label, _active = self._current()
        if item_id is not None:
            self._change(lambda s: lists.reinstate_choice(s, item_id))


class ChoiceListsDialog(QDialog):
    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("choiceListsDialog")
        self.setWindowTitle("选项列表")
        self.tabs = QTabWidget(self)
        self.editors = {kind: ChoiceListEditor(store, kind, self) for kind in lists.CHOICE_KINDS}
        for kind, editor in self.editors.items():
            self.tabs.addTab(editor, lists.CHOICE_KINDS[kind])
        note = note_label("改名会同时改掉已登记记录中的名称；停用的选项不再出现在新记录的下拉列表中，已登记的记录不受影响。", self)
        buttons = close_buttons(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.resize(520, 460)


def save_or_explain(dialog, change) -> None:
    """One transaction through the service; a refusal shows on the dialog's red line and
    the dialog stays open, a success closes it."""
    try:
        with dialog.store.transaction() as session:
            change(session)
    except ValidationFailed as exc:
        dialog.message.setText("；".join(exc.errors.values()))
        dialog.message.show()
        grow_to_fit(dialog)
        return
    dialog.accept()


class _SettingDialog(QDialog):
    def __init__(self, store: Store, parent: QWidget | None, name: str, title: str):
        super().__init__(parent)
        self.store = store
        self.setObjectName(name)
        self.setWindowTitle(title)


class TimeLimitsDialog(_SettingDialog):
    """The standard limits in working days; a change moves the due dates of the issues
    not yet accepted or done (the service's rule)."""

    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(store, parent, "timeLimitsDialog", "办理时限")
        with store.session() as session:
            limits = issues.time_limits(session)
        self.accept_days, self.done_days = QSpinBox(self), QSpinBox(self)
        for box, value, top, name in ((self.accept_days, limits.accept_days, 30, "acceptDays"),
                                      (self.done_days, limits.done_days, 365, "doneDays")):
            box.setObjectName(name)
            box.setRange(0, top)
            box.setValue(value)
            box.setSuffix(" 个工作日")
        form = QFormLayout()
        form.addRow("受理时限", self.accept_days)
        form.addRow("办结时限", self.done_days)
        note = note_label("从提出之日算起，0 表示当日（休息日提出的为下一个工作日）。常见的是“当日受理、三日办结”（0 和 3）。"
                      "修改后，尚未受理或尚未办结的问题按新时限重新计算；有公开承诺日期或定事时限的问题以其为准。"
                      "周六、周日和“设置 ▸ 节假日与调休”里的放假日不算工作日，调休上班的周末算。", self)
        self.message = message_label(self, "limitsMessage")
        buttons = ok_cancel(self, "保存", "limitsOk", self.save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.setMinimumWidth(480)
        # a wrapped label asks for its height only once the width is known
        self.resize(480, 200)
        grow_to_fit(self)

    def save(self) -> None:
        save_or_explain(self, lambda session: issues.set_time_limits(
            session, accept_days=self.accept_days.value(), done_days=self.done_days.value()))


class DayListEditor(QGroupBox):
    """A list of days with a range to add (从 … 至 …) and the selected ones to remove."""

    def __init__(self, title: str, name: str, days, parent: QWidget, *, weekends_only: bool = False):
        super().__init__(title, parent)
        self.weekends_only = weekends_only  # a range adds only its Saturdays and Sundays
        self.setObjectName(name)
        self.days = QListWidget(self)
        self.days.setObjectName("days")
        self.days.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        today = QDate.currentDate()
        self.first, self.last = QDateEdit(today, self), QDateEdit(today, self)
        for edit, key in ((self.first, "from"), (self.last, "to")):
            edit.setObjectName(key)
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.first.dateChanged.connect(lambda d: self.last.setDate(max(d, self.last.date())))
        add, remove = QPushButton("添加", self), QPushButton("删除所选", self)
        add.setObjectName("addDays")
        remove.setObjectName("removeDays")
        add.clicked.connect(self.add_range)
        remove.clicked.connect(self.remove_selected)
        picker = QHBoxLayout()
        for widget in (QLabel("从", self), self.first, QLabel("至", self), self.last, add):
            picker.addWidget(widget)
        picker.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(picker)
        layout.addWidget(self.days)
        layout.addWidget(remove, 0, Qt.AlignmentFlag.AlignLeft)
        self.set_days(days)

    def values(self) -> list[date]:
        return [self.days.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.days.count())]

    def set_days(self, days) -> None:
        self.days.clear()
        for day in sorted(set(days)):
            item = QListWidgetItem(cn_date(day, weekday=True))
            item.setData(Qt.ItemDataRole.UserRole, day)
            self.days.addItem(item)

    def add_range(self) -> None:
        first, last = self.first.date().toPython(), self.last.date().toPython()
        span = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        span = [d for d in span if d.weekday() >= 5] if self.weekends_only else span
        self.set_days([*self.values(), *span])

    def remove_selected(self) -> None:
        chosen = {item.data(Qt.ItemDataRole.UserRole) for item in self.days.selectedItems()}
        self.set_days([d for d in self.values() if d not in chosen])


class WorkCalendarDialog(_SettingDialog):
    """The public holidays and the weekend days worked instead, which the time limits in
    working days follow; saving moves the due dates of the issues still open."""

    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(store, parent, "workCalendarDialog", "节假日与调休")
        with store.session() as session:
            calendar = issues.work_calendar(session)
        self.holidays = DayListEditor("放假的日子（法定节假日，工作日也不上班）", "holidays", calendar.holidays, self)
        self.workdays = DayListEditor("调休上班的周末（添加时只取其中的周六、周日）", "workdays", calendar.workdays, self,
                                      weekends_only=True)
        note = note_label("按国务院办公厅每年公布的放假安排填写：如国庆节 10 月 1 日至 7 日放假，"
                          "再添上调休上班的周六、周日。办理时限按工作日计算：周六、周日和这里的放假日不算，"
                          "调休上班的周末算。保存后，尚未受理或尚未办结的问题按新日历重新计算时限。", self)
        self.message = message_label(self, "calendarMessage")
        buttons = ok_cancel(self, "保存", "calendarOk", self.save)
        lists_row = QHBoxLayout()
        lists_row.addWidget(self.holidays)
        lists_row.addWidget(self.workdays)
        layout = QVBoxLayout(self)
        layout.addLayout(lists_row)
        layout.addWidget(note)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.resize(760, 480)
        grow_to_fit(self)

    def save(self) -> None:
        save_or_explain(self, lambda session: issues.set_work_calendar(
            session, holidays=self.holidays.values(), workdays=self.workdays.values()))
