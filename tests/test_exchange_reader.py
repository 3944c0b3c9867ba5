"""The reading core of the Excel import: files, header detection, cell text."""
from __future__ import annotations

import time
from datetime import date, datetime

import openpyxl
import pytest

from branchdesk import fields as F
from branchdesk.exchange import (
    CellError,
    ExchangeError,
    Sheet,
    cell_text,
    choose_sheet,
    locate_table,
    normalise_header,
    read_workbook,
)

MEMBERS = F.MEMBER_FIELDS
FIELD = F.by_key(MEMBERS)
ID1 = "371525198101031240"
ID2 = "371525195411210785"


def save_xlsx(path, rows, *, merges=(), title="Sheet1"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(r, c).value = value
    for rng in merges:
        ws.merge_cells(rng)
    wb.save(path)
    return path


def only_table(path, fields=MEMBERS):
    sheets = read_workbook(path)
    sheet = choose_sheet(sheets, fields)
    assert sheet is not None
    return locate_table(sheet, fields)


# ---- header detection -------------------------------------------------------------


def test_title_rows_fill_in_row_and_totals_row(tmp_path):
    rows = [
        ["光明社区启明小区党员花名册"],
        ["填报单位：启明小区党支部    填报日期：2026年11月"],
        ["序号", "姓名", "性别", "身份证号码", "入党日期", "党员类别"],
        [1, "杜涛", "女", ID1, date(2005, 1, 3), "正式党员"],
        [None, None, None, None, None, None],
        [2, "赵兰佳", "女", ID2, "1979年1月18日", "正式党员"],
        ["合计：2人"],
        ["填表人：王某"],
    ]
    path = save_xlsx(tmp_path / "党员.xlsx", rows, merges=["A1:F1", "A2:F2"])
    table = only_table(path)
    assert table.header_row == 3 and table.header_height == 1 and table.data_start == 4
    assert table.columns == {"name": 1, "gender": 2, "id_number": 3, "joined_on": 4, "category": 5}
    assert table.ignored == ["序号"]
    assert [n for n, _cells in table.rows] == [4, 6]  # blank row 5 skipped, stops at 合计
    number, cells = table.rows[0]
    assert cells[1] == "杜涛" and cells[4] == date(2005, 1, 3)


def test_synonyms_in_any_order_and_extra_column_ignored(tmp_path):
    rows = [
        ["手机号码", "公民身份号码", "备  注", "党员\n姓名", "*入党时间（必填）", "爱好"],
        ["13800138000", ID1, "", "张三", "2001.07", "书法"],
    ]
    table = only_table(save_xlsx(tmp_path / "名单.xlsx", rows))
    assert table.header_row == 1
    assert table.columns == {"phone": 0, "id_number": 1, "note": 2, "name": 3, "joined_on": 4}
    assert table.headers["name"] == "党员\n姓名"
    assert table.ignored == ["爱好"]
    assert table.rows == [(2, ["13800138000", ID1, None, "张三", "2001.07", "书法"])]


def test_two_row_header_with_group_cell(tmp_path):
    rows = [
        ["姓名", "基本信息", None, None, "党籍信息", None, "联系电话"],
        [None, "性别", "民族", "身份证号", "入党时间", "党员类别", None],
        ["张三", "男", "汉族", ID1, "2001-07-01", "正式", "13800138000"],
    ]
    merges = ["A1:A2", "B1:D1", "E1:F1", "G1:G2"]
    table = only_table(save_xlsx(tmp_path / "两行表头.xlsx", rows, merges=merges))
    assert table.header_row == 1 and table.header_height == 2 and table.data_start == 3
    assert table.columns == {
        "name": 0, "gender": 1, "ethnicity": 2, "id_number": 3,
        "joined_on": 4, "category": 5, "phone": 6,
    }
    assert [n for n, _ in table.rows] == [3]


def test_subtotal_rows_and_repeated_header_skipped(tmp_path):
    rows = [
        ["姓名", "身份证号"],
        ["张三", ID1],
        ["小计", "1"],
        ["姓名", "身份证号"],
        ["李四", ID2],
        ["总 计", "2"],
        ["王五", ID1],
    ]
    table = only_table(save_xlsx(tmp_path / "t.xlsx", rows))
    assert [n for n, _ in table.rows] == [2, 5]


def test_no_header_names_file_and_sheet(tmp_path):
    path = save_xlsx(tmp_path / "党员.xlsx", [["随便写点什么"], ["姓名", "爱好"]])
    sheets = read_workbook(path)
    assert choose_sheet(sheets, MEMBERS) is None
    with pytest.raises(ExchangeError) as info:
        locate_table(sheets[0], MEMBERS)
    assert str(info.value) == (
        "“党员.xlsx”的工作表“Sheet1”中找不到表头（如“姓名”“性别”），请确认选择了正确的文件和工作表。"
    )


def test_header_below_row_15_is_not_found():
    sheet = Sheet("Sheet1", [[f"说明{i}"] for i in range(15)] + [["姓名", "身份证号"]], "a.xlsx")
    with pytest.raises(ExchangeError):
        locate_table(sheet, MEMBERS)


def test_choose_sheet_prefers_best_header_first_on_tie(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.active.append(["本表填写说明"])
    a = wb.create_sheet("楼栋长")
    a.append(["姓名", "联系电话"])
    b = wb.create_sheet("党员")
    b.append(["姓名", "身份证号", "党员类别"])
    c = wb.create_sheet("党员2")
    c.append(["姓名", "身份证号", "党员类别"])
    wb.save(tmp_path / "多表.xlsx")
    sheets = read_workbook(tmp_path / "多表.xlsx")
    assert [s.name for s in sheets] == ["说明", "楼栋长", "党员", "党员2"]
    assert choose_sheet(sheets, MEMBERS).name == "党员"


def test_normalise_header():
    assert normalise_header("＊身份证号（必填）") == "身份证号"
    assert normalise_header(" 出生\n日期 (yyyy-mm-dd)：") == "出生日期"
    assert normalise_header(None) == ""


# ---- file formats -------------------------------------------------------------------


def test_csv_gbk(tmp_path):
    path = tmp_path / "党员名单.csv"
    path.write_bytes(f"姓名,性别,身份证号,手机号\r\n杜涛,女,{ID1},13868106871\r\n,,,\r\n".encode("gbk"))
    sheets = read_workbook(path)
    assert [s.name for s in sheets] == ["党员名单"]
    assert sheets[0].rows == [["姓名", "性别", "身份证号", "手机号"], ["杜涛", "女", ID1, "13868106871"]]
    table = locate_table(sheets[0], MEMBERS)
    assert table.columns == {"name": 0, "gender": 1, "id_number": 2, "phone": 3}


def test_csv_utf8_bom_and_tabs(tmp_path):
    path = tmp_path / "名单.csv"
    path.write_bytes("\ufeff姓名\t入党时间\n张三\t2001年7月\n".encode("utf-8"))
    rows = read_workbook(path)[0].rows
    assert rows == [["姓名", "入党时间"], ["张三", "2001年7月"]]


def test_trailing_blank_rows_and_columns_trimmed(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号"])
    ws["A3"] = "张三"
    ws["F3"] = "  "  # whitespace only counts as blank
    ws["A10"] = ""
    ws.cell(20, 8).number_format = "@"  # formatted but empty
    wb.save(tmp_path / "t.xlsx")
    rows = read_workbook(tmp_path / "t.xlsx")[0].rows
    assert [list(r) for r in rows] == [["姓名", "身份证号"], [], ["张三"]]


def test_million_empty_rows_is_fast(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号"])
    ws.append(["张三", ID1])
    ws.cell(1_000_000, 1).value = "李四"
    wb.save(tmp_path / "大.xlsx")
    start = time.perf_counter()
    table = only_table(tmp_path / "大.xlsx")
    assert time.perf_counter() - start < 10
    assert [n for n, _ in table.rows] == [2, 1_000_000]


def test_too_many_rows_refused(tmp_path, monkeypatch):
    from branchdesk.exchange import reader

    monkeypatch.setattr(reader, "MAX_DATA_ROWS", 5)
    path = tmp_path / "大表.csv"
    path.write_text("姓名\n" + "张三\n" * 5, encoding="utf-8")
    with pytest.raises(ExchangeError, match="“大表.csv”的工作表“大表”有超过 5 行数据"):
        read_workbook(path)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "“党员.xlsx”是空文件"),
        (b"  \r\n", "“党员.xlsx”是空文件"),
        ("这不是表格，只是一段文字。\n".encode() * 20, "“党员.xlsx”不是 Excel 文件，或文件已损坏"),
        (bytes.fromhex("d0cf11e0a1b11ae1") + bytes(range(256)) * 4, "“党员.xlsx”不是 Excel 文件，或文件已损坏"),
        (
            bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 504 + "EncryptionInfo".encode("utf-16-le") + b"\0" * 64,
            "“党员.xlsx”设置了打开密码",
        ),
    ],
    ids=["empty", "blank", "text", "ole-junk", "encrypted"],
)
def test_unreadable_files(tmp_path, content, expected):
    path = tmp_path / "党员.xlsx"
    path.write_bytes(content)
    with pytest.raises(ExchangeError) as info:
        read_workbook(path)
    message = str(info.value)
    assert message.startswith(expected)
    assert message.endswith("。") and message.count("。") == 1


def test_truncated_xlsx(tmp_path):
    whole = save_xlsx(tmp_path / "whole.xlsx", [["姓名", "身份证号"], ["张三", ID1]]).read_bytes()
    path = tmp_path / "党员.xlsx"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ExchangeError, match=r"^“党员.xlsx”不是 Excel 文件，或文件已损坏.*另存为 .xlsx 再导入。$"):
        read_workbook(path)


