"""A meeting's printed papers: the notice (会议通知), the agenda (会议议程), the
sign-in sheet (签到表) and the minutes (会议记录) in the layout branches file.
Each function reads the meeting through services.meetings and returns a
PrintDocument."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from ..fields import ATTENDEE_FIELDS, ISSUE_LEVELS, by_key
from ..services import meetings as MT
from .common import cn_date, org_line
from .layout import (
    Cell,
    Column,
    Paragraph,
    PrintDocument,
    Signatures,
    Spacer,
    Table,
    heading,
)

AF = by_key(ATTENDEE_FIELDS)
LEVELS = dict(ISSUE_LEVELS)
WALK_IN_ROWS = 6  # blank rows on the sign-in sheet for those who come uninvited
SIGN_ROW_MM = 10  # room to sign
NAMED_IN_NOTICE = 30  # a notice names this many invitees; more are counted by unit


@dataclass(frozen=True)
class _Meeting:
    info: dict  # get_meeting
    items: list[dict]  # agenda, with discussion and decisions
    people: list[dict]  # attendees
    counts: MT.Attendance
    minutes: dict  # minutes_of
    org: str

    @property
    def title(self) -> str:
        return self.info["title"] or self.info["kind"]

    @property
    def day(self) -> date:
        return self.info["date"]

    @property
    def when(self) -> str:
        """2026年11月18日（星期三）14:30—16:00"""
        end = f"—{self.info['end_time']}" if self.info["end_time"] else ""
        return f"{cn_date(self.day, weekday=True)}{self.info['start_time']}{end}"


def _load(session: Session, meeting_id: int) -> _Meeting:
    info = MT.get_meeting(session, meeting_id)  # NotFound for a wrong or deleted id
    return _Meeting(info, MT.agenda(session, meeting_id), MT.attendees(session, meeting_id),
                    MT.attendance(session, meeting_id), MT.minutes_of(session, meeting_id),
                    org_line(session, info["party_org_id"]))


def _subtitle(m: _Meeting) -> str:
    """The meeting's theme under the document's name; nothing when it has no theme but its kind."""
    return m.info["title"] or ""


def _item_line(item: dict) -> str:
    """3号楼楼道灯维修（汇报人：楼栋长，约 20 分钟）"""
    details = []
    if item["presenter"]:
        details.append(f"汇报人：{item['presenter']}")
    if item["planned_minutes"]:
        details.append(f"约 {item['planned_minutes']} 分钟")
    return item["title"] + (f"（{'，'.join(details)}）" if details else "")


def _names(names: list[str]) -> str:
    return "、".join(names) if names else "无"


# ---- 会议通知 ------------------------------------------------------------------------------------
def notice(session: Session, meeting_id: int, *, today: date | None = None) -> PrintDocument:
    """The notice sent out before the meeting: what, when, where, who hosts, who is to come
    and the agenda; signed by the branch with the day it is sent."""
    m = _load(session, meeting_id)
    today = today or date.today()
    info = m.info
    facts = [("会议名称", m.title), ("会议类型", info["kind"]), ("会议时间", m.when), ("会议地点", info["place"] or "另行通知"),
             ("主 持 人", info["host"] or "")]
    blocks: list = [Paragraph("各位参会人员：", after=2),
                    Paragraph(f"经研究，定于{cn_date(m.day)}{info['start_time']}在{info['place'] or '（地点另行通知）'}"
                              f"召开{m.title}。现将有关事项通知如下：", indent=2, after=2)]
    for n, (label, value) in enumerate(facts, start=1):
        blocks.append(Paragraph(f"{_cn(n)}、{label}：{value}", indent=2, after=1))
    n = len(facts) + 1
    blocks.append(Paragraph(f"{_cn(n)}、参会人员：{_invited(m.people)}", indent=2, hanging=2, after=1))
    blocks.append(Paragraph(f"{_cn(n + 1)}、会议议程：", indent=2, after=1, keep_with_next=True))
    if m.items:
        blocks += [Paragraph(f"{i}. {_item_line(item)}", indent=4, hanging=5.2, after=0.5)
                   for i, item in enumerate(m.items, start=1)]
    else:
        blocks.append(Paragraph("另行通知。", indent=4))
    blocks.append(Paragraph(f"{_cn(n + 2)}、有关要求：请参会人员准时出席；因故不能参加的，请于会前向主持人请假并说明原因。",
                            indent=2, hanging=2, before=1))
    blocks += [Paragraph("特此通知。", indent=2, before=2, after=8),
               Paragraph(m.org, align="right", after=1), Paragraph(cn_date(today), align="right")]
    return PrintDocument("会议通知", _subtitle(m), "", "", blocks)


def _invited(people: list[dict]) -> str:
    """王建华、张敏、刘强（共 3 人）; a long list by unit: 第一党小组 12 人、业委会 5 人（共 300 人）."""
    if not people:
        return "另行通知"
    if len(people) <= NAMED_IN_NOTICE:
        return f"{_names([p['name'] for p in people])}（共 {len(people)} 人）"
    units: dict[str, int] = {}
    for p in people:
        units[p["unit"] or "其他人员"] = units.get(p["unit"] or "其他人员", 0) + 1
    return "、".join(f"{unit} {count} 人" for unit, count in units.items()) + f"（共 {len(people)} 人，名单见签到表）"


def _cn(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十: the numbering of a notice's sections."""
    digits = "〇一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return f"{digits[tens] if tens > 1 else ''}十{digits[ones] if ones else ''}"


