"""The numbers behind the dashboard's charts (统计图表), each counted in SQL.

Every function takes the same Filters: the period (issues and demands count by the day
they were raised, meetings by the day they were held), and optionally a compound, a grid
and an issue category. The place filters reach issues and demands through their
building, resources through their compound; meetings are counted for the whole branch.
The category filter is an issue category and reaches the issue charts only."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from ..fields import DEMAND_STATUSES, ISSUE_STATES
from ..models import (
    Building, BuildingLeader, Compound, Demand, Grid, Issue, Meeting, PartyOrg, Resource, Unit,
)
from ..models.issues import BASICALLY_SATISFIED, REVIEWED, SATISFIED
from ..models.org import BRANCH_LEVELS, ORG_PARTY_GROUP
from ..models.lists import DEMAND_CLAIMED, DEMAND_MATCHED
from . import meetings as meeting_service
from .org import coverage_by_building
from .periods import describe, period_range

IN_HAND = (DEMAND_MATCHED, DEMAND_CLAIMED)  # a demand using its resource right now
_CLOSED = and_(Issue.step == REVIEWED, Issue.verdict.in_((SATISFIED, BASICALLY_SATISFIED)))
_STATE = case((_CLOSED, "closed"), else_=Issue.step)


@dataclass(frozen=True)
class Filters:
    start: date
    end: date
    today: date
    compound_id: int | None = None
    grid_id: int | None = None
    category: str | None = None  # an issue category

    @classmethod
    def for_period(cls, key: str, today: date, **place) -> Filters:
        start, end = period_range(key, today)
        return cls(start, end, today, **place)


def _day_after(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), datetime.min.time())


def _in_period(column, f: Filters):
    """A datetime column inside the period, both days included."""
    return and_(column >= datetime.combine(f.start, datetime.min.time()), column < _day_after(f.end))


def _building_ids(f: Filters):
    """The buildings the place filters leave, as a subquery; None without a place filter."""
    if f.grid_id is None and f.compound_id is None:
        return None
    stmt = select(Building.id)
    if f.grid_id is not None:
        stmt = stmt.where(Building.grid_id == f.grid_id)
    if f.compound_id is not None:
        stmt = stmt.where(Building.compound_id == f.compound_id)
    return stmt


def _issue_scope(f: Filters, *, category: bool = True) -> list:
    where = [Issue.deleted_at.is_(None)]
    buildings = _building_ids(f)
    if buildings is not None:
        where.append(Issue.building_id.in_(buildings))
    if category and f.category:
        where.append(Issue.category == f.category)
    return where


def _raised(f: Filters) -> list:
    return [*_issue_scope(f), _in_period(Issue.raised_at, f)]


def place_label(session: Session, f: Filters) -> str:
    """小区 / 网格 / 类别 as a chart's subtitle names them: 全部小区 without a filter."""
    parts = []
    if f.grid_id is not None:
        parts.append(session.scalar(select(Grid.name).where(Grid.id == f.grid_id)) or "")
    if f.compound_id is not None:
        parts.insert(0, session.scalar(select(Compound.name).where(Compound.id == f.compound_id)) or "")
    return " ".join(p for p in parts if p) or "全部小区"


def subtitle(session: Session, f: Filters) -> str:
    return f"{describe(f.start, f.end)}　{place_label(session, f)}" + (f"　{f.category}" if f.category else "")


# ---- residents' issues ------------------------------------------------------------------------
@dataclass(frozen=True)
class MonthCount:
    month: str  # 2026-03
    raised: int
    solved: int


def _months(f: Filters) -> list[str]:
    months, y, m = [], f.start.year, f.start.month
    while (y, m) <= (f.end.year, f.end.month):
        months.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def _day_text(column, length: int = 10):
    """The leading part of a stored date-time (2026-03-05 14:30:00): the day, or with
    length 7 the month, as text; about five times cheaper than parsing it with date()."""
    return func.substr(column, 1, length)


def issues_by_month(session: Session, f: Filters) -> list[MonthCount]:
    """Per month of the period: issues raised in it, and issues done (办结) in it."""
    month = _day_text(Issue.raised_at, 7)
    raised = dict(session.execute(select(month, func.count()).where(*_raised(f)).group_by(month)).all())
    done_month = _day_text(Issue.solved_at, 7)
    solved = dict(session.execute(select(done_month, func.count())
                                  .where(*_issue_scope(f), Issue.solved_at.is_not(None),
                                         _in_period(Issue.solved_at, f))
                                  .group_by(done_month)).all())
    return [MonthCount(m, raised.get(m, 0), solved.get(m, 0)) for m in _months(f)]


def issues_by_category(session: Session, f: Filters) -> list[tuple[str, int]]:
    """(category, issues raised), the most first. The category filter is left out here:
    the chart compares the categories."""
    stmt = (select(Issue.category, func.count().label("n"))
            .where(*_issue_scope(f, category=False), _in_period(Issue.raised_at, f))
            .group_by(Issue.category).order_by(func.count().desc(), Issue.category))
    return [tuple(r) for r in session.execute(stmt).all()]


