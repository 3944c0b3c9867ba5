"""The 统计图表 page as the secretary uses it: reached from the 统计 menu (Ctrl+Shift+D),
a chart and its numbers per card, the filters, export to PNG, PDF, the clipboard and
the A4 report, and presentation mode driven by a clicker's keys. matplotlib is not
imported until the page is shown."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QGuiApplication
from test_charts import build_dataset
from ui_helpers import shown_window

from branchdesk.charts import CHARTS

# a character the bundled font lacks (drawn as a box) fails the test, here too
pytestmark = pytest.mark.filterwarnings(r"error:Glyph .* missing from font")


def _rows(tree) -> list[tuple[str, ...]]:
    return [tuple(tree.topLevelItem(i).text(c) for c in range(tree.columnCount()))
            for i in range(tree.topLevelItemCount())]


def _settle(qtbot, page) -> None:
    qtbot.waitUntil(lambda: page.counted, timeout=30_000)


@pytest.fixture
def page(qtbot, qapp, store):
    build_dataset(store)
    window = shown_window(qtbot, qapp, store)
    window.act_dashboard.trigger()  # 统计 → 统计图表 (Ctrl+Shift+D)
    page = window.stack.currentWidget()
    assert page.objectName() == "page_dashboard" and window.sidebar.currentRow() == len(window.pages) - 1
    _settle(qtbot, page)
    page.period.setCurrentIndex(page.period.findData("custom"))
    page.start.setDate(QDate(2026, 1, 1))
    page.end.setDate(QDate(2026, 3, 31))
    qtbot.waitUntil(lambda: "2026年3月31日" in page.heading.text() and page.counted, timeout=30_000)
    return page


def test_matplotlib_waits_until_the_dashboard_is_shown(tmp_path):
    script = textwrap.dedent(f"""
        import os, sys
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        os.environ["BRANCHDESK_DATA_DIR"] = {str(tmp_path)!r}
        from branchdesk.ui.qtenv import make_application, make_settings
        app = make_application()
        import branchdesk.ui.main_window as mw
        assert "matplotlib" not in sys.modules, "imported with the main window module"
        from branchdesk.store import open_store
        store = open_store({str(tmp_path / "x.db")!r}, create=True)
        window = mw.MainWindow.on_store(store, make_settings())
        window.show()
        app.processEvents()
        assert "matplotlib" not in sys.modules, "imported while building the main window"
        page = window.show_page(len(window.pages) - 1)
        while not page.loaded:
            app.processEvents()
        assert "matplotlib" in sys.modules
        window.close(); window.wait_for_tasks(); store.close()
        print("ok")
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stderr


def test_each_card_shows_its_chart_and_the_numbers_beside_it(qtbot, page):
    assert page.heading.text() == "幸福社区　2026年1月1日至2026年3月31日　全部小区"
    page.draw_all()
    assert _rows(page.cards["issues-monthly"].table) == [
        ("2026年1月", "2", "1"), ("2026年2月", "2", "1"), ("2026年3月", "1", "1"), ("合计", "5", "3")]
    assert _rows(page.cards["meetings"].table)[0] == ("支委会", "每月", "3", "2", "66.7%")
    for spec in CHARTS:
        card = page.cards[spec.name]
        assert card.canvas is not None and card.canvas.figure.get_suptitle() == spec.title
        assert card.table.topLevelItemCount() > 0, spec.name
    assert page.findChild(type(page.present_button), "exportReport").text() == "导出报告…"


def test_only_the_charts_in_view_are_drawn_until_scrolled_to(qtbot, page):
    assert page.cards["issues-monthly"].canvas is not None
    assert "coverage" in page._stale and page.cards["coverage"].canvas is None
    page.scroll.ensureWidgetVisible(page.cards["coverage"])
    qtbot.waitUntil(lambda: page.cards["coverage"].canvas is not None)


def test_the_filters_narrow_the_charts(qtbot, page):
    page.grid.setCurrentIndex(page.grid.findText("第二网格"))
    qtbot.waitUntil(lambda: "第二网格" in page.heading.text() and page.counted, timeout=30_000)
    page.draw_all()
    assert _rows(page.cards["issues-grid"].table) == [("第二网格", "2", "100.0%")]
    category = page.category
    assert [category.itemText(i) for i in range(category.count())] == ["全部问题类别", "设施维修", "停车管理", "环境卫生"]
    category.setCurrentIndex(category.findText("设施维修"))
    qtbot.waitUntil(lambda: "设施维修" in page.heading.text() and page.counted, timeout=30_000)
    page.draw_all()
    assert _rows(page.cards["issues-performance"].table)[0] == ("期间提出", "1 件", "")
    # another compound choice empties the grid filter
    page.compound.setCurrentIndex(page.compound.findText("启明小区"))
    assert page.grid.currentIndex() == 0


