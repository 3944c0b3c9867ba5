"""The sample community behind `branchdesk demo`, and large rosters for benchmarks.

fill_demo builds 光明社区 the way a secretary would enter it: the organisation
through services.org, members, center households and building leaders through
services.people, so every value passes the same validation as a typed form.
Everything is drawn from random.Random with a fixed seed, and dates are taken
relative to today, so two runs on the same day produce the same community.

fill_bulk adds a large compound with plain bulk inserts, for timing lists and
searches at 50,000 members.
"""
from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session
from stdnum.cn import ric

from ..models import (
    Building, BuildingLeader, CenterHousehold, Community, Compound, Grid, Household, Member, PartyOrg,
    Resident, Unit,
)
from ..models.org import (
    COMPOUND_OPEN, COMPOUND_PROPERTY, ORG_BRANCH, ORG_COMMUNITY_COMMITTEE, ORG_GENERAL_BRANCH, ORG_PARTY_GROUP,
)
from . import org, people
from .demo_issues import add_issues
from .demo_lists import Flat, Registered, add_lists
from .demo_meetings import DemoMeetings
from .pinyin import name_pinyin

DEMO_COMMUNITY = "光明社区"
DEMO_STREET = "东城街道"
DEMO_SEED = 20240701
BULK_COMMUNITY = "大型测试社区"
BULK_COMPOUND = "大型测试小区"
BULK_SEED = 50000

# ---- people: names, ID numbers, phones ---------------------------------------------
# Common surnames, roughly in order of frequency.
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_SURNAME_WEIGHTS = [1 / (i + 6) for i in range(len(_SURNAMES))]

# Given names by the decade people were born in: (male, female).
_GIVEN = (
    (1955, "建国 建华 国华 国庆 志强 德明 振华 玉林 树林 长山 永胜 福生 金生 文华 学文 宝林 忠 解放 援朝 卫国 庆丰 "
           "和平 有才 德胜 秀山 春生 保国 继红",
     "秀英 桂英 秀兰 玉兰 桂兰 淑珍 凤英 玉珍 秀珍 兰英 桂芳 素芬 玉梅 凤兰 桂珍 秀云 淑英 美兰 春兰 素珍 "
     "玉华 翠英 金凤 淑华 桂香"),
    (1975, "卫东 红军 建军 国强 志刚 建平 文斌 海涛 建新 向东 立新 卫平 永刚 宏伟 振东 明 军 勇 强 刚 斌 华 平 "
           "东 伟 建 新民 光辉",
     "红梅 丽华 秀梅 建英 红霞 丽娟 春梅 晓红 玉霞 爱华 海燕 卫红 小红 敏 静 丽 红 萍 霞 艳 英 琴 慧 芳 "
     "秋菊 冬梅"),
    (1990, "伟 磊 涛 鹏 超 杰 勇 军 海波 志伟 晓东 建伟 俊 峰 浩 斌 亮 宇 东升 明亮 晓明 辉 刚 健 波 旭",
     "丽 静 敏 燕 艳 娟 婷 倩 丹 丽娜 晓燕 雪梅 春燕 海霞 佳 慧 琳 芳 莉 颖 蕾 洁 晓丽 文静"),
    (9999, "浩 宇 杰 鑫 昊 子豪 浩然 宇航 一鸣 俊杰 天宇 博文 子轩 嘉豪 思远 明轩 晨 睿 泽宇 志远",
     "婷 欣怡 雨欣 思雨 佳怡 梦琪 诗涵 雨涵 心怡 子涵 佳琪 晓雪 梓萱 雅琪 欣然 可欣 悦 琪 瑶 晨曦"),
)
_GIVEN = tuple((year, male.split(), female.split()) for year, male, female in _GIVEN)

# Most residents were born locally (Shiyan, Hubei); some came from elsewhere.
_REGIONS = ("420302", "420303", "420302", "420303", "420321", "110105", "110108", "371525", "410105", "130102")
_MOBILE_PREFIXES = ("130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 157 158 159 166 173 177 180 "
                    "181 182 183 185 186 187 188 189 191 199").split()
