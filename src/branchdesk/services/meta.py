"""Facts about the database itself, and the settings it keeps (a JSON value per key)."""
from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models.meta import DATABASE_ID, AppMeta


def database_id(session: Session) -> str:
    """The identity given to this database when it was created (or upgraded to 0002)."""
    return session.scalar(select(AppMeta.value).where(AppMeta.key == DATABASE_ID)) or ""


def read_setting(session: Session, key: str):
    """A setting's stored value, or None when it was never set."""
    stored = session.get(AppMeta, key)
    return None if stored is None else json.loads(stored.value)


def write_setting(session: Session, key: str, value) -> None:
    text = json.dumps(value, ensure_ascii=False)
    stored = session.get(AppMeta, key)
    if stored is None:
        session.add(AppMeta(key=key, value=text))
    else:
        stored.value = text