def _bar_heights(card) -> list[float]:
    return [bar.get_height() for bar in card.canvas.figure.axes[0].patches]


def test_a_refresh_puts_the_new_numbers_on_the_chart_shown(qtbot, page):
    """A refresh of the same shape (as many months) updates the figure on the card in
    place; its bars, labels and table show the new numbers, and it draws again."""
    card = page.cards["issues-monthly"]
    figure = card.canvas.figure
    assert _bar_heights(card) == [2, 2, 1, 1, 1, 1]  # raised per month, then solved
    page.grid.setCurrentIndex(page.grid.findText("第二网格"))
    qtbot.waitUntil(lambda: "第二网格" in page.heading.text() and page.counted and card.drawn, timeout=30_000)
    assert card.canvas.figure is figure
    assert _bar_heights(card) == [0, 1, 1, 0, 0, 1]
    assert _rows(card.table)[-1] == ("合计", "2", "1")
    assert figure.axes[0].get_title(loc="left") == page.subtitle and "第二网格" in page.subtitle
    # two months instead of three: a new figure
    page.end.setDate(QDate(2026, 2, 28))
    qtbot.waitUntil(lambda: "2026年2月28日" in page.heading.text() and page.counted and card.drawn, timeout=30_000)
    assert card.canvas.figure is not figure and _bar_heights(card) == [0, 1, 0, 0]
    assert _rows(card.table)[-1] == ("合计", "1", "0")


def test_a_chart_is_saved_as_png_or_pdf_and_copied(qtbot, page, tmp_path):
    page.chart_file("issues-steps", tmp_path / "steps.png")
    page.chart_file("issues-steps", tmp_path / "steps.pdf")
    assert (tmp_path / "steps.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "steps.pdf").read_bytes()[:5] == b"%PDF-"
    text = subprocess.run(["pdftotext", str(tmp_path / "steps.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    assert "五事制办理进度" in text
    page.copy_chart("meetings")
    image = QGuiApplication.clipboard().image()
    assert not image.isNull() and image.width() >= 1000


def test_the_report_from_the_page(qtbot, page, tmp_path):
    assert page.report_file(tmp_path / "report.pdf") == len(CHARTS)
    text = subprocess.run(["pdftotext", str(tmp_path / "report.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    assert "幸福社区党建工作统计报告" in text and all(spec.title in text for spec in CHARTS)


def test_presentation_mode_moves_with_the_clicker_keys_and_esc_leaves(qtbot, page, tmp_path):
    qtbot.mouseClick(page.present_button, Qt.MouseButton.LeftButton)  # 放映（F5）
    show = page.presentation
    assert show is not None and show.isFullScreen() and show.current == "issues-monthly"
    for key, expected in ((Qt.Key.Key_Right, 1), (Qt.Key.Key_PageDown, 2), (Qt.Key.Key_Space, 3),
                          (Qt.Key.Key_Left, 2), (Qt.Key.Key_PageUp, 1), (Qt.Key.Key_PageUp, 0),
                          (Qt.Key.Key_Left, 0), (Qt.Key.Key_End, len(CHARTS) - 1), (Qt.Key.Key_Space, len(CHARTS) - 1)):
        qtbot.keyClick(show, key)
        assert show.index == expected, key
    assert show.canvas.figure.get_suptitle() == CHARTS[-1].title
    assert show.footer.text().startswith(f"{len(CHARTS)} / {len(CHARTS)}")
    assert show.canvas.figure._suptitle.get_fontsize() > 25  # a large title for the room
    show.grab().save(str(tmp_path / "slide.png"))
    qtbot.keyClick(show, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: page.presentation is None)  # closed (and deleted)


def test_the_statistics_menu_has_the_dashboard(qtbot, page):
    window = page.window()
    action = window.act_dashboard
    assert action.text() == "统计图表" and action.shortcut().toString() == "Ctrl+Shift+D"
    assert action in window.findChild(type(window.menuBar().actions()[0].menu()), "statsMenu").actions()
