"""The reading core of the Excel import: open a real, messy file, find the table
in it, and turn cells into the text the field parsers expect.

Every failure that stops a whole file raises ExchangeError with one Chinese
sentence naming the file; a problem with a single cell raises CellError.

A workbook is looked at before the spreadsheet reader (python-calamine) is let at
it. calamine holds a sheet as one grid from its first cell to its last and ends
the whole process when it cannot have the memory: one cell at XFD1048576 in a
2 KB file asks for 512 GiB. So the zip's directory, every part of the package
and every sheet's cell references are checked first (_Package, _guard_xlsx,
_guard_ods): what no roster can be is refused in one sentence, and a few stray
cells far outside the table are left out of what calamine reads and named. The
sheets and rows hidden in Excel are left out too unless asked for (Book).
"""
from __future__ import annotations

import csv
import html
import io
import re
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import date, datetime
from difflib import SequenceMatcher
from functools import lru_cache
from itertools import accumulate
from pathlib import Path
from typing import Iterable, Iterator, Sequence
from xml.parsers import expat

from .. import fields as F
from ..validation import Invalid
from . import ExchangeError

MAX_DATA_ROWS = 200_000  # non-empty rows per sheet; beyond this we refuse the file
HEADER_SCAN_ROWS = 15  # the header row must be among the first rows of a sheet
MIN_HEADER_MATCHES = 2

# What a roster can be, and what reading a file may cost. A sheet's values lie within
# MAX_COLUMNS columns (and Excel's own MAX_SHEET_ROWS rows); the reader holds a sheet as
# one grid from A1 to its last value, 32 bytes a cell, and at most MAX_CELLS cells are
# let into it: blank rows between values are allowed, a grid of a million rows of 200
# columns is not.
MAX_COLUMNS = 200  # column GR
MAX_SHEET_ROWS = 1_048_576  # Excel's last row
MAX_CELLS = 6_000_000  # 200,000 rows of 30 columns; about 190 MB in the reader
MAX_STRAY_CELLS = 20  # values beyond MAX_COLUMNS (or MAX_SHEET_ROWS) left out and named; more: refused
MAX_TEXT_BYTES = 256 << 20  # the text of a sheet's cells, a shared text counted once per cell showing it
MAX_FILE_BYTES = 200 << 20  # any file, on disk
MAX_SHEETS = 1_000
MAX_ZIP_ENTRIES = 10_000  # parts of a workbook's zip package
MAX_ZIP_DIRECTORY = 16 << 20  # bytes of the zip's table of contents
MAX_UNPACKED_BYTES = 512 << 20  # all parts of a workbook, unpacked
MAX_RATIO = 200  # unpacked / packed size of a part over RATIO_FLOOR (a zip bomb reaches about 1,000)
RATIO_FLOOR = 1 << 20
MAX_SHARED_BYTES = 128 << 20  # xl/sharedStrings.xml, unpacked
MAX_SHARED_STRINGS = 4_000_000  # distinct texts it may declare: the reader reserves room for as many
MAX_XML_DEPTH = 64  # nesting of the workbook's own parts (workbook.xml and its relationships)
MAX_TEXT_REPEAT = 32_767  # ODS <text:s text:c="N"/>: no cell holds more characters in Excel
MAX_CSV_FIELDS = 16_384  # separators in one line of a CSV file (Excel's widest sheet)
MAX_WALKED_BYTES = 64 << 20  # a sheet not written as spreadsheet programs write one is walked tag by tag up to this
MAX_TAG_BYTES = 64 << 10  # one element's attributes

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
# Stream names an encrypted OOXML file (an OLE container) holds, as UTF-16LE
# directory entries.
_ENCRYPTION_MARKERS = tuple(name.encode("utf-16-le") for name in ("EncryptionInfo", "EncryptedPackage"))
_TEXT_SUFFIXES = {".csv", ".txt", ".tsv"}

# A blank row inside a sheet. Shared (and immutable) so that a sheet with a
# value far down costs one pointer per blank row, not one list.
_BLANK_ROW: tuple = ()


class CellError(Invalid):
    """A cell whose value cannot be trusted as stored; str() says what to do."""


@dataclass
class Sheet:
    name: str
    # Cell values as python-calamine returns them (str, float, int, bool, date,
    # datetime, time, timedelta), None for empty. Row i is Excel row i + 1.
    # Each row is trimmed after its last non-empty cell; blank rows are a shared
    # empty tuple, so treat rows as read-only.
    rows: list[Sequence[object]]
    file_name: str = ""  # the file's name (no folder), for messages
    hidden: bool = False  # hidden in Excel or WPS
    # Excel numbers of the rows hidden in Excel that hold values; blank in rows unless
    # the hidden parts were asked for (Book.include_hidden)
    hidden_rows: list[int] = dc_field(default_factory=list)
    left_out: list[str] = dc_field(default_factory=list)  # stray cells far outside any table, not read: "XFD2"


@dataclass
class Book:
    """A workbook as read: the sheets to import from, in the workbook's order, and the
    hidden ones left out (read all the same, so that a preview can say what they hold)."""

    sheets: list[Sheet]
    hidden_sheets: list[Sheet] = dc_field(default_factory=list)
    include_hidden: bool = False


@dataclass
class Table:
    sheet_name: str
    header_row: int  # 1-based Excel row number of the (first) header row
    header_height: int  # 1, or 2 for a grouped two-row header
    columns: dict[str, int]  # field key -> 0-based column index
    headers: dict[str, str]  # field key -> the header text as written in the file
    ignored: list[str]  # headers that matched no field (or a field already taken)
    rows: list[tuple[int, list]] = dc_field(default_factory=list)  # (Excel row number, cells)
    file_name: str = ""

    @property
    def data_start(self) -> int:
        """Excel row number of the first row below the header."""
        return self.header_row + self.header_height


# ---- reading files ---------------------------------------------------------------


def read_workbook(path: str | Path, *, include_hidden: bool = False) -> list[Sheet]:
    """Every sheet of an .xlsx/.xlsm/.xls/.ods workbook, or the one sheet of a .csv
    file. The format is judged by the file's content, not its name. Sheets and rows
    hidden in Excel are left out unless include_hidden (read_book says which)."""
    return read_book(path, include_hidden=include_hidden).sheets


def read_book(path: str | Path, *, include_hidden: bool = False) -> Book:
    """The workbook's sheets, and the hidden ones apart (see Book)."""
    path = Path(path)
    name = path.name
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _too_big(name, f"有 {size / (1 << 20):,.0f} MB，超过了一次导入的上限（{MAX_FILE_BYTES >> 20} MB）")
        data = path.read_bytes()
    except FileNotFoundError:
        raise ExchangeError(f"找不到文件“{name}”，它可能已被移动或删除，请重新选择。") from None
    except IsADirectoryError:
        raise ExchangeError(f"“{name}”是文件夹，不是表格文件，请选择一个 Excel 文件。") from None
    except OSError:
        raise ExchangeError(f"无法打开“{name}”，它可能正被其他程序占用，请关闭 Excel 或 WPS 后重试。") from None
    if not data.strip():
        raise ExchangeError(f"“{name}”是空文件，没有任何内容，请确认选择了正确的文件。")
    if data.startswith(_OLE_MAGIC) and any(m in data for m in _ENCRYPTION_MARKERS):
        raise _password_error(name)
    if data.startswith(_ZIP_MAGIC):
        return _read_package(data, name, include_hidden)
    if data.startswith(_OLE_MAGIC):  # .xls: only its size is known before calamine reads it all
        return _read_calamine(data, name, include_hidden, None)
    if path.suffix.lower() in _TEXT_SUFFIXES:
        rows = _collect_rows(_csv_rows(data, name), name, path.stem)
        return Book([Sheet(path.stem, rows, name)], include_hidden=include_hidden)
    raise _not_spreadsheet(name)