def issues_by_state(session: Session, f: Filters) -> list[tuple[str, int]]:
    """(state label, issues raised in the period that stand there now), in the order of
    the 五事制 with 已办结 last; every state is listed, an empty one with 0."""
    counts = dict(session.execute(select(_STATE, func.count()).where(*_raised(f)).group_by(_STATE)).all())
    return [(label, counts.get(state, 0)) for state, label in ISSUE_STATES]


def issues_by_place(session: Session, f: Filters, *, by: str) -> list[tuple[str, int]]:
    """(building or grid, issues raised), the most first; an issue without a building
    (or a building without a grid) is counted as 未指定."""
    if by == "building":
        # two compounds may both have a 1号楼: without a compound chosen, name it
        name = Building.name if f.compound_id is not None else Compound.name + " " + Building.name
        label, key = func.coalesce(name, "未指定楼栋"), Issue.building_id
    elif by == "grid":
        label, key = func.coalesce(Grid.name, "未划网格"), Building.grid_id
    else:
        raise ValueError(f"unknown place {by!r}")
    # counted per id first (an integer, from the issue's own row where it can be), named after
    counted = (select(key.label("key"), func.count().label("n")).select_from(Issue)
               .where(*_raised(f)).group_by(key))
    if by == "grid":
        counted = counted.outerjoin(Building, Issue.building_id == Building.id)
    counted = counted.subquery()
    if by == "building":
        stmt = (select(label, counted.c.n).select_from(counted)
                .outerjoin(Building, Building.id == counted.c.key)
                .outerjoin(Compound, Building.compound_id == Compound.id))
    else:
        stmt = select(label, counted.c.n).select_from(counted).outerjoin(Grid, Grid.id == counted.c.key)
    return [tuple(r) for r in session.execute(stmt.order_by(counted.c.n.desc(), label)).all()]


@dataclass(frozen=True)
class Performance:
    raised: int
    solved: int  # done (办结) by today
    solved_in_time: int  # done by its due date
    median_days: float | None  # days from raised to done, over the solved ones
    verdicts: int  # every verdict given, 不满意 ones included (each reopened its issue)
    satisfied: int  # 满意 or 基本满意

    @staticmethod
    def share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def solve_rate(self) -> float | None:
        return self.share(self.solved, self.raised)

    @property
    def in_time_rate(self) -> float | None:
        return self.share(self.solved_in_time, self.solved)

    @property
    def satisfaction(self) -> float | None:
        return self.share(self.satisfied, self.verdicts)


