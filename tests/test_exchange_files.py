"""Excel files made the way people and programs really make them, read and
imported end to end: hostile XML, WPS's wrong sheet size, workbooks saved by
LibreOffice, empty tables, grouped headers, rosters on a second sheet, and an
ID number that Excel turned into a number."""
from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import pytest
from exchange_helpers import ZHANG, apply, build_qiming, make_id, plan, rows, write_roster

from branchdesk.cli import main as cli_main
from branchdesk.exchange import ExchangeError, read_workbook
from branchdesk.exchange.importer import INVALID, NEW
from branchdesk.services import people

needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")


@pytest.fixture
def filled(store):
    """The small organisation with the three members of the helpers' roster already imported."""
    build_qiming(store)
    apply(store, write_roster(store.path.parent / "first.xlsx", rows()))
    return store


def db_dump(store) -> list[str]:
    """Every row of every table, as SQL: equal dumps mean the database did not change."""
    con = sqlite3.connect(store.path)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def run_import(store, path, capsys, *args) -> tuple[int, str, str]:
    code = cli_main(["--db", str(store.path), "import", str(path), *args])
    out, err = capsys.readouterr()
    return code, out, err


def one_sentence(message: str, file_name: str) -> None:
    """A refusal is one Chinese sentence that names the file."""
    message = message.strip()
    assert "\n" not in message and "Traceback" not in message, message
    assert message.startswith(f"“{file_name}”"), message
    assert message.endswith("。") and message.count("。") == 1, message


def rewrite_member(path: Path, member: str, change) -> None:
    """Replace one part of a workbook's zip package by change(its text)."""
    with zipfile.ZipFile(path) as zin:
        items = [(info, zin.read(info.filename)) for info in zin.infolist()]
    assert member in [info.filename for info, _data in items]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in items:
            if info.filename == member:
                data = change(data.decode("utf-8")).encode("utf-8")
            zout.writestr(info, data)


def new_people() -> list[list]:
    """Three members not in the database yet, in the helpers' column layout."""
    return [
        [1, "赵一", "男", None, make_id("19850203", "413"), "2010.07", "正式党员", "启明小区党支部", "13600136001",
         "2-2-301", None],
        [2, "钱二", "女", None, make_id("19870405", "422"), "2012-07-01", "正式党员", "第一党小组", "13600136002",
         "3-1-401", None],
        [3, "孙三", "男", None, make_id("19920611", "431"), "2016年7月1日", "正式党员", "第一党小组", "13600136003",
         "1-2-102", None],
    ]


# ---- hostile XML: entity expansion ---------------------------------------------------------------
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
BOMB_MARK = "@@bomb@@"  # the cell text where the entity reference goes


def _column(i: int) -> str:
    name = ""
    i += 1
    while i:
        i, rest = divmod(i - 1, 26)
        name = chr(65 + rest) + name
    return name


