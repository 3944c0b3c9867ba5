"""The meetings in the Excel exchange: 会议, 议程与决议 and 签到 as a branch files them
(oldest first, real dates, the decisions with their owner and deadline, the sign-in
with the reasons), alone (export meetings) and in the sync package; an import says the
package's meetings are not merged and brings the rest, and refuses a meetings export."""
from __future__ import annotations

import csv
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from exchange_helpers import build_qiming
from list_helpers import run_cli
from python_calamine import CalamineWorkbook
from sqlalchemy import func, select

from branchdesk.cli import main as cli_main
from branchdesk.exchange import ExchangeError
from branchdesk.exchange import writer as W
from branchdesk.exchange.importer import PackagePlan, apply_plan, plan_import
from branchdesk.exchange.meeting_sheets import MEETING_SHEETS, export_meetings
from branchdesk.exchange.package import MEETINGS_NOT_MERGED
from branchdesk.models import Household, Meeting
from branchdesk.services import issues as S
from branchdesk.services import meetings as MT
from branchdesk.store import open_store

needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
HELD = {"kind": "党群议事会", "title": "关于3号楼楼道灯的议事会", "date": "2026-11-18", "start_time": "14:30",
        "end_time": "16:00", "place": "党群服务站", "host": "周书记", "recorder": "李娟"}
COMING = {"kind": "支委会", "title": "研究年终慰问", "date": "2026-12-20", "start_time": "9:00", "place": "党群服务站",
          "host": "周书记", "recorder": "李娟"}
EARLIER = {"kind": "党课", "title": "学习党章", "date": "2026-03-02", "start_time": "19:00", "place": "活动室"}


@pytest.fixture
def filed(store):
    """启明小区 with three meetings entered out of order: a 党课 in March, the 议事会 held
    on 18 November (an issue decided twice over, a second item, three on the sign-in)
    and a 支委会 still to come with two invitees."""
    build_qiming(store)
    with store.transaction() as s:
        issue_id = S.raise_issue(s, {"source": "居民来访", "category": "设施维修", "address": "3-2-302",
                                     "description": "3号楼2单元楼道灯不亮"}, at=datetime(2026, 11, 16, 9, 30))
        coming = MT.save_meeting(s, COMING)
        held = MT.save_meeting(s, HELD)
        MT.save_meeting(s, EARLIER)
        MT.set_agenda(s, held, [{"title": "3号楼楼道灯维修", "presenter": "王建华", "issue_id": issue_id},
                                {"title": "其他事项"}])
        MT.set_attendees(s, held, [
            {"name": "王建华", "unit": "第一党小组", "role": "member", "present": True},
            {"name": "张敏", "unit": "业委会", "role": "owners_committee", "excused": True, "reason": "出差"},
            {"name": "刘强", "unit": "华仁物业", "role": "property_company", "status": "absent"}])
        first, _second = MT.agenda(s, held)
        MT.record_minutes(s, held, discussions={first["id"]: "+3 户居民反映灯坏了两周"}, decisions={first["id"]: [
            {"content": "物业更换灯具", "owner": "华仁物业", "deadline": "2026-11-20", "level": "小区"},
            {"content": "楼栋长每周巡查", "owner": "王建华", "deadline": "2026-12-31"}]},
            at=datetime(2026, 11, 18, 16))
        MT.set_agenda(s, coming, [{"title": "年终慰问名单"}])
        MT.set_attendees(s, coming, [{"name": "王建华", "role": "member"}, {"name": "李娟", "role": "member"}])
    return store


def _export(store, path: Path) -> Path:
    with store.session() as s:
        assert export_meetings(s, path, prepared_by="李娟", now=date(2026, 12, 1)) == 3
    return path


def _rows(ws) -> list[tuple]:
    """The data rows under the header, up to the blank row before the 填报人 line."""
    rows = []
    for row in ws.iter_rows(min_row=W.HEADER_ROW + 1, values_only=True):
        if not any(v is not None for v in row):
            break
        rows.append(row)
    return rows


