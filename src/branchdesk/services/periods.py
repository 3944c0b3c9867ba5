"""The periods a street office counts by (本月, 本季度, 本年 …), as first and last days,
and days written the way the branch writes them (2026年11月18日（星期三）)."""
from __future__ import annotations

from datetime import date, timedelta

PERIODS = (("month", "本月"), ("last_month", "上月"), ("quarter", "本季度"), ("last_quarter", "上季度"),
           ("year", "本年"), ("last_year", "上一年"), ("custom", "自定义"))


WEEKDAYS = "一二三四五六日"


def cn_date(day: date | None, *, weekday: bool = False) -> str:
    if day is None:
        return ""
    text = f"{day.year}年{day.month}月{day.day}日"
    return f"{text}（星期{WEEKDAYS[day.weekday()]}）" if weekday else text


def _month_end(year: int, month: int) -> date:
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def period_range(key: str, today: date) -> tuple[date, date]:
    """First and last day of the period that holds today (or the one before it).
    "custom" gives this year so far, for the secretary to change."""
    y, m = today.year, today.month
    if key == "month":
        return date(y, m, 1), _month_end(y, m)
    if key == "last_month":
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
        return date(y, m, 1), _month_end(y, m)
    first = (m - 1) // 3 * 3 + 1  # the quarter's first month
    if key == "quarter":
        return date(y, first, 1), _month_end(y, first + 2)
    if key == "last_quarter":
        y, first = (y - 1, 10) if first == 1 else (y, first - 3)
        return date(y, first, 1), _month_end(y, first + 2)
    if key == "year":
        return date(y, 1, 1), date(y, 12, 31)
    if key == "last_year":
        return date(y - 1, 1, 1), date(y - 1, 12, 31)
    if key == "custom":
        return date(y, 1, 1), today
    raise ValueError(f"unknown period {key!r}")


def describe(start: date, end: date) -> str:
    """2026年1月1日至2026年12月31日, as a report heading writes it."""
    return f"{start.year}年{start.month}月{start.day}日至{end.year}年{end.month}月{end.day}日"
