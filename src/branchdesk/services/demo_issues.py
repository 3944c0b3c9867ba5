"""A year of residents' issues for the demo community, in every step of the 五事制:
most accepted the same day and done within the limit, some publicly committed,
some late, a few reopened after 不满意, the newest still waiting. Every step goes
through the issue services, so the demo holds only what the app itself could.
Some are decided at a meeting (demo_meetings): they wait at 议事 until its minutes."""
from __future__ import annotations

import random
from collections.abc import Generator
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Protocol

from sqlalchemy.orm import Session

from . import issues as S

ISSUES_PER_YEAR = 160

# (category, weight, what residents say, who usually does it, level)
_KINDS = (
    ("设施维修", 24, ("楼道灯不亮", "单元门禁损坏", "雨水管漏水", "电梯异响", "楼顶防水层开裂"), "华仁物业", "小区"),
    ("环境卫生", 18, ("垃圾分类点异味大", "楼道堆放杂物", "化粪池外溢", "绿化带垃圾无人清理"), "华仁物业", "小区"),
    ("停车管理", 15, ("消防通道被占", "非机动车乱停放", "外来车辆长期占位", "充电桩不够用"), "业委会", "小区"),
    ("邻里纠纷", 10, ("楼上漏水殃及楼下", "公共区域被占用", "宠物扰民"), "楼栋长", "小区"),
    ("噪音扰民", 9, ("夜间装修噪音", "广场舞音量过大", "商铺空调外机噪音"), "社区居委会", "社区"),
    ("安全隐患", 9, ("电动车楼道充电", "外墙瓷砖脱落", "井盖松动"), "街道城管科", "街道"),
    ("绿化养护", 8, ("树枝遮挡采光", "草坪枯死", "树木倒伏"), "街道园林站", "职能部门"),
    ("物业服务", 7, ("物业费收支不透明", "保安夜间脱岗", "报修响应慢"), "华仁物业", "小区"),
)
_SOURCES = (("居民来访", 30), ("入户走访", 20), ("网格员上报", 15), ("楼栋长反映", 12), ("12345热线", 10),
            ("书记接待日", 8), ("议事会", 5))
_ACTORS = ("周建华", "网格员李娟", "网格员张磊", "楼栋长王秀英")
_PROGRESS = ("已联系责任单位，约定上门时间", "材料已采购", "施工队已进场", "已完成大部分工作，待验收")


def _office_hours(at: datetime) -> datetime:
    """Steps are taken when people are at work: a night-time step moves to 9:00."""
    if at.hour < 8:
        return at.replace(hour=9, minute=0)
    if at.hour >= 18:
        return (at + timedelta(days=1)).replace(hour=9, minute=0)
    return at


def _working_hours(rng: random.Random, day: datetime) -> datetime:
    return datetime.combine(day.date(), time(rng.randint(8, 17), rng.choice((0, 15, 30, 45))))


@dataclass(frozen=True)
class Proposal:
    """An accepted issue offered to a meeting, with what the meeting would decide."""
    issue_id: int
    category: str
    description: str
    address: str  # 3-2-501
    reporter: str
    raised: datetime
    owner: str
    level: str
    working_days: int  # the time limit the decision gives, from the meeting's day


class Agenda(Protocol):
    """The meetings that decide some of the issues (demo_meetings)."""

    def take(self, proposal: Proposal) -> bool:
        """Put the issue on a coming meeting's agenda, or say no."""

    def hold(self) -> dict[int, datetime]:
        """Hold the meetings that lie in the past: issue id → when its decision was taken."""