# ---- 会议议程 ------------------------------------------------------------------------------------
def _facts_line(m: _Meeting) -> list[Paragraph]:
    info = m.info
    return [Paragraph(f"会议类型：{info['kind']}　　　主持人：{info['host'] or ''}", after=0.5),
            Paragraph(f"会议时间：{m.when}", after=0.5),
            Paragraph(f"会议地点：{info['place'] or ''}", after=1)]


def agenda(session: Session, meeting_id: int) -> PrintDocument:
    m = _load(session, meeting_id)
    columns = (Column("序号", 4, "center"), Column("议题", 21), Column("汇报人", 9, "center"),
               Column("时长", 6, "center"), Column("关联问题", 7, "center"))
    rows = [(str(i), item["title"], item["presenter"] or "",
             f"{item['planned_minutes']} 分钟" if item["planned_minutes"] else "", item["issue_number"] or "")
            for i, item in enumerate(m.items, start=1)]
    total = sum(item["planned_minutes"] or 0 for item in m.items)
    blocks: list = [*_facts_line(m), Table(columns, rows or [("", "（尚未安排议程）", "", "", "")])]
    if total:
        blocks.append(Paragraph(f"共 {len(m.items)} 项议程，计划用时约 {total} 分钟。", align="right"))
    return PrintDocument("会议议程", _subtitle(m), m.org, cn_date(m.day), blocks)


# ---- 签到表 ---------------------------------------------------------------------------------------
def signin_sheet(session: Session, meeting_id: int, *, blank_rows: int = WALK_IN_ROWS) -> PrintDocument:
    """Every invitee with their unit and room to sign and write the time, then blank rows
    for those who come uninvited. Someone already excused is marked so in 备注."""
    m = _load(session, meeting_id)
    columns = (Column("序号", 4, "center"), Column("姓名", 7, "center"), Column(AF["unit"].label, 11, "center"),
               Column("签名", 12), Column("签到时间", 7), Column("备注", 10))
    rows = []
    for n, person in enumerate(m.people, start=1):
        note = f"请假：{person['reason']}" if person["status"] == "excused" else ""
        rows.append((str(n), person["name"], person["unit"] or "", "", "", note))
    rows += [(str(n), "", "", "", "", "") for n in range(len(m.people) + 1, len(m.people) + 1 + blank_rows)]
    blocks = [*_facts_line(m),
              Paragraph(f"应到 {m.counts.expected} 人　　　　实到＿＿＿＿人　　　　请假＿＿＿＿人", bold=True, after=1),
              Table(columns, rows, row_height=SIGN_ROW_MM)]
    return PrintDocument("会议签到表", _subtitle(m), m.org, cn_date(m.day), blocks)


