"""A year of the demo community's meetings, through services.meetings.

The 三会一课 of every branch (支委会 monthly, 支部党员大会 and 党课 quarterly) and of
every party group (党小组会 monthly), with the members invited and signed in, and
minutes; the tracker is left with something to show: this month's 党小组会 still to
come for one group, and one branch that let its 党课 slip for two quarters (逾期).

The meetings that take up residents' issues (党群议事会, 有事来聊, 三方联席会议 with the
业委会 and the 物业, 红色合伙人圆桌会 with the partners, 主题党日) are planned first;
demo_issues offers them its accepted issues (take), and their minutes are those
issues' 定事 (hold). Two of them, and one 党小组会, lie in the next two weeks: agenda
and invitees, no minutes. Nothing held lies after today."""
from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Building, BuildingLeader, Compound, Issue, Member, Partner, PartyOrg, Resident
from ..models.meetings import (
    ABSENT, EXCUSED, INVITED, PRESENT, ROLE_LEADER, ROLE_MEMBER, ROLE_OTHER, ROLE_OWNERS, ROLE_PARTNER, ROLE_PROPERTY,
)
from ..models.org import ORG_BRANCH, ORG_COMMUNITY_COMMITTEE, ORG_GENERAL_BRANCH, ORG_PARTY_GROUP
from . import meetings as MT
from .demo_issues import Proposal
from .issues import add_working_days

BRANCH_KINDS = ("支委会", "支部党员大会", "党课")
ISSUE_KINDS = ("党群议事会", "有事来聊", "三方联席会议", "红色合伙人圆桌会", "主题党日")
_EXCUSES = ("出差", "生病住院", "照顾老人", "身体不适", "外出探亲", "单位加班", "接送孩子")
_HOME_BOUND = "行动不便，会后送学上门"
_FIRST_BUILDING = re.compile(r"（(\d+)")  # 第一党小组（1-3号楼） → 1

# 三会一课 titles: 支委会 by month, 党员大会 and 党课 by the quarter's first month
_COMMITTEE = {1: "研究困难党员和老党员春节慰问工作", 2: "研究年度党建工作计划", 3: "研究民主评议党员结果",
              4: "研究发展党员工作", 5: "研究主题党日活动安排", 6: "研究“七一”表彰推荐人选",
              7: "研究汛期安全和楼栋巡查工作", 8: "研究党费收缴和使用情况", 9: "研究预备党员转正事宜",
              10: "研究居民诉求办理情况", 11: "研究冬季消防安全工作", 12: "研究年度组织生活会准备工作"}
_ASSEMBLY = {1: "组织生活会暨民主评议党员", 4: "发展党员：讨论接收预备党员",
             7: "学习贯彻党的二十届四中全会精神", 10: "预备党员转正和年度工作通报"}
_LESSON = {1: "书记讲党课：学习《中国共产党章程》", 4: "专题党课：深入学习贯彻中央八项规定精神",
           7: "党课：从“枫桥经验”看小区治理", 10: "党课：红色物业与美好家园建设"}
_GROUP = ("学习本月理论学习内容", "传达学习支部党员大会精神", "学习《中国共产党纪律处分条例》",
          "讨论本楼栋居民诉求", "开展批评与自我批评", "学习党章第一章“党员”")
_COMMITTEE_ROLES = ("组织委员", "宣传委员", "纪检委员")

