"""Residents' issues through the 五事制 in the services: each step in order, the
gates that refuse a step out of order or a decision without owner or deadline,
不满意 reopening an issue, the time limits on an injected clock, and the counts a
street office asks for."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from exchange_helpers import build_qiming
from sqlalchemy import func, select

from branchdesk.models import Issue, IssueEvent
from branchdesk.services import ValidationFailed
from branchdesk.services import issues as S
from branchdesk.services import org

MONDAY = datetime(2026, 11, 16, 9, 30)  # 当日受理、三日办结: due Thursday 19th


@pytest.fixture
def qiming(store):
    build_qiming(store)
    return store


def _raise(store, at=MONDAY, **raw) -> int:
    values = {"source": "居民来访", "category": "设施维修", "address": "3-2-302",
              "reporter_name": "王五", "reporter_phone": "13700137000", "description": "3号楼2单元楼道灯不亮"}
    values.update(raw)
    with store.transaction() as s:
        return S.raise_issue(s, values, at=at, actor="周书记")


def _issue(store, issue_id):
    with store.session() as s:
        return s.get(Issue, issue_id)


def test_an_issue_walks_through_the_five_steps(qiming):
    issue_id = _raise(qiming)
    with qiming.transaction() as s:
        S.discuss(s, issue_id, at=MONDAY.replace(hour=15), actor="周书记", note="议事会讨论")
        S.decide(s, issue_id, {"decision": "物业更换灯具", "owner": "华仁物业", "deadline": "2026-11-18",
                               "level": "小区"}, at=MONDAY.replace(hour=16))
        S.start_work(s, issue_id, at=datetime(2026, 11, 17, 8))
        S.add_progress(s, issue_id, "已采购灯具", at=datetime(2026, 11, 17, 10))
        S.finish_work(s, issue_id, at=datetime(2026, 11, 17, 17), note="已更换")
        S.review(s, issue_id, "满意", at=datetime(2026, 11, 18, 10), note="居民回访")
    issue = _issue(qiming, issue_id)
    assert issue.number == "2026-0001" and issue.step == "reviewed" and issue.verdict == "satisfied"
    assert issue.level == "compound" and issue.owner == "华仁物业" and issue.due_on == date(2026, 11, 18)
    assert S.is_closed(issue) and not S.is_overdue(issue, date(2027, 1, 1))
    with qiming.session() as s:
        events = [(e.step, e.kind) for e in S.timeline(s, issue_id)]
        assert events == [("raised", "step"), ("discussed", "step"), ("decided", "step"), ("doing", "step"),
                          ("doing", "progress"), ("reviewed", "step"), ("reviewed", "step")]
        decided = S.timeline(s, issue_id)[2]
        assert "物业更换灯具（责任人：华仁物业，2026-11-18 前办结）" in decided.note
        # the household's building is found from the address
        assert org.address_of(s, issue.household_id) == "3号楼2单元302" and issue.building_id is not None


def test_steps_out_of_order_and_bad_decisions_change_nothing(qiming):
    issue_id = _raise(qiming)
    with qiming.transaction() as s, pytest.raises(ValidationFailed, match="现在处于“提事”，只有处于“议事”或“定事”时才能定事"):
        S.decide(s, issue_id, {"decision": "x", "owner": "y", "deadline": "2026-11-20", "level": "社区"},
                 at=MONDAY)
    with qiming.transaction() as s:
        S.discuss(s, issue_id, at=MONDAY)
    for raw, field in (({"decision": "物业更换灯具", "deadline": "2026-11-20", "level": "小区"}, "owner"),
                       ({"decision": "物业更换灯具", "owner": "华仁物业", "level": "小区"}, "deadline"),
                       ({"decision": "物业更换灯具", "owner": "华仁物业", "deadline": "2026-11-01", "level": "小区"},
                        "deadline")):
        with qiming.transaction() as s, pytest.raises(ValidationFailed) as info:
            S.decide(s, issue_id, raw, at=MONDAY)
        assert field in info.value.errors
    with qiming.transaction() as s, pytest.raises(ValidationFailed, match="只有处于“干事”时才能办结"):
        S.finish_work(s, issue_id, at=MONDAY)
    with qiming.transaction() as s, pytest.raises(ValidationFailed, match="时间不能早于上一步"):
        S.discuss(s, _raise(qiming), at=MONDAY.replace(hour=8))
    issue = _issue(qiming, issue_id)
    assert issue.step == "discussed" and issue.decision is None
    with qiming.session() as s:
        assert s.scalar(select(func.count()).select_from(IssueEvent).where(IssueEvent.issue_id == issue_id)) == 2


def test_unsatisfied_reopens_and_the_second_verdict_closes(qiming):
    issue_id = _raise(qiming)
    with qiming.transaction() as s:
        S.discuss(s, issue_id, at=MONDAY)
        S.decide(s, issue_id, {"decision": "修灯", "owner": "物业", "deadline": "2026-11-19", "level": "小区"},
                 at=MONDAY)
        S.start_work(s, issue_id, at=MONDAY)
        S.finish_work(s, issue_id, at=datetime(2026, 11, 17, 12))
        S.review(s, issue_id, "不满意", at=datetime(2026, 11, 17, 18), note="灯还是不亮")
    issue = _issue(qiming, issue_id)
    assert (issue.step, issue.solved_at, issue.verdict, issue.reopen_count) == ("doing", None, None, 1)
    assert S.is_overdue(issue, date(2026, 11, 20))  # no longer solved, and past its deadline
    with qiming.transaction() as s:
        S.finish_work(s, issue_id, at=datetime(2026, 11, 20, 9))
        S.review(s, issue_id, "基本满意", at=datetime(2026, 11, 20, 15))
    with qiming.transaction() as s, pytest.raises(ValidationFailed, match="已经评价过了（基本满意）"):
        S.review(s, issue_id, "满意", at=datetime(2026, 11, 21, 9))
    with qiming.session() as s:
        kinds = [e.kind for e in S.timeline(s, issue_id)]
        assert kinds.count("reopen") == 1
        counts = S.issue_counts(s, start=date(2026, 11, 1), end=date(2026, 11, 30), today=date(2026, 11, 25))
    # solved on the 20th, after its deadline of the 19th: solved, but not in time
    assert (counts.collected, counts.solved, counts.solved_in_time, counts.satisfied) == (1, 1, 0, 1)


def test_time_limits_skip_the_holidays_and_count_the_weekend_worked_instead(qiming):
    """国庆: 1-7 October 2026 off, Saturday 10 October worked. Raised on Wednesday 30
    September, 三日办结 is due on Saturday 10 October, not on Monday 5 October."""
    raised = _raise(qiming, at=datetime(2026, 9, 30, 10))
    assert _issue(qiming, raised).due_on == date(2026, 10, 5)  # before the calendar knows the holiday
    national_day = [date(2026, 10, d) for d in range(1, 8)]
    with qiming.transaction() as s:
        S.set_work_calendar(s, holidays=national_day, workdays=[date(2026, 10, 10)])
    assert _issue(qiming, raised).due_on == date(2026, 10, 10)  # an open issue is rescheduled
    later = _raise(qiming, at=datetime(2026, 10, 2, 9), address="1-1-101")  # raised on a holiday
    # 当日受理 on the first working day; 8, 9 and the Saturday worked are its three days
    assert (_issue(qiming, later).accept_due_on, _issue(qiming, later).due_on) == (date(2026, 10, 8),
                                                                                  date(2026, 10, 10))
    with qiming.session() as s:
        calendar = S.work_calendar(s)
    assert calendar.holidays == frozenset(national_day) and calendar.is_working(date(2026, 10, 10))
    with qiming.transaction() as s, pytest.raises(ValidationFailed, match="2026年10月1日不能既放假又上班"):
        S.set_work_calendar(s, holidays=national_day, workdays=[date(2026, 10, 1)])
    with qiming.transaction() as s, pytest.raises(ValidationFailed, match="本来就是工作日"):
        S.set_work_calendar(s, holidays=[], workdays=[date(2026, 10, 12)])
    with qiming.session() as s:
        assert S.work_calendar(s) == calendar  # a refused change changes nothing


def test_time_limits_on_an_injected_clock(qiming):
    friday = datetime(2026, 11, 20, 17)
    issue_id = _raise(qiming, at=friday)
    issue = _issue(qiming, issue_id)
    assert (issue.accept_due_on, issue.due_on) == (date(2026, 11, 20), date(2026, 11, 25))  # weekend skipped
    assert not S.is_overdue(issue, date(2026, 11, 20))
    assert S.is_overdue(issue, date(2026, 11, 21))  # not accepted the same day
    with qiming.transaction() as s:
        S.discuss(s, issue_id, at=datetime(2026, 11, 23, 9))
    issue = _issue(qiming, issue_id)
    assert not S.is_overdue(issue, date(2026, 11, 25)) and S.is_overdue(issue, date(2026, 11, 26))
    # a public commitment moves the due date; a longer standard limit moves the others
    with qiming.transaction() as s:
        S.commit(s, issue_id, date(2026, 11, 30), at=datetime(2026, 11, 23, 10))
    assert not S.is_overdue(_issue(qiming, issue_id), date(2026, 11, 27))
    other = _raise(qiming, at=friday, address="1-1-101")
    with qiming.transaction() as s:
        S.set_time_limits(s, accept_days=1, done_days=5)
        assert S.time_limits(s) == S.Limits(1, 5)
    assert (_issue(qiming, other).accept_due_on, _issue(qiming, other).due_on) == (date(2026, 11, 23),
                                                                                 date(2026, 11, 27))
    assert _issue(qiming, issue_id).due_on == date(2026, 11, 30)  # the promise stands
    with qiming.transaction() as s, pytest.raises(ValidationFailed):
        S.set_time_limits(s, accept_days=5, done_days=3)
    with qiming.session() as s:
        counts = S.issue_counts(s, start=date(2026, 11, 1), end=date(2026, 11, 30), today=date(2026, 11, 24))
    assert (counts.collected, counts.committed, counts.accepted_in_time, counts.overdue) == (2, 1, 0, 1)


def test_numbers_per_year_and_similar_open_issues(qiming):
    first = _raise(qiming)
    second = _raise(qiming, description="楼道灯又坏了")
    _raise(qiming, category="停车管理", description="乱停车")
    last_year = _raise(qiming, at=datetime(2025, 12, 29, 9))
    assert [_issue(qiming, i).number for i in (first, second, last_year)] == ["2026-0001", "2026-0002", "2025-0001"]
    building = _issue(qiming, first).building_id
    with qiming.session() as s:
        similar = S.similar_open_issues(s, building_id=building, category="设施维修")
        assert [r.id for r in similar] == [last_year, first, second]  # oldest first
        assert S.similar_open_issues(s, building_id=building, category="环境卫生") == []
        assert "设施维修" in S.issue_categories(s) and "12345热线" in S.issue_sources(s)


def test_raising_checks_what_was_typed(qiming):
    for raw, field in (({"description": ""}, "description"), ({"address": "9-9-909"}, "address"),
                       ({"reporter_phone": "123"}, "reporter_phone"), ({"raised_at": "2026-12-01"}, "raised_at")):
        with qiming.transaction() as s, pytest.raises(ValidationFailed) as info:
            S.raise_issue(s, {"source": "居民来访", "category": "设施维修", "description": "x", **raw}, at=MONDAY)
        assert field in info.value.errors, info.value.errors
    with qiming.session() as s:
        assert s.scalar(select(func.count()).select_from(Issue)) == 0


def test_correcting_what_was_raised_keeps_number_day_and_step(qiming):
    issue_id = _raise(qiming)
    with qiming.transaction() as s:
        S.discuss(s, issue_id, at=MONDAY.replace(hour=15))
        S.update_issue(s, issue_id, {"description": "3号楼2单元楼道灯不亮", "category": "设施维修"},
                       at=MONDAY.replace(hour=16))  # nothing differs: nothing is written
        S.update_issue(s, issue_id, {"reporter_phone": "13900139000", "place": "楼道"}, at=MONDAY.replace(hour=17),
                       actor="周书记")
    issue = _issue(qiming, issue_id)
    assert (issue.number, issue.step, issue.raised_at, issue.reporter_phone) == (
        "2026-0001", "discussed", MONDAY, "13900139000")
    with qiming.session() as s:
        edits = [e for e in S.timeline(s, issue_id) if e.kind == "edit"]
    assert len(edits) == 1 and edits[0].actor == "周书记"
    # the phone is masked in the timeline, as everywhere on screen
    assert edits[0].note == "地点：（空） → 楼道；联系电话：137****7000 → 139****9000"
    with qiming.transaction() as s, pytest.raises(ValidationFailed) as info:
        S.update_issue(s, issue_id, {"address": "9-9-909"}, at=MONDAY.replace(hour=18))
    assert "address" in info.value.errors
    assert _issue(qiming, issue_id).household_id == issue.household_id
