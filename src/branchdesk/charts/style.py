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
from matplotlib.layout_engine import LayoutEngine

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


def _width(text: str, points: float) -> float:
    """About how wide a line of text is, in inches: a Chinese character is one em wide,
    a digit or a Latin letter a little over half of one."""
    return sum(1.0 if ord(c) >= 0x2E80 else 0.58 for c in text) * points / 72


def _line(points: float) -> float:
    return points * 1.45 / 72


class Margins(LayoutEngine):
    """Places the axes by margins in inches worked out from what they hold (the title
    rows, the longest tick label, the axis labels) without measuring any text.
    Constrained layout measures every label on every draw, which was two thirds of a
    chart's drawing time; these charts are regular enough to do without it. A chart
    that puts something outside its axes asks for room with extra_room()."""

    _adjust_compatible = False
    _colorbar_gridspec = False

    def __init__(self, look: Look):
        super().__init__()
        self.look = look
        self._params = {"top": 0.0, "bottom": 0.0, "left": 0.0, "right": 0.0}

    def set(self, **kwargs) -> None:
        self._params.update(kwargs)

    def execute(self, fig) -> None:
        axes = [ax for ax in fig.axes if ax.get_visible()]
        if not axes:
            return
        look, extra = self.look, self._params
        width, height = fig.get_size_inches()
        pad = 0.12 * look.scale
        top = pad
        if fig._suptitle is not None and fig._suptitle.get_text():
            fig._suptitle.set_y(1 - pad / height)
            top += _line(look.title)
        if any(ax.get_title(loc="left") for ax in axes):
            top += _line(look.subtitle) + 12 * look.scale / 72
        if any(ax.get_title() for ax in axes):
            top += _line(self.look.pt(13)) + 4 * look.scale / 72
        bottom = pad + (_line(look.subtitle) if fig._supxlabel is not None and fig._supxlabel.get_text() else 0)
        left = right = pad + 0.08 * look.scale
        ax = axes[0]
        if ax.axison:
            tick_pad = 6 * look.scale / 72
            if any(t.get_text() for t in ax.get_xticklabels()):
                size = ax.get_xticklabels()[0].get_fontsize()
                bottom += _line(size) + tick_pad
            if ax.get_xlabel():
                bottom += _line(look.label)
            labels = [t for t in ax.get_yticklabels() if t.get_text()]
            if labels:
                left += max(_width(t.get_text(), t.get_fontsize()) for t in labels) + tick_pad
            if ax.get_ylabel():
                left += _line(look.label) + 14 * look.scale / 72
        top, bottom = top + extra["top"], bottom + extra["bottom"]
        left, right = left + extra["left"], right + extra["right"]
        usable_w = max(width - left - right, 0.5)
        usable_h = max(height - top - bottom, 0.5)
        gap = 0.25 * look.scale if len(axes) > 1 else 0
        each = (usable_w - gap * (len(axes) - 1)) / len(axes)
        for n, one in enumerate(axes):
            x = left + n * (each + gap)
            one.set_position([x / width, bottom / height, each / width, usable_h / height])
            for axis in (one.xaxis, one.yaxis):
                # matplotlib measures every tick label to place an axis label on each
                # draw: not for an empty one, which draws nothing (a private switch: were
                # it renamed, this would only cost the time again)
                axis._autolabelpos = bool(axis.label.get_text())


def extra_room(fig, **inches: float) -> None:
    """More margin where a chart draws outside its axes (a legend beside a ring)."""
    engine = fig.get_layout_engine()
    if isinstance(engine, Margins):
        engine.set(**inches)


def new_figure(title: str, look: Look):
    """A white figure (or the report's SubFigure) with the chart's title at its top."""
    font_family()
    if look.into is not None:  # the report's page lays it out
        look.into.suptitle(title, fontsize=look.title, color=DARK_RED)
        return look.into
    fig = Figure(figsize=look.size, facecolor="white", layout=Margins(look))
    fig.suptitle(title, fontsize=look.title, color=DARK_RED, va="top")  # Margins places it
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
    set_subtitle(ax, subtitle, look)
    style_axes(ax, look, grid=grid)
    return fig, ax


def set_subtitle(ax, subtitle: str, look: Look) -> None:
    """The period and place above the plot on the left (a figure updated in place may
    get another). Its height is given (y=1): left to find it, matplotlib would measure
    the tick labels on every draw to see whether a title must move up, and nothing is
    ever above these plots."""
    if subtitle or ax.get_title(loc="left"):
        ax.set_title(subtitle, fontsize=look.subtitle, color=MUTED, loc="left", pad=12 * look.scale, y=1.0)


def label_bars(ax, bars, texts, look: Look, *, horizontal: bool = False, color: str = TEXT,
               inside: bool = False) -> list:
    """The number on (or at the end of) each bar; returns the texts put there."""
    labels = []
    for bar, text in zip(bars, texts):
        if horizontal:
            x, y = bar.get_x() + bar.get_width(), bar.get_y() + bar.get_height() / 2
            labels.append(ax.annotate(text, (x, y), xytext=(-6 if inside else 5, 0), textcoords="offset points",
                                      ha="right" if inside else "left", va="center", fontsize=look.number,
                                      color=color))
        else:
            x, y = bar.get_x() + bar.get_width() / 2, bar.get_height()
            labels.append(ax.annotate(text, (x, y), xytext=(0, 3), textcoords="offset points", ha="center",
                                      va="bottom", fontsize=look.number, color=color))
    return labels


def legend(ax, look: Look, **kw) -> None:
    ax.legend(frameon=False, fontsize=look.label, **kw)


def blend(a: str, b: str, t: float) -> tuple[float, float, float]:
    """The colour a fraction t of the way from a to b."""
    from matplotlib.colors import to_rgb

    ca, cb = to_rgb(a), to_rgb(b)
    return tuple(x + (y - x) * t for x, y in zip(ca, cb))
