"""The charts for the council meeting (统计图表): figures built from the dashboard
services' numbers, with matplotlib's Figure and never pyplot.

This module is the list of charts (name, Chinese title, the services function that
counts its numbers) and does not import matplotlib: `branchdesk charts` and the main
window read it for free. The figures are drawn by charts.figures, the report by
charts.report; both import matplotlib when first used."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from ..services import dashboard as D


@dataclass(frozen=True)
class Table:
    """The numbers a chart shows, as the small table beside it (and the report) shows them."""

    headers: tuple[str, ...]
    rows: list[tuple[str, ...]] = field(default_factory=list)


@dataclass(frozen=True)
class ChartSpec:
    name: str  # the command line's word: issues-monthly
    title: str  # 每月提出与办结的问题
    load: Callable[[Any, D.Filters], Any]  # load(session, filters): the numbers, counted in SQL
    note: str = ""  # what the numbers count, for the dashboard's tooltip


CHARTS: tuple[ChartSpec, ...] = (
    ChartSpec("issues-monthly", "每月提出与办结的问题", D.issues_by_month,
              "按月统计：当月提出的问题，和当月办结的问题"),
    ChartSpec("issues-category", "问题类别分布", D.issues_by_category, "期间提出的问题按类别统计（不受类别筛选影响）"),
    ChartSpec("issues-steps", "五事制办理进度", D.issues_by_state,
              "期间提出的问题走到了哪一步：提事 → 议事 → 定事 → 干事 → 评事 → 办结"),
    ChartSpec("issues-building", "问题较多的楼栋", partial(D.issues_by_place, by="building"),
              "期间提出的问题按楼栋统计，列出最多的 12 栋"),
    ChartSpec("issues-grid", "各网格的问题", partial(D.issues_by_place, by="grid"), "期间提出的问题按网格统计"),
    ChartSpec("issues-performance", "问题办理成效", D.issue_performance,
              "期间提出的问题：办结率、按时办结率、居民满意率和办结用时中位数"),
    ChartSpec("demands", "需求对接情况", D.demands_by_status, "期间收集的需求现在的状态"),
    ChartSpec("resources", "资源使用情况", D.resource_use, "现有资源中正被对接中的需求使用的和闲置的"),
    ChartSpec("meetings", "三会一课召开情况", D.meetings_held,
              "期间应召开和已召开（已写会议记录）的三会一课；应开次数按各支部、党小组计，"
              "选了小区时只计该小区的，不受网格筛选影响"),
    ChartSpec("coverage", "各楼栋党员中心户和楼栋长覆盖情况", D.coverage,
              "党员中心户联系的住户占全楼住户的比例、有单元长的单元占比；没有楼栋长的楼栋标红"),
)
BY_NAME = {spec.name: spec for spec in CHARTS}


def load_all(session, filters: D.Filters, names: tuple[str, ...] | None = None) -> dict[str, Any]:
    """Every chart's numbers (or those named) in one session."""
    return {spec.name: spec.load(session, filters) for spec in CHARTS if names is None or spec.name in names}
