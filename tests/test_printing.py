"""The printed documents as the secretary files them: every meeting paper and both
rosters to PDF, through the functions and the command line, read back with
pdftotext (the Chinese is text, not shapes) and pdffonts (a CJK font is embedded);
a long sign-in sheet runs over pages with its header on each and no name cut."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from exchange_helpers import LI, WANG, ZHANG, build_qiming
from test_cli import run

from branchdesk.printing import PrintError, build_document, write_pdf
from branchdesk.services import NotFound, org, people
from branchdesk.services import issues as S
from branchdesk.services import meetings as MT

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")

MEETING = {"kind": "党群议事会", "title": "关于3号楼楼道灯的议事会", "date": "2026-11-18", "start_time": "14:30",
           "end_time": "16:00", "place": "党群服务站二楼会议室", "host": "周书记", "recorder": "李娟"}
PEOPLE = [{"name": "王建华", "unit": "第一党小组", "role": "member", "present": True},
          {"name": "张敏", "unit": "业委会", "role": "owners_committee", "excused": True, "reason": "出差在外地"},
          {"name": "刘强", "unit": "华仁物业", "role": "property_company", "status": "absent"}]


@pytest.fixture(scope="module")
def qapp():
    from branchdesk.ui.qtenv import make_application

    return make_application()


def build_meeting(store, *, invitees: list[dict] | None = None, items: int = 0) -> int:
    """The 启明小区 meeting on the stairwell lights: an item on a raised issue, three
    invitees (present, excused with a reason, absent) and minutes with a decision."""
    build_qiming(store)
    with store.transaction() as s:
        issue_id = S.raise_issue(s, {"source": "居民来访", "category": "设施维修", "address": "3-2-302",
                                     "description": "3号楼2单元楼道灯不亮"}, at=datetime(2026, 11, 16, 9, 30))
        branch = next(c.id for c in org.party_org_choices(s) if c.label == "启明小区党支部")
        meeting_id = MT.save_meeting(s, {**MEETING, "party_org_id": branch})
        agenda = [{"title": "3号楼楼道灯维修", "presenter": "楼栋长王建华", "planned_minutes": "20", "issue_id": issue_id},
                  {"title": "其他事项", "presenter": "周书记", "planned_minutes": "10"}]
        agenda += [{"title": f"第{n}项补充议题：关于小区公共事务的讨论", "presenter": "周书记", "planned_minutes": "5"}
                   for n in range(3, items + 1)]
        MT.set_agenda(s, meeting_id, agenda)
        MT.set_attendees(s, meeting_id, PEOPLE if invitees is None else invitees)
        first = MT.agenda(s, meeting_id)[0]["id"]
        MT.record_minutes(s, meeting_id, discussions={first: "居民反映楼道灯坏了两周，夜间出行不便。\n物业表示可以当周更换。"},
                          decisions={first: [{"content": "更换3号楼2单元楼道灯具，改为声控灯", "owner": "华仁物业",
                                              "deadline": "2026-11-20", "level": "小区"}]},
                          summary="会议按时结束，议题均已形成决议。", at=datetime(2026, 11, 18, 16))
    return meeting_id


def add_people(store) -> None:
    with store.transaction() as s:
        branch = next(c.id for c in org.party_org_choices(s) if c.label == "启明小区党支部")
        for name, idn, phone, address in (("张三", ZHANG, "13800138000", "1-1-101"),
                                          ("李四", LI, "13900139000", "2-1-201"),
                                          ("王五", WANG, "13700137000", "3-2-302")):
            people.save_member(s, {"name": name, "id_number": idn, "phone": phone, "address": address,
                                   "category": "正式党员", "joined_on": "1998-07-01", "party_org_id": branch})
        building = org.building_choices(s)[0].id
        people.save_leader(s, {"name": "赵六", "phone": "13600136000", "building_id": building, "is_member": "是"})


def text_of(pdf: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    done = subprocess.run(["pdftotext", "-layout", *pages, str(pdf), "-"], capture_output=True, text=True,
                          encoding="utf-8", check=True)
    return done.stdout


def page_count(pdf: Path) -> int:
    done = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", done.stdout, re.MULTILINE).group(1))


def embedded_fonts(pdf: Path) -> list[list[str]]:
    done = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
    return [line.split() for line in done.stdout.splitlines()[2:]]


def squeeze(text: str) -> str:
    """pdftotext -layout pads table cells with spaces: compare without them. (The font
    draws — and ― with one glyph, so a dash reads back as either.)"""
    return re.sub(r"\s+", "", text)


def write(store, kind: str, path: Path, meeting_id: int | None = None, **options) -> Path:
    with store.session() as s:
        write_pdf(build_document(s, kind, meeting_id, **options), path)
    return path


# ---- the documents --------------------------------------------------------------------------------
def test_every_meeting_paper_carries_its_chinese_text_and_an_embedded_cjk_font(qapp, store, tmp_path):
    meeting_id = build_meeting(store)
    texts = {kind: squeeze(text_of(write(store, kind, tmp_path / f"{kind}.pdf", meeting_id)))
             for kind in ("notice", "agenda", "signin", "minutes")}
    for kind, text in texts.items():
        assert "关于3号楼楼道灯的议事会" in text and "党群服务站二楼会议室" in text, kind
        assert re.search(r"第1页共\d页", text), kind
        fonts = embedded_fonts(tmp_path / f"{kind}.pdf")
        assert fonts and all(f[0].startswith("NotoSansCJK") and "yes" in f[-5:-2] for f in fonts), fonts
    notice, agenda, signin, minutes = (texts[k] for k in ("notice", "agenda", "signin", "minutes"))
    assert "会议通知" in notice and re.search("2026年11月18日（星期三）14:30[—―]16:00", notice) and "主持人：周书记" in notice
    assert "3号楼楼道灯维修（汇报人：楼栋长王建华，约20分钟）" in notice and "王建华、张敏、刘强（共3人）" in notice
    assert "幸福社区启明小区党支部" in notice
    assert "会议议程" in agenda and "楼栋长王建华" in agenda and "2026-0001" in agenda and "约30分钟" in agenda
    assert "签到表" in signin and "应到3人" in signin and "签名签到时间" in signin and "请假：出差在外地" in signin
    for part in ("会议记录", "会议名称关于3号楼楼道灯的议事会", "主持人周书记", "记录人李娟", "应到人数3人", "实到人数1人",
                 "缺席人数2人", "出席人员王建华", "请假人员及原因张敏（出差在外地）", "缺席人员刘强", "讨论情况",
                 "居民反映楼道灯坏了两周", "决议事项", "更换3号楼2单元楼道灯具", "华仁物业", "2026年11月20日",
                 "会议按时结束", "主持人签字：", "记录人签字：", "日期："):
        assert part in minutes, part


def test_the_decision_table_keeps_who_what_and_by_when_in_one_row(qapp, store, tmp_path):
    meeting_id = build_meeting(store)
    lines = text_of(write(store, "minutes", tmp_path / "minutes.pdf", meeting_id)).splitlines()
    [row] = [n for n, line in enumerate(lines) if "华仁物业" in line]
    assert "2026年11月20日" in lines[row]  # owner and deadline side by side
    near = squeeze("".join(lines[row - 1:row + 2]))
    assert "3号楼楼道灯维" in near and "更换3号楼2单元楼道灯具" in near


def test_minutes_not_yet_written_print_as_a_form_to_fill_in(qapp, store, tmp_path):
    build_qiming(store)
    with store.transaction() as s:
        meeting_id = MT.save_meeting(s, {"kind": "支委会", "date": "2026-12-03", "start_time": "19:00"})
        MT.set_agenda(s, meeting_id, [{"title": "研究发展党员工作"}])
        MT.set_attendees(s, meeting_id, [{"name": n, "unit": "支委"} for n in ("周书记", "李娟", "王建华")])
    pdf = write(store, "minutes", tmp_path / "minutes.pdf", meeting_id)
    text = squeeze("".join(text_of(pdf, p) for p in range(1, page_count(pdf) + 1)))
    assert "会议名称支委会" in text and "应到人数3人" in text and "议题1：研究发展党员工作" in text
    assert "实到人数缺席人数" in text and "缺席人员" in text and "王建华" not in text  # nobody marked absent yet
    assert "本次会议未形成决议" not in text and "主持人签字：" in text


def test_the_signature_line_is_never_alone_on_the_last_page_of_the_minutes(qapp, store, tmp_path):
    """The summary grows a line at a time: where the minutes first need a second page,
    the summary's last line goes over with the signatures."""
    meeting_id = build_meeting(store)
    with store.session() as s:
        first = MT.agenda(s, meeting_id)[0]["id"]
    for lines in range(1, 80):
        with store.transaction() as s:
            MT.record_minutes(s, meeting_id, discussions={first: "居民反映楼道灯坏了两周。"}, decisions={},
                              summary="\n".join(f"小结第{n}条：会议按时结束。" for n in range(1, lines + 1)),
                              at=datetime(2026, 11, 18, 16))
        pdf = write(store, "minutes", tmp_path / f"minutes-{lines}.pdf", meeting_id)
        if page_count(pdf) > 1:
            break
    else:
        pytest.fail("80 lines of summary still fit on one page")
    pages = [squeeze(text_of(pdf, n)) for n in (1, 2)]
    assert "主持人签字" in pages[1] and f"小结第{lines}条" in pages[1]
    # and the heading is not left behind without its first line
    assert any("三、会议小结" in page and "小结第1条" in page for page in pages)