def test_missing_file_and_unknown_format(tmp_path):
    with pytest.raises(ExchangeError, match="找不到文件“没有.xlsx”"):
        read_workbook(tmp_path / "没有.xlsx")
    (tmp_path / "照片.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\0" * 100)
    with pytest.raises(ExchangeError, match="“照片.jpg”不是 Excel 文件"):
        read_workbook(tmp_path / "照片.jpg")


def test_binary_named_csv(tmp_path):
    (tmp_path / "名单.csv").write_bytes(b"\x00\x01\x02abc\x00")
    with pytest.raises(ExchangeError, match="“名单.csv”"):
        read_workbook(tmp_path / "名单.csv")


# ---- cell text ----------------------------------------------------------------------


def test_id_number_stored_as_number():
    with pytest.raises(CellError) as info:
        cell_text(3.71525198101031e17, FIELD["id_number"])
    assert str(info.value) == (
        "“身份证号”被 Excel 存成了数字，后几位可能已经丢失：请把这一列设为“文本”格式后重新录入。"
    )
    assert isinstance(info.value, ValueError)


def test_id_number_from_a_real_number_cell(tmp_path):
    path = save_xlsx(tmp_path / "t.xlsx", [["姓名", "身份证号"], ["张三", 371525198101031240]])
    table = only_table(path)
    with pytest.raises(CellError):
        cell_text(table.rows[0][1][1], FIELD["id_number"])


