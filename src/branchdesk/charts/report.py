"""The council's report (统计报告): one A4 PDF with every chart, each on its own page
with its title and the table of its numbers beneath it."""
from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from ..safefile import check_pdf, write_bytes
from . import CHARTS, Table
from .figures import render
from .style import DARK_RED, GRID, MUTED, SAND, TEXT, Look, font_family

A4 = (8.27, 11.69)  # inches, portrait
_CHART_LOOK = 0.8  # the chart's fonts on paper, against the dashboard's


def _table(fig, table: Table) -> None:
    ax = fig.add_subplot()
    ax.axis("off")
    if not table.rows:
        ax.text(0.5, 0.9, "期间没有数据", ha="center", va="top", fontsize=10, color=MUTED)
        return
    size = 9.5 if len(table.rows) <= 14 else 7.5
    cells = ax.table(cellText=[list(r) for r in table.rows], colLabels=list(table.headers), loc="upper center",
                     cellLoc="center")
    cells.auto_set_font_size(False)
    cells.set_fontsize(size)
    cells.scale(1, 1.5 if len(table.rows) <= 14 else 1.18)
    for (row, _col), cell in cells.get_celld().items():
        cell.set_edgecolor(GRID)
        cell.set_text_props(color=TEXT)
        if row == 0:
            cell.set_facecolor(SAND)
            cell.set_text_props(color=DARK_RED)


def write_report(path: Path | str, data: dict, *, heading: str, subtitle: str, made_on: date) -> int:
    """Write the report to path; returns its page count. data holds each chart's numbers
    (charts.load_all); heading names the community, subtitle the period and place.
    A report that cannot be written raises safefile.WriteFailed (an OSError) and leaves
    the file that was at path as it was."""
    font_family()
    pages = [spec for spec in CHARTS if spec.name in data]
    made = io.BytesIO()  # in memory, then written in one go (safefile.write_bytes)
    with PdfPages(made, metadata={"Title": heading, "Creator": "branchdesk"}) as pdf:
        for n, spec in enumerate(pages, start=1):
            page = Figure(figsize=A4, layout="constrained", facecolor="white")
            page.get_layout_engine().set(h_pad=0.25, w_pad=0.3)
            page.suptitle(heading, fontsize=9, color=MUTED, x=0.05, ha="left")
            page.supxlabel(f"第 {n} 页，共 {len(pages)} 页　{made_on.year}年{made_on.month}月{made_on.day}日制表",
                           fontsize=8, color=MUTED)
            top, bottom = page.subfigures(2, 1, height_ratios=(1.15, 1))
            chart = render(spec.name, data[spec.name], subtitle=subtitle, look=Look(_CHART_LOOK, into=top))
            _table(bottom, chart.table)
            pdf.savefig(page)
    write_bytes(path, made.getvalue(), check=check_pdf)
    return len(pages)
