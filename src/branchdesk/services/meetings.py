"""Meetings: prepare one (kind, time, place, the agenda, who is invited), hold it
(who came, who was excused and why), file it (what was said per item, and the
decisions: who does what by when), and keep the 三会一课 on time.

A decision on an agenda item that carries a resident's issue is the issue's 定事:
record_minutes moves the issue to 议事 (if it was only raised) and 定事 with that
owner and deadline, through the issue services, and the timeline names the meeting.
As elsewhere: each call runs in the caller's one transaction, a refusal raises
ValidationFailed({field: sentence}) and changes nothing, deletes are soft."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..fields import (
    AGENDA_FIELDS, ATTENDEE_FIELDS, DISCUSSION_FIELD, ISSUE_LEVELS, MEETING_DECISION_FIELDS, MEETING_FIELDS,
    MINUTES_SUMMARY_FIELD, by_key, parse_record,
)
from ..models import AgendaItem, Attendee, Decision, Issue, Meeting, PartyOrg
from ..models.issues import DECIDED, DISCUSSED, RAISED
from ..models.lists import MEETING_KIND
from ..models.meetings import ABSENT, EXCUSED, INVITED, PRESENT, ROLE_LEADER, ROLE_MEMBER, ROLE_PARTNER
from . import NotFound, ValidationFailed
from . import issues as issue_service
from .lists import active_labels
from .meta import read_setting, write_setting
from .periods import period_range

MF = by_key(MEETING_FIELDS)
_MEETING_FORM = tuple(f for f in MEETING_FIELDS if f.key not in ("start_time", "end_time"))
_LEVEL_CODES = dict(ISSUE_LEVELS)

# 三会一课: how often each must be held (configurable); "month" or "quarter"
FREQUENCY_KEY = "meeting_frequencies"
DEFAULT_FREQUENCIES = {"支委会": "month", "党小组会": "month", "支部党员大会": "quarter", "党课": "quarter"}
FREQUENCY_LABELS = {"month": "每月", "quarter": "每季度"}
GROUP_KIND = "党小组会"  # held by each party group, not by the branch


def _fail_if(errors: dict) -> None:
    if errors:
        raise ValidationFailed(errors)


_TIME = re.compile(r"^(上午|下午|晚上)?\s*(\d{1,2})\s*(?:[:：.点时]\s*(\d{1,2})?\s*分?)?$")


def parse_time(raw: object, label: str) -> time | None:
    """14:30, 14：30, 14点30分, 下午2点 → a time of day; empty → None."""
    text = str(raw or "").strip()
    if not text:
        return None
    match = _TIME.match(text)
    if not match:
        raise ValidationFailed({label: f"看不懂时间“{text}”，请写成 14:30 的样子。"})
    noon, hour, minute = match.group(1), int(match.group(2)), int(match.group(3) or 0)
    if noon in ("下午", "晚上") and hour < 12:
        hour += 12
    if hour > 23 or minute > 59:
        raise ValidationFailed({label: f"时间“{text}”不存在，请写成 14:30 的样子。"})
    return time(hour, minute)


def meeting_kinds(session: Session) -> list[str]:
    return active_labels(session, MEETING_KIND)


def _meeting(session: Session, meeting_id: int) -> Meeting:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or meeting.deleted_at is not None:
        raise NotFound(meeting_id)
    return meeting


# ---- the meeting itself -----------------------------------------------------------------------
def save_meeting(session: Session, raw: dict, meeting_id: int | None = None) -> int:
    """Add or change a meeting; raw holds MEETING_FIELDS' text (a date and the times of day)."""
    meeting = _meeting(session, meeting_id) if meeting_id is not None else None
    values, errors = parse_record(_MEETING_FORM, raw, new=meeting is None)
    if meeting is None and "date" not in errors and values.get("date") is None:
        errors["date"] = "请填写会议日期。"
    start = end = None
    for key in ("start_time", "end_time"):
        try:
            parsed = parse_time(raw.get(key), key)
        except ValidationFailed as exc:
            errors.update(exc.errors)
            continue
        if key == "start_time":
            start = parsed
        else:
            end = parsed
    if meeting is None and start is None and "start_time" not in errors:
        errors["start_time"] = "请填写开始时间，如 14:30。"
    if start and end and end <= start:
        errors["end_time"] = "结束时间应晚于开始时间。"
    kind = values.get("kind")
    if kind and (meeting is None or kind != meeting.kind) and kind not in meeting_kinds(session):
        errors["kind"] = f"会议类型“{kind}”不在列表中，请从列表中选择，或先在“设置 ▸ 选项列表”中添加。"
    org_id = values.get("party_org_id")
    if org_id and session.get(PartyOrg, org_id) is None:
        errors["party_org_id"] = "所选党组织已不存在，请重新选择。"
    _fail_if(errors)

    if meeting is None:
        meeting = Meeting()
        session.add(meeting)
    day = values.get("date") or meeting.starts_at.date()
    start = start or meeting.starts_at.time()
    meeting.starts_at = datetime.combine(day, start)
    if "end_time" in raw:
        meeting.ends_at = datetime.combine(day, end) if end else None
    elif meeting.ends_at is not None:
        meeting.ends_at = datetime.combine(day, meeting.ends_at.time())
    for key in ("kind", "title", "place", "host", "recorder", "party_org_id"):
        if key in values:
            setattr(meeting, key, values[key])
    session.flush()
    return meeting.id


