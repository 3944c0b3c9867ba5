"""统计图表: the charts for the council meeting on one page, each with the table of its
numbers beside it; filters for the period, compound, grid and issue category; any chart
saved as PNG or PDF or copied; the A4 report (导出报告…); and presentation mode (放映,
F5): full screen, one chart per slide, driven by a presentation clicker's keys.

matplotlib (about half a second to import) is imported when the page is first shown,
never when the main window is built."""
from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, QSettings, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QImage, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox, QFrame, QHBoxLayout, QHeaderView, QLabel, QMenu, QMessageBox, QPushButton,
    QScrollArea, QStatusBar, QToolButton, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget,
)
from shiboken6 import isValid

from ..charts import CHARTS, Table
from ..services.periods import period_range
from ..store import Store
from . import file_dialogs
from .tasks import TaskRunner
from .widgets import period_inputs

CARD_HEIGHT = 400
SLIDE_SCALE = 1.9  # presentation mode's fonts against the dashboard's
NEXT_KEYS = {Qt.Key.Key_Right, Qt.Key.Key_PageDown, Qt.Key.Key_Space, Qt.Key.Key_Down, Qt.Key.Key_Return,
             Qt.Key.Key_Enter}
PREVIOUS_KEYS = {Qt.Key.Key_Left, Qt.Key.Key_PageUp, Qt.Key.Key_Up, Qt.Key.Key_Backspace}


def _canvas(figure):
    """A Qt widget showing the figure; it takes no keyboard focus (the page and the
    slides handle the keys)."""
    from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg

    canvas = FigureCanvasQTAgg(figure)
    canvas.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    canvas.setMinimumSize(200, 150)
    return canvas


def _swap_figure(canvas, figure) -> None:
    """Put another figure on a canvas, as FigureCanvasQTAgg(figure) and its resize
    would (the screen's pixel ratio, the canvas's size)."""
    figure.set_canvas(canvas)
    canvas.figure = figure
    figure._original_dpi = figure.dpi
    ratio = canvas.device_pixel_ratio
    if ratio != 1:
        figure._set_dpi(ratio * figure.dpi, forward=False)
    figure.set_size_inches(canvas.width() * ratio / figure.dpi, canvas.height() * ratio / figure.dpi,
                           forward=False)
    _draw_when_painted(canvas)


def _draw_when_painted(canvas) -> None:
    """Draw the canvas's figure when next painted, as a new canvas would (draw_idle would
    draw it even in a closed window, and its draw_event start the other charts' counting
    there)."""
    canvas._draw_pending = True
    canvas.update()


