"""Parsing what people type: dates, ID numbers, phones, addresses; masks, pinyin and search."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from stdnum.cn import ric

from branchdesk.services.pinyin import name_pinyin
from branchdesk.services.search import haystack, matching_indexes
from branchdesk.validation import (
    Invalid, clean_text, id_birth_date, id_gender, mask_id_number, mask_phone, parse_address, parse_bool,
    parse_date, parse_id_number, parse_phone,
)


def make_id(first17: str) -> str:
    """A number with the right check digit (calc_check_digit wants the full 18 characters)."""
    return first17 + ric.calc_check_digit(first17 + "0")


# ---- dates -------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "2024-05-31", "2024/5/31", "2024.5.31", "2024.05.31", "2024年5月31日", "2024年5月31", "20240531",
    " 2024-05-31 ", "２０２４－０５－３１", "2024 年 5 月 31 日",
])
def test_date_formats(text):
    assert parse_date(text) == date(2024, 5, 31)


@pytest.mark.parametrize("text", ["1965.03", "1965.3", "1965-3", "1965/03", "1965年3月", "1965年03", "196503"])
def test_year_month(text):
    assert parse_date(text, allow_month=True) == date(1965, 3, 1)


def test_year_month_needs_permission():
    with pytest.raises(Invalid, match="不是有效日期"):
        parse_date("1965.03")


@pytest.mark.parametrize("text", ["2023-02-29", "2024-13-01", "2024年4月31日", "20240230"])
def test_impossible_dates(text):
    with pytest.raises(Invalid, match="不是存在的日期"):
        parse_date(text)


@pytest.mark.parametrize("text", ["明天", "31/05/2024", "2024-5", "24-5-31", "2024..5.31"])
def test_unreadable_dates(text):
    with pytest.raises(Invalid) as info:
        parse_date(text)
    assert "2024-05-31" in str(info.value)  # says how to write it


def test_future_dates_refused_unless_allowed():
    tomorrow = date.today() + timedelta(days=1)
    with pytest.raises(Invalid, match="晚于今天"):
        parse_date(f"{tomorrow:%Y-%m-%d}")
    assert parse_date(f"{tomorrow:%Y-%m-%d}", allow_future=True) == tomorrow
    assert parse_date(f"{date.today():%Y-%m-%d}") == date.today()


def test_too_old_and_empty_dates():
    with pytest.raises(Invalid, match="1900"):
        parse_date("1899-12-31")
    assert parse_date("") is None
    assert parse_date(None) is None
    assert parse_date("   ") is None
    assert parse_date(date(2020, 1, 2)) == date(2020, 1, 2)


# ---- ID numbers ---------------------------------------------------------------------
GOOD_X = "11010519491231002X"
GOOD_DIGIT = make_id("44030519850615131")


@pytest.mark.parametrize("text, expected", [
    (GOOD_X, GOOD_X),
    ("11010519491231002x", GOOD_X),  # lower-case x
    (" 110105 19491231 002X ", GOOD_X),  # spaces
    ("１１０１０５１９４９１２３１００２Ｘ", GOOD_X),  # full-width
    (GOOD_DIGIT, GOOD_DIGIT),
    (make_id("11010519850615105"), "11010519850615105X"),
])
def test_good_id_numbers(text, expected):
    assert parse_id_number(text) == expected


def test_id_number_with_x_check_digit_is_computed_correctly():
    assert make_id("11010519850615105").endswith("X")


def test_id_number_bad_checksum():
    wrong = GOOD_DIGIT[:-1] + str((int(GOOD_DIGIT[-1]) + 1) % 10)
    with pytest.raises(Invalid, match="校验位"):
        parse_id_number(wrong)
    with pytest.raises(Invalid, match="校验位"):
        parse_id_number("110105194912310021")


@pytest.mark.parametrize("text, length", [(GOOD_X[:-1], 17), (GOOD_X + "1", 19), ("110105491231002", 15)])
def test_id_number_wrong_length(text, length):
    with pytest.raises(Invalid, match=f"现在是 {length} 位"):
        parse_id_number(text)


@pytest.mark.parametrize("text", ["1.10105E+17", "1.10105e+17", "1.10105194912310E+17"])
def test_id_number_mangled_by_excel(text):
    with pytest.raises(Invalid, match="Excel"):
        parse_id_number(text)


def test_id_number_impossible_birth_date():
    with pytest.raises(Invalid, match="出生日期不存在"):
        parse_id_number(make_id("11010519490230001"))


def test_id_number_letters_and_unknown_region():
    with pytest.raises(Invalid, match="只能由数字组成"):
        parse_id_number("11010519491231A02X")
    with pytest.raises(Invalid, match="地区代码"):
        parse_id_number(make_id("99999919491231002"))


def test_id_number_empty():
    assert parse_id_number("") is None
    assert parse_id_number(None) is None


def test_birth_date_and_gender_from_id():
    assert id_birth_date(GOOD_X) == date(1949, 12, 31)
    assert id_gender(GOOD_X) == "F"  # 17th digit 2: even
    assert id_gender(make_id("11010519850615131")) == "M"


def test_birth_dates_read_from_id_numbers_are_each_their_own():
    """Birth dates are remembered by their eight digits: numbers of one region and one
    birthday share them, and no number gets another's day or verdict."""
    same_day = [make_id(f"11010519650312{serial}") for serial in ("123", "246")]
    other_day = make_id("11010519650313123")
    assert [id_birth_date(n) for n in (*same_day, other_day)] == [date(1965, 3, 12)] * 2 + [date(1965, 3, 13)]
    assert parse_id_number(other_day) == other_day
    for _ in range(2):  # asked again, the same answer
        with pytest.raises(Invalid, match="出生日期不存在"):
            parse_id_number(make_id("11010519650230123"))
        assert id_birth_date(same_day[1]) == date(1965, 3, 12)