def test_three_sheets_as_a_branch_files_them(filed, tmp_path):
    wb = openpyxl.load_workbook(_export(filed, tmp_path / "会议记录.xlsx"))
    assert wb.sheetnames == list(MEETING_SHEETS) == ["会议", "议程与决议", "签到"]
    meetings = wb["会议"]
    assert meetings["A1"].value == "幸福社区会议记录（会议）" and meetings["A2"].value == "导出日期：2026-12-01"
    assert [c.value for c in meetings[W.HEADER_ROW]] == [
        "会议日期", "开始时间", "结束时间", "会议类型", "会议主题", "召开组织", "地点", "主持人", "记录人",
        "应到", "实到", "请假", "缺席", "议题", "已记录"]
    rows = _rows(meetings)
    # oldest first; the 党课 without a theme of its own is entitled by its kind
    assert [(r[0], r[3], r[4]) for r in rows] == [
        (datetime(2026, 3, 2), "党课", "学习党章"), (datetime(2026, 11, 18), "党群议事会", "关于3号楼楼道灯的议事会"),
        (datetime(2026, 12, 20), "支委会", "研究年终慰问")]
    held, coming = rows[1], rows[2]
    assert held[1:3] == ("14:30", "16:00") and held[6:13] == ("党群服务站", "周书记", "李娟", 3, 1, 1, 1)
    assert held[13] == "1. 3号楼楼道灯维修；2. 其他事项" and held[14] == "是"
    # a meeting still to come: invited, but nobody is absent yet
    assert coming[9:13] == (2, None, None, None) and coming[14] == "否" and coming[2] is None
    assert meetings.cell(W.HEADER_ROW + 1, 1).number_format == W.DATE_FORMAT
    assert meetings.freeze_panes == f"A{W.HEADER_ROW + 1}"
    assert meetings.auto_filter.ref == f"A{W.HEADER_ROW}:O{W.HEADER_ROW + 3}"
    assert meetings.page_setup.orientation == "landscape" and meetings.page_setup.paperSize == 9
    assert meetings.print_title_rows == f"${W.HEADER_ROW}:${W.HEADER_ROW}"
    assert "&P" in meetings.oddFooter.center.text
    assert meetings.cell(W.HEADER_ROW + 5, 1).value.startswith("填报人：李娟")

    items = wb["议程与决议"]
    assert [c.value for c in items[W.HEADER_ROW]] == [
        "会议日期", "会议主题", "序号", "议题", "汇报人", "关联问题编号", "讨论情况", "决议事项", "责任人（单位）",
        "完成时限"]
    assert [r[1:] for r in _rows(items)] == [
        ("关于3号楼楼道灯的议事会", 1, "3号楼楼道灯维修", "王建华", "2026-0001", "+3 户居民反映灯坏了两周",
         "物业更换灯具", "华仁物业", datetime(2026, 11, 20)),
        ("关于3号楼楼道灯的议事会", 1, "3号楼楼道灯维修", None, None, None, "楼栋长每周巡查", "王建华",
         datetime(2026, 12, 31)),
        ("关于3号楼楼道灯的议事会", 2, "其他事项", None, None, None, None, None, None),
        ("研究年终慰问", 1, "年终慰问名单", None, None, None, None, None, None)]
    discussion = items.cell(W.HEADER_ROW + 1, 7)
    assert discussion.data_type == "s" and discussion.quotePrefix  # “+3 户…” stays text, never a formula
    assert items.cell(W.HEADER_ROW + 1, 10).number_format == W.DATE_FORMAT

    signin = wb["签到"]
    assert [c.value for c in signin[W.HEADER_ROW]] == ["会议日期", "会议主题", "姓名", "单位/身份", "类别", "出席情况",
                                                       "请假原因"]
    assert [r[1:] for r in _rows(signin)] == [
        ("关于3号楼楼道灯的议事会", "王建华", "第一党小组", "党员", "出席", None),
        ("关于3号楼楼道灯的议事会", "张敏", "业委会", "业委会", "请假", "出差"),
        ("关于3号楼楼道灯的议事会", "刘强", "华仁物业", "物业", "缺席", None),
        ("研究年终慰问", "王建华", None, "党员", "未签到", None),
        ("研究年终慰问", "李娟", None, "党员", "未签到", None)]