def get_meeting(session: Session, meeting_id: int) -> dict:
    m = _meeting(session, meeting_id)
    return {"kind": m.kind, "title": m.title, "date": m.starts_at.date(), "start_time": f"{m.starts_at:%H:%M}",
            "end_time": f"{m.ends_at:%H:%M}" if m.ends_at else "", "place": m.place, "host": m.host,
            "recorder": m.recorder, "party_org_id": m.party_org_id}


def title_of(meeting: Meeting) -> str:
    return meeting.title or meeting.kind


def list_meetings(session: Session) -> list:
    """Every meeting with its counts (应到, 实到, 请假), newest first; one query."""
    def count(*where):
        stmt = select(func.count()).where(Attendee.meeting_id == Meeting.id, *where)
        return stmt.correlate(Meeting).scalar_subquery()

    items = select(func.count()).where(AgendaItem.meeting_id == Meeting.id).correlate(Meeting).scalar_subquery()
    stmt = (select(Meeting.id, Meeting.kind, func.coalesce(Meeting.title, Meeting.kind).label("title"),
                   Meeting.starts_at, func.date(Meeting.starts_at).label("day"),
                   func.strftime("%H:%M", Meeting.starts_at).label("start_time"), Meeting.place, Meeting.host,
                   Meeting.recorder, PartyOrg.name.label("party_org"), Meeting.party_org_id,
                   items.label("items"), count().label("invited"), count(Attendee.status == PRESENT).label("present"),
                   count(Attendee.status == EXCUSED).label("excused"), Meeting.minutes_at,
                   (Meeting.minutes_at.is_not(None)).label("held"))
            .outerjoin(PartyOrg, Meeting.party_org_id == PartyOrg.id)
            .where(Meeting.deleted_at.is_(None)).order_by(Meeting.starts_at.desc(), Meeting.id.desc()))
    return session.execute(stmt).all()


def delete_meetings(session: Session, meeting_ids: list[int]) -> datetime:
    stamp = datetime.now()  # the undo token
    session.execute(update(Meeting).where(Meeting.id.in_(meeting_ids), Meeting.deleted_at.is_(None))
                    .values(deleted_at=stamp))
    return stamp


def restore_meetings(session: Session, meeting_ids: list[int], stamp: datetime) -> None:
    session.execute(update(Meeting).where(Meeting.id.in_(meeting_ids), Meeting.deleted_at == stamp)
                    .values(deleted_at=None))


