"""One function per chart: the numbers from services.dashboard in, a Figure and the
table of its numbers out. Titles come from charts.CHARTS; every text is Chinese and
drawn in the bundled font."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from ..services.dashboard import Coverage, MeetingCount, MonthCount, Performance
from . import BY_NAME, Table
from .style import (
    DARK_RED, GREY, LIGHT_OCHRE, MUTED, OCHRE, RED, SAND, TEXT, Look, blend, extra_room, label_bars, legend,
    new_figure, set_subtitle, single_axes,
)

TOP_BUILDINGS = 12
PLAIN = Look()  # the dashboard's and the files' look


class Chart(NamedTuple):
    figure: Figure
    table: Table
    # update(data, subtitle) puts other numbers of the same shape (as many months or
    # rows) on this figure and returns their table, or returns None: render anew. The
    # dashboard refreshes with it, as building a figure's bars costs more than drawing them.
    update: Callable[[Any, str], Table | None] | None = None


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "—"


def _nothing(ax, look: Look, text: str = "期间没有数据") -> None:
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", fontsize=look.pt(14), color=MUTED)
    ax.set_xticks([])
    ax.set_yticks([])


def _headroom(ax, top: float, look: Look) -> None:
    """Room above the tallest bar for its number."""
    ax.set_ylim(0, max(top, 1) * (1.12 + 0.04 * look.scale))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))


def _month_label(month: str, first: bool) -> str:
    year, m = month.split("-")
    return f"{year}年{int(m)}月" if first or m == "01" else f"{int(m)}月"


# ---- residents' issues ------------------------------------------------------------------------
def issues_monthly(rows: list[MonthCount], *, subtitle: str = "", look: Look = PLAIN) -> Chart:
    fig, ax = single_axes(BY_NAME["issues-monthly"].title, subtitle, look)
    months = len(rows)
    x = range(months)
    width = 0.38
    raised = ax.bar([i - width / 2 for i in x], [r.raised for r in rows], width, color=OCHRE, label="提出")
    solved = ax.bar([i + width / 2 for i in x], [r.solved for r in rows], width, color=RED, label="办结")
    small = Look(look.scale * (0.85 if months > 9 else 1))
    numbers: list = []  # the texts on the bars

    def fill(rows: list[MonthCount], subtitle: str) -> Table | None:
        if len(rows) != months:
            return None
        while numbers:
            numbers.pop().remove()
        set_subtitle(ax, subtitle, look)
        for bars, counts in ((raised, [r.raised for r in rows]), (solved, [r.solved for r in rows])):
            for bar, n in zip(bars, counts):
                bar.set_height(n)
            if months <= 18:  # over a longer period the numbers would crowd: the table has them
                numbers.extend(label_bars(ax, bars, [str(n) for n in counts], small))
        every = 1 if months <= 18 else 3
        ax.set_xticks(list(x)[::every], [_month_label(r.month, n == 0) for n, r in enumerate(rows)][::every])
        _headroom(ax, max([r.raised for r in rows] + [r.solved for r in rows], default=0), look)
        table = Table(("月份", "提出", "办结"), [(_month_label(r.month, True), str(r.raised), str(r.solved))
                                             for r in rows])
        table.rows.append(("合计", str(sum(r.raised for r in rows)), str(sum(r.solved for r in rows))))
        return table

    table = fill(rows, subtitle)
    ax.set_ylabel("件", fontsize=look.label, rotation=0, labelpad=14 * look.scale)
    legend(ax, look, loc="lower right", bbox_to_anchor=(1, 1), ncols=2)
    extra_room(fig, top=0.08 * look.scale)
    ax.set_xlim(-0.6, months - 0.4)
    return Chart(fig, table, fill)


def _ranked_bars(name: str, rows: list[tuple[str, int]], subtitle: str, look: Look, *,
                 head: str, unit: str = "件", top: int | None = None) -> Chart:
    """Horizontal bars, the largest on top, with each bar's number and its share of all
    (the first `top` rows only, when given)."""
    fig, ax = single_axes(BY_NAME[name].title, subtitle, look, grid="x")
    headers = (head, unit, "占比")
    shown = len(rows[:top] if top else rows)
    if not shown:
        _nothing(ax, look)
        return Chart(fig, Table(headers))
    # bars at 0, 1, 2 … named by their tick labels, so that other names can take their place
    bars = ax.barh(range(shown), [n for _label, n in rows[:shown]][::-1], height=0.62)
    numbers: list = []  # the texts at the ends of the bars

    def fill(rows: list[tuple[str, int]], subtitle: str) -> Table | None:
        total = sum(n for _label, n in rows)
        rows = rows[:top] if top else rows
        if len(rows) != shown:
            return None
        while numbers:
            numbers.pop().remove()
        set_subtitle(ax, subtitle, look)
        counts = [n for _label, n in rows][::-1]
        for bar, n in zip(bars, counts):
            bar.set_width(n)
            bar.set_facecolor(RED if n == max(counts) else OCHRE)
        numbers.extend(label_bars(ax, bars, [f"{n}（{_share(n, total)}）" for n in counts], look, horizontal=True))
        ax.set_yticks(range(shown), [label for label, _n in rows][::-1])
        ax.set_xlim(0, max(counts) * (1.22 + 0.08 * look.scale))
        return Table(headers, [(label, str(n), _share(n, total)) for label, n in rows])

    table = fill(rows, subtitle)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
    ax.spines["left"].set_visible(False)
    return Chart(fig, table, fill)


def issues_category(rows: list[tuple[str, int]], *, subtitle: str = "", look: Look = PLAIN) -> Chart:
    return _ranked_bars("issues-category", rows, subtitle, look, head="类别")


def issues_building(rows: list[tuple[str, int]], *, subtitle: str = "", look: Look = PLAIN) -> Chart:
    return _ranked_bars("issues-building", rows, subtitle, look, head="楼栋", top=TOP_BUILDINGS)


def issues_grid(rows: list[tuple[str, int]], *, subtitle: str = "", look: Look = PLAIN) -> Chart:
    return _ranked_bars("issues-grid", rows, subtitle, look, head="网格")


def issues_steps(rows: list[tuple[str, int]], *, subtitle: str = "", look: Look = PLAIN) -> Chart:
    """A funnel: how many of the period's issues reached each step (an issue at 干事 has
    passed 提事, 议事 and 定事); beside each, how many stand there now."""
    fig, ax = single_axes(BY_NAME["issues-steps"].title, subtitle, look, grid=None)
    labels = [label for label, _n in rows]
    now = [n for _label, n in rows]
    reached = [sum(now[i:]) for i in range(len(now))]
    top = max(reached[0], 1)
    y = list(range(len(rows)))[::-1]
    colors = [blend(OCHRE, DARK_RED, i / max(len(rows) - 1, 1)) for i in range(len(rows))]
    ax.barh(y, reached, left=[-r / 2 for r in reached], color=colors, height=0.78)
    for yi, r, n in zip(y, reached, now):
        inside = r >= top * 0.22
        ax.text(0 if inside else r / 2 + top * 0.02, yi, f"{r} 件", ha="center" if inside else "left", va="center",
                fontsize=look.pt(12), color="white" if inside else TEXT)
        ax.text(top * 0.56, yi, f"目前在此 {n} 件", ha="left", va="center", fontsize=look.number, color=MUTED)
    ax.set_yticks(y, labels)
    ax.set_xticks([])
    ax.set_xlim(-top * 0.56, top * 0.9)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    table = Table(("步骤", "走到此步", "目前在此"), [(label, str(r), str(n)) for label, r, n in zip(labels, reached, now)])
    return Chart(fig, table)


def _ring(ax, share: float | None, label: str, detail: str, look: Look, color: str) -> None:
    """A ring filled to the share, the percentage in its middle."""
    value = share or 0.0
    ax.pie([value, 1 - value], colors=[color, SAND], startangle=90, counterclock=False,
           wedgeprops={"width": 0.26, "edgecolor": "white", "linewidth": 1})
    ax.set_aspect("equal")
    ax.text(0, 0.06, "—" if share is None else f"{share:.0%}", ha="center", va="center", fontsize=look.pt(22),
            color=color)
    ax.text(0, -0.3, detail, ha="center", va="center", fontsize=look.pt(9.5), color=MUTED)
    ax.set_title(label, fontsize=look.pt(13), color=TEXT, pad=4 * look.scale)


def issues_performance(p: Performance, *, subtitle: str = "", look: Look = PLAIN) -> Chart:
    fig = new_figure(BY_NAME["issues-performance"].title, look)
    axes = fig.subplots(1, 4)
    _ring(axes[0], p.solve_rate, "办结率", f"{p.solved}/{p.raised} 件", look, RED)
    _ring(axes[1], p.in_time_rate, "按时办结率", f"{p.solved_in_time}/{p.solved} 件", look, OCHRE)
    _ring(axes[2], p.satisfaction, "居民满意率", f"{p.satisfied}/{p.verdicts} 次评价", look, DARK_RED)
    days = axes[3]
    days.set_xlim(-1, 1)
    days.set_ylim(-1, 1)
    days.set_aspect("equal")
    days.axis("off")
    days.text(0, 0.12, "—" if p.median_days is None else f"{p.median_days:g}", ha="center", va="center",
              fontsize=look.pt(34), color=RED)
    days.text(0, -0.3, "天（提出到办结）", ha="center", va="center", fontsize=look.pt(9.5), color=MUTED)
    days.set_title("办结用时中位数", fontsize=look.pt(13), color=TEXT, pad=4 * look.scale)
    if subtitle:
        fig.supxlabel(subtitle, fontsize=look.subtitle, color=MUTED)
    table = Table(("指标", "数值", "计算"), [
        ("期间提出", f"{p.raised} 件", ""),
        ("办结率", _share(p.solved, p.raised), f"已办结 {p.solved} / 提出 {p.raised}"),
        ("按时办结率", _share(p.solved_in_time, p.solved), f"按时 {p.solved_in_time} / 已办结 {p.solved}"),
        ("居民满意率", _share(p.satisfied, p.verdicts), f"满意 {p.satisfied} / 评价 {p.verdicts}"),
        ("办结用时中位数", "—" if p.median_days is None else f"{p.median_days:g} 天", "从提出到办结"),
    ])
    return Chart(fig, table)


# ---- the lists -----------------------------------------------------------------------------------
DEMAND_COLORS = {"待对接": RED, "已对接": OCHRE, "已认领": LIGHT_OCHRE, "已办结": DARK_RED, "已关闭": GREY}


def demands(rows: list[tuple[str, int]], *, subtitle: str = "", look: Look = PLAIN) -> Chart:
    fig, ax = single_axes(BY_NAME["demands"].title, subtitle, look)
    total = sum(n for _label, n in rows)
    bars = ax.bar([label for label, _n in rows], [n for _label, n in rows], width=0.6,
                  color=[DEMAND_COLORS.get(label, OCHRE) for label, _n in rows])
    label_bars(ax, bars, [f"{n}（{_share(n, total)}）" for _label, n in rows], look)
    _headroom(ax, max((n for _label, n in rows), default=0), look)
    ax.set_ylabel("条", fontsize=look.label, rotation=0, labelpad=14 * look.scale)
    counts = dict(rows)
    answered = counts.get("已对接", 0) + counts.get("已认领", 0) + counts.get("已办结", 0)
    ax.text(0.99, 0.97, f"共 {total} 条，已对接或认领 {answered} 条，待对接 {counts.get('待对接', 0)} 条",
            transform=ax.transAxes, ha="right", va="top", fontsize=look.label, color=TEXT)
    table = Table(("状态", "条", "占比"), [(label, str(n), _share(n, total)) for label, n in rows])
    table.rows.append(("合计", str(total), ""))
    return Chart(fig, table)


def resources(use: tuple[int, int], *, subtitle: str = "", look: Look = PLAIN) -> Chart:
    used, idle = use
    total = used + idle
    fig, ax = single_axes(BY_NAME["resources"].title, subtitle, look, grid=None)
    if not total:
        _nothing(ax, look, "还没有资源")
        return Chart(fig, Table(("资源", "项", "占比")))
    wedges, _texts = ax.pie([used, idle], colors=[RED, SAND], startangle=90, counterclock=False,
                            wedgeprops={"width": 0.34, "edgecolor": "white", "linewidth": 2})
    ax.set_aspect("equal")
    ax.text(0, 0.08, f"{total}", ha="center", va="center", fontsize=look.pt(30), color=DARK_RED)
    ax.text(0, -0.2, "项资源", ha="center", va="center", fontsize=look.label, color=MUTED)
    entries = [f"使用中 {used} 项（{_share(used, total)}）", f"闲置 {idle} 项（{_share(idle, total)}）"]
    ax.legend(wedges, entries, frameon=False, fontsize=look.pt(12.5), loc="center left", bbox_to_anchor=(1.02, 0.5))
    extra_room(fig, right=max(len(e) for e in entries) * look.pt(12.5) * 0.8 / 72 + 0.6 * look.scale)
    table = Table(("资源", "项", "占比"), [("使用中", str(used), _share(used, total)), ("闲置", str(idle), _share(idle, total)),
                                         ("合计", str(total), "")])
    return Chart(fig, table)


# ---- 三会一课 ------------------------------------------------------------------------------------------
def meetings(rows: list[MeetingCount], *, subtitle: str = "", look: Look = PLAIN) -> Chart:
    """Each kind's share of the required meetings held, on a common 0-100% scale."""
    fig, ax = single_axes(BY_NAME["meetings"].title, subtitle, look, grid="x")
    y = list(range(len(rows)))[::-1]
    shares = [min(r.held / r.required, 1.0) if r.required else 0.0 for r in rows]
    ax.barh(y, [1.0] * len(rows), height=0.6, color=SAND, label="应召开")
    done = ax.barh(y, shares, height=0.6, color=[RED if s >= 1 else OCHRE for s in shares], label="已召开")
    for bar, r in zip(done, rows):
        ax.text(1.02, bar.get_y() + bar.get_height() / 2, f"{r.held}/{r.required} 次　{_share(r.held, r.required)}",
                va="center", ha="left", fontsize=look.pt(12), color=TEXT)
    ax.set_yticks(y, [f"{r.kind}（{r.every}）" for r in rows], fontsize=look.pt(12))
    ax.set_xlim(0, 1.32)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.spines["left"].set_visible(False)
    ax.annotate("按各党支部、党小组统计，不分网格", (1, 0), xycoords="axes fraction",
                xytext=(0, -(look.label * 1.45 + 12 * look.scale)), textcoords="offset points", ha="right",
                va="top", fontsize=look.pt(9.5), color=MUTED)
    extra_room(fig, bottom=look.pt(9.5) * 1.45 / 72 + 0.05 * look.scale)
    table = Table(("会议", "频次", "应开", "已开", "完成率"),
                  [(r.kind, r.every, str(r.required), str(r.held), _share(r.held, r.required)) for r in rows])
    return Chart(fig, table)