def test_calamine_reads_real_dates(filed, tmp_path):
    book = CalamineWorkbook.from_path(str(_export(filed, tmp_path / "会议记录.xlsx")))
    rows = book.get_sheet_by_name("议程与决议").to_python()
    first = rows[W.HEADER_ROW]
    assert first[0] == date(2026, 11, 18) and first[9] == date(2026, 11, 20) and first[7] == "物业更换灯具"


@needs_soffice
def test_libreoffice_reads_the_meetings(filed, tmp_path):
    source = _export(filed, tmp_path / "会议记录.xlsx")
    out = tmp_path / "csv"
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless",
                    "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", str(out), str(source)],
                   check=True, capture_output=True, timeout=180)
    rows = list(csv.reader((out / "会议记录.csv").read_text(encoding="utf-8").splitlines()))
    assert rows[0][0] == "幸福社区会议记录（会议）"
    held = rows[W.HEADER_ROW + 1]
    assert held[:5] == ["2026-11-18", "14:30", "16:00", "党群议事会", "关于3号楼楼道灯的议事会"]
    assert held[13] == "1. 3号楼楼道灯维修；2. 其他事项" and rows[-1][0].startswith("填报人：李娟")


def test_the_package_carries_the_meetings_and_imports_the_rest(filed, tmp_path, capsys):
    package = tmp_path / "数据包.xlsx"
    with filed.session() as s:
        counts = W.export_package(s, package)
    assert counts.meetings == 3 and "meetings" not in counts  # the counts of what an import merges
    wb = openpyxl.load_workbook(package)
    assert wb.sheetnames[-3:] == ["会议", "议程与决议", "签到"]
    facts = {r[0]: r[1] for r in wb["基本信息"].iter_rows(min_row=3, values_only=True) if r[0] and r[1]}
    assert facts["会议记录条数"] == 3 and facts["居民问题条数"] == 1
    assert len(_rows(wb["签到"])) == 5

    with open_store(tmp_path / "other.db", create=True) as other:
        with other.transaction() as s:
            plan = plan_import(s, package)
            assert isinstance(plan, PackagePlan) and plan.has_meetings and not plan.invalid
            assert [p.sheet_name for p in plan.plans if p.sheet_name in MEETING_SHEETS] == []
            apply_plan(s, plan)
        with other.session() as s:
            assert s.scalar(select(func.count()).select_from(Household)) > 0
            assert s.scalar(select(func.count()).select_from(Meeting)) == 0  # not merged in this version
        db = other.path
    capsys.readouterr()
    code = cli_main(["--db", str(db), "import", str(package), "--dry-run"])
    out, err = capsys.readouterr()
    assert code == 0 and out.count(MEETINGS_NOT_MERGED) == 1 and err == ""


def test_the_command_line_exports_meetings_and_refuses_them_as_an_import(filed, tmp_path, capsys):
    code, out, err = run_cli(filed, capsys, "export", "meetings", tmp_path / "会议记录.xlsx")
    assert code == 0 and "已导出会议记录 3 条" in out and err == ""
    code, out, err = run_cli(filed, capsys, "export", "meetings", tmp_path / "全.xlsx", "--full")
    assert code == 0 and "号码" not in out  # names only: masked and full are the same
    masked, full = ([list(ws.values) for ws in openpyxl.load_workbook(tmp_path / name)]
                    for name in ("会议记录.xlsx", "全.xlsx"))
    assert masked == full
    code, _out, err = run_cli(filed, capsys, "export", "meetings", tmp_path / "没有" / "会议.xlsx")
    assert code == 2 and "不存在" in err and "Traceback" not in err

    with filed.session() as s, pytest.raises(ExchangeError, match="会议记录只能导出、不能导入"):
        plan_import(s, tmp_path / "会议记录.xlsx")
    code, out, err = run_cli(filed, capsys, "import", tmp_path / "会议记录.xlsx")
    assert code == 2 and err.strip().count("。") == 1 and "会议记录只能导出、不能导入" in err
    assert "Traceback" not in err and "已导入" not in out
    code, _out, _err = run_cli(filed, capsys, "template", "meetings", tmp_path / "模板.xlsx")
    assert code == 2