def hand_made_xlsx(path: Path, table: list[list], *, shared: bool, doctype: str = "", reference: str = "") -> Path:
    """A minimal .xlsx written part by part, its text cells in sharedStrings.xml
    (shared=True, as Excel and WPS write them) or inline in the sheet. The part
    holding the text gets doctype in front of its root element, and the cell
    whose text is BOMB_MARK gets reference (an entity reference, unescaped)."""
    strings: list[str] = []
    sheet_rows = []
    for r, row in enumerate(table, start=1):
        cells = []
        for c, value in enumerate(row):
            ref = f"{_column(c)}{r}"
            if value is None:
                continue
            if isinstance(value, (int, float)):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            elif shared:
                strings.append(value)
                cells.append(f'<c r="{ref}" t="s"><v>{len(strings) - 1}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>')
        sheet_rows.append(f'<row r="{r}">{"".join(cells)}</row>')
    sheet = f'<worksheet xmlns="{_NS}"><sheetData>{"".join(sheet_rows)}</sheetData></worksheet>'
    sst = f'<sst xmlns="{_NS}" count="{len(strings)}" uniqueCount="{len(strings)}">' + "".join(
        f"<si><t>{escape(s)}</t></si>" for s in strings) + "</sst>"
    if shared:
        sst = doctype + sst.replace(BOMB_MARK, reference)
    else:
        sheet = doctype + sheet.replace(BOMB_MARK, reference)
    parts = {
        "[Content_Types].xml": (
            f'<Types xmlns="{_PKG}/content-types">'
            f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT}.worksheet+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}.sharedStrings+xml"/>'
            "</Types>"),
        "_rels/.rels": (
            f'<Relationships xmlns="{_PKG}/relationships">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            f'<workbook xmlns="{_NS}" xmlns:r="{_REL}">'
            '<sheets><sheet name="党员" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{_PKG}/relationships">'
            f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"),
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": sst,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            # the XML declaration comes first, the DOCTYPE (if any) right after it
            z.writestr(name, _DECL + text)
    return path


def bomb_table() -> list[list]:
    return [["姓名", "身份证号", "党员类别"], [BOMB_MARK, ZHANG, "正式党员"]]


def billion_laughs() -> tuple[str, str]:
    """Ten levels of ten references each: 10^9 copies of "lol" if expanded."""
    levels = ['<!ENTITY lol0 "lol">']
    levels += [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    return f"<!DOCTYPE bomb [{''.join(levels)}]>", "&lol9;"


def quadratic_blowup() -> tuple[str, str]:
    """One 100 000-character entity referenced 10 000 times: a gigabyte if expanded."""
    return f'<!DOCTYPE bomb [<!ENTITY big "{"a" * 100_000}">]>', "&big;" * 10_000


# The child process reads the file under a memory limit (where the system has one)
# and reports how long reading took and what the reader said.
_READ_IN_CHILD = """
import sys, time
try:
    import resource
    limit = 1 << 30
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
except (ImportError, ValueError, OSError):
    pass
from branchdesk.exchange import ExchangeError, read_workbook
start = time.perf_counter()
try:
    sheets = read_workbook(sys.argv[1])
except ExchangeError as exc:
    print(f"{time.perf_counter() - start:.3f}")
    print(exc)
    sys.exit(3)
print(f"{time.perf_counter() - start:.3f}")
print([[str(v)[:40] for v in row] for s in sheets for row in s.rows])
"""


def read_in_child(path: Path) -> tuple[int, float, str]:
    """(exit code, seconds spent reading, what was printed) of read_workbook run in
    a child process with a timeout, so that a reader that expands entities fails
    this test instead of hanging or exhausting the machine."""
    env = dict(os.environ, PYTHONIOENCODING="utf-8", PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    done = subprocess.run([sys.executable, "-c", _READ_IN_CHILD, str(path)], check=False, capture_output=True,
                          timeout=60, env=env)
    out = done.stdout.decode("utf-8")
    seconds, _, said = out.partition("\n")
    assert done.returncode in (0, 3), (done.returncode, done.stderr.decode("utf-8", "replace")[-2000:])
    return done.returncode, float(seconds), said.strip()


@pytest.mark.parametrize("shared", [True, False], ids=["shared-strings", "sheet"])
def test_the_hand_made_workbook_itself_is_read(tmp_path, shared):
    """The control for the tests below: without the entities the same file reads and
    plans, so their refusal is the entities' doing, not a broken package."""
    table = bomb_table()
    table[1][0] = "张三"
    path = hand_made_xlsx(tmp_path / "党员.xlsx", table, shared=shared)
    assert [list(r) for r in read_workbook(path)[0].rows] == table
    code, _seconds, said = read_in_child(path)
    assert code == 0 and "张三" in said


@pytest.mark.parametrize("shared", [True, False], ids=["shared-strings", "sheet"])
@pytest.mark.parametrize("attack", [billion_laughs, quadratic_blowup], ids=["billion-laughs", "quadratic"])
def test_an_xml_bomb_is_refused_quickly_and_changes_nothing(filled, tmp_path, capsys, attack, shared):
    doctype, reference = attack()
    path = hand_made_xlsx(tmp_path / "党员.xlsx", bomb_table(), shared=shared, doctype=doctype,
                          reference=reference)
    assert path.stat().st_size < 200_000  # small on disk: the danger is only in expanding it
    code, seconds, said = read_in_child(path)
    assert code == 3, f"the reader accepted the bomb: {said[:300]}"
    assert seconds < 5
    one_sentence(said, "党员.xlsx")
    before = db_dump(filled)
    code, _out, err = run_import(filled, path, capsys)
    assert code == 2
    one_sentence(err, "党员.xlsx")
    assert err.strip() == said
    assert db_dump(filled) == before


@pytest.mark.parametrize("shared", [True, False], ids=["shared-strings", "sheet"])
def test_an_external_entity_is_not_fetched(tmp_path, shared):
    """An entity naming a file on this computer (XXE): its content never reaches the rows."""
    secret = tmp_path / "secret.txt"
    secret.write_text("机密内容-不可读出", encoding="utf-8")
    doctype = f'<!DOCTYPE bomb [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
    path = hand_made_xlsx(tmp_path / "党员.xlsx", bomb_table(), shared=shared, doctype=doctype, reference="&xxe;")
    code, _seconds, said = read_in_child(path)
    assert "机密内容" not in said
    assert code == 3
    one_sentence(said, "党员.xlsx")


# ---- WPS: a sheet size that does not match the cells ----------------------------------------------
WIDE_HEADER = ["序号", "姓名", "性别", "民族", "出生日期", "身份证号", "学历", "入党日期", "转正日期", "党员类别",
               "所在支部", "联系电话", "住址", "工作单位", "是否双报到", "备注"]


def wide_rows(count: int) -> list[list]:
    data = []
    for i in range(count):
        born = date(1950 + i % 50, 1 + i % 12, 1 + i % 28)
        serial = f"{100 + i % 900:03d}"
        address = f"{1 + i % 3}-{1 + i // 3 % 2}-{1 + i // 6 % 4}0{1 + i // 24 % 2}"
        data.append([
            i + 1, f"党员{i + 1:03d}", "男" if int(serial[-1]) % 2 else "女", "汉族", born,
            make_id(f"{born:%Y%m%d}", serial), "大学本科", f"{born.year + 25}.07", f"{born.year + 26}-07-01",
            "正式党员", "第一党小组" if i % 2 else "启明小区党支部", f"136{i:08d}", address, "某某单位",
            "是" if i % 3 else "否", f"备注{i + 1}",
        ])
    return data


@pytest.mark.parametrize("dimension", ['<dimension ref="A1:A1"/>', '<dimension ref="A1"/>', ""],
                         ids=["A1:A1", "A1", "none"])
def test_a_wrong_sheet_size_as_wps_writes_it_still_reads_every_cell(store, tmp_path, dimension):
    build_qiming(store)
    data = wide_rows(300)
    path = tmp_path / "党员.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "党员"
    ws.append(WIDE_HEADER)
    for row in data:
        ws.append(row)
    wb.save(path)
    honest = read_workbook(path)[0].rows
    rewrite_member(path, "xl/worksheets/sheet1.xml",
                   lambda xml: re.sub(r"<dimension [^>]*/>", dimension, xml, count=1))
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert re.findall(r"<dimension [^>]*/>", xml) == ([dimension] if dimension else [])
    [sheet] = read_workbook(path)
    assert len(sheet.rows) == 301 and {len(r) for r in sheet.rows} == {len(WIDE_HEADER)}
    assert sheet.rows == honest
    assert sheet.rows[-1][-1] == "备注300" and sheet.rows[-1][5] == data[-1][5]
    p = plan(store, path)
    assert len(p.rows) == 300 and {r.status for r in p.rows} == {NEW}, p.rows[0].problem_text()
    assert p.ignored == ["序号"]
    last = p.rows[-1].values
    assert (last["name"], last["id_number"], last["note"], last["is_registered"]) == (
        "党员300", data[-1][5], "备注300", True)


# ---- workbooks written by LibreOffice --------------------------------------------------------------
def x_id(born: str) -> str:
    """An ID number for that birthday whose check digit is X (kept as text, it must stay X)."""
    return next(i for i in (make_id(born, f"{s:03d}") for s in range(100, 1000)) if i.endswith("X"))


LO_JOINED = date(2024, 5, 31)
LO_MONTH = date(1965, 3, 1)


def lo_rows() -> list[tuple[list, dict]]:
    """(cells as typed, what the import must read) for each way of writing a date."""
    ids = {n: make_id("19900101", f"{100 + n * 11:03d}") for n in range(8)}
    ids[1] = x_id("19900101")
    ids[6], ids[7] = make_id("19400101", "511"), make_id("19400101", "523")
    typed = [
        ("甲", "13800138000", "2024-05-31", LO_JOINED),
        ("乙", 13900139000, "2024/5/31", LO_JOINED),  # a mobile number stored as a number survives
        ("丙", "010-12345678", "2024.5.31", LO_JOINED),
        ("丁", "13700137000", "2024年5月31日", LO_JOINED),
        ("戊", "13600136000", "serial", LO_JOINED),  # 45443 in a date-formatted cell, as Excel stores dates
        ("己", "13500135000", "chinese-format", LO_JOINED),  # the same with a 年月日 number format
        ("庚", "13400134000", "1965.03", LO_MONTH),
        ("辛", "13300133000", "1965年3月", LO_MONTH),
    ]
    out = []
    for n, (name, phone, joined, expected) in enumerate(typed):
        want = {"name": name, "id_number": ids[n], "phone": str(phone), "joined_on": expected,
                "category": "full"}
        out.append(([name, ids[n], phone, joined, "正式党员"], want))
    return out


def convert(source: Path, to: str, tmp_path: Path, *infilter: str) -> Path:
    """source saved again by LibreOffice in the format to (xlsx, xls)."""
    out = tmp_path / f"by-libreoffice-{to}"
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless", *infilter,
                    "--convert-to", to, "--outdir", str(out), str(source)],
                   check=True, capture_output=True, timeout=180)
    [made] = out.iterdir()
    return made


@needs_soffice
@pytest.mark.parametrize("to", ["xlsx", "xls"])
def test_a_roster_saved_by_libreoffice(store, tmp_path, capsys, to):
    build_qiming(store)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "党员"
    ws.append(["姓名", "身份证号", "手机号码", "入党日期", "党员类别"])
    expected = []
    for cells, want in lo_rows():
        ws.append(cells)
        joined = ws.cell(ws.max_row, 4)
        if joined.value == "serial":
            joined.value, joined.number_format = 45443, "yyyy-mm-dd"
        elif joined.value == "chinese-format":
            joined.value, joined.number_format = LO_JOINED, 'yyyy"年"m"月"d"日"'
        expected.append(want)
    source = tmp_path / "花名册.xlsx"
    wb.save(source)
    made = convert(source, to, tmp_path)
    assert made.name == f"花名册.{to}"
    assert made.read_bytes()[:4] == (b"PK\x03\x04" if to == "xlsx" else bytes.fromhex("d0cf11e0"))
    p = plan(store, made)
    assert (p.sheet_name, p.header_row) == ("党员", 1)
    assert [r.status for r in p.rows] == [NEW] * len(expected), [r.problem_text() for r in p.rows]
    for row, want in zip(p.rows, expected):
        assert {k: row.values[k] for k in want} == want
    code, out, _err = run_import(store, made, capsys)
    assert code == 0 and f"已导入 {len(expected)} 条" in out
    with store.session() as s:
        stored = {m.name: m for m in people.list_members(s)}
    assert {n: (m.id_number, m.joined_on) for n, m in stored.items()} == {
        w["name"]: (w["id_number"], w["joined_on"]) for w in expected}


@needs_soffice
def test_a_roster_typed_into_libreoffice_calc(store, tmp_path):
    """Typed into Calc in a Chinese locale (a CSV opened with the ID column set to
    text): Calc itself turns the dates it recognises into dates, and 1965.03 into the
    number 1965.03, which still reads as March 1965; only 1965.1 could have been
    1965.10 as well, and that one is refused with what to do."""
    build_qiming(store)
    typed = [(cells, want) for cells, want in lo_rows() if cells[3] not in ("serial", "chinese-format")]
    lines = ["姓名,身份证号,手机号码,入党日期,党员类别"] + [",".join(str(c) for c in cells) for cells, _ in typed]
    source = tmp_path / "录入.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # comma, double quote, UTF-8, from line 1, column 2 as text, Chinese (PRC) locale
    made = convert(source, "xlsx", tmp_path, "--infilter=CSV:44,34,76,1,1/1/2/2/3/1/4/1/5/1,2052")
    cells = read_workbook(made)[0].rows
    assert [list(r[:2]) for r in cells[1:]] == [c[:2] for c, _ in typed]  # names and IDs kept as text
    assert all(isinstance(r[1], str) for r in cells[1:])
    p = plan(store, made)
    assert len(p.rows) == len(typed)
    assert any(isinstance(stored[3], float) for stored in cells[1:])  # Calc made a number of 1965.03
    for row, stored, (_cells, want) in zip(p.rows, cells[1:], typed):
        if isinstance(stored[3], float) and repr(stored[3]).endswith(".1"):
            assert row.status == INVALID
            assert row.problem_text() == (
                f"入党日期：“入党日期”里的“{stored[3]!r}”被 Excel 存成了数字，分不清月份（如 2020.1 和 2020.10）："
                "请把这一列设为“文本”格式，或写成 2020-10 这样的日期后重新录入。")
        else:
            assert row.status == NEW, row.problem_text()
            assert {k: row.values[k] for k in want} == want
    assert isinstance(cells[1][3], date)  # 2024-05-31 is a date in every locale


# ---- nothing to import --------------------------------------------------------------------------
def header_only(path: Path) -> Path:
    return write_roster(path, [])  # the title, the fill-in line, the header and a 合计 row


def bare_header(path: Path) -> Path:
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "身份证号", "联系电话", "党员类别"])
    wb.save(path)
    return path