def test_a_sign_in_sheet_of_300_runs_over_pages_with_its_header_on_each_and_no_name_cut(qapp, store, tmp_path):
    invitees = [{"name": f"居民{n:03d}号", "unit": f"{n % 30 + 1}号楼", "role": "other"} for n in range(1, 301)]
    meeting_id = build_meeting(store, invitees=invitees)
    pdf = write(store, "signin", tmp_path / "signin.pdf", meeting_id, blank_rows=8)
    pages = page_count(pdf)
    assert pages >= 10
    seen = []
    for page in range(1, pages + 1):
        text = text_of(pdf, page)
        assert "签名" in text and "签到时间" in text and "单位/身份" in text, page  # the header on every page
        assert f"第 {page} 页 共 {pages} 页" in text
        seen += re.findall(r"居民\d{3}号", text)
    assert seen == [f"居民{n:03d}号" for n in range(1, 301)]  # each once, whole, in order
    last = squeeze(text_of(pdf, pages))
    assert "308" in last and "309" not in last  # the eight rows for walk-ins follow
    assert "关于3号楼楼道灯的议事会会议签到表" in squeeze(text_of(pdf, 2))  # a loose page says what it belongs to
    notice = squeeze(text_of(write(store, "notice", tmp_path / "notice.pdf", meeting_id)))
    assert "2号楼10人、3号楼10人" in notice and "（共300人，名单见签到表）" in notice and "居民001号" not in notice


