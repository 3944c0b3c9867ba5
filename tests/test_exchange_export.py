"""Roster exports (the workbook a street office expects) and empty import templates."""
from __future__ import annotations

import csv
import shutil
import subprocess
import zipfile
from datetime import date

import openpyxl
import pytest
from openpyxl import Workbook

from branchdesk import fields as F
from branchdesk.exchange import ExchangeError
from branchdesk.exchange import writer as W
from branchdesk.services import org, people
from branchdesk.services.demo import fill_demo

ID_X = "11010519800102002X"  # masked: 110105********002X
ID_2 = "110105197503010310"
PHONE = "13800138000"
DAY = date(2024, 6, 30)


def _small_org(session) -> dict[str, int]:
    """光明社区 with one compound, 3号楼 and two members (one probationary)."""
    community = org.ensure_community(session, name="光明社区", street_name="东城街道")
    compound = org.add_compound(session, community_id=community.id, name="阳光花园")
    org.add_building(session, compound_id=compound.id, code="3", units=2, floors=6)
    branch = org.add_party_org(session, level="branch", name="阳光花园党支部", community_id=community.id,
                               compound_id=compound.id)
    first = people.save_member(session, {
        "name": "张三", "id_number": ID_X, "category": "正式党员", "joined_on": "2001-07-01",
        "confirmed_on": "2002年7月1日", "party_org_id": branch.id, "phone": PHONE, "address": "3号楼2单元501",
        "is_registered": "是", "education": "大学本科", "ethnicity": "汉族"})
    second = people.save_member(session, {
        "name": "李四", "id_number": ID_2, "category": "预备党员", "joined_on": "2024-01-15",
        "address": "3-1-201", "employer": "+86 东城区某单位", "note": "=1+2"})
    return {"first": first, "second": second}


def _export(store, tmp_path, name="members.xlsx", *, masked=True, kind="members"):
    with store.transaction() as session:
        ids = _small_org(session)
        path = tmp_path / name
        n = W.export_roster(session, kind, path, masked=masked, prepared_by="王秘书", now=DAY)
        listed = len(people.list_members(session))
    return path, n, listed, ids


def _rows(ws) -> list[tuple]:
    return list(ws.iter_rows(values_only=True))


def _col(ws, label: str) -> int:
    """1-based column of a header label in row 3."""
    return [c.value for c in ws[W.HEADER_ROW]].index(label) + 1


def _data_row(ws, code: str) -> int:
    for r in range(W.HEADER_ROW + 1, ws.max_row + 1):
        if ws.cell(r, 1).value == code:
            return r
    raise AssertionError(code)


# ---- record codes ----------------------------------------------------------------------
def test_record_codes_round_trip():
    assert W.record_code("members", 123) == "DY000123"
    assert W.record_code("building-leaders", 7) == "LD000007"
    assert W.record_code("center-households", 42) == "ZX000042"
    assert W.record_code("households", 1234567) == "HH1234567"
    for kind in W.KINDS:
        assert W.parse_record_code(W.record_code(kind, 99)) == (kind, 99)
    assert W.parse_record_code(" dy000123 ") == ("members", 123)
    assert W.parse_record_code("ＤＹ０００１２３") == ("members", 123)  # full-width, as typed in WPS
    for bad in (None, "", "DY", "DY000000", "XX000123", "DY12A", 123, "张三", True):
        assert W.parse_record_code(bad) is None
    with pytest.raises(ExchangeError, match="没有“people”这种名册"):
        W.record_code("people", 1)


