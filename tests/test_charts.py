"""The dashboard's numbers and charts from a small known dataset: every chart's
numbers (counted in SQL by services.dashboard), the figure drawn from them (bars and
labels), the table beside it, the filters, Chinese text without a missing glyph, the
A4 report's text, and the command line."""
from __future__ import annotations

import subprocess
import sys
import warnings
from datetime import date, datetime

import pytest

from branchdesk.models import (
    BuildingLeader, CenterHousehold, Demand, Household, Issue, Meeting, Member, Resident, Resource, Unit,
)
from branchdesk.services import dashboard as D
from branchdesk.services import org

START, END, TODAY = date(2026, 1, 1), date(2026, 3, 31), date(2026, 3, 31)


def _at(day: str, hour: int = 9) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour)


def build_dataset(store) -> dict[str, int]:
    """启明小区: buildings 1 and 2 in 第一网格, 3 in 第二网格 (2 units × 3 floors × 2 rooms);
    five issues raised in the first quarter of 2026 (and one in December), three demands,
    two resources, a few of the 三会一课, a center household and two leaders."""
    with store.transaction() as s:
        community = org.ensure_community(s, name="幸福社区", street_name="和平街道")
        compound = org.add_compound(s, community_id=community.id, name="启明小区")
        first = org.add_grid(s, compound_id=compound.id, name="第一网格", sort_key=1)
        second = org.add_grid(s, compound_id=compound.id, name="第二网格", sort_key=2)
        b = {code: org.add_building(s, compound_id=compound.id, code=code, grid_id=grid.id, units=2, floors=3)
             for code, grid in (("1", first), ("2", first), ("3", second))}
        committee = org.add_party_org(s, level="community_committee", name="幸福社区党委", community_id=community.id)
        branch = org.add_party_org(s, level="branch", name="启明小区党支部", parent_id=committee.id,
                                   compound_id=compound.id)
        org.add_party_org(s, level="party_group", name="第一党小组", parent_id=branch.id)

        def issue(n, raised, category, building, step, *, solved=None, due, verdict=None, reopened=0):
            s.add(Issue(number=f"2026-{n:04d}", source="居民来访", category=category, building_id=b[building].id,
                        description="问题", raised_at=_at(raised), step=step, step_at=_at(raised),
                        accepted_at=_at(raised) if step != "raised" else None,
                        accept_due_on=date.fromisoformat(raised), due_on=date.fromisoformat(due),
                        solved_at=_at(solved) if solved else None, verdict=verdict, reopen_count=reopened))

        issue(1, "2026-01-05", "设施维修", "1", "reviewed", solved="2026-01-07", due="2026-01-08", verdict="satisfied")
        issue(2, "2026-01-20", "设施维修", "1", "reviewed", solved="2026-02-03", due="2026-01-23", verdict="basically")
        issue(3, "2026-02-10", "环境卫生", "2", "doing", due="2026-02-13")
        issue(4, "2026-02-11", "停车管理", "3", "raised", due="2026-02-16")
        issue(5, "2026-03-02", "设施维修", "3", "reviewed", solved="2026-03-06", due="2026-03-05", reopened=1)
        issue(6, "2025-12-15", "设施维修", "1", "reviewed", solved="2025-12-16", due="2025-12-18", verdict="satisfied")

        used = Resource(title="义诊", provider_kind="department", provider_name="社区医院")
        idle = Resource(title="法律咨询", provider_kind="department", provider_name="司法所")
        s.add_all([used, idle])
        s.flush()
        for status, day, resource in (("open", "2026-01-10", None), ("claimed", "2026-02-01", used.id),
                                      ("done", "2026-03-01", None), ("open", "2025-11-01", None)):
            s.add(Demand(category="健康保健", description="需求", building_id=b["1"].id, status=status,
                         raised_on=date.fromisoformat(day), resource_id=resource))
        for kind, day, held in (("支委会", "2026-01-10", True), ("支委会", "2026-02-10", True),
                                ("党小组会", "2026-03-01", True), ("党课", "2026-03-20", False),
                                ("支委会", "2025-12-10", True)):
            s.add(Meeting(kind=kind, starts_at=_at(day, 14), minutes_at=_at(day, 17) if held else None))

        homes = {h.room: h.id for h in s.query(Household).join(Unit).filter(Unit.building_id == b["1"].id,
                                                                              Unit.code == "1")}
        resident = Resident(name="张明", household_id=homes["101"])
        leader = Resident(name="李华", household_id=homes["102"])
        s.add_all([resident, leader])
        s.flush()
        member = Member(resident_id=resident.id)
        s.add(member)
        s.flush()
        center = CenterHousehold(member_id=member.id)
        center.served_households = [s.get(Household, homes["201"]), s.get(Household, homes["202"])]
        s.add(center)
        unit_2_1 = s.query(Unit).filter(Unit.building_id == b["2"].id, Unit.code == "1").one()
        s.add_all([BuildingLeader(resident_id=leader.id, building_id=b["1"].id),
                   BuildingLeader(resident_id=leader.id, building_id=b["2"].id, unit_id=unit_2_1.id)])
        return {"compound": compound.id, "first": first.id, "second": second.id, **{k: v.id for k, v in b.items()}}