_ETHNICITIES = ("汉族",) * 94 + ("回族", "回族", "满族", "满族", "土家族", "蒙古族")
# (born after, educations, weights): older members left school earlier.
_EDUCATION = (
    (0, ("小学及以下", "初中", "高中", "中专", "大专", "大学本科"), (10, 30, 30, 15, 10, 5)),
    (1960, ("初中", "高中", "中专", "大专", "大学本科", "研究生"), (15, 25, 20, 20, 18, 2)),
    (1975, ("高中", "中专", "大专", "大学本科", "研究生"), (8, 7, 25, 45, 15)),
)
# Age bands of a compound's members: most are retired.
_AGE_BANDS = ((25, 34, 8), (35, 44, 10), (45, 54, 12), (55, 64, 20), (65, 74, 25), (75, 84, 18), (85, 90, 7))
_EMPLOYERS = (
    "东城区教育局", "十堰市太和医院", "东城区税务局", "光明路小学", "国网十堰供电公司", "十堰市自来水公司",
    "工商银行东城支行", "东城区城市管理执法局", "东城区人民法院", "东城区卫生健康局", "十堰市第一中学",
    "东风汽车有限公司", "东城区市场监督管理局", "中国移动十堰分公司", "十堰市公安局东城分局", "东城区民政局",
)


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


@dataclass
class Person:
    name: str
    age: int
    gender: str
    birth_date: date
    id_number: str
    phone: str | None
    ethnicity: str
    education: str


class PeopleMaker:
    """Made-up people with well-formed, unique ID numbers and mobile numbers."""

    def __init__(self, rng: random.Random, taken_ids: set[str], taken_phones: set[str], today: date):
        self.rng = rng
        self.ids = taken_ids
        self.phones = taken_phones
        self.today = today
        self.names: set[str] = set()
        self._pinyin: dict[str, tuple[str, str]] = {}

    def pinyin(self, name: str) -> tuple[str, str]:
        got = self._pinyin.get(name)
        if got is None:
            got = self._pinyin[name] = name_pinyin(name)
        return got

    def age(self) -> int:
        low, high, _w = self.rng.choices(_AGE_BANDS, weights=[b[2] for b in _AGE_BANDS])[0]
        return self.rng.randint(low, high)

    def name(self, gender: str, born: int, *, unique: bool = True) -> str:
        male, female = next((m, f) for year, m, f in _GIVEN if born <= year)
        for _ in range(50):
            name = self.rng.choices(_SURNAMES, weights=_SURNAME_WEIGHTS)[0] + self.rng.choice(
                male if gender == "M" else female)
            if not unique or name not in self.names:
                break
        self.names.add(name)
        return name

    def phone(self) -> str:
        while True:
            phone = self.rng.choice(_MOBILE_PREFIXES) + f"{self.rng.randrange(10 ** 8):08d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def id_number(self, born: date, gender: str) -> str:
        while True:
            seq = self.rng.randrange(100) * 10 + self.rng.randrange(5) * 2 + (1 if gender == "M" else 0)
            first17 = f"{self.rng.choice(_REGIONS)}{born:%Y%m%d}{seq:03d}"
            number = first17 + ric.calc_check_digit(first17 + "0")  # stdnum ignores the last digit
            if number not in self.ids:
                self.ids.add(number)
                return number

    def person(self, *, age: int | None = None, gender: str | None = None, phone_share: float = 1.0,
               unique_name: bool = True) -> Person:
        rng = self.rng
        age = self.age() if age is None else age
        gender = gender or rng.choice("MF")
        born = add_years(self.today, -age - 1) + timedelta(days=rng.randint(1, 364))
        education = next(e for e in reversed(_EDUCATION) if born.year >= e[0])
        return Person(
            name=self.name(gender, born.year, unique=unique_name), age=age, gender=gender, birth_date=born,
            id_number=self.id_number(born, gender),
            phone=self.phone() if rng.random() < phone_share else None,
            ethnicity=rng.choice(_ETHNICITIES), education=rng.choices(education[1], weights=education[2])[0])

    def joined(self, born: date, probationary: bool) -> tuple[date, date | None]:
        """入党日期 and 转正日期: after the 18th birthday; a full member was confirmed one
        year after joining, a probationary one joined within the last year."""
        rng = self.rng
        if probationary:
            return self.today - timedelta(days=rng.randint(20, 340)), None
        earliest = add_years(born, 18) + timedelta(days=1)
        latest = add_years(self.today, -1)
        joined = add_years(born, rng.choice((19, 20, 22, 24, 25, 27, 30, 33, 36, 40, 45))) \
            + timedelta(days=rng.randrange(365))
        if not earliest <= joined <= latest:
            joined = earliest + timedelta(days=rng.randint(0, (latest - earliest).days))
        return joined, add_years(joined, 1)