# ---- coverage ------------------------------------------------------------------------------------------
def coverage(rows: list[Coverage], *, subtitle: str = "", look: Look = PLAIN) -> Chart:
    fig, ax = single_axes(BY_NAME["coverage"].title, subtitle, look)
    if not rows:
        _nothing(ax, look, "没有楼栋")
        return Chart(fig, Table(("楼栋", "户数", "中心户覆盖", "单元长", "楼栋长")))
    x = range(len(rows))
    width = 0.4
    ax.bar([i - width / 2 for i in x], [r.center_share for r in rows], width, color=RED, label="党员中心户覆盖住户")
    ax.bar([i + width / 2 for i in x], [r.unit_share for r in rows], width, color=OCHRE, label="有单元长的单元")
    crowded = len(rows) > 12
    ax.set_xticks(list(x), [r.building.removesuffix("号楼") if crowded else r.building for r in rows],
                  fontsize=look.pt(10) if crowded else look.label)
    for tick, r in zip(ax.get_xticklabels(), rows):
        if not r.has_leader:
            tick.set_color(RED)
    # each compound's name under its buildings, a thin line between compounds
    start = 0
    for n in range(1, len(rows) + 1):
        if n == len(rows) or rows[n].compound != rows[start].compound:
            if rows[start].compound:
                ax.annotate(rows[start].compound + ("（号楼）" if crowded else ""), ((start + n - 1) / 2, 0),
                            xycoords=("data", "axes fraction"), xytext=(0, -24 * look.scale),
                            textcoords="offset points", ha="center", va="top", fontsize=look.label, color=MUTED)
            if crowded:
                extra_room(fig, bottom=(24 * look.scale + look.label * 1.45) / 72 - 0.1 * look.scale)
            if n < len(rows):
                ax.axvline(n - 0.5, color=GREY, linewidth=0.8, linestyle=(0, (3, 3)))
            start = n
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylim(0, 1.18)
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
    ax.set_xlim(-0.7, len(rows) - 0.3)
    legend(ax, look, loc="upper left", ncols=2)
    missing = [f"{r.compound}{r.building}" for r in rows if not r.has_leader]
    note = f"没有楼栋长：{'、'.join(missing)}" if missing else "每栋楼都有楼栋长"
    ax.text(0.995, 0.99, note, transform=ax.transAxes, ha="right", va="top", fontsize=look.label,
            color=RED if missing else MUTED)
    table = Table(("楼栋", "户数", "中心户覆盖", "单元长", "楼栋长"),
                  [(f"{r.compound} {r.building}".strip(), str(r.households), f"{r.covered}（{_share(r.covered, r.households)}）",
                    f"{r.units_led}/{r.units}", "有" if r.has_leader else "无") for r in rows])
    return Chart(fig, table)


DRAW = {
    "issues-monthly": issues_monthly, "issues-category": issues_category, "issues-steps": issues_steps,
    "issues-building": issues_building, "issues-grid": issues_grid, "issues-performance": issues_performance,
    "demands": demands, "resources": resources, "meetings": meetings, "coverage": coverage,
}


def render(name: str, data, *, subtitle: str = "", look: Look = PLAIN) -> Chart:
    return DRAW[name](data, subtitle=subtitle, look=look)