def _not_spreadsheet(name: str) -> ExchangeError:
    return ExchangeError(
        f"“{name}”不是 Excel 文件，或文件已损坏，请用 Excel 或 WPS 打开后另存为 .xlsx 再导入。"
    )


def _password_error(name: str) -> ExchangeError:
    return ExchangeError(
        f"“{name}”设置了打开密码，无法读取，请用 Excel 或 WPS 打开并取消密码后另存为 .xlsx 再导入。"
    )


def _damaged_sheet(name: str, sheet: str) -> ExchangeError:
    # A damaged sheet is said, not skipped: the roster may be the one on it.
    return ExchangeError(f"“{name}”的工作表“{sheet}”已损坏，无法读取：请在 Excel 或 WPS 中打开，"
                         "另存为 .xlsx 后再导入。")


def _suspicious(name: str, what: str) -> ExchangeError:
    """A package built as no spreadsheet program builds one: a zip bomb, a part
    larger than it says, a DTD."""
    return ExchangeError(f"“{name}”{what}，不像是 Excel 或 WPS 保存的文件，为安全起见没有读取："
                         "请用 Excel 或 WPS 打开后另存为 .xlsx 再导入。")


def _too_big(name: str, what: str) -> ExchangeError:
    return ExchangeError(f"“{name}”{what}：请只把名册所在的工作表复制到新的工作簿中另存，再导入。")


def _sheet_too_big(name: str, sheet: str, what: str, do: str = "删除表格以外的内容") -> ExchangeError:
    return ExchangeError(f"“{name}”的工作表“{sheet}”{what}，超出了名册可能的大小：请{do}，"
                         "或把表格拆分成几个文件后分别导入。")


def _column_name(number: int) -> str:
    """1 → A, 200 → GR."""
    name = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        name = chr(65 + rest) + name
    return name


def _read_calamine(data: bytes, name: str, include_hidden: bool,
                   scans: dict[str, _SheetScan] | None) -> Book:
    """Read the workbook with python-calamine. scans: what _guard_xlsx or _guard_ods
    found in each sheet (hidden rows, the cells left out), None for .xls."""
    import python_calamine as pc

    try:
        workbook = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except pc.PasswordError:
        raise _password_error(name) from None
    except Exception:  # ZipError, XmlError, CalamineError, and whatever a broken file provokes
        raise _not_spreadsheet(name) from None
    book = Book([], include_hidden=include_hidden)
    try:
        metadata = workbook.sheets_metadata
        if len(metadata) > MAX_SHEETS:
            raise _too_many_sheets(name, len(metadata))
        for meta in metadata:
            if meta.typ != pc.SheetTypeEnum.WorkSheet:
                continue  # a chart or macro sheet: nothing to import from it
            hidden = meta.visible != pc.SheetVisibleEnum.Visible
            left_out = hidden and not include_hidden
            try:
                sheet = _read_sheet(workbook, meta.name, name, (scans or {}).get(meta.name), include_hidden, pc)
            except ExchangeError:
                if not left_out:
                    raise
                sheet = Sheet(meta.name, [], name)  # not imported anyway: named without its rows
            sheet.hidden = hidden
            (book.hidden_sheets if left_out else book.sheets).append(sheet)
    finally:
        workbook.close()
    if not book.sheets and not book.hidden_sheets:
        raise _not_spreadsheet(name)
    return book


def _too_many_sheets(name: str, count: int) -> ExchangeError:
    return _too_big(name, f"有 {count:,} 个工作表，超过了一次导入的上限（{MAX_SHEETS:,} 个）")


def _read_sheet(workbook, sheet_name: str, name: str, scan: _SheetScan | None, include_hidden: bool, pc) -> Sheet:
    try:
        sheet = workbook.get_sheet_by_name(sheet_name)
        _check_grid(sheet.end, sheet.width, name, sheet_name)  # .xls: its grid is all there is to check
        raw_rows = sheet.iter_rows()
    except pc.PasswordError:
        raise _password_error(name) from None
    except ExchangeError:
        raise
    except Exception:
        raise _damaged_sheet(name, sheet_name) from None
    rows = _collect_rows(raw_rows, name, sheet_name)
    result = Sheet(sheet_name, rows, name)
    if scan is not None:
        result.left_out = [ref for ref, _start, _end in scan.strays]
        for start, stop in scan.hidden:
            for i in range(start, min(stop, len(rows))):
                if rows[i]:
                    result.hidden_rows.append(i + 1)
                    if not include_hidden:
                        rows[i] = _BLANK_ROW
        while rows and not rows[-1]:
            rows.pop()
    return result


def _check_grid(end: tuple[int, int] | None, width: int, name: str, sheet: str) -> None:
    """The grid calamine made of a sheet (from row 1, as iter_rows gives it), before a
    Python list is made of each of its rows."""
    if end is None:
        return
    rows = end[0] + 1
    if width > MAX_COLUMNS or rows * width > MAX_CELLS:
        ref = f"{_column_name(end[1] + 1)}{rows}"
        raise _sheet_too_big(name, sheet, f"的内容一直延伸到 {ref} 单元格（{rows:,} 行 × {width:,} 列）")


