"""The reading core of the Excel import: open a real, messy file, find the table
in it, and turn cells into the text the field parsers expect.

Every failure that stops a whole file raises ExchangeError with one Chinese
sentence naming the file; a problem with a single cell raises CellError.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from difflib import SequenceMatcher
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import date, datetime
from pathlib import Path
from typing import Iterable, Sequence

from .. import fields as F
from ..validation import Invalid
from . import ExchangeError

MAX_DATA_ROWS = 200_000  # non-empty rows per sheet; beyond this we refuse the file
HEADER_SCAN_ROWS = 15  # the header row must be among the first rows of a sheet
MIN_HEADER_MATCHES = 2

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


def read_workbook(path: str | Path) -> list[Sheet]:
    """Every sheet of an .xlsx/.xlsm/.xlsb/.xls/.ods workbook, or the one sheet of
    a .csv file. The format is judged by the file's content, not its name."""
    path = Path(path)
    name = path.name
    try:
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
    if data.startswith(_ZIP_MAGIC) or data.startswith(_OLE_MAGIC):
        return _read_calamine(data, name)
    if path.suffix.lower() in _TEXT_SUFFIXES:
        return [Sheet(path.stem, _collect_rows(_csv_rows(data, name), name, path.stem), name)]
    raise _not_spreadsheet(name)


def _not_spreadsheet(name: str) -> ExchangeError:
    return ExchangeError(
        f"“{name}”不是 Excel 文件，或文件已损坏，请用 Excel 或 WPS 打开后另存为 .xlsx 再导入。"
    )


def _password_error(name: str) -> ExchangeError:
    return ExchangeError(
        f"“{name}”设置了打开密码，无法读取，请用 Excel 或 WPS 打开并取消密码后另存为 .xlsx 再导入。"
    )


def _read_calamine(data: bytes, name: str) -> list[Sheet]:
    import python_calamine as pc

    try:
        workbook = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except pc.PasswordError:
        raise _password_error(name) from None
    except Exception:  # ZipError, XmlError, CalamineError, and whatever a broken file provokes
        raise _not_spreadsheet(name) from None
    sheets: list[Sheet] = []
    try:
        for meta in workbook.sheets_metadata:
            if meta.typ != pc.SheetTypeEnum.WorkSheet:
                continue  # a chart or macro sheet: nothing to import from it
            try:
                sheet = workbook.get_sheet_by_name(meta.name)
                raw_rows = sheet.iter_rows()
            except pc.PasswordError:
                raise _password_error(name) from None
            except Exception:
                # A damaged sheet is said, not skipped: the roster may be the one on it.
                raise ExchangeError(f"“{name}”的工作表“{meta.name}”已损坏，无法读取：请在 Excel 或 WPS 中打开，"
                                    "另存为 .xlsx 后再导入。") from None
            sheets.append(Sheet(meta.name, _collect_rows(raw_rows, name, meta.name), name))
    finally:
        workbook.close()
    if not sheets:
        raise _not_spreadsheet(name)
    return sheets


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
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error:
        raise _not_spreadsheet(name) from None


def _collect_rows(raw_rows: Iterable[Sequence[object]], file_name: str, sheet_name: str) -> list[Sequence[object]]:
    """Blank cells → None, each row trimmed after its last value, trailing blank
    rows dropped; refuses a sheet with more than MAX_DATA_ROWS non-empty rows."""
    rows: list[Sequence[object]] = []
    pending_blank = 0  # blank rows not yet known to be followed by a value
    filled = 0
    for raw in raw_rows:
        cells = [(v if v.strip() else None) if isinstance(v, str) else v for v in raw]  # blank text → None
        while cells and cells[-1] is None:
            cells.pop()
        if not cells:
            pending_blank += 1
            continue
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
