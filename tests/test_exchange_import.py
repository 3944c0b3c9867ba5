"""Importing a member roster: the plan (new / changed / unchanged / invalid), the
all-or-nothing apply, the error workbook, and `branchdesk import` as the
secretary runs it. Workbooks are made here the way people make them."""
from __future__ import annotations

import shutil
import subprocess
from datetime import date

import openpyxl
import pytest
from exchange_helpers import (
    HEADER,
    ZHANG,
    apply,
    build_qiming,
    make_id,
    plan,
    rows,
    write_roster,
)
from sqlalchemy import func, select

from branchdesk.cli import main as cli_main
from branchdesk.exchange import ExchangeError
from branchdesk.exchange.importer import (
    CHANGED,
    INVALID,
    NEW,
    UNCHANGED,
    apply_plan,
    write_error_workbook,
)
from branchdesk.models import Member
from branchdesk.services import org, people


@pytest.fixture
def org_store(store):
    build_qiming(store)
    return store


def member_count(store) -> int:
    with store.session() as s:
        return s.scalar(select(func.count(Member.id)).where(Member.deleted_at.is_(None)))


def by_name(store) -> dict:
    with store.session() as s:
        return {r.name: r for r in people.list_members(s)}


# ---- planning and applying -------------------------------------------------------------------
def test_messy_roster_imports_once_and_then_changes_nothing(org_store, tmp_path):
    path = write_roster(tmp_path / "roster.xlsx", rows())
    first = plan(org_store, path)
    assert (first.sheet_name, first.header_row, first.kind) == ("党员", 3, "members")
    assert first.ignored == ["序号", "照片"]
    assert [r.status for r in first.rows] == [NEW, NEW, NEW], [r.problem_text() for r in first.rows]
    assert member_count(org_store) == 0  # planning writes nothing
    assert apply(org_store, path) == 3
    members = by_name(org_store)
    li = members["李四"]  # trimmed name, full-width phone, compound prefix, 年月日 date
    assert (li.phone, li.short_address, li.joined_on, li.party_org) == ("13900139000", "2-1-201", date(2001, 7, 1),
                                                                       "第一党小组")
    assert members["王五"].gender == "M" and members["王五"].birth_date == date(1990, 1, 1)  # from the ID number
    assert members["张三"].joined_on == date(1988, 7, 1) and members["王五"].category == "probationary"
    again = plan(org_store, path)
    assert [r.status for r in again.rows] == [UNCHANGED] * 3


def test_one_changed_cell_is_one_change(org_store, tmp_path):
    apply(org_store, write_roster(tmp_path / "a.xlsx", rows()))
    data = rows()
    data[0][8] = "13811112222"
    p = plan(org_store, write_roster(tmp_path / "b.xlsx", data))
    assert [r.status for r in p.rows] == [CHANGED, UNCHANGED, UNCHANGED]
    [change] = p.rows[0].changes
    assert (change.label, change.old, change.new) == ("联系电话", "138****8000", "138****2222")  # masked
    apply(org_store, tmp_path / "b.xlsx")
    assert by_name(org_store)["张三"].phone == "13811112222"


def test_a_file_without_address_column_keeps_addresses(org_store, tmp_path):
    apply(org_store, write_roster(tmp_path / "a.xlsx", rows()))
    header = ["姓名", "身份证号", "联系电话"]
    path = write_roster(tmp_path / "short.xlsx", [["张三", ZHANG, "13800138000"]], header)
    p = plan(org_store, path)
    assert [r.status for r in p.rows] == [UNCHANGED]
    assert by_name(org_store)["张三"].short_address == "1-1-101"


@pytest.mark.parametrize(("column", "value", "expected"), [
    (4, 110105196503121234, "存成了数字"),  # an ID stored as a number lost its digits
    (4, ZHANG[:-1] + ("0" if ZHANG[-1] != "0" else "1"), "校验位"),
    (9, "9号楼1单元101", "不存在"),
    (7, "第九党支部", "不在组织架构"),
    (6, "群众", "党员类别"),
    (5, "2099-01-01", "晚于今天"),
])
def test_a_bad_cell_rejects_the_row_with_a_message_naming_the_column(org_store, tmp_path, column, value, expected):
    data = rows()
    data[0][column] = value
    p = plan(org_store, write_roster(tmp_path / "bad.xlsx", data))
    bad = p.rows[0]
    assert bad.status == INVALID and [r.status for r in p.rows[1:]] == [NEW, NEW]
    assert expected in bad.problem_text() and bad.problems[0].column == HEADER[column]
    assert bad.excel_row == 4 and "第 4 行" in p.where(bad)
    with pytest.raises(ExchangeError, match="没有导入任何数据"):
        with org_store.transaction() as s:
            apply_plan(s, p)
    assert member_count(org_store) == 0


