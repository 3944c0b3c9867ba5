"""The file dialogs never read a file's contents (STYLE.md, principle 12).

On Linux, closing any handle to a file drops every lock the process holds on it.
Qt's own file dialog reads each listed file to learn its type, so showing the folder
of an open database would drop the locks SQLite relies on. The test shows it with
SQLite itself: while this process holds the database open, another process that
writes and closes it must leave the write-ahead log alone; once our locks are gone,
it deletes the log under us."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import sqlite3  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QFileInfo, QTimer  # noqa: E402
from PySide6.QtGui import QAbstractFileIconProvider  # noqa: E402
from PySide6.QtWidgets import QApplication, QFileDialog, QFileSystemModel, QMessageBox  # noqa: E402

from branchdesk.ui import file_dialogs  # noqa: E402
from branchdesk.ui.file_dialogs import make_dialog, open_file_name, save_file_name, suffix_icon_provider  # noqa: E402
from branchdesk.ui.import_dialog import FILE_FILTER  # noqa: E402
from branchdesk.ui.qtenv import setup_application  # noqa: E402

posix_locks = pytest.mark.skipif(sys.platform == "win32", reason="Windows locks are not dropped by another handle")

# Another program (a second window, the command line) writing to the database and closing it.
OTHER_WRITER = """
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
con.execute("PRAGMA journal_mode=WAL")
con.execute("INSERT INTO t VALUES (2)")
con.commit()
con.close()
"""


@pytest.fixture
def folder(tmp_path) -> Path:
    """The database's folder, as the secretary keeps it: the database and a workbook."""
    (tmp_path / "花名册.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    return tmp_path


@pytest.fixture
def open_database(folder):
    """X.db in WAL mode, held open by this process in a read transaction."""
    con = sqlite3.connect(folder / "X.db", isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("CREATE TABLE t (x)")
    con.execute("INSERT INTO t VALUES (1)")
    con.execute("BEGIN")
    con.execute("SELECT * FROM t").fetchall()
    yield folder / "X.db"
    con.close()


def show_listing(qtbot, dialog: QFileDialog) -> None:
    """Show the dialog and let its model list the folder (the workbook appears)."""
    model = dialog.findChild(QFileSystemModel)
    dialog.show()
    qtbot.waitUntil(lambda: model.rowCount(model.index(dialog.directory().absolutePath())) >= 1)
    qtbot.wait(300)  # the rest of the folder's details arrive in the same round


def wal_survives_another_writer(database: Path) -> bool:
    subprocess.run([sys.executable, "-c", OTHER_WRITER, str(database)], check=True, timeout=60)
    return database.with_name(database.name + "-wal").exists()


@posix_locks
def test_our_dialog_keeps_the_database_locks(qtbot, qapp, open_database):
    dialog = make_dialog(None, "选择要导入的文件", str(open_database.parent), FILE_FILTER, save=False)
    qtbot.addWidget(dialog)
    show_listing(qtbot, dialog)
    assert wal_survives_another_writer(open_database)


@posix_locks
def test_qts_own_dialog_drops_them(qtbot, qapp, open_database):
    """The control: what the test above would catch. With Qt's default icon provider the
    dialog reads X.db to learn its type, and the log is deleted while we still read."""
    dialog = QFileDialog(None, "选择要导入的文件", str(open_database.parent), FILE_FILTER)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    qtbot.addWidget(dialog)
    show_listing(qtbot, dialog)
    if wal_survives_another_writer(open_database):
        pytest.skip("this Qt no longer reads files in its dialog: the test above proves less")


def test_types_and_icons_come_from_the_name_alone(qtbot, qapp, folder, tmp_path):
    dialog = make_dialog(None, "保存", str(folder / "名册.xlsx"), "Excel 工作簿 (*.xlsx)", save=True)
    qtbot.addWidget(dialog)
    provider = suffix_icon_provider()
    assert dialog.iconProvider() is provider
    assert dialog.testOption(QFileDialog.Option.DontUseNativeDialog)
    assert dialog.testOption(QFileDialog.Option.DontUseCustomDirectoryIcons)
    assert provider.options() & QAbstractFileIconProvider.Option.DontUseCustomDirectoryIcons
    # no file needs to exist, let alone be readable: the name decides
    for name, kind in (("X.db", "数据库文件"), ("花名册.xlsx", "Excel 工作簿"), ("旧表.XLS", "Excel 97-2003 工作簿"),
                       ("报告.pdf", "PDF 文件"), ("a.xyz", "XYZ 文件"), ("README", "文件")):
        info = QFileInfo(str(tmp_path / "nowhere" / name))
        assert provider.type(info) == kind
        assert not provider.icon(info).isNull()
    assert provider.type(QFileInfo(str(folder))) == "文件夹"
    assert not provider.icon(QFileInfo(str(folder))).isNull()


def when_shown(kind, act) -> None:
    """Run act(widget) as soon as a modal widget of that kind is up (the dialogs block)."""
    def step():
        widget = QApplication.activeModalWidget()
        if isinstance(widget, kind):
            act(widget)
        else:
            QTimer.singleShot(20, step)

    QTimer.singleShot(0, step)


def test_open_returns_the_chosen_file(qtbot, qapp, folder):
    setup_application(qapp)
    workbook = folder / "花名册.xlsx"

    def choose(dialog):
        assert dialog.windowTitle() == "选择要导入的文件" and dialog.isModal()
        assert dialog.iconProvider() is suffix_icon_provider()
        dialog.selectFile(str(workbook))
        dialog.accept()

    when_shown(QFileDialog, choose)
    assert open_file_name(None, "选择要导入的文件", folder, FILE_FILTER) == workbook
    when_shown(QFileDialog, lambda dialog: dialog.reject())
    assert open_file_name(None, "选择要导入的文件", folder, FILE_FILTER) is None


def test_save_asks_before_replacing_and_adds_the_suffix(qtbot, qapp, folder):
    setup_application(qapp)
    existing = folder / "花名册.xlsx"
    asked: list[str] = []

    def replace(box):
        asked.append(box.text())
        box.button(QMessageBox.StandardButton.Yes).click()

    def type_name(dialog):
        assert dialog.acceptMode() == QFileDialog.AcceptMode.AcceptSave
        dialog.selectFile("花名册")  # typed without .xlsx
        when_shown(QMessageBox, replace)
        dialog.accept()

    when_shown(QFileDialog, type_name)
    assert save_file_name(None, "导出党员名册", folder / "党员名册.xlsx", "Excel 工作簿 (*.xlsx)") == existing
    assert len(asked) == 1 and "花名册.xlsx" in asked[0]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in asked[0].replace("花名册", ""))  # said in Chinese


def test_windows_keeps_its_native_dialog(monkeypatch, tmp_path):
    monkeypatch.setattr(file_dialogs, "uses_native_dialog", lambda: True)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a: (str(tmp_path / "a.xlsx"), a[3]))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a: ("", ""))
    assert save_file_name(None, "保存", tmp_path / "a.xlsx", "Excel 工作簿 (*.xlsx)") == tmp_path / "a.xlsx"
    assert open_file_name(None, "打开", tmp_path, FILE_FILTER) is None


def test_no_other_module_opens_qts_file_dialog_itself():
    """Every file dialog of the program goes through ui/file_dialogs.py."""
    ui = Path(file_dialogs.__file__).parent
    offenders = [p.name for p in ui.glob("*.py")
                 if p.name != "file_dialogs.py" and "QFileDialog" in p.read_text(encoding="utf-8")]
    assert offenders == []
