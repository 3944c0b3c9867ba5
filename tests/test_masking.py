"""A masked ID number cannot be completed from what is shown beside it.

110105********002X keeps the region and the last four digits; the hidden eight are the
birth date (YYYYMMDD). Wherever an ID is masked, the birth date beside it shows its year
only (fields.mask_date), so the check digit still leaves some thirty days a person.

Every masked output of the demo community (180 members) is attacked as someone holding
it would: the export (read with python-calamine), the package with --masked, the
printed roster (pdftotext) and the 党员 page's table model. Every column shown that
bears on the hidden digits is combined (region and last four from the mask, the birth
date or age, the gender, across every sheet showing the same person) and the check digit
applied: not one ID may come out whole. The same attack on the full outputs, with their
IDs masked by the test, rebuilds every one of them: what the old masking gave away. And
a masked export that comes back changes nothing."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook
from stdnum.cn import ric

from branchdesk.cli import main as cli_main
from branchdesk.exchange import writer as W
from branchdesk.exchange.importer import INVALID, UNCHANGED, PackagePlan, apply_plan, plan_import
from branchdesk.fields import MEMBER_FIELDS, Field, by_key, masked_year
from branchdesk.models import Resident
from branchdesk.services import people
from branchdesk.services.demo import fill_demo
from branchdesk.store import open_store
from branchdesk.validation import mask_id_number

M = by_key(MEMBER_FIELDS)
ID_LABELS = ("身份证号",)
BIRTH_LABELS = ("出生日期", "出生年月")
AGE_LABELS = ("年龄",)
ID_SHAPE = re.compile(r"\d{6}[\d*]{8}\d{3}[\dX]")
BIRTH_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}|\d{4}年(?:\d{1,2}月)?|\d{1,3}岁")
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")


# ---- the attack ------------------------------------------------------------------------
def _days(first: date, last: date) -> set[date]:
    return {first + timedelta(days=n) for n in range((last - first).days + 1)}


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def birth_days(shown: object, *, age: bool = False, today: date | None = None) -> set[date] | None:
    """The days of birth a cell allows: a date, a month, a year, an age in years; None
    when it says nothing."""
    if shown in (None, ""):
        return None
    if isinstance(shown, datetime):
        shown = shown.date()
    if isinstance(shown, date):
        return {shown}
    today = today or date.today()
    s = str(shown).strip()
    if age or s.endswith("岁"):
        years = int(float(s.removesuffix("岁")))
        return _days(_add_years(today, -years - 1) + timedelta(days=1), _add_years(today, -years))
    if m := re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", s):
        return {date(int(m[1]), int(m[2]), int(m[3]))}
    if m := re.fullmatch(r"(\d{4})[-/.年](\d{1,2})月?", s):
        first = date(int(m[1]), int(m[2]), 1)
        return _days(first, (first + timedelta(days=31)).replace(day=1) - timedelta(days=1))
    if m := re.fullmatch(r"(\d{4})年?", s):
        return _days(date(int(m[1]), 1, 1), date(int(m[1]), 12, 31))
    raise AssertionError(f"a birth-date cell the attack cannot read: {s!r}")


def _cell(row: dict, labels: tuple[str, ...]) -> object:
    return next((row[k] for k in labels if row.get(k) not in (None, "")), None)


def rebuild(rows: list[dict]) -> dict[str, set[str] | None]:
    """Every ID number each masked one shown could be (None: nothing narrows it down).
    rows: every row of every table of one output, as {header: value}. What a row says of
    the birth date (出生日期, 年龄) counts for the masked number in it, and, by name, for
    the masked numbers beside that name in other tables; each person's numbers are then
    tried day by day against the region, the last four digits, the check digit and the
    gender shown."""
    hints: dict[str, set[date] | None] = {}
    by_name: dict[str, set[date]] = {}
    genders: dict[str, set[str]] = {}
    names: dict[str, set[str]] = {}
    for row in rows:
        days = birth_days(_cell(row, BIRTH_LABELS))
        age = _cell(row, AGE_LABELS)
        if age is not None:
            from_age = birth_days(age, age=True)
            days = from_age if days is None else days & from_age
        masked = _cell(row, ID_LABELS)
        name = row.get("姓名") or row.get("中心户党员")
        if not isinstance(masked, str) or "*" not in masked:
            if days is not None and name:
                by_name[name] = days if name not in by_name else by_name[name] & days
            continue
        known = hints.get(masked)
        hints[masked] = days if known is None else (known if days is None else known & days)
        if row.get("性别"):
            genders.setdefault(masked, set()).add(row["性别"])
        if name:
            names.setdefault(masked, set()).add(name)
    found: dict[str, set[str] | None] = {}
    for masked, days in hints.items():
        for name in names.get(masked, ()):
            if name in by_name:
                days = by_name[name] if days is None else days & by_name[name]
        if days is None:
            found[masked] = None
            continue
        region, tail = masked[:6], masked[-4:]
        candidates = set()
        for day in days:
            number = f"{region}{day:%Y%m%d}{tail}"
            odd = int(number[16]) % 2 == 1  # the 17th digit: odd for men
            if ric.calc_check_digit(number) != number[-1]:
                continue
            if genders.get(masked, set()) - {"男" if odd else "女"}:
                continue
            candidates.add(number)
        found[masked] = candidates
    return found


def rebuilt(found: dict[str, set[str] | None]) -> dict[str, str]:
    """The masked numbers that came out whole: one candidate left."""
    return {m: next(iter(c)) for m, c in found.items() if c is not None and len(c) == 1}


# ---- the outputs, read as tables ----------------------------------------------------------
def workbook_rows(path: Path) -> list[dict]:
    """Every data row of every sheet whose header (within its first rows) names a column."""
    wb = CalamineWorkbook.from_path(str(path))
    rows: list[dict] = []
    for name in wb.sheet_names:
        cells = wb.get_sheet_by_name(name).to_python()
        at = next((i for i, r in enumerate(cells[:6])
                   if any(c in (*ID_LABELS, *BIRTH_LABELS, *AGE_LABELS, "姓名") for c in r)), None)
        if at is None:
            continue
        header = [str(c) for c in cells[at]]
        rows += [dict(zip(header, r)) for r in cells[at + 1:] if any(c not in (None, "") for c in r)]
    return rows


def pdf_rows(path: Path) -> list[dict]:
    """The roster's rows as pdftotext -layout lays them out: on each line with an ID number,
    the birth date is the last date-like cell before it, the gender the last 男 or 女."""
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          encoding="utf-8", check=True).stdout
    rows = []
    for line in text.splitlines():
        number = ID_SHAPE.search(line)
        if number is None:
            continue
        before = line[:number.start()]
        births = BIRTH_SHAPE.findall(before)
        genders = re.findall(r"(?<!\S)[男女](?!\S)", before)
        name = before.split()[1] if len(before.split()) > 1 else None
        rows.append({"姓名": name, "身份证号": number[0], "出生日期": births[-1] if births else None,
                     "性别": genders[-1] if genders else None})
    return rows


def model_rows(model) -> list[dict]:
    """What the page's table shows, header by header."""
    header = [model.headerData(c, _horizontal()) for c in range(model.columnCount())]
    return [{header[c]: model.data(model.index(r, c)) for c in range(model.columnCount())}
            for r in range(model.rowCount())]