class ChartCard(QFrame):
    """One chart: its canvas, the table of its numbers, and 导出 (PNG, PDF, 复制)."""

    def __init__(self, page: DashboardPage, name: str, title: str, note: str):
        super().__init__(page)
        self.page, self.name, self.title = page, name, title
        self.setObjectName(f"card_{name}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(f"#card_{name} {{ background: white; border: 1px solid #e0dbd6; border-radius: 4px; }}")
        self.setFixedHeight(CARD_HEIGHT)
        self.setToolTip(note)
        self.canvas: QWidget | None = None
        self.chart = None  # the figures.Chart on the canvas
        self.drawn = False  # the last figure shown has drawn on the canvas

        self.table = QTreeWidget(self)
        self.table.setObjectName(f"table_{name}")
        self.table.setRootIsDecorated(False)
        self.table.setAlternatingRowColors(True)
        self.table.setMinimumWidth(300)
        self.table.setMaximumWidth(420)
        export = QToolButton(self)
        export.setObjectName(f"export_{name}")
        export.setText("导出")
        export.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(export)
        menu.addAction("保存为 PNG 图片…", lambda: page.save_chart_as(name, ".png"))
        menu.addAction("保存为 PDF 文件…", lambda: page.save_chart_as(name, ".pdf"))
        menu.addAction("复制图片", lambda: page.copy_chart(name))
        export.setMenu(menu)

        side = QVBoxLayout()
        side.addWidget(self.table, 1)
        side.addWidget(export, 0, Qt.AlignmentFlag.AlignRight)
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(6, 6, 6, 6)
        self.placeholder = QLabel("正在绘制…", self)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.row.addWidget(self.placeholder, 1)
        self.row.addLayout(side)

    def show_numbers(self, data, subtitle: str) -> None:
        """The chart of these numbers: the chart on the canvas takes them in place when it
        can (as many months or rows as before), else a new figure is built."""
        if self.chart is not None and self.chart.update is not None:
            table = self.chart.update(data, subtitle)
            if table is not None:
                self.drawn = False
                _draw_when_painted(self.canvas)
                fill_table(self.table, table)
                return
        from ..charts.figures import render

        self.show_chart(render(self.name, data, subtitle=subtitle))

    def show_chart(self, chart) -> None:
        """The chart's figure on the card's canvas: the first one makes the canvas, the
        later ones take its place on it (a new canvas would mean a new renderer, and
        matplotlib measures every text again for each renderer). drawn turns true when it
        has drawn."""
        figure, table = chart.figure, chart.table
        self.chart = chart
        self.drawn = False
        if self.canvas is None:
            canvas = _canvas(figure)
            self.row.replaceWidget(self.placeholder, canvas)
            self.placeholder.hide()
            self.placeholder.deleteLater()
            canvas.show()
            self.row.activate()  # sized now: the next paint (or a grab) draws it
            self.canvas = canvas
            self.placeholder = None
        else:
            _swap_figure(self.canvas, figure)
        figure.canvas.mpl_connect("draw_event", self._drawn)
        fill_table(self.table, table)

    def _drawn(self, _event) -> None:
        self.drawn = True


def fill_table(tree: QTreeWidget, table: Table) -> None:
    tree.clear()
    tree.setColumnCount(len(table.headers))
    tree.setHeaderLabels(list(table.headers))
    for row in table.rows:
        item = QTreeWidgetItem(tree, list(row))
        for col in range(1, len(row)):
            item.setTextAlignment(col, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    header = tree.header()
    header.setStretchLastSection(True)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)


class DashboardPage(QWidget):
    def __init__(self, store: Store, settings: QSettings, status: QStatusBar, parent: QWidget | None = None, *,
                 today: date | None = None):
        super().__init__(parent)
        self.store, self.settings, self.status = store, settings, status
        self.today = today or date.today()
        self.setObjectName("page_dashboard")
        self.tasks = TaskRunner(self)
        self.loaded = False
        self.data: dict = {}
        self.subtitle = ""
        self.community = ""
        self.cards: dict[str, ChartCard] = {}
        self.presentation: Presentation | None = None
        self._generation = 0
        self.shown_generation = 0  # the load whose charts in view are drawn
        self._stale: set[str] = set()  # charts whose numbers changed and are not drawn yet

        title = QLabel("统计图表", self)
        title.setObjectName("pageTitle")
        self.period, self.start, self.end = period_inputs(self)
        self.compound = self._combo("compound", "全部小区")
        self.grid = self._combo("grid", "全部网格")
        self.category = self._combo("category", "全部问题类别")
        self.category.setToolTip("只影响居民问题的图表")
        self.present_button = QPushButton("放映（F5）", self)
        self.present_button.setObjectName("present")
        self.present_button.setToolTip("全屏放映，一页一张图：→ / PageDown / 空格 下一张，← / PageUp 上一张，Esc 退出")
        self.present_button.clicked.connect(lambda: self.present())
        self.report_button = QPushButton("导出报告…", self)
        self.report_button.setObjectName("exportReport")
        self.report_button.setToolTip("全部图表和数字表格，一份 A4 PDF，供议事会打印和存档")
        self.report_button.clicked.connect(self.save_report_as)
        QShortcut(QKeySequence("F5"), self, lambda: self.present())

        bar = QHBoxLayout()
        bar.addWidget(title)
        bar.addSpacing(12)
        for widget in (QLabel("期间", self), self.period, self.start, QLabel("至", self), self.end, self.compound,
                       self.grid, self.category):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.present_button)
        bar.addWidget(self.report_button)

        self.heading = QLabel(self)
        self.heading.setObjectName("dashboardHeading")
        self.heading.setStyleSheet("color: #6b6560;")
        holder = QWidget(self)
        holder.setObjectName("cards")
        holder.setStyleSheet("#cards { background: #f4f1ee; }")
        self.card_column = QVBoxLayout(holder)  # the cards come with the first show (build_cards)
        self.card_column.setSpacing(10)
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(holder)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.verticalScrollBar().valueChanged.connect(self.draw_visible)

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.heading)
        layout.addWidget(self.scroll, 1)

        self.period.setCurrentIndex(self.period.findData("year"))
        self._set_period_dates()
        self.period.currentIndexChanged.connect(self._period_changed)
        for edit in (self.start, self.end):
            edit.dateChanged.connect(self._dates_changed)
        self.compound.currentIndexChanged.connect(self._compound_changed)
        self.grid.currentIndexChanged.connect(self.reload)
        self.category.currentIndexChanged.connect(self.reload)

    def _combo(self, name: str, everything: str) -> QComboBox:
        box = QComboBox(self)
        box.setObjectName(name)
        box.addItem(everything, None)
        box.setMinimumContentsLength(6)
        return box

    # ---- filters --------------------------------------------------------------------------
    def _set_period_dates(self) -> None:
        key = self.period.currentData()
        start, end = period_range(key, self.today)
        for edit, day in ((self.start, start), (self.end, end)):
            edit.blockSignals(True)
            edit.setDate(QDate(day.year, day.month, day.day))
            edit.setEnabled(key == "custom")
            edit.blockSignals(False)

    def _period_changed(self) -> None:
        self._set_period_dates()
        self.reload()

    def _dates_changed(self) -> None:
        if self.end.date() < self.start.date():
            self.end.setDate(self.start.date())
            return
        self.reload()

    def _compound_changed(self) -> None:
        self.grid.blockSignals(True)
        self.grid.setCurrentIndex(0)
        self.grid.blockSignals(False)
        self._fill_grids()
        self.reload()

    def _fill_grids(self) -> None:
        compound = self.compound.currentData()
        grids = [g for g in getattr(self, "_grids", []) if compound is None or g.parent_id == compound]
        _refill(self.grid, [(g.label, g.id) for g in grids])

    def filters(self):
        from ..services.dashboard import Filters

        return Filters(self.start.date().toPython(), self.end.date().toPython(), self.today,
                       compound_id=self.compound.currentData(), grid_id=self.grid.currentData(),
                       category=self.category.currentData())

    # ---- loading ----------------------------------------------------------------------------
    def reload(self) -> None:
        """Count again: the charts in view first (their numbers, then their figures), the
        others' numbers after them on the same background task runner."""
        filters = self.filters()
        first = tuple(self.in_view()) or None  # None: every chart (the first load)

        def work(_report):
            from ..charts import load_all
            from ..services import dashboard, org

            with self.store.session() as session:
                # the category filter's choices come with the other charts' numbers, after the paint
                categories = dashboard.categories(session) if first is None else None
                choices = (org.compound_choices(session), org.grid_choices(session), categories)
                return (load_all(session, filters, first), dashboard.subtitle(session, filters),
                        org.community_name(session), choices)

        self._generation += 1
        generation = self._generation

        def current() -> bool:
            """This load is the page's latest, and the page is still there (a canvas kept
            from an earlier load may draw, and call on, after the window closed)."""
            return isValid(self) and generation == self._generation

        def done(result) -> None:
            if not current():  # a newer load is on its way, or the page is gone
                return
            drawn = self._loaded(*result)
            rest = tuple(spec.name for spec in CHARTS if spec.name not in self.data)
            if rest or first is not None:
                # once the charts in view have drawn: counting beside them would slow them down
                self._after_drawn(drawn, lambda: count_rest(rest))

        def count_rest(rest: tuple[str, ...]) -> None:
            if current():
                self.tasks.run(lambda _report: self._count(filters, rest, categories=True), on_done=more,
                               on_error=self._load_failed, label="正在统计…")

        def more(result: tuple) -> None:
            if current():
                data, categories = result
                if categories is not None:
                    _refill(self.category, [(c, c) for c in categories])
                self.data.update(data)
                self.draw_visible()

        self.tasks.run(work, on_done=done, on_error=self._load_failed, label="正在统计…")

    def _count(self, filters, names: tuple[str, ...] | None = None, *, categories: bool = False):
        """The charts' numbers (those named); with categories, also the category filter's
        choices: (numbers, choices)."""
        from ..charts import load_all
        from ..services import dashboard

        with self.store.session() as session:
            data = load_all(session, filters, names)
            if categories:
                return data, dashboard.categories(session)
            return data

    @property
    def counted(self) -> bool:
        """Every chart's numbers are in (the ones out of view come after those in view)."""
        return self.loaded and not self.tasks.busy and all(spec.name in self.data for spec in CHARTS)

    def ensure_counted(self) -> None:
        """Every chart's numbers, now (the slides, the report, an export need them all)."""
        missing = tuple(spec.name for spec in CHARTS if spec.name not in self.data)
        if missing and self.loaded:
            self.data.update(self._count(self.filters(), missing))

    @staticmethod
    def _after_drawn(canvases: list, then) -> None:
        """Call then() once every canvas has drawn its figure (at once without any)."""
        waiting = {id(c) for c in canvases}
        if not waiting:
            then()
            return

        def drawn(canvas, connection) -> None:
            canvas.mpl_disconnect(connection)
            waiting.discard(id(canvas))
            if not waiting:
                then()

        for canvas in canvases:
            holder: list[int] = []
            holder.append(canvas.mpl_connect("draw_event", lambda _e, c=canvas, h=holder: drawn(c, h[0])))

    def _loaded(self, data: dict, subtitle: str, community: str, choices) -> list:
        compounds, self._grids, categories = choices
        _refill(self.compound, [(c.label, c.id) for c in compounds])
        self._fill_grids()
        if categories is not None:
            _refill(self.category, [(c, c) for c in categories])
        self.data, self.subtitle, self.community = data, subtitle, community
        self.heading.setText(f"{community}　{subtitle}".strip())
        self.build_cards()
        self._stale = set(self.cards)
        self.loaded = True
        drawn = self.draw_visible()
        self.shown_generation = self._generation
        return drawn

    def in_view(self) -> list[str]:
        """The charts the scroll area shows now."""
        viewport = self.scroll.viewport()
        shown = viewport.rect()
        return [name for name, card in self.cards.items()
                if shown.intersects(card.rect().translated(card.mapTo(viewport, card.rect().topLeft())))]

    def draw_visible(self) -> list:
        """Draw the charts the scroll area shows (a chart costs a few tenths of a second to
        lay out and draw): the others wait until they are scrolled into view. Returns the
        new canvases (they draw when next painted)."""
        if not self._stale:
            return []
        canvases = []
        for name in self.in_view():
            if name in self._stale and name in self.data:
                self.cards[name].show_numbers(self.data[name], self.subtitle)
                self._stale.discard(name)
                canvases.append(self.cards[name].canvas)
        return canvases

    def draw_all(self) -> None:
        """Every chart now (a test, a screenshot)."""
        self.ensure_counted()
        for name in list(self._stale):
            self.cards[name].show_numbers(self.data[name], self.subtitle)
        self._stale.clear()

    def _load_failed(self, exc: Exception) -> None:
        self.heading.setText("统计失败")
        QMessageBox.critical(self, "统计失败", f"统计时出错：{exc}")

    def build_cards(self) -> None:
        """One card per chart, made when the page is first shown: the main window builds
        every page at start-up, and ten cards with their tables cost about 0.1 s."""
        if self.cards:
            return
        for spec in CHARTS:
            card = ChartCard(self, spec.name, spec.title, spec.note)
            self.cards[spec.name] = card
            self.card_column.addWidget(card)
        self.card_column.addStretch(1)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.build_cards()
        if not self.loaded and not self.tasks.busy:
            QTimer.singleShot(0, self.reload)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        QTimer.singleShot(0, self.draw_visible)

    # ---- export -----------------------------------------------------------------------------
    def chart_file(self, name: str, path: Path) -> None:
        """Save one chart, drawn at its standard size, as PNG or PDF (by the suffix)."""
        from ..charts.figures import render
        from ..safefile import check_for, write_bytes

        self.ensure_counted()
        drawn = io.BytesIO()  # in memory, then written in one go: a failed save keeps the file that was there
        render(name, self.data[name], subtitle=self.subtitle).figure.savefig(
            drawn, format=path.suffix.lower().lstrip("."), dpi=150)
        write_bytes(path, drawn.getvalue(), check=check_for(path))

    def _ask_path(self, title: str, suggested: str, suffix: str) -> Path | None:
        folder = Path(self.settings.value("export/folder", str(Path.home())) or Path.home())
        kinds = {".png": "PNG 图片 (*.png)", ".pdf": "PDF 文件 (*.pdf)"}
        path = file_dialogs.save_file_name(self, title, folder / suggested, kinds[suffix])
        if path is None:
            return None
        if path.suffix.lower() != suffix:
            path = path.with_name(path.name + suffix)
        self.settings.setValue("export/folder", str(path.parent))
        return path

    def save_chart_as(self, name: str, suffix: str) -> None:
        if not self.loaded:
            return
        title = self.cards[name].title
        path = self._ask_path(f"保存“{title}”", f"{title}{suffix}", suffix)
        if path is None:
            return
        try:
            self.chart_file(name, path)
        except OSError as exc:
            QMessageBox.warning(self, "无法保存", f"文件无法写入（{exc.strerror or exc}），请换一个位置保存。")
            return
        self.status.showMessage(f"已把“{title}”保存到 {path}", 8000)

    def copy_chart(self, name: str) -> None:
        """The chart as a picture on the clipboard, to paste into WPS, Word or a chat."""
        if not self.loaded:
            return
        from ..charts.figures import render

        self.ensure_counted()
        buffer = io.BytesIO()
        render(name, self.data[name], subtitle=self.subtitle).figure.savefig(buffer, format="png", dpi=150)
        QGuiApplication.clipboard().setImage(QImage.fromData(buffer.getvalue(), "PNG"))
        self.status.showMessage(f"已复制“{self.cards[name].title}”，可以直接粘贴。", 8000)

    def report_file(self, path: Path) -> int:
        """Write the report of the numbers counted (ensure_counted first: this may run on
        a worker thread)."""
        from ..charts.cli import report_heading
        from ..charts.report import write_report

        return write_report(path, self.data, heading=report_heading(self.community), subtitle=self.subtitle,
                            made_on=self.today)

    def save_report_as(self) -> None:
        if not self.loaded:
            return
        self.ensure_counted()  # here, not on the report's worker thread
        path = self._ask_path("导出统计报告", f"统计报告 {self.today:%Y-%m-%d}.pdf", ".pdf")
        if path is None:
            return

        def failed(exc: Exception) -> None:
            QMessageBox.warning(self, "无法保存", f"报告无法保存：{exc}")

        self.tasks.run(lambda _report: self.report_file(path), label="正在生成统计报告…", on_error=failed,
                       on_done=lambda pages: self.status.showMessage(f"已把统计报告（{pages} 页）保存到 {path}", 10000))

    # ---- presentation --------------------------------------------------------------------------
    def present(self, start: int = 0) -> Presentation | None:
        if not self.loaded:
            return None
        self.ensure_counted()
        self.presentation = Presentation(self, start)
        self.presentation.showFullScreen()
        self.presentation.activateWindow()
        return self.presentation


