"""Importing the building-leader roster (楼栋长/单元长花名册): the street office's
file, our own export coming back, buildings and units as people write them, and
the rows that must be refused."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import date

import openpyxl
import pytest
from exchange_helpers import apply, make_id, plan, statuses
from sqlalchemy import func, select

from branchdesk.exchange import ExchangeError
from branchdesk.exchange.importer import (
    CHANGED,
    INVALID,
    NEW,
    UNCHANGED,
    apply_plan,
)
from branchdesk.exchange.writer import export_roster
from branchdesk.models import BuildingLeader
from branchdesk.services import org, people

KIND = "building-leaders"
HEADER = ["序号", "楼栋", "单元", "姓名", "联系电话", "是否党员", "任职时间"]


def sample_rows() -> list[list]:
    """The street office's sample roster, cell for cell: months typed as text (2020.1 is January)."""
    return [
        [1, "1号楼", "1单元", "付华华", "13867635542", "否", "2017.11"],
        [2, "1号楼", "2单元", "单雨红", "15861257352", "否", "2020.1"],
        [3, "2号楼", "1单元", "许涛", "13971232198", "是", "2020.5"],
        [4, "2号楼", "2单元", "任晶芳", "13839779906", "是", "2017.5"],
        [5, "3号楼", "1单元", "雷超斌", "13802991649", "是", "2019.10"],
        [6, "3号楼", "2单元", "高勇", "13908545460", "否", "2024.11"],
        [7, "4号楼", "1单元", "尹萍雨", "13854490884", "是", "2024.11"],
        [8, "4号楼", "2单元", "韦春斌", "16696019176", "是", "2019.4"],
        [9, "5号楼", "1单元", "陶兰", "19992037619", "否", "2018.12"],
        [10, "5号楼", "2单元", "许林", "16663369627", "否", "2024.10"],
        [11, "6号楼", "1单元", "周思志", "13594051706", "是", "2024.6"],
        [12, "6号楼", "2单元", "许涵生", "13804620689", "是", "2018.5"],
    ]


