"""Small widgets the dialogs share: a grey explanatory note, a lone 关闭 button, and the
period a count covers (本月 … 自定义 with its first and last day)."""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDateEdit, QDialog, QDialogButtonBox, QLabel, QWidget

from ..services.periods import PERIODS

NOTE_STYLE = "color: #6b6560;"
ERROR_STYLE = "color: #c0392b;"


def note_label(text: str, parent: QWidget) -> QLabel:
    """A wrapped grey line that says how a dialog counts or what a change does."""
    note = QLabel(text, parent)
    note.setWordWrap(True)
    note.setStyleSheet(NOTE_STYLE)
    return note


def message_label(parent: QWidget, name: str) -> QLabel:
    """The red line under a dialog's fields where the service's refusal is shown; hidden
    until there is something to say."""
    message = QLabel(parent)
    message.setObjectName(name)
    message.setWordWrap(True)
    message.setStyleSheet(ERROR_STYLE)
    message.hide()
    return message


def grow_to_fit(dialog: QDialog) -> None:
    """Make the dialog tall enough for what its wrapped lines now say (a message just shown)."""
    layout = dialog.layout()
    need = layout.totalHeightForWidth(dialog.width()) if layout.hasHeightForWidth() else layout.sizeHint().height()
    if need > dialog.height():
        dialog.resize(dialog.width(), need)


def ok_cancel(dialog: QDialog, text: str, name: str, on_ok) -> QDialogButtonBox:
    """The dialog's own button (text, object name, default; on_ok runs and decides whether
    to close) beside 取消, which closes it."""
    buttons = QDialogButtonBox(dialog)
    ok = buttons.addButton(text, QDialogButtonBox.ButtonRole.AcceptRole)
    ok.setObjectName(name)
    ok.setDefault(True)
    buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
    ok.clicked.connect(on_ok)
    buttons.rejected.connect(dialog.reject)
    return buttons


def close_buttons(dialog: QDialog) -> QDialogButtonBox:
    """关闭 (and Esc) for a dialog that saves as it goes."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
    buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
    buttons.rejected.connect(dialog.reject)
    return buttons


def period_inputs(parent: QWidget) -> tuple[QComboBox, QDateEdit, QDateEdit]:
    """The period choice and its first and last day (the caller fills them from
    services.periods.period_range and enables the days for 自定义)."""
    period = QComboBox(parent)
    period.setObjectName("period")
    for key, label in PERIODS:
        period.addItem(label, key)
    start, end = QDateEdit(parent), QDateEdit(parent)
    for edit, name in ((start, "start"), (end, "end")):
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
    return period, start, end