# ---- 会议记录 ------------------------------------------------------------------------------------
def minutes(session: Session, meeting_id: int) -> PrintDocument:
    """The minutes as the branch's 会议记录本 has them: the facts of the meeting in a form,
    what was said on each item, the decisions (who, what, by when), the summary, and
    lines for the host's and the recorder's signatures. A meeting whose minutes are not
    yet written prints as a form to fill in by hand."""
    m = _load(session, meeting_id)
    info, counts = m.info, m.counts
    label = (lambda text: Cell(text, bold=True, align="center"))
    wide = (lambda text: Cell(text, span=3))
    written = m.minutes["minutes_at"] is not None
    topics = "\n".join(f"{i}. {_item_line(item)}" for i, item in enumerate(m.items, start=1)) or ""
    # nobody signed in yet and nothing written: who came is left to be filled in by hand
    signed = written or any(p["status"] != "invited" for p in m.people)
    present = [p["name"] for p in m.people if p["status"] == "present"]
    came = {"实到人数": f"{counts.present} 人", "缺席人数": f"{len(counts.excused) + len(counts.absent)} 人",
            "出席人员": _names(present),
            "请假人员及原因": "、".join(f"{name}（{reason}）" for name, reason in counts.excused) or "无",
            "缺席人员": _names(counts.absent)}
    if not signed:
        came = dict.fromkeys(came, "")
    form = [
        (label("会议名称"), wide(m.title)),
        (label("会议类型"), info["kind"], label("召开组织"), m.org),
        (label("时间"), wide(m.when)),
        (label("地点"), info["place"] or "", label("主持人"), info["host"] or ""),
        (label("应到人数"), f"{counts.expected} 人", label("记录人"), info["recorder"] or ""),
        (label("实到人数"), came["实到人数"], label("缺席人数"), came["缺席人数"]),
        *((label(key), wide(came[key])) for key in ("出席人员", "请假人员及原因", "缺席人员")),
        (label("议题"), wide(topics)),
    ]
    columns = (Column("", 10), Column("", 16), Column("", 9), Column("", 16))
    blocks: list = [Table(columns, form, header=False, row_height=8, before=0)]

    blocks.append(heading("一、讨论情况"))
    for i, item in enumerate(m.items, start=1):
        blocks.append(Paragraph(f"议题{i}：{_item_line(item)}", bold=True, after=1, keep_with_next=True))
        if item["discussion"]:
            blocks += [Paragraph(text, indent=2, after=1) for text in item["discussion"].splitlines() if text.strip()]
        elif not written:
            blocks.append(Spacer(30))
        else:
            blocks.append(Paragraph("（未记录发言情况）", indent=2))
    if not m.items:
        blocks.append(Spacer(40) if not written else Paragraph("（本次会议未列议题）", indent=2))

    blocks.append(heading("二、决议事项"))
    decisions = [(i, item, d) for i, item in enumerate(m.items, start=1) for d in item["decisions"]]
    decision_columns = (Column("序号", 4, "center"), Column("议题", 9), Column("决议事项", 16),
                        Column("责任人（单位）", 8, "center"), Column("完成时限", 9, "center"))
    if decisions:
        rows = [(str(n), f"{i}. {item['title']}", d["content"] + (f"（{LEVELS[d['level']]}办理）" if d["level"] else ""),
                 d["owner"], cn_date(d["deadline"])) for n, (i, item, d) in enumerate(decisions, start=1)]
        blocks.append(Table(decision_columns, rows))
    elif not written:
        blocks.append(Table(decision_columns, [(str(n), "", "", "", "") for n in range(1, 5)], row_height=12))
    else:
        blocks.append(Paragraph("本次会议未形成决议。", indent=2))

    blocks.append(heading("三、会议小结"))
    summary = m.minutes["summary"]
    texts = [text for text in summary.splitlines() if text.strip()] if summary else []
    # the last of the summary goes over with the signatures: a signature line is never alone on a page
    if texts:
        blocks += [Paragraph(text, indent=2, after=1, keep_with_next=n == len(texts)) for n, text in enumerate(texts, 1)]
    else:
        blocks.append(Spacer(25) if not written else Paragraph("（无）", indent=2, keep_with_next=True))
    blocks.append(Signatures(("主持人签字：", "记录人签字：", "日期：")))
    return PrintDocument("会议记录", "", m.org, cn_date(m.day), blocks)