# ---- the members export ------------------------------------------------------------------
def test_members_export_masked_layout(store, tmp_path):
    path, n, listed, ids = _export(store, tmp_path, masked=True)
    assert n == listed == 2
    ws = openpyxl.load_workbook(path).active
    rows = _rows(ws)
    assert rows[0][0] == "光明社区党员花名册（已隐藏部分号码）"
    assert [str(r) for r in ws.merged_cells.ranges] == [f"A1:{openpyxl.utils.get_column_letter(len(rows[2]))}1"]
    assert rows[1][0] == "导出日期：2024-06-30"
    assert rows[2] == ("记录编号", *[f.label for f in F.MEMBER_FIELDS])
    header = ws.cell(W.HEADER_ROW, 2)
    assert header.font.bold and header.alignment.horizontal == "center" and header.alignment.wrap_text
    assert header.fill.fgColor.rgb.endswith("D9E1F2") and header.border.left.style == "thin"
    # every record once, then a blank row and the sign-off line
    data = rows[W.HEADER_ROW:W.HEADER_ROW + n]
    assert sorted(r[0] for r in data) == sorted(W.record_code("members", i) for i in ids.values())
    assert rows[W.HEADER_ROW + n] == (None,) * len(rows[2])
    assert rows[W.HEADER_ROW + n + 1][0] == "填报人：王秘书        审核人：        日期：2024-06-30"
    assert len(rows) == W.HEADER_ROW + n + 2

    r = _data_row(ws, W.record_code("members", ids["first"]))
    id_cell = ws.cell(r, _col(ws, "身份证号"))
    assert id_cell.value == "110105********002X" and id_cell.data_type == "s" and id_cell.number_format == "@"
    phone = ws.cell(r, _col(ws, "联系电话"))
    assert phone.value == "138****8000" and isinstance(phone.value, str) and phone.number_format == "@"
    joined = ws.cell(r, _col(ws, "入党日期"))
    assert joined.is_date and joined.value.date() == date(2001, 7, 1) and joined.number_format == "yyyy-mm-dd"
    assert ws.cell(r, _col(ws, "转正日期")).value.date() == date(2002, 7, 1)
    assert ws.cell(r, _col(ws, "性别")).value == "女"  # from the ID number
    assert ws.cell(r, _col(ws, "党员类别")).value == "正式党员"
    assert ws.cell(r, _col(ws, "在职党员双报到")).value == "是"
    assert ws.cell(r, _col(ws, "所在支部")).value == "阳光花园党支部"
    assert ws.cell(r, _col(ws, "住址")).value == "3号楼2单元501"
    r2 = _data_row(ws, W.record_code("members", ids["second"]))
    assert ws.cell(r2, _col(ws, "党员类别")).value == "预备党员"
    assert ws.cell(r2, _col(ws, "在职党员双报到")).value == "否"
    assert ws.cell(r2, _col(ws, "住址")).value == "3号楼1单元201"
    assert ws.cell(r2, _col(ws, "联系电话")).value is None

    # screen and print set-up
    assert ws.freeze_panes == "A4"
    last = openpyxl.utils.get_column_letter(len(rows[2]))
    assert ws.auto_filter.ref == f"A3:{last}{W.HEADER_ROW + n}"
    assert ws.print_title_rows == "$3:$3"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.oddFooter.center.text == "第 &P 页，共 &N 页"
    id_col = openpyxl.utils.get_column_letter(_col(ws, "身份证号"))
    assert ws.column_dimensions[id_col].width >= 18  # 18 digits fit
    assert ws.column_dimensions["B"].width >= 6  # 姓名: three Chinese characters


def test_members_export_full_for_the_street_office(store, tmp_path):
    path, _n, _listed, ids = _export(store, tmp_path, masked=False)
    ws = openpyxl.load_workbook(path).active
    assert ws["A1"].value == "光明社区党员花名册"
    r = _data_row(ws, W.record_code("members", ids["first"]))
    id_cell = ws.cell(r, _col(ws, "身份证号"))
    assert id_cell.value == ID_X and id_cell.data_type == "s" and id_cell.number_format == "@"
    r2 = _data_row(ws, W.record_code("members", ids["second"]))
    assert ws.cell(r2, _col(ws, "身份证号")).value == ID_2  # all digits, still text
    assert ws.cell(r2, _col(ws, "身份证号")).data_type == "s"
    assert ws.cell(r, _col(ws, "联系电话")).value == PHONE


# ---- formula injection --------------------------------------------------------------------
def test_formula_like_text_stays_text(store, tmp_path):
    path, _n, _listed, ids = _export(store, tmp_path, masked=False)
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    r = _data_row(ws, W.record_code("members", ids["second"]))
    note = ws.cell(r, _col(ws, "备注"))
    assert note.value == "=1+2" and note.data_type == "s" and note.quotePrefix
    employer = ws.cell(r, _col(ws, "工作单位"))
    assert employer.value == "+86 东城区某单位" and employer.quotePrefix


@pytest.mark.parametrize("text", ["=HYPERLINK(\"x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\r=1"])
def test_every_formula_start_is_written_as_literal_text(tmp_path, text):
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("s")
    styles = W._Styles(ws)
    assert W.is_formula_like(text)
    ws.append([styles.plain(text), styles.plain("普通文字"), styles.plain(""), styles.plain(3)])
    wb.save(tmp_path / "f.xlsx")
    with zipfile.ZipFile(tmp_path / "f.xlsx") as z:
        assert "<f>" not in z.read("xl/worksheets/sheet1.xml").decode()
    cells = openpyxl.load_workbook(tmp_path / "f.xlsx").active[1]
    # (a stored carriage return reads back as a line feed: XML folds line ends)
    assert cells[0].value == text.replace("\r", "\n") and cells[0].data_type == "s" and cells[0].quotePrefix
    assert cells[1].value == "普通文字" and not cells[1].quotePrefix
    assert cells[2].value is None and cells[3].value == 3


