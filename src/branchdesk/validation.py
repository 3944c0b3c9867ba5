"""Parsing and checking what people type (in forms, and later in imported files).

Every function takes the raw text and returns the clean value or raises
Invalid with a Chinese sentence that says what is wrong and what to do.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import lru_cache

from stdnum.cn import ric


class Invalid(ValueError):
    """A value the user must correct; str() is the message to show."""


def clean_text(text: object) -> str:
    """Trim, fold full-width letters and digits to half-width, collapse inner spaces."""
    if text is None:
        return ""
    # split() and strip() know the same whitespace as re's \s: this is re.sub(r"\s+", " ", s).strip(),
    # at a fraction of the cost (an import cleans every cell of tens of thousands of rows)
    return " ".join(unicodedata.normalize("NFKC", str(text)).split())


# Full-width letters and digits (Ａ１) and the ideographic space, as their ASCII forms;
# Chinese punctuation (，：（）、。) is left as typed: it belongs to the text.
_PROSE_FOLD = {code: code - 0xFEE0 for code in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B),
                                                  *range(0xFF41, 0xFF5B))} | {0x3000: 0x20}


def clean_prose(text: object) -> str:
    """Trim and collapse spaces, fold full-width letters and digits, keep the punctuation:
    a title or a name as the secretary typed it (每月义诊：测血压, 第一党小组（1-3号楼）).
    Compare such texts through clean_text, which folds the punctuation too."""
    if text is None:
        return ""
    return " ".join(str(text).translate(_PROSE_FOLD).split())


_DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
_MONTH_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月?$"),
    re.compile(r"^(\d{4})(\d{2})$"),
]


def parse_date(text: object, *, allow_month: bool = False, allow_future: bool = False) -> date | None:
    """Accept 2024-05-31, 2024/5/31, 2024.5.31, 2024年5月31日, 20240531 (and with
    allow_month, 1965.03 or 1965年3月 meaning the 1st of that month)."""
    if isinstance(text, date):
        value = text
    else:
        s = clean_text(text).replace(" ", "")
        if not s:
            return None
        value = None
        for pattern in _DATE_PATTERNS:
            m = pattern.match(s)
            if m:
                value = _make_date(int(m[1]), int(m[2]), int(m[3]), s)
                break
        if value is None and allow_month:
            for pattern in _MONTH_PATTERNS:
                m = pattern.match(s)
                if m:
                    value = _make_date(int(m[1]), int(m[2]), 1, s)
                    break
        if value is None:
            example = "2024-05-31 或 2024年5月" if allow_month else "2024-05-31"
            raise Invalid(f"“{s}”不是有效日期，请按 {example} 的格式填写。")
    if value.year < 1900:
        raise Invalid(f"日期 {value:%Y-%m-%d} 早于 1900 年，请检查。")
    if not allow_future and value > date.today():
        raise Invalid(f"日期 {value:%Y-%m-%d} 晚于今天，请检查。")
    return value


def _make_date(y: int, m: int, d: int, original: str) -> date:
    try:
        return date(y, m, d)
    except ValueError:
        raise Invalid(f"“{original}”不是存在的日期，请检查年、月、日。") from None


_SCIENTIFIC = re.compile(r"\d(\.\d+)?E\+\d+")  # what Excel shows of a long number
_SCIENTIFIC_ANY_CASE = re.compile(_SCIENTIFIC.pattern, re.IGNORECASE)
_ID18 = re.compile(r"\d{17}[\dX]")


def parse_id_number(text: object) -> str | None:
    """A mainland resident ID number (18 digits, the last may be X): checksum,
    region and birth date are checked by python-stdnum."""
    s = clean_text(text).replace(" ", "").upper()
    if not s:
        return None
    if _SCIENTIFIC.fullmatch(s):
        raise Invalid("身份证号被 Excel 当成了数字而丢失了末尾几位，请把该列设为“文本”后重新录入。")
    if len(s) != 18:
        raise Invalid(f"身份证号应为 18 位，现在是 {len(s)} 位，请核对。")
    if not _ID18.fullmatch(s):
        raise Invalid("身份证号只能由数字组成，最后一位可以是 X，请核对。")
    if _day_of(s[6:14]) is None:  # id_birth_date's own reading: the format is checked above
        raise Invalid("身份证号第 7-14 位的出生日期不存在，请对照证件核对。")
    if ric.calc_check_digit(s) != s[-1]:
        raise Invalid("身份证号校验位不对（最后一位），可能有数字录错，请对照证件核对。")
    if not _known_region(s[:6]):
        raise Invalid(f"身份证号前 6 位地区代码 {s[:6]} 不存在，请对照证件核对。")
    return s


@lru_cache(maxsize=8192)  # an import checks every row: the numbers of a compound share a few regions
def _known_region(code: str) -> bool:
    """The region code exists in python-stdnum's table at any date. stdnum's own
    validate() also requires the county to have existed in the birth year, but a
    number carries the code of where it was issued (1999 onward for 18 digits),
    so people born before a county was renamed hold perfectly valid numbers."""
    from stdnum import numdb

    parts = numdb.get("cn/loc").info(code)
    return any("county" in props for _part, props in parts)


def id_birth_date(id_number: str) -> date:
    """As python-stdnum's ric.get_birth_date, which it calls for anything but a clean
    18-character number: its compact() costs more than reading the date."""
    if len(id_number) == 18 and _ID18.fullmatch(id_number):
        born = _day_of(id_number[6:14])
        if born is not None:
            return born
        # no such day: stdnum raises its own error for it
    return ric.get_birth_date(id_number)


@lru_cache(maxsize=65536)  # an import reads each birth date twice, and tens of thousands of people share birthdays
def _day_of(digits: str) -> date | None:
    """YYYYMMDD → that day, or None where there is no such day."""
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None


def id_gender(id_number: str) -> str:
    """'M' or 'F' from the 17th digit."""
    return "M" if int(id_number[16]) % 2 else "F"


_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^(0\d{2,3}-?)?\d{7,8}(-\d{1,6})?$")


def parse_phone(text: object) -> str | None:
    """An 11-digit mobile number, or a landline such as 010-12345678."""
    if text.__class__ is str and len(text) == 11 and text.isascii() and _MOBILE.match(text):
        return text  # a mobile number as typed: what the cleaning below would return
    s = clean_text(text).replace(" ", "")
    if not s:
        return None
    if s.startswith("+86"):
        s = s[3:]
    if _SCIENTIFIC_ANY_CASE.fullmatch(s):
        raise Invalid("电话号码被 Excel 当成了数字而丢失了位数，请把该列设为“文本”后重新录入。")
    compact = s.replace("-", "")
    if compact.startswith("1") and len(compact) != 11:
        raise Invalid(f"手机号应为 11 位，现在是 {len(compact)} 位，请核对。")
    if _MOBILE.match(compact):
        return compact
    if _LANDLINE.match(s):
        return s
    raise Invalid("电话号码格式不对：手机号为 1 开头的 11 位数字，固定电话如 010-12345678。")


_YES = {"是", "y", "yes", "true", "1", "√", "✓", "有"}
_NO = {"否", "n", "no", "false", "0", "×", "无", ""}


def parse_bool(text: object) -> bool:
    if isinstance(text, bool):
        return text
    s = clean_text(text).lower()
    if s in _YES:
        return True
    if s in _NO:
        return False
    raise Invalid(f"“{s}”应填“是”或“否”。")


_ADDRESS = [
    re.compile(r"^(?P<c>.*?)(?P<b>[0-9A-Za-z]+)(?:号楼|号|栋|幢|座)(?P<u>[0-9]+)单元(?P<r>[0-9A-Za-z]+)(?:室|号)?$"),
    re.compile(r"^(?P<c>.*?)(?P<b>[0-9A-Za-z]+)-(?P<u>[0-9]+)-(?P<r>[0-9A-Za-z]+)$"),
]


def parse_address(text: object) -> tuple[str, str, str, str] | None:
    """Split 3号楼2单元501 / 3-2-501 / 3栋2单元501室, optionally led by the compound's
    name (启明小区3号楼2单元501), into (compound prefix, building, unit, room)."""
    s = clean_text(text).replace(" ", "")
    if not s:
        return None
    for pattern in _ADDRESS:
        m = pattern.match(s)
        if m:
            return m["c"], m["b"].upper(), m["u"], m["r"].upper()
    raise Invalid(f"住址“{s}”看不懂，请按“3号楼2单元501”或“3-2-501”填写。")


_BUILDING = re.compile(r"^(?P<c>.*?)(?P<b>[0-9A-Za-z]+)(?:号楼|号|栋|幢|座|楼)?$")
_UNIT = re.compile(r"^(?P<u>[0-9]+)(?:单元)?$")
_ROOM = re.compile(r"^(?P<r>[0-9A-Za-z]+)(?:室|号)?$")


def parse_building(text: object) -> tuple[str, str] | None:
    """启明小区3号楼 / 3号楼 / 3栋 / 3 → (compound prefix, building number)."""
    s = clean_text(text).replace(" ", "")
    if not s:
        return None
    m = _BUILDING.match(s)
    if m is None:
        raise Invalid(f"楼栋“{s}”看不懂，请按“3号楼”或“3”填写。")
    return m["c"], m["b"].upper()


def parse_unit(text: object) -> str | None:
    """2单元 / 2 → 2."""
    s = clean_text(text).replace(" ", "")
    if not s:
        return None
    m = _UNIT.match(s)
    if m is None:
        raise Invalid(f"单元“{s}”看不懂，请按“2单元”或“2”填写。")
    return str(int(m["u"]))


def parse_room(text: object) -> str | None:
    """501 / 501室 → 501."""
    s = clean_text(text).replace(" ", "")
    if not s:
        return None
    m = _ROOM.match(s)
    if m is None:
        raise Invalid(f"门牌“{s}”看不懂，请按“501”填写。")
    return m["r"].upper()


def mask_id_number(value: str | None) -> str:
    """110105********002X: region and the last four stay, the birth date is hidden."""
    if not value:
        return ""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    """138****8000 for mobiles; landlines keep their area code and last four."""
    if not value:
        return ""
    if len(value) == 11 and value.isdigit():
        return value[:3] + "****" + value[-4:]
    if len(value) > 4:
        return "*" * (len(value) - 4) + value[-4:]
    return value