def title_only(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["幸福社区启明小区党员花名册"])
    ws.merge_cells("A1:K1")
    wb.save(path)
    return path


@pytest.mark.parametrize(("make", "expected"), [
    (header_only, "只有表头，没有数据行"),
    (bare_header, "只有表头，没有数据行"),
    (title_only, "找不到名册的表头"),
], ids=["header-and-totals", "bare-header", "title-only"])
def test_a_file_without_data_rows_is_refused_and_changes_nothing(filled, tmp_path, capsys, make, expected):
    path = make(tmp_path / "空表.xlsx")
    with pytest.raises(ExchangeError) as info:
        plan(filled, path)
    one_sentence(str(info.value), "空表.xlsx")
    assert expected in str(info.value)
    before = db_dump(filled)
    code, _out, err = run_import(filled, path, capsys)
    assert code == 2 and err.strip() == str(info.value)
    assert db_dump(filled) == before


# ---- layouts: a grouped header, a roster on the second sheet -------------------------------------
def test_a_group_cell_over_mobile_and_landline(store, tmp_path):
    build_qiming(store)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "党员"
    ws.append(["序号", "姓名", "性别", "身份证号", "联系方式", None, "党员类别", "家庭住址"])
    ws.append([None, None, None, None, "手机", "固定电话", None, None])
    for rng in ("A1:A2", "B1:B2", "C1:C2", "D1:D2", "E1:F1", "G1:G2", "H1:H2"):
        ws.merge_cells(rng)
    for r in rows():
        ws.append([r[0], r[1], r[2], r[4], r[8], "010-12345678", r[6], r[9]])
    wb.save(tmp_path / "分组表头.xlsx")
    p = plan(store, tmp_path / "分组表头.xlsx")
    assert (p.header_row, [r.excel_row for r in p.rows]) == (1, [3, 4, 5])
    assert [r.status for r in p.rows] == [NEW] * 3, [r.problem_text() for r in p.rows]
    assert [r.values["phone"] for r in p.rows] == ["13800138000", "13900139000", "13700137000"]
    assert "固定电话" in p.ignored and p.header_cells[4:6] == ["手机", "固定电话"]


