"""Residents' issues through the 五事制, with their time limits.

提事 raise_issue → 议事 discuss (受理) → 定事 decide (who, what, by when, at which
level) → 干事 start / add_progress → finish (办结) → 评事 review: 满意 or 基本满意
closes the issue, 不满意 sends it back to 干事. Each step is checked against the
one before it, recorded in the timeline, and changes nothing when refused.

The clock is passed in (`at`, `today`) rather than read here, so that a test can
step past a time limit without sleeping."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import Date, and_, case, func, or_, select, type_coerce, update
from sqlalchemy.orm import Session

from ..fields import (
    COMMITMENT_FIELDS,
    DECISION_FIELDS,
    ISSUE_CLOSED_STATE,
    ISSUE_FIELDS,
    ISSUE_STATES,
    ISSUE_STEPS,
    STEP_NOTE,
    VERDICT_FIELD,
    parse_record,
)
from ..models import Building, Household, Issue, IssueEvent, Unit
from ..models.issues import (
    BASICALLY_SATISFIED,
    DECIDED,
    DISCUSSED,
    DOING,
    EVENT_COMMIT,
    EVENT_EDIT,
    EVENT_MEETING,
    EVENT_PROGRESS,
    EVENT_REOPEN,
    EVENT_STEP,
    RAISED,
    REVIEWED,
    SATISFIED,
    UNSATISFIED,
)
from ..models.lists import ISSUE_CATEGORY, ISSUE_SOURCE
from ..validation import Invalid
from . import NotFound, ValidationFailed
from .lists import active_labels
from .meta import read_setting, write_setting
from .org import address_of, resolve_household
from .periods import cn_date

STEP_LABELS = dict(ISSUE_STEPS)
CLOSED_STATE = ISSUE_CLOSED_STATE  # list_issues' state: the step, or this once the residents are satisfied
LIMITS_KEY = "issue_limits"


# ---- time limits ------------------------------------------------------------------------
@dataclass(frozen=True)
class Limits:
    """受理 within accept_days and 办结 within done_days working days of being raised
    (当日受理、三日办结: 0 and 3)."""

    accept_days: int = 0
    done_days: int = 3


CALENDAR_KEY = "work_calendar"


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are worked: Monday to Friday, except the public holidays the secretary
    entered (国庆 1-7 October, ...), plus the weekend days worked instead (调休上班)."""

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()

    def is_working(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays


def add_working_days(start: date, days: int, calendar: WorkCalendar = WorkCalendar()) -> date:
    """The day `days` working days after start. 0 is start itself, or the next working
    day when start is not one (当日受理 of an issue raised on a Sunday is on Monday)."""
    day = start
    if days == 0:
        while not calendar.is_working(day):
            day += timedelta(days=1)
    while days > 0:
        day += timedelta(days=1)
        if calendar.is_working(day):
            days -= 1
    return day


def work_calendar(session: Session) -> WorkCalendar:
    values = read_setting(session, CALENDAR_KEY)
    if values is None:
        return WorkCalendar()
    return WorkCalendar(frozenset(map(date.fromisoformat, values.get("holidays", ()))),
                        frozenset(map(date.fromisoformat, values.get("workdays", ()))))


def set_work_calendar(session: Session, *, holidays, workdays) -> WorkCalendar:
    """Keep the holidays and the weekend days worked, then work out again the due dates of
    the issues not yet accepted or done, as a change of the time limits does."""
    holidays, workdays = frozenset(holidays), frozenset(workdays)
    both = sorted(holidays & workdays)
    if both:
        raise ValidationFailed({"calendar": f"{cn_date(both[0])}不能既放假又上班，请删去其中一个。"})
    weekdays = sorted(d for d in workdays if d.weekday() < 5)
    if weekdays:
        raise ValidationFailed({"calendar": f"{cn_date(weekdays[0])}本来就是工作日，不用算作调休上班。"})
    write_setting(session, CALENDAR_KEY, {"holidays": sorted(map(str, holidays)), "workdays": sorted(map(str, workdays))})
    calendar = WorkCalendar(holidays, workdays)
    _reschedule_open_issues(session, time_limits(session), calendar)
    return calendar


def time_limits(session: Session) -> Limits:
    values = read_setting(session, LIMITS_KEY)
    if values is None:
        return Limits()
    return Limits(int(values.get("accept_days", 0)), int(values.get("done_days", 3)))


def set_time_limits(session: Session, *, accept_days: int, done_days: int) -> None:
    """Change the standard limits. Issues not yet accepted get a new accept date, issues
    not yet done a new due date (unless a deadline or a promise sets it); what was
    already met is judged by the limits of its day."""
    if not (0 <= accept_days <= 30 and 0 <= done_days <= 365) or accept_days > done_days:
        raise ValidationFailed({"limits": "受理时限应在 0-30 个工作日之间，办结时限应在 0-365 个工作日之间，且不短于受理时限。"})
    write_setting(session, LIMITS_KEY, {"accept_days": accept_days, "done_days": done_days})
    _reschedule_open_issues(session, Limits(accept_days, done_days), work_calendar(session))


def _reschedule_open_issues(session: Session, limits: Limits, calendar: WorkCalendar) -> None:
    for issue in session.scalars(select(Issue).where(Issue.solved_at.is_(None), Issue.deleted_at.is_(None))):
        _set_due(issue, limits, calendar, accept=issue.accepted_at is None)
    session.flush()


def _set_due(issue: Issue, limits: Limits, calendar: WorkCalendar, *, accept: bool = True) -> None:
    raised = issue.raised_at.date()
    if accept:
        issue.accept_due_on = add_working_days(raised, limits.accept_days, calendar)
    if issue.committed and issue.promised_on:
        issue.due_on = issue.promised_on
    elif issue.deadline:
        issue.due_on = issue.deadline
    else:
        issue.due_on = add_working_days(raised, limits.done_days, calendar)


def is_closed(issue) -> bool:
    return issue.step == REVIEWED and issue.verdict in (SATISFIED, BASICALLY_SATISFIED)


def is_overdue(issue, today: date) -> bool:
    """Not accepted by its accept date, or not done (办结) by its due date."""
    if is_closed(issue):
        return False
    late_accept = issue.accepted_at is None and today > issue.accept_due_on
    late_done = issue.solved_at is None and today > issue.due_on
    return late_accept or late_done


# ---- the choice lists ------------------------------------------------------------------------
def issue_categories(session: Session) -> list[str]:
    return active_labels(session, ISSUE_CATEGORY)


def issue_sources(session: Session) -> list[str]:
    return active_labels(session, ISSUE_SOURCE)


# ---- 提事 -----------------------------------------------------------------------------------
def _next_number(session: Session, year: int) -> str:
    prefix = f"{year}-"
    last = session.scalar(select(func.max(Issue.number)).where(Issue.number.like(prefix + "%")))
    n = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{n:04d}"


def _event(issue: Issue, at: datetime, step: str, *, kind: str = EVENT_STEP, actor: str | None = None,
           note: str | None = None, verdict: str | None = None, meeting_id: int | None = None) -> None:
    issue.events.append(IssueEvent(at=at, kind=kind, step=step, actor=actor or None, note=note or None,
                                   verdict=verdict, meeting_id=meeting_id))


def _parse(fields, raw: dict, *, new: bool) -> dict:
    values, errors = parse_record(fields, raw, new=new)
    if errors:
        raise ValidationFailed(errors)
    return values


def _place(session: Session, address: str | None, building_id: int | None) -> tuple[int | None, int | None]:
    """The household an address names and its building (which must agree with a building chosen)."""
    household_id = None
    if address:
        try:
            household_id = resolve_household(session, address)
        except Invalid as exc:
            raise ValidationFailed({"address": str(exc)}) from None
    if household_id is not None:
        household_building = session.scalar(select(Unit.building_id).join(Household, Household.unit_id == Unit.id)
                                            .where(Household.id == household_id))
        if building_id and building_id != household_building:
            raise ValidationFailed({"building_id": "所选楼栋与住址不一致，请核对。"})
        building_id = household_building
    if building_id is not None and session.get(Building, building_id) is None:
        raise ValidationFailed({"building_id": "所选楼栋已不存在，请重新选择。"})
    return household_id, building_id


def raise_issue(session: Session, raw: dict, *, at: datetime, actor: str | None = None) -> int:
    """提事: register a resident's issue. raw holds the form's text (ISSUE_FIELDS);
    raised_at defaults to `at`'s day, and the time of day is taken from `at`."""
    raw = dict(raw)
    raw.setdefault("raised_at", at.date())
    values = _parse(ISSUE_FIELDS, raw, new=True)
    household_id, building_id = _place(session, values.get("address"), values.get("building_id"))
    raised_day = values["raised_at"]
    if raised_day > at.date():
        raise ValidationFailed({"raised_at": "提出日期不能晚于今天。"})
    raised_at = at if raised_day == at.date() else datetime.combine(raised_day, datetime.min.time())
    issue = Issue(number=_next_number(session, raised_day.year), source=values["source"],
                  category=values["category"], building_id=building_id, household_id=household_id,
                  place=values.get("place"), reporter_name=values.get("reporter_name"),
                  reporter_phone=values.get("reporter_phone"), description=values["description"],
                  raised_at=raised_at, step=RAISED, step_at=raised_at)
    _set_due(issue, time_limits(session), work_calendar(session))
    _event(issue, raised_at, RAISED, actor=actor, note=values["description"])
    session.add(issue)
    session.flush()
    return issue.id


_EDITABLE = ("category", "source", "description", "address", "building_id", "place", "reporter_name", "reporter_phone")


def get_raised(session: Session, issue_id: int) -> dict:
    """What 提事 recorded, as the form shows it (the address written out)."""
    issue = _issue(session, issue_id)
    values = {k: getattr(issue, k) for k in _EDITABLE if k != "address"}
    values["address"] = address_of(session, issue.household_id)
    values["raised_at"] = issue.raised_at.date()
    values["number"] = issue.number
    return values


def update_issue(session: Session, issue_id: int, raw: dict, *, at: datetime, actor: str | None = None) -> None:
    """Correct what was raised (a category chosen wrongly, a typo, the wrong flat). The
    number, the day it was raised and its steps stay: they carry the time limits. The
    timeline says what changed, old → new."""
    issue = _issue(session, issue_id)
    fields = tuple(f for f in ISSUE_FIELDS if f.key in _EDITABLE)
    raw = {k: v for k, v in raw.items() if k in _EDITABLE}
    values = _parse(fields, raw, new=False)
    before = get_raised(session, issue_id)
    if "address" in raw or "building_id" in raw:
        address = values.get("address") if "address" in raw else before["address"]
        # a new address brings its own building; an address taken away leaves the building
        building = values.get("building_id") if "building_id" in raw else (None if address else issue.building_id)
        issue.household_id, issue.building_id = _place(session, address, building)
    for key in ("category", "source", "description", "place", "reporter_name", "reporter_phone"):
        if key in values:
            setattr(issue, key, values[key])
    session.flush()
    after = get_raised(session, issue_id)
    labels = {f.key: f for f in fields}
    changes = []
    for key in _EDITABLE:
        if (before[key] or None) != (after[key] or None):
            field = labels[key]
            if key == "building_id":
                continue  # follows the address; said through it
            shown = [field.display(v, masked=field.sensitive) or "（空）" for v in (before[key], after[key])]
            changes.append(f"{field.label}：{shown[0]} → {shown[1]}")
    if changes:
        _event(issue, at, issue.step, kind=EVENT_EDIT, actor=actor, note="；".join(changes))
        session.flush()


def note_meeting(session: Session, issue_id: int, meeting_id: int, *, at: datetime, note: str) -> None:
    """A meeting touched the issue without taking a step (put on its agenda, or decided
    on after the issue was already being carried out): the timeline says so."""
    issue = _issue(session, issue_id)
    _event(issue, at, issue.step, kind=EVENT_MEETING, note=note, meeting_id=meeting_id)
    session.flush()


def similar_open_issues(session: Session, *, building_id: int | None, category: str) -> list:
    """Open issues of the same category for the same building: shown before a new one
    is saved, so one problem is not raised three times."""
    if building_id is None or not category:
        return []
    stmt = (select(Issue.id, Issue.number, Issue.description, Issue.step, Issue.raised_at)
            .where(Issue.building_id == building_id, Issue.category == category, Issue.deleted_at.is_(None),
                   ~_CLOSED)
            .order_by(Issue.raised_at))
    return session.execute(stmt).all()


# ---- moving through the steps ------------------------------------------------------------------
def _issue(session: Session, issue_id: int) -> Issue:
    issue = session.get(Issue, issue_id)
    if issue is None or issue.deleted_at is not None:
        raise NotFound(issue_id)
    return issue


def _require(issue: Issue, allowed: tuple[str, ...], doing: str) -> None:
    if issue.step not in allowed:
        now = STEP_LABELS[issue.step]
        need = "或".join(f"“{STEP_LABELS[s]}”" for s in allowed)
        raise ValidationFailed({"step": f"问题 {issue.number} 现在处于“{now}”，只有处于{need}时才能{doing}。"})


def _check_time(issue: Issue, at: datetime) -> None:
    if at < issue.step_at:
        raise ValidationFailed({"at": f"时间不能早于上一步（{issue.step_at:%Y-%m-%d %H:%M}）。"})


def _enter(issue: Issue, step: str, at: datetime, *, actor: str | None, note: str | None, **event) -> None:
    issue.step, issue.step_at = step, at
    _event(issue, at, step, actor=actor, note=note, **event)


def discuss(session: Session, issue_id: int, *, at: datetime, actor: str | None = None, note: str | None = None,
            meeting_id: int | None = None) -> None:
    """议事: the issue is taken up (受理) and discussed."""
    issue = _issue(session, issue_id)
    _require(issue, (RAISED,), "进入议事")
    _check_time(issue, at)
    note = _parse((STEP_NOTE,), {"note": note}, new=False).get("note")
    issue.accepted_at = issue.accepted_at or at
    _enter(issue, DISCUSSED, at, actor=actor, note=note, meeting_id=meeting_id)
    session.flush()


def decide(session: Session, issue_id: int, raw: dict, *, at: datetime, actor: str | None = None,
           note: str | None = None, meeting_id: int | None = None) -> None:
    """定事: what is to be done, by whom, by when, at which level. Allowed again while
    the work has not started, to revise the decision."""
    issue = _issue(session, issue_id)
    _require(issue, (DISCUSSED, DECIDED), "定事")
    _check_time(issue, at)
    values = _parse(DECISION_FIELDS, raw, new=True)
    if values["deadline"] < issue.raised_at.date():
        raise ValidationFailed({"deadline": "办结时限不能早于问题提出的日期。"})
    issue.decision, issue.owner = values["decision"], values["owner"]
    issue.deadline, issue.level = values["deadline"], values["level"]
    _set_due(issue, time_limits(session), work_calendar(session), accept=False)
    summary = f"{values['decision']}（责任人：{values['owner']}，{values['deadline']:%Y-%m-%d} 前办结）"
    _enter(issue, DECIDED, at, actor=actor, note="；".join(x for x in (summary, note) if x), meeting_id=meeting_id)
    session.flush()


def start_work(session: Session, issue_id: int, *, at: datetime, actor: str | None = None,
               note: str | None = None) -> None:
    """干事 begins."""
    issue = _issue(session, issue_id)
    _require(issue, (DECIDED,), "开始干事")
    _check_time(issue, at)
    _enter(issue, DOING, at, actor=actor, note=note)
    session.flush()


def add_progress(session: Session, issue_id: int, note: str, *, at: datetime, actor: str | None = None) -> None:
    """A progress note while 干事."""
    issue = _issue(session, issue_id)
    _require(issue, (DOING,), "记录进展")
    note = _parse((STEP_NOTE,), {"note": note}, new=False).get("note")
    if not note:
        raise ValidationFailed({"note": "请填写进展情况。"})
    _event(issue, at, DOING, kind=EVENT_PROGRESS, actor=actor, note=note)
    session.flush()


def finish_work(session: Session, issue_id: int, *, at: datetime, actor: str | None = None,
                note: str | None = None) -> None:
    """干事 done (办结): the issue waits for the residents' verdict (评事)."""
    issue = _issue(session, issue_id)
    _require(issue, (DOING,), "办结")
    _check_time(issue, at)
    issue.solved_at = at
    _enter(issue, REVIEWED, at, actor=actor, note=note)
    session.flush()


def review(session: Session, issue_id: int, verdict: str, *, at: datetime, actor: str | None = None,
           note: str | None = None) -> None:
    """评事: the residents' verdict. 不满意 reopens the issue: back to 干事, no longer solved."""
    issue = _issue(session, issue_id)
    _require(issue, (REVIEWED,), "评事")
    if issue.verdict is not None:
        raise ValidationFailed({"verdict": f"问题 {issue.number} 已经评价过了（{_verdict_label(issue.verdict)}）。"})
    _check_time(issue, at)
    verdict = _parse((VERDICT_FIELD,), {"verdict": verdict}, new=True)["verdict"]
    _event(issue, at, REVIEWED, actor=actor, note=note, verdict=verdict)
    if verdict == UNSATISFIED:
        issue.solved_at = None
        issue.reopen_count += 1
        issue.step, issue.step_at = DOING, at
        _event(issue, at, DOING, kind=EVENT_REOPEN, actor=actor, note="居民不满意，重新办理")
    else:
        issue.verdict, issue.reviewed_at = verdict, at
    session.flush()


_STATE_ORDER = {state: n for n, (state, _label) in enumerate(ISSUE_STATES)}


def state_of(issue) -> str:
    """Where the issue stands: its step, or CLOSED_STATE once the residents are satisfied."""
    return CLOSED_STATE if is_closed(issue) else issue.step


def advance_issue(session: Session, issue_id: int, state: str, *, at: datetime, actor: str | None = None,
                  note: str | None = None, decision: dict | None = None, verdict: str | None = None) -> None:
    """Bring an issue forward to `state` (a step, or CLOSED_STATE) by taking each step
    between in turn through discuss, decide, start_work, finish_work and review, all at
    `at` by `actor` with `note`: how an import carries out what its file shows. decision
    holds DECISION_FIELDS' text for 定事; a verdict given at 评事 is recorded (满意 or
    基本满意 closes it, as review does). A step back is refused and changes nothing."""
    issue = _issue(session, issue_id)
    current = state_of(issue)
    if _STATE_ORDER[state] < _STATE_ORDER[current]:
        labels = dict(ISSUE_STATES)
        raise ValidationFailed({"state": f"问题 {issue.number} 已处于“{labels[current]}”，不能退回“{labels[state]}”："
                                         "五事制的步骤只能向前。"})
    target = _STATE_ORDER[state]
    if issue.step == RAISED and target > _STATE_ORDER[RAISED]:
        discuss(session, issue_id, at=at, actor=actor, note=note)
    if issue.step == DISCUSSED and target > _STATE_ORDER[DISCUSSED]:
        decide(session, issue_id, decision or {}, at=at, actor=actor, note=note)
    if issue.step == DECIDED and target > _STATE_ORDER[DECIDED]:
        start_work(session, issue_id, at=at, actor=actor, note=note)
    if issue.step == DOING and target > _STATE_ORDER[DOING]:
        finish_work(session, issue_id, at=at, actor=actor, note=note)
    if issue.step == REVIEWED and issue.verdict is None and (verdict or state == CLOSED_STATE):
        review(session, issue_id, verdict or "", at=at, actor=actor, note=note)


def _verdict_label(verdict: str) -> str:
    return dict(VERDICT_FIELD.choices).get(verdict, verdict)


def commit(session: Session, issue_id: int, promised_on: date | str | None, *, at: datetime,
           actor: str | None = None) -> None:
    """公开承诺: a public promise to have it done by promised_on (a date, or as typed)."""
    issue = _issue(session, issue_id)
    promised_on = _parse((replace(COMMITMENT_FIELDS[1], required=True),), {"promised_on": promised_on},
                         new=True)["promised_on"]
    if is_closed(issue):
        raise ValidationFailed({"promised_on": f"问题 {issue.number} 已经办结，无需再承诺。"})
    if promised_on < issue.raised_at.date():
        raise ValidationFailed({"promised_on": "承诺办结日期不能早于问题提出的日期。"})
    issue.committed, issue.promised_on = True, promised_on
    _set_due(issue, time_limits(session), work_calendar(session), accept=False)
    _event(issue, at, issue.step, kind=EVENT_COMMIT, actor=actor, note=f"公开承诺 {promised_on:%Y-%m-%d} 前办结")
    session.flush()


# ---- reading ---------------------------------------------------------------------------------
def timeline(session: Session, issue_id: int) -> list[IssueEvent]:
    return list(_issue(session, issue_id).events)


_CLOSED = and_(Issue.step == REVIEWED, Issue.verdict.in_((SATISFIED, BASICALLY_SATISFIED)))


def _overdue(today: date):
    return and_(~_CLOSED, or_(and_(Issue.accepted_at.is_(None), Issue.accept_due_on < today),
                              and_(Issue.solved_at.is_(None), Issue.due_on < today)))


class IssueRow(NamedTuple):
    """One issue as the table and the board show it. A plain tuple: the page reads
    each row's fields many times (search text, filters, sorting, the board), and a
    tuple's attribute is read about fifty times faster than a SQLAlchemy Row's."""

    id: int
    number: str
    raised_at: datetime
    source: str
    category: str
    building_id: int | None
    building: str | None
    place: str | None
    reporter_name: str | None
    reporter_phone: str | None
    description: str
    step_at: datetime  # when it entered its step; for a closed issue, when it was done
    owner: str | None
    committed: bool
    due_on: date
    verdict: str | None
    reopen_count: int
    overdue: bool
    state: str  # the step, or CLOSED_STATE once the residents are satisfied

    @property
    def closed(self) -> bool:
        return self.state == CLOSED_STATE

    @property
    def step(self) -> str:
        return REVIEWED if self.state == CLOSED_STATE else self.state


def list_issues(session: Session, today: date) -> list[IssueRow]:
    """Every issue with what the table and the board show, and whether it is overdue
    on `today`; one query, run through Core (the ORM's row loading would add a third
    at 20,000 issues), without the columns neither view shows."""
    stmt = (select(Issue.id, Issue.number, Issue.raised_at, Issue.source, Issue.category, Issue.building_id,
                   Building.name.label("building"), Issue.place, Issue.reporter_name, Issue.reporter_phone,
                   Issue.description, Issue.step_at, Issue.owner, Issue.committed, Issue.due_on, Issue.verdict,
                   Issue.reopen_count, _overdue(today).label("overdue"),
                   case((_CLOSED, CLOSED_STATE), else_=Issue.step).label("state"))
            .outerjoin(Building, Issue.building_id == Building.id)
            .where(Issue.deleted_at.is_(None))
            .order_by(Issue.raised_at.desc(), Issue.id.desc()))
    return list(map(IssueRow._make, session.connection().execute(stmt).all()))


def issue_roster(session: Session) -> list:
    """Every issue with all an export writes: its place, where it stands (the step, or
    已办结) and what was decided, promised and said of it; the oldest first, one query."""
    stmt = (select(Issue.id, Issue.number, type_coerce(func.date(Issue.raised_at), Date).label("raised_at"), Issue.source,
                   Issue.category, Issue.building_id, Issue.household_id,
                   (Building.name + Unit.name + Household.room).label("address"), Issue.place,
                   Issue.reporter_name, Issue.reporter_phone, Issue.description,
                   case((_CLOSED, CLOSED_STATE), else_=Issue.step).label("state"), Issue.decision, Issue.owner,
                   Issue.deadline, Issue.level, Issue.committed, Issue.promised_on, Issue.verdict)
            .outerjoin(Household, Issue.household_id == Household.id)
            .outerjoin(Unit, Household.unit_id == Unit.id)
            .outerjoin(Building, Issue.building_id == Building.id)
            .where(Issue.deleted_at.is_(None))
            .order_by(Issue.raised_at, Issue.id))
    return session.execute(stmt).all()


@dataclass(frozen=True)
class IssueCounts:
    """What the street office asks: 收集 / 公开承诺 / 办结 / 按时办结 (and 受理按时, 满意)."""

    collected: int
    accepted_in_time: int
    committed: int
    solved: int
    solved_in_time: int
    satisfied: int  # 满意 or 基本满意
    reviewed: int
    overdue: int
    unsatisfied: int = 0  # 不满意 verdicts: each reopened its issue, so the issue's own verdict no longer shows it


def issue_counts(session: Session, *, start: date, end: date, today: date) -> IssueCounts:
    """Counts over the issues raised from start to end (both included), in SQL."""
    end_at = datetime.combine(end + timedelta(days=1), datetime.min.time())
    window = and_(Issue.deleted_at.is_(None), Issue.raised_at >= datetime.combine(start, datetime.min.time()),
                  Issue.raised_at < end_at)
    def count(*where):
        return func.count().filter(*where)

    row = session.execute(select(
        count(window),
        count(window, Issue.accepted_at.is_not(None), func.date(Issue.accepted_at) <= Issue.accept_due_on),
        count(window, Issue.committed),
        count(window, Issue.solved_at.is_not(None)),
        count(window, Issue.solved_at.is_not(None), func.date(Issue.solved_at) <= Issue.due_on),
        count(window, _CLOSED),
        count(window, Issue.verdict.is_not(None)),
        count(window, _overdue(today)),
        func.coalesce(func.sum(Issue.reopen_count).filter(window), 0),
    )).one()
    return IssueCounts(*row)


def get_issue(session: Session, issue_id: int) -> Issue:
    return _issue(session, issue_id)


def delete_issues(session: Session, issue_ids: list[int]) -> datetime:
    stamp = datetime.now()
    session.execute(update(Issue).where(Issue.id.in_(issue_ids), Issue.deleted_at.is_(None))
                    .values(deleted_at=stamp))
    return stamp


def restore_issues(session: Session, issue_ids: list[int], stamp: datetime) -> None:
    session.execute(update(Issue).where(Issue.id.in_(issue_ids), Issue.deleted_at == stamp).values(deleted_at=None))