# ---- the agenda -------------------------------------------------------------------------------
def set_agenda(session: Session, meeting_id: int, items: list[dict]) -> None:
    """The agenda in order. An item given with its "id" keeps what the minutes said of it;
    an item left out is removed. An issue newly put on the agenda notes it in its timeline."""
    meeting = _meeting(session, meeting_id)
    errors: dict = {}
    parsed = []
    for n, raw in enumerate(items, start=1):
        values, problems = parse_record(AGENDA_FIELDS, raw, new=True)
        minutes = values.get("planned_minutes")
        if minutes is not None:
            if not str(minutes).isdigit() or not 0 < int(minutes) <= 600:
                problems["planned_minutes"] = "时长请填 1 到 600 之间的分钟数。"
            else:
                values["planned_minutes"] = int(minutes)
        issue_id = values.get("issue_id")
        if issue_id is not None:
            issue = session.get(Issue, issue_id)
            if issue is None or issue.deleted_at is not None:
                problems["issue_id"] = "关联的问题已被删除，请重新选择。"
        for key, text in problems.items():
            errors.setdefault(f"item{n}.{key}", f"第 {n} 项议程：{text}")
        parsed.append((raw.get("id"), values))
    _fail_if(errors)

    known = {item.id: item for item in meeting.items}
    had_issues = {item.issue_id for item in meeting.items if item.issue_id}
    kept = []
    for position, (item_id, values) in enumerate(parsed, start=1):
        item = known.get(item_id) if item_id is not None else None
        if item is None:
            item = AgendaItem(meeting=meeting)
        item.position = position
        for key in ("title", "presenter", "planned_minutes", "issue_id"):
            setattr(item, key, values.get(key))
        kept.append(item)
    for item in list(meeting.items):
        if item not in kept:
            meeting.items.remove(item)
    meeting.items[:] = kept
    session.flush()
    when = f"{meeting.starts_at:%Y-%m-%d %H:%M}"
    # put on the agenda now, or (a past meeting filed afterwards) by the time it was held
    at = min(datetime.now().replace(microsecond=0), meeting.starts_at)
    for item in kept:
        if item.issue_id and item.issue_id not in had_issues:
            issue_service.note_meeting(session, item.issue_id, meeting.id, at=at,
                                       note=f"列入{when}{title_of(meeting)}议程：{item.title}")


def agenda(session: Session, meeting_id: int) -> list[dict]:
    """The agenda as set_agenda takes it, with the issue's number and each item's decisions."""
    meeting = _meeting(session, meeting_id)
    numbers = {}
    ids = [i.issue_id for i in meeting.items if i.issue_id]
    if ids:
        numbers = dict(session.execute(select(Issue.id, Issue.number).where(Issue.id.in_(ids))).all())
    return [{"id": i.id, "title": i.title, "presenter": i.presenter, "planned_minutes": i.planned_minutes,
             "issue_id": i.issue_id, "issue_number": numbers.get(i.issue_id), "discussion": i.discussion,
             "decisions": [{"content": d.content, "owner": d.owner, "deadline": d.deadline, "level": d.level}
                           for d in i.decisions]}
            for i in meeting.items]


def open_issue_choices(session: Session) -> list[tuple[int, str]]:
    """Issues a meeting can take up: not yet beyond 定事, oldest first ("2026-0042 设施维修：楼道灯不亮")."""
    stmt = (select(Issue.id, Issue.number, Issue.category, Issue.description)
            .where(Issue.deleted_at.is_(None), Issue.step.in_((RAISED, DISCUSSED, DECIDED)))
            .order_by(Issue.raised_at, Issue.id))
    return [(r.id, f"{r.number} {r.category}：{r.description[:30]}") for r in session.execute(stmt)]


# ---- who is invited, who came -----------------------------------------------------------------
_STATUSES = {INVITED, PRESENT, EXCUSED, ABSENT}