# the meetings that decide issues: categories they take, and how the decision reads
_TAKES = {
    "党群议事会": ("设施维修", "环境卫生", "停车管理", "邻里纠纷", "噪音扰民", "物业服务", "安全隐患", "绿化养护"),
    "有事来聊": ("邻里纠纷", "噪音扰民"),
    "三方联席会议": ("物业服务", "停车管理", "设施维修"),
    "红色合伙人圆桌会": ("安全隐患", "绿化养护"),
    "主题党日": ("环境卫生", "绿化养护"),
}
_DECIDES = {
    "党群议事会": "{what}：经议事，由{owner}负责处理，楼栋长监督，办结后回访居民",
    "有事来聊": "{what}：双方当面沟通，由{owner}协调处理",
    "三方联席会议": "{what}：由{owner}负责整改，业委会监督，党支部跟踪回访",
    "红色合伙人圆桌会": "{what}：由{owner}牵头处理，{partner}派人协助",
    "主题党日": "{what}：党员志愿者先行清理，由{owner}负责后续处理",
}
_SAYS = {
    "党群议事会": "反映人{who}介绍情况，党员代表和楼栋长发表意见，{owner}表态可以处理。",
    "有事来聊": "书记接待日上，{who}说明情况，邻里双方各自表达诉求，同意由{owner}协调。",
    "三方联席会议": "{who}反映的问题，物业说明原因，业委会提出监督意见，三方议定处理办法。",
    "红色合伙人圆桌会": "{who}反映的问题，合伙人单位介绍可提供的支持，{owner}说明办理流程。",
    "主题党日": "{who}反映的问题，支部党员结合主题党日认领志愿服务。",
}
_STANDING = {"三方联席会议": "物业服务质量季度测评", "红色合伙人圆桌会": "发布需求清单，合伙人现场认领",
             "主题党日": "重温入党誓词，开展志愿服务"}
_OWNERS = ("刘德明", "陈秀兰")  # 业委会主任, 委员
_PROPERTY = ("张建军", "何丽")  # the property company's 项目经理 and 客服主管


@dataclass(frozen=True)
class _Org:
    id: int
    name: str
    level: str
    secretary: str | None
    compound: str | None
    parent_id: int | None


@dataclass(frozen=True)
class _Person:
    member_id: int
    name: str
    org_id: int
    note: str | None


@dataclass
class _Slot:
    """A meeting that takes residents' issues."""
    kind: str
    at: datetime
    org: _Org
    compound: str | None  # issues of this compound only (None: any)
    items: list[Proposal] = field(default_factory=list)


def _weekday(day: date, saturday: bool = False) -> date:
    """The day itself if it fits (a weekday, or a Saturday for a 主题党日), else the next that does."""
    while (day.weekday() != 5) if saturday else day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _row(person: dict) -> dict:
    """An invitee as the sign-in sheet takes it (without what only the demo knows of them)."""
    return {k: v for k, v in person.items() if k != "note"}


def _month_starts(today: date, months: int) -> list[date]:
    """The first days of this month and the months before it, oldest first."""
    out, day = [], today.replace(day=1)
    for _ in range(months):
        out.append(day)
        day = (day - timedelta(days=1)).replace(day=1)
    return out[::-1]


