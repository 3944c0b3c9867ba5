"""Importing a household roster (住户花名册): each row is a household found by its
compound, building, unit and room, or created with whatever of them is missing.

This is how a new branch fills in its organisation from the street office's list,
and how a sync package brings another compound's buildings along. The columns a
roster shows but an import never sets (党员人数, 是否党员中心户, 联系的中心户)
follow from the other rosters and are left alone."""
from __future__ import annotations

from sqlalchemy.orm import Session

from ..fields import HOUSEHOLD_DERIVED, HOUSEHOLD_FIELDS, by_key, column_parsers, parse_record
from ..services import org as org_service
from ..validation import (
    Invalid,
    clean_text,
    parse_address,
    parse_building,
    parse_room,
    parse_unit,
)
from .plan import (
    CHANGED,
    INVALID,
    NEW,
    UNCHANGED,
    Change,
    ImportKind,
    PlannedRow,
    Problem,
    Report,
    display,
    read_rows,
    take_masked_numbers,
)
from .reader import Table
from .writer import CODE_FIELD

H = by_key(HOUSEHOLD_FIELDS)
_PLACE = ("community", "compound", "grid", "building", "unit", "room", "address")
_DETAILS = org_service.HOUSEHOLD_DETAILS


def _place(raw: dict, places: org_service.HouseholdPlaces) -> tuple[str, int | None, str, str, str]:
    """(compound name, compound id or None for a compound still to be created,
    building, unit, room) from the 住址 column or the 小区/楼栋/单元/门牌 columns."""
    prefix = building = unit = room = ""
    if raw.get("address"):
        prefix, building, unit, room = parse_address(raw["address"])
    parts = parse_building(raw.get("building"))
    if parts:
        if building and parts[1] != building:
            raise Invalid(f"楼栋“{raw['building']}”与住址“{raw['address']}”不一致，请核对。")
        prefix, building = prefix or parts[0], parts[1]
    unit = parse_unit(raw.get("unit")) or unit
    room = parse_room(raw.get("room")) or room
    if not (building and unit and room):
        raise Invalid("缺少楼栋、单元或门牌，请填写“住址”（如 3号楼2单元501），或分别填写楼栋、单元和门牌。")
    name = clean_text(raw.get("compound")) or prefix
    if name:
        return name, places.compound_named(name, clean_text(raw.get("community"))), building, unit, room
    found = places.compounds_with_building(building)
    if len(found) == 1:
        return "", found[0], building, unit, room
    if not found and len(places.compounds) == 1:
        return "", places.compounds[0][0], building, unit, room
    if found:
        raise Invalid(f"{building}号楼在几个小区都有，请在“小区”列写上小区名称。")
    raise Invalid("请在“小区”列写上小区名称。")


def plan_households(session: Session, table: Table, report: Report | None = None) -> list[PlannedRow]:
    places = org_service.HouseholdPlaces(session)
    details = org_service.household_details(session)
    headers = table.headers
    seen: dict[tuple, int] = {}
    grid_of_building: dict[tuple, tuple[str, int]] = {}
    parsers = column_parsers(HOUSEHOLD_FIELDS)
    planned: list[PlannedRow] = []
    # A household is its place: the record code adds nothing, and the derived
    # columns follow from the other rosters.
    for given in read_rows(table, H, "households", report, skip=("record_code", *HOUSEHOLD_DERIVED)):
        excel_row, raw, errors = given.excel_row, given.raw, given.problems
        row = PlannedRow(excel_row, given.cells)
        match = None
        try:
            compound, compound_id, building, unit, room = _place(raw, places)
            match = places.find(compound_id, building, unit, room)
        except Invalid as exc:
            errors.setdefault("address", str(exc))
            compound = building = unit = room = ""
            compound_id = None
        if compound and compound_id is None and not places.communities and not raw.get("community"):
            errors.setdefault("compound", f"数据库中还没有社区，无法新建小区“{compound}”：请先在“组织架构”中填写社区名称。")
        take_masked_numbers(raw, errors, details.get(match) if match else None, H)
        values, field_errors = parse_record(HOUSEHOLD_FIELDS, {k: v for k, v in raw.items() if k not in _PLACE
                                                               or k == "grid"}, parsers=parsers)
        errors.update({k: v for k, v in field_errors.items() if k not in errors})
        where = (compound_id or compound, building, unit, room)
        if building:
            if where in seen:
                errors.setdefault("", f"与第 {seen[where]} 行是同一户，请删去重复的一行。")
            else:
                seen[where] = excel_row
            grid = values.get("grid")
            other = grid_of_building.get(where[:2])
            if grid and other and other[0] != grid:
                errors.setdefault("grid", f"同一栋楼在第 {other[1]} 行属于“{other[0]}”，这里写的是“{grid}”，请统一。")
            elif grid:
                grid_of_building[where[:2]] = (grid, excel_row)
        row.name = f"{compound}{building}号楼{unit}单元{room}" if building else ""
        row.record_id = match
        if errors:
            row.status = INVALID
            row.problems = [Problem(headers.get(k, H[k].label if k in H else ""), msg) for k, msg in errors.items()]
            planned.append(row)
            continue
        values.update(community=clean_text(raw.get("community")), compound=compound, compound_id=compound_id,
                      building=building, unit=unit, room=room)
        row.values = values
        if match is None:
            row.status = NEW
        else:
            row.changes = _changes(details[match], values, places.grid_name(places.building_grid(compound_id,
                                                                                                   building)))
            row.status = CHANGED if row.changes else UNCHANGED
        planned.append(row)
    return planned


def _changes(old: dict, new: dict, old_grid: str) -> list[Change]:
    changes = []
    if new.get("grid") and new["grid"] != old_grid:
        changes.append(Change(H["grid"].label, old_grid or "（空）", new["grid"]))
    for key in _DETAILS:
        if key in new and new[key] != old.get(key):
            f = H[key]
            changes.append(Change(f.label, display(f, old.get(key)), display(f, new[key])))
    return changes


def save_households(session: Session, rows: list[PlannedRow]) -> int:
    places = org_service.HouseholdPlaces(session)
    default = org_service.community_name(session)  # planning refused new compounds without any community
    for r in rows:
        v = r.values
        compound_id = v["compound_id"]
        if compound_id is None:  # a new compound joins the community the row names, else the database's
            compound_id = places.ensure_compound(v["compound"], v["community"] or default)
        hid = places.ensure_household(compound_id, v["building"], v["unit"], v["room"])
        if v.get("grid"):
            places.set_building_grid(compound_id, v["building"], places.ensure_grid(compound_id, v["grid"]))
        org_service.set_household_details(session, hid, v)
    return len(rows)


KIND = ImportKind("households", "住户花名册", (CODE_FIELD, *HOUSEHOLD_FIELDS), plan_households, save_households)
