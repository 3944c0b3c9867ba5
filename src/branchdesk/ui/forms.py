"""Record forms built from the field registry.

One input per Field (the kind picks the widget), the field's message just below
it, a check as the user leaves a field and the service's check on save, and a
prompt before unsaved changes are thrown away. The member and building-leader
forms are declared here; the center-household form builds on the same parts
(ui/center_household_form.py)."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QDate, QEvent, QObject, QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication, QCalendarWidget, QCheckBox, QComboBox, QCompleter, QDialog, QDialogButtonBox, QFormLayout, QGroupBox,
    QHBoxLayout, QLabel, QLineEdit, QMenu, QMessageBox, QPlainTextEdit, QToolButton, QVBoxLayout,
    QWidget, QWidgetAction,
)

from .. import fields as F
from ..fields import LEADER_FIELDS, MEMBER_FIELDS, Field, by_key, check_against_id, parse_record
from ..services import NotFound, ValidationFailed, org, people
from ..services.search import haystack, matching_indexes
from ..store import Store
from ..validation import Invalid, parse_date

ERROR_COLOR = "#c0392b"
HINT_COLOR = "#7a7a7a"
UNSAVED_QUESTION = "有未保存的修改，要保存吗？"
DATE_PLACEHOLDER = "2024-05-31"
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


class TextInput(FieldInput):
    """Text, ID numbers, phones and addresses: a line edit."""

    def _build(self, parent):
        edit = QLineEdit(parent)
        edit.setClearButtonEnabled(False)
        if self.field.hint:
            edit.setPlaceholderText(self.field.hint)
        edit.textChanged.connect(self.edited)
        em = edit.fontMetrics().horizontalAdvance("中")
        edit.setMinimumWidth(int(max(12, min(self.field.width + 2, 20)) * em))
        return edit

    def _note(self):
        return ""  # the hint is the placeholder

    def raw(self):
        return self.editor.text()

    def set_value(self, value):
        self.editor.setText("" if value is None else str(value))

    def set_suggestions(self, words: list[str]) -> None:
        """A completer over the given words, matching anywhere, case-insensitive."""
        completer = QCompleter(words, self.editor)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setMaxVisibleItems(12)
        self.editor.setCompleter(completer)


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


# ---- the form ----------------------------------------------------------------------
@dataclass(frozen=True)
class Section:
    title: str  # "" for no frame
    keys: tuple[str, ...]


def _norm(value):
    return value.strip() if isinstance(value, str) else value


class RecordForm(QDialog):
    """A dialog editing one record. Subclasses say which fields, how they are laid
    out (COLUMNS), where the choices come from and which service saves; the form
    shows the service's messages beside the fields and saves nothing until all
    are right."""

    NOUN = ""  # 党员: the title reads 新增党员 / 编辑党员：张三
    FIELDS: tuple[Field, ...] = ()
    COLUMNS: tuple[tuple[Section, ...], ...] = ()  # fields in no section go full width below
    MIN_WIDTH = 460  # the first size, in pixels; the dialog may be wider
    MIN_HEIGHT = 0

    def __init__(self, store: Store, record_id: int | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.record_id = store, record_id
        self.saved_id: int | None = None
        self._prompt: QMessageBox | None = None
        self.setObjectName(f"form_{type(self).__name__}")
        self.setStyleSheet(FORM_STYLE)
        self.setSizeGripEnabled(True)
        self.inputs: dict[str, FieldInput] = {}
        for field in self.FIELDS:
            inp = self.create_input(field)
            inp.left.connect(lambda key=field.key: self._field_left(key))
            inp.edited.connect(lambda key=field.key: self._field_edited(key))
            inp.advance.connect(lambda: self.focusNextChild())
            inp.message_changed.connect(self.schedule_fit)
            self.inputs[field.key] = inp
        self._fit_timer = QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(0)
        self._fit_timer.timeout.connect(self.fit_height)
        self._watching_focus = False

        self.form_message = QLabel(self)
        self.form_message.setObjectName("formMessage")
        self.form_message.setWordWrap(True)
        self.form_message.hide()
        self.buttons = QDialogButtonBox(self)
        self.save_button = self.buttons.addButton("保存", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("saveButton")
        self.save_button.setDefault(True)
        self.save_button.setToolTip("保存（Ctrl+S）")
        self.cancel_button = self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setToolTip("取消（Esc）")
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        for keys in (QKeySequence.StandardKey.Save, "Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self.save)

        with store.session() as session:
            self.load_choices(session)
            values = self.load_record(session, record_id) if record_id is not None else dict(self.defaults())
        self.set_values(values)
        QApplication.instance().focusChanged.connect(self._focus_changed)
        self._watching_focus = True
        self.build_layout()
        self.set_tab_order()
        title = f"编辑{self.NOUN}：{self.record_name(values)}" if record_id is not None else f"新增{self.NOUN}"
        self.setWindowTitle(title)
        self._initial = self.snapshot()
        hint = self.sizeHint()
        self.resize(max(hint.width(), self.MIN_WIDTH), max(hint.height(), self.MIN_HEIGHT))
        self.fit_height()
        first = self.inputs[self.FIELDS[0].key].focus_widget
        first.setFocus(Qt.FocusReason.OtherFocusReason)

    # ---- what subclasses provide ----
    def create_input(self, field: Field) -> FieldInput:
        return make_input(field, self)

    def load_choices(self, session) -> None:
        """Fill the combo boxes and completers (one read session)."""

    def load_record(self, session, record_id: int) -> dict:
        raise NotImplementedError

    def defaults(self) -> dict:
        return {}

    def record_name(self, values: dict) -> str:
        return values.get("name") or ""

    def save_record(self, session, raw: dict) -> int:
        raise NotImplementedError

    def after_field_left(self, key: str) -> None:
        """Checks across fields once one is left (member: birth date against the ID)."""

    def after_field_edited(self, key: str) -> None:
        pass

    def extra_state(self) -> tuple:
        """State outside the field inputs that counts as a change (served households)."""
        return ()

    def ordered_focus(self) -> list[QWidget]:
        return [self.inputs[f.key].focus_widget for f in self.FIELDS]

    # ---- layout ----
    def build_layout(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 14, 16, 12)
        outer.addLayout(self.build_fields())
        outer.addStretch(1)
        outer.addWidget(self.form_message)
        outer.addWidget(self.buttons)

    def build_fields(self) -> QVBoxLayout:
        body = QVBoxLayout()
        placed: set[str] = set()
        if self.COLUMNS:
            row = QHBoxLayout()
            row.setSpacing(16)
            for column in self.COLUMNS:
                col = QVBoxLayout()
                for section in column:
                    col.addWidget(self.section_widget(section))
                    placed.update(section.keys)
                col.addStretch(1)
                row.addLayout(col, 1)
            body.addLayout(row)
        rest = tuple(f.key for f in self.FIELDS if f.key not in placed)
        if rest:
            body.addWidget(self.section_widget(Section("", rest)))
        return body

    def section_widget(self, section: Section) -> QWidget:
        box = QGroupBox(section.title, self) if section.title else QWidget(self)
        form = self.form_layout(section.keys)
        if not section.title:
            form.setContentsMargins(0, 0, 0, 0)
        box.setLayout(form)
        return box

    def form_layout(self, keys: Iterable[str]) -> QFormLayout:
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setVerticalSpacing(6)
        for key in keys:
            inp = self.inputs[key]
            form.addRow(inp.label, inp.container)
            # the label sits level with the input, not with the message under it
            inp.label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            inp.label.setContentsMargins(0, 4, 0, 0)
        return form

    def set_tab_order(self) -> None:
        chain = [*self.ordered_focus(), self.save_button, self.cancel_button]
        for a, b in zip(chain, chain[1:]):
            QWidget.setTabOrder(a, b)

    def schedule_fit(self) -> None:
        self._fit_timer.start()

    def fit_height(self) -> None:
        """Grow the dialog when wrapped messages need more room than it has
        (a top-level window does not grow for height-for-width by itself)."""
        layout = self.layout()
        if layout is None:
            return
        need = layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth() else -1
        need = max(need, layout.minimumSize().height())
        if need > self.height():
            self.resize(self.width(), need)

    # ---- values ----
    def set_values(self, values: dict) -> None:
        for key, value in values.items():
            if key in self.inputs:
                self.inputs[key].set_value(value)

    def raw_values(self) -> dict:
        return {key: inp.raw() for key, inp in self.inputs.items()}

    def snapshot(self) -> tuple:
        return tuple((k, _norm(v)) for k, v in self.raw_values().items()) + tuple(self.extra_state())

    def is_dirty(self) -> bool:
        return self.snapshot() != self._initial

    # ---- checking ----
    def _focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        """A field is left when the focus moves out of it to another widget (not to
        its own drop-down or completer popup)."""
        if old is None or new is None or new.window().windowType() == Qt.WindowType.Popup:
            return
        for inp in self.inputs.values():
            if inp.owns(old) and not inp.owns(new):
                inp.left.emit()
                return

    def done(self, result: int) -> None:
        if self._watching_focus:
            self._watching_focus = False
            QApplication.instance().focusChanged.disconnect(self._focus_changed)
        super().done(result)

    def _field_left(self, key: str) -> None:
        inp = self.inputs[key]
        problem = inp.check()
        if problem is None:
            inp.tidy()
        inp.set_error(problem)
        self.after_field_left(key)

    def _field_edited(self, key: str) -> None:
        inp = self.inputs[key]
        if inp.error and inp.check() is None:  # fixed: the message goes at once
            inp.set_error(None)
        self.after_field_edited(key)

    def clear_errors(self) -> None:
        for inp in self.inputs.values():
            inp.set_error(None)
        self.show_form_message("")

    def show_form_message(self, text: str) -> None:
        self.form_message.setText(text)
        self.form_message.setVisible(bool(text))

    def show_errors(self, errors: dict[str, str]) -> None:
        """Each message beside its field; the first wrong field (in tab order) gets the focus."""
        others = []
        for key, message in errors.items():
            if key in self.inputs:
                self.inputs[key].set_error(message)
            elif not self.show_extra_error(key, message):
                others.append(message)
        wrong = sum(1 for k in errors if k)
        summary = f"有 {len(errors)} 处需要修改，请看红字提示。" if wrong > 1 else ""
        self.show_form_message("\n".join(others) or summary)
        focus = self.first_wrong_widget(errors)
        if focus is not None:
            focus.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_extra_error(self, key: str, message: str) -> bool:
        """A message for something that is not a field input; True if shown."""
        return False

    def first_wrong_widget(self, errors: dict) -> QWidget | None:
        for f in self.FIELDS:
            if f.key in errors:
                return self.inputs[f.key].focus_widget
        return None

    # ---- saving and closing ----
    def save(self) -> bool:
        if self._prompt is not None:
            return False
        self.clear_errors()
        raw = self.raw_values()
        try:
            saved = self.save_record_in_transaction(raw)
        except ValidationFailed as exc:
            self.show_errors(exc.errors)
            return False
        except NotFound:
            QMessageBox.warning(self, "无法保存", f"这条{self.NOUN}记录已被删除（可能刚在名册中删除），无法保存。"
                                "可以取消后重新新增。")
            return False
        except Exception as exc:  # keep the dialog and what was typed
            QMessageBox.critical(self, "保存失败", f"保存时出错，刚才填写的内容还在，可以稍后再试。\n\n{exc}")
            return False
        self.saved_id = saved
        self._initial = self.snapshot()
        self.accept()
        return True

    def save_record_in_transaction(self, raw: dict) -> int:
        with self.store.transaction() as session:
            return self.save_record(session, raw)

    def reject(self) -> None:
        """Cancel, Esc and the window's close button: ask first if something changed."""
        if self._prompt is not None:
            return
        if not self.is_dirty():
            super().reject()
            return
        box = QMessageBox(QMessageBox.Icon.Question, "尚未保存", UNSAVED_QUESTION, QMessageBox.StandardButton.NoButton,
                          self)
        box.setObjectName("unsavedPrompt")
        save = box.addButton("保存", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("不保存", QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
        save.setObjectName("promptSave")
        discard.setObjectName("promptDiscard")
        cancel.setObjectName("promptCancel")
        box.setDefaultButton(save)
        box.setEscapeButton(cancel)
        self._prompt = box

        def answered(_result):
            clicked = box.clickedButton()
            self._prompt = None
            box.deleteLater()
            if clicked is save:
                self.save()
            elif clicked is discard:
                QDialog.reject(self)

        box.finished.connect(answered)
        box.open()


def run_form(form_class, parent: QWidget | None, store: Store, record_id: int | None) -> int | None:
    """Show a form modally; the saved record's id, or None if nothing was saved."""
    try:
        form = form_class(store, record_id, parent)
    except NotFound:
        QMessageBox.information(parent, "记录已删除", "这条记录已被删除（可能刚刚在别处删除），请刷新名册。")
        return None
    try:
        accepted = form.exec() == QDialog.DialogCode.Accepted
        return form.saved_id if accepted else None
    finally:
        form.deleteLater()


# ---- members (党员) ------------------------------------------------------------------
M = by_key(MEMBER_FIELDS)
_ID_KEYS = ("id_number", "birth_date", "gender")


def address_suggestions(refs: list[org.HouseholdRef]) -> list[str]:
    """Every household written both ways (3号楼2单元501 and 3-2-501), led by the
    compound's name only where there are several compounds."""
    several = len({r.compound_id for r in refs}) > 1
    words = []
    for r in refs:
        prefix = r.compound if several else ""
        words += [prefix + r.address, prefix + r.short]
    return words


class MemberForm(RecordForm):
    NOUN = "党员"
    FIELDS = MEMBER_FIELDS
    MIN_WIDTH = 780
    COLUMNS = (
        (Section("基本情况", ("name", "gender", "ethnicity", "birth_date", "id_number", "education")),),
        (Section("党员信息", ("joined_on", "confirmed_on", "category", "party_org_id")),
         Section("联系与工作", ("phone", "address", "employer", "is_registered"))),
    )

    def load_choices(self, session):
        self.inputs["party_org_id"].set_choices((c.id, c.label) for c in org.party_org_choices(session))
        self._refs = org.household_refs(session)
        self.inputs["address"].set_suggestions(address_suggestions(self._refs))

    def load_record(self, session, record_id):
        values = people.get_member(session, record_id)
        if len({r.compound_id for r in self._refs}) > 1 and values.get("address"):
            # get_member gives 3号楼2单元501 without the compound; with several compounds
            # that would not name one household when saved again, so put the compound in front.
            household = {m_id: hid for m_id, _label, hid in people.member_choices(session)}.get(record_id)
            ref = next((r for r in self._refs if r.id == household), None)
            if ref is not None:
                values["address"] = ref.compound + ref.address
        return values

    def defaults(self):
        return {"category": F.MEMBER_CATEGORIES[0][0]}

    def save_record(self, session, raw):
        return people.save_member(session, raw, self.record_id)

    def after_field_left(self, key):
        if key == "address":
            self._check_address()
        if key in _ID_KEYS:
            self._check_against_id(show_id_error=key == "id_number")

    def after_field_edited(self, key):
        if key == "id_number":
            self._check_against_id(show_id_error=False)

    def _check_address(self) -> None:
        inp = self.inputs["address"]
        if inp.error or not inp.raw().strip():
            return
        try:
            with self.store.session() as session:
                org.resolve_household(session, inp.raw())
        except Invalid as exc:
            inp.set_error(str(exc))

    def _check_against_id(self, *, show_id_error: bool) -> None:
        """A valid ID number fills an empty birth date and gender, and flags those that disagree."""
        raw = {k: self.inputs[k].raw() for k in _ID_KEYS}
        values, errors = parse_record(MEMBER_FIELDS, raw)
        if not values.get("id_number"):
            return
        given = dict(values)
        check_against_id(values, errors)
        if given.get("birth_date") is None and values.get("birth_date") and "birth_date" not in errors:
            self.inputs["birth_date"].set_value(values["birth_date"])
        if given.get("gender") is None and values.get("gender") and "gender" not in errors:
            self.inputs["gender"].set_value(values["gender"])
        for key in ("birth_date", "gender"):
            if raw[key] not in (None, "") or key in errors:
                self.inputs[key].set_error(errors.get(key))
        if show_id_error and "id_number" in errors:
            self.inputs["id_number"].set_error(errors["id_number"])


def open_member_form(parent: QWidget | None, store: Store, record_id: int | None = None) -> int | None:
    return run_form(MemberForm, parent, store, record_id)


# ---- building leaders (楼栋长) ---------------------------------------------------------
WHOLE_BUILDING = "（整栋楼）"


class LeaderForm(RecordForm):
    NOUN = "楼栋长"
    FIELDS = LEADER_FIELDS
    MIN_WIDTH = 500

    def create_input(self, field):
        if field.key == "unit_id":
            return ChoiceInput(field, self, empty_label=WHOLE_BUILDING)
        return super().create_input(field)

    def load_choices(self, session):
        self._units = org.unit_choices(session)
        self.inputs["building_id"].set_choices((c.id, c.label) for c in org.building_choices(session))
        self.inputs["building_id"].edited.connect(self._building_changed)
        self.inputs["is_member"].editor.setToolTip("若此人已在党员名册中（身份证号相同），保存时自动记为党员。")
        self._building_changed()

    def _building_changed(self) -> None:
        building = self.inputs["building_id"].raw()
        self.inputs["unit_id"].set_choices((u.id, u.label) for u in self._units if u.parent_id == building)
        self.inputs["unit_id"].editor.setEnabled(building is not None)

    def load_record(self, session, record_id):
        values = people.get_leader(session, record_id)
        self.inputs["building_id"].set_value(values["building_id"])
        self._building_changed()
        return values

    def save_record(self, session, raw):
        return people.save_leader(session, raw, self.record_id)


def open_leader_form(parent: QWidget | None, store: Store, record_id: int | None = None) -> int | None:
    return run_form(LeaderForm, parent, store, record_id)

