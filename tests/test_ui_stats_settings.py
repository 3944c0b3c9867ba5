"""工作统计 answers the street office's questions from the data (collected, committed,
solved, solved in time, satisfaction, and the lists), over the period picked; the
设置 dialogs keep the category lists and the time limits, refusing what would break
a record with a sentence and changing nothing."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import date, datetime  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtGui import QGuiApplication  # noqa: E402
from PySide6.QtWidgets import QInputDialog, QPushButton  # noqa: E402

from branchdesk.models.lists import DEMAND_CATEGORY, ISSUE_SOURCE  # noqa: E402
from branchdesk.services import issues as S  # noqa: E402
from branchdesk.services import lists  # noqa: E402
from branchdesk.services.periods import describe, period_range  # noqa: E402
from branchdesk.ui.settings_dialogs import ChoiceListsDialog, TimeLimitsDialog, WorkCalendarDialog  # noqa: E402
from branchdesk.ui.stats_dialog import StatsDialog  # noqa: E402
from exchange_helpers import build_qiming  # noqa: E402
from ui_helpers import shown_window  # noqa: E402

TODAY = date(2026, 11, 27)


@pytest.mark.parametrize("key, today, first, last", [
    ("month", date(2026, 2, 10), date(2026, 2, 1), date(2026, 2, 28)),
    ("last_month", date(2026, 1, 5), date(2025, 12, 1), date(2025, 12, 31)),
    ("quarter", date(2026, 11, 27), date(2026, 10, 1), date(2026, 12, 31)),
    ("last_quarter", date(2026, 2, 1), date(2025, 10, 1), date(2025, 12, 31)),
    ("last_quarter", date(2026, 8, 1), date(2026, 4, 1), date(2026, 6, 30)),
    ("year", date(2026, 11, 27), date(2026, 1, 1), date(2026, 12, 31)),
    ("last_year", date(2026, 11, 27), date(2025, 1, 1), date(2025, 12, 31)),
])
def test_periods_are_the_calendar_ones(key, today, first, last):
    assert period_range(key, today) == (first, last)


def test_the_heading_names_the_period_as_a_report_does():
    assert describe(date(2026, 1, 1), date(2026, 3, 31)) == "2026年1月1日至2026年3月31日"


def _raise(s, at: datetime, category: str = "设施维修") -> int:
    return S.raise_issue(s, {"source": "居民来访", "category": category, "address": "3-2-302",
                             "description": "3号楼2单元楼道灯不亮"}, at=at, actor="周书记")


def _solve(s, issue_id: int, day: int, verdict: str) -> None:
    at = datetime(2026, 11, day, 9)
    S.discuss(s, issue_id, at=at)
    S.decide(s, issue_id, {"decision": "物业更换灯具", "owner": "华仁物业", "deadline": f"2026-11-{day + 2}",
                           "level": "小区"}, at=at.replace(hour=10))
    S.start_work(s, issue_id, at=at.replace(hour=11))
    S.finish_work(s, issue_id, at=at.replace(hour=15))
    S.review(s, issue_id, verdict, at=at.replace(hour=16))


@pytest.fixture
def counted(store):
    """Three issues this month (one solved in time, one reopened and solved, one open
    and overdue), one issue last year, two demands (one claimed), one overdue duty."""
    build_qiming(store)
    with store.transaction() as s:
        first = _raise(s, datetime(2026, 11, 2, 9))
        _solve(s, first, 2, "满意")
        second = _raise(s, datetime(2026, 11, 9, 9))
        _solve(s, second, 9, "不满意")
        S.finish_work(s, second, at=datetime(2026, 11, 10, 9))
        S.review(s, second, "基本满意", at=datetime(2026, 11, 10, 10))
        _raise(s, datetime(2026, 11, 16, 9))  # never accepted: overdue by the 27th
        _raise(s, datetime(2025, 6, 1, 9))
        partner = lists.save_partner(s, {"name": "阳光超市"})
        claimed = lists.save_demand(s, {"category": "生活服务", "description": "送菜上门", "raised_by": "老年协会",
                                        "raised_on": "2026-11-03"}, today=TODAY)
        lists.claim_demand(s, claimed, partner_id=partner, on=date(2026, 11, 4))
        lists.save_demand(s, {"category": "文体赛事", "description": "广场舞比赛", "raised_by": "文体队",
                              "raised_on": "2026-11-20"}, today=TODAY)
        lists.save_responsibility(s, {"title": "消防检查", "owner_unit": "物业", "deadline": "2026-11-20"})
    return store


def figures_of(dialog) -> dict[str, str]:
    """The copied table as {"section/item": "count<TAB>share"}."""
    found, section = {}, ""
    for line in dialog.as_text().splitlines()[2:]:
        if "\t" in line:
            item, value = line.split("\t", 1)
            found[f"{section}/{item}"] = value
        else:
            section = line[:4]
    return found


def test_the_street_offices_figures_for_this_month(qtbot, counted):
    dialog = StatsDialog(counted, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.period.setCurrentIndex(dialog.period.findData("month"))
    assert dialog.heading.text() == "2026年11月1日至2026年11月30日（本月）"
    rows = figures_of(dialog)
    assert rows["居民问题/收集问题"] == "3"
    assert rows["居民问题/已办结"] == "2\t66.7%" and rows["居民问题/按时办结"] == "2\t100.0%"
    assert rows["居民问题/居民评价"] == "3"  # the 不满意 that reopened an issue counts as a verdict
    assert rows["居民问题/满意（含基本满意）"] == "2\t66.7%"
    assert rows["居民问题/不满意（已重新办理）"] == "1\t33.3%"
    assert rows["居民问题/目前逾期未办结"] == "1\t33.3%"
    assert rows["需求清单/收集需求"] == "2" and rows["需求清单/红色合伙人、党员认领"] == "1\t50.0%"
    assert rows["需求清单/待对接"] == "1\t50.0%" and rows["需求清单/已办结"] == "0\t0.0%"
    assert rows["责任清单/逾期未完成"] == "1\t100.0%"

    dialog.period.setCurrentIndex(dialog.period.findData("custom"))
    dialog.start.setDate(date(2025, 1, 1))
    assert figures_of(dialog)["居民问题/收集问题"] == "4"  # last year's issue joins once the period reaches back
    dialog.findChild(QPushButton, "copyFigures").click()
    assert QGuiApplication.clipboard().text() == dialog.as_text()


def test_a_category_is_added_renamed_and_retired_from_the_settings(qtbot, counted, monkeypatch):
    dialog = ChoiceListsDialog(counted)
    qtbot.addWidget(dialog)
    editor = dialog.editors[DEMAND_CATEGORY]
    answers = iter([("心理疏导", True), ("心理健康", True)])
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: next(answers))
    editor.buttons["add"].click()
    assert editor.items.currentItem().text() == "心理疏导"  # the new entry is chosen, ready to rename
    editor.buttons["rename"].click()
    with counted.session() as s:
        assert "心理健康" in lists.demand_categories(s) and "心理疏导" not in lists.demand_categories(s)
    editor.buttons["retire"].click()
    assert editor.items.currentItem().text() == "心理健康（已停用）"
    assert editor.buttons["reinstate"].isEnabled() and not editor.buttons["retire"].isEnabled()
    with counted.session() as s:
        assert "心理健康" not in lists.demand_categories(s)

    sources = dialog.editors[ISSUE_SOURCE]
    with counted.transaction() as s:  # leave one source only: it cannot be retired
        for item in lists.list_choice_items(s, ISSUE_SOURCE)[1:]:
            lists.retire_choice(s, item.id)
    sources.refresh()
    sources.items.setCurrentRow(0)
    sources.buttons["retire"].click()
    assert sources.message.isVisibleTo(sources) and "唯一可选的问题来源" in sources.message.text()
    with counted.session() as s:
        assert len(lists.active_labels(s, ISSUE_SOURCE)) == 1


def test_time_limits_are_saved_and_a_wrong_pair_is_refused(qtbot, counted):
    dialog = TimeLimitsDialog(counted)
    qtbot.addWidget(dialog)
    assert (dialog.accept_days.value(), dialog.done_days.value()) == (0, 3)  # 当日受理、三日办结
    dialog.accept_days.setValue(5)
    dialog.done_days.setValue(2)
    dialog.findChild(QPushButton, "limitsOk").click()
    assert dialog.message.isVisibleTo(dialog) and "不短于受理时限" in dialog.message.text()
    with counted.session() as s:
        assert S.time_limits(s) == S.Limits(0, 3)
    dialog.accept_days.setValue(1)
    dialog.done_days.setValue(5)
    dialog.findChild(QPushButton, "limitsOk").click()
    with counted.session() as s:
        assert S.time_limits(s) == S.Limits(1, 5)


def test_holidays_and_the_weekend_worked_are_added_removed_and_saved(qtbot, counted):
    from PySide6.QtCore import QDate

    dialog = WorkCalendarDialog(counted)
    qtbot.addWidget(dialog)
    holidays, workdays = dialog.holidays, dialog.workdays
    holidays.first.setDate(QDate(2026, 10, 1))
    holidays.last.setDate(QDate(2026, 10, 8))
    holidays.findChild(QPushButton, "addDays").click()
    assert holidays.days.count() == 8 and holidays.days.item(0).text() == "2026年10月1日（星期四）"
    holidays.days.item(7).setSelected(True)  # the 8th was one too many
    holidays.findChild(QPushButton, "removeDays").click()
    assert holidays.values()[-1] == date(2026, 10, 7)
    workdays.first.setDate(QDate(2026, 9, 26))  # a range adds its weekend days only
    workdays.last.setDate(QDate(2026, 10, 4))
    workdays.findChild(QPushButton, "addDays").click()
    assert workdays.values() == [date(2026, 9, 26), date(2026, 9, 27), date(2026, 10, 3), date(2026, 10, 4)]
    dialog.findChild(QPushButton, "calendarOk").click()
    assert dialog.message.isVisibleTo(dialog) and "不能既放假又上班" in dialog.message.text()
    with counted.session() as s:
        assert S.work_calendar(s) == S.WorkCalendar()
    workdays.days.selectAll()
    workdays.findChild(QPushButton, "removeDays").click()
    workdays.first.setDate(QDate(2026, 10, 10))
    workdays.last.setDate(QDate(2026, 10, 10))
    workdays.findChild(QPushButton, "addDays").click()
    dialog.findChild(QPushButton, "calendarOk").click()
    with counted.session() as s:
        saved = S.work_calendar(s)
    assert len(saved.holidays) == 7 and saved.workdays == {date(2026, 10, 10)}
    assert dialog.result() == dialog.DialogCode.Accepted


def test_the_menus_open_the_statistics_and_the_settings(qtbot, qapp, counted):
    window = shown_window(qtbot, qapp, counted)
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles == ["文件(&F)", "统计(&T)", "设置(&S)"]
    assert window.act_stats.shortcut().toString() == "Ctrl+Shift+T"
    window.act_stats.trigger()
    qtbot.waitUntil(lambda: window.findChild(StatsDialog) is not None and window.findChild(StatsDialog).isVisible())
    dialog = window.findChild(StatsDialog)
    assert dialog.heading.text().endswith("（本年）")
    dialog.reject()