def _horizontal():
    from PySide6.QtCore import Qt
    return Qt.Orientation.Horizontal


def masked_copy(rows: list[dict]) -> list[dict]:
    """A full output's rows with their ID numbers masked as the app masks them: what the
    old masked outputs were."""
    return [{k: mask_id_number(v) if k in ID_LABELS and isinstance(v, str) and v else v for k, v in r.items()}
            for r in rows]


def full_pairs(rows: list[dict]) -> set[tuple[str, date]]:
    """(ID number, birth date) of every row showing both in full."""
    pairs = set()
    for row in rows:
        idn, days = _cell(row, ID_LABELS), birth_days(_cell(row, BIRTH_LABELS))
        if isinstance(idn, str) and "*" not in idn and days and len(days) == 1:
            pairs.add((idn, next(iter(days))))
    return pairs


# ---- the demo community, once ---------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_file(tmp_path_factory) -> Path:
    """The demo community's database, filled once and closed: each test opens it or a copy."""
    path = tmp_path_factory.mktemp("masking") / "demo.db"
    store = open_store(path, create=True)
    with store.transaction() as s:
        fill_demo(s)
    store.close()
    return path


@pytest.fixture(scope="module")
def truth(demo_file) -> dict[str, tuple[str, date]]:
    """Each member's masked ID → (the full ID, the birth date)."""
    store = open_store(demo_file)
    try:
        with store.session() as s:
            members = people.list_members(s)
    finally:
        store.close()
    assert len(members) == 180 and all(m.id_number and m.birth_date for m in members)
    return {mask_id_number(m.id_number): (m.id_number, m.birth_date) for m in members}


@pytest.fixture
def demo(demo_file, tmp_path):
    """A copy of the demo database of this test's own, copied before any connection."""
    path = tmp_path / "demo.db"
    shutil.copyfile(demo_file, path)
    store = open_store(path)
    yield store
    store.close()


def assert_cannot_rebuild(rows: list[dict], truth: dict[str, tuple[str, date]]) -> None:
    found = rebuild(rows)
    members = {m for m in found if m in truth}
    assert len(members) == len(truth), "every member's masked ID is shown"
    for masked in members:  # the attack is sound: the true number is always among its candidates
        assert found[masked] is None or truth[masked][0] in found[masked], masked
    assert rebuilt(found) == {}
    assert min(len(c) for c in found.values() if c is not None) > 1