def test_the_same_person_twice_in_a_file_is_reported(org_store, tmp_path):
    data = rows() + [rows()[0]]
    p = plan(org_store, write_roster(tmp_path / "dup.xlsx", data))
    assert p.rows[-1].status == INVALID and "与第 4 行是同一个人" in p.rows[-1].problem_text()


def test_a_leaders_id_number_under_another_name_is_refused(org_store, tmp_path):
    with org_store.transaction() as s:
        building = org.building_choices(s)[0].id
        people.save_leader(s, {"name": "赵六", "phone": "13600136000", "id_number": ZHANG, "building_id": building})
    p = plan(org_store, write_roster(tmp_path / "r.xlsx", rows()))
    assert p.rows[0].status == INVALID and "赵六" in p.rows[0].problem_text()


def test_record_code_matches_even_when_the_id_number_was_corrected(org_store, tmp_path):
    apply(org_store, write_roster(tmp_path / "a.xlsx", rows()))
    with org_store.session() as s:
        zhang_id = next(r.id for r in people.list_members(s) if r.name == "张三")
    corrected = make_id("19650312", "153")
    header = ["记录编号", "姓名", "身份证号", "党员类别"]
    p = plan(org_store, write_roster(tmp_path / "b.xlsx", [[f"DY{zhang_id:06d}", "张三", corrected, "正式党员"]],
                                     header))
    assert p.rows[0].status == CHANGED and p.rows[0].record_id == zhang_id
    assert [c.label for c in p.rows[0].changes] == ["身份证号"]


def test_repeated_values_give_every_row_its_own_verdict(org_store, tmp_path):
    """A column's repeated values are read and parsed once: every row still gets the
    verdict its own cells earn, and the same message as any other row with that cell."""
    born = date(1965, 3, 12)
    data = [
        [1, "张三", "男", born, ZHANG, "1988.07", "正式", "启明小区党支部", "13800138000", "1-1-101", None],
        # the same birth date, an ID number of the same region born a day later
        [2, "赵六", "男", born, make_id("19650313", "453"), "1988.07", "正式", "启明小区党支部", 13800138001, "1-1-102",
         None],
        [3, "孙七", "男", born, make_id("19650312", "175"), "2099.01", "正式", "启明小区党支部", "13800138002",
         "1-1-201", None],
        [4, "周八", "男", None, make_id("19700101", "111"), "2099.01", "正式", "启明小区党支部", 1085551234, "1-1-202",
         None],
        [5, "吴九", "男", None, make_id("19700101", "133"), "1988.07", "正式", "启明小区党支部", 1085551234, "1-1-202",
         None],
    ]
    p = plan(org_store, write_roster(tmp_path / "repeats.xlsx", data))
    assert [r.status for r in p.rows] == [NEW, INVALID, INVALID, INVALID, INVALID]
    first, second, third, fourth, fifth = p.rows
    assert (first.values["birth_date"], first.values["joined_on"]) == (born, date(1988, 7, 1))
    assert {pr.column: pr.message for pr in second.problems} == {
        "出生年月": "出生日期与身份证号不一致（身份证上是 1965-03-13），请核对。"}
    future = {pr.column: pr.message for pr in third.problems}
    assert future == {"入党时间": "日期 2099-01-01 晚于今天，请检查。"}
    number = {pr.column: pr.message for pr in fifth.problems}
    assert list(number) == ["手机号码"] and "存成了数字" in number["手机号码"]
    assert {pr.column: pr.message for pr in fourth.problems} == future | number