def test_a_hundred_agenda_items_lay_out_over_pages(qapp, store, tmp_path):
    meeting_id = build_meeting(store, items=100)
    for kind in ("agenda", "notice", "minutes"):
        pdf = write(store, kind, tmp_path / f"{kind}.pdf", meeting_id)
        pages = page_count(pdf)
        assert pages >= 2, kind
        text = squeeze("".join(text_of(pdf, p) for p in range(1, pages + 1)))
        found = re.findall(r"第(\d+)项补充议题", text)
        assert found.count("100") == (2 if kind == "minutes" else 1), kind  # minutes: the form and the discussion
        if kind == "agenda":
            assert [int(n) for n in found] == list(range(3, 101))
            assert all("议题" in text_of(pdf, p) for p in range(1, pages + 1))


def test_rosters_mask_numbers_unless_full(qapp, store, tmp_path):
    build_qiming(store)
    add_people(store)
    masked = squeeze(text_of(write(store, "members", tmp_path / "m.pdf")))
    assert "幸福社区党员名册" in masked and "已隐藏部分身份证号和联系电话" in masked
    assert "张三" in masked and "13800138000" not in masked and ZHANG not in masked and "138****8000" in masked
    full = squeeze(text_of(write(store, "members", tmp_path / "f.pdf", full=True)))
    assert "13800138000" in full and ZHANG in full and "已隐藏" not in full
    leaders = squeeze(text_of(write(store, "building-leaders", tmp_path / "l.pdf")))
    assert "楼栋长通讯录" in leaders and "赵六" in leaders and "136****6000" in leaders and "13600136000" not in leaders
    assert "13600136000" in squeeze(text_of(write(store, "building-leaders", tmp_path / "lf.pdf", full=True)))


def test_write_pdf_refuses_in_one_sentence(qapp, store, tmp_path):
    meeting_id = build_meeting(store)
    with store.session() as s:
        document = build_document(s, "agenda", meeting_id)
        with pytest.raises(NotFound):
            build_document(s, "agenda", meeting_id + 99)
    with pytest.raises(PrintError, match="保存位置.*不存在"):
        write_pdf(document, tmp_path / "nope" / "a.pdf")
    with pytest.raises(PrintError, match="是一个文件夹"):
        write_pdf(document, tmp_path)
    assert not list(tmp_path.glob(".*part*"))


