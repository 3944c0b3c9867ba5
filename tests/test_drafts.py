"""Drafts on disk: written whole, read back, kept apart per database, and a damaged
one never stops a form from opening."""
from __future__ import annotations

from datetime import datetime

from branchdesk.drafts import Drafts


def test_draft_round_trip_and_discard(tmp_path):
    drafts = Drafts(tmp_path / "d")
    drafts.save("MemberForm-new", {"name": "王小明", "is_registered": True, "party_org_id": 3}, {"served": [4, 5]},
                saved_at=datetime(2026, 11, 22, 9, 30))
    draft = drafts.load("MemberForm-new")
    assert draft.values == {"name": "王小明", "is_registered": True, "party_org_id": 3}
    assert draft.extra == {"served": [4, 5]} and draft.saved_at == datetime(2026, 11, 22, 9, 30)
    assert list((tmp_path / "d").iterdir()) == [tmp_path / "d" / "MemberForm-new.json"]  # no temp file left
    drafts.discard("MemberForm-new")
    assert drafts.load("MemberForm-new") is None
    drafts.discard("MemberForm-new")  # twice is fine


def test_damaged_draft_is_ignored(tmp_path):
    drafts = Drafts(tmp_path)
    (tmp_path / "MemberForm-new.json").write_text('{"values": {"name": "王', encoding="utf-8")
    assert drafts.load("MemberForm-new") is None


def test_each_database_has_its_own_drafts(tmp_path):
    a, b = Drafts.for_database(tmp_path / "a" / "branchdesk.db"), Drafts.for_database(tmp_path / "b" / "branchdesk.db")
    a.save("MemberForm-new", {"name": "王小明"})
    assert b.load("MemberForm-new") is None and a.load("MemberForm-new") is not None


def test_unwritable_folder_does_not_raise(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    Drafts(blocker / "drafts").save("MemberForm-new", {"name": "王小明"})  # logged, not raised
