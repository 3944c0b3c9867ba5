"""The meetings as a branch files them, in three sheets: 会议 (one row per meeting with
its roll-call counts and its agenda in one cell), 议程与决议 (one row per agenda item,
and one more for each further decision on it) and 签到 (who was invited and how they
attended). Written alone (export meetings) or as part of the sync package.

Meetings go out only: an import does not merge them (see package.MEETINGS_NOT_MERGED).
Names are all they hold of people, so a masked and a full export are the same."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from openpyxl import Workbook
from sqlalchemy.orm import Session

from ..fields import (
    AGENDA_FIELDS,
    AGENDA_ISSUE_NUMBER_FIELD,
    AGENDA_POSITION_FIELD,
    ATTENDEE_FIELDS,
    DISCUSSION_FIELD,
    MEETING_ABSENT_FIELD,
    MEETING_COUNT_FIELDS,
    MEETING_DECISION_FIELDS,
    MEETING_FIELDS,
    by_key,
)
from ..services import meetings, org
from .writer import (
    MEETINGS,
    ROSTER_NAMES,
    _cell_maker,
    _check_folder,
    _day,
    _save,
    begin_sheet,
    end_sheet,
)

MEETING_SHEET = "会议"
AGENDA_SHEET = "议程与决议"
ATTENDANCE_SHEET = "签到"
MEETING_SHEETS = (MEETING_SHEET, AGENDA_SHEET, ATTENDANCE_SHEET)

_M = by_key(MEETING_FIELDS)
_COUNTS = by_key(MEETING_COUNT_FIELDS)
_A = by_key(AGENDA_FIELDS)
_D = by_key(MEETING_DECISION_FIELDS)
_P = by_key(ATTENDEE_FIELDS)
# The columns of each sheet, by the key each row of values is built with
_MEETING_COLUMNS = (
    _M["date"], _M["start_time"], _M["end_time"], _M["kind"], _M["title"], _M["party_org_id"], _M["place"],
    _M["host"], _M["recorder"], _COUNTS["invited"], _COUNTS["present"], _COUNTS["excused"], MEETING_ABSENT_FIELD,
    replace(_A["title"], key="agenda", width=40), _COUNTS["held"])
# A row of the other two sheets starts with the meeting it belongs to
_OF_MEETING = (_M["date"], _M["title"])
_AGENDA_COLUMNS = (
    *_OF_MEETING, AGENDA_POSITION_FIELD, _A["title"], _A["presenter"], AGENDA_ISSUE_NUMBER_FIELD, DISCUSSION_FIELD,
    _D["content"], _D["owner"], _D["deadline"])
_ATTENDANCE_COLUMNS = (*_OF_MEETING, _P["name"], _P["unit"], _P["role"], _P["status"], _P["reason"])


def _filed(session: Session) -> list[dict]:
    """Every meeting, oldest first, with what the three sheets show of it."""
    orgs = {c.id: c.label for c in org.party_org_choices(session)}
    found = []
    for row in sorted(meetings.list_meetings(session), key=lambda r: (r.starts_at, r.id)):
        meeting = meetings.get_meeting(session, row.id)
        items = meetings.agenda(session, row.id)
        roll = meetings.attendance(session, row.id)
        signed = row.held or roll.present or roll.excused  # before the sign-in nobody is absent yet
        found.append({
            **meeting, "title": row.title, "party_org_id": orgs.get(row.party_org_id, row.party_org),
            "invited": roll.expected, "present": roll.present if signed else None,
            "excused": len(roll.excused) if signed else None, "absent": len(roll.absent) if signed else None,
            "agenda": "；".join(f"{n}. {item['title']}" for n, item in enumerate(items, 1)), "held": bool(row.held),
            "items": items, "attendees": meetings.attendees(session, row.id)})
    return found


def _agenda_rows(meeting: dict):
    of_meeting = {"date": meeting["date"], "title": meeting["title"]}
    for n, item in enumerate(meeting["items"], 1):
        first = {**of_meeting, "position": n, "title_item": item["title"], "presenter": item["presenter"],
                 "issue_number": item["issue_number"], "discussion": item["discussion"]}
        for d, decision in enumerate(item["decisions"] or [{}]):
            # a further decision on the same item names the meeting and the item again, not the discussion
            base = first if d == 0 else {**of_meeting, "position": n, "title_item": item["title"]}
            yield {**base, **{f"decision_{k}": v for k, v in decision.items()}}


def _attendance_rows(meeting: dict):
    for person in meeting["attendees"]:
        yield {"date": meeting["date"], "title": meeting["title"], **person}


# Where a column's value is found in the row dicts above (fields of two sheets share keys)
_AGENDA_KEYS = ("date", "title", "position", "title_item", "presenter", "issue_number", "discussion",
                "decision_content", "decision_owner", "decision_deadline")


def _write(wb: Workbook, session: Session, name: str, columns, keys, rows, *, prepared_by: str, day: date) -> int:
    title = f"{org.community_name(session)}{ROSTER_NAMES[MEETINGS]}（{name}）"
    ws, styles = begin_sheet(wb, name, title, columns, day)
    makers = [_cell_maker(f, styles, masked=False) for f in columns]
    count = 0
    for row in rows:
        ws.append([make(row.get(key)) for make, key in zip(makers, keys)])
        count += 1
    end_sheet(ws, styles, len(columns), count, prepared_by, day)
    return count


def write_meeting_sheets(wb: Workbook, session: Session, *, prepared_by: str, day: date) -> int:
    """The three sheets, appended to a write-only workbook; returns the meetings written."""
    filed = _filed(session)
    _write(wb, session, MEETING_SHEET, _MEETING_COLUMNS, [f.key for f in _MEETING_COLUMNS], filed,
           prepared_by=prepared_by, day=day)
    _write(wb, session, AGENDA_SHEET, _AGENDA_COLUMNS, _AGENDA_KEYS,
           (r for m in filed for r in _agenda_rows(m)), prepared_by=prepared_by, day=day)
    _write(wb, session, ATTENDANCE_SHEET, _ATTENDANCE_COLUMNS, [f.key for f in _ATTENDANCE_COLUMNS],
           (r for m in filed for r in _attendance_rows(m)), prepared_by=prepared_by, day=day)
    return len(filed)


def export_meetings(session: Session, path, *, prepared_by: str = "", now: date | datetime | None = None) -> int:
    """Every meeting with its agenda, decisions and sign-in to an .xlsx file; returns
    the number of meetings."""
    _check_folder(path)
    wb = Workbook(write_only=True)
    count = write_meeting_sheets(wb, session, prepared_by=prepared_by, day=_day(now))
    _save(wb, path)
    return count