@pytest.fixture
def ids(store):
    return build_dataset(store)


@pytest.fixture
def numbers(store, ids):
    from branchdesk.charts import load_all

    with store.session() as s:
        return load_all(s, D.Filters(START, END, TODAY))


@pytest.fixture(autouse=True)
def _missing_glyph_is_an_error():
    """A character the bundled font lacks would be drawn as a box: fail instead."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r".*Glyph .* missing from font")
        yield


def _draw(chart):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(chart.figure).draw()
    return chart


def _texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")) if t.get_text()]


def _bar_heights(ax) -> list[float]:
    return [p.get_height() for p in ax.patches]


def _bar_widths(ax) -> list[float]:
    return [p.get_width() for p in ax.patches]


# ---- the numbers ---------------------------------------------------------------------------
def test_the_numbers_behind_every_chart(numbers):
    assert [(m.month, m.raised, m.solved) for m in numbers["issues-monthly"]] == [
        ("2026-01", 2, 1), ("2026-02", 2, 1), ("2026-03", 1, 1)]
    assert numbers["issues-category"] == [("设施维修", 3), ("停车管理", 1), ("环境卫生", 1)]
    assert numbers["issues-steps"] == [("提事", 1), ("议事", 0), ("定事", 0), ("干事", 1), ("评事", 1), ("已办结", 2)]
    assert numbers["issues-building"] == [("启明小区 1号楼", 2), ("启明小区 3号楼", 2), ("启明小区 2号楼", 1)]
    assert numbers["issues-grid"] == [("第一网格", 3), ("第二网格", 2)]
    p = numbers["issues-performance"]
    assert (p.raised, p.solved, p.solved_in_time, p.median_days, p.verdicts, p.satisfied) == (5, 3, 1, 4.0, 3, 2)
    assert numbers["demands"] == [("待对接", 1), ("已对接", 0), ("已认领", 1), ("已办结", 1), ("已关闭", 0)]
    assert numbers["resources"] == (1, 1)
    assert [(m.kind, m.held, m.required) for m in numbers["meetings"]] == [
        ("支委会", 2, 3), ("党小组会", 1, 3), ("支部党员大会", 0, 1), ("党课", 0, 1)]
    cover = {c.building: c for c in numbers["coverage"]}
    assert (cover["1号楼"].covered, cover["1号楼"].households, cover["1号楼"].has_leader) == (3, 12, True)
    assert (cover["2号楼"].units_led, cover["2号楼"].units, cover["2号楼"].has_leader) == (1, 2, True)
    assert not cover["3号楼"].has_leader
    assert cover["3号楼"].covered == 0 and cover["1号楼"].compound == "启明小区"


def test_the_filters_narrow_every_place_and_the_category(store, ids):
    from branchdesk.charts import load_all

    with store.session() as s:
        grid = load_all(s, D.Filters(START, END, TODAY, grid_id=ids["second"]))
        kind = load_all(s, D.Filters(START, END, TODAY, category="设施维修"))
        february = load_all(s, D.Filters(date(2026, 2, 1), date(2026, 2, 28), TODAY, compound_id=ids["compound"]))
        assert D.subtitle(s, D.Filters(START, END, TODAY, grid_id=ids["second"], category="设施维修")) == \
            "2026年1月1日至2026年3月31日　第二网格　设施维修"
        assert D.categories(s) == ["设施维修", "停车管理", "环境卫生"]
    assert grid["issues-grid"] == [("第二网格", 2)] and [c.building for c in grid["coverage"]] == ["3号楼"]
    assert grid["demands"][0] == ("待对接", 0)  # the demands are all in building 1
    assert kind["issues-performance"].raised == 3
    assert kind["issues-category"] == [("设施维修", 3), ("停车管理", 1), ("环境卫生", 1)]  # compares the categories
    assert february["issues-building"] == [("2号楼", 1), ("3号楼", 1)]  # one compound: its buildings' own names
    assert [(m.kind, m.required) for m in february["meetings"]][:2] == [("支委会", 1), ("党小组会", 1)]


def test_the_meetings_chart_counts_the_chosen_compounds_own_branches_and_groups(store, ids):
    """Two compounds, each with its branch and party group: choosing one counts what it
    must hold and what it held; a meeting naming no organisation belongs to neither."""
    from branchdesk.models import PartyOrg

    with store.transaction() as s:
        community_id = s.query(PartyOrg).filter_by(level="community_committee").one().community_id
        other = org.add_compound(s, community_id=community_id, name="朝阳小区")
        committee = s.query(PartyOrg).filter_by(level="community_committee").one()
        general = org.add_party_org(s, level="general_branch", name="朝阳小区党总支", parent_id=committee.id,
                                    compound_id=other.id)
        branch = org.add_party_org(s, level="branch", name="朝阳第一党支部", parent_id=general.id)
        group = org.add_party_org(s, level="party_group", name="第一党小组", parent_id=branch.id)
        for kind, day, held_by in (("支委会", "2026-01-12", branch.id), ("党小组会", "2026-02-02", group.id),
                                   ("党小组会", "2026-03-02", group.id)):
            s.add(Meeting(kind=kind, starts_at=_at(day, 14), minutes_at=_at(day, 17), party_org_id=held_by))
        other_id = other.id
    with store.session() as s:
        chosen = {m.kind: (m.held, m.required) for m in D.meetings_held(s, D.Filters(START, END, TODAY,
                                                                                      compound_id=other_id))}
        first = {m.kind: (m.held, m.required) for m in D.meetings_held(s, D.Filters(START, END, TODAY,
                                                                                     compound_id=ids["compound"]))}
        both = {m.kind: (m.held, m.required) for m in D.meetings_held(s, D.Filters(START, END, TODAY))}
    assert chosen["支委会"] == (1, 3) and chosen["党小组会"] == (2, 3)  # its branch under the 党总支, its group
    assert first["支委会"] == (0, 3) and first["党小组会"] == (0, 3)  # the dataset's meetings name no organisation
    assert both["支委会"] == (3, 6) and both["党小组会"] == (3, 6)


# ---- the charts --------------------------------------------------------------------------------
def test_every_chart_draws_its_numbers_and_its_table(numbers):
    from branchdesk.charts import CHARTS
    from branchdesk.charts.figures import render

    charts = {spec.name: _draw(render(spec.name, numbers[spec.name], subtitle="2026年第一季度")) for spec in CHARTS}
    for spec in CHARTS:
        texts = _texts(charts[spec.name].figure)
        assert spec.title in texts and "2026年第一季度" in texts, spec.name

    monthly = charts["issues-monthly"]
    assert _bar_heights(monthly.figure.axes[0]) == [2, 2, 1, 1, 1, 1]
    assert monthly.table.rows == [("2026年1月", "2", "1"), ("2026年2月", "2", "1"), ("2026年3月", "1", "1"),
                                  ("合计", "5", "3")]
    category = charts["issues-category"]
    assert _bar_widths(category.figure.axes[0]) == [1, 1, 3]  # the largest on top
    assert category.table.rows[0] == ("设施维修", "3", "60.0%") and "3（60.0%）" in _texts(category.figure)
    steps = charts["issues-steps"]
    assert _bar_widths(steps.figure.axes[0]) == [5, 4, 4, 4, 3, 2]
    assert steps.table.rows[-1] == ("已办结", "2", "2") and "目前在此 0 件" in _texts(steps.figure)
    assert charts["issues-grid"].table.rows == [("第一网格", "3", "60.0%"), ("第二网格", "2", "40.0%")]
    performance = _texts(charts["issues-performance"].figure)
    assert {"60%", "33%", "67%", "4", "3/5 件", "1/3 件", "2/3 次评价"} <= set(performance)
    assert charts["issues-performance"].table.rows[3] == ("居民满意率", "66.7%", "满意 2 / 评价 3")
    demands = charts["demands"]
    assert _bar_heights(demands.figure.axes[0]) == [1, 0, 1, 1, 0]
    assert demands.table.rows[-1] == ("合计", "3", "")
    assert "使用中 1 项（50.0%）" in _texts(charts["resources"].figure)
    meetings = charts["meetings"]
    assert meetings.table.rows[0] == ("支委会", "每月", "3", "2", "66.7%") and "2/3 次　66.7%" in _texts(meetings.figure)
    coverage = charts["coverage"]
    assert coverage.table.rows[1] == ("启明小区 2号楼", "12", "0（0.0%）", "1/2", "有")
    assert "没有楼栋长：启明小区3号楼" in _texts(coverage.figure)
    heights = _bar_heights(coverage.figure.axes[0])
    assert heights[:3] == [0.25, 0.0, 0.0] and heights[3:] == [0.0, 0.5, 0.0]


def _png(figure) -> bytes:
    import io

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=72)
    return buffer.getvalue()


@pytest.mark.parametrize("name, before, after", [
    ("issues-monthly", (date(2026, 1, 1), date(2026, 3, 31)), (date(2025, 12, 1), date(2026, 2, 28))),
    # over 18 months: no numbers on the bars, every third month named
    ("issues-monthly", (date(2024, 1, 1), date(2026, 3, 31)), (date(2024, 2, 1), date(2026, 4, 30))),
    ("issues-category", (date(2026, 1, 1), date(2026, 3, 31)), (date(2026, 1, 1), date(2026, 2, 28))),
    # two categories at the top together: both bars red
    ("issues-category", (date(2026, 1, 1), date(2026, 2, 10)), (date(2026, 2, 1), date(2026, 2, 28))),
    ("issues-grid", (date(2026, 1, 1), date(2026, 3, 31)), (date(2026, 2, 1), date(2026, 3, 31))),
])
def test_a_chart_updated_in_place_draws_as_one_built_anew(store, ids, name, before, after):
    """The dashboard puts a refresh's numbers on the figure it shows: the figure must
    come out as one built from those numbers would, pixel for pixel, table and all."""
    from branchdesk.charts import BY_NAME
    from branchdesk.charts.figures import render

    with store.session() as s:
        old, new = (BY_NAME[name].load(s, D.Filters(*period, TODAY)) for period in (before, after))
    assert old != new
    shown = _draw(render(name, old, subtitle="之前"))
    table = shown.update(new, "之后")
    fresh = render(name, new, subtitle="之后")
    assert table == fresh.table
    assert _png(shown.figure) == _png(fresh.figure)


def test_a_chart_of_another_shape_is_not_updated_in_place(numbers):
    from branchdesk.charts.figures import render

    monthly = render("issues-monthly", numbers["issues-monthly"])
    assert monthly.update(numbers["issues-monthly"][:2], "") is None  # two months, not three
    category = render("issues-category", numbers["issues-category"])
    assert category.update(numbers["issues-category"][:1], "") is None
    assert render("issues-category", []).update is None  # 期间没有数据 has no bars to update
    assert _bar_widths(category.figure.axes[0]) == [1, 1, 3]  # left as it was


def test_an_empty_period_draws_without_failing(store, ids):
    from branchdesk.charts import CHARTS, load_all
    from branchdesk.charts.figures import render

    with store.session() as s:
        empty = load_all(s, D.Filters(date(2020, 1, 1), date(2020, 1, 31), TODAY))
    for spec in CHARTS:
        _draw(render(spec.name, empty[spec.name]))
    assert render("issues-performance", empty["issues-performance"]).table.rows[1] == ("办结率", "—", "已办结 0 / 提出 0")


def test_chinese_text_uses_the_bundled_font_and_keeps_the_minus_sign(numbers):
    import matplotlib
    from matplotlib.figure import Figure

    from branchdesk.charts.style import font_family

    assert font_family() == "Noto Sans CJK SC"
    assert matplotlib.rcParams["font.family"] == ["Noto Sans CJK SC"] and not matplotlib.rcParams["axes.unicode_minus"]
    fig = Figure()
    ax = fig.add_subplot()
    ax.bar([0, 1], [-2, 3])
    ax.set_title("负数：差额")
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig).draw()
    assert "-2" in [t.get_text() for t in ax.get_yticklabels()]  # an ASCII hyphen, which the font has


def test_a_missing_glyph_fails_the_test():
    """The guard itself: a character outside the font (an emoji) turns into an error."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from branchdesk.charts.style import font_family

    font_family()
    fig = Figure()
    fig.suptitle("\U0001F600")
    with pytest.raises(UserWarning, match="missing from font"):
        FigureCanvasAgg(fig).draw()


