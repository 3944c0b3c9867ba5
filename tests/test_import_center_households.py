"""Importing the center-household roster (党员中心户台账): the street office's ledger,
our own export coming back (full and masked), the members found on the member
roster, the served households resolved, and the rows that must be refused."""
from __future__ import annotations

import os
import subprocess
import sys

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
    plan_import,
)
from branchdesk.exchange.writer import export_roster
from branchdesk.models import CenterHousehold
from branchdesk.services import org, people

KIND = "center-households"
HEADER = ["序号", "中心户户主", "身份证号码", "联系电话", "所在楼栋单元", "联系户数", "联系户明细", "四有评定"]
FOUR = "有能力、有威望、有公心、有热情"
# Where each sample member lives: in the building and unit the ledger names, never
# among the households that member serves.
HOMES = {"余超丽": "5-1-102", "白敏": "6-1-201", "戴超": "5-1-301", "尹桂": "5-2-101", "贺伟": "4-1-102",
         "武思": "4-1-201", "贺涵": "5-1-201", "姚波雨": "2-2-201"}


def sample_rows() -> list[list]:
    """The street office's sample ledger, cell for cell."""
    return [
        [1, "余超丽", "420303194606090648", "16638607563", "5号楼1单元", 5,
         "5-1-502、5-1-301、5-1-201、5-1-401、5-1-101", FOUR],
        [2, "白敏", "420303194801126239", "17769140956", "6号楼1单元", 8,
         "6-1-602、6-1-501、6-1-102、6-1-302、6-1-601、6-1-101、6-1-202、6-1-402", FOUR],
        [3, "戴超", "371525194606075494", "13550909474", "5号楼1单元", 8,
         "5-1-601、5-1-501、5-1-302、5-1-201、5-1-402、5-1-202、5-1-502、5-1-602", FOUR],
        [4, "尹桂", "420302196608213085", "15840467677", "5号楼2单元", 6,
         "5-2-202、5-2-302、5-2-602、5-2-301、5-2-102、5-2-402", FOUR],
        [5, "贺伟", "420303196903059347", "15826332301", "4号楼1单元", 9,
         "4-1-601、4-1-301、4-1-402、4-1-101、4-1-201、4-1-502、4-1-602、4-1-202、4-1-501", FOUR],
        [6, "武思", "420302197212198266", "18691213901", "4号楼1单元", 7,
         "4-1-401、4-1-402、4-1-601、4-1-101、4-1-602、4-1-301、4-1-302", FOUR],
        [7, "贺涵", "42030319650113130X", "18621587929", "5号楼1单元", 7,
         "5-1-501、5-1-302、5-1-401、5-1-402、5-1-202、5-1-601、5-1-102", FOUR],
        [8, "姚波雨", "420303195212200757", "19953644702", "2号楼2单元", 8,
         "2-2-501、2-2-202、2-2-401、2-2-402、2-2-601、2-2-102、2-2-502、2-2-101", FOUR],
    ]


