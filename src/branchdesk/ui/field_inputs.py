"""The form inputs: one per field kind (text, date, choice, searchable reference,
yes/no, long text). Each shows its field's label with a star when required, its
message just below, and tells the form when it is edited or left."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QAbstractListModel, QDate, QEvent, QModelIndex, QObject, QStringListModel, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QCalendarWidget,
    QCheckBox,
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

from .. import fields as F
from ..fields import Field
from ..services.search import haystack, matching_indexes
from ..validation import Invalid, parse_date

ERROR_COLOR = "#c0392b"
HINT_COLOR = "#7a7a7a"
DATE_PLACEHOLDER = "年-月-日，如 2024-05-31"
MASKED_TIP = "号码已部分隐藏；要修改，直接输入新的完整号码"
DATE_FORMATS_TIP = "可以写成 2024-05-31、2024/5/31、2024.5.31、2024年5月31日 或 20240531"
MONTH_FORMATS_TIP = "；只知道年月时可写 2024年5月 或 2024.5"

FORM_STYLE = f"""
QLabel#fieldMessage {{ color: {ERROR_COLOR}; }}
QLabel#fieldMessage[hint="true"] {{ color: {HINT_COLOR}; }}
QLabel#formMessage {{ color: {ERROR_COLOR}; font-weight: bold; }}
QLineEdit[invalid="true"], QPlainTextEdit[invalid="true"], QComboBox[invalid="true"] {{
    border: 1px solid {ERROR_COLOR}; border-radius: 3px; padding: 2px 3px; background: #fff7f6; }}
QGroupBox {{ font-weight: bold; color: #8e1b13; }}
QToolButton[calendar="true"]::menu-indicator {{ image: none; width: 0px; }}
QToolButton[calendar="true"] {{ padding: 2px 6px; }}
"""

def required_label(field: Field) -> str:
    """The label as rich text, with a red star when the field must be filled."""
    if field.required:
        return f'{field.label}<span style="color:{ERROR_COLOR}"> *</span>'
    return field.label


# ---- inputs: one per field kind ------------------------------------------------------
class FieldInput(QObject):
    """A field's editor, its label and its message line.

    raw() is what the service parses (text, a choice code, an id, a bool);
    `left` fires when the user leaves the input, `edited` on every change."""

    edited = Signal()
    left = Signal()
    advance = Signal()  # Return pressed: move on to the next field
    message_changed = Signal()  # the message line changed: the dialog may need to grow
    # A stored value shown partly hidden (TextInput.show_masked): the form leaves it out of
    # what it saves, so the stored value stays unless the user types a new one.
    masked = False

    def __init__(self, field: Field, parent: QWidget):
        super().__init__(parent)
        self.field = field
        self.error: str | None = None
        self.editor = self._build(parent)
        self.editor.setObjectName(f"input_{field.key}")
        self.label = QLabel(required_label(field) if field.kind != F.BOOL else "", parent)
        self.label.setObjectName(f"label_{field.key}")
        self.message = QLabel(parent)
        self.message.setObjectName("fieldMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.container = QWidget(parent)
        box = QVBoxLayout(self.container)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(1)
        box.addWidget(self.editor)
        box.addWidget(self.message)
        self.note = self._note()
        if field.hint:
            self.editor.setToolTip(field.hint)
        self._show_message()
        self.focus_widget.installEventFilter(self)

    # what each kind provides
    def _build(self, parent: QWidget) -> QWidget:
        raise NotImplementedError

    @property
    def focus_widget(self) -> QWidget:
        return self.editor

    @property
    def styled_widget(self) -> QWidget:
        """The widget that turns red while the field is wrong."""
        return self.focus_widget

    def _note(self) -> str:
        """The grey line under the input when nothing is wrong (hints that no placeholder shows)."""
        return self.field.hint

    def raw(self) -> object:
        raise NotImplementedError

    def set_value(self, value) -> None:
        raise NotImplementedError

    def local_error(self) -> str | None:
        """A problem only the input can see (a name that matches no one); None if none."""
        return None

    def tidy(self) -> None:
        """After a successful check on leaving: show the value the way it is understood."""

    # checking and messages
    def check(self) -> str | None:
        problem = self.local_error()
        if problem:
            return problem
        try:
            self.field.parse(self.raw())
        except Invalid as exc:
            return str(exc)
        return None

    def set_note(self, text: str) -> None:
        """Change the grey line under the input (shown while nothing is wrong)."""
        self.note = text
        self._show_message()

    def set_error(self, message: str | None) -> None:
        self.error = message or None
        widget = self.styled_widget
        if bool(widget.property("invalid")) != bool(self.error):
            widget.setProperty("invalid", bool(self.error))
            widget.style().unpolish(widget)
            widget.style().polish(widget)
        self._show_message()

    def _show_message(self) -> None:
        text = self.error or self.note
        self.message.setText(text)
        hint = not self.error
        if self.message.property("hint") != hint:
            self.message.setProperty("hint", hint)
            self.message.style().unpolish(self.message)
            self.message.style().polish(self.message)
        self.message.setVisible(bool(text))
        # A message shown without a restyle (a note) left the form layout's row heights as
        # they were: the row below was squeezed under its own editor.
        self.message.updateGeometry()
        self.message_changed.emit()

    def owns(self, widget: QWidget | None) -> bool:
        return widget is not None and (widget is self.editor or self.editor.isAncestorOf(widget))

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and not (event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier) \
                and self.field.kind != F.MULTILINE:
            self.advance.emit()  # leaving the field checks it
            return True
        return False


def _edits_text(event) -> bool:
    """Whether a key press changes a line edit's text (typing, deleting, pasting)."""
    if event.key() in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete):
        return True
    if event.matches(QKeySequence.StandardKey.Paste) or event.matches(QKeySequence.StandardKey.Cut):
        return True
    text = event.text()
    control = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.MetaModifier
    return bool(text) and text.isprintable() and not (event.modifiers() & control)


class TextInput(FieldInput):
    """Text, ID numbers, phones and addresses: a line edit. A stored ID number or phone
    may be shown partly hidden (show_masked); typing replaces it whole."""

    def _build(self, parent):
        return self._line_edit(parent)

    def _line_edit(self, parent) -> QLineEdit:
        edit = QLineEdit(parent)
        edit.setClearButtonEnabled(False)
        if self.field.hint:
            edit.setPlaceholderText(self.field.hint)
        edit.textChanged.connect(self.edited)
        edit.textEdited.connect(self._edited_by_user)
        em = edit.fontMetrics().horizontalAdvance("中")
        edit.setMinimumWidth(int(max(12, min(self.field.width + 2, 20)) * em))
        return edit

    @property
    def line(self) -> QLineEdit:
        return self.editor

    def _note(self):
        return ""  # the hint is the placeholder

    def raw(self):
        return self.line.text()

    def set_value(self, value):
        self._unmask()
        self.line.setText("" if value is None else str(value))

    def show_masked(self, shown: str) -> None:
        """Show a stored value partly hidden (138****8000): the form does not save it back,
        and the first key that edits the field clears it for the new number."""
        self.line.setText(shown)
        self.masked = True
        self.line.setToolTip(MASKED_TIP)

    def _unmask(self) -> None:
        if self.masked:
            self.masked = False
            self.line.setToolTip(self.field.hint)

    def _edited_by_user(self, _text: str) -> None:
        self._unmask()  # pasted or typed through an input method: what is there now was edited

    def check(self):
        return None if self.masked else super().check()

    def eventFilter(self, obj, event) -> bool:
        if self.masked and event.type() == QEvent.Type.KeyPress and _edits_text(event):
            self._unmask()
            self.line.clear()  # the key then types into the empty field
        return super().eventFilter(obj, event)

    def set_suggestions(self, words: list[str]) -> None:
        """A completer over the given words, matching anywhere, case-insensitive."""
        completer = QCompleter(words, self.line)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setMaxVisibleItems(12)
        self.line.setCompleter(completer)


class DateInput(FieldInput):
    """A date typed as text in any format parse_date accepts, or picked from a calendar."""

    def _build(self, parent):
        box = QWidget(parent)
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        self.edit = QLineEdit(box)
        self.edit.setPlaceholderText(DATE_PLACEHOLDER)
        tip = DATE_FORMATS_TIP + (MONTH_FORMATS_TIP if self.field.allow_month else "") + "；可以不填。"
        if self.field.hint:
            tip = f"{self.field.hint}。{tip}"
        self.edit.setToolTip(tip)
        em = self.edit.fontMetrics().horizontalAdvance("中")
        self.edit.setMinimumWidth(9 * em)
        self.edit.textChanged.connect(self.edited)
        self.button = QToolButton(box)
        self.button.setObjectName(f"calendar_{self.field.key}")
        self.button.setText("日历")
        self.button.setProperty("calendar", True)
        self.button.setToolTip("从日历中选择日期")
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu = QMenu(self.button)
        self.calendar = QCalendarWidget(self.menu)
        self.calendar.setGridVisible(True)
        self.calendar.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        self.calendar.setMinimumDate(QDate(1900, 1, 1))
        if not self.field.allow_future:
            self.calendar.setMaximumDate(QDate.currentDate())
        self.calendar.clicked.connect(self._picked)
        self.calendar.activated.connect(self._picked)
        action = QWidgetAction(self.menu)
        action.setDefaultWidget(self.calendar)
        self.menu.addAction(action)
        self.menu.aboutToShow.connect(self._sync_calendar)
        self.button.setMenu(self.menu)
        row.addWidget(self.edit, 1)
        row.addWidget(self.button)
        return box

    @property
    def focus_widget(self):
        return self.edit

    def raw(self):
        return self.edit.text()

    def set_value(self, value):
        self.edit.setText(f"{value:%Y-%m-%d}" if isinstance(value, date) else (value or ""))

    def tidy(self):
        try:  # a full date is shown as 2024-05-31; a year and month stay as typed
            value = parse_date(self.edit.text())
        except Invalid:
            return
        if value is not None:
            self.set_value(value)

    def _sync_calendar(self):
        try:
            value = parse_date(self.edit.text(), allow_month=True)
        except Invalid:
            value = None
        if value is not None:
            self.calendar.setSelectedDate(QDate(value.year, value.month, value.day))

    def _picked(self, picked: QDate):
        self.edit.setText(picked.toString("yyyy-MM-dd"))
        self.menu.close()
        self.edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self.left.emit()


class ChoiceInput(FieldInput):
    """A closed list (a choice code or a record id): a plain combo box. Optional
    fields have an empty entry; a required one starts unselected."""

    def __init__(self, field: Field, parent: QWidget, empty_label: str | None = None):
        self.empty_label = empty_label if empty_label is not None else ("（未选择）" if field.kind == F.REF else "")
        super().__init__(field, parent)
        if field.kind == F.CHOICE:
            self.set_choices(list(field.choices))

    def _build(self, parent):
        combo = QComboBox(parent)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(8)
        combo.setPlaceholderText(f"请选择{self.field.label}")
        combo.currentIndexChanged.connect(self.edited)
        combo.currentIndexChanged.connect(lambda _i: self._show_whole())
        combo.activated.connect(lambda _i: self.left.emit())
        return combo

    def set_choices(self, choices: Iterable[tuple[object, str]]) -> None:
        """Replace the entries, keeping the current value when it is still offered."""
        current = self.raw()
        combo = self.editor
        combo.blockSignals(True)
        combo.clear()
        if not self.field.required:
            combo.addItem(self.empty_label, None)
        for value, label in choices:
            combo.addItem(label, value)
        combo.blockSignals(False)
        # long names (党支部 / 党小组（22-23号楼）) are shown whole in the drop-down
        widest = max((combo.fontMetrics().horizontalAdvance(combo.itemText(i)) for i in range(combo.count())),
                     default=0)
        combo.view().setMinimumWidth(widest + 40)
        self.set_value(current)

    def _show_whole(self) -> None:
        combo = self.editor
        text = combo.currentText()
        cut = combo.fontMetrics().horizontalAdvance(text) > combo.width() - 30
        combo.setToolTip(text if cut else self.field.hint)

    def raw(self):
        return self.editor.currentData() if self.editor.currentIndex() >= 0 else None

    def set_value(self, value):
        index = self.editor.findData(value) if value is not None else -1
        if index < 0 and not self.field.required:
            index = 0
        self.editor.setCurrentIndex(index)


class OpenChoiceInput(FieldInput):
    """Suggestions only (民族, 学历): an editable combo box; any text is accepted."""

    def _build(self, parent):
        combo = QComboBox(parent)
        combo.setEditable(True)
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        combo.addItems([c if isinstance(c, str) else c[1] for c in self.field.choices])
        combo.setCurrentIndex(-1)
        combo.setMinimumContentsLength(8)
        combo.lineEdit().setPlaceholderText(self.field.hint or "可从列表中选，也可直接填写")
        combo.currentTextChanged.connect(self.edited)
        return combo

    def _note(self):
        return ""

    def set_options(self, labels: Iterable[str]) -> None:
        """Suggestions read from the database (the categories the secretary keeps)."""
        current = self.raw()
        self.editor.blockSignals(True)
        self.editor.clear()
        self.editor.addItems(list(labels))
        self.editor.blockSignals(False)
        self.set_value(current)

    def raw(self):
        return self.editor.currentText()

    def set_value(self, value):
        self.editor.setCurrentIndex(self.editor.findText(value) if value else -1)
        self.editor.setEditText(value or "")


@dataclass(frozen=True)
class SearchChoice:
    id: int
    label: str
    search: str = ""  # extra text the user may type to find it: pinyin, initials, short address


class SearchableRefInput(FieldInput):
    """A record picked from a long list (members): an editable combo box whose
    popup lists the entries matching what is typed (name, pinyin, initials, address)."""

    def _build(self, parent):
        combo = QComboBox(parent)
        combo.setEditable(True)
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        combo.setMaxVisibleItems(15)
        combo.setMinimumContentsLength(16)
        combo.lineEdit().setPlaceholderText("输入姓名、拼音首字母或住址查找")
        self._matches = QStringListModel(self)
        completer = QCompleter(self._matches, combo)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setMaxVisibleItems(12)
        combo.setCompleter(completer)
        combo.lineEdit().textEdited.connect(self._filter)
        combo.currentTextChanged.connect(self.edited)
        combo.activated.connect(lambda _i: self.left.emit())
        self._choices: list[SearchChoice] = []
        self._hays: list[str] = []
        return combo

    def _note(self):
        return self.field.hint

    def set_choices(self, choices: Sequence[SearchChoice]) -> None:
        current = self.raw()
        self._choices = list(choices)
        self._hays = [haystack(c.label, c.search) for c in self._choices]
        combo = self.editor
        combo.blockSignals(True)
        combo.clear()
        for c in self._choices:
            combo.addItem(c.label, c.id)
        combo.blockSignals(False)
        self.set_value(current)

    def _filter(self, text: str) -> None:
        found = matching_indexes(text, self._hays)[:200] if text.strip() else []
        self._matches.setStringList([self._choices[i].label for i in found])
        completer = self.editor.completer()
        if found:
            completer.complete()
        else:
            completer.popup().hide()

    def _matching(self) -> list[int]:
        return matching_indexes(self.editor.currentText(), self._hays)

    def raw(self):
        combo = self.editor
        text = combo.currentText().strip()
        if not text:
            return None
        index = combo.currentIndex()
        if index >= 0 and combo.itemText(index).strip() == text:
            return combo.itemData(index)
        index = combo.findText(text, Qt.MatchFlag.MatchFixedString)
        if index >= 0:
            return combo.itemData(index)
        found = self._matching()
        return self._choices[found[0]].id if len(found) == 1 else None

    def set_value(self, value):
        index = self.editor.findData(value) if value is not None else -1
        self.editor.setCurrentIndex(index)
        if index < 0:
            self.editor.setEditText("")

    def local_error(self):
        text = self.editor.currentText().strip()
        if not text or self.raw() is not None:
            return None
        found = self._matching()
        if found:
            return f"有 {len(found)} 项符合“{text}”，请从列表中选择一项。"
        return f"没有找到“{text}”，请从列表中选择。"

    def tidy(self):
        value = self.raw()
        if value is not None and self.editor.currentData() != value:
            self.set_value(value)


class _PickList(QAbstractListModel):
    """The entries a pick list shows: each shows its label and puts its name (the
    completion text) into the field."""

    def __init__(self, parent: QObject):
        super().__init__(parent)
        self.entries: list[tuple[int, str, str]] = []  # (id, name, label)

    def set_entries(self, entries: list[tuple[int, str, str]]) -> None:
        self.beginResetModel()
        self.entries = entries
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.entries)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        entry_id, name, label = self.entries[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return label
        if role == Qt.ItemDataRole.EditRole:
            return name
        if role == Qt.ItemDataRole.UserRole:
            return entry_id
        return None


class PickTextInput(TextInput):
    """A name typed, or one of the known people picked (so that their numbers are not typed
    again): what is typed lists the people it matches by name, pinyin, initials, address or
    phone; ↓ or the 选择已有人员… button lists them all. Picking emits `picked` with the id;
    editing the text by hand emits `typed`. The people are read the first time the list is
    needed, and only the entries shown are labelled: a roster may hold tens of thousands."""

    picked = Signal(int)
    typed = Signal()

    LIMIT = 200  # entries listed at once: typing more narrows them

    def _build(self, parent):
        box = QWidget(parent)
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        self._line = self._line_edit(box)
        self._line.setObjectName(f"line_{self.field.key}")
        self.button = QToolButton(box)
        self.button.setObjectName(f"pick_{self.field.key}")
        self.button.setText("选择已有人员…")
        self.button.setToolTip("从党员名册和楼栋长名册中选择（在姓名栏按 ↓ 键也可打开）")
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keyboard opens the list with ↓
        self.button.clicked.connect(self.show_all)
        self._list = _PickList(self)
        completer = QCompleter(self._list, self._line)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setMaxVisibleItems(12)
        completer.activated[QModelIndex].connect(self._activated)
        self._line.setCompleter(completer)
        self._line.textEdited.connect(self._filter)
        self._line.textEdited.connect(lambda _t: self.typed.emit())
        self._load: Callable[[], Sequence] | None = None
        self._label: Callable[[object], str] = str
        self._people: list | None = None
        self._hays: list[str] = []
        row.addWidget(self._line, 1)
        row.addWidget(self.button)
        return box

    @property
    def line(self) -> QLineEdit:
        return self._line

    @property
    def focus_widget(self):
        return self._line

    def set_source(self, load: Callable[[], Sequence], *, label: Callable[[object], str],
                   search: Callable[[object], str]) -> None:
        """Where the people come from: load() gives them (each with .id and .name), read
        when first needed; label(person) is the line the list shows, search(person) the
        text besides it that finds them (pinyin, initials, address, phone)."""
        self._load, self._label, self._search = load, label, search
        self._people = None

    def _known(self) -> list:
        if self._people is None:
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # a large roster takes a moment, once
            try:
                self._people = list(self._load()) if self._load is not None else []
                self._hays = [haystack(p.name, self._search(p)) for p in self._people]
            finally:
                QApplication.restoreOverrideCursor()
        return self._people

    def _show(self, found: list[int]) -> None:
        known = self._known()
        self._list.set_entries([(known[i].id, known[i].name, self._label(known[i])) for i in found[:self.LIMIT]])
        completer = self.line.completer()
        if found:
            popup = completer.popup()
            em = popup.fontMetrics().horizontalAdvance("中")
            widest = max(popup.fontMetrics().horizontalAdvance(e[2]) for e in self._list.entries)
            popup.setMinimumWidth(min(widest + 3 * em, 48 * em))
            completer.setCompletionPrefix(self.line.text())  # what the field goes back to when no entry is chosen
            completer.complete()
        else:
            completer.popup().hide()

    def _filter(self, text: str) -> None:
        self._show(matching_indexes(text, self._hays_loaded()) if text.strip() else [])

    def _hays_loaded(self) -> list[str]:
        self._known()
        return self._hays

    def show_all(self) -> None:
        """List everyone matching what is in the field (everyone when it is empty)."""
        self.line.setFocus(Qt.FocusReason.OtherFocusReason)
        found = matching_indexes(self.line.text(), self._hays_loaded())
        if not self._people:
            QToolTip.showText(self.button.mapToGlobal(self.button.rect().bottomLeft()),
                              "名册中还没有党员或楼栋长，请直接填写。", self.button)
        self._show(found)

    def _activated(self, index: QModelIndex) -> None:
        entry_id = index.data(Qt.ItemDataRole.UserRole)
        if entry_id is not None:
            self.picked.emit(entry_id)

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.KeyPress and not self.line.completer().popup().isVisible() and (
                event.key() == Qt.Key.Key_F4 or (event.key() == Qt.Key.Key_Down and not event.modifiers())
                or (event.key() == Qt.Key.Key_Down and event.modifiers() == Qt.KeyboardModifier.AltModifier)):
            self.show_all()
            return True
        return super().eventFilter(obj, event)


class BoolInput(FieldInput):
    def _build(self, parent):
        box = QCheckBox(self.field.label, parent)
        box.toggled.connect(self.edited)
        return box

    def raw(self):
        return self.editor.isChecked()

    def set_value(self, value):
        self.editor.setChecked(bool(value))


class MultilineInput(FieldInput):
    def _build(self, parent):
        edit = QPlainTextEdit(parent)
        edit.setTabChangesFocus(True)
        if self.field.hint:
            edit.setPlaceholderText(self.field.hint)
        line = edit.fontMetrics().lineSpacing()
        edit.setFixedHeight(3 * line + 14)
        edit.textChanged.connect(self.edited)
        return edit

    def _note(self):
        return ""

    def raw(self):
        return self.editor.toPlainText()

    def set_value(self, value):
        self.editor.setPlainText(value or "")


def make_input(field: Field, parent: QWidget) -> FieldInput:
    if field.kind == F.BOOL:
        return BoolInput(field, parent)
    if field.kind == F.DATE:
        return DateInput(field, parent)
    if field.kind == F.MULTILINE:
        return MultilineInput(field, parent)
    if field.kind == F.CHOICE and field.open_choices:
        return OpenChoiceInput(field, parent)
    if field.kind in (F.CHOICE, F.REF):
        return ChoiceInput(field, parent)
    return TextInput(field, parent)
