"""The organisation tree and the look-ups the forms need (buildings, units,
households, party organisations)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import (
    Building, BuildingLeader, CenterHousehold, Community, Compound, Grid, Household, Member, PartyOrg,
    Resident, Unit, center_household_link,
)
from ..validation import Invalid, parse_address


# ---- building the organisation -----------------------------------------------
def ensure_community(session: Session, *, name: str, street_name: str | None = None) -> Community:
    community = session.scalar(select(Community).where(Community.name == name))
    if community is None:
        community = Community(name=name, street_name=street_name)
        session.add(community)
        session.flush()
    return community


def add_compound(session: Session, *, community_id: int, name: str, kind: str = "property",
                 address: str | None = None, property_company: str | None = None,
                 owners_committee: str | None = None) -> Compound:
    compound = Compound(community_id=community_id, name=name, kind=kind, address=address,
                        property_company=property_company, owners_committee=owners_committee)
    session.add(compound)
    session.flush()
    return compound


def add_grid(session: Session, *, compound_id: int, name: str, sort_key: int = 0,
             worker_name: str | None = None, worker_phone: str | None = None) -> Grid:
    grid = Grid(compound_id=compound_id, name=name, sort_key=sort_key, worker_name=worker_name,
                worker_phone=worker_phone)
    session.add(grid)
    session.flush()
    return grid


def add_building(session: Session, *, compound_id: int, code: str, grid_id: int | None = None,
                 units: int = 2, floors: int = 6, rooms_per_floor: int = 2) -> Building:
    """A building with its units and one household per room (101, 102, … 602)."""
    sort = int(code) if code.isdigit() else 10_000
    building = Building(compound_id=compound_id, grid_id=grid_id, code=code, name=f"{code}号楼",
                        sort_key=sort, floors=floors)
    session.add(building)
    for u in range(1, units + 1):
        unit = Unit(code=str(u), name=f"{u}单元", sort_key=u)
        building.units.append(unit)
        for floor in range(1, floors + 1):
            for r in range(1, rooms_per_floor + 1):
                room = f"{floor}{r:02d}"
                unit.households.append(Household(room=room, sort_key=floor * 100 + r))
    session.flush()
    return building


def add_party_org(session: Session, *, level: str, name: str, parent_id: int | None = None,
                  community_id: int | None = None, compound_id: int | None = None,
                  building_id: int | None = None, sort_key: int = 0,
                  secretary_name: str | None = None) -> PartyOrg:
    org = PartyOrg(level=level, name=name, parent_id=parent_id, community_id=community_id,
                   compound_id=compound_id, building_id=building_id, sort_key=sort_key,
                   secretary_name=secretary_name)
    session.add(org)
    session.flush()
    return org


# ---- the tree with counts ------------------------------------------------------
@dataclass
class OrgNode:
    kind: str  # community / compound / grid / building / unit
    id: int
    name: str
    households: int = 0
    members: int = 0
    center_households: int = 0
    leaders: int = 0
    details: dict[str, str] = field(default_factory=dict)
    children: list[OrgNode] = field(default_factory=list)

    def add(self, child: OrgNode) -> OrgNode:
        self.children.append(child)
        return child

    def roll_up(self) -> None:
        for child in self.children:
            child.roll_up()
            self.households += child.households
            self.members += child.members
            self.center_households += child.center_households
            self.leaders += child.leaders


def _per_unit(session: Session, stmt) -> Counter:
    return Counter(dict(session.execute(stmt).all()))


def org_tree(session: Session) -> list[OrgNode]:
    """community → compound → grid → building → unit, each with counts of households,
    members, center households and building leaders below it."""
    households = _per_unit(session, select(Household.unit_id, func.count()).group_by(Household.unit_id))
    members = _per_unit(session, select(Household.unit_id, func.count(Member.id))
                        .join(Resident, Resident.household_id == Household.id)
                        .join(Member, Member.resident_id == Resident.id)
                        .where(Member.deleted_at.is_(None)).group_by(Household.unit_id))
    centers = _per_unit(session, select(Household.unit_id, func.count(CenterHousehold.id))
                        .join(Resident, Resident.household_id == Household.id)
                        .join(Member, Member.resident_id == Resident.id)
                        .join(CenterHousehold, CenterHousehold.member_id == Member.id)
                        .where(CenterHousehold.deleted_at.is_(None), Member.deleted_at.is_(None))
                        .group_by(Household.unit_id))
    unit_leaders = _per_unit(session, select(BuildingLeader.unit_id, func.count())
                             .where(BuildingLeader.deleted_at.is_(None), BuildingLeader.unit_id.is_not(None))
                             .group_by(BuildingLeader.unit_id))
    building_leaders = Counter(dict(session.execute(
        select(BuildingLeader.building_id, func.count())
        .where(BuildingLeader.deleted_at.is_(None), BuildingLeader.unit_id.is_(None))
        .group_by(BuildingLeader.building_id)).all()))

    roots = []
    for community in session.scalars(select(Community).order_by(Community.id)):
        cnode = OrgNode("community", community.id, community.name,
                        details={"所属街道": community.street_name or ""})
        roots.append(cnode)
        for compound in community.compounds:
            kind = "物业小区" if compound.kind == "property" else "开放式小区（无物业）"
            pnode = cnode.add(OrgNode("compound", compound.id, compound.name, details={
                "类型": kind, "地址": compound.address or "",
                "物业服务企业": compound.property_company or "", "业委会": compound.owners_committee or ""}))
            grid_nodes = {}
            for grid in compound.grids:
                grid_nodes[grid.id] = pnode.add(OrgNode("grid", grid.id, grid.name, details={
                    "网格员": grid.worker_name or "", "网格员电话": grid.worker_phone or ""}))
            for building in compound.buildings:
                parent = grid_nodes.get(building.grid_id, pnode)
                bnode = parent.add(OrgNode("building", building.id, building.name,
                                           leaders=building_leaders.get(building.id, 0),
                                           details={"层数": str(building.floors or "")}))
                for unit in building.units:
                    bnode.add(OrgNode("unit", unit.id, unit.name, households=households.get(unit.id, 0),
                                      members=members.get(unit.id, 0),
                                      center_households=centers.get(unit.id, 0),
                                      leaders=unit_leaders.get(unit.id, 0)))
        cnode.roll_up()
    return roots


# ---- look-ups for forms ---------------------------------------------------------
@dataclass(frozen=True)
class Choice:
    id: int
    label: str
    parent_id: int | None = None


def building_choices(session: Session) -> list[Choice]:
    """Every building as 启明小区 3号楼 (the compound is named only where there are several)."""
    rows = session.execute(select(Building.id, Building.name, Compound.name, Compound.id)
                           .join(Compound).order_by(Compound.name, Building.sort_key, Building.code)).all()
    several = len({r[3] for r in rows}) > 1
    return [Choice(r[0], f"{r[2]} {r[1]}" if several else r[1], r[3]) for r in rows]


def unit_choices(session: Session) -> list[Choice]:
    rows = session.execute(select(Unit.id, Unit.name, Unit.building_id)
                           .order_by(Unit.building_id, Unit.sort_key)).all()
    return [Choice(r[0], r[1], r[2]) for r in rows]


def party_org_choices(session: Session) -> list[Choice]:
    """Branches and party groups, a group shown under its branch (启明小区党支部 / 第一党小组)."""
    orgs = session.scalars(select(PartyOrg).order_by(PartyOrg.sort_key, PartyOrg.id)).all()
    by_id = {o.id: o for o in orgs}
    out = []
    for o in orgs:
        if o.level not in ("general_branch", "branch", "party_group"):
            continue
        parent = by_id.get(o.parent_id)
        label = f"{parent.name} / {o.name}" if o.level == "party_group" and parent else o.name
        out.append(Choice(o.id, label, o.parent_id))
    return out


@dataclass(frozen=True)
class HouseholdRef:
    id: int
    compound_id: int
    compound: str
    building_id: int
    unit_id: int
    building_code: str
    unit_code: str
    room: str
    address: str  # 3号楼2单元501
    short: str  # 3-2-501


def household_refs(session: Session) -> list[HouseholdRef]:
    rows = session.execute(
        select(Household.id, Compound.id, Compound.name, Building.id, Unit.id, Building.code, Unit.code,
               Household.room, Building.name, Unit.name)
        .join(Unit, Household.unit_id == Unit.id).join(Building, Unit.building_id == Building.id)
        .join(Compound, Building.compound_id == Compound.id)
        .order_by(Compound.name, Building.sort_key, Building.code, Unit.sort_key, Household.sort_key)
    ).all()
    return [HouseholdRef(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], f"{r[8]}{r[9]}{r[7]}",
                         f"{r[5]}-{r[6]}-{r[7]}") for r in rows]


def resolve_household(session: Session, text: str | tuple | None) -> int | None:
    """The household a typed address names; Invalid if none or several (two compounds
    both with a 3-2-501: the user must put the compound's name in front)."""
    if not text:
        return None
    parsed = parse_address(text) if isinstance(text, str) else text
    prefix, b, u, r = parsed
    stmt = (select(Household.id, Compound.name).join(Unit, Household.unit_id == Unit.id)
            .join(Building, Unit.building_id == Building.id).join(Compound, Building.compound_id == Compound.id)
            .where(func.upper(Building.code) == b, Unit.code == u, func.upper(Household.room) == r))
    return _pick_household(session.execute(stmt).all(), parsed)


def _pick_household(found: list[tuple[int, str]], parsed: tuple) -> int:
    """The one household among (id, compound name) candidates for the same
    building-unit-room that the typed compound prefix names; Invalid otherwise."""
    prefix, b, u, r = parsed
    if prefix:
        # The compound's own name, perhaps after the community's ("光明社区阳光花园") or
        # with "小区" added; an exact name wins over one that merely ends the same way.
        want = prefix.removesuffix("小区")
        exact = [f for f in found if f[1].removesuffix("小区") == want]
        found = exact or [f for f in found if want.endswith(f[1].removesuffix("小区"))]
    shown = f"{prefix}{b}号楼{u}单元{r}"
    if not found:
        raise Invalid(f"住址“{shown}”在组织架构中不存在，请先在“组织架构”中添加该户，或检查楼号、单元、门牌。")
    if len(found) > 1:
        names = "、".join(f[1] for f in found)
        raise Invalid(f"住址“{shown}”在 {names} 都有，请在前面写上小区名，如“{found[0][1]}{b}号楼{u}单元{r}”。")
    return found[0][0]


class AddressBook:
    """resolve_household over households loaded once: an import checks thousands of
    addresses and must not run a query for each."""

    def __init__(self, session: Session):
        stmt = (select(Household.id, Compound.id, Compound.name, func.upper(Building.code), Unit.code,
                       func.upper(Household.room))
                .join(Unit, Household.unit_id == Unit.id).join(Building, Unit.building_id == Building.id)
                .join(Compound, Building.compound_id == Compound.id))
        self._by_place: dict[tuple[str, str, str], list[tuple[int, str]]] = {}
        self._place_of: dict[int, tuple[int, str, str, str, str]] = {}  # id → compound id, name, b, u, r
        for hid, compound_id, compound, b, u, r in session.execute(stmt):
            self._by_place.setdefault((b, u, r), []).append((hid, compound))
            self._place_of[hid] = (compound_id, compound, b, u, r)

    def resolve(self, text: str | tuple | None) -> int | None:
        if not text:
            return None
        parsed = parse_address(text) if isinstance(text, str) else text
        _prefix, b, u, r = parsed
        return _pick_household(self._by_place.get((b, u, r), []), parsed)

    def resolve_near(self, text: str | tuple | None, near: int | None) -> int | None:
        """As resolve; but where the same building-unit-room is in several compounds and
        no compound is written, the one in the compound of household `near`: a center
        household's served households are its neighbours."""
        if not text:
            return None
        parsed = parse_address(text) if isinstance(text, str) else text
        prefix, b, u, r = parsed
        found = self._by_place.get((b, u, r), [])
        if not prefix and len(found) > 1 and near in self._place_of:
            compound_id = self._place_of[near][0]
            same = [f for f in found if self._place_of[f[0]][0] == compound_id]
            if len(same) == 1:
                found = same
        return _pick_household(found, parsed)

    def place(self, household_id: int | None) -> tuple[str, str, str, str] | None:
        """(compound name, building code, unit code, room) of a household."""
        found = self._place_of.get(household_id)
        return found[1:] if found else None

    def short(self, household_id: int) -> str:
        """5-1-502, with the compound in front where another compound has the same one."""
        _cid, compound, b, u, r = self._place_of[household_id]
        text = f"{b}-{u}-{r}"
        return compound + text if len(self._by_place[(b, u, r)]) > 1 else text


def address_of(session: Session, household_id: int | None) -> str:
    if household_id is None:
        return ""
    household = session.get(Household, household_id)
    if household is None:
        return ""
    building = household.unit.building
    same_code = session.scalar(select(func.count(Building.id)).where(
        Building.code == building.code, Building.compound_id != building.compound_id))
    # Where another compound has a building with the same number the address needs its compound.
    return (building.compound.name if same_code else "") + household.address


@dataclass
class BuildingCoverage:
    building_id: int
    label: str
    households: int
    covered: int  # households that are a center household or served by one
    center_households: int
    has_leader: bool

    @property
    def share(self) -> float:
        return self.covered / self.households if self.households else 0.0


def coverage_by_building(session: Session) -> list[BuildingCoverage]:
    """Per building: how many households a center household reaches, and whether
    the building has a leader, so the secretary sees where one is still missing."""
    live_ch = (select(CenterHousehold.id, Resident.household_id)
               .join(Member, CenterHousehold.member_id == Member.id)
               .join(Resident, Member.resident_id == Resident.id)
               .where(CenterHousehold.deleted_at.is_(None), Member.deleted_at.is_(None)).subquery())
    served = select(center_household_link.c.household_id.label("hid")).join(
        live_ch, live_ch.c.id == center_household_link.c.center_household_id)
    own = select(live_ch.c.household_id.label("hid")).where(live_ch.c.household_id.is_not(None))
    covered_ids = served.union(own).subquery()
    covered = dict(session.execute(
        select(Unit.building_id, func.count(Household.id)).join(Household, Household.unit_id == Unit.id)
        .where(Household.id.in_(select(covered_ids.c.hid))).group_by(Unit.building_id)).all())
    totals = dict(session.execute(select(Unit.building_id, func.count(Household.id))
                                  .join(Household, Household.unit_id == Unit.id).group_by(Unit.building_id)).all())
    centers = dict(session.execute(
        select(Unit.building_id, func.count(live_ch.c.id)).join(Household, Household.unit_id == Unit.id)
        .join(live_ch, live_ch.c.household_id == Household.id).group_by(Unit.building_id)).all())
    led = set(session.scalars(select(BuildingLeader.building_id).where(BuildingLeader.deleted_at.is_(None))))
    return [BuildingCoverage(c.id, c.label, totals.get(c.id, 0), covered.get(c.id, 0), centers.get(c.id, 0),
                             c.id in led) for c in building_choices(session)]


@dataclass
class PartyNode:
    id: int
    level: str
    name: str
    secretary: str
    members: int = 0  # members placed directly in this organisation or any below it
    children: list[PartyNode] = field(default_factory=list)


def party_tree(session: Session) -> list[PartyNode]:
    """社区党委 → 小区党总支 → 党支部 → 党小组, with member counts rolled up."""
    direct = Counter(dict(session.execute(
        select(Member.party_org_id, func.count()).where(Member.deleted_at.is_(None))
        .group_by(Member.party_org_id)).all()))
    orgs = session.scalars(select(PartyOrg).order_by(PartyOrg.sort_key, PartyOrg.id)).all()
    nodes = {o.id: PartyNode(o.id, o.level, o.name, o.secretary_name or "", direct.get(o.id, 0)) for o in orgs}
    roots = []
    for o in orgs:
        (nodes[o.parent_id].children if o.parent_id in nodes else roots).append(nodes[o.id])

    def roll(node: PartyNode) -> int:
        node.members += sum(roll(c) for c in node.children)
        return node.members

    for root in roots:
        roll(root)
    return roots


def compound_choices(session: Session) -> list[Choice]:
    return [Choice(c.id, c.name, c.community_id) for c in session.scalars(select(Compound).order_by(Compound.name))]


def grid_choices(session: Session) -> list[Choice]:
    return [Choice(g.id, g.name, g.compound_id)
            for g in session.scalars(select(Grid).order_by(Grid.compound_id, Grid.sort_key))]


def next_building_code(session: Session, compound_id: int) -> str:
    """The number a new building most likely gets. Some communities number buildings
    across all their compounds (no number used twice), others start at 1 in each."""
    rows, compounds_of = _compounds_by_building_code(session)
    across = all(len(c) == 1 for c in compounds_of.values())
    numbers = [int(code) for _bid, code, cid in rows if code.isdigit() and (across or cid == compound_id)]
    return str(max(numbers, default=0) + 1)


def create_building(session: Session, *, compound_id: int, code: str, grid_id: int | None,
                    units: int, floors: int, rooms_per_floor: int) -> Building:
    """add_building with the checks a form needs, worded for the secretary."""
    code = code.strip().upper().removesuffix("号楼").removesuffix("号")
    if not code:
        raise Invalid("请填写楼号，如 12。")
    exists = session.scalar(select(Building.id).where(Building.compound_id == compound_id, Building.code == code))
    if exists:
        raise Invalid(f"这个小区已经有 {code}号楼 了，请换一个楼号。")
    if not (1 <= units <= 20 and 1 <= floors <= 60 and 1 <= rooms_per_floor <= 20):
        raise Invalid("单元数、层数和每层户数应在合理范围内（单元 1-20，层数 1-60，每层 1-20 户）。")
    return add_building(session, compound_id=compound_id, code=code, grid_id=grid_id, units=units,
                        floors=floors, rooms_per_floor=rooms_per_floor)


# ---- rosters for the exchange ----------------------------------------------------------
@dataclass
class HouseholdRow:
    id: int
    community: str
    compound: str
    grid: str
    building: str
    unit: str
    room: str
    address: str
    head_name: str | None
    phone: str | None
    member_count: int
    is_center: bool
    centers: str
    note: str | None


def household_roster(session: Session) -> list[HouseholdRow]:
    """Every household with its grid, head and phone, its member count, whether it is a
    center household and the center households that serve it."""
    refs = household_refs(session)
    communities = dict(session.execute(select(Compound.id, Community.name).join(Community)).all())
    buildings = {r[0]: (r[1], r[2] or "") for r in session.execute(
        select(Building.id, Building.name, Grid.name).outerjoin(Grid, Building.grid_id == Grid.id))}
    unit_names = dict(session.execute(select(Unit.id, Unit.name)).all())
    details = {r[0]: r[1:] for r in session.execute(
        select(Household.id, Household.head_name, Household.phone, Household.note))}
    members = dict(session.execute(
        select(Resident.household_id, func.count(Member.id)).join(Member, Member.resident_id == Resident.id)
        .where(Member.deleted_at.is_(None), Resident.household_id.is_not(None))
        .group_by(Resident.household_id)).all())
    live = (CenterHousehold.deleted_at.is_(None), Member.deleted_at.is_(None))
    centers = set(session.scalars(
        select(Resident.household_id).join(Member, Member.resident_id == Resident.id)
        .join(CenterHousehold, CenterHousehold.member_id == Member.id).where(*live)))
    served: dict[int, list[str]] = {}
    for household_id, name in session.execute(
            select(center_household_link.c.household_id, Resident.name)
            .join(CenterHousehold, CenterHousehold.id == center_household_link.c.center_household_id)
            .join(Member, CenterHousehold.member_id == Member.id)
            .join(Resident, Member.resident_id == Resident.id)
            .where(*live).order_by(Resident.name_pinyin)):
        served.setdefault(household_id, []).append(name)
    rows = []
    for r in refs:
        building, grid = buildings.get(r.building_id, ("", ""))
        head_name, phone, note = details[r.id]
        rows.append(HouseholdRow(r.id, communities[r.compound_id], r.compound, grid, building, unit_names.get(r.unit_id, ""), r.room,
                                 r.address, head_name, phone, members.get(r.id, 0), r.id in centers,
                                 "、".join(served.get(r.id, ())), note))
    return rows


@dataclass
class PartyOrgRow:
    id: int
    name: str
    level: str
    parent: str
    compound: str
    secretary_name: str | None


def party_org_roster(session: Session) -> list[PartyOrgRow]:
    """The party chain top-down (a parent always before its children), for the sync package."""
    orgs = session.scalars(select(PartyOrg).order_by(PartyOrg.sort_key, PartyOrg.id)).all()
    by_id = {o.id: o for o in orgs}
    compounds = dict(session.execute(select(Compound.id, Compound.name)).all())
    children: dict[int | None, list[PartyOrg]] = {}
    for o in orgs:
        children.setdefault(o.parent_id if o.parent_id in by_id else None, []).append(o)
    rows: list[PartyOrgRow] = []

    def walk(parent_id: int | None) -> None:
        for o in children.get(parent_id, ()):
            parent = by_id.get(o.parent_id)
            rows.append(PartyOrgRow(o.id, o.name, o.level, parent.name if parent else "",
                                    compounds.get(o.compound_id, ""), o.secretary_name))
            walk(o.id)
    walk(None)
    return rows


def _compounds_by_building_code(session: Session) -> tuple[list, dict[str, set[int]]]:
    """(building id, code, compound id) rows, and for each code the compounds using it."""
    rows = session.execute(select(Building.id, Building.code, Building.compound_id)).all()
    compounds_of: dict[str, set[int]] = {}
    for _bid, code, cid in rows:
        compounds_of.setdefault(code.upper(), set()).add(cid)
    return rows, compounds_of


def compound_prefixes(session: Session, *, every: bool = False) -> dict[int, str]:
    """Building id → compound name for buildings whose number another compound also
    uses: there an address is only unambiguous with the compound in front. every=True
    names the compound of every building (a package may be merged where numbers repeat)."""
    stmt = select(Building.id, Compound.name).join(Compound, Building.compound_id == Compound.id)
    if not every:
        rows, compounds_of = _compounds_by_building_code(session)
        shared = [bid for bid, code, _cid in rows if len(compounds_of[code.upper()]) > 1]
        if not shared:
            return {}
        stmt = stmt.where(Building.id.in_(shared))
    return dict(session.execute(stmt).all())


def community_names(session: Session) -> list[str]:
    return list(session.scalars(select(Community.name).order_by(Community.id)))


def community_name(session: Session) -> str:
    """The community the rosters belong to (the first one entered)."""
    return session.scalar(select(Community.name).order_by(Community.id).limit(1)) or ""


# ---- households from a roster ------------------------------------------------------------
def _number_key(code: str, default: int = 10_000) -> int:
    return int(code) if code.isdigit() else default


class HouseholdPlaces:
    """Compounds, grids, buildings, units and households loaded once, for importing a
    household roster: finds what exists and creates what does not."""

    def __init__(self, session: Session):
        self.session = session
        self.communities = dict(session.execute(select(Community.name, Community.id)).all())
        # (compound id, name, community name): names repeat across communities
        self.compounds = [tuple(r) for r in session.execute(
            select(Compound.id, Compound.name, Community.name).join(Community, Compound.community_id == Community.id))]
        self.grids = {(r[1], r[2]): r[0] for r in session.execute(select(Grid.id, Grid.compound_id, Grid.name))}
        self.buildings = {(r[1], r[2].upper()): (r[0], r[3]) for r in session.execute(
            select(Building.id, Building.compound_id, Building.code, Building.grid_id))}
        self.units = {(r[1], r[2]): r[0] for r in session.execute(select(Unit.id, Unit.building_id, Unit.code))}
        self.households = {(r[1], r[2].upper()): r[0] for r in session.execute(
            select(Household.id, Household.unit_id, Household.room))}

    def compound_named(self, name: str, community: str = "") -> int | None:
        """A compound by its name, with or without 小区, in the community if one is named."""
        want = name.removesuffix("小区")
        found = [cid for cid, n, c in self.compounds
                 if n.removesuffix("小区") == want and (not community or c == community)]
        return found[0] if len(found) == 1 else None

    def compounds_with_building(self, code: str) -> list[int]:
        return [cid for (cid, b) in self.buildings if b == code]

    def find(self, compound_id: int | None, building: str, unit: str, room: str) -> int | None:
        if compound_id is None:
            return None
        b = self.buildings.get((compound_id, building))
        u = self.units.get((b[0], unit)) if b else None
        return self.households.get((u, room)) if u else None

    def building_grid(self, compound_id: int | None, building: str) -> int | None:
        b = self.buildings.get((compound_id, building)) if compound_id else None
        return b[1] if b else None

    def grid_name(self, grid_id: int | None) -> str:
        return next((name for (_c, name), gid in self.grids.items() if gid == grid_id), "")

    # -- creating --
    def ensure_compound(self, name: str, community: str) -> int:
        cid = self.compound_named(name, community)
        if cid is None:
            community_id = self.communities.get(community)
            if community_id is None:
                community_id = ensure_community(self.session, name=community).id
                self.communities[community] = community_id
            cid = add_compound(self.session, community_id=community_id, name=name).id
            self.compounds.append((cid, name, community))
        return cid

    def ensure_grid(self, compound_id: int, name: str) -> int:
        gid = self.grids.get((compound_id, name))
        if gid is None:
            sort = len([1 for (c, _n) in self.grids if c == compound_id]) + 1
            gid = add_grid(self.session, compound_id=compound_id, name=name, sort_key=sort).id
            self.grids[(compound_id, name)] = gid
        return gid

    def ensure_household(self, compound_id: int, building: str, unit: str, room: str) -> int:
        b = self.buildings.get((compound_id, building))
        if b is None:
            row = Building(compound_id=compound_id, code=building, name=f"{building}号楼",
                           sort_key=_number_key(building))
            self.session.add(row)
            self.session.flush()
            b = self.buildings[(compound_id, building)] = (row.id, None)
        uid = self.units.get((b[0], unit))
        if uid is None:
            row = Unit(building_id=b[0], code=unit, name=f"{unit}单元", sort_key=_number_key(unit))
            self.session.add(row)
            self.session.flush()
            uid = self.units[(b[0], unit)] = row.id
        hid = self.households.get((uid, room))
        if hid is None:
            row = Household(unit_id=uid, room=room, sort_key=_number_key(room, 100_000))
            self.session.add(row)
            self.session.flush()
            hid = self.households[(uid, room)] = row.id
        return hid

    def set_building_grid(self, compound_id: int, building: str, grid_id: int | None) -> None:
        bid, _old = self.buildings[(compound_id, building)]
        self.session.get(Building, bid).grid_id = grid_id
        self.buildings[(compound_id, building)] = (bid, grid_id)


HOUSEHOLD_DETAILS = ("head_name", "phone", "note")


def set_household_details(session: Session, household_id: int, values: dict) -> None:
    """户主, 联系电话 and 备注 of a household: only the keys present are written."""
    household = session.get(Household, household_id)
    for key in HOUSEHOLD_DETAILS:
        if key in values:
            setattr(household, key, values[key])


def household_details(session: Session) -> dict[int, dict]:
    return {r[0]: dict(zip(HOUSEHOLD_DETAILS, r[1:])) for r in session.execute(
        select(Household.id, Household.head_name, Household.phone, Household.note))}


def save_party_org(session: Session, org_id: int | None, values: dict) -> int:
    """Create or update a party organisation from a roster row: its parent and compound
    are given by name (the parent saved before, higher up the roster)."""
    party_org = session.get(PartyOrg, org_id) if org_id else None
    if party_org is None:
        last = session.scalar(select(func.max(PartyOrg.sort_key))) or 0
        party_org = PartyOrg(name=values["name"], level=values["level"], sort_key=last + 1)
        session.add(party_org)
    party_org.level = values["level"]
    parent = values.get("parent")
    if parent:
        party_org.parent_id = session.scalar(select(PartyOrg.id).where(PartyOrg.name == parent)
                                             .order_by(PartyOrg.id).limit(1))
    if "compound" in values:
        party_org.compound_id = session.scalar(select(Compound.id).where(Compound.name == values["compound"]))
    if party_org.level == "community_committee" and party_org.community_id is None:
        party_org.community_id = session.scalar(select(Community.id).order_by(Community.id).limit(1))
    if "secretary_name" in values:
        party_org.secretary_name = values["secretary_name"]
    session.flush()
    return party_org.id
