"""Printed rosters: the member roster (党员名册, A4 landscape) and the building leaders'
contact sheet (楼栋长通讯录). Columns, labels and masks come from the field registry;
ID and phone numbers are masked unless full=True, and the birth date with the ID
number (its year only)."""
from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from ..fields import LEADER_FIELDS, MEMBER_FIELDS, Field, by_key
from ..services import org, people
from .common import cn_date, org_line
from .layout import Column, Paragraph, PrintDocument, Signatures, Table

MF = by_key(MEMBER_FIELDS)
LF = by_key(LEADER_FIELDS)
# what the printed roster shows: the note and the employer are left to the window and the export
MEMBER_COLUMNS = ("name", "gender", "ethnicity", "birth_date", "id_number", "education", "joined_on",
                  "confirmed_on", "category", "party_org_id", "phone", "address", "is_registered")
# a contact sheet: where, who and how to reach them; no ID numbers
LEADER_COLUMNS = (("building_id", "building_full"), ("unit_id", "unit"), ("name", "name"), ("phone", "phone"),
                  ("is_member", "is_member"), ("since", "since"), ("note", "note"))
MASKED_NOTE = "（已隐藏部分身份证号和联系电话，出生日期只显示年份）"
LEADERS_MASKED_NOTE = "（已隐藏部分联系电话）"


def _column(f: Field, width: float | None = None) -> Column:
    return Column(f.label, width or f.width, "left" if f.width >= 10 else "center")


def _roster(session: Session, title: str, note: str, fields: list[Field], rows: list[list[str]], *,
            today: date | None, landscape: bool) -> PrintDocument:
    day = today or date.today()
    columns = [Column("序号", 4, "center"), *(_column(f) for f in fields)]
    body = [[str(n), *row] for n, row in enumerate(rows, start=1)]
    blocks = [Paragraph(f"共 {len(rows)} 人", align="right", after=1),
              Table(columns, body or [["", "（无）"]], size=9 if landscape else 10.5, fit=True,
                    row_height=7),
              Signatures(("填报人：", "审核人：", f"日期：{cn_date(day)}"), before=6)]
    return PrintDocument(org.community_name(session) + title, note, org_line(session), f"截至{cn_date(day)}", blocks,
                         landscape=landscape)


def member_roster(session: Session, *, full: bool = False, today: date | None = None) -> PrintDocument:
    fields = [MF[key] for key in MEMBER_COLUMNS]
    rows = []
    for r in people.list_members(session):
        shown = []
        for f in fields:
            value = r.party_org if f.key == "party_org_id" else getattr(r, f.key)
            shown.append(f.display(value, masked=not full and f.hides))
        rows.append(shown)
    return _roster(session, "党员名册", "" if full else MASKED_NOTE, fields, rows, today=today, landscape=True)


def leader_roster(session: Session, *, full: bool = False, today: date | None = None) -> PrintDocument:
    fields = [LF[key] for key, _attr in LEADER_COLUMNS]
    rows = [[f.display(getattr(r, attr), masked=not full and f.hides)
             for f, (_key, attr) in zip(fields, LEADER_COLUMNS)]
            for r in people.list_leaders(session)]
    return _roster(session, "楼栋长通讯录", "" if full else LEADERS_MASKED_NOTE, fields, rows, today=today,
                   landscape=False)
