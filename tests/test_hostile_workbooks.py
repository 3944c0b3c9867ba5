"""Workbooks built to hurt the reader, and the sheets and rows Excel hides.

Every hostile file is made here, at run time, and read twice in a child process
under a 1.5 GB address-space limit: by the reader itself and by the command line
(`python -m branchdesk --db X import FILE`). Each must be refused in one Chinese
sentence (exit 2, nothing changed) or read correctly, within 5 s and 300 MB, and
never end the process (python-calamine aborts the whole process, with a Rust
backtrace, when it cannot have the memory a grid needs)."""
from __future__ import annotations

import os
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import openpyxl
import pytest
from exchange_helpers import HEADER, build_qiming, make_id, plan

from branchdesk.cli import main as cli_main
from branchdesk.exchange import ExchangeError, reader
from branchdesk.exchange.importer import NEW, hidden_of, left_out_text
from branchdesk.exchange.reader import read_book, read_workbook
from branchdesk.services import people
from branchdesk.store import open_store

SECONDS = 5.0
PEAK_MB = 300
ADDRESS_SPACE = 1536 << 20  # the child's memory limit: a reader that asks for more fails here, not the machine

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
           'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
           'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
           'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"')


# ---- making workbooks ----------------------------------------------------------------------------
def roster_rows(count: int) -> list[list]:
    """count members of 启明小区, valid for build_qiming's organisation, in HEADER's columns."""
    data = []
    for i in range(count):
        born = f"{1950 + i % 50}{1 + i % 12:02d}{1 + i % 28:02d}"
        serial = f"{100 + i % 900:03d}"
        room = f"{1 + i // 6 % 4}0{1 + i // 24 % 2}"
        data.append([i + 1, f"党员{i + 1:03d}", "男" if int(serial[-1]) % 2 else "女", None,
                     make_id(born, serial, region=f"{110101 + i // 900}"), "2001.07", "正式党员", "启明小区党支部",
                     f"136{i:08d}", f"{1 + i % 3}-{1 + i // 3 % 2}-{room}", None])
    return data


def write_xlsx(path: Path, data: list[list], title: str = "党员") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    ws.append(HEADER)
    for row in data:
        ws.append(row)
    wb.save(path)
    return path


