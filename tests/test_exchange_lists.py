"""The lists in the Excel exchange: 红色合伙人, 资源清单, 需求清单 and 责任清单 exported,
read back, edited in LibreOffice, refused when a category is unknown, the street
office's workbook of three lists imported as one, templates and the command line."""
from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from exchange_helpers import build_qiming, plan
from list_helpers import (
    TODAY,
    data_rows,
    db_dump,
    edit_cell,
    fill_lists,
    header_of,
    needs_soffice,
    run_cli,
    via_libreoffice,
)

from branchdesk.exchange import writer as W
from branchdesk.exchange.importer import CHANGED, INVALID, NEW, UNCHANGED, ListsPlan
from branchdesk.models.lists import DEMAND_CATEGORY, DUTY_DOING
from branchdesk.services import lists

SAMPLE = Path(__file__).parent / "samples" / "三张清单_示例.xlsx"  # as the street office sent it
LIST_KINDS = ("partners", "resources", "demands", "responsibilities")
LISTED = {"partners": lists.list_partners, "resources": lists.list_resources, "demands": lists.list_demands,
          "responsibilities": lists.list_responsibilities}


def _sample(tmp_path: Path) -> Path:
    """The street office's sample workbook (需求清单, 资源清单, 责任清单), copied to write on."""
    return Path(shutil.copy(SAMPLE, tmp_path / SAMPLE.name))


@pytest.fixture
def filled(store):
    fill_lists(store)
    return store


# ---- export → import -----------------------------------------------------------------------
@pytest.mark.parametrize("masked", [True, False])
@pytest.mark.parametrize("kind", LIST_KINDS)
def test_an_export_comes_back_unchanged(filled, tmp_path, capsys, kind, masked):
    path = tmp_path / f"{kind}.xlsx"
    with filled.session() as s:
        n = W.export_roster(s, kind, path, masked=masked)
        assert n == len(LISTED[kind](s)) >= 2
    before = db_dump(filled)
    p = plan(filled, path)
    assert p.kind == kind
    assert [r.status for r in p.rows] == [UNCHANGED] * n, [(r.problem_text(), r.changes) for r in p.rows]
    code, out, _err = run_cli(filled, capsys, "import", path)
    assert code == 0 and "没有需要导入的变化" in out
    assert db_dump(filled) == before


def test_the_demand_export_reads_as_written(filled, tmp_path):
    path = tmp_path / "demands.xlsx"
    with filled.session() as s:
        W.export_roster(s, "demands", path, prepared_by="王书记")
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    assert ws.title == "需求清单" and ws["A1"].value == "幸福社区需求清单（已隐藏部分号码）"
    assert ws["A2"].value == f"导出日期：{TODAY:%Y-%m-%d}"
    header = header_of(ws)
    assert header[:4] == ["记录编号", "需求类别", "需求内容", "提出人"]
    assert ws.freeze_panes == "A4" and ws.auto_filter.ref.startswith("A3:")
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.print_title_rows == "$3:$3" and "&P" in ws.oddFooter.center.text
    rows = {r[header.index("需求内容")]: r for r in data_rows(ws)}
    elder = rows["独居老人希望定期上门测血压"]
    assert elder[0].startswith("XQ") and W.parse_record_code(elder[0])[0] == "demands"
    assert elder[header.index("联系电话")] == "199****6490"
    assert elder[header.index("住址")] == "2号楼1单元201" and elder[header.index("楼栋")] == "2号楼"
    assert elder[header.index("紧急程度")] == "较急" and elder[header.index("办理状态")] == "待对接"
    assert isinstance(elder[header.index("提出日期")], date)
    phone = ws.cell(next(i for i in range(4, ws.max_row + 1) if ws.cell(i, 3).value == elder[2]),
                    header.index("联系电话") + 1)
    assert phone.number_format == "@" and phone.data_type == "s"
    raised = ws.cell(phone.row, header.index("提出日期") + 1)
    assert raised.number_format == "yyyy-mm-dd"
    assert any(str(c.value or "").startswith("填报人：王书记") for c in ws["A"])