def set_attendees(session: Session, meeting_id: int, attendees: list[dict]) -> None:
    """The invitees in order with how each attended. A row may give its status, or the
    sign-in sheet's two marks (present, excused); both at once is refused. Excused needs
    the reason."""
    meeting = _meeting(session, meeting_id)
    errors: dict = {}
    rows = []
    seen: dict[tuple, int] = {}
    for n, raw in enumerate(attendees, start=1):
        raw = dict(raw)
        values, problems = parse_record(ATTENDEE_FIELDS, {k: raw.get(k) for k in ("name", "unit", "reason")},
                                        new=True)
        name = values.get("name") or ""
        status = raw.get("status") or INVITED
        if "present" in raw or "excused" in raw:
            if raw.get("present") and raw.get("excused"):
                problems["status"] = f"{name}不能既出席又请假，请只选一项。"
            status = PRESENT if raw.get("present") else EXCUSED if raw.get("excused") else raw.get("status") or INVITED
        if status not in _STATUSES:
            problems["status"] = f"{name}的出席情况“{status}”不认识，请选择出席、请假或缺席。"
        if status == EXCUSED and not values.get("reason"):
            problems["reason"] = f"{name}请假，请写明请假原因。"
        key = (raw.get("member_id"), raw.get("leader_id"), raw.get("partner_id"), name)
        if name and key in seen:
            problems["name"] = f"{name}在名单中出现了两次（第 {seen[key]} 行），请删去一行。"
        seen.setdefault(key, n)
        for field, text in problems.items():
            errors.setdefault(f"attendee{n}.{field}", f"第 {n} 位（{name or '未填姓名'}）：{text}")
        rows.append((raw, values, status))
    _fail_if(errors)
    meeting.attendees.clear()
    session.flush()
    for position, (raw, values, status) in enumerate(rows, start=1):
        meeting.attendees.append(Attendee(
            position=position, role=raw.get("role") or "other", member_id=raw.get("member_id"),
            leader_id=raw.get("leader_id"), partner_id=raw.get("partner_id"), name=values["name"],
            unit=values.get("unit"), status=status, reason=values.get("reason") if status == EXCUSED else None))
    session.flush()


def attendees(session: Session, meeting_id: int) -> list[dict]:
    return [{"role": a.role, "member_id": a.member_id, "leader_id": a.leader_id, "partner_id": a.partner_id,
             "name": a.name, "unit": a.unit, "status": a.status, "reason": a.reason}
            for a in _meeting(session, meeting_id).attendees]


@dataclass(frozen=True)
class Candidate:
    """Someone who can be invited: a member, a building leader or a partner's contact."""

    role: str
    name: str
    unit: str  # as the sign-in sheet prints it: 第一党小组, 3号楼楼栋长, 光明社区卫生服务中心
    member_id: int | None = None
    leader_id: int | None = None
    partner_id: int | None = None
    party_orgs: frozenset[int] = frozenset()  # a member's organisation and those above it
    search: str = ""  # pinyin and address, for the picker's search box


def invitee_candidates(session: Session) -> list[Candidate]:
    """Members (by their branch or party group), building leaders and partners' contacts."""
    from . import lists, people

    parents = dict(session.execute(select(PartyOrg.id, PartyOrg.parent_id)).all())

    def chain(org_id: int | None) -> frozenset[int]:
        found = set()
        while org_id is not None and org_id not in found:
            found.add(org_id)
            org_id = parents.get(org_id)
        return frozenset(found)

    found = [Candidate(ROLE_MEMBER, m.name, m.party_org or "党员", member_id=m.id, party_orgs=chain(m.party_org_id),
                       search=f"{m.name_pinyin} {m.name_initials} {m.short_address or ''}")
             for m in people.list_members(session)]
    for r in people.list_leaders(session):
        where = r.building_full + (r.unit or "")
        found.append(Candidate(ROLE_LEADER, r.name, f"{where}{'单元长' if r.unit else '楼栋长'}", leader_id=r.id,
                               search=f"{r.name_pinyin} {r.name_initials}"))
    for p in lists.list_partners(session):
        found.append(Candidate(ROLE_PARTNER, p.contact_name or p.name, p.name, partner_id=p.id))
    return found