def test_phone_numbers():
    phone = FIELD["phone"]
    assert cell_text(13800138000.0, phone) == "13800138000"
    assert cell_text(13800138000, phone) == "13800138000"
    assert cell_text(" 010-12345678 ", phone) == "010-12345678"
    with pytest.raises(CellError, match="“联系电话”被 Excel 存成了数字"):
        cell_text(1012345678.0, phone)  # 010-12345678 lost its leading 0
    with pytest.raises(CellError):
        cell_text(138001380.5, phone)


def test_dates_as_dates_and_as_text(tmp_path):
    joined = FIELD["joined_on"]
    rows = [
        ["姓名", "入党日期", "出生年月"],
        ["张三", date(2001, 7, 1), "1965.03"],
        ["李四", "2001年7月1日", datetime(1970, 5, 6, 0, 0)],
    ]
    table = only_table(save_xlsx(tmp_path / "t.xlsx", rows))
    texts = [
        (cell_text(cells[1], joined), cell_text(cells[2], FIELD["birth_date"])) for _n, cells in table.rows
    ]
    assert texts == [("2001-07-01", "1965.03"), ("2001年7月1日", "1970-05-06")]
    assert joined.parse(texts[0][0]) == date(2001, 7, 1)
    assert joined.parse(texts[1][0]) == date(2001, 7, 1)
    assert FIELD["birth_date"].parse(texts[0][1]) == date(1965, 3, 1)
    with pytest.raises(CellError, match="分不清月份"):
        cell_text(2020.1, joined)  # 2020.1 or 2020.10: the same number
    # any other year.month typed into a General cell reads as typed
    assert [joined.parse(cell_text(v, joined)) for v in (1965.03, 1965.3, 2020.12, 2020.11)] == [
        date(1965, 3, 1), date(1965, 3, 1), date(2020, 12, 1), date(2020, 11, 1)]
    assert cell_text(20010701, joined) == "20010701"


def test_other_cells():
    note, name = FIELD["note"], FIELD["name"]
    assert cell_text(None, name) is None
    assert cell_text("  ", name) is None
    assert cell_text(" 张三 ", name) == "张三"
    assert cell_text(12.0, note) == "12"
    assert cell_text(7, note) == "7"
    assert cell_text(2.5, note) == "2.5"
    assert cell_text(True, FIELD["is_registered"]) == "是"
    assert cell_text(False, FIELD["is_registered"]) == "否"
    assert FIELD["is_registered"].parse(cell_text(True, FIELD["is_registered"])) is True


def test_a_repeated_header_led_by_a_sequence_column_is_skipped(tmp_path):
    """Printed rosters repeat their header on every page, 序号 first: not a data row."""
    rows = [
        ["序号", "姓名", "身份证号"],
        [1, "张三", ID1],
        ["序号", "姓名", "身份证号"],
        [2, "李四", ID2],
        [" 序号 ", "姓名 ", "身份证号"],  # retyped with stray spaces
        [3, "王五", ID1],
    ]
    table = only_table(save_xlsx(tmp_path / "t.xlsx", rows))
    assert [n for n, _ in table.rows] == [2, 4, 6]