def test_rows_planned_from_parsed_columns_are_planned_as_rows_read_one_by_one(org_store, tmp_path, monkeypatch):
    """The member import plans a row whose cells all read from its columns parsed at once,
    and reads any other row on its own: both ways give every row the same plan."""
    from branchdesk.exchange import import_members
    from branchdesk.exchange.plan import UNREAD

    apply(org_store, write_roster(tmp_path / "first.xlsx", rows()[:1]))
    data = rows() + [
        [4, "赵六", "男", date(1965, 3, 12), make_id("19650313", "453"), "1988.07", "正式", "启明小区党支部",
         13800138001, "1-1-102", None],
        [5, "孙七", "女", None, "110105********1234", "2099.01", "预备", "第九党支部", "138****8000", "9-1-101", None],
        [6, "张三", None, None, ZHANG, "1988.07", "正式", "启明小区党支部", "13800138009", "1-1-101", None],
        [7, "周八", "男", None, None, None, "正式", None, "13800138000", None, None],
    ]
    data[0][8] = "13800138005"  # 张三's new phone: a change
    path = write_roster(tmp_path / "mixed.xlsx", data)

    def summary(p):
        return [(r.excel_row, r.status, r.record_id, r.name, r.values, [(c.label, c.old, c.new) for c in r.changes],
                 r.problem_text()) for r in p.rows]

    together = summary(plan(org_store, path))
    monkeypatch.setattr(import_members, "parsed_column", lambda cells, f, parse: ([UNREAD] * len(cells), True))
    assert summary(plan(org_store, path)) == together
    assert {status for _r, status, *_rest in together} == {NEW, CHANGED, INVALID}


def test_a_crash_in_the_middle_leaves_the_database_as_it_was(org_store, tmp_path, monkeypatch):
    path = write_roster(tmp_path / "a.xlsx", rows())
    real = people.bulk_save_members

    def failing(session, records):
        real(session, records)  # everything written inside the transaction, then the power goes
        raise RuntimeError("power cut")

    monkeypatch.setattr(people, "bulk_save_members", failing)
    with pytest.raises(RuntimeError):
        apply(org_store, path)
    assert member_count(org_store) == 0


def test_error_workbook_gives_back_the_rows_with_what_is_wrong(org_store, tmp_path):
    data = rows()
    data[1][4] = 440305198506151310  # a number
    path = write_roster(tmp_path / "bad.xlsx", data)
    wb = openpyxl.load_workbook(path)
    cell = wb.active.cell(6, 10)  # 王五's address, typed as text that looks like a formula
    cell.value, cell.data_type = "=HYPERLINK(\"x\")", "s"
    wb.save(path)
    p = plan(org_store, path)
    out = tmp_path / "errors.xlsx"
    write_error_workbook(p, out)
    ws = openpyxl.load_workbook(out).active
    assert ws.title == "有问题的行"
    assert [c.value for c in ws[1]] == ["原行号", *HEADER, "问题说明"]
    assert [ws.cell(r, 1).value for r in range(2, ws.max_row + 1)] == [5, 6]
    assert "存成了数字" in ws.cell(2, ws.max_column).value and "看不懂" in ws.cell(3, ws.max_column).value
    assert ws.cell(3, 11).value == "=HYPERLINK(\"x\")" and ws.cell(3, 11).data_type == "s"  # text, not a formula


# ---- files as they come ------------------------------------------------------------------------
def test_gbk_csv(org_store, tmp_path):
    path = tmp_path / "名单.csv"
    text = "姓名,性别,身份证号,手机号,入党时间,党员类别\n" + f"张三,男,{ZHANG},13800138000,1988.07.01,正式党员\n"
    path.write_bytes(text.encode("gbk"))
    p = plan(org_store, path)
    assert [r.status for r in p.rows] == [NEW]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_an_xls_saved_by_libreoffice(org_store, tmp_path):
    source = write_roster(tmp_path / "roster.xlsx", rows())
    out = tmp_path / "out"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "xls",
                    "--outdir", str(out), str(source)], check=True, capture_output=True, timeout=120)
    p = plan(org_store, out / "roster.xls")
    assert [r.status for r in p.rows] == [NEW, NEW, NEW], [r.problem_text() for r in p.rows]


def test_header_only_file_is_refused(org_store, tmp_path):
    with pytest.raises(ExchangeError, match="没有数据行"):
        plan(org_store, write_roster(tmp_path / "empty.xlsx", []))