@dataclass(frozen=True)
class Attendance:
    """应到 / 实到 / 请假 / 缺席, and who was excused or absent, as the minutes print them."""

    expected: int
    present: int
    excused: list[tuple[str, str]]  # (name, reason)
    absent: list[str]


def attendance(session: Session, meeting_id: int) -> Attendance:
    people = _meeting(session, meeting_id).attendees
    return Attendance(len(people), sum(a.status == PRESENT for a in people),
                      [(a.name, a.reason or "") for a in people if a.status == EXCUSED],
                      [a.name for a in people if a.status in (ABSENT, INVITED)])


# ---- the minutes ------------------------------------------------------------------------------
def record_minutes(session: Session, meeting_id: int, *, discussions: dict[int, str],
                   decisions: dict[int, list[dict]], summary: str | None = None, at: datetime,
                   actor: str | None = None) -> None:
    """Write the minutes: per agenda item what was said and what was decided (each
    decision: content, owner, deadline, and for an issue the level). Every decision
    needs all three; an item with an issue moves it to 定事 with its first decision."""
    meeting = _meeting(session, meeting_id)
    items = {item.id: item for item in meeting.items}
    errors: dict = {}
    parsed: dict[int, list[dict]] = {}
    for item_id, rows in decisions.items():
        item = items.get(item_id)
        if item is None:
            raise NotFound(item_id)
        for n, raw in enumerate(rows, start=1):
            raw = dict(raw)
            if raw.get("level") in _LEVEL_CODES.values():  # the label, as typed or printed
                raw["level"] = next(code for code, label in ISSUE_LEVELS if label == raw["level"])
            values, problems = parse_record(MEETING_DECISION_FIELDS, raw, new=True)
            if values.get("deadline") and values["deadline"] < meeting.starts_at.date():
                problems["deadline"] = "完成时限不能早于会议日期。"
            for key, text in problems.items():
                errors.setdefault(f"decision{item_id}.{n}.{key}", f"议题“{item.title}”的第 {n} 条决议：{text}")
            parsed.setdefault(item_id, []).append(values)
    said = {}
    for item_id, text in discussions.items():
        if item_id not in items:
            raise NotFound(item_id)
        values, problems = parse_record((DISCUSSION_FIELD,), {"discussion": text}, new=False)
        for key, message in problems.items():
            errors.setdefault(f"discussion{item_id}", f"议题“{items[item_id].title}”：{message}")
        said[item_id] = values.get("discussion")
    summary_values, problems = parse_record((MINUTES_SUMMARY_FIELD,), {"summary": summary}, new=False)
    errors.update(problems)
    _fail_if(errors)

    for item_id, text in said.items():
        items[item_id].discussion = text
    for item_id, rows in parsed.items():
        item = items[item_id]
        item.decisions.clear()
        session.flush()
        for position, values in enumerate(rows, start=1):
            item.decisions.append(Decision(position=position, content=values["content"], owner=values["owner"],
                                           deadline=values["deadline"], level=values.get("level")))
    meeting.summary = summary_values.get("summary")
    meeting.minutes_at = meeting.minutes_at or at
    session.flush()
    for item_id, rows in parsed.items():
        item = items[item_id]
        if item.issue_id and rows:
            _decide_issue(session, meeting, item, rows[0], actor=actor)


