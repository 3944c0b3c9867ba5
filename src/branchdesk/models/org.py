"""The organisation: community → compound → grid → building → unit → household,
and the party chain (社区党委 → 小区党总支/党支部 → 党小组)."""
from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Timestamped

# Compound kinds (小区类型)
COMPOUND_PROPERTY = "property"  # 物业小区
COMPOUND_OPEN = "open"  # 开放式/无物业老旧小区

# Party organisation levels, top to bottom
ORG_COMMUNITY_COMMITTEE = "community_committee"  # 社区党委
ORG_GENERAL_BRANCH = "general_branch"  # 小区党总支
ORG_BRANCH = "branch"  # 党支部（含联合党支部、楼组/网格党支部）
ORG_PARTY_GROUP = "party_group"  # 党小组
ORG_LEVELS = (ORG_COMMUNITY_COMMITTEE, ORG_GENERAL_BRANCH, ORG_BRANCH, ORG_PARTY_GROUP)
BRANCH_LEVELS = (ORG_BRANCH, ORG_GENERAL_BRANCH)  # what holds the 三会一课 and signs the papers


class Community(Timestamped, Base):
    __tablename__ = "community"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    street_name: Mapped[str | None] = mapped_column(String(100))

    compounds: Mapped[list[Compound]] = relationship(
        back_populates="community", order_by="Compound.name", cascade="all, delete-orphan"
    )


class Compound(Timestamped, Base):
    __tablename__ = "compound"
    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20), default=COMPOUND_PROPERTY)
    address: Mapped[str | None] = mapped_column(String(200))
    property_company: Mapped[str | None] = mapped_column(String(100))
    owners_committee: Mapped[str | None] = mapped_column(String(100))

    community: Mapped[Community] = relationship(back_populates="compounds")
    grids: Mapped[list[Grid]] = relationship(
        back_populates="compound", order_by="Grid.sort_key", cascade="all, delete-orphan"
    )
    buildings: Mapped[list[Building]] = relationship(
        back_populates="compound", order_by="Building.sort_key", cascade="all, delete-orphan"
    )


class Grid(Timestamped, Base):
    __tablename__ = "grid"
    __table_args__ = (UniqueConstraint("compound_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compound.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    sort_key: Mapped[int] = mapped_column(Integer, default=0)
    worker_name: Mapped[str | None] = mapped_column(String(50))  # 网格员
    worker_phone: Mapped[str | None] = mapped_column(String(20))

    compound: Mapped[Compound] = relationship(back_populates="grids")
    buildings: Mapped[list[Building]] = relationship(back_populates="grid", order_by="Building.sort_key")


class Building(Timestamped, Base):
    __tablename__ = "building"
    __table_args__ = (UniqueConstraint("compound_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compound.id", ondelete="CASCADE"))
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grid.id", ondelete="SET NULL"), index=True)
    code: Mapped[str] = mapped_column(String(20))  # "3" in 3-2-501
    name: Mapped[str] = mapped_column(String(50))  # "3号楼"
    sort_key: Mapped[int] = mapped_column(Integer, default=0)
    floors: Mapped[int | None] = mapped_column(Integer)

    compound: Mapped[Compound] = relationship(back_populates="buildings")
    grid: Mapped[Grid | None] = relationship(back_populates="buildings")
    units: Mapped[list[Unit]] = relationship(
        back_populates="building", order_by="Unit.sort_key", cascade="all, delete-orphan"
    )


class Unit(Timestamped, Base):
    __tablename__ = "unit"
    __table_args__ = (UniqueConstraint("building_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(20))  # "2" in 3-2-501
    name: Mapped[str] = mapped_column(String(50))  # "2单元"
    sort_key: Mapped[int] = mapped_column(Integer, default=0)

    building: Mapped[Building] = relationship(back_populates="units")
    households: Mapped[list[Household]] = relationship(
        back_populates="unit", order_by="Household.sort_key", cascade="all, delete-orphan"
    )


class Household(Timestamped, Base):
    __tablename__ = "household"
    __table_args__ = (UniqueConstraint("unit_id", "room"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    room: Mapped[str] = mapped_column(String(20))  # "501"
    sort_key: Mapped[int] = mapped_column(Integer, default=0)
    head_name: Mapped[str | None] = mapped_column(String(50))  # 户主
    phone: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)

    unit: Mapped[Unit] = relationship(back_populates="households")

    @property
    def address(self) -> str:
        """The way residents write it: 3号楼2单元501."""
        return f"{self.unit.building.name}{self.unit.name}{self.room}"

    @property
    def short_address(self) -> str:
        """The way rosters abbreviate it: 3-2-501."""
        return f"{self.unit.building.code}-{self.unit.code}-{self.room}"


class PartyOrg(Timestamped, Base):
    """Any node of the party chain; the secretary's branch is one with level 'branch'
    or 'general_branch', and party groups hang below it."""

    __tablename__ = "party_org"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("party_org.id", ondelete="CASCADE"), index=True)
    level: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(100))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("community.id", ondelete="SET NULL"))
    compound_id: Mapped[int | None] = mapped_column(ForeignKey("compound.id", ondelete="SET NULL"))
    building_id: Mapped[int | None] = mapped_column(ForeignKey("building.id", ondelete="SET NULL"))
    sort_key: Mapped[int] = mapped_column(Integer, default=0)
    secretary_name: Mapped[str | None] = mapped_column(String(50))

    parent: Mapped[PartyOrg | None] = relationship(remote_side="PartyOrg.id", back_populates="children")
    children: Mapped[list[PartyOrg]] = relationship(back_populates="parent", order_by="PartyOrg.sort_key")