class DemoMeetings:
    """Plans and holds the demo's meetings; demo_issues calls take and hold (Agenda)."""

    def __init__(self, session: Session, rng: random.Random, now: datetime, community_id: int):
        self.session, self.rng, self.now, self.today = session, rng, now, now.date()
        rows = session.execute(
            select(PartyOrg.id, PartyOrg.name, PartyOrg.level, PartyOrg.secretary_name, Compound.name,
                   PartyOrg.parent_id)
            .outerjoin(Compound, PartyOrg.compound_id == Compound.id)
            .where(PartyOrg.community_id == community_id).order_by(PartyOrg.sort_key, PartyOrg.id)).all()
        self.orgs = [_Org(*r) for r in rows]
        self.org_by_id = {o.id: o for o in self.orgs}
        by_level = {level: [o for o in self.orgs if o.level == level] for level in
                    (ORG_COMMUNITY_COMMITTEE, ORG_GENERAL_BRANCH, ORG_BRANCH, ORG_PARTY_GROUP)}
        self.committee = by_level[ORG_COMMUNITY_COMMITTEE][0]
        self.branches, self.groups = by_level[ORG_BRANCH], by_level[ORG_PARTY_GROUP]
        ids = [o.id for o in self.orgs]
        people = session.execute(
            select(Member.id, Resident.name, Member.party_org_id, Member.note)
            .join(Resident, Member.resident_id == Resident.id)
            .where(Member.party_org_id.in_(ids), Member.deleted_at.is_(None)).order_by(Member.id)).all()
        self.members = [_Person(*p) for p in people]
        self.compound_of = dict(session.execute(
            select(Building.code, Compound.name).join(Compound).where(Compound.community_id == community_id)).all())
        self.leaders = {code: (leader_id, name) for leader_id, name, code in session.execute(
            select(BuildingLeader.id, Resident.name, Building.code)
            .join(Resident, BuildingLeader.resident_id == Resident.id).join(Building)
            .where(BuildingLeader.unit_id.is_(None), BuildingLeader.deleted_at.is_(None),
                   Building.code.in_(list(self.compound_of))))}
        self.partners = session.execute(select(Partner.id, Partner.name, Partner.contact_name)
                                        .where(Partner.deleted_at.is_(None)).order_by(Partner.id)).all()
        self.property_company = dict(session.execute(
            select(Compound.name, Compound.property_company).where(Compound.community_id == community_id)).all())
        self.counts: Counter = Counter()
        self.filed: list[dict] = []  # meetings held, filed in one batch
        self.upcoming = 0
        self.slots = self._plan()

    # ---- who belongs where -------------------------------------------------------------------
    def _branch_of(self, org: _Org) -> _Org:
        """The branch a group belongs to; for a 党总支 or the 党委, itself."""
        return next((b for b in self.branches if b.id == org.parent_id), org) if org.level == ORG_PARTY_GROUP else org

    def _of_branch(self, branch: _Org) -> list[_Person]:
        """The members of an organisation and of every one below it."""
        inside = {branch.id}
        for _level in range(3):
            inside |= {o.id for o in self.orgs if o.parent_id in inside}
        return [m for m in self.members if m.org_id in inside]

    def _of_group(self, group: _Org) -> list[_Person]:
        return [m for m in self.members if m.org_id == group.id]

    def _top(self, compound: str) -> _Org:
        """Who speaks for a compound: its 党总支, or its only branch."""
        return next(o for o in self.orgs if o.compound == compound and o.level in (ORG_GENERAL_BRANCH, ORG_BRANCH))

    # ---- the meetings that take issues ---------------------------------------------------------
    def _plan(self) -> list[_Slot]:
        rng, slots = self.rng, []
        compounds = list(dict.fromkeys(o.compound for o in self.orgs if o.compound))
        managed = [c for c in compounds if self.property_company.get(c)]
        for n, first in enumerate(_month_starts(self.today, 12)):
            compound = compounds[n % len(compounds)]
            # 党群议事会 monthly, by turns in each compound; evenings, so working residents can come
            slots.append(_Slot("党群议事会", self._past(first, 8, 25, time(19, 0)), self._top(compound), compound))
            if n % 3 == 1:
                for c in managed:
                    slots.append(_Slot("三方联席会议", self._past(first, 10, 20, time(14, 30)), self._top(c), c))
                slots.append(_Slot("红色合伙人圆桌会", self._past(first, 15, 25, time(9, 30)), self.committee, None))
            if n % 2 == 0:
                branch = self.branches[n // 2 % len(self.branches)]
                slots.append(_Slot("主题党日", self._past(first, 1, 12, time(9, 0), saturday=True), branch,
                                   branch.compound))
            if n % 3 == 2:
                slots.append(_Slot("有事来聊", self._past(first, 5, 20, time(15, 0)), self._top(compound), compound))
        # the next two weeks: the community's 党群议事会 and a 三方联席会议 being prepared
        soon = self.today + timedelta(days=rng.randint(3, 6))
        slots.append(_Slot("党群议事会", datetime.combine(_weekday(soon), time(19, 0)), self.committee, None))
        later = self.today + timedelta(days=rng.randint(8, 12))
        for c in managed[:1]:
            slots.append(_Slot("三方联席会议", datetime.combine(_weekday(later), time(14, 30)), self._top(c), c))
        return sorted((s for s in slots if s.at is not None), key=lambda s: s.at)

    def _past(self, first: date, low: int, high: int, at: time, saturday: bool = False) -> datetime | None:
        """A day of the month beginning `first`, before today; None if that month has none left."""
        day = _weekday(first + timedelta(days=self.rng.randint(low, high) - 1), saturday)
        return datetime.combine(day, at) if day < self.today else None

    def take(self, proposal: Proposal) -> bool:
        """Put an accepted issue on the next fitting meeting within four weeks (for about
        two in five of them, all of the newest); a meeting takes at most four."""
        compound = self.compound_of.get(proposal.address.split("-")[0])
        fits = [s for s in self.slots if proposal.category in _TAKES[s.kind] and s.compound in (None, compound)
                and proposal.raised + timedelta(days=4 if s.at < self.now else 1) <= s.at
                <= proposal.raised + timedelta(days=28) and len(s.items) < 4]
        # the newest all wait for the meeting being prepared: its notice has something to say
        if not fits or fits[0].at < self.now and self.rng.random() >= 0.4:
            return False
        fits[0].items.append(proposal)
        return True

    def hold(self) -> dict[int, datetime]:
        """Prepare every planned meeting; file those past with their minutes. Issue id →
        when the meeting decided it."""
        ended = {}
        for slot in self.slots:
            ends = self._issue_meeting(slot)
            ended.update((p.issue_id, ends) for p in slot.items if slot.at < self.now)
        MT.file_meetings(self.session, self.filed)
        self.filed = []
        return {issue_id: max(ends, self._stepped(issue_id)) for issue_id, ends in ended.items()}

    def _issue_meeting(self, slot: _Slot) -> datetime:
        rng, kind, org = self.rng, slot.kind, slot.org
        host = org.secretary or self.committee.secretary
        what = [p.description for p in slot.items]
        theme = (f"关于{what[0]}{'等问题' if len(what) > 1 else ''}的" if what else "")
        place = (f"{slot.compound}党群服务站" if slot.compound else "光明社区党群服务中心会议室")
        red = slot.compound and not self.property_company.get(slot.compound)  # the open compound's 红邻议事会
        title = {"党群议事会": f"{theme}{'红邻' if red else '党群'}议事会",
                 "有事来聊": f"有事来聊：{theme}书记接待日",
                 "三方联席会议": f"{slot.compound}三方联席会议（{slot.at.month}月）",
                 "红色合伙人圆桌会": f"红色合伙人圆桌会（{(slot.at.month - 1) // 3 + 1}季度）",
                 "主题党日": f"主题党日：重温入党誓词·{'志愿清理楼院环境' if what else '走访慰问困难群众'}"}[kind]
        partner = rng.choice(self.partners) if self.partners else None
        people = self._issue_invitees(slot, host, partner)
        recorder = next((p["name"] for p in people if p["role"] == ROLE_MEMBER and p["name"] != host), host)
        items = [{"title": f"{p.address.split('-')[0]}号楼：{p.description}", "presenter": p.reporter,
                  "planned_minutes": "20", "issue_id": p.issue_id} for p in slot.items]
        if kind in _STANDING:
            items.append({"title": _STANDING[kind], "presenter": host, "planned_minutes": "30"})
        items.append({"title": "通报上次议定事项落实情况", "presenter": host, "planned_minutes": "15"})
        discussions = {len(items): "上次议定事项已基本落实，个别事项仍在办理中，继续跟踪。"}
        decisions = {}
        for n, p in enumerate(slot.items, start=1):
            words = {"what": p.description, "owner": p.owner, "who": p.reporter,
                     "partner": partner.name if partner else "合伙人单位"}
            discussions[n] = _SAYS[kind].format(**words)
            decisions[n] = [{"content": _DECIDES[kind].format(**words), "owner": p.owner, "level": p.level,
                             "deadline": add_working_days(slot.at.date(), p.working_days)}]
        return self._file(kind, title, slot.at, place, host, recorder, org.id, items, people, discussions, decisions)

    def _stepped(self, issue_id: int) -> datetime:
        return self.session.get(Issue, issue_id).step_at

    def _issue_invitees(self, slot: _Slot, host: str, partner) -> list[dict]:
        rng, kind = self.rng, slot.kind
        branch = slot.org if slot.org.level != ORG_COMMUNITY_COMMITTEE else None
        crowd = self._of_branch(branch) if branch else []
        if kind == "主题党日":
            members = crowd
        else:
            members = rng.sample(crowd, min(len(crowd), rng.randint(2, 4))) if crowd else []
            members += [] if branch else [m for m in self.members
                                         if m.name in {b.secretary for b in self.branches}]
        chair = next((m for m in self.members if m.name == host), None)
        people = [self._member(chair) if chair else {"role": ROLE_OTHER, "name": host, "unit": slot.org.name}]
        people += [self._member(m) for m in members]
        for p in slot.items:
            code = p.address.split("-")[0]
            if code in self.leaders:
                leader_id, name = self.leaders[code]
                people.append({"role": ROLE_LEADER, "leader_id": leader_id, "name": name, "unit": f"{code}号楼楼栋长"})
            people.append({"role": ROLE_OTHER, "name": p.reporter, "unit": "居民代表"})
        company = self.property_company.get(slot.compound)
        if kind == "三方联席会议":
            people += [{"role": ROLE_OWNERS, "name": n, "unit": "业委会"} for n in _OWNERS]
        if kind == "三方联席会议" or (kind == "党群议事会" and company):
            people += [{"role": ROLE_PROPERTY, "name": n, "unit": company} for n in _PROPERTY[:1 + (kind != "党群议事会")]]
        if kind == "红色合伙人圆桌会":
            chosen = rng.sample(list(self.partners), min(len(self.partners), rng.randint(6, 9)))
            if partner is not None and partner not in chosen:
                chosen.append(partner)
            people += [{"role": ROLE_PARTNER, "partner_id": pid, "name": contact, "unit": name}
                       for pid, name, contact in chosen if contact]
        seen, unique = set(), []
        for p in people:  # one line per person: a reporter who is also a member signs once
            if p["name"] not in seen:
                seen.add(p["name"])
                unique.append(p)
        return unique

    # ---- the 三会一课 ----------------------------------------------------------------------------
    def add_routine(self) -> None:
        """A year of the 三会一课 for every branch and party group."""
        months = _month_starts(self.today, 12)
        this_quarter = months[-1].replace(month=(months[-1].month - 1) // 3 * 3 + 1)
        for branch in self.branches:
            people = self._of_branch(branch)
            committee = [m for m in people if m.name == branch.secretary] + [
                m for m in people if m.name != branch.secretary][:len(_COMMITTEE_ROLES)]
            recorder = committee[1].name if len(committee) > 1 else branch.secretary
            for first in months:
                self._routine("支委会", _COMMITTEE[first.month], branch, first, (2, 12), time(9, 30), committee,
                              branch.secretary, recorder, f"{branch.compound}党群服务站会议室")
                if first.month % 3 != 1:
                    continue
                slipped = branch is self.branches[-1] and first >= this_quarter - timedelta(days=100)
                place = f"{branch.compound}党群服务站"
                self._routine("支部党员大会", _ASSEMBLY[first.month], branch, first, (32, 50), time(14, 30), people,
                              branch.secretary, recorder, place)
                if not slipped:  # the last branch let its 党课 slip last quarter and this one: 逾期
                    self._routine("党课", _LESSON[first.month], branch, first, (15, 70), time(15, 0), people,
                                  branch.secretary, recorder, place)
        for n, group in enumerate(self.groups):
            people = self._of_group(group)
            leader, recorder = people[0].name, people[-1].name
            branch = self._branch_of(group)
            place = f"{branch.compound}{_FIRST_BUILDING.search(group.name).group(1)}号楼党员活动点"
            for k, first in enumerate(months):
                waiting = n == len(self.groups) - 1 and first == months[-1]
                self._routine("党小组会", _GROUP[(k + n) % len(_GROUP)], group, first, (5, 20), time(19, 0), people,
                              leader, recorder, place, soon=waiting)
        MT.file_meetings(self.session, self.filed)

    def _routine(self, kind: str, title: str, org: _Org, first: date, days: tuple[int, int], at: time,
                 people: list[_Person], host: str, recorder: str, place: str, *, soon: bool = False) -> None:
        """One of the 三会一课: held (filed with its minutes, in one batch) if its day is
        before today; `soon`: not held yet, called for the coming days."""
        rng = self.rng
        day = first + timedelta(days=rng.randint(*days) - 1)
        if kind != MT.GROUP_KIND:  # a group of mostly retired neighbours meets any evening
            day = _weekday(day)
        if soon:
            day = _weekday(self.today + timedelta(days=rng.randint(2, 6)))
        elif day >= self.today:
            return  # this period's is still to come
        starts = datetime.combine(day, at)
        items = [{"title": title, "presenter": host, "planned_minutes": "40"},
                 {"title": "党员发言讨论", "planned_minutes": "30"}]
        if kind in ("支委会", "支部党员大会"):
            items.append({"title": "其他事项", "planned_minutes": "10"})
        owner = recorder if kind == "支委会" else host
        self._file(kind, title, starts, place, host, recorder, org.id, items, [self._member(m) for m in people],
                   {1: f"{host}传达学习内容并作说明，与会党员逐一发言，一致同意。",
                    2: "党员结合自身和楼栋实际谈体会、提建议。"},
                   {1: [{"content": f"按会议要求落实“{title}”，下次会议通报进展", "owner": owner,
                         "deadline": day + timedelta(days=rng.randint(10, 25))}]})

    # ---- through the meeting services ----------------------------------------------------------
    def _member(self, m: _Person) -> dict:
        return {"role": ROLE_MEMBER, "member_id": m.member_id, "name": m.name, "unit": self.org_by_id[m.org_id].name,
                "note": m.note}

    def _file(self, kind: str, title: str, starts: datetime, place: str, host: str, recorder: str, org_id: int,
              items: list[dict], invited: list[dict], discussions: dict, decisions: dict) -> datetime:
        """A past meeting joins the batch filed with its minutes (file_meetings); one still
        to come is prepared one call at a time: agenda and invitees, nobody signed in yet.
        Returns when it ends."""
        rng = self.rng
        ends = starts + timedelta(minutes=rng.choice((60, 90, 90, 120)))
        form = {"kind": kind, "title": title, "date": starts.date(), "start_time": f"{starts:%H:%M}",
                "end_time": f"{ends:%H:%M}", "place": place, "host": host, "recorder": recorder, "party_org_id": org_id}
        self.counts[kind] += 1
        if starts > self.now:
            self.upcoming += 1
            meeting_id = MT.save_meeting(self.session, form)
            MT.set_agenda(self.session, meeting_id, items)
            MT.set_attendees(self.session, meeting_id, [_row(p) | {"status": INVITED} for p in invited])
            return ends
        signed = [self._signed(p, host, recorder) for p in invited]
        present = sum(p["status"] == PRESENT for p in signed)
        self.filed.append({
            "meeting": form, "agenda": items, "attendees": signed, "discussions": discussions,
            "decisions": decisions, "summary": f"应到 {len(signed)} 人，实到 {present} 人。会议按议程进行，{ends:%H:%M} 结束。",
            "at": ends + timedelta(minutes=rng.randint(10, 90)), "actor": recorder})
        return ends

    def _signed(self, person: dict, host: str, recorder: str) -> dict:
        """How an invitee attended: mostly present, some excused (why), a few absent."""
        row = _row(person)
        if person["name"] in (host, recorder):
            return row | {"status": PRESENT}
        if person.get("note") and "送学上门" in person["note"]:
            return row | {"status": EXCUSED, "reason": _HOME_BOUND}
        roll = self.rng.random()
        if roll < 0.86:
            return row | {"status": PRESENT}
        if roll < 0.96:
            return row | {"status": EXCUSED, "reason": self.rng.choice(_EXCUSES)}
        return row | {"status": ABSENT}

    def report(self) -> str:
        """会议 230 场（支委会 36 场、…，其中 3 场即将召开）"""
        order = ("支委会", "支部党员大会", "党小组会", "党课", *ISSUE_KINDS)
        parts = "、".join(f"{k} {self.counts[k]} 场" for k in order if self.counts[k])
        return f"会议 {sum(self.counts.values())} 场（{parts}，其中 {self.upcoming} 场即将召开）"
