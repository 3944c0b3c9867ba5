"""Small widgets the dialogs share: a grey explanatory note, and a lone 关闭 button."""
from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QWidget

NOTE_STYLE = "color: #6b6560;"


def note_label(text: str, parent: QWidget) -> QLabel:
    """A wrapped grey line that says how a dialog counts or what a change does."""
    note = QLabel(text, parent)
    note.setWordWrap(True)
    note.setStyleSheet(NOTE_STYLE)
    return note


def close_buttons(dialog: QDialog) -> QDialogButtonBox:
    """关闭 (and Esc) for a dialog that saves as it goes."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
    buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
    buttons.rejected.connect(dialog.reject)
    return buttons
