"""Meetings (会议): 党群议事会, 三方联席会议, 红色合伙人圆桌会, 主题党日 and the 三会一课,
with their agenda (议程), who was invited and came (签到), what was said per item and
what was decided (决议: who does what by when).

A decision on an agenda item that carries a resident's issue is that issue's 定事:
the services move the issue on and its timeline names the meeting."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, SoftDeleted, Timestamped

# attendee.role: where an invitee comes from, for the sign-in sheet's 单位/身份 column
ROLE_MEMBER, ROLE_LEADER, ROLE_OWNERS, ROLE_PROPERTY, ROLE_PARTNER, ROLE_OTHER = (
    "member", "leader", "owners_committee", "property_company", "partner", "other")

# attendee.status
INVITED, PRESENT, EXCUSED, ABSENT = "invited", "present", "excused", "absent"


class Meeting(Timestamped, SoftDeleted, Base):
    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(50), index=True)  # 支委会 / 党群议事会 … (an editable list)
    title: Mapped[str | None] = mapped_column(String(200))  # 主题: 关于3号楼加装电梯的议事会
    starts_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    ends_at: Mapped[datetime | None] = mapped_column(DateTime)
    place: Mapped[str | None] = mapped_column(String(100))
    host: Mapped[str | None] = mapped_column(String(50))  # 主持人
    recorder: Mapped[str | None] = mapped_column(String(50))  # 记录人
    # The organisation that holds it: the branch for 支委会 and 党员大会, a party group for 党小组会
    party_org_id: Mapped[int | None] = mapped_column(ForeignKey("party_org.id", ondelete="SET NULL"), index=True)
    summary: Mapped[str | None] = mapped_column(Text)  # 会议小结 / other notes of the minutes
    # Set once the minutes are written: the meeting was held
    minutes_at: Mapped[datetime | None] = mapped_column(DateTime)

    items: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", order_by="AgendaItem.position", cascade="all, delete-orphan")
    attendees: Mapped[list[Attendee]] = relationship(
        back_populates="meeting", order_by="Attendee.position", cascade="all, delete-orphan")


class AgendaItem(Base):
    __tablename__ = "agenda_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    presenter: Mapped[str | None] = mapped_column(String(50))
    planned_minutes: Mapped[int | None] = mapped_column(Integer)
    issue_id: Mapped[int | None] = mapped_column(ForeignKey("issue.id", ondelete="SET NULL"), index=True)
    discussion: Mapped[str | None] = mapped_column(Text)  # 讨论情况, written in the minutes

    meeting: Mapped[Meeting] = relationship(back_populates="items")
    decisions: Mapped[list[Decision]] = relationship(
        back_populates="item", order_by="Decision.position", cascade="all, delete-orphan")


class Decision(Base):
    """决议: who does what by when. On an item with an issue, the issue's 定事."""

    __tablename__ = "decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    content: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(100))
    deadline: Mapped[date] = mapped_column(Date)
    level: Mapped[str | None] = mapped_column(String(20))  # for an issue: who handles it (小区 → 职能部门)

    item: Mapped[AgendaItem] = relationship(back_populates="decisions")


class Attendee(Base):
    """One invitee: a member, a building leader, a partner, or a name typed in."""

    __tablename__ = "attendee"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(30), default=ROLE_OTHER)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("building_leader.id", ondelete="SET NULL"))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(50))  # kept as printed, even if the record changes later
    unit: Mapped[str | None] = mapped_column(String(100))  # 单位/身份: 第一党小组, 业委会, 华仁物业
    status: Mapped[str] = mapped_column(String(20), default=INVITED)
    reason: Mapped[str | None] = mapped_column(String(200))  # why excused (请假原因)

    meeting: Mapped[Meeting] = relationship(back_populates="attendees")
