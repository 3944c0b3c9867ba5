"""Meetings in the services: a meeting needs its day and time; invitees are present,
excused with a reason, or absent, never two at once; a decision names who, what and
by when, and on an issue it is the issue's 定事 with the meeting in its timeline; the
三会一课 tracker says what is held, due and overdue. Refusals change nothing."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from exchange_helpers import build_qiming

from branchdesk.models import Issue
from branchdesk.services import ValidationFailed
from branchdesk.services import issues as S
from branchdesk.services import meetings as MT
from branchdesk.services import org

MEETING = {"kind": "党群议事会", "title": "关于3号楼楼道灯的议事会", "date": "2026-11-18", "start_time": "14:30",
           "end_time": "16:00", "place": "党群服务站", "host": "周书记", "recorder": "李娟"}


@pytest.fixture
def qiming(store):
    build_qiming(store)
    return store


def _meeting(store, **raw) -> int:
    with store.transaction() as s:
        return MT.save_meeting(s, {**MEETING, **raw})


def _issue(store) -> int:
    with store.transaction() as s:
        return S.raise_issue(s, {"source": "居民来访", "category": "设施维修", "address": "3-2-302",
                                 "description": "3号楼2单元楼道灯不亮"}, at=datetime(2026, 11, 16, 9, 30))


def test_a_meeting_needs_its_day_and_a_time_it_can_read(qiming):
    for raw, field, message in (({"date": ""}, "date", "请填写会议日期。"),
                                ({"start_time": "两点半"}, "start_time", "请写成 14:30 的样子"),
                                ({"end_time": "14:00"}, "end_time", "结束时间应晚于开始时间。"),
                                ({"kind": "茶话会"}, "kind", "不在列表中")):
        with qiming.transaction() as s, pytest.raises(ValidationFailed) as info:
            MT.save_meeting(s, {**MEETING, **raw})
        assert message in info.value.errors[field]
    with qiming.session() as s:
        assert MT.list_meetings(s) == []
    meeting_id = _meeting(qiming, start_time="下午2点30分")
    with qiming.session() as s:
        [row] = MT.list_meetings(s)
        assert MT.get_meeting(s, meeting_id)["start_time"] == "14:30"
    assert (row.title, row.starts_at, row.held) == ("关于3号楼楼道灯的议事会", datetime(2026, 11, 18, 14, 30), False)


def test_the_sign_in_refuses_present_and_excused_at_once_and_an_excuse_without_reason(qiming):
    meeting_id = _meeting(qiming)
    with qiming.transaction() as s, pytest.raises(ValidationFailed) as info:
        MT.set_attendees(s, meeting_id, [{"name": "王建华", "present": True, "excused": True}])
    assert list(info.value.errors.values()) == ["第 1 位（王建华）：王建华不能既出席又请假，请只选一项。"]
    with qiming.transaction() as s, pytest.raises(ValidationFailed) as info:
        MT.set_attendees(s, meeting_id, [{"name": "张敏", "status": "excused"}])
    assert "请写明请假原因" in info.value.errors["attendee1.reason"]
    with qiming.transaction() as s:
        MT.set_attendees(s, meeting_id, [
            {"name": "王建华", "unit": "第一党小组", "role": "member", "present": True},
            {"name": "张敏", "unit": "业委会", "role": "owners_committee", "excused": True, "reason": "出差"},
            {"name": "刘强", "unit": "华仁物业", "role": "property_company", "status": "absent"},
        ])
    with qiming.session() as s:
        counts = MT.attendance(s, meeting_id)
        [row] = MT.list_meetings(s)
    assert (counts.expected, counts.present, counts.excused, counts.absent) == (3, 1, [("张敏", "出差")], ["刘强"])
    assert (row.invited, row.present, row.excused) == (3, 1, 1)


def test_a_decision_on_an_issue_is_its_ding_shi_and_the_timeline_names_the_meeting(qiming):
    issue_id = _issue(qiming)
    meeting_id = _meeting(qiming)
    with qiming.transaction() as s:
        MT.set_agenda(s, meeting_id, [{"title": "3号楼楼道灯维修", "presenter": "楼栋长", "planned_minutes": "20",
                                       "issue_id": issue_id}, {"title": "其他事项"}])
    with qiming.session() as s:
        [first, second] = MT.agenda(s, meeting_id)
        notes = [(e.kind, e.meeting_id) for e in S.timeline(s, issue_id)]
    assert (first["issue_number"], first["planned_minutes"], second["issue_id"]) == ("2026-0001", 20, None)
    assert ("meeting", meeting_id) in notes  # put on the agenda: the issue says so

    # a decision without an owner is refused, and nothing of the minutes is written
    with qiming.transaction() as s, pytest.raises(ValidationFailed) as info:
        MT.record_minutes(s, meeting_id, discussions={first["id"]: "居民反映灯坏了两周"},
                          decisions={first["id"]: [{"content": "物业更换灯具", "deadline": "2026-11-20"}]},
                          at=datetime(2026, 11, 18, 16))
    assert "议题“3号楼楼道灯维修”的第 1 条决议：请填写责任人（单位）。" in info.value.errors.values()
    with qiming.session() as s:
        assert MT.agenda(s, meeting_id)[0]["discussion"] is None and s.get(Issue, issue_id).step == "raised"

    with qiming.transaction() as s:
        MT.record_minutes(s, meeting_id, discussions={first["id"]: "居民反映灯坏了两周"},
                          decisions={first["id"]: [{"content": "物业更换灯具", "owner": "华仁物业",
                                                    "deadline": "2026-11-20", "level": "小区"}]},
                          summary="会议按时结束", at=datetime(2026, 11, 18, 16), actor="周书记")
    with qiming.session() as s:
        issue = s.get(Issue, issue_id)
        events = S.timeline(s, issue_id)
        [row] = MT.list_meetings(s)
    assert (issue.step, issue.owner, issue.deadline, issue.level) == ("decided", "华仁物业", date(2026, 11, 20),
                                                                      "compound")
    assert [(e.step, e.meeting_id) for e in events if e.kind == "step"][1:] == [("discussed", meeting_id),
                                                                                 ("decided", meeting_id)]
    assert row.held
    # saving the same minutes again does not decide the issue twice
    with qiming.transaction() as s:
        MT.record_minutes(s, meeting_id, discussions={}, decisions={first["id"]: [
            {"content": "物业更换灯具", "owner": "华仁物业", "deadline": "2026-11-20", "level": "compound"}]},
            at=datetime(2026, 11, 18, 17))
    with qiming.session() as s:
        assert len([e for e in S.timeline(s, issue_id) if e.step == "decided"]) == 1


def test_a_decision_on_an_issue_already_being_done_is_noted_not_stepped(qiming):
    issue_id = _issue(qiming)
    with qiming.transaction() as s:
        S.discuss(s, issue_id, at=datetime(2026, 11, 16, 10))
        S.decide(s, issue_id, {"decision": "物业更换灯具", "owner": "华仁物业", "deadline": "2026-11-19",
                               "level": "小区"}, at=datetime(2026, 11, 16, 11))
        S.start_work(s, issue_id, at=datetime(2026, 11, 17, 9))
    meeting_id = _meeting(qiming)
    with qiming.transaction() as s:
        MT.set_agenda(s, meeting_id, [{"title": "楼道灯进度", "issue_id": issue_id}])
        item = MT.agenda(s, meeting_id)[0]["id"]
        MT.record_minutes(s, meeting_id, discussions={}, decisions={item: [
            {"content": "加装感应灯", "owner": "社区", "deadline": "2026-11-30"}]}, at=datetime(2026, 11, 18, 16))
    with qiming.session() as s:
        issue = s.get(Issue, issue_id)
        last = S.timeline(s, issue_id)[-1]
    assert (issue.step, issue.owner) == ("doing", "华仁物业")
    assert last.kind == "meeting" and "加装感应灯（社区，2026-11-30 前）" in last.note


def test_the_three_meetings_and_one_lesson_tracker(qiming):
    with qiming.session() as s:
        branch = next(c.id for c in org.party_org_choices(s) if c.label.endswith("启明小区党支部"))
        group = next(c.id for c in org.party_org_choices(s) if "第一党小组" in c.label)
    # 支委会 held this month; 党课 held last quarter only; 党小组会 planned but no minutes yet
    for kind, day, org_id, minutes in (("支委会", "2026-11-05", branch, True), ("党课", "2026-08-20", branch, True),
                                       ("党小组会", "2026-11-25", group, False)):
        meeting_id = _meeting(qiming, kind=kind, title="", date=day, party_org_id=org_id)
        if minutes:
            with qiming.transaction() as s:
                MT.record_minutes(s, meeting_id, discussions={}, decisions={}, at=datetime(2026, 11, 27))
    with qiming.session() as s:
        found = {(r.kind, r.party_org): r for r in MT.tracker(s, date(2026, 11, 27))}
    assert found[("支委会", "启明小区党支部")].state == "已召开"
    assert found[("党课", "启明小区党支部")].state == "待召开"  # due by the end of this quarter
    assert found[("党课", "启明小区党支部")].end == date(2026, 12, 31)
    assert found[("支部党员大会", "启明小区党支部")].state == "逾期"  # none this quarter or the last
    assert found[("党小组会", "启明小区党支部 第一党小组")].state == "逾期"  # a meeting without minutes was not held
    with qiming.transaction() as s:
        MT.set_frequencies(s, {"党课": "month"})
    with qiming.session() as s:
        found = {(r.kind, r.party_org): r for r in MT.tracker(s, date(2026, 11, 27))}
    assert found[("党课", "启明小区党支部")].state == "逾期" and found[("党课", "启明小区党支部")].every == "每月"
    with qiming.transaction() as s, pytest.raises(ValidationFailed, match="只能是每月或每季度"):
        MT.set_frequencies(s, {"党课": "weekly"})


def test_deleting_a_meeting_can_be_undone(qiming):
    meeting_id = _meeting(qiming)
    with qiming.transaction() as s:
        stamp = MT.delete_meetings(s, [meeting_id])
    with qiming.session() as s:
        assert MT.list_meetings(s) == []
    with qiming.transaction() as s:
        MT.restore_meetings(s, [meeting_id], stamp)
    with qiming.session() as s:
        assert [r.id for r in MT.list_meetings(s)] == [meeting_id]