def _refill(box: QComboBox, items: list[tuple[str, object]]) -> None:
    """New choices after the first "all" entry, keeping the current one if it is still there."""
    current = box.currentData()
    box.blockSignals(True)
    while box.count() > 1:
        box.removeItem(1)
    for label, value in items:
        box.addItem(label, value)
    index = box.findData(current) if current is not None else 0
    box.setCurrentIndex(max(index, 0))
    box.blockSignals(False)


class Presentation(QWidget):
    """Full screen, one chart per slide in large type. → PageDown Space: next;
    ← PageUp: previous; Home / End: first / last; Esc leaves."""

    def __init__(self, page: DashboardPage, start: int = 0):
        super().__init__(None, Qt.WindowType.Window)
        self.page = page
        self.setObjectName("presentation")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle("统计图表 放映")
        self.setStyleSheet("#presentation { background: white; }")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.names = [spec.name for spec in CHARTS if spec.name in page.data]
        self.index = -1
        self.canvas: QWidget | None = None
        self.footer = QLabel(self)
        self.footer.setObjectName("slideFooter")
        self.footer.setStyleSheet("color: #9c928a; font-size: 12pt; padding: 4px 16px;")
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(24, 16, 24, 8)
        self.layout_.addWidget(self.footer)
        self.go(start)

    def go(self, index: int) -> None:
        index = max(0, min(index, len(self.names) - 1))
        if index == self.index:
            return
        from ..charts.figures import render
        from ..charts.style import Look

        self.index = index
        name = self.names[index]
        screen = (self.screen() or QGuiApplication.primaryScreen()).geometry()
        size = (max(screen.width(), 800) / 100, max(screen.height() - 60, 500) / 100)
        chart = render(name, self.page.data[name], subtitle=self.page.subtitle, look=Look(SLIDE_SCALE, size))
        canvas = _canvas(chart.figure)
        if self.canvas is not None:
            self.layout_.replaceWidget(self.canvas, canvas)
            self.canvas.deleteLater()
        else:
            self.layout_.insertWidget(0, canvas, 1)
        self.canvas = canvas
        self.footer.setText(f"{index + 1} / {len(self.names)}　　→ 下一张　← 上一张　Esc 退出")

    @property
    def current(self) -> str:
        return self.names[self.index]

    def keyPressEvent(self, event) -> None:
        key = event.key()
        if key == Qt.Key.Key_Escape:
            self.close()
        elif key in NEXT_KEYS:
            self.go(self.index + 1)
        elif key in PREVIOUS_KEYS:
            self.go(self.index - 1)
        elif key == Qt.Key.Key_Home:
            self.go(0)
        elif key == Qt.Key.Key_End:
            self.go(len(self.names) - 1)
        else:
            super().keyPressEvent(event)

    def closeEvent(self, event) -> None:
        if self.page.presentation is self:
            self.page.presentation = None
        super().closeEvent(event)