def test_the_resource_export_names_each_provider(filled, tmp_path):
    path = tmp_path / "resources.xlsx"
    with filled.session() as s:
        W.export_roster(s, "resources", path, masked=False)
    ws = openpyxl.load_workbook(path).active
    header = header_of(ws)
    rows = {r[header.index("资源内容")]: r for r in data_rows(ws)}
    assert rows["每月一次义诊"][header.index("提供方")] == "市北区人民医院"
    assert rows["每月一次义诊"][header.index("提供方类型")] == "红色合伙人"
    assert rows["每月一次义诊"][header.index("联系电话")] == "13867221981"  # the partner's own, in full
    assert set(rows["每月一次义诊"][header.index("服务类别")].split("、")) == {"健康保健", "助老助残"}
    assert rows["楼道照明维修"][header.index("提供方类型")] == "职能部门"


# ---- one cell changed in LibreOffice ------------------------------------------------------------
EDITS = {
    "partners": ("敦化路小学", "联系人", "龙玉", "联系人", "（空）", "龙玉"),
    "resources": ("暑期托管", "服务时间", "2026年暑期", "服务时间", "（空）", "2026年暑期"),
    "demands": ("希望组织广场舞比赛", "紧急程度", "紧急", "紧急程度", "一般", "紧急"),
    "responsibilities": ("垃圾分类宣传", "完成时限", date(2026, 12, 28), "完成时限", "（空）", "2026-12-28"),
}


@needs_soffice
@pytest.mark.parametrize("kind", LIST_KINDS)
def test_one_cell_changed_in_libreoffice_is_one_change(filled, tmp_path, capsys, kind):
    name, column, value, label, old, new = EDITS[kind]
    path = tmp_path / f"{kind}.xlsx"
    with filled.session() as s:
        W.export_roster(s, kind, path)  # masked: the phones come back as they went
    ws = openpyxl.load_workbook(path).active
    code = next(r[0] for r in data_rows(ws) if name in r)
    edit_cell(path, code, column, value)
    made = via_libreoffice(path, tmp_path)
    p = plan(filled, made)
    changed = [r for r in p.rows if r.status != UNCHANGED]
    assert [(r.status, r.name, [(c.label, c.old, c.new) for c in r.changes]) for r in changed] == [
        (CHANGED, name if len(name) <= 20 else name[:20] + "…", [(label, old, new)])]
    code_, out, _err = run_cli(filled, capsys, "import", made)
    assert code_ == 0 and "已导入 1 条" in out
    assert all(r.status == UNCHANGED for r in plan(filled, made).rows)  # imported again: nothing to do


# ---- what is refused -----------------------------------------------------------------------
def test_an_unknown_demand_category_is_refused_and_nothing_changes(filled, tmp_path, capsys):
    path = tmp_path / "需求.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "居民需求"
    ws.append(["需求类别", "需求内容", "提出人", "紧急程度", "提出日期"])
    ws.append(["健康保健", "希望开展中医义诊", "李阿姨", "一般", "2026-11-02"])
    ws.append(["宠物服务", "希望有宠物寄养", "张先生", "一般", "2026-11-03"])
    wb.save(path)
    before = db_dump(filled)
    code, out, err = run_cli(filled, capsys, "import", path, "--errors", tmp_path / "退回.xlsx")
    assert code == 1
    assert "文件“需求.xlsx”，工作表“居民需求”" in out
    assert ("第 3 行 希望有宠物寄养：需求类别：需求类别“宠物服务”不在系统的需求类别中：请先在软件的“设置 ▸ 选项列表 ▸ 需求类别”中添加这个"
            "需求类别，或改为以下之一：亲子娱乐、文体赛事、生活服务、健康保健、助老助残、便民维修、法律咨询、就业帮扶。") in out
    assert "没有导入任何数据" in err
    assert db_dump(filled) == before
    back = openpyxl.load_workbook(tmp_path / "退回.xlsx").active
    assert [c.value for c in back[2]][:2] == [3, "宠物服务"]
    # once the category is in the list, the same file imports
    with filled.transaction() as s:
        lists.add_choice(s, DEMAND_CATEGORY, "宠物服务")
    assert run_cli(filled, capsys, "import", path)[0] == 0
    with filled.session() as s:
        assert {d.description for d in lists.list_demands(s)} >= {"希望开展中医义诊", "希望有宠物寄养"}