def _existing_ids_and_phones(session: Session) -> tuple[set[str], set[str]]:
    ids = set(session.scalars(select(Resident.id_number).where(Resident.id_number.is_not(None))))
    phones = set(session.scalars(select(Resident.phone).where(Resident.phone.is_not(None))))
    return ids, phones


# ---- counting what a community holds -------------------------------------------------
def community_counts(session: Session, community_id: int) -> dict[str, int]:
    in_community = Compound.community_id == community_id

    def count(stmt) -> int:
        return session.scalar(stmt) or 0

    def by_household(stmt):
        return (stmt.join(Household, Resident.household_id == Household.id)
                .join(Unit, Household.unit_id == Unit.id).join(Building, Unit.building_id == Building.id)
                .join(Compound, Building.compound_id == Compound.id).where(in_community))

    leaders = (select(func.count()).select_from(BuildingLeader).join(Building).join(Compound)
               .where(in_community, BuildingLeader.deleted_at.is_(None)))
    return {
        "compounds": count(select(func.count()).select_from(Compound).where(in_community)),
        "grids": count(select(func.count()).select_from(Grid).join(Compound).where(in_community)),
        "buildings": count(select(func.count()).select_from(Building).join(Compound).where(in_community)),
        "households": count(select(func.count()).select_from(Household).join(Unit).join(Building)
                            .join(Compound).where(in_community)),
        "members": count(by_household(select(func.count()).select_from(Member)
                                      .join(Resident, Member.resident_id == Resident.id))
                         .where(Member.deleted_at.is_(None))),
        "center_households": count(by_household(
            select(func.count()).select_from(CenterHousehold).join(Member).join(Resident, Member.resident_id == Resident.id))
            .where(CenterHousehold.deleted_at.is_(None), Member.deleted_at.is_(None))),
        "building_leaders": count(leaders.where(BuildingLeader.unit_id.is_(None))),
        "unit_leaders": count(leaders.where(BuildingLeader.unit_id.is_not(None))),
    }


# ---- the demo community ----------------------------------------------------------------
@dataclass(frozen=True)
class _CompoundPlan:
    name: str
    kind: str
    address: str
    property_company: str | None
    owners_committee: str | None
    buildings: int
    grids: int
    units: tuple[int, ...]
    floors: tuple[int, ...]
    rooms: tuple[int, ...]
    branches: int  # 1: one 党支部; more: a 党总支 with that many 党支部 below it


_PLANS = (
    _CompoundPlan("阳光花园", COMPOUND_PROPERTY, "东城街道光明路88号", "十堰市安居物业服务有限公司",
                  "阳光花园业主委员会", buildings=18, grids=3, units=(3, 4), floors=(6, 7), rooms=(2, 3), branches=2),
    _CompoundPlan("光明里", COMPOUND_OPEN, "东城街道光明路东里", None, None,
                  buildings=12, grids=2, units=(2, 3, 4), floors=(5, 6), rooms=(2, 3), branches=1),
)
_CHINESE_NUMBERS = "一二三四五六七八九十"
MEMBERS_TARGET = 180
CENTER_HOUSEHOLDS_TARGET = 25


