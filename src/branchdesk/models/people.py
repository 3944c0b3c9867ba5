"""People on the rosters: residents, party members, center households (党员中心户)
and building leaders (楼栋长/单元长)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Column, Date, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, SoftDeleted, Timestamped
from .org import Building, Household, PartyOrg, Unit

GENDER_MALE = "M"
GENDER_FEMALE = "F"

MEMBER_FULL = "full"  # 正式党员
MEMBER_PROBATIONARY = "probationary"  # 预备党员


class Resident(Timestamped, Base):
    """A person. Members and building leaders point at one; matching across
    imports is by ID number, or by name + phone where there is none."""

    __tablename__ = "resident"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), index=True)
    # Kept with the name so that sorting and pinyin search need no work at load time.
    name_pinyin: Mapped[str] = mapped_column(String(200), default="", index=True)
    name_initials: Mapped[str] = mapped_column(String(50), default="")
    gender: Mapped[str | None] = mapped_column(String(1))
    ethnicity: Mapped[str | None] = mapped_column(String(20))
    birth_date: Mapped[date | None] = mapped_column(Date)
    id_number: Mapped[str | None] = mapped_column(String(18), unique=True)
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    education: Mapped[str | None] = mapped_column(String(20))
    employer: Mapped[str | None] = mapped_column(String(100))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id", ondelete="SET NULL"), index=True)
    note: Mapped[str | None] = mapped_column(Text)

    household: Mapped[Household | None] = relationship()
    member: Mapped[Member | None] = relationship(back_populates="resident", uselist=False)


class Member(Timestamped, SoftDeleted, Base):
    __tablename__ = "member"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id", ondelete="CASCADE"), unique=True)
    party_org_id: Mapped[int | None] = mapped_column(ForeignKey("party_org.id", ondelete="SET NULL"), index=True)
    category: Mapped[str] = mapped_column(String(20), default=MEMBER_FULL)
    joined_on: Mapped[date | None] = mapped_column(Date)  # 入党日期
    confirmed_on: Mapped[date | None] = mapped_column(Date)  # 转正日期
    is_registered: Mapped[bool] = mapped_column(Boolean, default=False)  # 在职党员双报到
    registered_on: Mapped[date | None] = mapped_column(Date)  # the day they reported to the community
    note: Mapped[str | None] = mapped_column(Text)

    resident: Mapped[Resident] = relationship(back_populates="member")
    party_org: Mapped[PartyOrg | None] = relationship()
    center_household: Mapped[CenterHousehold | None] = relationship(back_populates="member", uselist=False)


center_household_link = Table(
    "center_household_link",
    Base.metadata,
    Column("center_household_id", ForeignKey("center_household.id", ondelete="CASCADE"), primary_key=True),
    Column("household_id", ForeignKey("household.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class CenterHousehold(Timestamped, SoftDeleted, Base):
    """党员中心户: a member's household that links and serves neighbouring households."""

    __tablename__ = "center_household"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), unique=True)
    appointed_on: Mapped[date | None] = mapped_column(Date)
    # The 四有 standard
    has_ability: Mapped[bool] = mapped_column(Boolean, default=False)  # 有能力
    has_prestige: Mapped[bool] = mapped_column(Boolean, default=False)  # 有威望
    has_public_spirit: Mapped[bool] = mapped_column(Boolean, default=False)  # 有公心
    has_enthusiasm: Mapped[bool] = mapped_column(Boolean, default=False)  # 有热情
    note: Mapped[str | None] = mapped_column(Text)

    member: Mapped[Member] = relationship(back_populates="center_household")
    served_households: Mapped[list[Household]] = relationship(
        secondary=center_household_link, order_by=Household.sort_key
    )


class BuildingLeader(Timestamped, SoftDeleted, Base):
    """楼栋长 (unit_id empty) or 单元长 (unit_id set)."""

    __tablename__ = "building_leader"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id", ondelete="CASCADE"), index=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"))
    since: Mapped[date | None] = mapped_column(Date)
    is_member: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)

    resident: Mapped[Resident] = relationship()
    building: Mapped[Building] = relationship()
    unit: Mapped[Unit | None] = relationship()