# ---- LibreOffice reads what was written ----------------------------------------------------
def test_libreoffice_reads_ids_dates_and_literal_text(store, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    path, _n, _listed, ids = _export(store, tmp_path, masked=False)
    out = tmp_path / "csv"
    # 44,34,76: comma-separated, double quotes, UTF-8
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless",
                    "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(out), str(path)],
                   check=True, capture_output=True, timeout=120)
    with open(out / "members.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[2]
    by_code = {r[0]: r for r in rows[3:] if r and r[0].startswith("DY")}
    first = by_code[W.record_code("members", ids["first"])]
    second = by_code[W.record_code("members", ids["second"])]
    assert first[header.index("身份证号")] == ID_X
    assert second[header.index("身份证号")] == ID_2  # not 1.10105E+17
    assert first[header.index("入党日期")] == "2001-07-01"
    assert first[header.index("联系电话")] == PHONE
    assert second[header.index("备注")] == "=1+2"  # shown as typed, not calculated to 3
    assert second[header.index("工作单位")] == "+86 东城区某单位"
    assert rows[0][0] == "光明社区党员花名册"


# ---- every roster from the demo community ---------------------------------------------------
def test_every_kind_exports_from_the_demo(store, tmp_path):
    with store.transaction() as session:
        fill_demo(session)
        expected = {
            "members": [r.id for r in people.list_members(session)],
            "building-leaders": [r.id for r in people.list_leaders(session)],
            "center-households": [r.id for r in people.list_center_households(session)],
            "households": [r.id for r in org.household_refs(session)],
            "party-orgs": [r.id for r in org.party_org_roster(session)],
        }
        centers = people.list_center_households(session)
        for kind in W.KINDS:
            n = W.export_roster(session, kind, tmp_path / f"{kind}.xlsx", now=DAY)
            assert n == len(expected[kind])
    titles = {}
    for kind in W.KINDS:
        ws = openpyxl.load_workbook(tmp_path / f"{kind}.xlsx").active
        titles[kind] = ws["A1"].value
        codes = [ws.cell(r, 1).value for r in range(W.HEADER_ROW + 1, W.HEADER_ROW + 1 + len(expected[kind]))]
        assert [W.parse_record_code(c) for c in codes] == [(kind, i) for i in expected[kind]]
        assert ws.cell(W.HEADER_ROW + len(expected[kind]) + 2, 1).value.startswith("填报人：")
    assert titles == {"members": "光明社区党员花名册（已隐藏部分号码）",
                      "building-leaders": "光明社区楼栋长花名册（已隐藏部分号码）",
                      "center-households": "光明社区党员中心户花名册（已隐藏部分号码）",
                      "households": "光明社区住户花名册（已隐藏部分号码）",
                      "party-orgs": "光明社区党组织名册"}  # nothing to hide

    ws = openpyxl.load_workbook(tmp_path / "building-leaders.xlsx").active
    assert [c.value for c in ws[3]][:6] == ["记录编号", "姓名", "联系电话", "身份证号", "楼栋", "单元"]
    phones = [ws.cell(r, 3).value for r in range(4, 4 + len(expected["building-leaders"]))]
    assert all(isinstance(p, str) and "****" in p for p in phones)
    assert {ws.cell(r, 8).value for r in range(4, 4 + len(expected["building-leaders"]))} <= {"是", "否"}

    # households: the center household's own flat, and a flat it serves
    ch = centers[0]
    ws = openpyxl.load_workbook(tmp_path / "households.xlsx").active
    assert [c.value for c in ws[3]] == ["记录编号", "社区", "小区", "网格", "楼栋", "单元", "门牌", "住址", "户主",
                                        "联系电话", "党员人数", "是否党员中心户", "联系的中心户", "备注"]
    # without the record code and the community: compound, grid, building, … as before
    rows = {r[0]: r[2:] for r in ws.iter_rows(min_row=4, values_only=True) if r[0]}
    assert {r[1] for r in ws.iter_rows(min_row=4, values_only=True) if str(r[0]).startswith("HH")} == {"光明社区"}
    own = next(r for r in rows.values() if r[5] == ch.address)
    assert own[9] == "是" and own[8] >= 1
    served = next(r for r in rows.values() if f"{r[2].removesuffix('号楼')}-{r[3].removesuffix('单元')}-{r[4]}"
                  == ch.served.split("、")[0])
    assert ch.name in served[10].split("、") and served[9] == "否"
    assert own[2].endswith("号楼") and own[3].endswith("单元") and own[5] == f"{own[2]}{own[3]}{own[4]}"
    assert own[1].startswith("第") and own[1].endswith("网格")
    assert all("****" in r[7] for r in rows.values() if r[7])  # household phones masked too

    # party organisations top-down: every parent is listed before its children
    ws = openpyxl.load_workbook(tmp_path / "party-orgs.xlsx").active
    listed = [r[1] for r in ws.iter_rows(min_row=4, values_only=True) if r[0]]
    parents = [r[3] for r in ws.iter_rows(min_row=4, values_only=True) if r[0]]
    assert all(not p or p in listed[:i] for i, p in enumerate(parents))


def test_export_replaces_an_existing_file_and_rejects_unknown_kinds(store, tmp_path):
    target = tmp_path / "名册.xlsx"
    target.write_bytes(b"old")
    with store.transaction() as session:
        _small_org(session)
        assert W.export_roster(session, "members", target) == 2
        with pytest.raises(ExchangeError, match="没有“people”这种名册"):
            W.export_roster(session, "people", tmp_path / "x.xlsx")
    assert openpyxl.load_workbook(target).active["A2"].value == f"导出日期：{date.today():%Y-%m-%d}"
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".xlsx"] == ["名册.xlsx"]  # no temp file left