def write_leaders(path, data: list[list], header: list | None = None):
    """As the sample comes: a merged title row above the header."""
    header = header or HEADER
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "楼栋长名册"
    ws.append(["启明小区楼栋长（单元长）名册"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws.append(header)
    for row in data:
        ws.append(row)
    wb.save(path)
    return path


def build_compounds(store, compounds: dict[str, int], units: int = 2) -> None:
    """幸福社区 with the named compounds, each with buildings 1..n of `units` units."""
    with store.transaction() as s:
        community = org.ensure_community(s, name="幸福社区", street_name="和平街道")
        for name, count in compounds.items():
            compound = org.add_compound(s, community_id=community.id, name=name)
            for code in range(1, count + 1):
                org.add_building(s, compound_id=compound.id, code=str(code), units=units, floors=2,
                                 rooms_per_floor=1)


@pytest.fixture
def org_store(store):
    build_compounds(store, {"启明小区": 6})
    return store


def leaders(store) -> dict:
    with store.session() as s:
        return {r.name: r for r in people.list_leaders(s)}


def leader_count(store) -> int:
    with store.session() as s:
        return s.scalar(select(func.count(BuildingLeader.id)).where(BuildingLeader.deleted_at.is_(None)))


# ---- the street office's roster ------------------------------------------------------------------
def test_sample_imports_once_and_then_changes_nothing(org_store, tmp_path):
    path = write_leaders(tmp_path / "楼栋长名册.xlsx", sample_rows())
    first = plan(org_store, path)  # no kind given: the header says what it is
    assert (first.kind, first.header_row, first.ignored) == (KIND, 2, ["序号"])
    assert statuses(first) == [NEW] * 12, [r.problem_text() for r in first.rows]
    assert leader_count(org_store) == 0  # planning writes nothing
    assert apply(org_store, path) == 12
    got = leaders(org_store)
    assert (got["付华华"].building, got["付华华"].unit, got["付华华"].since) == ("1号楼", "1单元", date(2017, 11, 1))
    assert got["单雨红"].since == date(2020, 1, 1) and got["雷超斌"].since == date(2019, 10, 1)
    assert got["许涛"].is_member and not got["高勇"].is_member
    assert statuses(plan(org_store, path, kind=KIND)) == [UNCHANGED] * 12


def test_months_typed_as_text_or_stored_as_numbers(org_store, tmp_path):
    data = sample_rows()[:3]
    data[0][6], data[1][6], data[2][6] = "2020.1", "2017.11", "2020.10"
    apply(org_store, write_leaders(tmp_path / "a.xlsx", data))
    got = leaders(org_store)
    assert [got[n].since for n in ("付华华", "单雨红", "许涛")] == [date(2020, 1, 1), date(2017, 11, 1),
                                                                   date(2020, 10, 1)]
    # 2020.10 typed into a number cell arrives as 2020.1: never guess the month
    data[0][6] = 2020.1
    rows = plan(org_store, write_leaders(tmp_path / "b.xlsx", data), kind=KIND).rows
    assert rows[0].status == INVALID and "分不清月份" in rows[0].problem_text()


@pytest.mark.parametrize(("building", "unit", "expected"), [
    ("1号楼", "2单元", ("1号楼", "2单元")),
    ("1", "2", ("1号楼", "2单元")),
    (1, 2, ("1号楼", "2单元")),  # numbers in the cells
    ("1栋", "二单元", ("1号楼", "2单元")),
    ("1幢", None, ("1号楼", None)),  # no unit: leads the whole building
    ("启明小区 1号楼", "2单元", ("1号楼", "2单元")),  # as our export writes it
    ("启明小区1号楼", None, ("1号楼", None)),
    ("1号楼2单元", None, ("1号楼", "2单元")),
    ("第1栋", "2", ("1号楼", "2单元")),
])
def test_buildings_and_units_as_people_write_them(org_store, tmp_path, building, unit, expected):
    path = write_leaders(tmp_path / "a.xlsx", [[1, building, unit, "付华华", "13867635542", "否", "2017.11"]])
    p = plan(org_store, path)
    assert statuses(p) == [NEW], p.rows[0].problem_text()
    apply(org_store, path)
    row = leaders(org_store)["付华华"]
    assert (row.building, row.unit) == expected


def test_a_member_is_a_member_leader_whatever_the_file_says(org_store, tmp_path):
    with org_store.transaction() as s:
        people.save_member(s, {"name": "付华华", "phone": "13867635542", "category": "正式党员"})
    path = write_leaders(tmp_path / "a.xlsx", sample_rows())
    p = plan(org_store, path)
    assert statuses(p) == [NEW] * 12 and p.rows[0].values["is_member"] is True  # 否 in the file
    apply(org_store, path)
    assert leaders(org_store)["付华华"].is_member
    assert statuses(plan(org_store, path)) == [UNCHANGED] * 12


def test_political_status_column_reads_as_member_or_not(org_store, tmp_path):
    header = ["楼栋", "单元", "楼栋长", "手机号码", "政治面貌", "任职年月"]
    data = [["1号楼", "1单元", "付华华", "13867635542", "中共党员", "2017.11"],
            ["1号楼", "2单元", "单雨红", "15861257352", "群众", "2020.1"]]
    apply(org_store, write_leaders(tmp_path / "a.xlsx", data, header))
    got = leaders(org_store)
    assert got["付华华"].is_member and not got["单雨红"].is_member


def test_a_file_without_the_member_column_keeps_what_is_stored(org_store, tmp_path):
    apply(org_store, write_leaders(tmp_path / "a.xlsx", sample_rows()))  # 许涛 is 是, though not on the roster
    header = ["楼栋", "单元", "姓名", "联系电话"]
    p = plan(org_store, write_leaders(tmp_path / "b.xlsx", [["2号楼", "1单元", "许涛", "13971232198"]], header))
    assert statuses(p) == [UNCHANGED]
    assert leaders(org_store)["许涛"].since == date(2020, 5, 1)


# ---- changes ------------------------------------------------------------------------------------
def test_a_changed_phone_is_one_change(org_store, tmp_path):
    apply(org_store, write_leaders(tmp_path / "a.xlsx", sample_rows()))
    data = sample_rows()
    data[2][4] = "13911112222"  # the roster sent again with 许涛's new number
    p = plan(org_store, write_leaders(tmp_path / "b.xlsx", data))
    assert statuses(p) == [UNCHANGED, UNCHANGED, CHANGED] + [UNCHANGED] * 9
    [change] = p.rows[2].changes
    assert (change.label, change.old, change.new) == ("联系电话", "139****2198", "139****2222")  # masked
    apply(org_store, tmp_path / "b.xlsx")
    assert leaders(org_store)["许涛"].phone == "13911112222" and leader_count(org_store) == 12


def test_an_edited_export_changes_the_same_record(org_store, tmp_path):
    apply(org_store, write_leaders(tmp_path / "a.xlsx", sample_rows()))
    out = tmp_path / "export.xlsx"
    with org_store.session() as s:
        export_roster(s, KIND, out, masked=False)
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    cols = {c.value: c.column for c in ws[3]}
    row = next(r for r in range(4, ws.max_row + 1) if ws.cell(r, cols["姓名"]).value == "高勇")
    ws.cell(row, cols["单元"]).value = None  # now leads the whole building
    ws.cell(row, cols["联系电话"]).value = "13900001111"
    wb.save(out)
    p = plan(org_store, out)
    [changed] = [r for r in p.rows if r.status == CHANGED]
    assert [(c.label, c.old, c.new) for c in changed.changes] == [
        ("联系电话", "139****5460", "139****1111"), ("单元", "2单元", "（整栋楼）")]
    assert p.count(UNCHANGED) == 11
    apply(org_store, out)
    assert leaders(org_store)["高勇"].unit is None and leader_count(org_store) == 12


@pytest.mark.parametrize("masked", [False, True])
def test_export_then_import_changes_nothing(org_store, tmp_path, masked):
    apply(org_store, write_leaders(tmp_path / "a.xlsx", sample_rows()))
    out = tmp_path / "export.xlsx"
    with org_store.session() as s:
        assert export_roster(s, KIND, out, masked=masked) == 12
    p = plan(org_store, out)
    assert p.kind == KIND
    assert statuses(p) == [UNCHANGED] * 12, [r.problem_text() for r in p.rows]


def test_a_masked_phone_that_is_not_the_stored_one_is_refused(org_store, tmp_path):
    apply(org_store, write_leaders(tmp_path / "a.xlsx", sample_rows()))
    data = sample_rows()
    data[0][4] = "138****5542"  # the mask of what is stored
    data[1][4] = "158****0000"  # not
    p = plan(org_store, write_leaders(tmp_path / "b.xlsx", data))
    assert statuses(p)[:2] == [UNCHANGED, INVALID]
    assert "隐藏了部分数字" in p.rows[1].problem_text()


# ---- rows that are refused ------------------------------------------------------------------------
@pytest.mark.parametrize(("column", "value", "expected"), [
    (1, "9号楼", "先在“组织架构”中添加这栋楼"),
    (1, "明月小区1号楼", "组织架构中没有“明月小区”的1号楼"),
    (1, "地下车库", "看不懂"),
    (2, "3单元", "1号楼没有3单元"),
    (4, None, "请填写联系电话"),
    (4, 85123456, "存成了数字"),  # a landline that lost its leading 0
    (4, "1386763554", "11 位"),
    (6, "2099.1", "晚于今天"),
])
def test_a_bad_cell_rejects_the_row(org_store, tmp_path, column, value, expected):
    data = sample_rows()
    data[0][column] = value
    p = plan(org_store, write_leaders(tmp_path / "bad.xlsx", data))
    bad = p.rows[0]
    assert bad.status == INVALID and statuses(p)[1:] == [NEW] * 11
    assert expected in bad.problem_text() and bad.problems[0].column == HEADER[column]
    assert bad.problem_text().endswith("。")
    with pytest.raises(ExchangeError, match="没有导入任何数据"):
        with org_store.transaction() as s:
            apply_plan(s, p)
    assert leader_count(org_store) == 0


def test_a_unit_of_another_building_is_refused(org_store, tmp_path):
    with org_store.transaction() as s:
        compound = org.compound_choices(s)[0].id
        org.add_building(s, compound_id=compound, code="7", units=3, floors=2, rooms_per_floor=1)
    data = [[1, "1号楼", "3单元", "付华华", "13867635542", "否", "2017.11"],
            [2, "7号楼", "3单元", "单雨红", "15861257352", "否", "2020.1"]]
    p = plan(org_store, write_leaders(tmp_path / "a.xlsx", data))
    assert statuses(p) == [INVALID, NEW]
    assert p.rows[0].problem_text() == "单元：1号楼没有3单元，请核对楼栋和单元，或先在“组织架构”中为这栋楼添加单元。"


def test_the_same_row_twice_is_reported(org_store, tmp_path):
    data = sample_rows() + [sample_rows()[1]]
    p = plan(org_store, write_leaders(tmp_path / "dup.xlsx", data))
    assert statuses(p) == [NEW] * 12 + [INVALID]
    assert "与第 4 行是同一人负责同一楼栋（单元）" in p.rows[-1].problem_text()
    with pytest.raises(ExchangeError):
        with org_store.transaction() as s:
            apply_plan(s, p)


def test_one_person_may_lead_two_units(org_store, tmp_path):
    data = [[1, "1号楼", "1单元", "付华华", "13867635542", "否", "2017.11"],
            [2, "1号楼", "2单元", "付华华", "13867635542", "否", "2017.11"]]
    path = write_leaders(tmp_path / "a.xlsx", data)
    assert statuses(plan(org_store, path)) == [NEW, NEW]
    assert apply(org_store, path) == 2 and leader_count(org_store) == 2
    assert statuses(plan(org_store, path)) == [UNCHANGED, UNCHANGED]


def test_an_id_number_of_someone_else_is_refused(org_store, tmp_path):
    zhang = make_id("19650312", "123")
    with org_store.transaction() as s:
        people.save_member(s, {"name": "张三", "id_number": zhang, "category": "正式党员"})
    header = ["楼栋", "单元", "姓名", "身份证号", "联系电话"]
    data = [["1号楼", "1单元", "付华华", zhang, "13867635542"], ["1号楼", "2单元", "张三", zhang, "13800138000"]]
    p = plan(org_store, write_leaders(tmp_path / "a.xlsx", data, header))
    assert statuses(p) == [INVALID, NEW]
    assert "已登记在“张三”名下" in p.rows[0].problem_text()
    assert p.rows[1].values["is_member"] is True


# ---- compounds with the same building numbers ---------------------------------------------------
def test_two_compounds_with_a_building_1_need_the_compound_name(store, tmp_path):
    build_compounds(store, {"启明小区": 6, "阳光花园": 2})
    data = [[1, "1号楼", "1单元", "付华华", "13867635542", "否", "2017.11"],
            [2, "阳光花园1号楼", "1单元", "单雨红", "15861257352", "否", "2020.1"],
            [3, "启明1号楼", "2单元", "许涛", "13971232198", "是", "2020.5"],
            [4, "幸福社区启明小区 1号楼", "1单元", "任晶芳", "13839779906", "是", "2017.5"],
            [5, "3号楼", "1单元", "雷超斌", "13802991649", "是", "2019.10"]]  # only 启明小区 has a 3号楼
    p = plan(store, write_leaders(tmp_path / "a.xlsx", data))
    assert statuses(p) == [INVALID, NEW, NEW, NEW, NEW]
    assert p.rows[0].problem_text() == "楼栋：启明小区、阳光花园都有1号楼，请在楼号前写上小区名，如“启明小区1号楼”。"
    data.pop(0)
    path = write_leaders(tmp_path / "b.xlsx", data)
    apply(store, path)
    got = leaders(store)
    assert got["单雨红"].building_full == "阳光花园 1号楼" and got["许涛"].building_full == "启明小区 1号楼"
    out = tmp_path / "export.xlsx"
    with store.session() as s:
        export_roster(s, KIND, out, masked=True)
    assert statuses(plan(store, out)) == [UNCHANGED] * 4


# ---- files that are not leader rosters -------------------------------------------------------------
def test_a_roster_without_a_building_column_is_refused(org_store, tmp_path):
    path = write_leaders(tmp_path / "a.xlsx", [["付华华", "13867635542", "否"]], ["姓名", "联系电话", "是否党员"])
    with pytest.raises(ExchangeError, match="没有“楼栋”列"):
        plan(org_store, path, kind=KIND)


# ---- the command line ------------------------------------------------------------------------------
def test_cli_imports_the_roster_and_then_has_nothing_to_import(org_store, tmp_path):
    path = write_leaders(tmp_path / "楼栋长名册.xlsx", sample_rows())
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", BRANCHDESK_DATA_DIR=str(tmp_path / "data"),
               PYTHONIOENCODING="utf-8")

    def run():
        return subprocess.run([sys.executable, "-m", "branchdesk", "--db", str(org_store.path), "import", str(path),
                               "--kind", KIND], env=env, capture_output=True, text=True, encoding="utf-8",
                              timeout=120)

    first = run()
    assert first.returncode == 0, first.stdout + first.stderr
    assert "新增 12 条" in first.stdout and "已导入 12 条" in first.stdout
    assert leader_count(org_store) == 12
    again = run()
    assert again.returncode == 0, again.stdout + again.stderr
    assert "无变化 12 条" in again.stdout and "没有需要导入的变化" in again.stdout