def test_a_resource_naming_a_partner_not_in_the_database(filled, tmp_path):
    path = tmp_path / "资源.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["资源内容", "服务类别", "提供方类型", "提供方"])
    wb.active.append(["法律咨询进社区", "法律咨询", "红色合伙人", "正义律师事务所"])
    wb.active.append(["心理疏导", "健康保健", None, "阳光志愿服务队"])  # no type, not a partner: 其他
    wb.save(path)
    p = plan(filled, path)
    assert p.kind == "resources" and [r.status for r in p.rows] == [INVALID, NEW]
    assert p.rows[0].problem_text() == ("提供方：红色合伙人“正义律师事务所”不在系统中：请先在“红色合伙人”中添加这个单位"
                                        "（或先导入红色合伙人名单），或把提供方类型改为“其他”。")
    assert p.rows[1].values["row"]["provider_kind"] == "other"


def test_a_duplicate_row_and_a_missing_required_cell(filled, tmp_path):
    path = tmp_path / "合伙人.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["单位名称", "单位类型", "响应级别", "联系电话"])
    wb.active.append(["青岛港集团", "企业", "战时作战", "13820283041"])
    wb.active.append(["青岛港集团", "企业", "战时作战", "13820283041"])
    wb.active.append([None, "学校", "急时应急", "138****3041"])
    wb.save(path)
    p = plan(filled, path)
    assert p.kind == "partners"
    assert [r.status for r in p.rows] == [NEW, INVALID, INVALID]
    assert p.rows[1].problem_text() == "与第 2 行是同一条记录，请删去重复的一行。"
    assert "单位名称：请填写单位名称。" in p.rows[2].problem_text()
    assert "联系电话：联系电话是隐藏了部分数字的" in p.rows[2].problem_text()


# ---- the street office's workbook of three lists ---------------------------------------------------
def test_the_three_list_sample_imports_all_its_sheets(store, tmp_path, capsys):
    build_qiming(store)
    path = _sample(tmp_path)
    p = plan(store, path)
    assert isinstance(p, ListsPlan) and p.kind == "lists"
    assert [(sub.kind, sub.sheet_name) for sub in p.plans] == [
        ("resources", "资源清单"), ("demands", "需求清单"), ("responsibilities", "责任清单")]
    assert p.counts[INVALID] == 0 and p.counts[NEW] == sum(len(sub.rows) for sub in p.plans) >= 3
    demands = next(sub for sub in p.plans if sub.kind == "demands")
    assert "办理状态" in demands.ignored  # said, not silently dropped
    code, out, _err = run_cli(store, capsys, "import", path)
    assert code == 0, out
    assert "张清单" in out and f"已导入 {p.counts[NEW]} 条" in out
    with store.session() as s:
        resources = {r.title: r for r in lists.list_resources(s)}
        duties = lists.list_responsibilities(s)
        assert resources["每月一次义诊"].provider_name == "市北区人民医院党支部"
        assert resources["每月一次义诊"].contact_phone == "13867221981"
        assert all(d.status == DUTY_DOING for d in duties)  # 进行中, as the street office wrote
        assert len(lists.list_demands(s)) == len(demands.rows)
        # 提出人/楼栋: a building of the organisation is linked as well; the others stay as written
        raised = {d.raised_by: d.building for d in lists.list_demands(s)}
        assert raised["1号楼"] == "1号楼" and raised["2号楼3单元"] == "2号楼"
        assert raised["5号楼"] is None and raised["文体队"] is None  # 启明小区 has no building 5
    code, out, _err = run_cli(store, capsys, "import", path)
    assert code == 0 and "没有需要导入的变化" in out