def _decode_text(data: bytes, name: str) -> str:
    for encoding in ("utf-8-sig", "utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:  # a binary file with a .csv name
            break
        return text
    raise ExchangeError(
        f"“{name}”无法识别文字编码，或不是表格文件，请用 Excel 或 WPS 打开后另存为 .xlsx 再导入。"
    )


def _csv_rows(data: bytes, name: str) -> Iterable[list[str]]:
    text = _decode_text(data, name)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "," not in first_line and "\t" in first_line else ","

    def lines() -> Iterator[str]:
        # a line of a million separators would be a list of a million cells: refused first
        for number, line in enumerate(io.StringIO(text, newline=""), start=1):
            if line.count(delimiter) > MAX_CSV_FIELDS:
                raise _sheet_too_big(name, Path(name).stem, f"第 {number:,} 行有超过 {MAX_CSV_FIELDS:,} 列")
            yield line

    try:
        yield from csv.reader(lines(), delimiter=delimiter)
    except csv.Error:
        raise _not_spreadsheet(name) from None


def _collect_rows(raw_rows: Iterable[Sequence[object]], file_name: str, sheet_name: str) -> list[Sequence[object]]:
    """Blank cells → None, each row trimmed after its last value, trailing blank
    rows dropped; refuses a sheet with more than MAX_DATA_ROWS non-empty rows, more
    rows than Excel has, or a value right of MAX_COLUMNS."""
    rows: list[Sequence[object]] = []
    pending_blank = 0  # blank rows not yet known to be followed by a value
    filled = 0
    for index, raw in enumerate(raw_rows):
        if index >= MAX_SHEET_ROWS:  # a CSV file of blank lines
            raise _sheet_too_big(file_name, sheet_name, f"有超过 {MAX_SHEET_ROWS:,} 行")
        cells = [(v if v.strip() else None) if isinstance(v, str) else v for v in raw]  # blank text → None
        while cells and cells[-1] is None:
            cells.pop()
        if not cells:
            pending_blank += 1
            continue
        if len(cells) > MAX_COLUMNS:
            raise _sheet_too_big(file_name, sheet_name, f"第 {index + 1:,} 行有超过 {MAX_COLUMNS} 列的内容")
        filled += 1
        if filled > MAX_DATA_ROWS:
            raise ExchangeError(
                f"“{file_name}”的工作表“{sheet_name}”有超过 {MAX_DATA_ROWS:,} 行数据，超出了一次导入的上限，"
                "请把表格拆分成几个文件后分别导入。"
            )
        if pending_blank:
            rows.extend([_BLANK_ROW] * pending_blank)
            pending_blank = 0
        rows.append(cells)
    return rows


# ---- hostile workbooks: looked at before calamine reads them ----------------------------------------
class _LongTag(Exception):
    """An element whose attributes run longer than MAX_TAG_BYTES."""


def _read_package(data: bytes, name: str, include_hidden: bool) -> Book:
    try:
        data, scans = _guard_package(data, name)
    except _LongTag:
        raise _suspicious(name, "内部有异常长的 XML 标记") from None
    return _read_calamine(data, name, include_hidden, scans)


def _guard_package(data: bytes, name: str) -> tuple[bytes, dict[str, _SheetScan]]:
    package = _Package(data, name)
    if package.get("xl/workbook.bin") is not None:
        # a binary workbook: its cells cannot be checked before calamine reads them
        raise ExchangeError(f"“{name}”是二进制格式的 Excel 工作簿（.xlsb），无法读取：请用 Excel 打开后另存为 .xlsx 再导入。")
    scans: dict[str, _SheetScan] = {}
    if package.get("content.xml") is not None:  # an .ods (calamine reads it when it cannot read an .xlsx)
        scans.update(_guard_ods(package))
    if package.get("xl/workbook.xml") is not None:
        data, found = _guard_xlsx(package)
        scans.update(found)
    elif package.get("content.xml") is None:
        raise _not_spreadsheet(name)
    return data, scans


_ASCII_LOWER = {c: c + 32 for c in range(65, 91)}


def _key(part: str) -> str:
    """A part's name as calamine looks it up: ASCII letters in either case."""
    return part.translate(_ASCII_LOWER)


class _Package:
    """A workbook's zip package, checked from its directory before anything in it is
    unpacked: how many parts, how large unpacked, how much each was compressed."""

    def __init__(self, data: bytes, name: str):
        self.data, self.name = data, name
        entries, directory = _zip_directory(data, name)
        if entries > MAX_ZIP_ENTRIES or directory > MAX_ZIP_DIRECTORY:
            raise _suspicious(name, f"内部有 {entries:,} 个部件")
        try:
            infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
        except Exception:  # BadZipFile, and whatever a broken directory provokes
            raise _not_spreadsheet(name) from None
        if len(infos) > MAX_ZIP_ENTRIES:
            raise _suspicious(name, f"内部有 {len(infos):,} 个部件")
        self.parts: dict[str, zipfile.ZipInfo] = {}
        total = 0
        for info in infos:
            key = _key(info.filename)
            if key in self.parts:  # which of the two would calamine read?
                raise _suspicious(name, f"内部有两个名为“{info.filename}”的部件")
            self.parts[key] = info
            total += info.file_size
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                ratio = info.file_size // max(info.compress_size, 1)
                raise _suspicious(name, f"内部的“{info.filename}”被压缩了 {ratio:,} 倍（解压后 "
                                        f"{info.file_size / (1 << 20):,.0f} MB）")
        if total > MAX_UNPACKED_BYTES:
            raise _too_big(name, f"解压后有 {total / (1 << 20):,.0f} MB，超过了一次导入的上限"
                                 f"（{MAX_UNPACKED_BYTES >> 20} MB）")

    def get(self, part: str) -> zipfile.ZipInfo | None:
        return self.parts.get(_key(part))

    def unpack(self, info: zipfile.ZipInfo) -> bytes:
        """One part, unpacked: exactly the size the directory gives, or refused (a
        part that unpacks to more than it says is a bomb in disguise)."""
        data, name = self.data, self.name
        try:
            at = info.header_offset
            if data[at:at + 4] != _ZIP_MAGIC or info.flag_bits & 1:
                raise _not_spreadsheet(name)
            start = at + 30 + sum(struct.unpack_from("<HH", data, at + 26))
            packed = memoryview(data)[start:start + info.compress_size]
            if info.compress_type == zipfile.ZIP_STORED:
                out, whole = bytes(packed), True
            elif info.compress_type == zipfile.ZIP_DEFLATED:
                inflater = zlib.decompressobj(-15)
                out = inflater.decompress(packed, info.file_size + 1)
                whole = inflater.eof
            else:
                raise _suspicious(name, f"内部的“{info.filename}”使用了 Excel 不用的压缩方式")
        except (struct.error, zlib.error):
            raise _not_spreadsheet(name) from None
        if len(out) != info.file_size or not whole:
            raise _suspicious(name, f"内部的“{info.filename}”解压后与登记的大小不符")
        return out


def _zip_directory(data: bytes, name: str) -> tuple[int, int]:
    """(entries, bytes) of the zip's table of contents, from its end record, before a
    zip library builds an object per entry (a forged count would make millions)."""
    at = data.rfind(b"PK\x05\x06", max(0, len(data) - (1 << 16) - 22))
    if at < 0 or at + 22 > len(data):
        raise _not_spreadsheet(name)
    entries, size = struct.unpack_from("<HI", data, at + 10)
    if entries == 0xFFFF or size == 0xFFFFFFFF:  # ZIP64: the counts are in the ZIP64 end record
        locator = at - 20
        if locator < 0 or data[locator:locator + 4] != b"PK\x06\x07":
            raise _not_spreadsheet(name)
        record = struct.unpack_from("<Q", data, locator + 8)[0]
        if record + 56 > len(data) or data[record:record + 4] != b"PK\x06\x06":
            raise _not_spreadsheet(name)
        entries, size = struct.unpack_from("<QQ", data, record + 32)
    return entries, size


def _small_xml(package: _Package, part: str) -> list[tuple[str, dict[str, str]]]:
    """Every element (local name, attributes) of one of the workbook's own small parts,
    parsed with expat: no DTD, no nesting deeper than MAX_XML_DEPTH."""
    info = package.get(part)
    if info is None:
        return []
    name = package.name
    elements: list[tuple[str, dict[str, str]]] = []
    depth = 0

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal depth
        depth += 1
        if depth > MAX_XML_DEPTH:
            raise _suspicious(name, f"内部的“{info.filename}”嵌套超过 {MAX_XML_DEPTH} 层")
        elements.append((tag.split(":", 1)[-1], attrs))

    def end(_tag: str) -> None:
        nonlocal depth
        depth -= 1

    def doctype(*_args) -> None:
        raise _suspicious(name, f"内部的“{info.filename}”带有文档类型声明（DTD）")

    parser = expat.ParserCreate()
    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = doctype
    try:
        parser.Parse(package.unpack(info), True)
    except expat.ExpatError:
        raise _not_spreadsheet(name) from None
    return elements


@dataclass
class _SheetScan:
    """What one sheet's XML holds, found before calamine reads it."""

    hidden: list[tuple[int, int]] = dc_field(default_factory=list)  # 0-based [start, stop) rows hidden in Excel
    strays: list[tuple[str, int, int]] = dc_field(default_factory=list)  # values beyond GR: ref, bytes
    more_strays: bool = False  # and more of them than MAX_STRAY_CELLS
    last_row: int = 0  # 1-based: the farthest row and column of a value within the limits
    last_column: int = 0
    text: int = 0  # bytes of text its cells hold at most, each shared text once per cell

    def value_at(self, row: int, column: int, ref: str, start: int, end: int) -> None:
        """A value at (1-based) row and column; bytes start:end of the XML hold its cell."""
        if row > MAX_SHEET_ROWS or column > MAX_COLUMNS:
            if len(self.strays) < MAX_STRAY_CELLS:
                self.strays.append((ref if len(ref) <= 12 else f"{ref[:10]}…", start, end))
            else:
                self.more_strays = True
        else:
            self.last_row = max(self.last_row, row)
            self.last_column = max(self.last_column, column)

    def check(self, name: str, sheet: str, stray_cells_allowed: bool = True) -> None:
        if self.more_strays or (self.strays and not stray_cells_allowed):
            example = self.strays[0][0]
            where = (f"第 {MAX_COLUMNS} 列（{_column_name(MAX_COLUMNS)} 列）以右"
                     if _column_number(example.rstrip("0123456789").encode()) > MAX_COLUMNS else "Excel 的最后一行以下")
            many = f"有 {MAX_STRAY_CELLS} 个以上的单元格" if self.more_strays else "有单元格"
            raise _sheet_too_big(name, sheet, f"在{where}{many}有内容（如 {example}）")
        if self.last_row * self.last_column > MAX_CELLS:
            ref = f"{_column_name(self.last_column)}{self.last_row}"
            raise _sheet_too_big(name, sheet, f"的内容从 A1 一直延伸到 {ref}（{self.last_row:,} 行 × "
                                              f"{self.last_column:,} 列）")
        if self.text > MAX_TEXT_BYTES:
            raise _sheet_too_big(name, sheet, f"的单元格中的文字合计超过 {MAX_TEXT_BYTES >> 20} MB",
                                 do="删去过长的文字")


class _SharedTexts:
    """The byte length of each text of xl/sharedStrings.xml (an upper bound of it):
    a sheet of 10,000 cells showing one 30,000-character text makes calamine copy it
    into every one of them."""

    def __init__(self, lengths: list[int]):
        self.lengths = lengths
        self.longest = max(lengths, default=0)
        self._suffix: list[int] | None = None

    def bound(self, index: int) -> int:
        """At most how long text number index is. calamine skips an <si> without text,
        so its text number index is one of ours from index on."""
        if self._suffix is None:
            self._suffix = list(accumulate(reversed(self.lengths), max))[::-1]
        return self._suffix[index] if 0 <= index < len(self._suffix) else 0


_XML_DECLARATION = re.compile(rb"(?:\xef\xbb\xbf)?\s*<\?xml[^>]*\?>")
_DTD = re.compile(rb"<!(?!--|\[CDATA\[)")  # <!DOCTYPE, <!ENTITY: no spreadsheet program writes them
_MARKUP = re.compile(rb"<[!?]")
# an element's attributes: quoted values may hold anything, an unquoted < ends the attempt (so
# that a tag left open costs the distance to the next <, not to the end of the part)
_ATTRS = rb"""(?:[^<>"']|"[^"]*"|'[^']*')*"""
_TAG_REST = re.compile(rb"(" + _ATTRS + rb")>")
_ATTRIBUTE = re.compile(rb"""([^\s=/]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_UNIQUE_COUNT = re.compile(rb"<(?:[^\s<>/!?:]+:)?sst(?=[\s/>])(" + _ATTRS + rb")>")
_SI_TOKEN = re.compile(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|(<(?:[^\s<>/!?:]+:)?si(?=[\s/>]))", re.S)


def _number(digits: bytes) -> int:
    """Digits as a number; past a trillion (no count or reference in a workbook goes
    there, and int() refuses thousands of digits) just a trillion and one."""
    digits = digits.strip().lstrip(b"0") or b"0"
    return int(digits) if len(digits) <= 12 else 10**12 + 1


def _attributes(raw: bytes) -> dict[bytes, bytes]:
    """An element's attributes; of an attribute written twice, the larger value (what
    is checked is how far a cell or row reaches)."""
    if len(raw) > MAX_TAG_BYTES:
        raise _LongTag
    found: dict[bytes, bytes] = {}
    for m in _ATTRIBUTE.finditer(raw):
        value = m.group(2) if m.group(2) is not None else m.group(3)
        old = found.get(m.group(1))
        found[m.group(1)] = value if old is None else max(old, value, key=lambda v: (len(v), v))
    return found


def _past_declaration(xml: bytes) -> int:
    m = _XML_DECLARATION.match(xml)
    return m.end() if m else 0


def _shared_texts(package: _Package) -> _SharedTexts | None:
    """xl/sharedStrings.xml checked before calamine reads it: its size, the number of
    texts it declares (calamine reserves room for as many), the length of each."""
    info = package.get("xl/sharedStrings.xml")
    if info is None:
        return None
    name = package.name
    if info.file_size > MAX_SHARED_BYTES:
        raise _too_big(name, f"的共享文本表解压后有 {info.file_size / (1 << 20):,.0f} MB，超过了一次导入的上限"
                             f"（{MAX_SHARED_BYTES >> 20} MB）")
    sst = package.unpack(info)
    markup = _MARKUP.search(sst, _past_declaration(sst))
    if markup and _DTD.search(sst, markup.start()):
        raise _suspicious(name, f"内部的“{info.filename}”带有文档类型声明（DTD）")
    root = _UNIQUE_COUNT.search(sst, 0, 1 << 16)
    declared = _attributes(root.group(1)).get(b"uniqueCount") if root else None
    if declared is not None:
        digits = declared.strip().lstrip(b"+")
        if digits.isdigit() and _number(digits) > min(MAX_SHARED_STRINGS, len(sst) // 4 + 1):
            raise _suspicious(name, f"的共享文本表声称有 {_number(digits):,} 条文本")
    if markup:  # a comment may hold "<si"
        starts = [m.start() for m in _SI_TOKEN.finditer(sst) if m.group(1)]
    else:
        prefix = b""
        if root:
            tag = root.group(0)
            prefix = tag[1:tag.index(b"sst")]
        marker = b"<" + prefix + b"si"
        starts = [m.start() for m in re.finditer(re.escape(marker) + rb"(?=[\s/>])", sst)]
    ends = starts[1:] + [len(sst)]
    return _SharedTexts([end - start for start, end in zip(starts, ends)])


def _guard_xlsx(package: _Package) -> tuple[bytes, dict[str, _SheetScan]]:
    """Every part of an .xlsx unpacked (so calamine reads no more than the directory
    says) and every sheet scanned; returns the bytes calamine is to read, without the
    stray cells far outside the table if there were any, and each sheet's scan."""
    name = package.name
    targets = {a.get("Id"): a.get("Target", "") for tag, a in _small_xml(package, "xl/_rels/workbook.xml.rels")
               if tag == "Relationship"}
    part_sheet: dict[str, str] = {}  # part → sheet name, resolved as calamine resolves it
    count = 0
    for tag, a in _small_xml(package, "xl/workbook.xml"):
        if tag != "sheet":
            continue
        count += 1
        target = targets.get(a.get("r:id", a.get("relationships:id")), "")
        path = target[1:] if target.startswith("/xl/") else target if target.startswith("xl/") else f"xl/{target}"
        part_sheet.setdefault(_key(path), a.get("name", ""))
    if count > MAX_SHEETS:
        raise _too_many_sheets(name, count)
    texts = _shared_texts(package)
    scans: dict[str, _SheetScan] = {}
    trimmed: dict[str, bytes] = {}
    # every part, whatever its name: a relationship may point calamine at any of them
    for key, info in package.parts.items():
        if info.is_dir():
            continue
        xml = package.unpack(info)
        if b"sheetData" not in xml:
            continue
        sheet = part_sheet.get(key, info.filename)
        scan = _scan_sheet_xml(xml, texts, name, sheet)
        scan.check(name, sheet)
        scans[sheet] = scan
        if scan.strays:
            trimmed[key] = _without(xml, [(start, end) for _ref, start, end in scan.strays])
    data = package.data
    if trimmed:  # the package again, the stray cells taken out of their sheets
        made = io.BytesIO()
        with zipfile.ZipFile(made, "w", zipfile.ZIP_STORED) as out:
            for key, info in package.parts.items():
                if not info.is_dir():
                    out.writestr(info.filename, trimmed.get(key) or package.unpack(info))
        data = made.getvalue()
    return data, scans


def _without(xml: bytes, spans: list[tuple[int, int]]) -> bytes:
    pieces, at = [], 0
    for start, end in sorted(spans):
        pieces.append(xml[at:start])
        at = max(at, end)
    pieces.append(xml[at:])
    return b"".join(pieces)


# A cell written the way Excel, WPS, LibreOffice and openpyxl write one: <c r="B7"
# s="1" t="s">, its reference first, then a few short attributes.
_PLAIN_ATTRS = rb'(?: (?!r=)[a-z]{1,2}="[^"<>]*")*'
_SHEET_DATA = re.compile(rb"<([^\s<>/!?:]+:)?sheetData(?=[\s/>])")
_FAR_REF = rb"(?=(?:[A-Z]{3,}|[H-Z][A-Z]|G[S-Z])[0-9]|[A-Z]+[0-9]{7,}\")"  # beyond GR, or row 1,000,000 on


@dataclass(frozen=True)
class _CellPatterns:
    open: bytes  # <c
    close: bytes  # </c>
    suspect: re.Pattern  # a cell written otherwise, or beyond AZ99999
    odd: re.Pattern  # a cell written otherwise
    columns: re.Pattern
    rows: re.Pattern
    far: re.Pattern  # a cell beyond GR, or from row 1,000,000 on
    cell: re.Pattern  # every cell
    shared: re.Pattern  # a shared-text cell and its text's number
    row: re.Pattern  # a row element


@lru_cache(maxsize=8)
def _cell_patterns(prefix: bytes) -> _CellPatterns:
    c = re.escape(b"<" + prefix + b"c")
    ref = rb' r="([A-Z]+)([0-9]+)"'
    return _CellPatterns(
        open=b"<" + prefix + b"c",
        close=b"</" + prefix + b"c>",
        suspect=re.compile(c + rb'(?:[\t\n\r/>]| (?!r="A?[A-Z][1-9][0-9]{0,4}"' + _PLAIN_ATTRS + rb"/?>))"),
        odd=re.compile(c + rb'(?:[\t\n\r/>]| (?!r="[A-Z]+[0-9]+"' + _PLAIN_ATTRS + rb"/?>))"),
        columns=re.compile(c + rb' r="([A-Z]+)'),
        rows=re.compile(c + rb' r="[A-Z]+([0-9]+)"'),
        far=re.compile(c + rb' r="' + _FAR_REF + rb'([A-Z]+)([0-9]+)"' + _PLAIN_ATTRS + rb"(/?)>"),
        cell=re.compile(c + ref + _PLAIN_ATTRS + rb"(/?)>"),
        shared=re.compile(rb' t="s"' + _PLAIN_ATTRS + rb"><" + re.escape(prefix) + rb"v>([0-9]+)<"),
        row=re.compile(re.escape(b"<" + prefix + b"row") + rb"(?=[\s/>])(" + _ATTRS + rb")>"),
    )


def _column_number(letters: bytes) -> int:
    """A column's letters as its number, A → 1 (past ZZZZ, just a number past Excel's last)."""
    if len(letters) > 4:
        return 26**4 + 1
    number = 0
    for ch in letters.upper():
        number = number * 26 + ch - 64
    return number


def _scan_sheet_xml(xml: bytes, texts: _SharedTexts | None, name: str, sheet: str) -> _SheetScan:
    """A sheet's values found from its cell references, as calamine will place them.
    A sheet written as spreadsheet programs write one is checked in a few passes of
    the regular-expression engine over every "<c" in it (a comment or CDATA can only
    make it see a cell calamine does not); any other is walked tag by tag (_scan_any)."""
    m = _SHEET_DATA.search(xml)
    prefix = (m.group(1) or b"") if m else b""
    p = _cell_patterns(prefix)
    plain = not _other_cells(xml, prefix, p)
    scan = _SheetScan()
    if plain and p.suspect.search(xml) is None:
        scan.last_row, scan.last_column = 1, 1  # within AZ99999: no need to know how far exactly
    elif plain and p.odd.search(xml) is None:
        _scan_plain(xml, p, scan)
    else:
        return _scan_any(xml, texts, scan, name, sheet)
    if texts is not None and texts.longest:
        _count_shared_text(xml, p, texts, scan)
    if _HIDDEN.search(xml):
        hidden = _hidden_rows(xml, p)
        if hidden is None:  # a hidden row without its number: walked tag by tag
            return _scan_any(xml, texts, _SheetScan(), name, sheet)
        scan.hidden = hidden
    return scan


def _other_cells(xml: bytes, prefix: bytes, p: _CellPatterns) -> bool:
    """Whether any cell is written with another namespace prefix than the sheet's."""
    if not prefix:
        return re.search(rb":c[\s/>]", xml) is not None
    return len(re.findall(rb":c[\s/>]", xml)) != xml.count(p.open + b" ") or re.search(rb"<c[\s/>]", xml) is not None


def _scan_plain(xml: bytes, p: _CellPatterns, scan: _SheetScan) -> None:
    """Every cell written plainly, some beyond AZ99999: how far they reach, and the
    values beyond MAX_COLUMNS (or below Excel's last row)."""
    columns = [n for n in map(_column_number, set(p.columns.findall(xml)))]
    rows = [_number(r) for r in set(p.rows.findall(xml))]
    scan.last_column = max((n for n in columns if n <= MAX_COLUMNS), default=0)
    scan.last_row = max((n for n in rows if n <= MAX_SHEET_ROWS), default=0)
    if scan.last_row * scan.last_column > MAX_CELLS and len(xml) <= MAX_WALKED_BYTES:
        # as far as empty, formatted cells reach: where the values end is worth a closer look
        scan.last_row = scan.last_column = 0
        for m in p.cell.finditer(xml):
            if not m.group(3) and not xml.startswith(p.close, m.end()):
                row, column = _number(m.group(2)), _column_number(m.group(1))
                if row <= MAX_SHEET_ROWS and column <= MAX_COLUMNS:
                    scan.last_row, scan.last_column = max(scan.last_row, row), max(scan.last_column, column)
    if max(columns, default=0) <= MAX_COLUMNS and max(rows, default=0) <= MAX_SHEET_ROWS:
        return
    for m in p.far.finditer(xml):
        row, column = _number(m.group(2)), _column_number(m.group(1))
        if (row <= MAX_SHEET_ROWS and column <= MAX_COLUMNS) or m.group(3):
            continue  # not far after all (row 1,000,000), or an empty formatted cell
        end = xml.find(p.close, m.end())
        end = len(xml) if end < 0 else end
        if xml[m.end():end].strip():
            scan.value_at(row, column, (m.group(1) + m.group(2)).decode(), m.start(), end + len(p.close))


def _count_shared_text(xml: bytes, p: _CellPatterns, texts: _SharedTexts, scan: _SheetScan) -> None:
    cells = xml.count(b' t="s"')  # every shared-text cell (a plain cell writes t="s" just so)
    if cells * texts.longest <= MAX_TEXT_BYTES:
        scan.text = cells * texts.longest
        return
    numbers = p.shared.findall(xml)
    scan.text = sum(map(texts.bound, map(_number, numbers))) + (cells - len(numbers)) * texts.longest


_HIDDEN = re.compile(rb"""hidden\s*=\s*["'](?:1|true)["']""")  # LibreOffice writes hidden="false" on every row


def _hidden_rows(xml: bytes, p: _CellPatterns) -> list[tuple[int, int]] | None:
    """The rows hidden in Excel (<row r="7" hidden="1">), or None when a hidden row
    does not say its number."""
    hidden = []
    at = 0
    while (found := _HIDDEN.search(xml, at)) is not None:
        at = found.end()
        m = p.row.match(xml, max(xml.rfind(b"<", 0, found.start()), 0))
        if m and m.end() > found.start():  # a row's, not a column's or a sheet view's
            number = _attributes(m.group(1)).get(b"r", b"")
            if not number.isdigit():
                return None
            hidden.append((_number(number) - 1, _number(number)))
            at = m.end()  # each row element looked at once
    return hidden


# Where the next element calamine gives a meaning to in a sheet begins, or what it skips over.
_SHEET_NEXT = re.compile(rb"<!--|<!\[CDATA\[|<\?|<(/?)(?:[^\s<>/!?:]+:)?(row|c|sheetData)(?=[\s/>])")
_SKIP_TO = {b"<!--": b"-->", b"<![CDATA[": b"]]>", b"<?": b"?>"}
_CELL_END = re.compile(rb"</(?:[^\s<>/!?:]+:)?c\s*>")
_SHARED_NUMBER = re.compile(rb"<(?:[^\s<>/!?:]+:)?v\s*>\s*([0-9]+)")


def _reference(ref: bytes) -> tuple[int, int | None] | None:
    """(row, column or None) of a reference such as B7, 1-based, read as calamine
    reads it (letters of either case, then digits); None where calamine fails."""
    m = re.fullmatch(rb"([A-Za-z]*)([0-9]+)", ref)
    if not m or _number(m.group(2)) == 0:
        return None
    return _number(m.group(2)), (_column_number(m.group(1)) if m.group(1) else None)


def _scan_any(xml: bytes, texts: _SharedTexts | None, scan: _SheetScan, name: str, sheet: str) -> _SheetScan:
    """A sheet walked element by element, placing cells as calamine does: a cell's own
    reference, or else the next column of the current row; a row's own number, or
    else the one after the last. Each byte is looked at once or twice: a cell's
    content is stepped over, as calamine reads it as the cell's."""
    if len(xml) > MAX_WALKED_BYTES:  # about ten seconds of walking: saved again by Excel, it is quick to check
        raise _suspicious(name, f"的工作表“{sheet}”写法特殊且有 {len(xml) / (1 << 20):,.0f} MB，无法预先检查")
    bang = xml.find(b"<!")
    if bang >= 0 and _DTD.search(xml, bang):  # its declarations would throw this walk off, not calamine
        raise _suspicious(name, f"的工作表“{sheet}”带有文档类型声明（DTD）")
    row = column = 0  # 0-based, as calamine counts
    inside = False
    at = 0
    while (m := _SHEET_NEXT.search(xml, at)) is not None:
        skip_to = _SKIP_TO.get(m.group(0))
        if skip_to is not None:  # a comment, CDATA, a processing instruction
            end = xml.find(skip_to, m.end())
            if end < 0:
                raise _damaged_sheet(name, sheet)
            at = end + len(skip_to)
            continue
        tag = _TAG_REST.match(xml, m.end())
        if tag is None:  # a tag never closed, or with a bare < in it
            raise _damaged_sheet(name, sheet)
        at = tag.end()
        kind, ending, raw = m.group(2), m.group(1) == b"/", tag.group(1)
        closed = raw.rstrip().endswith(b"/")
        if kind == b"sheetData":
            if inside and (ending or closed):
                break
            inside = inside or not ending
            if closed:
                break
            continue
        if not inside or (ending and kind == b"c"):
            continue
        if kind == b"row":
            if not ending:
                attrs = _attributes(raw)
                if b"r" in attrs:
                    place = _reference(attrs[b"r"])
                    if place is None:
                        raise _damaged_sheet(name, sheet)
                    row = place[0] - 1
                if attrs.get(b"hidden") in (b"1", b"true"):
                    scan.hidden.append((row, row + 1))
            if ending or closed:
                row, column = row + 1, 0
            continue
        attrs = _attributes(raw)
        if b"r" in attrs:
            place = _reference(attrs[b"r"])
            if place is None or place[1] is None:
                raise _damaged_sheet(name, sheet)
            at_row, column = place[0] - 1, place[1] - 1
        else:
            at_row = row
        at_column, column = column, column + 1
        if closed:
            continue  # an empty, formatted cell
        end = _CELL_END.search(xml, at)
        if end is None:
            raise _damaged_sheet(name, sheet)
        content, start, at = xml[at:end.start()], m.start(), end.end()
        if not content.strip():
            continue
        if texts is not None and attrs.get(b"t") == b"s":
            number = _SHARED_NUMBER.search(content)
            scan.text += texts.bound(_number(number.group(1))) if number else texts.longest
        else:
            scan.text += len(content)
        scan.value_at(at_row + 1, at_column + 1, f"{_column_name(min(at_column + 1, 26**4))}{at_row + 1}", start, at)
    return scan


# ---- .ods: the one content.xml holds every sheet ------------------------------------------------------
_ODS_NEXT = re.compile(rb"<(/?)table:(table|table-row|table-cell|covered-table-cell)(?=[\s/>])")
_ODS_VALUE = re.compile(rb"office:(?:value|string-value|date-value|time-value|boolean-value|value-type)\s*="
                        rb"|table:formula\s*=")
_ODS_SPACES = re.compile(rb"""text:c\s*=\s*["']([^"']*)["']""")


def _guard_ods(package: _Package) -> dict[str, _SheetScan]:
    """Every part unpacked (no more than the directory says) and content.xml walked as
    calamine reads it: repeated rows and cells (number-rows-repeated, -columns-) are
    copied into calamine's grid, so they count as many times as they repeat. No
    cells are left out of an .ods: beyond the limits, it is refused."""
    name = package.name
    for info in package.parts.values():
        if not info.is_dir():
            package.unpack(info)
    content = package.unpack(package.get("content.xml"))
    if _MARKUP.search(content, _past_declaration(content)):
        raise _suspicious(name, "的 content.xml 带有注释、文档类型声明或处理指令")
    for m in _ODS_SPACES.finditer(content):
        if not m.group(1).isdigit() or _number(m.group(1)) > MAX_TEXT_REPEAT:
            raise _suspicious(name, f"有一处空格重复了 {m.group(1).decode(errors='replace')} 次")
    scans: dict[str, _SheetScan] = {}
    scan: _SheetScan | None = None
    sheet = ""
    row = column = 0
    row_repeat = 1
    at = 0
    while (m := _ODS_NEXT.search(content, at)) is not None:
        tag = _TAG_REST.match(content, m.end())
        if tag is None:  # a tag never closed, or with a bare < in it
            raise _damaged_sheet(name, sheet)
        at = tag.end()
        ending, kind, raw = m.group(1) == b"/", m.group(2), tag.group(1)
        closed = raw.rstrip().endswith(b"/")
        if kind == b"table":
            if scan is not None and (ending or closed):
                scan.check(name, sheet, stray_cells_allowed=False)
                scan = None
            elif not ending:
                sheet = html.unescape(_attributes(raw).get(b"table:name", b"").decode("utf-8", "replace"))
                scan = scans.setdefault(sheet, _SheetScan())
                row = column = 0
            continue
        if scan is None:
            continue
        if kind == b"table-row":
            if not ending:
                attrs = _attributes(raw)
                row_repeat = _ods_count(attrs.get(b"table:number-rows-repeated"), name, sheet)
                if attrs.get(b"table:visibility") in (b"collapse", b"filter"):
                    scan.hidden.append((row, row + row_repeat))
                column = 0
            if ending or closed:
                row, column, row_repeat = row + row_repeat, 0, 1
            continue
        if ending:
            continue
        attrs = _attributes(raw)
        repeat = _ods_count(attrs.get(b"table:number-columns-repeated"), name, sheet)
        valued = _ODS_VALUE.search(raw) is not None  # a cell without a value type is empty, whatever it shows
        text = len(raw)
        if not closed:
            end = content.find(b"</table:" + kind + b">", at)
            inner = content[at:end if end >= 0 else len(content)]
            if b"<table:" in inner:  # a table inside a cell: calamine and this walk would part ways
                raise _suspicious(name, f"的工作表“{sheet}”中有嵌套的表格")
            text += len(inner) + sum(map(_number, _ODS_SPACES.findall(inner)))
            at = end if end >= 0 else len(content)
        if valued:
            last_row, last_column = row + row_repeat, column + repeat
            scan.text += text * repeat * row_repeat
            ref = f"{_column_name(min(last_column, 16384))}{last_row}"
            scan.value_at(last_row, last_column, ref, 0, 0)
        column += repeat
    if scan is not None:
        scan.check(name, sheet, stray_cells_allowed=False)
    return scans


def _ods_count(value: bytes | None, name: str, sheet: str) -> int:
    if value is None:
        return 1
    if not value.strip().isdigit():
        raise _damaged_sheet(name, sheet)
    return max(_number(value), 1)


# ---- finding the table -------------------------------------------------------------

_PARENS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|<[^<>]*>")
_NOISE = re.compile(r"[\s*※:]+")
# the table ends at its totals, or at the sign-off line printed under it
_TOTAL_PREFIXES = ("合计", "总计", "填报人", "填表人", "制表人", "审核人")
_SUBTOTAL_PREFIXES = ("小计",)


def normalise_header(value: object) -> str:
    """A header cell as compared with field labels: NFKC, no spaces, line breaks,
    asterisks, colons or parenthesised notes such as （必填）."""
    if value is None:
        return ""
    s = unicodedata.normalize("NFKC", str(value))
    s = _PARENS.sub("", s)
    return _NOISE.sub("", s).lower()


# A confirmed column mapping: normalised header → field key, or "" for a column
# the secretary chose not to import. It overrides the known wordings.
Mapping = dict[str, str]


def _header_index(fields: Sequence[F.Field], mapping: Mapping | None = None) -> dict[str, str]:
    index: dict[str, str] = {}
    for f in fields:
        for header in f.all_headers:
            index.setdefault(normalise_header(header), f.key)
    for header, key in (mapping or {}).items():
        if key:
            index[header] = key
        else:
            index.pop(header, None)
    return index


def guess_field(header: object, fields: Sequence[F.Field]) -> str | None:
    """For a header no wording matches, the field it most likely means (人员姓名 →
    姓名, 身份证件号 → 身份证号), or None: a guess the secretary must confirm."""
    text = normalise_header(header)
    if len(text) < 2:
        return None
    best, best_score = None, 0.0
    for f in fields:
        for wording in f.all_headers:
            w = normalise_header(wording)
            if len(w) < 2:
                continue
            score = SequenceMatcher(None, text, w).ratio()
            if w in text or text in w:
                score = max(score, 0.75)
            if score > best_score:
                best, best_score = f.key, score
    return best if best_score >= 0.6 else None


def _cell(row: Sequence[object], i: int) -> object:
    return row[i] if i < len(row) else None


def _match_row(cells: Sequence[object], index: dict[str, str]):
    """(columns, headers, ignored) for one candidate header row."""
    columns: dict[str, int] = {}
    headers: dict[str, str] = {}
    ignored: list[str] = []
    for i, value in enumerate(cells):
        if value is None:
            continue
        text = str(value).strip()
        key = index.get(normalise_header(value))
        if key is not None and key not in columns:
            columns[key] = i
            headers[key] = text
        elif text:
            ignored.append(text)
    return columns, headers, ignored


def _combine(upper: Sequence[object], lower: Sequence[object]) -> list[object]:
    """Two header rows read as one: the lower row's name where it has one, else the
    upper row's (a name merged down over both rows lives in the upper row)."""
    width = max(len(upper), len(lower))
    return [_cell(lower, i) if _cell(lower, i) is not None else _cell(upper, i) for i in range(width)]


def _best_header(sheet: Sheet, index: dict[str, str]):
    """(score, first row index, height, combined cells) of the best header, or None."""
    scan = sheet.rows[:HEADER_SCAN_ROWS]
    scores = [len(_match_row(r, index)[0]) for r in scan]
    best = None
    for i, row in enumerate(scan):
        candidates = [(scores[i], 1, list(row))]
        if i + 1 < len(scan) and scores[i] and scores[i + 1]:
            combined = _combine(row, scan[i + 1])
            score = len(_match_row(combined, index)[0])
            # On a tie the two-row reading wins: 联系方式 merged over 手机 / 固定电话 scores
            # the same either way, and the lower row is header, not the first data row.
            if score >= max(scores[i], scores[i + 1]):
                candidates.append((score, 2, combined))
        for score, height, cells in candidates:
            if score >= MIN_HEADER_MATCHES and (best is None or score > best[0] or
                                                (score == best[0] and best[1] == i and height > best[2])):
                best = (score, i, height, cells)
    return best


def choose_sheet(sheets: Sequence[Sheet], fields: Sequence[F.Field], mapping: Mapping | None = None) -> Sheet | None:
    """The sheet whose header matches the most fields (the first on a tie), or
    None when no sheet has a recognisable header."""
    found = roster_sheets(sheets, fields, mapping)
    return max(found, key=lambda pair: pair[1])[0] if found else None


def roster_sheets(sheets: Sequence[Sheet], fields: Sequence[F.Field],
                  mapping: Mapping | None = None) -> list[tuple[Sheet, int]]:
    """Every sheet with a recognisable header for these fields, with its score, in
    the workbook's order: where there are several, the secretary may pick another."""
    index = _header_index(fields, mapping)
    found = []
    for sheet in sheets:
        best = _best_header(sheet, index)
        if best is not None:
            found.append((sheet, best[0]))
    return found


def _first_text(row: Sequence[object]) -> str:
    for value in row:
        if value is not None:
            return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))
    return ""