# ---- the report and the command line ----------------------------------------------------------------
def test_the_report_has_every_chart_title_on_a4(numbers, tmp_path):
    from branchdesk.charts import CHARTS
    from branchdesk.charts.report import write_report

    path = tmp_path / "report.pdf"
    pages = write_report(path, numbers, heading="幸福社区党建工作统计报告", subtitle="2026年第一季度",
                         made_on=date(2026, 3, 31))
    assert pages == len(CHARTS)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    for spec in CHARTS:
        assert spec.title in text
    assert "幸福社区党建工作统计报告" in text and "居民满意率" in text and "制表" in text
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "(A4)" in info


def run_cli(*args, data_dir):
    import os

    env = {**os.environ, "BRANCHDESK_DATA_DIR": str(data_dir)}
    return subprocess.run([sys.executable, "-m", "branchdesk", *args], capture_output=True, text=True, env=env,
                          timeout=180, check=False)


def test_the_command_line_lists_draws_and_reports(store, ids, tmp_path):
    db = str(store.path)
    listed = run_cli("charts", data_dir=tmp_path)
    assert listed.returncode == 0 and "issues-monthly" in listed.stdout and "三会一课召开情况" in listed.stdout
    png = tmp_path / "steps.png"
    done = run_cli("--db", db, "chart", "issues-steps", "--out", str(png), "--from", "2026-01-01", "--to",
                   "2026-03-31", data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and "五事制办理进度" in done.stdout
    pdf = tmp_path / "report.pdf"
    done = run_cli("--db", db, "report", "--pdf", str(pdf), "--from", "2026-01-01", data_dir=tmp_path)
    assert done.returncode == 0 and pdf.read_bytes()[:5] == b"%PDF-" and "共 10 页" in done.stdout


@pytest.mark.parametrize("args, says", [
    (("chart", "nope", "--out", "x.png"), "没有名为“nope”的图表"),
    (("chart", "demands", "--out", "x.txt"), "类型不对"),
    (("chart", "demands", "--out", "x.png", "--from", "2026-02-30"), "--from 的"),
    (("chart", "demands", "--out", "x.png", "--from", "2026-03-01", "--to", "2026-01-01"), "早于开始日期"),
    (("report", "--pdf", "missing-folder/x.pdf"), "不存在"),
])
def test_the_command_line_refuses_bad_input_in_one_sentence(store, tmp_path, args, says):
    import os

    os.chdir(tmp_path)
    done = run_cli("--db", str(store.path), *args, data_dir=tmp_path)
    assert done.returncode == 2 and says in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
