"""设置: the lists the secretary keeps (需求类别, 问题类别, 问题来源) and the standard
time limits of the 五事制 (当日受理、三日办结). Each change is one transaction through
the services, which refuse what would break a record and say why."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QInputDialog, QListWidget, QListWidgetItem,
    QPushButton, QSpinBox, QTabWidget, QVBoxLayout, QWidget,
)

from ..services import ValidationFailed, issues, lists
from ..store import Store
from .widgets import close_buttons, grow_to_fit, message_label, note_label

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


class TimeLimitsDialog(QDialog):
    """The standard limits in working days; a change moves the due dates of the issues
    not yet accepted or done (the service's rule)."""

    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.setObjectName("timeLimitsDialog")
        self.setWindowTitle("办理时限")
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
        note = note_label("从提出之日算起，0 表示当日。常见的是“当日受理、三日办结”（0 和 3）。"
                      "修改后，尚未受理或尚未办结的问题按新时限重新计算；有公开承诺日期或定事时限的问题以其为准。"
                      "周六、周日不算工作日，法定节假日暂按工作日计算。", self)
        self.message = message_label(self, "limitsMessage")
        buttons = QDialogButtonBox(self)
        ok = buttons.addButton("保存", QDialogButtonBox.ButtonRole.AcceptRole)
        ok.setObjectName("limitsOk")
        ok.setDefault(True)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        ok.clicked.connect(self.save)
        buttons.rejected.connect(self.reject)
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
        try:
            with self.store.transaction() as session:
                issues.set_time_limits(session, accept_days=self.accept_days.value(), done_days=self.done_days.value())
        except ValidationFailed as exc:
            self.message.setText("；".join(exc.errors.values()))
            self.message.show()
            grow_to_fit(self)
            return
        self.accept()