def rewrite_part(path: Path, part: str, change: Callable[[bytes], bytes]) -> Path:
    """Replace one part of a workbook's package by change(its bytes)."""
    with zipfile.ZipFile(path) as zin:
        items = [(info.filename, zin.read(info.filename)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in items:
            zout.writestr(name, change(data) if name == part else data)
    return path


def add_to_row(row: int, cells: str) -> Callable[[bytes], bytes]:
    """Append cells (XML) to the end of an Excel row of a sheet written by openpyxl."""
    def change(xml: bytes) -> bytes:
        at = xml.find(f'<row r="{row}"'.encode())
        end = xml.find(b"</row>", at)
        return xml[:end] + cells.encode() + xml[end:]
    return change


def hand_made(path: Path, sheets: list[tuple[str, str | bytes]], *, shared: str | None = None,
              workbook_extra: str = "", extra: dict[str, bytes | Callable] | None = None) -> Path:
    """A minimal .xlsx written part by part: sheets are (name, the worksheet's inner XML);
    extra parts are bytes, or a function writing them to a stream (a bomb, without holding it)."""
    listed = "".join(f'<sheet name="{n}" sheetId="{i + 1}" r:id="rId{i + 1}"/>' for i, (n, _x) in enumerate(sheets))
    rels = "".join(f'<Relationship Id="rId{i + 1}" Type="{_REL}/worksheet" Target="worksheets/sheet{i + 1}.xml"/>'
                   for i in range(len(sheets)))
    parts: dict[str, str | bytes] = {
        "[Content_Types].xml": (f'<Types xmlns="{_PKG}/content-types">'
                                '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                                'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
                                f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/></Types>'),
        "_rels/.rels": (f'<Relationships xmlns="{_PKG}/relationships"><Relationship Id="rId1" '
                        f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (f'<workbook xmlns="{_NS}" xmlns:r="{_REL}">{workbook_extra}<sheets>{listed}</sheets>'
                            "</workbook>"),
    }
    if shared is not None:
        rels += f'<Relationship Id="rIdS" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
        parts["xl/sharedStrings.xml"] = shared
    parts["xl/_rels/workbook.xml.rels"] = f'<Relationships xmlns="{_PKG}/relationships">{rels}</Relationships>'
    for i, (_name, xml) in enumerate(sheets):
        parts[f"xl/worksheets/sheet{i + 1}.xml"] = xml if isinstance(xml, bytes) else \
            f'<worksheet xmlns="{_NS}">{xml}</worksheet>'
    parts.update(extra or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            if callable(data):
                with z.open(name, "w", force_zip64=True) as stream:
                    data(stream)
            else:
                z.writestr(name, data)
    return path


def repeated(head: bytes, chunk: bytes, times: int, tail: bytes) -> Callable:
    def write(stream) -> None:
        stream.write(head)
        for _ in range(times):
            stream.write(chunk)
        stream.write(tail)
    return write


def one_cell(ref: str, value: str = "x") -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def hand_made_ods(path: Path, body: str, styles: str = "") -> Path:
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NS} office:version="1.2">'
               f"{styles}<office:body><office:spreadsheet>{body}</office:spreadsheet></office:body>"
               "</office:document-content>")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:'
                   'xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="content.xml" '
                   'manifest:media-type="text/xml"/></manifest:manifest>')
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return path


def ods_cell(value: str, repeat: int = 1) -> str:
    again = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return f'<table:table-cell office:value-type="string"{again}><text:p>{value}</text:p></table:table-cell>'


# ---- the corpus ------------------------------------------------------------------------------------
def far_cell_alone(path: Path) -> Path:
    """The issue's 2 KB file: one value at XFD1048576, a 512 GiB grid for calamine."""
    return hand_made(path, [("Sheet1", f'<sheetData><row r="1048576">{one_cell("XFD1048576")}</row></sheetData>')])


def roster_and_far_cell(path: Path) -> Path:
    write_xlsx(path, roster_rows(20))
    return rewrite_part(path, "xl/worksheets/sheet1.xml",
                        lambda xml: xml.replace(b"</sheetData>", f'<row r="1048576">{one_cell("XFD1048576")}</row>'
                                                                 "</sheetData>".encode()))


def roster_and_stray_x(path: Path) -> Path:
    """A real roster of a few hundred rows and one stray x typed into XFD2."""
    write_xlsx(path, roster_rows(300))
    return rewrite_part(path, "xl/worksheets/sheet1.xml", add_to_row(2, one_cell("XFD2")))


def stray_cell_twice_referenced(path: Path) -> Path:
    """<c r="A1" r="XFD1048576">: calamine takes the last r, a scan reading the first would miss it."""
    cell = '<c r="B2" r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>'
    write_xlsx(path, roster_rows(10))
    return rewrite_part(path, "xl/worksheets/sheet1.xml", add_to_row(2, cell))


def cells_without_references(path: Path) -> Path:
    """A row of 16,384 cells without r: calamine counts them off, the last is XFD1."""
    row = '<row r="1">' + "<c/>" * 16_383 + '<c t="inlineStr"><is><t>x</t></is></c></row>'
    return hand_made(path, [("Sheet1", f"<sheetData>{row}</sheetData>")])


def shared_string_bomb(path: Path) -> Path:
    """The issue's bomb: sharedStrings.xml unpacks to 400 MB from under half a megabyte."""
    sst = repeated(f'<sst xmlns="{_NS}" count="1" uniqueCount="1"><si><t>'.encode(), b"a" * (1 << 20), 400,
                   b"</t></si></sst>")
    hand_made(path, [("Sheet1", '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData>')],
              extra={"xl/sharedStrings.xml": sst})
    assert path.stat().st_size < 1 << 20
    return path


def shared_string_count(path: Path) -> Path:
    """uniqueCount="4000000000": calamine reserves room for four billion texts first."""
    sst = f'<sst xmlns="{_NS}" count="1" uniqueCount="4000000000"><si><t>姓名</t></si></sst>'
    return hand_made(path, [("Sheet1", '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData>')],
                     shared=sst)


def one_text_in_every_cell(path: Path) -> Path:
    """One 30,000-character text shown in 20,000 cells: calamine copies it into each, 1.8 GB."""
    import random

    rng = random.Random(7)
    text = "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(30_000))  # does not compress away
    sst = f'<sst xmlns="{_NS}" count="20000" uniqueCount="1"><si><t>{text}</t></si></sst>'
    rows = "".join(f'<row r="{r}">' + "".join(f'<c r="{c}{r}" t="s"><v>0</v></c>' for c in "ABCDEFGHIJ") + "</row>"
                   for r in range(1, 2001))
    return hand_made(path, [("Sheet1", f"<sheetData>{rows}</sheetData>")], shared=sst)


def lying_part_size(path: Path) -> Path:
    """A sheet whose directory entry says 2 KB and which unpacks to 50 MB: a bomb in disguise."""
    sheet = (f'<worksheet xmlns="{_NS}"><sheetData><row r="1">{one_cell("A1", "姓名")}</row></sheetData>'
             "<!--" + "-" * (50 << 20) + "--></worksheet>")
    hand_made(path, [("Sheet1", sheet.encode())])
    data = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    local = data.find(b"PK\x03\x04")
    while data[local + 30:local + 30 + len(name)] != name:
        local = data.find(b"PK\x03\x04", local + 4)
    struct.pack_into("<I", data, local + 22, 2048)
    central = data.find(b"PK\x01\x02")
    while data[central + 46:central + 46 + len(name)] != name:
        central = data.find(b"PK\x01\x02", central + 4)
    struct.pack_into("<I", data, central + 24, 2048)
    path.write_bytes(bytes(data))
    return path


def deep_workbook_xml(path: Path) -> Path:
    return hand_made(path, [("Sheet1", f'<sheetData><row r="1">{one_cell("A1")}</row></sheetData>')],
                     workbook_extra="<x>" * 50_000 + "</x>" * 50_000)


def deep_cell(path: Path) -> Path:
    return hand_made(path, [("Sheet1", '<sheetData><row r="1"><c r="A1">' + "<x>" * 50_000 + "</x>" * 50_000
                             + "<v>1</v></c></row></sheetData>")])


def deep_shared_text(path: Path) -> Path:
    sst = f'<sst xmlns="{_NS}"><si>' + "<r>" * 50_000 + "<t>姓名</t>" + "</r>" * 50_000 + "</si></sst>"
    return hand_made(path, [("Sheet1", '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData>')],
                     shared=sst)


def huge_dimension(path: Path) -> Path:
    """A real roster whose sheet claims A1:XFD1048576."""
    write_xlsx(path, roster_rows(30))
    return rewrite_part(path, "xl/worksheets/sheet1.xml",
                        lambda xml: xml.replace(b"<sheetData>", b'<dimension ref="A1:XFD1048576"/><sheetData>', 1))


def many_sheets(path: Path) -> Path:
    return hand_made(path, [(f"S{i}", f'<sheetData><row r="1">{one_cell("A1")}</row></sheetData>')
                            for i in range(5_000)])


def compression_ratio(path: Path) -> Path:
    """An unused part of 100 MB of zeros in a 100 KB file."""
    return hand_made(path, [("Sheet1", f'<sheetData><row r="1">{one_cell("A1")}</row></sheetData>')],
                     extra={"xl/media/image1.png": repeated(b"", bytes(1 << 20), 100, b"")})


def forged_entry_count(path: Path) -> Path:
    """A zip whose end record claims 60,000 entries: a zip library would make an object for each."""
    hand_made(path, [("Sheet1", f'<sheetData><row r="1">{one_cell("A1")}</row></sheetData>')])
    data = bytearray(path.read_bytes())
    struct.pack_into("<HH", data, data.rfind(b"PK\x05\x06") + 8, 60_000, 60_000)
    path.write_bytes(bytes(data))
    return path


def ods_repeated_cells(path: Path) -> Path:
    """An .ods whose one cell repeats over 16,384 columns and a million rows."""
    row = f'<table:table-row table:number-rows-repeated="1000000">{ods_cell("x", 16_384)}</table:table-row>'
    return hand_made_ods(path, f'<table:table table:name="Sheet1">{row}</table:table>')


def ods_long_spaces(path: Path) -> Path:
    """<text:s text:c="4000000000"/>: four billion spaces."""
    cell = ('<table:table-cell office:value-type="string"><text:p>a<text:s text:c="4000000000"/></text:p>'
            "</table:table-cell>")
    return hand_made_ods(path, f'<table:table table:name="Sheet1"><table:table-row>{cell}</table:table-row>'
                               "</table:table>")


def csv_wide_line(path: Path) -> Path:
    path.write_text("姓名,身份证号\n张三" + "," * 2_000_000 + "x\n", encoding="utf-8")
    return path


@dataclass(frozen=True)
class Hostile:
    make: Callable[[Path], Path]
    suffix: str = ".xlsx"
    said: str = ""  # refused, saying this
    rows: int = 0  # read: the members the import finds (none: no roster in it, the import says so)
    left_out: str = ""  # read, and this cell named as not read


CORPUS = {
    "far-cell-alone": Hostile(far_cell_alone, left_out="XFD1048576"),
    "roster-and-far-cell": Hostile(roster_and_far_cell, rows=20, left_out="XFD1048576"),
    "roster-and-stray-x": Hostile(roster_and_stray_x, rows=300, left_out="XFD2"),
    "reference-twice": Hostile(stray_cell_twice_referenced, rows=10, left_out="XFD1048576"),
    "cells-without-references": Hostile(cells_without_references, left_out="XFD1"),
    "shared-string-bomb": Hostile(shared_string_bomb, said="压缩了"),
    "shared-string-count": Hostile(shared_string_count, said="声称有 4,000,000,000 条文本"),
    "one-text-everywhere": Hostile(one_text_in_every_cell, said="文字合计超过"),
    "lying-part-size": Hostile(lying_part_size, said="与登记的大小不符"),
    "deep-workbook-xml": Hostile(deep_workbook_xml, said="嵌套超过"),
    "deep-cell": Hostile(deep_cell, said="已损坏"),
    "deep-shared-text": Hostile(deep_shared_text),
    "huge-dimension": Hostile(huge_dimension, rows=30),
    "many-sheets": Hostile(many_sheets, said="有 5,000 个工作表"),
    "compression-ratio": Hostile(compression_ratio, said="压缩了"),
    "forged-entry-count": Hostile(forged_entry_count, said="60,000 个部件"),
    "ods-repeated-cells": Hostile(ods_repeated_cells, suffix=".ods", said="有内容（如 XFD"),
    "ods-long-spaces": Hostile(ods_long_spaces, suffix=".ods", said="重复了 4000000000 次"),
    "csv-wide-line": Hostile(csv_wide_line, suffix=".csv", said="列"),
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    return {key: item.make(folder / f"{key}{item.suffix}") for key, item in CORPUS.items()}


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> Path:
    """A database with 启明小区's organisation, shared by the command-line runs (all dry runs or refusals)."""
    path = tmp_path_factory.mktemp("db") / "branchdesk.db"
    store = open_store(path, create=True)
    try:
        build_qiming(store)
    finally:
        store.close()
    return path


# ---- running in a child, under a memory limit ---------------------------------------------------------
# A small launcher forks the measured child: on Linux a child's peak memory (ru_maxrss)
# starts from the size of the process it was forked from, and a test worker may have
# grown to hundreds of MB by then. The launcher reports the child's own figure.
_LAUNCH = """
import os, resource, subprocess, sys
limit, report, args = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
def cap():
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
child = subprocess.Popen(args, preexec_fn=cap)
_pid, status, usage = os.wait4(child.pid, 0)
with open(report, "w") as fh:
    fh.write(f"{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss}")
"""


@dataclass
class Run:
    code: int
    out: str
    err: str
    seconds: float  # wall time of the whole child
    peak_mb: float  # its peak resident memory


def run_limited(args: list[str], data_dir: Path) -> Run:
    """args run as a child process with ADDRESS_SPACE of memory; its own peak resident
    memory read from the kernel's account of it (wait4), not the test's."""
    env = dict(os.environ, PYTHONIOENCODING="utf-8", BRANCHDESK_DATA_DIR=str(data_dir),
               PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report"
        start = time.perf_counter()
        launcher = subprocess.Popen([sys.executable, "-c", _LAUNCH, str(ADDRESS_SPACE), str(report), *args],
                                    stdout=out, stderr=err, env=env)
        try:
            launcher.wait(timeout=60)
        except subprocess.TimeoutExpired:
            launcher.kill()
            launcher.wait()
            pytest.fail(f"{args} still running after 60 s")
        seconds = time.perf_counter() - start
        code, maxrss = (int(v) for v in report.read_text().split())
        out.seek(0)
        err.seek(0)
        return Run(code, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"),
                   seconds, maxrss / 1024)

_READ = """
import sys, time
from branchdesk.exchange import ExchangeError
from branchdesk.exchange.reader import read_book
start = time.perf_counter()
try:
    book = read_book(sys.argv[1])
except ExchangeError as exc:
    print(f"{time.perf_counter() - start:.3f}")
    print(exc)
    sys.exit(2)
print(f"{time.perf_counter() - start:.3f}")
for sheet in book.sheets:
    print(sheet.name, len(sheet.rows), ",".join(sheet.left_out))
"""


def never_crashed(run: Run) -> None:
    """No abort (a negative code is a signal: 134 from a shell), no traceback, no Rust backtrace."""
    assert run.code in (0, 2), (run.code, run.err[-2000:])
    for sign in ("Traceback", "panicked", "RUST_BACKTRACE", "memory allocation"):
        assert sign not in run.err and sign not in run.out, run.err[-2000:]


def one_sentence(message: str, file_name: str) -> None:
    message = message.strip()
    assert "\n" not in message, message
    assert message.startswith(f"“{file_name}”"), message
    assert message.endswith("。") and message.count("。") == 1, message


def db_dump(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return list(con.iterdump())
    finally:
        con.close()


@pytest.mark.parametrize("key", list(CORPUS))
def test_the_reader_refuses_or_reads_each_hostile_file(corpus, tmp_path, key):
    item, path = CORPUS[key], corpus[key]
    run = run_limited([sys.executable, "-c", _READ, str(path)], tmp_path)
    never_crashed(run)
    seconds, _, said = run.out.partition("\n")
    assert float(seconds) < SECONDS, f"reading took {seconds} s"
    assert run.peak_mb < PEAK_MB, f"reading peaked at {run.peak_mb:.0f} MB"
    if item.said:
        assert run.code == 2, said
        one_sentence(said, path.name)
        assert item.said in said
    else:
        assert run.code == 0, said
        if item.left_out:
            assert item.left_out in said


@pytest.mark.parametrize("key", list(CORPUS))
def test_the_command_line_refuses_or_reads_each_hostile_file(corpus, database, tmp_path, key):
    item, path = CORPUS[key], corpus[key]
    before = db_dump(database)
    run = run_limited([sys.executable, "-m", "branchdesk", "--db", str(database), "import", str(path),
                       "--kind", "members", "--dry-run"], tmp_path)
    never_crashed(run)
    assert run.seconds < SECONDS, f"the import took {run.seconds:.1f} s"
    assert run.peak_mb < PEAK_MB, f"the import peaked at {run.peak_mb:.0f} MB"
    if item.said or not item.rows:
        assert run.code == 2, run.out
        one_sentence(run.err, path.name)
        assert (item.said or "找不到党员名册的表头") in run.err
    else:
        assert run.code == 0, run.err
        assert f"新增 {item.rows} 条，修改 0 条，无变化 0 条，有问题 0 条" in run.out, run.out
        if item.left_out:
            assert f"远在表格以外的单元格没有读取：工作表“党员”的 {item.left_out}。" in run.out
    assert db_dump(database) == before


def test_the_stray_cell_is_not_read_and_the_roster_is(store, tmp_path, capsys):
    """The issue's roster with an x in XFD2, imported for real: every member, and the x named."""
    build_qiming(store)
    path = roster_and_stray_x(tmp_path / "花名册.xlsx")
    [sheet] = read_workbook(path)
    assert sheet.left_out == ["XFD2"] and max(len(r) for r in sheet.rows) == len(HEADER)
    p = plan(store, path)
    assert len(p.rows) == 300 and {r.status for r in p.rows} == {NEW}
    assert left_out_text(p) == "远在表格以外的单元格没有读取：工作表“党员”的 XFD2。"
    code = cli_main(["--db", str(store.path), "import", str(path)])
    out = capsys.readouterr().out
    assert code == 0 and "已导入 300 条" in out and "XFD2" in out


def test_more_stray_cells_than_a_slip_of_the_hand_are_refused(tmp_path):
    path = write_xlsx(tmp_path / "宽表.xlsx", roster_rows(30))
    cells = "".join(one_cell(f"{reader._column_name(250 + i)}2") for i in range(reader.MAX_STRAY_CELLS + 1))
    rewrite_part(path, "xl/worksheets/sheet1.xml", add_to_row(2, cells))
    with pytest.raises(ExchangeError) as info:
        read_workbook(path)
    one_sentence(str(info.value), "宽表.xlsx")
    assert "工作表“党员”在第 200 列（GR 列）以右有 20 个以上的单元格有内容（如 IP2）" in str(info.value)


def test_a_grid_larger_than_a_roster_is_refused(tmp_path):
    """Within 200 columns and Excel's rows, but a grid of 200 x 100,000 cells."""
    path = write_xlsx(tmp_path / "大.xlsx", roster_rows(5))
    rewrite_part(path, "xl/worksheets/sheet1.xml",
                 lambda xml: xml.replace(b"</sheetData>", f'<row r="100000">{one_cell("GR100000")}</row>'
                                                          "</sheetData>".encode()))
    with pytest.raises(ExchangeError) as info:
        read_workbook(path)
    one_sentence(str(info.value), "大.xlsx")
    assert "的内容从 A1 一直延伸到 GR100000（100,000 行 × 200 列）" in str(info.value)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = write_xlsx(tmp_path / "名册.xls", roster_rows(3))  # any format: the size is known first
    monkeypatch.setattr(reader, "MAX_FILE_BYTES", path.stat().st_size - 1)
    with pytest.raises(ExchangeError) as info:
        read_workbook(path)
    one_sentence(str(info.value), "名册.xls")
    assert "超过了一次导入的上限" in str(info.value)


def test_the_pre_scan_of_a_plain_sheet_is_one_pass_over_it(tmp_path, monkeypatch):
    """A roster as Excel and openpyxl write it takes the quick path, not the tag-by-tag walk."""
    path = write_xlsx(tmp_path / "名册.xlsx", roster_rows(200))
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml")
    walked = []
    walk = reader._scan_any
    monkeypatch.setattr(reader, "_scan_any", lambda *a: walked.append(1) or walk(*a))
    scan = reader._scan_sheet_xml(xml, None, path.name, "党员")
    assert not walked and not scan.strays and not scan.hidden


# ---- hidden sheets and rows -----------------------------------------------------------------------------
def hidden_workbook(path: Path, *, hidden_rows: tuple[int, ...] = (), state: str = "hidden") -> Path:
    """A hidden sheet 旧名册 (10 rows) first, then the visible 党员名册（最新） (1 row, plus the
    rows of hidden_rows' numbers, which are hidden)."""
    data = roster_rows(12)
    wb = openpyxl.Workbook()
    old = wb.active
    old.title = "旧名册"
    old.sheet_state = state
    old.append(HEADER)
    for row in data[:10]:
        old.append(row)
    new = wb.create_sheet("党员名册（最新）")
    new.append(HEADER)
    new.append(data[10])
    for i, excel_row in enumerate(hidden_rows):
        new.append(roster_rows(20)[12 + i])
        new.row_dimensions[excel_row].hidden = True
    wb.active = 1
    wb.save(path)
    return path


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_a_hidden_sheet_first_is_skipped_and_named(store, tmp_path, capsys, state):
    build_qiming(store)
    path = hidden_workbook(tmp_path / "名册.xlsx", state=state)
    book = read_book(path)
    assert [s.name for s in book.sheets] == ["党员名册（最新）"]
    assert [s.name for s in book.hidden_sheets] == ["旧名册"]
    p = plan(store, path)
    assert (p.sheet_name, len(p.rows)) == ("党员名册（最新）", 1)
    assert hidden_of(p).text() == "跳过隐藏的工作表“旧名册”（10 行）"
    code = cli_main(["--db", str(store.path), "import", str(path)])
    out = capsys.readouterr().out
    assert code == 0 and "已导入 1 条" in out
    assert "跳过隐藏的工作表“旧名册”（10 行）。如需导入，请加上 --include-hidden。" in out
    with store.session() as s:
        assert [m.name for m in people.list_members(s)] == ["党员011"]


def test_hidden_rows_are_skipped_and_counted(store, tmp_path, capsys):
    build_qiming(store)
    path = hidden_workbook(tmp_path / "名册.xlsx", hidden_rows=(3, 4, 5))
    [sheet] = read_workbook(path)
    assert sheet.hidden_rows == [3, 4, 5] and not any(sheet.rows[2:5])
    p = plan(store, path)
    assert [r.excel_row for r in p.rows] == [2]
    assert hidden_of(p).text() == "跳过隐藏的工作表“旧名册”（10 行）、隐藏的行 3 行"
    code = cli_main(["--db", str(store.path), "import", str(path), "--dry-run"])
    assert code == 0 and "跳过隐藏的工作表“旧名册”（10 行）、隐藏的行 3 行。" in capsys.readouterr().out


def test_include_hidden_reads_them(store, tmp_path, capsys):
    build_qiming(store)
    path = hidden_workbook(tmp_path / "名册.xlsx", hidden_rows=(3, 4, 5))
    p = plan(store, path, include_hidden=True, sheet="党员名册（最新）")
    assert [r.excel_row for r in p.rows] == [2, 3, 4, 5]
    assert hidden_of(p).text() == "包括了隐藏的行 3 行"
    code = cli_main(["--db", str(store.path), "import", str(path), "--include-hidden", "--sheet", "党员名册（最新）"])
    out = capsys.readouterr().out
    assert code == 0 and "已导入 4 条" in out and "包括了隐藏的行 3 行。" in out
    code = cli_main(["--db", str(store.path), "import", str(path), "--include-hidden", "--sheet", "旧名册"])
    assert code == 0 and "已导入 10 条" in capsys.readouterr().out
    with store.session() as s:
        assert len(people.list_members(s)) == 14


def test_a_roster_only_on_a_hidden_sheet_is_refused_saying_how_to_include_it(store, tmp_path, capsys):
    build_qiming(store)
    path = write_xlsx(tmp_path / "名册.xlsx", roster_rows(3), title="旧名册")
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("说明").append(["本表由街道下发"])
    wb["旧名册"].sheet_state = "hidden"
    wb.active = 1
    wb.save(path)
    with pytest.raises(ExchangeError) as info:
        plan(store, path)
    one_sentence(str(info.value), "名册.xlsx")
    assert "中只有隐藏的工作表“旧名册”里有名册的表头：如确需导入，请勾选“包括隐藏的工作表和行”" in str(info.value)
    assert cli_main(["--db", str(store.path), "import", str(path)]) == 2
    capsys.readouterr()
    assert cli_main(["--db", str(store.path), "import", str(path), "--include-hidden"]) == 0
    assert "已导入 3 条" in capsys.readouterr().out


def test_hidden_rows_and_sheets_of_an_ods(tmp_path):
    styles = ('<office:automatic-styles><style:style style:name="ta1" style:family="table">'
              '<style:table-properties table:display="false"/></style:style></office:automatic-styles>')
    rows = (f"<table:table-row>{ods_cell('姓名')}{ods_cell('身份证号')}</table:table-row>"
            f'<table:table-row table:visibility="collapse">{ods_cell("张三")}{ods_cell("1")}</table:table-row>'
            f"<table:table-row>{ods_cell('李四')}{ods_cell('2')}</table:table-row>")
    body = (f'<table:table table:name="旧名册" table:style-name="ta1">{rows}</table:table>'
            f'<table:table table:name="名册">{rows}</table:table>')
    path = hand_made_ods(tmp_path / "名册.ods", body, styles)
    book = read_book(path)
    assert [s.name for s in book.sheets] == ["名册"] and [s.name for s in book.hidden_sheets] == ["旧名册"]
    [sheet] = book.sheets
    assert sheet.hidden_rows == [2] and [r[0] if r else None for r in sheet.rows] == ["姓名", None, "李四"]
    assert len(read_book(path, include_hidden=True).sheets) == 2


# ---- the import window's tick box -------------------------------------------------------------------------
@pytest.fixture
def window(qtbot, qapp, store):
    from ui_helpers import shown_window

    build_qiming(store)
    return shown_window(qtbot, qapp, store)


def test_the_tick_box_includes_hidden_sheets_and_rows(qtbot, window, store, tmp_path, monkeypatch):
    from PySide6.QtCore import Qt

    from branchdesk.ui import file_dialogs
    from branchdesk.ui.import_dialog import ImportDialog

    path = hidden_workbook(tmp_path / "名册.xlsx", hidden_rows=(3, 4, 5))
    page = window.show_page(1)
    qtbot.waitUntil(lambda: page.loaded and not page.tasks.busy)
    monkeypatch.setattr(file_dialogs, "open_file_name", lambda *a, **k: Path(path))
    page.act_import.trigger()
    [dialog] = [d for d in page.findChildren(ImportDialog) if d.isVisible()]
    qtbot.waitUntil(lambda: dialog.plan is not None)
    assert not dialog.hidden_box.isChecked() and dialog.hidden_box.text() == "包括隐藏的工作表和行"
    summary = dialog.summary.text()
    assert "新增 1 条" in summary
    assert "跳过隐藏的工作表“旧名册”（10 行）、隐藏的行 3 行。如需导入，请勾选“包括隐藏的工作表和行”。" in summary
    qtbot.mouseClick(dialog.hidden_box, Qt.MouseButton.LeftButton)
    assert dialog.hidden_box.isChecked()
    qtbot.waitUntil(lambda: dialog.plan is not None)
    # both sheets now look like the roster: the first, 旧名册, is read; the other can be picked
    assert dialog.plan.sheet_name == "旧名册" and "包括了隐藏的工作表“旧名册”（10 行）" in dialog.summary.text()
    dialog.sheet_box.activated.emit(dialog.sheet_box.findData("党员名册（最新）"))
    qtbot.waitUntil(lambda: dialog.plan is not None)
    assert "新增 4 条" in dialog.summary.text() and "包括了隐藏的行 3 行" in dialog.summary.text()
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.model.total == 4 and not page.tasks.busy)
    with store.session() as s:
        assert len(people.list_members(s)) == 4