def assert_full_rebuilds(rows: list[dict], truth: dict[str, tuple[str, date]]) -> None:
    """The full output carries every full ID and birth date, and masking its IDs alone
    (the old masked output) gives every one of them away."""
    assert full_pairs(rows) >= set(truth.values())
    assert rebuilt(rebuild(masked_copy(rows))) == {m: idn for m, (idn, _born) in truth.items()}


# ---- the rule, declared once ------------------------------------------------------------
def test_the_birth_date_is_masked_with_the_id_number():
    born = M["birth_date"]
    assert born.masked_with == "id_number" and M["id_number"].sensitive and born.hides
    assert born.display(date(1962, 3, 4), masked=True) == "1962年"
    assert born.display(date(1962, 3, 4)) == "1962-03-04"
    assert M["joined_on"].display(date(1990, 7, 1), masked=True) == "1990-07-01"  # nothing to give away
    assert not M["joined_on"].hides and not M["name"].hides
    assert masked_year("1962年") == 1962 and masked_year(" 1962年 ") == 1962
    assert masked_year("1962") is None and masked_year("1962年3月") is None and masked_year(1962) is None
    # a form still refuses a year alone: only an import reads it back, as “unchanged”
    with pytest.raises(Exception, match="不是有效日期"):
        born.parse("1962年")
    assert Field("x", "某日", "date").display(date(1962, 3, 4), masked=True) == "1962-03-04"


# ---- the masked outputs cannot be completed; the full ones carry everything ---------------------
def test_the_members_export_cannot_be_completed(demo_file, truth, tmp_path, capsys):
    masked, full = tmp_path / "花名册.xlsx", tmp_path / "完整.xlsx"
    assert cli_main(["--db", str(demo_file), "export", "members", str(masked)]) == 0  # masked by default
    assert cli_main(["--db", str(demo_file), "export", "members", str(full), "--full"]) == 0
    capsys.readouterr()
    rows = workbook_rows(masked)
    assert_cannot_rebuild(rows, truth)
    assert {r["出生日期"] for r in rows if r.get("身份证号")} <= {f"{y}年" for y in range(1900, 2100)}
    assert_full_rebuilds(workbook_rows(full), truth)
    # the year is a text cell, the other dates real dates
    ws = openpyxl.load_workbook(masked).active
    header = [c.value for c in ws[W.HEADER_ROW]]
    first = ws[W.HEADER_ROW + 1]
    born, joined = first[header.index("出生日期")], first[header.index("入党日期")]
    assert born.data_type == "s" and born.number_format == "@" and joined.is_date


def test_the_masked_package_cannot_be_completed(demo_file, truth, tmp_path, capsys):
    masked, full = tmp_path / "数据包-隐藏.xlsx", tmp_path / "数据包.xlsx"
    assert cli_main(["--db", str(demo_file), "export", "package", str(masked), "--masked"]) == 0
    assert cli_main(["--db", str(demo_file), "export", "package", str(full)]) == 0  # full by default
    capsys.readouterr()
    rows = workbook_rows(masked)
    assert any(r.get("楼栋") for r in rows if r.get("身份证号"))  # the leaders' sheet was read too
    assert_cannot_rebuild(rows, truth)
    assert_full_rebuilds(workbook_rows(full), truth)


@needs_poppler
def test_the_printed_roster_cannot_be_completed(demo_file, truth, tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", BRANCHDESK_DATA_DIR=str(tmp_path / "userdata"),
               PYTHONIOENCODING="utf-8")

    def print_roster(path: Path, *more: str) -> Path:
        done = subprocess.run([sys.executable, "-m", "branchdesk", "--db", str(demo_file), "print", "roster",
                               "members", "--pdf", str(path), *more], env=env, capture_output=True, text=True,
                              encoding="utf-8", timeout=300)
        assert done.returncode == 0, done.stderr
        return path

    masked = pdf_rows(print_roster(tmp_path / "名册.pdf"))  # masked by default
    assert_cannot_rebuild(masked, truth)
    assert len(masked) == 180 and all(r["出生日期"] and r["出生日期"].endswith("年") for r in masked)
    assert_full_rebuilds(pdf_rows(print_roster(tmp_path / "完整.pdf", "--full")), truth)


