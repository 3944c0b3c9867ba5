"""The look every chart shares: the app's bundled Chinese font, the red and ochre
palette, font sizes that grow with a scale (presentation mode draws at about twice
the dashboard's), and the small helpers that put numbers on bars.

Importing this module imports matplotlib (about half a second): only the chart
builders, the report and the dashboard's canvases do."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import matplotlib
from matplotlib import font_manager
from matplotlib.figure import Figure

from ..paths import resource_dir

FONT_FILE = "NotoSansSC-Regular.otf"

RED = "#b3261e"
DARK_RED = "#8e1b13"
OCHRE = "#d08c2f"
LIGHT_OCHRE = "#ecc98f"
SAND = "#e8dfd6"  # what is required or still missing, behind what was done
GREY = "#9c928a"
TEXT = "#3d3834"
MUTED = "#6b6560"
GRID = "#ece6e0"

_family: str | None = None


def font_family() -> str:
    """Register the bundled font with matplotlib once and make it the default; the
    minus sign stays an ASCII hyphen, which every font has."""
    global _family
    if _family is None:
        path = resource_dir() / "fonts" / FONT_FILE
        font_manager.fontManager.addfont(str(path))
        _family = font_manager.FontProperties(fname=str(path)).get_name()
        matplotlib.rcParams.update({
            "font.family": [_family],
            "axes.unicode_minus": False,
            "axes.edgecolor": "#c9c0b8",
            "axes.labelcolor": TEXT,
            "xtick.color": TEXT,
            "ytick.color": TEXT,
            "text.color": TEXT,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "svg.fonttype": "none",
        })
    return _family


@dataclass(frozen=True)
class Look:
    """How one rendering looks: sizes in points grow with scale (1 on the dashboard and
    in files, about 2 in presentation mode); size is the figure's in inches; into, when
    given, is a SubFigure of a larger page (the report) to draw in instead."""

    scale: float = 1.0
    size: tuple[float, float] = (10, 5.6)
    into: Any = None

    def pt(self, size: float) -> float:
        return size * self.scale

    @property
    def title(self) -> float:
        return self.pt(16)

    @property
    def subtitle(self) -> float:
        return self.pt(10.5)

    @property
    def label(self) -> float:
        return self.pt(11)

    @property
    def number(self) -> float:
        return self.pt(10.5)


def new_figure(title: str, look: Look):
    """A white figure (or the report's SubFigure) with the chart's title at its top."""
    font_family()
    if look.into is not None:
        fig = look.into
    else:
        fig = Figure(figsize=look.size, layout="constrained", facecolor="white")
        fig.get_layout_engine().set(h_pad=0.08 * look.scale, w_pad=0.1 * look.scale)
    fig.suptitle(title, fontsize=look.title, color=DARK_RED)
    return fig


def style_axes(ax, look: Look, *, grid: str | None = "y") -> None:
    ax.tick_params(labelsize=look.label, length=0, pad=6 * look.scale)
    if grid:
        ax.grid(axis=grid, color=GRID, linewidth=1)
        ax.set_axisbelow(True)


def single_axes(title: str, subtitle: str, look: Look, *, grid: str | None = "y"):
    """A figure with one plot, the period and place written above it on the left."""
    fig = new_figure(title, look)
    ax = fig.add_subplot()
    if subtitle:
        ax.set_title(subtitle, fontsize=look.subtitle, color=MUTED, loc="left", pad=12 * look.scale)
    style_axes(ax, look, grid=grid)
    return fig, ax


def label_bars(ax, bars, texts, look: Look, *, horizontal: bool = False, color: str = TEXT,
               inside: bool = False) -> None:
    """The number on (or at the end of) each bar."""
    for bar, text in zip(bars, texts):
        if horizontal:
            x, y = bar.get_x() + bar.get_width(), bar.get_y() + bar.get_height() / 2
            ax.annotate(text, (x, y), xytext=(-6 if inside else 5, 0), textcoords="offset points",
                        ha="right" if inside else "left", va="center", fontsize=look.number, color=color)
        else:
            x, y = bar.get_x() + bar.get_width() / 2, bar.get_height()
            ax.annotate(text, (x, y), xytext=(0, 3), textcoords="offset points", ha="center", va="bottom",
                        fontsize=look.number, color=color)


def legend(ax, look: Look, **kw) -> None:
    ax.legend(frameon=False, fontsize=look.label, **kw)


def blend(a: str, b: str, t: float) -> tuple[float, float, float]:
    """The colour a fraction t of the way from a to b."""
    from matplotlib.colors import to_rgb

    ca, cb = to_rgb(a), to_rgb(b)
    return tuple(x + (y - x) * t for x, y in zip(ca, cb))
