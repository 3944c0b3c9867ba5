"""Facts about the database itself."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models.meta import DATABASE_ID, AppMeta


def database_id(session: Session) -> str:
    """The identity given to this database when it was created (or upgraded to 0002)."""
    return session.scalar(select(AppMeta.value).where(AppMeta.key == DATABASE_ID)) or ""
