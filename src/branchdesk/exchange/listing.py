"""What the imports of the lists and the residents' issues share: each row is read,
matched to a record (by its record code, else by the kind's natural key), compared
field by field with what the export writes for that record, and every new or changed
row is tried through its service inside a savepoint that is rolled back. A refusal by
the service (a gate of the 五事制, a building that does not match the address) is
then shown in the preview, and applying does exactly what was checked.

Columns the steps fill in (a demand's 办理状态 …) are exported but not read: the
preview names them among the columns it does not use."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import fields as F
from ..fields import by_key, parse_record
from ..models import Member, Resident
from ..services import NotFound, ValidationFailed, lists, org
from ..validation import Invalid
from .plan import CHANGED, INVALID, NEW, UNCHANGED, Change, ImportKind, PlannedRow, Problem, Report, display, read_rows
from .reader import Table
from .writer import CODE_FIELD


class Lookups:
    """What rows refer to, loaded once per import: buildings, households, partners,
    members, compounds and the choice lists."""

    def __init__(self, session: Session, file_name: str = ""):
        self.session = session
        self.file_name = file_name  # the file imported, for the timeline of what it changes
        self.now = datetime.now()
        self.today = self.now.date()
        self._cache: dict[str, object] = {}

    def _once(self, name: str, load: Callable[[], object]):
        if name not in self._cache:
            self._cache[name] = load()
        return self._cache[name]

    @property
    def places(self):
        from .import_leaders import Places

        return self._once("places", lambda: Places(self.session))

    @property
    def addresses(self) -> org.AddressBook:
        return self._once("addresses", lambda: org.AddressBook(self.session))

    @property
    def building_labels(self) -> dict[int, str]:
        return self._once("buildings", lambda: {c.id: c.label for c in org.building_choices(self.session)})

    @property
    def compounds(self) -> dict[str, int]:
        return self._once("compounds", lambda: {c.label: c.id for c in org.compound_choices(self.session)})

    @property
    def partners(self) -> dict[str, int]:
        return self._once("partners", lambda: {c.label: c.id for c in lists.partner_choices(self.session)})

    def members_named(self, name: str) -> list[int]:
        by_name = self._once("members", lambda: self._members())
        return by_name.get(name, [])

    def _members(self) -> dict[str, list[int]]:
        found: dict[str, list[int]] = {}
        rows = self.session.execute(select(Member.id, Resident.name).join(Resident, Member.resident_id == Resident.id)
                                    .where(Member.deleted_at.is_(None)))
        for mid, name in rows:
            found.setdefault(name, []).append(mid)
        return found

    def choices(self, kind: str) -> list[str]:
        return self._once(f"choices:{kind}", lambda: lists.active_labels(self.session, kind))

    # ---- references as rows write them --------------------------------------------------
    def building(self, text: str) -> int:
        building_id, _unit = self.places.building(text)
        return building_id

    def household(self, text: str) -> int:
        return self.addresses.resolve(text)

    def compound(self, text: str) -> int:
        if text not in self.compounds:
            raise Invalid(f"组织架构中没有小区“{text}”，请核对名称；服务所有小区时请留空。")
        return self.compounds[text]

    def address_label(self, household_id: int | None) -> str:
        return org.address_of(self.session, household_id)


def check_choice(lookups: Lookups, kind: str, name: str, value: str | None, errors: dict, key: str,
                 where: str) -> None:
    """A category (or a source) must be in its editable list: the import does not add one."""
    if not value or key in errors:
        return
    known = lookups.choices(kind)
    if value not in known:
        errors[key] = (f"{name}“{value}”不在系统的{name}中：请先在软件的“设置 ▸ 选项列表 ▸ {where}”中添加这个{name}，"
                       f"或改为以下之一：{'、'.join(known)}。")


@dataclass(frozen=True)
class Ref:
    """A column naming a record: how its text becomes an id, and an id a text again."""

    resolve: Callable[[Lookups, str], int]
    label: Callable[[Lookups, int | None], str]
    send_text: bool = False  # the service takes the text as written (an address), not the id


BUILDING_REF = Ref(Lookups.building, lambda lk, bid: lk.building_labels.get(bid, "") if bid else "")
ADDRESS_REF = Ref(Lookups.household, Lookups.address_label, send_text=True)


@dataclass(frozen=True)
class ListSpec:
    key: str
    title: str
    fields: tuple[F.Field, ...]  # the export's columns, without the record code
    skip: tuple[str, ...]  # columns exported but not read: what the steps set
    snapshot: Callable[[Lookups], dict[int, dict]]  # record id → values as a row's are parsed (refs as ids)
    identity: Callable[[dict], list[tuple]]  # the natural keys, tried in turn, from parsed values
    save: Callable[[Lookups, int | None, dict, dict], int]  # (record id, what to set, the row's parsed values)
    describe: Callable[[dict], str]  # the row's name in the preview
    refs: dict[str, Ref] = field(default_factory=dict)
    check: Callable[[Lookups, dict, dict | None, dict], None] | None = None  # values, old, errors
    same: Callable[[str, object, object], bool] | None = None  # key, old, new
    shown: Callable[[str, object], str] | None = None  # key, value → the preview's text, where display is not it
    code_field: F.Field = CODE_FIELD

    def kind(self) -> ImportKind:
        return ImportKind(self.key, self.title, (self.code_field, *self.fields),
                          lambda session, table, report=None: plan_list(session, table, self, report),
                          lambda session, rows: save_list(session, rows, self))


def masked_phone_error(f: F.Field) -> str:
    return (f"{f.label}是隐藏了部分数字的（如 138****8000），无法导入：请填写完整号码，"
            "或用“显示完整号码”导出的表格。")


def _label(spec: ListSpec, lookups: Lookups, key: str, value) -> str:
    if key in spec.refs:
        return spec.refs[key].label(lookups, value) or "（空）"
    if spec.shown is not None:
        shown = spec.shown(key, value)
        if shown is not None:
            return shown or "（空）"
    return display(by_key(spec.fields)[key], value)


def plan_list(session: Session, table: Table, spec: ListSpec, report: Report | None = None) -> list[PlannedRow]:
    lookups = Lookups(session, table.file_name)
    fields = by_key(spec.fields)
    read = tuple(f for f in spec.fields if f.key not in spec.skip)
    snapshot = spec.snapshot(lookups)
    by_identity: dict[tuple, int] = {}
    for rid, old in snapshot.items():
        for key in spec.identity(old):
            by_identity.setdefault(key, rid)
    # the columns the import leaves alone, named in the preview
    table.ignored.extend(table.headers[k] for k in spec.skip if k in table.headers)
    seen: dict[tuple, int] = {}
    planned: list[PlannedRow] = []
    for given in read_rows(table, fields, spec.key, report, skip=spec.skip):
        raw, errors = given.raw, given.problems
        row = PlannedRow(given.excel_row, given.cells)
        masked = {k: raw.pop(k) for k in list(raw) if fields[k].kind == F.PHONE and raw[k] and "*" in raw[k]}
        values, field_errors = parse_record(read, raw)
        errors.update({k: v for k, v in field_errors.items() if k not in errors})
        for key, ref in spec.refs.items():
            if values.get(key) and key not in errors:
                try:
                    values[key] = ref.resolve(lookups, values[key])
                except Invalid as exc:
                    errors[key] = str(exc)
        match = given.code if given.code in snapshot else None
        identities = spec.identity(values)
        for key in identities:
            if match is None:
                match = by_identity.get(key)
        old = snapshot.get(match)
        if old is None:
            for f in read:
                if f.required and values.get(f.key) in (None, "") and f.key not in errors and f.key not in masked:
                    errors[f.key] = f"请填写{f.label}。"
        for key, text in masked.items():
            if old is None or fields[key].display(old.get(key), masked=True) != text:
                errors[key] = masked_phone_error(fields[key])
        if spec.check is not None:
            spec.check(lookups, values, old, errors)
        twin = next((seen[key] for key in identities if key in seen), None)
        if twin is not None:
            errors.setdefault("", f"与第 {twin} 行是同一条记录，请删去重复的一行。")
        seen.update((key, given.excel_row) for key in identities if key not in seen)
        row.name = spec.describe(values) or (spec.describe(old) if old else "")
        row.record_id = match
        if not errors:
            if old is None:
                row.status, to_set = NEW, values
            else:
                same = spec.same or (lambda _k, a, b: a == b)
                changed = [k for k in values if not same(k, old.get(k), values[k])]
                row.changes = [Change(fields[k].label, _label(spec, lookups, k, old.get(k)),
                                      _label(spec, lookups, k, values[k])) for k in changed]
                row.status = CHANGED if changed else UNCHANGED
                to_set = {k: values[k] for k in changed}
            if row.status != UNCHANGED:
                payload = _payload(spec, raw, to_set)
                errors = _try(session, spec.save, lookups, match, payload, values)
                row.values = {"set": payload, "row": values, "file": table.file_name}
        if errors:
            row.status = INVALID
            row.values, row.changes = {}, []
            row.problems = [Problem(table.headers.get(k, fields[k].label if k in fields else ""), msg)
                            for k, msg in errors.items()]
        planned.append(row)
    return planned


def _payload(spec: ListSpec, raw: dict, values: dict) -> dict:
    """What the service is given: parsed values, an address as written."""
    out = {}
    for key, value in values.items():
        ref = spec.refs.get(key)
        out[key] = raw.get(key) if ref is not None and ref.send_text else value
    return out


def _try(session: Session, save: Callable[..., object], *args) -> dict:
    """save(*args) in a savepoint that is always rolled back: the service's refusal, if any."""
    savepoint = session.begin_nested()
    try:
        save(*args)
        session.flush()
        return {}
    except ValidationFailed as exc:
        return dict(exc.errors)
    except (Invalid, NotFound) as exc:
        return {"": str(exc) or "这条记录已被删除，请重新导出后再改。"}
    finally:
        savepoint.rollback()


def save_list(session: Session, rows: list[PlannedRow], spec: ListSpec) -> int:
    lookups = Lookups(session, rows[0].values["file"] if rows else "")
    for r in rows:
        spec.save(lookups, r.record_id, r.values["set"], r.values["row"])
    return len(rows)
