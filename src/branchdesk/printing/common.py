"""What every printed document shares: the branch line under the title and dates as
the branch writes them (2026年11月18日（星期三）)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from ..models.org import BRANCH_LEVELS
from ..services import org
from ..services.periods import cn_date  # noqa: F401  (the printouts' date words)


def org_line(session: Session, party_org_id: int | None = None) -> str:
    """幸福社区启明小区党支部: the community and the organisation that holds the meeting
    (a party group with its branch), or the branch when none is named."""
    community = org.community_name(session)
    label = ""
    if party_org_id is not None:
        label = next((c.label for c in org.party_org_choices(session) if c.id == party_org_id), "")
    if not label:
        label = next((r.name for r in org.party_org_roster(session) if r.level in BRANCH_LEVELS), "")
    label = label.replace(" / ", "")
    return label if label.startswith(community) else community + label