def locate_table(sheet: Sheet, fields: Sequence[F.Field], mapping: Mapping | None = None) -> Table:
    """Find the header among the first rows of the sheet and collect the data rows
    below it, skipping blank rows, subtotals and repeated headers, and stopping at
    a 合计/总计 row."""
    index = _header_index(fields, mapping)
    best = _best_header(sheet, index)
    if best is None:
        examples = "".join(f"“{f.label}”" for f in fields[:2])
        raise ExchangeError(
            f"“{sheet.file_name}”的工作表“{sheet.name}”中找不到表头（如{examples}），"
            "请确认选择了正确的文件和工作表。"
        )
    score, first, height, cells = best
    columns, headers, ignored = _match_row(cells, index)
    width = len(cells)
    header_texts = {str(c).strip() for c in cells if c is not None}
    table = Table(
        sheet_name=sheet.name,
        header_row=first + 1,
        header_height=height,
        columns=columns,
        headers=headers,
        ignored=ignored,
        file_name=sheet.file_name,
    )
    for i in range(first + height, len(sheet.rows)):
        row = sheet.rows[i]
        if not row:
            continue
        lead = _first_text(row)
        if lead.startswith(_TOTAL_PREFIXES):
            break
        if lead.startswith(_SUBTOTAL_PREFIXES):
            continue
        # the header repeated (printed pages): a copy of the header's cells, so the row is
        # matched word by word only when enough of its texts are the header's own
        # (normalising every cell of every row would cost an NFKC each)
        if sum(1 for v in row if isinstance(v, str) and v.strip() in header_texts) >= score \
                and len(_match_row(row, index)[0]) >= score:
            continue
        cells_ = list(row[:width])
        cells_.extend([None] * (width - len(cells_)))
        # values only in columns without a header: looked for only where the row's last cell
        # is cut off or empty (rows end at their last value: _collect_rows)
        if (len(row) > width or row[-1] is None) and all(v is None for v in cells_):
            continue
        table.rows.append((i + 1, cells_))
    return table


