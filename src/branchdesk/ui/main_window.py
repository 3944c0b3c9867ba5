"""The main window: a sidebar of pages, the pages, a status bar. It only wires;
each page lives in its own module."""
from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QMainWindow, QStackedWidget, QWidget

from .. import APP_TITLE, __version__
from ..store import Store
from .list_page import RosterPage
from .org_page import OrgPage
from .rosters import ROSTERS

STYLE = """
#sidebar { background: #f4f1ee; border: none; border-right: 1px solid #e0dbd6; font-size: 11.5pt;
           padding-top: 8px; outline: 0; }
#sidebar::item { padding: 10px 18px; border-left: 4px solid transparent; }
#sidebar::item:selected { background: #ffffff; color: #b3261e; border-left: 4px solid #c0392b; }
#pageTitle { font-size: 15pt; font-weight: bold; color: #8e1b13; padding: 2px 0 6px 0; }
QTableView { gridline-color: #e4e0dc; selection-background-color: #f6d7d3; selection-color: black; }
QHeaderView::section { padding: 4px 6px; }
"""


class MainWindow(QMainWindow):
    def __init__(self, store: Store, settings: QSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.settings = store, settings
        self.setObjectName("mainWindow")
        self.setWindowTitle(f"{APP_TITLE} {__version__}")
        self.setStyleSheet(STYLE)

        self.sidebar = QListWidget(self)
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setFixedWidth(170)
        self.stack = QStackedWidget(self)
        status = self.statusBar()
        db_label = QLabel(f"数据库：{store.path.name}", self)
        db_label.setToolTip(f"数据库文件：{store.path}\n备份保存在同一文件夹的 backups 中")
        db_label.setObjectName("dbPath")
        status.addPermanentWidget(db_label)

        self.org_page = OrgPage(store, settings, status, self)
        self.pages: list[QWidget] = [self.org_page]
        for spec in ROSTERS:
            page = RosterPage(spec, store, settings, status, self)
            page.changed.connect(self._data_changed)
            self.pages.append(page)
        titles = ["组织架构", *(f"{spec.title}" for spec in ROSTERS)]
        for n, (title, page) in enumerate(zip(titles, self.pages), start=1):
            self.stack.addWidget(page)
            item = QListWidgetItem(title, self.sidebar)
            item.setToolTip(f"{title}（Ctrl+{n}）")
            act = QAction(self)
            act.setShortcut(QKeySequence(f"Ctrl+{n}"))
            act.triggered.connect(lambda _c=False, i=n - 1: self.sidebar.setCurrentRow(i))
            self.addAction(act)
        self.sidebar.currentRowChanged.connect(self.stack.setCurrentIndex)

        central = QWidget(self)
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.sidebar)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        geometry = settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        self.sidebar.setCurrentRow(int(settings.value("window/page", 0) or 0) % len(self.pages))

    def page_titles(self) -> list[str]:
        return [self.sidebar.item(i).text() for i in range(self.sidebar.count())]

    def show_page(self, index: int) -> QWidget:
        self.sidebar.setCurrentRow(index)
        return self.pages[index]

    def _data_changed(self) -> None:
        """A roster changed: counts elsewhere are stale, so reload the other pages."""
        sender = self.sender()
        for page in self.pages:
            if page is not sender and getattr(page, "loaded", False):
                page.reload()

    def closeEvent(self, event) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/page", self.sidebar.currentRow())
        for page in self.pages:
            if hasattr(page, "save_state"):
                page.save_state()
        self.settings.sync()
        super().closeEvent(event)
