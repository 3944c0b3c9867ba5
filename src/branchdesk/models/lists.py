"""The three lists (需求清单 / 资源清单 / 责任清单), the partner units (红色合伙人)
that offer resources and claim demands, and the editable choice lists (categories,
sources) the secretary keeps."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Column, Date, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, SoftDeleted, Timestamped

# choice_item.kind: the lists the secretary edits
DEMAND_CATEGORY = "demand_category"
ISSUE_CATEGORY = "issue_category"
ISSUE_SOURCE = "issue_source"
MEETING_KIND = "meeting_kind"  # 支委会, 党群议事会 … (seeded by migration 0004)

# partner.response_level
RESPONSE_ROUTINE = "routine"  # 平时服务
RESPONSE_EMERGENCY = "emergency"  # 急时应急
RESPONSE_WARTIME = "wartime"  # 战时作战

# demand.urgency
URGENCY_NORMAL, URGENCY_PRESSING, URGENCY_URGENT = "normal", "pressing", "urgent"  # 一般 / 较急 / 紧急
# demand.status
DEMAND_OPEN = "open"  # 待对接
DEMAND_MATCHED = "matched"  # 已对接: a resource is chosen
DEMAND_CLAIMED = "claimed"  # 已认领: a partner or a member took it on
DEMAND_DONE = "done"  # 已办结
DEMAND_CLOSED = "closed"  # 已关闭 without being met
# resource / demand / claim: who
BY_PARTNER, BY_MEMBER, BY_DEPARTMENT, BY_TEAM, BY_OTHER = "partner", "member", "department", "team", "other"
# responsibility.status
DUTY_TODO, DUTY_DOING, DUTY_DONE = "todo", "doing", "done"  # 未开始 / 进行中 / 已完成


class ChoiceItem(Base):
    """One entry of an editable list (亲子娱乐 in the demand categories …)."""

    __tablename__ = "choice_item"
    __table_args__ = (UniqueConstraint("kind", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    label: Mapped[str] = mapped_column(String(50))
    sort_key: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # retired entries stay for old records


class Partner(Timestamped, SoftDeleted, Base):
    """红色合伙人: a unit that signed a partnership with the community."""

    __tablename__ = "partner"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str | None] = mapped_column(String(30))  # 企业 / 学校 / 医院 / 机关 / 社会组织 …
    contact_name: Mapped[str | None] = mapped_column(String(50))
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    offers: Mapped[str | None] = mapped_column(Text)
    response_level: Mapped[str] = mapped_column(String(20), default=RESPONSE_ROUTINE)
    agreement_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)


resource_category = Table(
    "resource_category",
    Base.metadata,
    Column("resource_id", ForeignKey("resource.id", ondelete="CASCADE"), primary_key=True),
    Column("category", String(50), primary_key=True, index=True),
)


class Resource(Timestamped, SoftDeleted, Base):
    """资源清单: what someone can offer, for the demand categories it serves."""

    __tablename__ = "resource"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    provider_kind: Mapped[str] = mapped_column(String(20), default=BY_PARTNER)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id", ondelete="SET NULL"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"), index=True)
    provider_name: Mapped[str | None] = mapped_column(String(100))  # a department or team, typed
    compound_id: Mapped[int | None] = mapped_column(ForeignKey("compound.id", ondelete="SET NULL"))  # None: all
    capacity: Mapped[str | None] = mapped_column(String(100))
    period: Mapped[str | None] = mapped_column(String(100))  # 长期 / 每月一次 / 2026年暑期
    contact_name: Mapped[str | None] = mapped_column(String(50))
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)

    partner: Mapped[Partner | None] = relationship()


class Demand(Timestamped, SoftDeleted, Base):
    """需求清单: a need gathered from residents, matched to a resource and claimed."""

    __tablename__ = "demand"

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(50), index=True)
    description: Mapped[str] = mapped_column(Text)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id", ondelete="SET NULL"))
    building_id: Mapped[int | None] = mapped_column(ForeignKey("building.id", ondelete="SET NULL"), index=True)
    raised_by: Mapped[str | None] = mapped_column(String(100))  # a person or a group, as told
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    urgency: Mapped[str] = mapped_column(String(20), default=URGENCY_NORMAL)
    status: Mapped[str] = mapped_column(String(20), default=DEMAND_OPEN, index=True)
    raised_on: Mapped[date] = mapped_column(Date)
    resource_id: Mapped[int | None] = mapped_column(ForeignKey("resource.id", ondelete="SET NULL"), index=True)
    claimed_by_kind: Mapped[str | None] = mapped_column(String(20))
    claimed_partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id", ondelete="SET NULL"))
    claimed_member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    claimed_on: Mapped[date | None] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)
    result: Mapped[str | None] = mapped_column(Text)
    feedback: Mapped[str | None] = mapped_column(Text)  # the residents' word on the result

    resource: Mapped[Resource | None] = relationship()


class Responsibility(Timestamped, SoftDeleted, Base):
    """责任清单: a duty with its owner and deadline, often from the street office."""

    __tablename__ = "responsibility"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    owner_unit: Mapped[str | None] = mapped_column(String(100))  # 责任主体: 物业公司, 业委会 …
    owner_name: Mapped[str | None] = mapped_column(String(50))  # 责任人
    deadline: Mapped[date | None] = mapped_column(Date, index=True)
    source: Mapped[str | None] = mapped_column(String(100))  # 街道党工委 …
    status: Mapped[str] = mapped_column(String(20), default=DUTY_TODO)
    result: Mapped[str | None] = mapped_column(Text)
    done_on: Mapped[date | None] = mapped_column(Date)


class ServiceLog(Timestamped, Base):
    """A service a registered member (双报到) or a partner took on, for their record."""

    __tablename__ = "service_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"), index=True)
    demand_id: Mapped[int | None] = mapped_column(ForeignKey("demand.id", ondelete="SET NULL"))
    served_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text)
    hours: Mapped[float | None] = mapped_column()