def write_ledger(path, data: list[list], header: list | None = None):
    """As the sample comes: a merged title row above the header, data from row 3."""
    header = header or HEADER
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "党员中心户"
    ws.append(["启明小区党员中心户台账"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws.append(header)
    for row in data:
        ws.append(row)
    wb.save(path)
    return path


def add_members(store, homes: dict[str, str | None] | None = None) -> None:
    """The sample's members on the member roster, at the given homes."""
    ids = {r[1]: r[2] for r in sample_rows()}
    with store.transaction() as s:
        for name, home in (homes or HOMES).items():
            people.save_member(s, {"name": name, "id_number": ids.get(name), "category": "full", "address": home})


@pytest.fixture
def org_store(store):
    """启明小区 with buildings 1-6 (2 units, 6 floors, rooms 101 … 602) and the sample's members."""
    with store.transaction() as s:
        community = org.ensure_community(s, name="幸福社区", street_name="和平街道")
        compound = org.add_compound(s, community_id=community.id, name="启明小区")
        for code in range(1, 7):
            org.add_building(s, compound_id=compound.id, code=str(code), units=2, floors=6, rooms_per_floor=2)
    add_members(store)
    return store


def center_households(store) -> dict:
    with store.session() as s:
        return {r.name: r for r in people.list_center_households(s)}


def count(store) -> int:
    with store.session() as s:
        return s.scalar(select(func.count(CenterHousehold.id)).where(CenterHousehold.deleted_at.is_(None)))


def served(row) -> list[str]:
    return sorted(row.served.split("、"))


# ---- the street office's ledger ------------------------------------------------------------------
def test_sample_imports_once_and_then_changes_nothing(org_store, tmp_path):
    path = write_ledger(tmp_path / "党员中心户台账.xlsx", sample_rows())
    first = plan(org_store, path)
    assert (first.kind, first.sheet_name, first.header_row, first.ignored) == (KIND, "党员中心户", 2, ["序号"])
    assert statuses(first) == [NEW] * 8, [r.problem_text() for r in first.rows]
    assert count(org_store) == 0  # planning writes nothing
    assert apply(org_store, path) == 8
    rows = center_households(org_store)
    yu = rows["余超丽"]
    assert (yu.short_address, yu.served_count) == ("5-1-102", 5)
    assert served(yu) == ["5-1-101", "5-1-201", "5-1-301", "5-1-401", "5-1-502"]
    assert all((r.has_ability, r.has_prestige, r.has_public_spirit, r.has_enthusiasm) == (True,) * 4
               for r in rows.values())
    assert statuses(plan(org_store, path)) == [UNCHANGED] * 8


@pytest.mark.parametrize("masked", [False, True])
def test_our_export_comes_back_unchanged(org_store, tmp_path, masked):
    apply(org_store, write_ledger(tmp_path / "a.xlsx", sample_rows()))
    out = tmp_path / "export.xlsx"
    with org_store.session() as s:
        assert export_roster(s, KIND, out, masked=masked) == 8
    p = plan(org_store, out)
    assert p.kind == KIND
    assert statuses(p) == [UNCHANGED] * 8, [r.problem_text() for r in p.rows]


def test_one_served_household_removed_is_one_change(org_store, tmp_path):
    apply(org_store, write_ledger(tmp_path / "a.xlsx", sample_rows()))
    data = sample_rows()
    data[0][5], data[0][6] = 4, "5-1-502、5-1-301、5-1-201、5-1-401"
    p = plan(org_store, write_ledger(tmp_path / "b.xlsx", data))
    assert statuses(p) == [CHANGED] + [UNCHANGED] * 7
    [change] = p.rows[0].changes
    assert (change.label, change.old, change.new) == ("联系户", "5 户", "4 户（减少 5-1-101）")
    apply(org_store, tmp_path / "b.xlsx")
    assert center_households(org_store)["余超丽"].served_count == 4


def test_other_columns_change_field_by_field_and_absent_ones_are_kept(org_store, tmp_path):
    header = ["中心户党员", "身份证号", "确定时间", "有能力", "有热情", "联系户", "备注"]
    data = [["余超丽", "420303194606090648", "2023.5", "是", "是", "5-1-502、5-1-301、5-1-201、5-1-401、5-1-101",
             "老党员"]]
    apply(org_store, write_ledger(tmp_path / "a.xlsx", sample_rows()))
    p = plan(org_store, write_ledger(tmp_path / "b.xlsx", data, header))
    assert [(c.label, c.old, c.new) for c in p.rows[0].changes] == [
        ("确定时间", "（空）", "2023-05-01"), ("备注", "（空）", "老党员")]
    data[0][4], data[0][5] = "否", "5-1-502、5-1-301、5-1-201、5-1-401、5-1-602、5-1-101"
    p = plan(org_store, write_ledger(tmp_path / "c.xlsx", data, header))
    assert [(c.label, c.old, c.new) for c in p.rows[0].changes][1:] == [
        ("有热情", "是", "否"), ("联系户", "5 户", "6 户（增加 5-1-602）"), ("备注", "（空）", "老党员")]
    apply(org_store, tmp_path / "c.xlsx")
    yu = center_households(org_store)["余超丽"]
    assert (yu.has_ability, yu.has_prestige, yu.has_public_spirit, yu.has_enthusiasm) == (True, True, True, False)
    assert (yu.served_count, yu.note, str(yu.appointed_on)) == (6, "老党员", "2023-05-01")


def test_a_deleted_center_household_comes_back_as_the_same_record(org_store, tmp_path):
    apply(org_store, write_ledger(tmp_path / "a.xlsx", sample_rows()))
    yu = center_households(org_store)["余超丽"].id
    with org_store.transaction() as s:
        people.delete_center_households(s, [yu])
    assert statuses(plan(org_store, tmp_path / "a.xlsx")) == [NEW] + [UNCHANGED] * 7
    apply(org_store, tmp_path / "a.xlsx")
    assert center_households(org_store)["余超丽"].id == yu and count(org_store) == 8


def test_the_record_code_lets_a_record_pass_to_another_member(org_store, tmp_path):
    qian = make_id("19700101", "551", "420303")
    with org_store.transaction() as s:
        people.save_member(s, {"name": "钱多多", "id_number": qian, "category": "full", "address": "5-1-602"})
    apply(org_store, write_ledger(tmp_path / "a.xlsx", sample_rows()))
    yu = center_households(org_store)["余超丽"].id
    out = tmp_path / "export.xlsx"
    with org_store.session() as s:
        export_roster(s, KIND, out, masked=False)
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    row = next(r for r in range(4, ws.max_row + 1) if ws.cell(r, 2).value == "余超丽")
    ws.cell(row, 2).value, ws.cell(row, 3).value, ws.cell(row, 4).value = "钱多多", qian, "5号楼1单元602"
    wb.save(out)
    p = plan(org_store, out)
    changed = [r for r in p.rows if r.status == CHANGED]
    assert len(changed) == 1 and changed[0].record_id == yu
    assert [(c.label, c.old, c.new) for c in changed[0].changes] == [("中心户党员", "余超丽", "钱多多")]
    apply(org_store, out)
    rows = center_households(org_store)
    assert "余超丽" not in rows and rows["钱多多"].id == yu


# ---- finding the member ----------------------------------------------------------------------------
def test_namesakes_are_told_apart_by_building_and_unit(org_store, tmp_path):
    with org_store.transaction() as s:
        people.save_member(s, {"name": "余超丽", "category": "full", "address": "3-1-101"})
    data = sample_rows()[:1]
    data[0][2] = None  # no ID number: the name and 5号楼1单元 must do
    p = plan(org_store, write_ledger(tmp_path / "a.xlsx", data))
    assert statuses(p) == [NEW], p.rows[0].problem_text()
    apply(org_store, tmp_path / "a.xlsx")
    assert center_households(org_store)["余超丽"].short_address == "5-1-102"
    data[0][4] = None
    p = plan(org_store, write_ledger(tmp_path / "b.xlsx", data))
    assert statuses(p) == [INVALID] and "有 2 位“余超丽”" in p.rows[0].problem_text()


def test_a_name_whose_only_member_lives_elsewhere_is_refused(org_store, tmp_path):
    data = sample_rows()[:1]
    data[0][2], data[0][4] = None, "3号楼1单元"  # perhaps a namesake not on the roster yet
    p = plan(org_store, write_ledger(tmp_path / "a.xlsx", data))
    assert statuses(p) == [INVALID] and "住在5号楼1单元102，与填写的住址不符" in p.rows[0].problem_text()


def test_a_different_phone_is_not_a_problem(org_store, tmp_path):
    data = sample_rows()
    data[0][3] = "13800000000"
    assert statuses(plan(org_store, write_ledger(tmp_path / "a.xlsx", data))) == [NEW] * 8


def test_a_masked_number_that_is_not_the_members_is_refused(org_store, tmp_path):
    data = sample_rows()
    data[0][2] = "420303********9999"
    p = plan(org_store, write_ledger(tmp_path / "a.xlsx", data))
    assert p.rows[0].status == INVALID and "隐藏了部分数字" in p.rows[0].problem_text()
    data[0][2] = "420303********0648"  # the mask of 余超丽's own number
    assert statuses(plan(org_store, write_ledger(tmp_path / "b.xlsx", data))) == [NEW] * 8


# ---- served households ------------------------------------------------------------------------------
def test_served_households_are_found_in_the_members_own_compound_first(org_store, tmp_path):
    with org_store.transaction() as s:
        other = org.add_compound(s, community_id=org.ensure_community(s, name="幸福社区").id, name="阳光花园")
        org.add_building(s, compound_id=other.id, code="5", units=2, floors=6, rooms_per_floor=2)
    p = plan(org_store, write_ledger(tmp_path / "a.xlsx", sample_rows()))
    assert statuses(p) == [NEW] * 8, [r.problem_text() for r in p.rows]
    apply(org_store, tmp_path / "a.xlsx")
    with org_store.session() as s:
        compounds = {r.id: r.compound for r in org.household_refs(s)}
    assert {compounds[h] for h in p.rows[0].values["served_ids"]} == {"启明小区"}


def test_the_members_own_household_in_the_list_is_left_out(org_store, tmp_path):
    data = sample_rows()
    data[0][6] += "\n5-1-102"  # 余超丽's own, on a new line
    p = plan(org_store, write_ledger(tmp_path / "a.xlsx", data))
    assert statuses(p) == [NEW] * 8 and len(p.rows[0].values["served_ids"]) == 5


# ---- rows that must be refused ---------------------------------------------------------------------
def _unknown_member(data, _store):
    data[0][1], data[0][2] = "钱多多", None


def _unknown_household(data, _store):
    data[0][6] = "5-1-502、5-1-301、5-1-201、5-1-401、5-1-901"


def _name_not_the_id_numbers(data, _store):
    data[0][1] = "余超"


def _count_mismatch(data, _store):
    data[0][5] = 6


def _duplicate(data, _store):
    data.append(list(data[0]))


def _no_household(data, store):
    add_members(store, {"钱多多": None})
    data[0][1], data[0][2] = "钱多多", None


@pytest.mark.parametrize(("edit", "row", "column", "message"), [
    (_unknown_member, 0, "中心户户主", "党员名册中没有“钱多多”，请先导入或添加该党员。"),
    (_name_not_the_id_numbers, 0, "身份证号码", "这个身份证号在党员名册中登记的是“余超丽”，与填写的“余超”不一致"),
    (_unknown_household, 0, "联系户明细", "住址“5号楼1单元901”在组织架构中不存在"),
    (_count_mismatch, 0, "联系户数", "填的是 6 户，但“联系户明细”中列出了 5 户"),
    (_duplicate, 8, "", "与第 3 行是同一位中心户党员"),
    (_no_household, 0, "中心户户主", "党员“钱多多”在党员名册中还没有登记住址"),
], ids=["unknown member", "name not the ID number's", "unknown household", "count mismatch", "duplicate member",
        "no household"])
def test_a_bad_row_is_refused_with_its_reason_and_nothing_is_imported(org_store, tmp_path, edit, row, column,
                                                                      message):
    data = sample_rows()
    edit(data, org_store)
    p = plan(org_store, write_ledger(tmp_path / "bad.xlsx", data))
    bad = p.rows[row]
    assert [r.excel_row for r in p.invalid] == [bad.excel_row], [r.problem_text() for r in p.rows]
    assert [(pr.column, message in pr.message) for pr in bad.problems] == [(column, True)]
    with pytest.raises(ExchangeError, match="没有导入任何数据"):
        with org_store.transaction() as s:
            apply_plan(s, plan_import(s, tmp_path / "bad.xlsx"))
    assert count(org_store) == 0


def test_no_served_household_is_refused(org_store, tmp_path):
    data = sample_rows()
    data[0][5], data[0][6] = None, "5-1-102"  # only the member's own
    p = plan(org_store, write_ledger(tmp_path / "a.xlsx", data))
    assert p.rows[0].status == INVALID and "请至少填写一户联系户" in p.rows[0].problem_text()


def test_an_unknown_four_haves_word_is_refused(org_store, tmp_path):
    data = sample_rows()
    data[0][7] = "有能力、有爱心"
    p = plan(org_store, write_ledger(tmp_path / "a.xlsx", data))
    assert p.rows[0].status == INVALID and p.rows[0].problems[0].column == "四有评定"
    assert "“有爱心”不是四有中的一项" in p.rows[0].problem_text()


# ---- the command line --------------------------------------------------------------------------------
def test_cli_guesses_the_kind_and_imports(org_store, tmp_path):
    path = write_ledger(tmp_path / "党员中心户台账.xlsx", sample_rows())
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", BRANCHDESK_DATA_DIR=str(tmp_path), PYTHONIOENCODING="utf-8")
    done = subprocess.run([sys.executable, "-m", "branchdesk", "--db", str(org_store.path), "import", str(path)],
                          env=env, capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "新增 8 条" in done.stdout and "已导入 8 条" in done.stdout
    assert count(org_store) == 8