# ---- phones ---------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("13800138000", "13800138000"),
    ("138 0013 8000", "13800138000"),
    ("138-0013-8000", "13800138000"),
    ("+8613800138000", "13800138000"),
    ("１３８００１３８０００", "13800138000"),
    ("010-12345678", "010-12345678"),
    ("0755-1234567", "0755-1234567"),
    ("62345678", "62345678"),
    ("010-12345678-123", "010-12345678-123"),
])
def test_good_phones(text, expected):
    assert parse_phone(text) == expected


@pytest.mark.parametrize("text, fragment", [
    ("1380013800", "11 位"),
    ("138001380001", "11 位"),
    ("1.38001E+10", "Excel"),
    ("12345678901", "格式不对"),
    ("电话号码", "格式不对"),
    ("123", "11 位"),
    ("6234", "格式不对"),
])
def test_bad_phones(text, fragment):
    with pytest.raises(Invalid, match=fragment):
        parse_phone(text)


def test_empty_phone():
    assert parse_phone("") is None
    assert parse_phone(None) is None


# ---- addresses --------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("3号楼2单元501", ("", "3", "2", "501")),
    ("3-2-501", ("", "3", "2", "501")),
    ("3栋2单元501室", ("", "3", "2", "501")),
    ("3幢2单元501", ("", "3", "2", "501")),
    ("3号2单元501号", ("", "3", "2", "501")),
    ("A座1单元101", ("", "A", "1", "101")),
    (" 3 号楼 2 单元 501 ", ("", "3", "2", "501")),
    ("３号楼２单元５０１", ("", "3", "2", "501")),
    ("启明小区3号楼2单元501", ("启明小区", "3", "2", "501")),
    ("启明小区3-2-501", ("启明小区", "3", "2", "501")),
    ("阳光100小区12栋3单元1102室", ("阳光100小区", "12", "3", "1102")),
])
def test_addresses(text, expected):
    assert parse_address(text) == expected


@pytest.mark.parametrize("text", ["幸福路5号", "3号楼501", "3-501", "三号楼二单元501"])
def test_unreadable_addresses(text):
    with pytest.raises(Invalid, match="3号楼2单元501"):
        parse_address(text)


def test_empty_address():
    assert parse_address("") is None