def _decide_issue(session: Session, meeting: Meeting, item: AgendaItem, decision: dict, *,
                  actor: str | None) -> None:
    """The meeting's decision becomes the issue's 定事 (after 议事 if it was only raised).
    An issue already being carried out keeps its steps; its timeline notes the decision."""
    issue = issue_service.get_issue(session, item.issue_id)
    title = f"{meeting.starts_at:%Y-%m-%d}{title_of(meeting)}"
    at = max(meeting.starts_at, issue.step_at)
    if issue.step == RAISED:
        issue_service.discuss(session, issue.id, at=at, actor=actor, note=f"{title}议事：{item.title}",
                              meeting_id=meeting.id)
    if issue.step in (DISCUSSED, DECIDED):
        same = (issue.step == DECIDED and issue.decision == decision["content"] and issue.owner == decision["owner"]
                and issue.deadline == decision["deadline"])
        if not same:
            issue_service.decide(session, issue.id, {
                "decision": decision["content"], "owner": decision["owner"], "deadline": decision["deadline"],
                "level": decision.get("level") or issue.level or "compound"},
                at=max(at, issue.step_at), actor=actor, note=f"{title}决议", meeting_id=meeting.id)
        return
    issue_service.note_meeting(session, issue.id, meeting.id, at=max(at, issue.step_at),
                               note=f"{title}决议：{decision['content']}（{decision['owner']}，"
                                    f"{decision['deadline']:%Y-%m-%d} 前）")


# ---- 三会一课 ------------------------------------------------------------------------------------
def frequencies(session: Session) -> dict[str, str]:
    return dict(DEFAULT_FREQUENCIES) | (read_setting(session, FREQUENCY_KEY) or {})


def set_frequencies(session: Session, values: dict[str, str]) -> None:
    """How often each of the 三会一课 must be held: month or quarter (每月 / 每季度)."""
    wrong = [kind for kind, every in values.items() if every not in FREQUENCY_LABELS]
    if wrong:
        raise ValidationFailed({"frequency": f"“{'、'.join(wrong)}”的频次只能是每月或每季度。"})
    write_setting(session, FREQUENCY_KEY, frequencies(session) | values)
    session.flush()


@dataclass(frozen=True)
class Requirement:
    """One of the 三会一课 for one organisation in this period: held, due or overdue."""

    kind: str
    party_org: str  # the branch, or the party group for 党小组会
    every: str  # 每月 / 每季度
    start: date
    end: date
    held: int  # meetings with minutes in this period
    last_held: date | None
    state: str  # 已召开 / 待召开 / 逾期


def _previous_period(every: str, start: date) -> tuple[date, date]:
    from datetime import timedelta
    return period_range(every, start - timedelta(days=1))


def tracker(session: Session, today: date) -> list[Requirement]:
    """Each of the 三会一课 this period: held (minutes written), still due, or overdue
    (none held in the period before either). 党小组会 is counted per party group, the
    others per branch (党支部; the 党总支 where there is no branch)."""
    orgs = session.execute(select(PartyOrg.id, PartyOrg.name, PartyOrg.level, PartyOrg.parent_id)
                           .order_by(PartyOrg.sort_key, PartyOrg.id)).all()
    names = {o.id: o.name for o in orgs}
    # a group is named with its branch: several branches each have a 第一党小组
    groups = [(o.id, f"{names[o.parent_id]} {o.name}" if o.parent_id in names else o.name)
              for o in orgs if o.level == "party_group"]
    branches = ([(o.id, o.name) for o in orgs if o.level == "branch"]
                or [(o.id, o.name) for o in orgs if o.level == "general_branch"] or [(None, "党支部")])
    held_rows = session.execute(select(Meeting.kind, Meeting.party_org_id, func.date(Meeting.starts_at))
                                .where(Meeting.deleted_at.is_(None), Meeting.minutes_at.is_not(None))).all()
    found = []
    for kind, every in frequencies(session).items():
        start, end = period_range(every, today)
        before = _previous_period(every, start)
        targets = (groups or branches) if kind == GROUP_KIND else branches
        for org_id, name in targets:
            # a meeting that names no organisation counts where there is only one to count for
            days = sorted(date.fromisoformat(d) for k, o, d in held_rows
                          if k == kind and (o == org_id or (o is None and len(targets) == 1)))
            held = sum(start <= d <= end for d in days)
            held_before = any(before[0] <= d <= before[1] for d in days)
            state = "已召开" if held else ("待召开" if held_before else "逾期")
            found.append(Requirement(kind, name, FREQUENCY_LABELS[every], start, end, held,
                                     max((d for d in days if d <= today), default=None), state))
    return found