# ---- the command line ----------------------------------------------------------------------------
def test_cli_dry_run_then_import(org_store, tmp_path, capsys):
    path = write_roster(tmp_path / "roster.xlsx", rows())
    db = str(org_store.path)
    assert cli_main(["--db", db, "import", str(path), "--dry-run"]) == 0
    assert "新增 3 条" in capsys.readouterr().out and member_count(org_store) == 0
    assert cli_main(["--db", db, "import", str(path)]) == 0
    assert "已导入 3 条" in capsys.readouterr().out and member_count(org_store) == 3
    assert any("before-import" in p.name for p in (org_store.path.parent / "backups").iterdir())


def test_cli_rejected_rows_exit_1_change_nothing_and_write_the_error_workbook(org_store, tmp_path, capsys):
    data = rows()
    data[0][4] = 110105196503121234
    path = write_roster(tmp_path / "roster.xlsx", data)
    errors = tmp_path / "错误.xlsx"
    assert cli_main(["--db", str(org_store.path), "import", str(path), "--errors", str(errors)]) == 1
    out, err = capsys.readouterr()
    assert "第 4 行 张三：公民身份号码：" in out and "没有导入任何数据" in err
    assert errors.exists() and member_count(org_store) == 0
    assert cli_main(["--db", str(org_store.path), "import", str(path), "--errors",
                     str(tmp_path / "无此文件夹" / "错误.xlsx")]) == 2
    assert "无法写入“错误.xlsx”" in capsys.readouterr().err


def test_cli_unreadable_file_exit_2(org_store, tmp_path, capsys):
    path = tmp_path / "roster.xlsx"
    path.write_text("not a workbook")
    assert cli_main(["--db", str(org_store.path), "import", str(path)]) == 2
    err = capsys.readouterr().err
    assert "不是 Excel 文件" in err and "Traceback" not in err


# ---- what the bulk save must do as save_member does -----------------------------------------------
def test_bulk_save_keeps_what_the_file_does_not_carry(org_store, tmp_path):
    apply(org_store, write_roster(tmp_path / "a.xlsx", rows()))
    path = write_roster(tmp_path / "b.xlsx", [["张三", ZHANG, "13811112222"]], ["姓名", "身份证号", "联系电话"])
    assert apply(org_store, path) == 1
    zhang = by_name(org_store)["张三"]
    assert (zhang.phone, zhang.short_address, zhang.party_org, zhang.joined_on) == (
        "13811112222", "1-1-101", "启明小区党支部", date(1988, 7, 1))
    assert (zhang.name_pinyin, zhang.name_initials) == ("zhangsan", "zs")  # found by the search box


def test_import_reuses_a_leader_and_brings_back_a_deleted_member(org_store, tmp_path):
    with org_store.transaction() as s:
        building = org.building_choices(s)[0].id
        leader = people.save_leader(s, {"name": "张三", "phone": "13600136000", "id_number": ZHANG,
                                        "building_id": building})
    apply(org_store, write_roster(tmp_path / "a.xlsx", rows()))
    with org_store.session() as s:
        assert people.get_leader(s, leader)["is_member"] is True  # the leader is now a member leader
        li = next(r.id for r in people.list_members(s) if r.name == "李四")
    with org_store.transaction() as s:
        people.delete_members(s, [li])
    p = plan(org_store, tmp_path / "a.xlsx")
    assert [r.status for r in p.rows] == [UNCHANGED, NEW, UNCHANGED]
    apply(org_store, tmp_path / "a.xlsx")
    with org_store.session() as s:
        assert next(r.id for r in people.list_members(s) if r.name == "李四") == li  # the same record, restored


# ---- round trips with the export --------------------------------------------------------------
@pytest.mark.parametrize("masked", [True, False])
def test_export_then_import_changes_nothing(org_store, tmp_path, masked):
    from branchdesk.exchange.writer import export_roster

    apply(org_store, write_roster(tmp_path / "a.xlsx", rows()))
    out = tmp_path / "export.xlsx"
    with org_store.session() as s:
        export_roster(s, "members", out, masked=masked, prepared_by="王书记")
    p = plan(org_store, out)
    assert [r.status for r in p.rows] == [UNCHANGED] * 3, [r.problem_text() for r in p.rows]