def issue_performance(session: Session, f: Filters) -> Performance:
    """解决率, 办结用时中位数, 按时办结率 and 满意率 over the issues raised in the period."""
    scope = _raised(f)
    solved = Issue.solved_at.is_not(None)
    row = session.execute(select(
        func.count(),
        func.count().filter(solved),
        func.count().filter(solved, _day_text(Issue.solved_at) <= Issue.due_on),
        func.count().filter(Issue.verdict.is_not(None)) + func.coalesce(func.sum(Issue.reopen_count), 0),
        func.count().filter(_CLOSED),
    ).where(*scope)).one()
    days = func.julianday(Issue.solved_at) - func.julianday(Issue.raised_at)
    median = None
    if row[1]:
        # the middle one (or the two middle ones) of the solved issues' days, in SQL
        n = row[1]
        middle = (select(days.label("d")).where(*scope, solved).order_by(days)
                  .limit(2 - n % 2).offset((n - 1) // 2).subquery())
        median = session.scalar(select(func.avg(middle.c.d)))
    return Performance(row[0], row[1], row[2], None if median is None else round(median, 1), row[3], row[4])


# ---- the lists ---------------------------------------------------------------------------------
def demands_by_status(session: Session, f: Filters) -> list[tuple[str, int]]:
    """(status label, demands raised in the period that stand there now), every status."""
    where = [Demand.deleted_at.is_(None), Demand.raised_on >= f.start, Demand.raised_on <= f.end]
    buildings = _building_ids(f)
    if buildings is not None:
        where.append(Demand.building_id.in_(buildings))
    counts = dict(session.execute(select(Demand.status, func.count()).where(*where).group_by(Demand.status)).all())
    return [(label, counts.get(status, 0)) for status, label in DEMAND_STATUSES]


def resource_use(session: Session, f: Filters) -> tuple[int, int]:
    """(in use, idle) among today's resources: in use while a demand in hand (matched or
    claimed) uses it. With a compound, the resources offered there or everywhere."""
    in_hand = exists().where(Demand.resource_id == Resource.id, Demand.deleted_at.is_(None),
                             Demand.status.in_(IN_HAND))
    where = [Resource.deleted_at.is_(None)]
    compound = f.compound_id
    if compound is None and f.grid_id is not None:
        compound = session.scalar(select(Grid.compound_id).where(Grid.id == f.grid_id))
    if compound is not None:
        where.append(or_(Resource.compound_id.is_(None), Resource.compound_id == compound))
    used, total = session.execute(select(func.count().filter(in_hand), func.count()).where(*where)).one()
    return used, total - used


# ---- 三会一课 --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MeetingCount:
    kind: str
    every: str  # 每月 / 每季度
    held: int  # meetings of the kind with minutes, held in the period
    required: int  # periods begun in the period (up to today) × the organisations that hold it


def _periods_begun(every: str, f: Filters) -> int:
    """Months or quarters that began between the period's start and its end (or today)."""
    last = min(f.end, f.today)
    count, day = 0, f.start
    while day <= last:
        count += 1
        day = period_range(every, day)[1] + timedelta(days=1)
    return count


def _party_scope(session: Session, f: Filters) -> tuple[int, int, set[int] | None, bool]:
    """(branches, party groups, the organisations counted, whether they hold every branch)
    for the 三会一课. With a compound chosen: its branches (or 党总支), those below them
    and their party groups; None counts every organisation."""
    orgs = session.execute(select(PartyOrg.id, PartyOrg.level, PartyOrg.parent_id, PartyOrg.compound_id)).all()
    if f.compound_id is None:
        scope = None
        inside = orgs
    else:
        scope = {o.id for o in orgs if o.level in BRANCH_LEVELS and o.compound_id == f.compound_id}
        grown = True
        while grown:  # a branch under the compound's 党总支, a group under a branch
            below = {o.id for o in orgs if o.parent_id in scope and o.level in (*BRANCH_LEVELS, ORG_PARTY_GROUP)}
            grown = not below <= scope
            scope |= below
        inside = [o for o in orgs if o.id in scope]
    levels = Counter(o.level for o in inside)
    branches = levels["branch"] or levels["general_branch"] or (1 if scope is None else 0)
    whole = scope is None or all(o.id in scope for o in orgs if o.level in BRANCH_LEVELS)
    return branches, levels["party_group"] or branches, scope, whole


def meetings_held(session: Session, f: Filters) -> list[MeetingCount]:
    """Each of the 三会一课: held against required in the period. 党小组会 is required of
    every party group, the others of every branch (the 党总支 where there is none), as
    the 三会一课 tracker counts them. A compound chosen counts its own organisations; a
    meeting that names none counts there only if the compound holds every branch."""
    every = meeting_service.frequencies(session)
    branches, groups, scope, whole = _party_scope(session, f)
    held_query = (select(Meeting.kind, func.count())
                  .where(Meeting.deleted_at.is_(None), Meeting.minutes_at.is_not(None),
                         Meeting.kind.in_(list(every)), _in_period(Meeting.starts_at, f))
                  .group_by(Meeting.kind))
    if scope is not None:
        named = Meeting.party_org_id.in_(scope)
        held_query = held_query.where(or_(named, Meeting.party_org_id.is_(None)) if whole else named)
    held = dict(session.execute(held_query).all())
    rows = []
    for kind, freq in every.items():
        orgs = groups if kind == meeting_service.GROUP_KIND else branches
        rows.append(MeetingCount(kind, meeting_service.FREQUENCY_LABELS[freq], held.get(kind, 0),
                                 _periods_begun(freq, f) * orgs))
    return rows


# ---- coverage ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Coverage:
    compound: str
    building: str  # 19号楼
    households: int
    covered: int  # households a center household reaches (its own and those it serves)
    units: int
    units_led: int  # units with a 单元长
    has_leader: bool  # the building has a 楼栋长

    @property
    def center_share(self) -> float:
        return self.covered / self.households if self.households else 0.0

    @property
    def unit_share(self) -> float:
        return self.units_led / self.units if self.units else 0.0


def coverage(session: Session, f: Filters) -> list[Coverage]:
    """Per building (in the compound or grid chosen): center-household coverage of its
    households, 单元长 coverage of its units, and whether it has a 楼栋长."""
    unit_leader = exists().where(BuildingLeader.deleted_at.is_(None), BuildingLeader.unit_id == Unit.id)
    stmt = (select(Building.id, Compound.name, Building.name, func.count(Unit.id), func.count(Unit.id).filter(unit_leader))
            .join(Compound, Building.compound_id == Compound.id).outerjoin(Unit, Unit.building_id == Building.id)
            .group_by(Building.id).order_by(Compound.name, Building.sort_key, Building.code))
    buildings = _building_ids(f)
    if buildings is not None:
        stmt = stmt.where(Building.id.in_(buildings))
    reach = {c.building_id: c for c in coverage_by_building(session)}
    return [Coverage(compound, name, reach[bid].households, reach[bid].covered, units, led, reach[bid].has_leader)
            for bid, compound, name, units, led in session.execute(stmt).all()]


def categories(session: Session) -> list[str]:
    """Every issue category in use, for the category filter."""
    return list(session.scalars(select(Issue.category).where(Issue.deleted_at.is_(None))
                                .group_by(Issue.category).order_by(func.count().desc(), Issue.category)))

