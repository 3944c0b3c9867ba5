"""Importing the party organisations (党组织名册): the chain 社区党委 → 小区党总支 /
党支部 → 党小组, so that members imported after it find their branch and group.

An organisation is known by its name under its parent; rows come top-down (a
parent before its children), as the export writes them."""
from __future__ import annotations

from sqlalchemy.orm import Session

from ..fields import PARTY_ORG_FIELDS, by_key, parse_record
from ..services import org as org_service
from ..validation import clean_text
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
)
from .reader import Table
from .writer import CODE_FIELD

P = by_key(PARTY_ORG_FIELDS)
_COMPARED = ("level", "compound", "secretary_name")


def plan_party_orgs(session: Session, table: Table, report: Report | None = None) -> list[PlannedRow]:
    # Names compare as typed into a cell is read: full-width brackets become half-width.
    existing = {(clean_text(r.parent), clean_text(r.name)): r for r in org_service.party_org_roster(session)}
    names = {clean_text(r.name): r.name for r in existing.values()}
    compounds = {c.label for c in org_service.compound_choices(session)}
    seen: dict[tuple[str, str], int] = {}
    planned: list[PlannedRow] = []
    # an organisation is its name under its parent: the record code adds nothing
    for given in read_rows(table, P, "party-orgs", report, skip=("record_code",)):
        excel_row, raw, errors = given.excel_row, given.raw, given.problems
        row = PlannedRow(excel_row, given.cells)
        values, field_errors = parse_record(PARTY_ORG_FIELDS, raw, new=True)
        errors.update({k: v for k, v in field_errors.items() if k not in errors})
        # compared as clean_text reads them: （1-3号楼） in the file finds (1-3号楼) in the database
        name, parent = clean_text(values.get("name")), clean_text(values.get("parent"))
        if parent in names:
            values["parent"] = names[parent]  # the stored spelling, for saving
        elif parent and parent not in {k[1] for k in seen}:
            errors.setdefault("parent", f"上级党组织“{parent}”既不在系统中，也不在本表前面的行里，"
                                        "请先填写上级党组织那一行。")
        if values.get("compound") and values["compound"] not in compounds:
            errors.setdefault("compound", f"小区“{values['compound']}”不在组织架构中，请先导入住户花名册或添加该小区。")
        key = (parent, name)
        if name and key in seen:
            errors.setdefault("", f"与第 {seen[key]} 行是同一个党组织，请删去重复的一行。")
        elif name:
            seen[key] = excel_row
        row.name = name
        old = existing.get(key)
        row.record_id = old.id if old else None
        if errors:
            row.status = INVALID
            row.problems = [Problem(table.headers.get(k, P[k].label if k in P else ""), msg)
                            for k, msg in errors.items()]
        else:
            row.values = values
            row.changes = [] if old is None else [
                Change(P[k].label, display(P[k], getattr(old, k)), display(P[k], values.get(k)))
                for k in _COMPARED if k in raw and (values.get(k) or "") != (getattr(old, k) or "")]
            row.status = NEW if old is None else CHANGED if row.changes else UNCHANGED
        planned.append(row)
    return planned


def save_party_orgs(session: Session, rows: list[PlannedRow]) -> int:
    for r in rows:
        org_service.save_party_org(session, r.record_id, r.values)
    return len(rows)


KIND = ImportKind("party-orgs", "党组织名册", (CODE_FIELD, *PARTY_ORG_FIELDS), plan_party_orgs, save_party_orgs)