def _ordinal(n: int) -> str:
    if n <= 10:
        return _CHINESE_NUMBERS[n - 1]
    return ("十" if n < 20 else _CHINESE_NUMBERS[n // 10 - 1] + "十") + (_CHINESE_NUMBERS[n % 10 - 1] if n % 10 else "")


def _chunks(items: list, sizes=(3, 2, 2)) -> list[list]:
    """Split buildings into party groups of 2-3."""
    out, i, k = [], 0, 0
    while i < len(items):
        size = sizes[k % len(sizes)]
        out.append(items[i:i + size])
        i, k = i + size, k + 1
    if len(out) > 1 and len(out[-1]) == 1:
        out[-2].extend(out.pop())
    return out


@dataclass
class _Home:
    household_id: int
    compound: Compound
    building: Building
    unit: Unit
    household: Household
    party_org_id: int  # the party group of the building

    @property
    def address(self) -> str:
        return f"{self.compound.name}{self.building.name}{self.unit.name}{self.household.room}"


def fill_demo(session: Session) -> str:
    """Fill the sample community 光明社区; returns a short Chinese report. Does nothing
    (and says so) if the community is already there."""
    existing = session.scalar(select(Community).where(Community.name == DEMO_COMMUNITY))
    if existing is not None:
        c = community_counts(session, existing.id)
        return (f"示例社区“{DEMO_COMMUNITY}”已经存在（小区 {c['compounds']} 个、楼栋 {c['buildings']} 栋、"
                f"住户 {c['households']} 户、党员 {c['members']} 名、党员中心户 {c['center_households']} 户、"
                f"楼栋长 {c['building_leaders']} 名），没有重复添加。")

    rng = random.Random(DEMO_SEED)
    today = date.today()
    maker = PeopleMaker(rng, *_existing_ids_and_phones(session), today)

    community = org.ensure_community(session, name=DEMO_COMMUNITY, street_name=DEMO_STREET)
    committee = org.add_party_org(session, level=ORG_COMMUNITY_COMMITTEE, name=f"{DEMO_COMMUNITY}党委",
                                  community_id=community.id, secretary_name="周建华")
    homes: list[_Home] = []
    branches: list[PartyOrg] = []
    branch_of_group: dict[int, int] = {}
    code, grid_no, org_sort = 0, 0, 0
    for plan in _PLANS:
        compound = org.add_compound(session, community_id=community.id, name=plan.name, kind=plan.kind,
                                    address=plan.address, property_company=plan.property_company,
                                    owners_committee=plan.owners_committee)
        grids = []
        for _g in range(plan.grids):
            grid_no += 1
            worker = maker.person(age=rng.randint(28, 45), unique_name=True)
            grids.append(org.add_grid(session, compound_id=compound.id, name=f"第{_ordinal(grid_no)}网格",
                                      sort_key=grid_no, worker_name=worker.name, worker_phone=worker.phone))
        buildings = []
        per_grid = -(-plan.buildings // plan.grids)
        for i in range(plan.buildings):
            code += 1  # numbered through the community, so 3-2-501 names one flat
            buildings.append(org.add_building(
                session, compound_id=compound.id, code=str(code), grid_id=grids[i // per_grid].id,
                units=rng.choice(plan.units), floors=rng.choice(plan.floors), rooms_per_floor=rng.choice(plan.rooms)))

        # 社区党委 → (小区党总支 →) 党支部 → 党小组
        org_sort += 1
        if plan.branches > 1:
            top = org.add_party_org(session, level=ORG_GENERAL_BRANCH, name=f"{plan.name}小区党总支",
                                    parent_id=committee.id, community_id=community.id, compound_id=compound.id,
                                    sort_key=org_sort)
            parent_id, names = top.id, [f"{plan.name}第{_ordinal(b + 1)}党支部" for b in range(plan.branches)]
        else:
            top, parent_id, names = None, committee.id, [f"{plan.name}党支部"]
        per_branch = -(-plan.buildings // plan.branches)
        for b, branch_name in enumerate(names):
            org_sort += 1
            branch = org.add_party_org(session, level=ORG_BRANCH, name=branch_name, parent_id=parent_id,
                                       community_id=community.id, compound_id=compound.id, sort_key=org_sort)
            branches.append(branch)
            for g, group in enumerate(_chunks(buildings[b * per_branch:(b + 1) * per_branch])):
                org_sort += 1
                span = group[0].code if len(group) == 1 else f"{group[0].code}-{group[-1].code}"
                party_group = org.add_party_org(
                    session, level=ORG_PARTY_GROUP, name=f"第{_ordinal(g + 1)}党小组（{span}号楼）",
                    parent_id=branch.id, community_id=community.id, compound_id=compound.id, sort_key=org_sort)
                branch_of_group[party_group.id] = branch.id
                for building in group:
                    for unit in building.units:
                        for household in unit.households:
                            homes.append(_Home(household.id, compound, building, unit, household, party_group.id))
        if top is not None:
            branches.append(top)

    members = _add_members(session, rng, maker, homes, branch_of_group)
    secretaries: set[int] = set()
    for branch in branches:  # a branch's secretary is one of its own members, in their prime
        own = [m for m in members if m.category == "full" and 45 <= m.age <= 68 and m.id not in secretaries
               and (branch_of_group.get(m.party_org_id, m.party_org_id) == branch.id
                    or branch.level == ORG_GENERAL_BRANCH and m.home.compound.id == branch.compound_id)]
        chosen = own[rng.randrange(len(own))]
        secretaries.add(chosen.id)
        branch.secretary_name = chosen.person.name
    _add_center_households(session, rng, members, homes, today)
    leader_homes = _add_leaders(session, rng, maker, members, homes, today)
    _name_household_heads(rng, maker, homes, members, leader_homes)
    session.flush()
    addresses = [f"{h.building.code}-{h.unit.code}-{h.household.room}" for h in homes]
    reporters = [(m.person.name, m.person.phone) for m in members]
    lists = add_lists(
        session, rng, today=today,
        flats=[Flat(h.compound.id, h.compound.name, h.building.id, h.building.name, h.address,
                    h.household.head_name, h.household.phone) for h in homes],
        members=[Registered(m.id, m.person.name, m.person.phone, m.joined_on) for m in members if m.registered],
        secretaries={o.name: o.secretary_name for o in (committee, *branches)})
    # the meetings that decide some of the issues are planned first; their minutes are the issues' 定事
    now = datetime.combine(today, datetime.now().time())
    meetings = DemoMeetings(session, rng, now, community.id)
    issues = add_issues(session, rng, addresses, reporters, now, agenda=meetings)
    meetings.add_routine()

    c = community_counts(session, community.id)
    probationary = sum(m.category == "probationary" for m in members)
    registered = sum(m.registered for m in members)
    return (f"已填入示例社区“{DEMO_COMMUNITY}”（{DEMO_STREET}）：小区 {c['compounds']} 个、网格 {c['grids']} 个、"
            f"楼栋 {c['buildings']} 栋、住户 {c['households']} 户、党员 {c['members']} 名（其中预备党员 "
            f"{probationary} 名、在职党员双报到 {registered} 名）、党员中心户 {c['center_households']} 户、"
            f"楼栋长 {c['building_leaders']} 名、单元长 {c['unit_leaders']} 名，红色合伙人 {lists.partners} 家、"
            f"资源 {lists.resources} 项，一年来的居民问题 {issues} 件、需求 {lists.demands} 条，"
            f"责任清单任务 {lists.responsibilities} 项，{meetings.report()}。")


@dataclass
class _Member:
    id: int
    person: Person
    home: _Home
    age: int
    category: str
    party_org_id: int
    joined_on: date
    confirmed_on: date | None
    registered: bool


def _add_members(session: Session, rng: random.Random, maker: PeopleMaker, homes: list[_Home],
                 branch_of_group: dict[int, int]) -> list[_Member]:
    members: list[_Member] = []
    taken: set[int] = set()
    couple = False
    n = MEMBERS_TARGET
    probationary_left, registered_left = round(n * 0.05), round(n * 0.2)
    while len(members) < n:
        last = members[-1] if members else None
        if last is not None and last.age >= 40 and not couple and rng.random() < 0.08:
            # an old couple, both members, in one flat
            home, couple = last.home, True
            age = max(25, min(90, last.age + rng.randint(-4, 4)))
            person = maker.person(age=age, gender="F" if last.person.gender == "M" else "M", phone_share=0.9)
        else:
            home, couple = rng.choice(homes), False
            if home.household_id in taken:
                continue
            person = maker.person(phone_share=0.95)
        taken.add(home.household_id)
        age = person.age
        working = age < 58
        probationary = probationary_left > 0 and age < 50 and rng.random() < 0.3
        probationary_left -= probationary
        registered = registered_left > 0 and working and rng.random() < 0.7
        registered_left -= registered
        employer = rng.choice(_EMPLOYERS) if registered or (working and rng.random() < 0.5) else None
        joined, confirmed = maker.joined(person.birth_date, probationary)
        # A few branch committee members sit on the branch itself rather than in a group.
        party_org_id = home.party_org_id
        if rng.random() < 0.08:
            party_org_id = branch_of_group[party_org_id]
        category = "probationary" if probationary else "full"
        if person.phone is None:
            note = "无手机，联系家属"
        elif age >= 80 and rng.random() < 0.4:
            note = "行动不便，送学上门"
        else:
            note = None
        member_id = people.save_member(session, {
            "name": person.name, "gender": person.gender, "ethnicity": person.ethnicity,
            "birth_date": person.birth_date, "id_number": person.id_number, "education": person.education,
            "joined_on": joined, "confirmed_on": confirmed, "category": category, "party_org_id": party_org_id,
            "phone": person.phone, "address": home.address, "employer": employer, "is_registered": registered,
            "note": note,
        })
        members.append(_Member(member_id, person, home, age, category, party_org_id, joined, confirmed,
                               registered))
    return members


def _add_center_households(session: Session, rng: random.Random, members: list[_Member], homes: list[_Home],
                           today: date) -> None:
    """About 25 center households, each linking the ~8 nearest flats of its own unit."""
    by_unit: dict[int, list[_Home]] = {}
    for home in homes:
        by_unit.setdefault(home.unit.id, []).append(home)
    candidates = [m for m in members if m.category == "full" and 40 <= m.age <= 80 and m.person.phone]
    rng.shuffle(candidates)
    # one per building first, then a second one in another unit of the busier buildings
    rank, seen = {}, Counter()
    for m in candidates:
        rank[m.id] = seen[m.home.building.id]
        seen[m.home.building.id] += 1
    candidates.sort(key=lambda m: rank[m.id])
    used_units: set[int] = set()
    used_households: set[int] = set()
    count = 0
    for m in candidates:
        if count == CENTER_HOUSEHOLDS_TARGET:
            break
        if m.home.unit.id in used_units or m.home.household_id in used_households:
            continue
        own = m.home.household
        neighbours = sorted((h for h in by_unit[m.home.unit.id]
                             if h.household_id != own.id and h.household_id not in used_households),
                            key=lambda h: (abs(h.household.sort_key // 100 - own.sort_key // 100),
                                           h.household.sort_key))
        served = [h.household_id for h in neighbours[:rng.choice((7, 8, 8, 8, 9))]]
        if len(served) < 6:
            continue
        used_units.add(m.home.unit.id)
        used_households.update(served)
        used_households.add(own.id)
        appointed = today - timedelta(days=rng.randint(60, 6 * 365))
        if appointed < m.confirmed_on:
            appointed = m.confirmed_on + (today - m.confirmed_on) // 2
        flags = [True] * 4
        if count % 6 == 5:  # most meet all four of the 四有; a few fall short on one
            flags[rng.randrange(4)] = False
        raw = dict(zip(people.FOUR_HAVE_KEYS, flags), member_id=m.id, appointed_on=appointed,
                   note=rng.choice((None, None, None, "联系户中有独居老人，每周上门一次", "联系户中有残疾人家庭")))
        people.save_center_household(session, raw, served)
        count += 1


def _add_leaders(session: Session, rng: random.Random, maker: PeopleMaker, members: list[_Member],
                 homes: list[_Home], today: date) -> dict[int, Person]:
    """A 楼栋长 for every building, 单元长 for about a third of the units; members where
    a willing one lives there, otherwise a resident. Returns where the residents live."""
    leading: set[int] = set()  # members already leading something
    leader_homes: dict[int, Person] = {}
    buildings: dict[int, list[_Home]] = {}
    for home in homes:
        buildings.setdefault(home.building.id, []).append(home)

    def leader(building: Building, unit: Unit | None, share_members: float) -> None:
        here = [m for m in members if m.home.building.id == building.id and m.id not in leading
                and m.person.phone and 35 <= m.age <= 76 and (unit is None or m.home.unit.id == unit.id)]
        since = today - timedelta(days=rng.randint(90, 8 * 365))
        if here and rng.random() < share_members:
            m = rng.choice(here)
            leading.add(m.id)
            p = m.person
            people.save_leader(session, {"name": p.name, "phone": p.phone, "id_number": p.id_number,
                                         "building_id": building.id, "unit_id": unit.id if unit else None,
                                         "since": max(since, m.joined_on)})
            return
        p = maker.person(age=rng.randint(45, 72))
        with_id = rng.random() < 0.7
        leader_id = people.save_leader(session, {
            "name": p.name, "phone": p.phone, "id_number": p.id_number if with_id else None,
            "building_id": building.id, "unit_id": unit.id if unit else None, "since": since})
        resident = session.get(BuildingLeader, leader_id).resident
        flats = [h for h in buildings[building.id] if unit is None or h.unit.id == unit.id]
        resident.household_id = rng.choice(flats).household_id
        leader_homes.setdefault(resident.household_id, p)
        resident.ethnicity, resident.education = p.ethnicity, p.education

    seen: set[int] = set()
    for home in homes:
        building = home.building
        if building.id in seen:
            continue
        seen.add(building.id)
        leader(building, None, 0.45)
        for unit in building.units:
            if rng.random() < 0.3:
                leader(building, unit, 0.3)
    return leader_homes


def _name_household_heads(rng: random.Random, maker: PeopleMaker, homes: list[_Home],
                          members: list[_Member], leader_homes: dict[int, Person]) -> None:
    """户主 and a phone for the flats; a member's or a leader's flat under their name."""
    heads: dict[int, Person] = {}
    for m in members:
        heads.setdefault(m.home.household_id, m.person)
    for household_id, person in leader_homes.items():
        heads.setdefault(household_id, person)
    for home in homes:
        p = heads.get(home.household_id)
        if p is not None:
            home.household.head_name, home.household.phone = p.name, p.phone
        elif rng.random() < 0.9:
            gender = rng.choice("MF")
            home.household.head_name = maker.name(gender, rng.randint(1940, 1995), unique=False)
            home.household.phone = maker.phone() if rng.random() < 0.8 else None


# ---- bulk rosters for benchmarks -------------------------------------------------------
BULK_UNITS, BULK_FLOORS, BULK_ROOMS = 4, 12, 4


def _next_id(session: Session, model) -> int:
    return (session.scalar(select(func.max(model.id))) or 0) + 1


def fill_bulk(session: Session, members: int) -> None:
    """Add a compound (大型测试小区, or 大型测试小区2 … if there is one) with one member in each
    of `members` flats, with valid ID numbers, phones and pinyin, by bulk inserts."""
    rng = random.Random(BULK_SEED)
    today = date.today()
    maker = PeopleMaker(rng, *_existing_ids_and_phones(session), today)
    community = org.ensure_community(session, name=BULK_COMMUNITY, street_name=DEMO_STREET)
    names = set(session.scalars(select(Compound.name).where(Compound.community_id == community.id)))
    name = BULK_COMPOUND
    n = 1
    while name in names:
        n += 1
        name = f"{BULK_COMPOUND}{n}"
    compound = org.add_compound(session, community_id=community.id, name=name, kind=COMPOUND_PROPERTY,
                                property_company="测试物业服务有限公司", owners_committee=f"{name}业主委员会")
    committee = session.scalar(select(PartyOrg).where(PartyOrg.community_id == community.id,
                                                      PartyOrg.level == ORG_COMMUNITY_COMMITTEE))
    if committee is None:
        committee = org.add_party_org(session, level=ORG_COMMUNITY_COMMITTEE, name=f"{BULK_COMMUNITY}党委",
                                      community_id=community.id)
    branch = org.add_party_org(session, level=ORG_BRANCH, name=f"{name}党支部", parent_id=committee.id,
                               community_id=community.id, compound_id=compound.id)

    per_building = BULK_UNITS * BULK_FLOORS * BULK_ROOMS
    building_count = max(1, -(-members // per_building))
    # Building numbers continue after every number in use, so an address names one flat.
    codes = session.scalars(select(Building.code)).all()
    first_code = max((int(c) for c in codes if c.isdigit()), default=0) + 1
    grids = [org.add_grid(session, compound_id=compound.id, name=f"第{g + 1}网格", sort_key=g + 1,
                          worker_name=maker.name(rng.choice("MF"), 1985), worker_phone=maker.phone())
             for g in range(max(1, -(-building_count // 20)))]
    groups = [org.add_party_org(session, level=ORG_PARTY_GROUP, name=f"第{g + 1}党小组（{first_code + g * 10}号楼起）",
                                parent_id=branch.id, community_id=community.id, compound_id=compound.id,
                                sort_key=g + 1).id
              for g in range(-(-building_count // 10))]

    building_id, unit_id, household_id = _next_id(session, Building), _next_id(session, Unit), \
        _next_id(session, Household)
    building_rows, unit_rows, household_rows, flats = [], [], [], []
    for b in range(building_count):
        code = first_code + b
        building_rows.append({"id": building_id, "compound_id": compound.id, "grid_id": grids[b // 20].id,
                              "code": str(code), "name": f"{code}号楼", "sort_key": code, "floors": BULK_FLOORS})
        for u in range(1, BULK_UNITS + 1):
            unit_rows.append({"id": unit_id, "building_id": building_id, "code": str(u), "name": f"{u}单元",
                              "sort_key": u})
            for floor in range(1, BULK_FLOORS + 1):
                for r in range(1, BULK_ROOMS + 1):
                    household_rows.append({"id": household_id, "unit_id": unit_id, "room": f"{floor}{r:02d}",
                                           "sort_key": floor * 100 + r, "head_name": None, "phone": None,
                                           "note": None})
                    flats.append((household_id, groups[b // 10]))
                    household_id += 1
            unit_id += 1
        building_id += 1

    resident_id, member_id = _next_id(session, Resident), _next_id(session, Member)
    resident_rows, member_rows = [], []
    for i in range(members):
        p = maker.person(unique_name=False)
        household_id, group_id = flats[i]
        household_rows[i]["head_name"], household_rows[i]["phone"] = p.name, p.phone
        probationary = rng.random() < 0.05
        joined, confirmed = maker.joined(p.birth_date, probationary)
        registered = p.age < 58 and rng.random() < 0.4
        pinyin, initials = maker.pinyin(p.name)
        resident_rows.append({
            "id": resident_id, "name": p.name, "name_pinyin": pinyin, "name_initials": initials,
            "gender": p.gender, "ethnicity": p.ethnicity, "birth_date": p.birth_date, "id_number": p.id_number,
            "phone": p.phone, "education": p.education, "employer": rng.choice(_EMPLOYERS) if registered else None,
            "household_id": household_id, "note": None})
        member_rows.append({
            "id": member_id, "resident_id": resident_id, "party_org_id": group_id,
            "category": "probationary" if probationary else "full", "joined_on": joined, "confirmed_on": confirmed,
            "is_registered": registered, "note": None, "deleted_at": None})
        resident_id += 1
        member_id += 1

    for model, rows in ((Building, building_rows), (Unit, unit_rows), (Household, household_rows),
                        (Resident, resident_rows), (Member, member_rows)):
        # Core insert of the table: one executemany per table (the ORM form would split
        # the rows into a batch per pattern of NULLs).
        session.execute(insert(model.__table__), rows)
