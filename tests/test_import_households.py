"""Importing the household roster (the street office's 住户 list) and the party
organisations: a new branch fills in its organisation from them; the same file
twice changes nothing; a place that cannot be told apart is refused plainly."""
from __future__ import annotations

import openpyxl
import pytest
from exchange_helpers import apply, plan, statuses
from sqlalchemy import func, select

from branchdesk.exchange import writer as W
from branchdesk.exchange.importer import CHANGED, INVALID, NEW, UNCHANGED
from branchdesk.models import Building, Compound, Grid, Household, PartyOrg, Unit
from branchdesk.services import org

HEADER = ["序号", "小区名称", "所属网格", "楼号", "单元", "门牌号", "户主姓名", "户主电话"]


def street_list() -> list[list]:
    return [
        [1, "启明小区", "第一网格", "3号楼", "2单元", "501室", "张三", "13800138000"],
        [2, "启明小区", "第一网格", "3号楼", "2单元", "502", "李四", None],
        [3, "启明小区", "第一网格", "3", "1", "101", None, "010-62345678"],
        [4, "阳光小区", None, "1栋", "1单元", "101", "王五", None],
    ]


def write(path, data, header=HEADER):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["和平街道住户信息表"])
    ws.append(header)
    for row in data:
        ws.append(row)
    wb.save(path)
    return path


@pytest.fixture
def community(store):
    with store.transaction() as s:
        org.ensure_community(s, name="幸福社区")
    return store


def _count(store, model) -> int:
    with store.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_a_street_office_list_builds_the_organisation(community, tmp_path):
    path = write(tmp_path / "住户.xlsx", street_list())
    p = plan(community, path)
    assert p.kind == "households" and statuses(p) == [NEW] * 4
    assert "序号" in p.ignored
    assert apply(community, path) == 4
    with community.session() as s:
        refs = {(r.compound, r.short): r.id for r in org.household_refs(s)}
        assert set(refs) == {("启明小区", "3-2-501"), ("启明小区", "3-2-502"), ("启明小区", "3-1-101"),
                             ("阳光小区", "1-1-101")}
        h = s.get(Household, refs[("启明小区", "3-2-501")])
        assert (h.head_name, h.phone, h.unit.name, h.unit.building.name) == ("张三", "13800138000", "2单元", "3号楼")
        assert h.unit.building.grid.name == "第一网格"
        assert s.get(Household, refs[("启明小区", "3-1-101")]).phone == "010-62345678"
    assert _count(community, Compound) == 2 and _count(community, Building) == 2 and _count(community, Unit) == 3
    assert statuses(plan(community, path)) == [UNCHANGED] * 4  # the same list again changes nothing

    # the list sent again with a new phone: one change, shown masked
    data = street_list()
    data[0][7] = "13900139000"
    p = plan(community, write(tmp_path / "住户2.xlsx", data))
    assert statuses(p) == [CHANGED, UNCHANGED, UNCHANGED, UNCHANGED]
    [change] = p.rows[0].changes
    assert (change.label, change.old, change.new) == ("联系电话", "138****8000", "139****9000")


def test_export_comes_back_unchanged_and_fills_an_empty_database(community, store, tmp_path):
    apply(community, write(tmp_path / "住户.xlsx", street_list()))
    with community.session() as s:
        W.export_roster(s, "households", tmp_path / "export.xlsx", masked=False)
    assert statuses(plan(community, tmp_path / "export.xlsx")) == [UNCHANGED] * 4
    # a masked export is still unchanged: the hidden phones are those stored
    with community.session() as s:
        W.export_roster(s, "households", tmp_path / "masked.xlsx")
    assert statuses(plan(community, tmp_path / "masked.xlsx")) == [UNCHANGED] * 4


def test_an_address_column_alone_is_enough_with_one_compound(community, tmp_path):
    apply(community, write(tmp_path / "a.xlsx", street_list()[:1]))  # 启明小区 exists now
    path = write(tmp_path / "b.xlsx", [["3-2-601", "赵六"], ["启明小区3号楼2单元501", "张三"]], header=["住址", "户主"])
    assert statuses(plan(community, path)) == [NEW, UNCHANGED]