# ---- cells to text -----------------------------------------------------------------


def cell_text(value: object, field: F.Field) -> str | None:
    """A cell value → the text field.parse expects; None for an empty cell.
    Raises CellError when Excel's storage may have changed what was typed."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, (int, float)):
        return _number_text(value, field)
    return str(value).strip() or None


def _number_text(value: int | float, field: F.Field) -> str:
    integral = isinstance(value, int) or (value == value and abs(value) != float("inf") and value == int(value))
    if field.kind == F.ID_NUMBER:
        raise CellError(
            f"“{field.label}”被 Excel 存成了数字，后几位可能已经丢失：请把这一列设为“文本”格式后重新录入。"
        )
    if field.kind == F.PHONE:
        if integral and re.fullmatch(r"1[3-9]\d{9}", str(int(value))):
            return str(int(value))  # a mobile number survives as a number
        raise CellError(
            f"“{field.label}”被 Excel 存成了数字，开头的 0 或后几位可能已经丢失：请把这一列设为“文本”格式后重新录入。"
        )
    if integral:
        return str(int(value))
    text = repr(float(value))
    if field.kind == F.DATE:
        # 1965.03 typed into a General cell is the number 1965.03: as text it reads as
        # typed. Only a single decimal 1 is unsure: 2020.1 and 2020.10 are the same number.
        year, _dot, month = text.partition(".")
        if field.allow_month and len(year) == 4 and month != "1":
            return text
        raise CellError(
            f"“{field.label}”里的“{text}”被 Excel 存成了数字，分不清月份（如 2020.1 和 2020.10）："
            "请把这一列设为“文本”格式，或写成 2020-10 这样的日期后重新录入。"
        )
    return text


def header_cells_of(rows: Sequence[Sequence[object]], table: Table) -> list:
    """The header as the file wrote it, one cell per column (the lower row of a two-row header)."""
    width = max((len(c) for _r, c in table.rows), default=0)
    upper = list(rows[table.header_row - 1])
    lower = list(rows[table.header_row]) if table.header_height == 2 else []
    cells = []
    for i in range(width):
        low = lower[i] if i < len(lower) else None
        up = upper[i] if i < len(upper) else None
        cells.append(low if low is not None else up)
    return cells