def add_issues(session: Session, rng: random.Random, addresses: list[str], reporters: list[tuple[str, str | None]],
               now: datetime, agenda: Agenda | None = None) -> int:
    """Raise and move ISSUES_PER_YEAR issues over the year before `now`; returns how many.
    An issue the agenda takes waits at 议事 for its meeting, whose minutes are its 定事,
    and goes on from there once the meetings are held."""
    weights = [k[1] for k in _KINDS]
    count = 0
    waiting: list[tuple[int, Generator]] = []
    for n in range(ISSUES_PER_YEAR):
        raised = _working_hours(rng, now - timedelta(days=365 * (ISSUES_PER_YEAR - n) / ISSUES_PER_YEAR))
        if raised > now:
            continue
        category, _w, says, owner, level = rng.choices(_KINDS, weights=weights)[0]
        name, phone = rng.choice(reporters)
        address = rng.choice(addresses)
        description = rng.choice(says)
        issue_id = S.raise_issue(session, {
            "source": rng.choices([s for s, _ in _SOURCES], weights=[w for _, w in _SOURCES])[0],
            "category": category, "address": address, "reporter_name": name, "reporter_phone": phone,
            "description": description, "raised_at": raised.date()}, at=raised, actor=rng.choice(_ACTORS))
        count += 1
        far = level in ("街道", "职能部门")
        proposal = Proposal(issue_id, category, description, address, name, raised, owner, level, 10 if far else 3)
        steps = _move_on(session, rng, proposal, now, agenda)
        if next(steps, None) is not None:  # on a meeting's agenda
            waiting.append((issue_id, steps))
    if agenda is not None:
        decided = agenda.hold()
        for issue_id, steps in waiting:
            if issue_id in decided:  # a meeting still to come leaves it at 议事
                with suppress(StopIteration):
                    steps.send(decided[issue_id])
    return count


def _move_on(session: Session, rng: random.Random, proposal: Proposal, now: datetime,
             agenda: Agenda | None) -> Generator[bool, datetime, None]:
    """Take one issue as far as its age (and a little bad luck) allows. An issue put on
    a meeting's agenda pauses (yields) after 议事, and is sent when the meeting decided it."""
    issue_id, raised, owner, level = proposal.issue_id, proposal.raised, proposal.owner, proposal.level
    far = proposal.working_days > 3
    stuck = rng.random() < 0.06  # a few wait too long at some step: the overdue ones
    at = raised + timedelta(hours=rng.choice((1, 2, 3, 5)) if rng.random() < 0.9 else rng.randint(20, 60))
    steps = []

    def step(call, gap_hours: float) -> bool:
        nonlocal at
        at = _office_hours(at + timedelta(hours=gap_hours))
        if at > now or (stuck and rng.random() < 0.35):
            return False
        steps.append(call(at))
        return True

    actor = rng.choice(_ACTORS)
    if agenda is not None and agenda.take(proposal):
        # a stuck one is taken up (议事) by the meeting itself
        step(lambda t: S.discuss(session, issue_id, at=t, actor=actor, note="受理，提交会议议事"), 0)
        at = yield True  # the meeting's decision is its 定事
    else:
        if not step(lambda t: S.discuss(session, issue_id, at=t, actor=actor, note="受理，约定议事"), 0):
            return
        if rng.random() < 0.3:
            S.commit(session, issue_id, S.add_working_days(raised.date(), 3), at=at, actor=actor)
        deadline = S.add_working_days(raised.date(), proposal.working_days)
        decision = {"decision": f"由{owner}负责处理", "owner": owner, "deadline": deadline, "level": level}
        if not step(lambda t: S.decide(session, issue_id, decision, at=t, actor=actor), rng.uniform(1, 30)):
            return
    if not step(lambda t: S.start_work(session, issue_id, at=t, actor=owner), rng.uniform(1, 20)):
        return
    for note in rng.sample(_PROGRESS, rng.randint(0, 2)):
        if not step(lambda t, note=note: S.add_progress(session, issue_id, note, at=t, actor=owner), rng.uniform(2, 20)):
            return
    late = rng.random() < 0.12
    finish_gap = rng.uniform(30, 90) if late else rng.uniform(2, 24 * (8 if far else 2))
    if not step(lambda t: S.finish_work(session, issue_id, at=t, actor=owner, note="已处理完毕"), finish_gap):
        return
    verdict = rng.choices(("满意", "基本满意", "不满意"), weights=(75, 17, 8))[0]
    if not step(lambda t: S.review(session, issue_id, verdict, at=t, actor="周建华", note="回访居民"),
                rng.uniform(24, 96)):
        return
    if verdict == "不满意":
        if not step(lambda t: S.finish_work(session, issue_id, at=t, actor=owner, note="返工后完成"),
                    rng.uniform(24, 72)):
            return
        step(lambda t: S.review(session, issue_id, "满意", at=t, actor="周建华", note="再次回访"), rng.uniform(24, 72))