def test_a_masked_number_that_is_not_the_stored_one_is_refused(org_store, tmp_path):
    apply(org_store, write_roster(tmp_path / "a.xlsx", rows()))
    path = write_roster(tmp_path / "b.xlsx", [["张三", ZHANG, "139****0000"]], ["姓名", "身份证号", "联系电话"])
    p = plan(org_store, path)
    assert p.rows[0].status == INVALID and "隐藏了部分数字" in p.rows[0].problem_text()


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_one_cell_edited_and_saved_by_libreoffice_is_one_change(org_store, tmp_path):
    from branchdesk.exchange.writer import export_roster

    apply(org_store, write_roster(tmp_path / "a.xlsx", rows()))
    exported = tmp_path / "export.xlsx"
    with org_store.session() as s:
        export_roster(s, "members", exported, masked=False)
    wb = openpyxl.load_workbook(exported)
    ws = wb.active
    phone_col = next(c.column for c in ws[3] if c.value == "联系电话")
    li_row = next(r for r in range(4, ws.max_row + 1) if ws.cell(r, 2).value == "李四")
    ws.cell(li_row, phone_col).value = "13722223333"
    edited = tmp_path / "edited" / "export.xlsx"
    edited.parent.mkdir()
    wb.save(edited)
    out = tmp_path / "out"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "xlsx",
                    "--outdir", str(out), str(edited)], check=True, capture_output=True, timeout=120)
    p = plan(org_store, out / "export.xlsx")  # written by LibreOffice
    changed = [r for r in p.rows if r.status == CHANGED]
    assert [r.status for r in p.rows].count(UNCHANGED) == 2
    assert len(changed) == 1 and [(c.label, c.new) for c in changed[0].changes] == [("联系电话", "137****3333")]


def test_cli_export_and_template(org_store, tmp_path, capsys):
    apply(org_store, write_roster(tmp_path / "a.xlsx", rows()))
    db = str(org_store.path)
    out = tmp_path / "花名册.xlsx"
    assert cli_main(["--db", db, "export", "members", str(out)]) == 0
    assert "已导出党员花名册 3 条" in capsys.readouterr().out
    ws = openpyxl.load_workbook(out).active
    assert ws.cell(4, 1).value.startswith("DY") and "*" in "".join(str(c.value) for c in ws[4])  # masked by default
    assert cli_main(["--db", db, "export", "members", str(out), "--full"]) == 0
    assert ZHANG in [c.value for row in openpyxl.load_workbook(out).active.iter_rows() for c in row]
    assert cli_main(["--db", db, "export", "people", str(out)]) == 2
    assert "没有“people”这种名册" in capsys.readouterr().err
    assert cli_main(["--db", db, "export", "members", str(tmp_path / "无此文件夹" / "x.xlsx")]) == 2
    err = capsys.readouterr().err
    assert "保存位置" in err and "不存在" in err and "Traceback" not in err
    assert cli_main(["template", "members", str(tmp_path / "模板.xlsx")]) == 0
    assert openpyxl.load_workbook(tmp_path / "模板.xlsx").sheetnames[-1] == "填写说明"


def test_cli_refuses_unsure_columns_until_mapped(org_store, tmp_path, capsys):
    header = ["序号", "姓名", "证件号码", "党员类别", "现居住地址", "手机号码"]
    path = write_roster(tmp_path / "街道名单.xlsx", [[r[0], r[1], r[4], r[6], r[9], r[8]] for r in rows()],
                        header=header)
    db = str(org_store.path)
    assert cli_main(["--db", db, "import", str(path)]) == 2
    out, err = capsys.readouterr()
    assert "--map 证件号码=身份证号" in out and "--map 现居住地址=住址" in out
    assert "有几列的含义无法确定，没有导入任何数据" in err
    assert member_count(org_store) == 0
    assert cli_main(["--db", db, "import", str(path), "--map", "证件号码=身份证号", "--map", "现居住地址=住址"]) == 0
    with org_store.session() as s:
        assert {m.id_number for m in people.list_members(s)} == {r[4] for r in rows()}
    assert cli_main(["--db", db, "import", str(path), "--map", "证件号码=照片"]) == 2
    assert "“照片”不是可以导入的项目" in capsys.readouterr().err