def test_the_print_preview_paints_the_same_pages(qapp, store, tmp_path):
    from PySide6.QtPrintSupport import QPrinter

    from branchdesk.ui.print_preview import make_preview_dialog

    meeting_id = build_meeting(store)
    with store.session() as s:
        document = build_document(s, "minutes", meeting_id)
    dialog = make_preview_dialog(None, document)
    try:
        assert "会议记录" in dialog.windowTitle()
        printer = dialog.printer()
        assert printer.pageLayout().pageSize().id() == printer.pageLayout().pageSize().PageSizeId.A4
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(tmp_path / "preview.pdf"))
        printed = document.paint(printer)
    finally:
        dialog.deleteLater()
    assert printed == write_pdf(document, tmp_path / "written.pdf") == page_count(tmp_path / "preview.pdf")
    # the same text (a line may wrap a character sooner at the printer's resolution)
    assert sorted(squeeze(text_of(tmp_path / "preview.pdf"))) == sorted(squeeze(text_of(tmp_path / "written.pdf")))


# ---- the command line ------------------------------------------------------------------------------
@pytest.fixture
def filled(tmp_path):
    """A database with the meeting and the rosters, in a data folder of its own."""
    from branchdesk.store import open_store

    path = tmp_path / "branchdesk.db"
    store = open_store(path, create=True)
    try:
        meeting_id = build_meeting(store)
        add_people(store)
    finally:
        store.close()
    return path, meeting_id


def test_the_command_line_prints_every_document_and_lists_the_meetings(filled, tmp_path):
    db, meeting_id = filled
    listed = run("--db", str(db), "meetings", data_dir=tmp_path)
    assert listed.returncode == 0, listed.stderr
    [line] = [line for line in listed.stdout.splitlines() if line.lstrip().startswith(str(meeting_id))]
    for part in ("2026-11-18", "14:30", "党群议事会", "关于3号楼楼道灯的议事会", "党群服务站二楼会议室", "3/1", "已记录"):
        assert part in line, part
    for kind in ("agenda", "notice", "signin", "minutes"):
        out = tmp_path / f"{kind}.pdf"
        done = run("--db", str(db), "print", kind, str(meeting_id), "--pdf", str(out), data_dir=tmp_path)
        assert done.returncode == 0, done.stderr
        assert str(out) in done.stdout and "第" not in done.stderr
        assert "关于3号楼楼道灯的议事会" in squeeze(text_of(out))
    out = tmp_path / "members.pdf"
    done = run("--db", str(db), "print", "roster", "members", "--pdf", str(out), data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "138****8000" in squeeze(text_of(out)) and "13800138000" not in squeeze(text_of(out))
    done = run("--db", str(db), "print", "roster", "building-leaders", "--pdf", str(out), "--full", data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "13600136000" in squeeze(text_of(out))


def test_the_command_line_prints_without_a_display(filled, tmp_path):
    db, meeting_id = filled
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    env.update(BRANCHDESK_DATA_DIR=str(tmp_path), PYTHONIOENCODING="utf-8")
    out = tmp_path / "签到表.pdf"
    done = subprocess.run([sys.executable, "-m", "branchdesk", "--db", str(db), "print", "signin", str(meeting_id),
                           "--pdf", str(out)], check=False, env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=120)
    assert done.returncode == 0, done.stderr
    assert "已把签到表保存到" in done.stdout and "共 1 页" in done.stdout and out.exists()


def test_the_command_line_refuses_a_wrong_meeting_folder_or_file_in_one_sentence(filled, tmp_path):
    db, meeting_id = filled
    cases = [(("print", "minutes", str(meeting_id + 50), "--pdf", str(tmp_path / "x.pdf")), "没有编号为"),
             (("print", "minutes", "abc", "--pdf", str(tmp_path / "x.pdf")), "会议编号"),
             (("print", "notice", str(meeting_id), "--pdf", str(tmp_path / "nope" / "x.pdf")), "不存在"),
             (("print", "signin", str(meeting_id), "--pdf", str(tmp_path)), "是一个文件夹")]
    for args, words in cases:
        done = run("--db", str(db), *args, data_dir=tmp_path)
        assert done.returncode == 2, (args, done.stderr)
        assert words in done.stderr and "Traceback" not in done.stderr, done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert not (tmp_path / "x.pdf").exists()