# ---- templates ---------------------------------------------------------------------------------
def test_member_template(tmp_path):
    path = tmp_path / "模板.xlsx"
    W.write_template("members", path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["党员登记表", "填写说明"]
    ws = wb["党员登记表"]
    labels = [c.value for c in ws[1]]
    assert labels[0] == "*姓名" and "*党员类别" in labels and "性别" in labels and "身份证号" in labels
    assert ws.max_row == 1  # no data rows

    def letter(label):
        return openpyxl.utils.get_column_letter(labels.index(label) + 1)

    lists = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    gender = lists[f"{letter('性别')}2:{letter('性别')}1000"]
    assert gender.type == "list" and gender.formula1 == '"男,女"' and gender.showErrorMessage
    category = lists[f"{letter('*党员类别')}2:{letter('*党员类别')}1000"]
    assert category.formula1 == '"正式党员,预备党员"'
    assert lists[f"{letter('在职党员双报到')}2:{letter('在职党员双报到')}1000"].formula1 == '"是,否"'
    ethnicity = lists[f"{letter('民族')}2:{letter('民族')}1000"]
    assert "汉族" in ethnicity.formula1 and not ethnicity.showErrorMessage  # suggestions only
    assert ws.column_dimensions[letter("身份证号")].number_format == "@"
    assert ws.column_dimensions[letter("联系电话")].number_format == "@"

    notes = {r[0]: r for r in wb["填写说明"].iter_rows(values_only=True) if r[0]}
    assert notes["姓名"][1] == "必填" and notes["性别"][1] == "选填"
    assert "2024-05-31" in notes["入党日期"][2] and "2024年5月31日" in notes["入党日期"][2]
    assert "3号楼2单元501" in notes["住址"][2] and "3-2-501" in notes["住址"][2]
    assert "文本格式" in notes["身份证号"][2]
    assert "正式党员、预备党员" in notes["党员类别"][2]
    assert set(notes) >= {f.label for f in F.MEMBER_FIELDS}


def test_other_templates(tmp_path):
    W.write_template("building-leaders", tmp_path / "l.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "l.xlsx").active
    assert [c.value for c in ws[1]][:4] == ["*姓名", "*联系电话", "身份证号", "*楼栋"]
    W.write_template("center-households", tmp_path / "c.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "c.xlsx").active
    labels = [c.value for c in ws[1]]
    assert labels[0] == "*中心户党员" and "*联系户" in labels and "有能力" in labels
    assert len(ws.data_validations.dataValidation) == 4  # the 四有 yes/no columns
    # households: the place and the details an import sets, not the columns that follow from other rosters
    W.write_template("households", tmp_path / "h.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "h.xlsx").active
    assert [c.value for c in ws[1]] == ["社区", "小区", "网格", "楼栋", "单元", "门牌", "住址", "户主", "联系电话", "备注"]
    W.write_template("party-orgs", tmp_path / "p.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "p.xlsx").active
    assert [c.value for c in ws[1]] == ["*党组织名称", "*层级", "上级党组织", "所在小区", "书记"]
    assert len(ws.data_validations.dataValidation) == 1  # 层级 from a list