def test_the_roster_on_the_second_sheet(store, tmp_path, capsys):
    build_qiming(store)
    path = write_roster(tmp_path / "两个工作表.xlsx", rows())
    wb = openpyxl.load_workbook(path)
    wb.active.title = "党员名单"
    notes = wb.create_sheet("填表说明", 0)
    for line in ("填表说明", "1. 姓名：与身份证一致。", "2. 身份证号：18 位，请设为文本格式。", "3. 入党时间：如 2001.07。"):
        notes.append([line])
    wb.create_sheet("Sheet3")
    wb.active = 0
    wb.save(path)
    assert [s.name for s in read_workbook(path)] == ["填表说明", "党员名单", "Sheet3"]
    p = plan(store, path)
    assert (p.sheet_name, p.header_row, p.other_sheets) == ("党员名单", 3, [])
    assert [r.status for r in p.rows] == [NEW] * 3, [r.problem_text() for r in p.rows]
    code, out, _err = run_import(store, path, capsys)
    assert code == 0 and "工作表“党员名单”" in out and "已导入 3 条" in out


# ---- an ID number that Excel stored as a number -----------------------------------------------------
def test_one_id_number_stored_as_a_number(filled, tmp_path, capsys):
    data = new_people()
    data[1][4] = float(data[1][4][:15] + "000")  # what Excel keeps of 18 digits typed into a number cell
    path = write_roster(tmp_path / "新党员.xlsx", data)
    p = plan(filled, path)
    assert [r.status for r in p.rows] == [NEW, INVALID, NEW]
    bad = p.rows[1]
    assert bad.excel_row == 5 and bad.name == "钱二"
    message = "“身份证号”被 Excel 存成了数字，后几位可能已经丢失：请把这一列设为“文本”格式后重新录入。"
    assert bad.problem_text() == f"公民身份号码：{message}"
    before = db_dump(filled)
    code, out, err = run_import(filled, path, capsys)
    assert code == 1
    assert f"第 5 行 钱二：公民身份号码：{message}" in out
    assert "有 1 行有问题，没有导入任何数据" in err
    assert db_dump(filled) == before
    data[1][4] = new_people()[1][4]  # set back as text: the whole file goes in
    write_roster(path, data)
    code, out, _err = run_import(filled, path, capsys)
    assert code == 0 and "已导入 3 条" in out


def test_a_damaged_sheet_is_named_not_skipped(filled, tmp_path, capsys):
    """A workbook whose second sheet is broken: the roster may be the one on it, so the
    file is refused naming that sheet, rather than imported from the first sheet."""
    path = write_roster(tmp_path / "两个表.xlsx", rows())
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("第二支部").append(["姓名", "身份证号"])
    wb.save(path)
    rewrite_member(path, "xl/worksheets/sheet2.xml", lambda xml: xml[: len(xml) // 2])
    with pytest.raises(ExchangeError) as info:
        read_workbook(path)
    one_sentence(str(info.value), "两个表.xlsx")
    assert "工作表“第二支部”已损坏" in str(info.value)
    before = db_dump(filled)
    code, _out, err = run_import(filled, path, capsys)
    assert code == 2 and "已损坏" in err
    assert db_dump(filled) == before
