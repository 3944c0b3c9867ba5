"""Choosing a file to open or a place to save, without reading any file's contents.

On Linux and macOS, closing any handle to a file drops every lock the process
holds on it, and SQLite keeps its database safe with those locks (STYLE.md,
principle 12). Qt's own file dialog, used where there is no native one, asks
QMimeDatabase for each listed file's type, and that opens and closes the file:
showing the folder of the open database would silently drop the window's locks,
and another program could then delete the write-ahead log under it.

So the dialogs here are built as objects with an icon provider that decides
icons and type names by the file name's suffix alone. On Windows, where closing
a handle leaves the locks of other handles alone, the native dialog is kept.

Callers go through the module (file_dialogs.save_file_name(...)), so a test answers
every dialog of the program by replacing the function here, in one place."""
from __future__ import annotations

import re
import sys
from pathlib import Path

from PySide6.QtCore import QFileInfo
from PySide6.QtGui import QAbstractFileIconProvider, QIcon
from PySide6.QtWidgets import QFileDialog, QFileIconProvider, QSplitter, QTreeView, QWidget

# The type column and tooltips of the dialog: by suffix, never by contents.
TYPE_NAMES = {
    "xlsx": "Excel 工作簿", "xlsm": "Excel 启用宏的工作簿", "xls": "Excel 97-2003 工作簿",
    "ods": "OpenDocument 电子表格", "csv": "CSV 文件（逗号分隔）", "pdf": "PDF 文件", "png": "PNG 图片",
    "jpg": "JPEG 图片", "jpeg": "JPEG 图片", "docx": "Word 文档", "doc": "Word 97-2003 文档",
    "txt": "文本文件", "zip": "压缩文件", "db": "数据库文件", "log": "日志文件", "ini": "设置文件",
}
# Icons from the icon theme where there is one (looked up by name: no file is read).
THEME_ICONS = {
    "xlsx": "x-office-spreadsheet", "xlsm": "x-office-spreadsheet", "xls": "x-office-spreadsheet",
    "ods": "x-office-spreadsheet", "csv": "text-csv", "pdf": "application-pdf", "png": "image-x-generic",
    "jpg": "image-x-generic", "jpeg": "image-x-generic", "docx": "x-office-document", "doc": "x-office-document",
    "txt": "text-x-generic",
}


class SuffixIconProvider(QFileIconProvider):
    """Folder, drive and file icons from the style; a file's type from its suffix.
    Never calls the base class for a file: that is where Qt sniffs contents."""

    def __init__(self):
        super().__init__()
        self.setOptions(QAbstractFileIconProvider.Option.DontUseCustomDirectoryIcons)
        self._by_suffix: dict[str, QIcon] = {}

    def icon(self, what):  # icon(IconType) or icon(QFileInfo), as in Qt
        if not isinstance(what, QFileInfo):
            return super().icon(what)  # the style's standard icons: no file involved
        kind = QAbstractFileIconProvider.IconType
        if what.isRoot():
            return super().icon(kind.Drive)
        if what.isDir():
            return super().icon(kind.Folder)
        suffix = what.suffix().lower()
        if suffix not in self._by_suffix:
            fallback = super().icon(kind.File)
            name = THEME_ICONS.get(suffix)
            self._by_suffix[suffix] = QIcon.fromTheme(name, fallback) if name else fallback
        return self._by_suffix[suffix]

    def type(self, info: QFileInfo) -> str:
        if info.isRoot():
            return "驱动器"
        if info.isDir():
            return "文件夹"
        suffix = info.suffix().lower()
        if suffix in TYPE_NAMES:
            return TYPE_NAMES[suffix]
        return f"{suffix.upper()} 文件" if suffix else "文件"


_provider: SuffixIconProvider | None = None


def suffix_icon_provider() -> SuffixIconProvider:
    """One for the whole program: a dialog keeps a plain pointer to its provider, so
    the provider must outlive every dialog, including ones Qt deletes later."""
    global _provider
    if _provider is None:
        _provider = SuffixIconProvider()
    return _provider


def uses_native_dialog() -> bool:
    return sys.platform == "win32"


def _default_suffix(filters: str) -> str:
    """The first pattern's suffix ("xlsx" for "Excel 工作簿 (*.xlsx)"), so a name typed
    without it gets it before the dialog asks whether to replace an existing file."""
    found = re.search(r"\*\.(\w+)", filters)
    return found.group(1) if found else ""


def make_dialog(parent: QWidget | None, title: str, path: str, filters: str, *, save: bool) -> QFileDialog:
    """The Qt file dialog that never reads a file: its provider is installed before
    the event loop runs again, so before the folder's listing arrives."""
    dialog = QFileDialog(parent, title)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setIconProvider(suffix_icon_provider())
    dialog.setOption(QFileDialog.Option.DontUseCustomDirectoryIcons, True)
    dialog.setNameFilter(filters)
    if save:
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        dialog.setDefaultSuffix(_default_suffix(filters))
    else:
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    target = Path(path) if path else Path.home()
    folder = target if target.is_dir() else target.parent
    while not folder.is_dir() and folder != folder.parent:  # a remembered folder since removed
        folder = folder.parent
    dialog.setDirectory(str(folder))
    if save and not target.is_dir():
        dialog.selectFile(target.name)  # the suggested name
    dialog.setModal(True)
    _in_chinese(dialog)
    return dialog


def _in_chinese(dialog: QFileDialog) -> None:
    """Qt's Chinese translation leaves two labels in English; the size and type columns
    and the places on the left are made wide enough for what they show."""
    dialog.setLabelText(QFileDialog.DialogLabel.LookIn, "查找范围：")
    dialog.setLabelText(QFileDialog.DialogLabel.FileType, "文件类型：")
    metrics = dialog.fontMetrics()
    details = dialog.findChild(QTreeView, "treeView")
    if details is not None:
        details.header().resizeSection(1, metrics.horizontalAdvance("999.99 KiB") + 24)
        details.header().resizeSection(2, metrics.horizontalAdvance("Excel 工作簿") + 24)
    splitter = dialog.findChild(QSplitter, "splitter")
    if splitter is not None and splitter.count() == 2:
        side = metrics.horizontalAdvance("计算机") + 64
        splitter.setSizes([side, max(splitter.width() - side, 400)])


def _run(dialog: QFileDialog) -> Path | None:
    try:
        if dialog.exec() != QFileDialog.DialogCode.Accepted:
            return None
        chosen = dialog.selectedFiles()
        return Path(chosen[0]) if chosen and chosen[0] else None
    finally:
        dialog.deleteLater()


def open_file_name(parent: QWidget | None, title: str, folder: str | Path, filters: str) -> Path | None:
    """An existing file the secretary chose, or None when she cancelled."""
    if uses_native_dialog():
        name, _ = QFileDialog.getOpenFileName(parent, title, str(folder), filters)
        return Path(name) if name else None
    return _run(make_dialog(parent, title, str(folder), filters, save=False))


def save_file_name(parent: QWidget | None, title: str, suggested_path: str | Path, filters: str) -> Path | None:
    """Where to save (the dialog has asked before replacing a file), or None."""
    if uses_native_dialog():
        name, _ = QFileDialog.getSaveFileName(parent, title, str(suggested_path), filters)
        return Path(name) if name else None
    return _run(make_dialog(parent, title, str(suggested_path), filters, save=True))