def minutes_of(session: Session, meeting_id: int) -> dict:
    """What the printed minutes add to get_meeting: the summary, and when the minutes
    were written (None: not yet held)."""
    m = _meeting(session, meeting_id)
    return {"summary": m.summary, "minutes_at": m.minutes_at}


# ---- many past meetings at once ---------------------------------------------------------------
def file_meetings(session: Session, records: list[dict]) -> list[int]:
    """File many meetings already held (a year of the 三会一课, as the demo adds it) in a
    few statements instead of a dozen a meeting. Each record holds what one meeting's
    calls would take: "meeting" (save_meeting's fields), "agenda" (set_agenda's items,
    an item may carry an issue), "attendees" (set_attendees' rows with their status),
    "discussions" and "decisions" keyed by the item's position (1, 2 …), "summary", "at"
    (when the minutes were written) and "actor". As one by one: an issue put on the
    agenda notes it, a decision on it is its 定事; the same checks apply, and any refusal
    refuses the whole batch. Returns the meetings' ids."""
    from sqlalchemy import insert  # Core executemany: one statement per table

    kinds = set(meeting_kinds(session))
    wanted = {item.get("issue_id") for r in records for item in r.get("agenda", ()) if item.get("issue_id")}
    live = set(session.scalars(select(Issue.id).where(Issue.id.in_(wanted), Issue.deleted_at.is_(None)))) \
        if wanted else set()
    errors: dict = {}
    rows: list[tuple[dict, list, list, dict]] = []
    for n, record in enumerate(records, start=1):
        def fail(key: str, text: str, n=n) -> None:
            errors.setdefault(f"meeting{n}.{key}", f"第 {n} 场会议：{text}")

        raw = record["meeting"]
        values, problems = parse_record(_MEETING_FORM, raw, new=True)
        for key, text in problems.items():
            fail(key, text)
        try:
            start, end = parse_time(raw.get("start_time"), "start_time"), parse_time(raw.get("end_time"), "end_time")
        except ValidationFailed as exc:
            for key, text in exc.errors.items():
                fail(key, text)
            continue
        day = values.get("date")
        if day is None or start is None:
            fail("date", "请填写会议日期和开始时间。")
            continue
        if end and end <= start:
            fail("end_time", "结束时间应晚于开始时间。")
        if values.get("kind") not in kinds:
            fail("kind", f"会议类型“{values.get('kind')}”不在列表中。")
        items = []
        for i, item in enumerate(record.get("agenda", ()), start=1):
            parsed, problems = parse_record(AGENDA_FIELDS, item, new=True)
            minutes = str(parsed.get("planned_minutes") or "")
            if minutes and not (minutes.isdigit() and 0 < int(minutes) <= 600):
                problems["planned_minutes"] = "时长请填 1 到 600 之间的分钟数。"
            if parsed.get("issue_id") is not None and parsed["issue_id"] not in live:
                problems["issue_id"] = "关联的问题已被删除，请重新选择。"
            for key, text in problems.items():
                fail(f"item{i}.{key}", f"第 {i} 项议程：{text}")
            decisions = []
            for d in record.get("decisions", {}).get(i, ()):
                d = dict(d)
                if d.get("level") in _LEVEL_CODES.values():  # the label, as typed or printed
                    d["level"] = next(code for code, label in ISSUE_LEVELS if label == d["level"])
                decision, problems = parse_record(MEETING_DECISION_FIELDS, d, new=True)
                if decision.get("deadline") and decision["deadline"] < day:
                    problems["deadline"] = "完成时限不能早于会议日期。"
                for key, text in problems.items():
                    fail(f"decision{i}.{key}", f"议题“{parsed.get('title')}”的决议：{text}")
                decisions.append(decision)
            said = record.get("discussions", {}).get(i)
            items.append((parsed, int(minutes) if minutes.isdigit() else None, said, decisions))
        people = []
        for a, person in enumerate(record.get("attendees", ()), start=1):
            parsed, problems = parse_record(ATTENDEE_FIELDS, {k: person.get(k) for k in ("name", "unit", "reason")},
                                            new=True)
            status = person.get("status") or INVITED
            if status not in _STATUSES:
                problems["status"] = f"出席情况“{status}”不认识。"
            if status == EXCUSED and not parsed.get("reason"):
                problems["reason"] = f"{parsed.get('name')}请假，请写明请假原因。"
            for key, text in problems.items():
                fail(f"attendee{a}.{key}", text)
            people.append((person, parsed, status))
        rows.append((values | {"start": datetime.combine(day, start), "end": end and datetime.combine(day, end)},
                     items, people, record))
    _fail_if(errors)

    session.flush()
    def next_id(model) -> int:
        return (session.scalar(select(func.max(model.id))) or 0) + 1

    meeting_id, item_id, person_id, decision_id = (next_id(m) for m in (Meeting, AgendaItem, Attendee, Decision))
    meetings, agenda_rows, people_rows, decision_rows, ids = [], [], [], [], []
    for values, items, people, record in rows:
        ids.append(meeting_id)
        meetings.append({"id": meeting_id, "kind": values["kind"], "title": values.get("title"),
                         "starts_at": values["start"], "ends_at": values["end"], "place": values.get("place"),
                         "host": values.get("host"), "recorder": values.get("recorder"),
                         "party_org_id": values.get("party_org_id"), "summary": record.get("summary"),
                         "minutes_at": record["at"], "deleted_at": None})
        for position, (item, minutes, said, decisions) in enumerate(items, start=1):
            agenda_rows.append({"id": item_id, "meeting_id": meeting_id, "position": position, "title": item["title"],
                                "presenter": item.get("presenter"), "planned_minutes": minutes,
                                "issue_id": item.get("issue_id"),
                                "discussion": said})
            for d_position, d in enumerate(decisions, start=1):
                decision_rows.append({"id": decision_id, "agenda_item_id": item_id, "position": d_position,
                                      "content": d["content"], "owner": d["owner"], "deadline": d["deadline"],
                                      "level": d.get("level")})
                decision_id += 1
            item_id += 1
        for position, (person, parsed, status) in enumerate(people, start=1):
            people_rows.append({"id": person_id, "meeting_id": meeting_id, "position": position,
                                "role": person.get("role") or "other", "member_id": person.get("member_id"),
                                "leader_id": person.get("leader_id"), "partner_id": person.get("partner_id"),
                                "name": parsed["name"], "unit": parsed.get("unit"), "status": status,
                                "reason": parsed.get("reason") if status == EXCUSED else None})
            person_id += 1
        meeting_id += 1
    for model, batch in ((Meeting, meetings), (AgendaItem, agenda_rows), (Attendee, people_rows),
                         (Decision, decision_rows)):
        if batch:
            session.execute(insert(model.__table__), batch)
    # the issues on these agendas: noted, and decided by the meeting's first decision on them
    for meeting_id, (values, items, _people, record) in zip(ids, rows):
        if not any(item.get("issue_id") for item, *_rest in items):
            continue
        meeting = session.get(Meeting, meeting_id)
        at = min(datetime.now().replace(microsecond=0), meeting.starts_at)
        for agenda_item, (item, _minutes, _said, decisions) in zip(meeting.items, items):
            if not item.get("issue_id"):
                continue
            issue_service.note_meeting(session, item["issue_id"], meeting_id, at=at,
                                       note=f"列入{meeting.starts_at:%Y-%m-%d %H:%M}{title_of(meeting)}议程："
                                            f"{agenda_item.title}")
            if decisions:
                _decide_issue(session, meeting, agenda_item, decisions[0], actor=record.get("actor"))
    return ids