def test_the_members_page_cannot_be_completed(qtbot, qapp, demo, truth, tmp_path):
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtWidgets import QStatusBar

    from branchdesk.ui.list_page import RosterPage
    from branchdesk.ui.qtenv import setup_application
    from branchdesk.ui.rosters import MEMBERS

    setup_application(qapp)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    status = QStatusBar()
    page = RosterPage(MEMBERS, demo, settings, status)
    qtbot.addWidget(page)
    qtbot.addWidget(status)
    page.reload()
    qtbot.waitUntil(lambda: page.loaded and not page.tasks.busy, timeout=20000)
    model = page.model
    assert model.rowCount() == 180 and not page.act_unmask.isChecked()
    assert_cannot_rebuild(model_rows(model), truth)

    # sorted by 出生日期 while masked: by year, and in the loaded order within a year, so the
    # order tells no day either
    born_col = next(n for n, c in enumerate(MEMBERS.columns) if c.field.key == "birth_date")
    loaded = [r.id for r in model.visible_rows()]
    page.table.sortByColumn(born_col, Qt.SortOrder.AscendingOrder)
    rows = model.visible_rows()
    assert [r.birth_date.year for r in rows] == sorted(r.birth_date.year for r in rows)
    for year in {r.birth_date.year for r in rows}:
        same = [r.id for r in rows if r.birth_date.year == year]
        assert same == [i for i in loaded if i in set(same)]

    page.act_unmask.trigger()  # 显示完整号码: the full numbers and the full dates, sorted by them
    assert page.act_unmask.isChecked()
    shown = model_rows(model)
    assert_full_rebuilds(shown, truth)
    assert [r.birth_date for r in model.visible_rows()] == sorted(r.birth_date for r in model.visible_rows())
    page.act_unmask.trigger()
    assert_cannot_rebuild(model_rows(model), truth)
    assert [r.id for r in model.visible_rows()] == [r.id for r in rows]  # back to the year's order


# ---- a masked export that comes back changes nothing ------------------------------------------
def plan(store, path):
    with store.session() as s:
        return plan_import(s, path)


def _birth_dates(store) -> dict[int, date | None]:
    with store.session() as s:
        return dict(s.query(Resident.id, Resident.birth_date).all())


def test_a_masked_export_reimported_changes_nothing(demo, tmp_path):
    before = _birth_dates(demo)
    out = tmp_path / "花名册.xlsx"
    with demo.session() as s:
        W.export_roster(s, "members", out)  # masked, as by default
    with demo.transaction() as s:
        p = plan_import(s, out)
        assert [r.status for r in p.rows] == [UNCHANGED] * 180, [r.problem_text() for r in p.rows if r.problems]
        assert apply_plan(s, p) == 0
    assert _birth_dates(demo) == before


def test_a_masked_package_reimported_changes_nothing(demo, tmp_path):
    before = _birth_dates(demo)
    out = tmp_path / "数据包.xlsx"
    with demo.session() as s:
        W.export_package(s, out, masked=True)
    with demo.transaction() as s:
        p = plan_import(s, out)
        assert isinstance(p, PackagePlan) and not p.foreign
        assert p.counts[UNCHANGED] == sum(len(sub.rows) for sub in p.plans) > 1800, p.counts
        apply_plan(s, p)
    assert _birth_dates(demo) == before


def test_a_year_alone_never_changes_a_birth_date(demo, tmp_path):
    """The year a masked export shows means “unchanged”, as the masked ID beside it does: a
    year alone never becomes a date. Where the row gives the ID number in full, the year
    must be the ID's."""
    out = tmp_path / "花名册.xlsx"
    with demo.session() as s:
        W.export_roster(s, "members", out)
        members = {m.id: m for m in people.list_members(s)}
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    header = [c.value for c in ws[W.HEADER_ROW]]
    born_col, id_col = header.index("出生日期") + 1, header.index("身份证号") + 1
    rows = {}
    for r in range(W.HEADER_ROW + 1, W.HEADER_ROW + 181):
        rows[r] = members[W.parse_record_code(ws.cell(r, 1).value)[1]]
    first, second, third = list(rows)[:3]
    ws.cell(first, born_col).value = "1901年"  # another year beside the masked ID: still no change
    m2 = rows[second]
    ws.cell(second, id_col).value = m2.id_number  # the full ID and its year
    m3 = rows[third]
    ws.cell(third, id_col).value = m3.id_number  # the full ID and another year
    ws.cell(third, born_col).value = f"{m3.birth_date.year + 1}年"
    wb.save(out)

    p = plan(demo, out)
    status = {r.excel_row: r for r in p.rows}
    assert status[first].status == UNCHANGED
    assert status[second].status == UNCHANGED
    assert status[third].status == INVALID
    assert f"出生日期（{m3.birth_date.year + 1}年）与身份证号不一致（身份证上是 {m3.birth_date:%Y-%m-%d}）" \
        in status[third].problem_text()
    assert [r.status for r in p.rows].count(UNCHANGED) == 179
    with demo.transaction() as s:  # the rows that can be taken change nothing
        before = _birth_dates(demo)
        p = plan_import(s, out)
        p.rows = [r for r in p.rows if r.status != INVALID]
        assert apply_plan(s, p) == 0
    assert _birth_dates(demo) == before
