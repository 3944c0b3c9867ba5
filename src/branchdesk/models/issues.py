"""Residents' issues (问题/诉求) and their way through the 五事制:
提事 (raised) → 议事 (discussed) → 定事 (decided) → 干事 (carried out) → 评事 (reviewed).

An issue keeps where it stands in a few columns (step, decision, deadline, verdict)
for lists and counts, and its whole history as IssueEvent rows for the timeline."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, SoftDeleted, Timestamped

# The five steps, in order
RAISED, DISCUSSED, DECIDED, DOING, REVIEWED = "raised", "discussed", "decided", "doing", "reviewed"
STEPS = (RAISED, DISCUSSED, DECIDED, DOING, REVIEWED)

# Who handles it (分级办理 / 吹哨报到)
LEVEL_COMPOUND, LEVEL_COMMUNITY, LEVEL_STREET, LEVEL_DEPARTMENT = "compound", "community", "street", "department"

# The residents' verdict at 评事
SATISFIED, BASICALLY_SATISFIED, UNSATISFIED = "satisfied", "basically", "unsatisfied"

# issue_event.kind
EVENT_STEP = "step"  # the issue entered a step
EVENT_PROGRESS = "progress"  # a progress note while 干事
EVENT_REOPEN = "reopen"  # 不满意 sent it back
EVENT_COMMIT = "commit"  # a public commitment was made or changed
EVENT_EDIT = "edit"  # what was raised was corrected (category, place, description …)
EVENT_MEETING = "meeting"  # put on a meeting's agenda, or a meeting's decision after 定事 (meeting_id says which)


class Issue(Timestamped, SoftDeleted, Base):
    __tablename__ = "issue"
    # The dashboard's monthly and category counts read only these columns: covering
    # indexes let SQLite count from the index alone (deleted_at first, as every count
    # asks deleted_at IS NULL and the planner takes an equality before a range).
    __table_args__ = (
        Index("ix_issue_raised_counts", "deleted_at", "raised_at", "category", "building_id"),
        Index("ix_issue_solved_counts", "deleted_at", "solved_at", "building_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # 2026-0042, as said to the resident
    source: Mapped[str] = mapped_column(String(50))  # 入户走访 / 议事会 / 12345热线 …
    category: Mapped[str] = mapped_column(String(50), index=True)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("building.id", ondelete="SET NULL"), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id", ondelete="SET NULL"))
    place: Mapped[str | None] = mapped_column(String(100))  # where, when it is no household: 3号楼前停车场
    reporter_name: Mapped[str | None] = mapped_column(String(50))
    reporter_phone: Mapped[str | None] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[datetime] = mapped_column(DateTime, index=True)

    step: Mapped[str] = mapped_column(String(20), default=RAISED, index=True)
    step_at: Mapped[datetime] = mapped_column(DateTime)  # when it entered its current step
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime)  # first 议事: 受理
    # 定事
    decision: Mapped[str | None] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(100))  # who does it: a person or a unit
    deadline: Mapped[date | None] = mapped_column(Date)
    level: Mapped[str | None] = mapped_column(String(20))
    # 公开承诺
    committed: Mapped[bool] = mapped_column(Boolean, default=False)
    promised_on: Mapped[date | None] = mapped_column(Date)
    # The time limits as dates, kept with the issue so that lists and counts filter in SQL:
    # 受理 by accept_due_on; 办结 by due_on (the promised date, else the decided deadline,
    # else the standard limit counted in working days from raised_at).
    accept_due_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    # 干事 finished (办结); cleared when 不满意 reopens it
    solved_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    # 评事
    verdict: Mapped[str | None] = mapped_column(String(20))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)

    events: Mapped[list[IssueEvent]] = relationship(
        back_populates="issue", order_by="IssueEvent.at, IssueEvent.id", cascade="all, delete-orphan")


class IssueEvent(Base):
    """One line of an issue's timeline: who did what at which step, when."""

    __tablename__ = "issue_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issue.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    kind: Mapped[str] = mapped_column(String(20), default=EVENT_STEP)
    step: Mapped[str] = mapped_column(String(20))  # the step entered, or the one the note belongs to
    actor: Mapped[str | None] = mapped_column(String(50))
    note: Mapped[str | None] = mapped_column(Text)
    verdict: Mapped[str | None] = mapped_column(String(20))
    meeting_id: Mapped[int | None] = mapped_column(Integer)  # the meeting that discussed it (issue 5)

    issue: Mapped[Issue] = relationship(back_populates="events")