# ---- other small parsers -------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [("是", True), ("否", False), ("√", True), ("", False),
                                            ("Yes", True), ("0", False), (True, True)])
def test_bool(text, expected):
    assert parse_bool(text) is expected


def test_bool_refuses_other_words():
    with pytest.raises(Invalid, match="是”或“否"):
        parse_bool("也许")


def test_clean_text():
    assert clean_text("  张　三  ") == "张 三"
    assert clean_text("ＡＢＣ１２３") == "ABC123"
    assert clean_text(None) == ""


# ---- masks ------------------------------------------------------------------------------------
def test_masks():
    assert mask_id_number(GOOD_X) == "110105********002X"
    assert mask_id_number("") == ""
    assert mask_id_number(None) == ""
    assert mask_phone("13800138000") == "138****8000"
    assert mask_phone("010-12345678") == "********5678"
    assert mask_phone(None) == ""


# ---- pinyin -------------------------------------------------------------------------------------
@pytest.mark.parametrize("name, full, initials", [
    ("张三", "zhangsan", "zs"),
    ("单雄信", "shanxiongxin", "sxx"),  # surname 单 is shan, not dan
    ("曾国藩", "zengguofan", "zgf"),
    ("", "", ""),
])
def test_name_pinyin(name, full, initials):
    assert name_pinyin(name) == (full, initials)


# ---- search ---------------------------------------------------------------------------------------
ROWS = [
    # name, phone, address, short address, ID number
    ("张三", "13800138000", "3号楼2单元501", "3-2-501", GOOD_X),
    ("李四", "13912345678", "1号楼1单元101", "1-1-101", GOOD_DIGIT),
    ("单雄信", None, "2号楼1单元302", "2-1-302", None),
]


def _search(query: str) -> list[str]:
    hays = [haystack(name, *name_pinyin(name), phone, addr, short) for name, phone, addr, short, _ in ROWS]
    ids = [row[4] for row in ROWS]
    return [ROWS[i][0] for i in matching_indexes(query, hays, ids)]


@pytest.mark.parametrize("query, names", [
    ("", ["张三", "李四", "单雄信"]),
    ("zs", ["张三"]),
    ("ZS", ["张三"]),
    ("zhangsan", ["张三"]),
    ("zhang", ["张三"]),
    ("张", ["张三"]),
    ("shan", ["单雄信"]),
    ("sxx", ["单雄信"]),
    ("8000", ["张三"]),
    ("1391234", ["李四"]),
    ("002x", ["张三"]),  # the end of the ID number
    ("002X", ["张三"]),
    ("1231002X", ["张三"]),
    (GOOD_DIGIT[-4:], ["李四"]),
    ("3号楼2单元", ["张三"]),
    ("3-2-501", ["张三"]),
    ("1-1-101", ["李四"]),
    ("王五", []),
])
def test_matching_indexes(query, names):
    assert _search(query) == names


@pytest.mark.parametrize("query", ["19491231", "1949", "110105", "0519491231"])
def test_id_middle_digits_do_not_match(query):
    """Typing a birth date (or region) must not list people by their ID numbers."""
    assert _search(query) == []


def test_matching_indexes_without_id_numbers():
    hays = [haystack("张三", "zhangsan", "zs", "13800138000")]
    assert matching_indexes("zs", hays) == [0]
    assert matching_indexes("002x", hays) == []


def test_titles_and_names_keep_their_chinese_punctuation():
    from branchdesk.fields import RESOURCE_FIELDS, by_key
    from branchdesk.validation import clean_prose, clean_text

    # full-width letters, digits and spaces fold; the punctuation is the text's own
    assert clean_prose("  每月义诊：测血压、血糖（Ａ区１号楼）\u3000 ") == "每月义诊：测血压、血糖（A区1号楼）"
    assert clean_text("每月义诊：测血压（A区）") == "每月义诊:测血压(A区)"  # what comparisons use
    title = by_key(RESOURCE_FIELDS)["title"]
    assert title.parse("免费法律咨询（婚姻家庭、房产）") == "免费法律咨询（婚姻家庭、房产）"