def test_one_bad_row_refuses_the_whole_workbook(store, tmp_path, capsys):
    build_qiming(store)
    path = _sample(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb["资源清单"]
    ws.cell(2, [c.value for c in ws[1]].index("资源类型") + 1).value = "餐饮外卖"
    wb.save(path)
    before = db_dump(store)
    code, out, err = run_cli(store, capsys, "import", path, "--errors", tmp_path / "退回.xlsx")
    assert "没有导入任何数据" in err
    assert code == 1 and "服务类别“餐饮外卖”不在系统的需求类别中" in out and "—— 工作表“资源清单”" in out
    assert db_dump(store) == before
    back = openpyxl.load_workbook(tmp_path / "退回.xlsx")
    assert back.sheetnames == ["资源清单"]  # only the sheet with the bad row, as it came
    assert [c.value for c in back["资源清单"][2]][:4] == [2, 1, "市北区人民医院党支部", "餐饮外卖"]


def test_one_sheet_of_the_workbook_and_each_sheet_guessed_alone(store, tmp_path, capsys):
    build_qiming(store)
    path = _sample(tmp_path)
    code, out, _err = run_cli(store, capsys, "import", path, "--kind", "demands", "--dry-run")
    assert code == 0 and "工作表“需求清单”" in out and "资源" not in out.split("\n")[0]
    for sheet, kind in (("需求清单", "demands"), ("资源清单", "resources"), ("责任清单", "responsibilities")):
        assert plan(store, path, sheet=sheet).kind == kind


# ---- templates and the command line ------------------------------------------------------------------
def test_templates_offer_the_current_categories(filled, tmp_path, capsys):
    with filled.transaction() as s:
        lists.add_choice(s, DEMAND_CATEGORY, "宠物服务")
    for kind in LIST_KINDS:
        code, out, _err = run_cli(filled, capsys, "template", kind, tmp_path / f"{kind}.xlsx")
        assert code == 0 and "填写说明" in out
    wb = openpyxl.load_workbook(tmp_path / "demands.xlsx")
    ws = wb.active
    header = [c.value for c in ws[1]]
    assert header[:3] == ["*需求类别", "*需求内容", "提出人"] and "办理状态" not in header
    formulas = {str(dv.sqref).split(":")[0].rstrip("0123456789"): dv.formula1
                for dv in ws.data_validations.dataValidation}
    assert "宠物服务" in formulas["A"] and "亲子娱乐" in formulas["A"]  # the database's list, new entry included
    assert formulas[openpyxl.utils.get_column_letter(header.index("*紧急程度") + 1)] == '"一般,较急,紧急"'
    notes = [r[0] for r in wb["填写说明"].iter_rows(values_only=True) if r[0]]
    assert "需求类别" in notes and wb["填写说明"]["A1"].value.startswith("需求清单导入模板")
    partners = openpyxl.load_workbook(tmp_path / "partners.xlsx").active
    assert any(dv.formula1 == '"平时服务,急时应急,战时作战"' for dv in partners.data_validations.dataValidation)
    # an empty template, filled in and imported
    ws.append(["宠物服务", "希望有宠物寄养", "张先生", None, None, None, "一般", "2026-11-03"])
    wb.save(tmp_path / "filled.xlsx")
    p = plan(filled, tmp_path / "filled.xlsx")
    assert p.kind == "demands" and [r.status for r in p.rows] == [NEW], p.rows[0].problem_text()


def test_export_command_for_every_list(filled, tmp_path, capsys):
    for kind in LIST_KINDS:
        code, out, _err = run_cli(filled, capsys, "export", kind, tmp_path / f"{kind}.xlsx")
        assert code == 0 and f"已导出{W.ROSTER_NAMES[kind]}" in out
    code, _out, err = run_cli(filled, capsys, "export", "wishes", tmp_path / "x.xlsx")
    assert code == 2 and "需求清单（demands）" in err
    code, _out, err = run_cli(filled, capsys, "import", tmp_path / "missing.xlsx", "--kind", "demands")
    assert code == 2 and "找不到文件" in err


def test_rosters_and_lists_are_each_guessed_as_their_own_kind(filled, tmp_path):
    """With lists in the database, a roster is still read as its roster and a list as its list."""
    from exchange_helpers import apply, rows, write_roster

    members = write_roster(tmp_path / "党员.xlsx", rows())
    assert plan(filled, members).kind == "members"
    apply(filled, members)
    with filled.session() as s:
        for kind in ("members", "households", "party-orgs", *LIST_KINDS):
            W.export_roster(s, kind, tmp_path / f"{kind}.xlsx")
    for kind in ("members", "households", "party-orgs", *LIST_KINDS):
        p = plan(filled, tmp_path / f"{kind}.xlsx")
        assert p.kind == kind and p.count(UNCHANGED) == len(p.rows), kind


def test_a_list_template_needs_a_usable_database_when_one_is_named(tmp_path, capsys):
    from branchdesk.cli import main as cli_main

    code = cli_main(["--db", str(tmp_path / "none.db"), "template", "demands", str(tmp_path / "t.xlsx")])
    _out, err = capsys.readouterr()
    assert code == 2 and "none.db" in err and not (tmp_path / "t.xlsx").exists()