def test_places_that_cannot_be_told_apart_are_refused(community, tmp_path):
    apply(community, write(tmp_path / "a.xlsx", street_list()))  # 启明小区 3号楼 and 阳光小区 1栋
    data = [
        ["", "", "3号楼", "2单元", "701"],  # only 启明小区 has a 3号楼: fine
        ["", "", "9号楼", "1单元", "101"],  # a new building and no compound named: which one?
        ["启明小区", "", "3号楼", "", "101"],  # no unit
        ["启明小区", "第一网格", "3号楼", "2单元", "701"],  # the same flat as the first row
        ["启明小区", "第二网格", "3号楼", "1单元", "301"],  # 3号楼 is in 第一网格 above
    ]
    header = ["小区", "网格", "楼栋", "单元", "门牌"]
    p = plan(community, write(tmp_path / "b.xlsx", data, header))
    assert statuses(p) == [NEW, INVALID, INVALID, INVALID, INVALID]
    assert "请在“小区”列写上小区名称" in p.rows[1].problem_text()
    assert "缺少楼栋、单元或门牌" in p.rows[2].problem_text()
    assert "与第 3 行是同一户" in p.rows[3].problem_text()
    assert "请统一" in p.rows[4].problem_text()


def test_without_a_community_a_new_compound_is_refused(store, tmp_path):
    p = plan(store, write(tmp_path / "a.xlsx", street_list()[:1]))
    assert statuses(p) == [INVALID]
    assert "请先在“组织架构”中填写社区名称" in p.rows[0].problem_text()


# ---- party organisations --------------------------------------------------------------------
def test_a_party_organisation_is_found_whatever_width_its_brackets(community, tmp_path):
    """第一党小组（1-3号楼） typed with half-width brackets is the same organisation."""
    apply(community, write(tmp_path / "a.xlsx", street_list()))
    header = ["党组织名称", "层级", "上级党组织", "所在小区", "书记"]
    first = [["幸福社区党委", "社区党委", None, None, None], ["启明小区党支部", "党支部", "幸福社区党委", "启明小区", None],
             ["第一党小组（1-3号楼）", "党小组", "启明小区党支部", None, None]]
    apply(community, write(tmp_path / "first.xlsx", first, header=header))
    again = [*first[:2], ["第一党小组(1-3号楼)", "党小组", "启明小区党支部", None, None]]
    assert statuses(plan(community, write(tmp_path / "again.xlsx", again, header=header))) == [UNCHANGED] * 3


def test_party_organisations_come_top_down(community, tmp_path):
    apply(community, write(tmp_path / "a.xlsx", street_list()))
    rows = [["幸福社区党委", "社区党委", None, None, "周建华"],
            ["启明小区党支部", "党支部", "幸福社区党委", "启明小区", "吴涛"],
            ["第一党小组（1-3号楼）", "党小组", "启明小区党支部", None, None]]
    path = write(tmp_path / "党组织.xlsx", rows, header=["党组织名称", "层级", "上级党组织", "所在小区", "书记"])
    assert statuses(plan(community, path)) == [NEW] * 3
    apply(community, path)
    with community.session() as s:
        labels = [c.label for c in org.party_org_choices(s)]
        assert labels == ["启明小区党支部", "启明小区党支部 / 第一党小组（1-3号楼）"]  # kept as typed
        branch = s.scalar(select(PartyOrg).where(PartyOrg.name == "启明小区党支部"))
        assert branch.parent.name == "幸福社区党委" and branch.secretary_name == "吴涛"
    assert statuses(plan(community, path)) == [UNCHANGED] * 3  # full-width brackets compare as read

    bad = [["第二党小组", "党小组", "不存在的支部", None, None],
           ["启明小区党支部", "支部委员会", "幸福社区党委", None, None],
           ["第二党小组", "党小组", "启明小区党支部", "星光小区", None]]
    p = plan(community, write(tmp_path / "bad.xlsx", bad, header=["党组织名称", "层级", "上级党组织", "所在小区", "书记"]))
    assert statuses(p) == [INVALID, INVALID, INVALID]
    assert "上级党组织“不存在的支部”" in p.rows[0].problem_text()
    assert "不在可选范围内" in p.rows[1].problem_text()
    assert "小区“星光小区”不在组织架构中" in p.rows[2].problem_text()
    assert _count(community, Grid) == 1
