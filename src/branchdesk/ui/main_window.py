"""The main window: a sidebar of pages, the pages, a status bar. It only wires;
each page lives in its own module.

The window is shown before the database is opened: it paints the sidebar at once
and gets its pages from attach(store) a moment later, so start-up never waits on
importing SQLAlchemy and the services."""
from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QMainWindow, QStackedWidget, QWidget

from .. import APP_TITLE, __version__

if TYPE_CHECKING:
    from ..store import Store

# Sidebar order; attach() builds the pages in this order (a test checks they agree).
PAGE_TITLES = ("组织架构", "党员", "党员中心户", "楼栋长", "居民问题", "会议", "需求清单", "资源清单", "责任清单",
               "红色合伙人", "双报到", "统计图表")
SHORTCUT_PAGES = 10  # Ctrl+1 … Ctrl+9 and Ctrl+0

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
    first_painted = Signal()

    def __init__(self, settings: QSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self.store: Store | None = None
        self.settings = settings
        self.pages: list[QWidget] = []
        self.first_paint_at: float | None = None  # time.perf_counter() of the first paint
        self.demo_tasks = None  # made when 填入示例社区 is first used
        self.setObjectName("mainWindow")
        self.setWindowTitle(f"{APP_TITLE} {__version__}")
        self.setStyleSheet(STYLE)

        self.sidebar = QListWidget(self)
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setFixedWidth(170)
        self.stack = QStackedWidget(self)
        self.opening = QLabel("正在打开数据库…", self)
        # aligned by style sheet: touching the Qt namespace first builds its ~125 enums (~30 ms)
        self.opening.setStyleSheet("color: #7a7a7a; font-size: 12pt; qproperty-alignment: AlignCenter;")
        self.stack.addWidget(self.opening)
        self.db_label = QLabel(self)
        self.db_label.setObjectName("dbPath")
        self.statusBar().addPermanentWidget(self.db_label)

        for n, title in enumerate(PAGE_TITLES, start=1):
            item = QListWidgetItem(title, self.sidebar)
            item.setToolTip(f"{title}（Ctrl+{n % 10}）" if n <= SHORTCUT_PAGES else title)
        self.sidebar.currentRowChanged.connect(self._row_changed)
        # Shortcuts come after the first paint: the first one makes PySide build the
        # Qt namespace's enums (~30 ms), which the window should not wait for.
        self.first_painted.connect(self._add_shortcuts)

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
        self.sidebar.blockSignals(True)
        self.sidebar.setCurrentRow(int(settings.value("window/page", 0) or 0) % len(PAGE_TITLES))
        self.sidebar.blockSignals(False)

    def _add_shortcuts(self) -> None:
        for n in range(1, min(len(PAGE_TITLES), SHORTCUT_PAGES) + 1):
            act = QAction(self)
            act.setShortcut(QKeySequence(f"Ctrl+{n % 10}"))  # the tenth page is Ctrl+0
            act.triggered.connect(lambda _c=False, i=n - 1: self.sidebar.setCurrentRow(i))
            self.addAction(act)

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if self.first_paint_at is None:
            self.first_paint_at = time.perf_counter()
            QTimer.singleShot(0, self.first_painted.emit)

    def attach(self, store: Store) -> None:
        """Build the pages on the opened database."""
        from .list_page import RosterPage
        from .org_page import OrgPage
        from .rosters import ROSTERS

        self.store = store
        self.db_label.setText(f"数据库：{store.path.name}")
        self.db_label.setToolTip(f"数据库文件：{store.path}\n备份保存在同一文件夹的 backups 中")
        status = self.statusBar()
        org_page = OrgPage(store, self.settings, status, self)
        org_page.changed.connect(self._data_changed)  # a new building joins the filters
        self.pages = [org_page]
        from .issue_board import IssuesPage  # the issues' table with their board

        for spec in ROSTERS:
            page = (IssuesPage if spec.key == "issues" else RosterPage)(spec, store, self.settings, status, self)
            page.changed.connect(self._data_changed)
            self.pages.append(page)
        from .dashboard import DashboardPage  # matplotlib waits until the page is first shown

        self.pages.append(DashboardPage(store, self.settings, status, self))
        assert tuple(["组织架构", *(spec.nav_title for spec in ROSTERS), "统计图表"]) == PAGE_TITLES
        for page in self.pages:
            self.stack.addWidget(page)
        self._add_file_menu()
        self._add_other_menus()
        self.stack.removeWidget(self.opening)
        self.opening.deleteLater()
        self._row_changed(self.sidebar.currentRow())

    def _add_file_menu(self) -> None:
        """The exchange with the street office as a whole: any file, every roster at
        once, and the rosters that have no page of their own."""
        menu = self.menuBar().addMenu("文件(&F)")
        menu.setObjectName("fileMenu")

        def add(text: str, slot, shortcut: str | None = None) -> QAction:
            act = menu.addAction(text)
            act.triggered.connect(slot)
            if shortcut:
                act.setShortcut(QKeySequence(shortcut))
            return act

        self.act_import_any = add("从 Excel 导入（名册或数据包）…", self.import_any, "Ctrl+Shift+I")
        self.act_export_package = add("导出全部数据（数据包）…", lambda: self.export("package"), "Ctrl+Shift+E")
        menu.addSeparator()
        add("导出住户花名册…", lambda: self.export("households"))
        add("导出党组织名册…", lambda: self.export("party-orgs"))
        add("导出会议记录（会议、议程与决议、签到）…", lambda: self.export("meetings"))
        templates = menu.addMenu("导入模板")
        for kind, text in (("members", "党员"), ("building-leaders", "楼栋长"), ("center-households", "党员中心户"),
                           ("households", "住户"), ("party-orgs", "党组织")):
            templates.addAction(f"{text}导入模板…").triggered.connect(
                lambda _c=False, k=kind: self._save_template(k))
        menu.addSeparator()
        self.act_demo = add("填入示例社区…", self.fill_demo)
        menu.addSeparator()
        self.act_restore = add("从备份恢复…", self.restore_from_backup)
        self.act_restore.setObjectName("restoreBackup")
        self.act_restore.setToolTip("把数据换回某一次自动备份时的样子；恢复前会先备份现在的数据")
        menu.addSeparator()
        add("退出", self.close, "Ctrl+Q")

    def _add_other_menus(self) -> None:
        stats = self.menuBar().addMenu("统计(&T)")
        stats.setObjectName("statsMenu")
        self.act_stats = stats.addAction("工作统计…")
        self.act_stats.setShortcut(QKeySequence("Ctrl+Shift+T"))
        self.act_stats.setToolTip("街道要的数字：收集、公开承诺、办结、按时办结、满意，以及三张清单的情况")
        self.act_stats.triggered.connect(self.show_stats)
        self.act_dashboard = stats.addAction("统计图表")
        self.act_dashboard.setObjectName("showDashboard")
        self.act_dashboard.setShortcut(QKeySequence("Ctrl+Shift+D"))
        self.act_dashboard.setToolTip("议事会用的统计图表：可筛选、导出、全屏放映和生成报告")
        self.act_dashboard.triggered.connect(lambda: self.show_page(PAGE_TITLES.index("统计图表")))
        settings = self.menuBar().addMenu("设置(&S)")
        settings.setObjectName("settingsMenu")
        self.act_choice_lists = settings.addAction("选项列表（需求类别、问题类别、问题来源）…")
        self.act_choice_lists.triggered.connect(lambda: self._settings_dialog("ChoiceListsDialog"))
        self.act_time_limits = settings.addAction("办理时限…")
        self.act_time_limits.triggered.connect(lambda: self._settings_dialog("TimeLimitsDialog"))
        self.act_work_calendar = settings.addAction("节假日与调休…")
        self.act_work_calendar.setToolTip("法定节假日和调休上班的周末：办理时限按工作日计算")
        self.act_work_calendar.triggered.connect(lambda: self._settings_dialog("WorkCalendarDialog"))

    def show_stats(self) -> None:
        from .stats_dialog import open_stats

        open_stats(self, self.store)

    def _settings_dialog(self, name: str) -> None:
        """A settings dialog; the loaded pages read its changes (categories, due dates) again."""
        from . import settings_dialogs

        dialog = getattr(settings_dialogs, name)(self.store, self)
        dialog.exec()
        dialog.deleteLater()
        for page in self.pages:
            if getattr(page, "loaded", False):
                page.reload()

    def import_any(self) -> None:
        from .import_dialog import ImportDialog

        dialog = ImportDialog(self.store, self.settings, None, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.imported.connect(self._imported)
        dialog.open()
        dialog.choose_file()

    def _reload_pages(self) -> None:
        """After a change across the rosters (an import, the demo): every page read again."""
        for page in self.pages:
            if getattr(page, "loaded", False) or page is self.org_page:
                page.reload()

    def _imported(self, saved: int) -> None:
        self._reload_pages()
        self.statusBar().showMessage(f"已导入 {saved} 条记录（导入前已自动备份数据库）。", 10000)

    def fill_demo(self) -> None:
        """The demo community, for a first look or for practice: from the window, since the
        secretary has no command line. Backed up first, one transaction, off the GUI thread."""
        from PySide6.QtWidgets import QMessageBox

        from .tasks import TaskRunner

        answer = QMessageBox.question(
            self, "填入示例社区",
            "在当前数据库中填入示例社区“光明社区”：两个小区、30 栋楼、1554 户、180 名党员，"
            "还有一年来的居民问题、三张清单和会议，供熟悉软件和练习使用。\n\n"
            "示例数据和真实数据放在一起不易区分，建议只填入新的或练习用的数据库。"
            "填入前会自动备份数据库；已经填入过的不会重复添加。\n\n现在填入吗？",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return
        store = self.store

        def work(_report) -> str:
            from ..services.demo import fill_demo
            from ..store import backup_database

            backup_database(store.path, "before-demo")
            with store.transaction() as session:
                return fill_demo(session)

        if self.demo_tasks is None:
            self.demo_tasks = TaskRunner(self)
        self.act_demo.setEnabled(False)
        self.demo_tasks.run(work, on_done=self._demo_filled, on_error=self._demo_failed, label="正在填入示例社区…")

    def _demo_filled(self, report: str) -> None:
        from PySide6.QtWidgets import QMessageBox

        self.act_demo.setEnabled(True)
        self._reload_pages()
        QMessageBox.information(self, "填入示例社区", report)

    def _demo_failed(self, exc: Exception) -> None:
        from PySide6.QtWidgets import QMessageBox

        self.act_demo.setEnabled(True)
        QMessageBox.warning(self, "填入示例社区", f"没有填入示例社区：{exc}。数据库没有改变；"
                            "详细信息已写入日志文件 branchdesk.log。")

    def restore_from_backup(self) -> None:
        """The backups of this database; one chosen goes in place of the current data.
        Not while work runs in the background: it would read or write the data being replaced."""
        from PySide6.QtWidgets import QMessageBox

        from .restore_dialog import RestoreDialog

        if not self.settle_tasks():
            QMessageBox.information(self, "从备份恢复", "还有操作正在后台进行（如填入示例社区），"
                                    "请等它完成后再从备份恢复。")
            return
        dialog = RestoreDialog(self.store, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.restored.connect(self._restored)
        dialog.open()

    def settle_tasks(self, msecs: int = 3000) -> bool:
        """Let the pages' loads finish (they are short); False when work is still running:
        the demo being filled in, or a load that did not end within msecs."""
        if self.demo_tasks is not None and self.demo_tasks.busy:
            return False
        return all(page.tasks.wait(msecs) for page in self.pages)

    def _restored(self, when: str) -> None:
        self._reload_pages()
        self.statusBar().showMessage(f"已从 {when} 的备份恢复（恢复前的数据已备份）。", 15000)

    def export(self, kind: str) -> None:
        from .export_dialog import ExportDialog

        dialog = ExportDialog(self.store, self.settings, kind, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _save_template(self, kind: str) -> None:
        from .export_dialog import save_template

        save_template(self, self.settings, kind, self.store)

    @classmethod
    def on_store(cls, store: Store, settings: QSettings) -> MainWindow:
        """A window with its pages and shortcuts at once (tests, screenshots)."""
        window = cls(settings)
        window.first_painted.disconnect(window._add_shortcuts)
        window._add_shortcuts()
        window.attach(store)
        return window

    @property
    def org_page(self) -> QWidget:
        return self.pages[0]

    def _row_changed(self, row: int) -> None:
        if self.pages and 0 <= row < len(self.pages):
            self.stack.setCurrentWidget(self.pages[row])

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

    def wait_for_tasks(self, msecs: int = 10_000) -> None:
        """Let background loads finish before the database is closed under them."""
        for page in self.pages:
            page.tasks.wait(msecs)
        if self.demo_tasks is not None:
            self.demo_tasks.wait(msecs)

    def closeEvent(self, event) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/page", self.sidebar.currentRow())
        for page in self.pages:
            if hasattr(page, "save_state"):
                page.save_state()
        self.settings.sync()
        super().closeEvent(event)
