"""A year of the three lists for the demo community: the partner units (红色合伙人)
of every kind and response level, the resources they, the departments, the
volunteer teams and the registered members (在职党员双报到) offer, the demands
residents raised over the last twelve months in every status, and the duties the
street office, the community committee and the branches handed down.

Everything goes through services.lists, so the demo holds only what the app itself
could: a claim is never before its demand was raised, nothing is done before it
was claimed, no day lies after today. Old demands are mostly met; the newest are
still waiting, and a few urgent ones have waited too long."""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Demand, Member, Partner, Resident, Resource
from ..models.lists import (
    BY_DEPARTMENT, BY_MEMBER, BY_PARTNER, BY_TEAM, DEMAND_CLAIMED, DEMAND_CLOSED, DEMAND_DONE, DEMAND_MATCHED,
    DEMAND_OPEN, DUTY_DOING, DUTY_DONE, RESPONSE_EMERGENCY, RESPONSE_ROUTINE, RESPONSE_WARTIME, URGENCY_NORMAL,
    URGENCY_PRESSING, URGENCY_URGENT,
)
from . import lists as L

DEMANDS_PER_YEAR = 80
MEMBER_RESOURCES = 6  # registered members offering what their work lets them


@dataclass(frozen=True)
class Flat:
    """A household that may raise a demand."""
    compound_id: int
    compound: str
    building_id: int
    building: str  # 3号楼
    address: str  # 阳光花园3号楼2单元501
    head: str | None
    phone: str | None


@dataclass(frozen=True)
class Registered:
    """A registered member (双报到): may offer a resource and claim demands."""
    id: int
    name: str
    phone: str | None
    joined_on: date


@dataclass(frozen=True)
class ListsAdded:
    partners: int
    resources: int
    demands: int
    responsibilities: int


# ---- partners: (name, kind, contact, offers, response level, note) -------------------------
_PARTNERS = (
    ("光明社区卫生服务中心", "医院", "陈立新", "义诊、健康讲座、慢病随访、家庭医生签约；突发情况派医护人员支援",
     RESPONSE_EMERGENCY, "家庭医生团队 3 个，覆盖两个小区"),
    ("光明路小学", "学校", "刘海燕", "暑期托管场地和教师志愿者、四点半课堂、周末开放操场", RESPONSE_ROUTINE, None),
    ("十堰市第一中学", "学校", "王志刚", "学生志愿者、小学生作业辅导、假期社会实践岗位", RESPONSE_ROUTINE, None),
    ("十堰市安居物业服务有限公司", "企业", "张建军", "阳光花园水电维修、公共设施养护、24 小时应急抢修、防汛沙袋",
     RESPONSE_EMERGENCY, "阳光花园的物业服务企业，红色物业"),
    ("工商银行东城支行", "企业", "李静", "防范电信诈骗宣传、老年人金融知识讲座、行动不便客户上门办理业务",
     RESPONSE_ROUTINE, None),
    ("惠民超市光明路店", "企业", "赵国华", "独居老人电话订货、送货上门；应急状态下小区生活物资保供",
     RESPONSE_WARTIME, "封控、灾害等情况下承担两个小区的生活物资保供"),
    ("湖北正衡律师事务所", "企业", "孙丽华", "每月一次免费法律咨询、矛盾纠纷调解、普法讲座", RESPONSE_ROUTINE, None),
    ("国网十堰供电公司东城供电所", "企业", "周卫东", "用电安全检查、老旧线路排查、停电抢修和应急供电",
     RESPONSE_WARTIME, None),
    ("十堰市自来水公司东城营业所", "企业", "吴海涛", "供水管网抢修、水表维修、二次供水水质检测",
     RESPONSE_EMERGENCY, None),
    ("东城区心连心社会工作服务中心", "社会组织", "郑晓红", "空巢老人探访陪伴、儿童成长营、心理疏导",
     RESPONSE_ROUTINE, "承接街道购买的社工服务项目"),
    ("东城消防救援站", "机关", "马强", "消防安全培训和疏散演练、火灾隐患检查、紧急救援", RESPONSE_WARTIME, None),
    ("十堰市蓝天救援队", "社会组织", "黄海波", "防汛抢险、应急救援、心肺复苏和 AED 急救培训",
     RESPONSE_WARTIME, "汛期在社区设临时备勤点"),
)

# ---- resources: (title, categories, provider, compound or None, capacity, period) ----------
# provider: ("partner", name) / ("department", name) / ("team", name)
_RESOURCES = (
    ("每月义诊：测血压血糖、用药指导", "健康保健、助老助残", (BY_PARTNER, "光明社区卫生服务中心"), None,
     "每次约 60 人", "每月第二个周六上午"),
    ("家庭医生上门随访（失能、高龄老人）", "健康保健、助老助残", (BY_PARTNER, "光明社区卫生服务中心"), None,
     "每月 20 户", "长期"),
    ("暑期托管：教室场地和教师志愿者", "亲子娱乐", (BY_PARTNER, "光明路小学"), None, "40 名学生", "每年暑期"),
    ("周末开放操场和篮球场", "文体赛事", (BY_PARTNER, "光明路小学"), "光明里", None, "周六、周日 8:00-18:00"),
    ("中学生志愿者作业辅导", "亲子娱乐", (BY_PARTNER, "十堰市第一中学"), None, "15 名志愿者", "每周六上午"),
    ("水电小修免人工费", "便民维修", (BY_PARTNER, "十堰市安居物业服务有限公司"), "阳光花园", None,
     "工作日 8:30-17:30"),
    ("24 小时应急抢修", "便民维修", (BY_PARTNER, "十堰市安居物业服务有限公司"), "阳光花园", None, "长期"),
    ("防范电信诈骗和养老金融知识讲座", "生活服务、法律咨询", (BY_PARTNER, "工商银行东城支行"), None, "每次 80 人",
     "每季度一次"),
    ("行动不便老人上门办理社保卡、养老金业务", "助老助残", (BY_PARTNER, "工商银行东城支行"), None, None, "长期"),
    ("独居老人电话订货、免费送货上门", "助老助残、生活服务", (BY_PARTNER, "惠民超市光明路店"), None, "30 户", "长期"),
    ("免费法律咨询（婚姻家庭、房产、劳动纠纷）", "法律咨询", (BY_PARTNER, "湖北正衡律师事务所"), None, None,
     "每月最后一个周五下午"),
    ("老旧楼栋用电线路安全检查", "便民维修", (BY_PARTNER, "国网十堰供电公司东城供电所"), "光明里", "12 栋",
     "每半年一次"),
    ("水管漏水、水表故障上门维修", "便民维修", (BY_PARTNER, "十堰市自来水公司东城营业所"), None, None, "长期"),
    ("空巢老人每周探访陪伴", "助老助残", (BY_PARTNER, "东城区心连心社会工作服务中心"), None, "30 户", "每周一次"),
    ("儿童周末成长营（手工、绘本）", "亲子娱乐", (BY_PARTNER, "东城区心连心社会工作服务中心"), None,
     "每次 25 名儿童", "每月两次"),
    ("消防安全培训与疏散演练", "生活服务", (BY_PARTNER, "东城消防救援站"), None, "每次 100 人", "每季度一次"),
    ("心肺复苏和 AED 急救培训", "健康保健", (BY_PARTNER, "十堰市蓝天救援队"), None, "每次 50 人", "每半年一次"),
    ("占道经营、违章搭建劝导处置", "生活服务", (BY_DEPARTMENT, "东城区城市管理执法局光明中队"), None, None, "长期"),
    ("户籍业务上门办理（高龄、残疾居民）", "助老助残、生活服务", (BY_DEPARTMENT, "光明路派出所"), None, None, "长期"),
    ("招聘信息推送、免费技能培训报名", "就业帮扶", (BY_DEPARTMENT, "东城街道劳动保障所"), None, None, "长期"),
    ("残疾人辅具适配和康复指导", "助老助残、健康保健", (BY_DEPARTMENT, "东城街道残疾人联合会"), None, None,
     "每季度一次"),
    ("帮独居老人买菜、取药、陪同就医", "助老助残", (BY_TEAM, "光明社区党员志愿服务队"), None, "20 名队员", "长期"),
    ("周末亲子手工和绘本阅读", "亲子娱乐", (BY_TEAM, "阳光花园巾帼志愿服务队"), "阳光花园", "每次 20 个家庭",
     "每月一次"),
    ("楼道卫生和小修小补", "便民维修、生活服务", (BY_TEAM, "光明里银发志愿服务队"), "光明里", "12 名队员", "每周三"),
    ("乒乓球、象棋比赛组织，广场舞教学", "文体赛事", (BY_TEAM, "光明社区文体志愿服务队"), None, None, "长期"),
)
_DEPARTMENT_PHONES = {"东城区城市管理执法局光明中队": "0719-8123301", "光明路派出所": "0719-8123110",
                      "东城街道劳动保障所": "0719-8123520", "东城街道残疾人联合会": "0719-8123536"}

# A registered member offers what their work lets them: (employer, title, categories, period)
_MEMBER_OFFERS = (  # the first MEMBER_RESOURCES whose employer a registered member has
    ("十堰市太和医院", "健康讲座：高血压、糖尿病的日常管理", "健康保健", "每季度一次"),
    ("中国移动十堰分公司", "教老年人使用智能手机", "助老助残、生活服务", "每月一次"),
    ("东城区人民法院", "法律咨询、调解邻里纠纷", "法律咨询", "每月一次"),
    ("光明路小学", "小学生作业辅导", "亲子娱乐", "每周五晚上"),
    ("国网十堰供电公司", "家庭电路检修", "便民维修", "周末"),
    ("东城区民政局", "低保、残疾人补贴政策解读", "助老助残", "长期"),
    ("东城区卫生健康局", "老年人免费体检和医保政策咨询", "健康保健、助老助残", "每月一次"),
    ("东城区教育局", "升学政策咨询和家庭教育讲座", "亲子娱乐", "每学期一次"),
    ("东风汽车有限公司", "职业技能指导和招聘内推", "就业帮扶", "长期"),
    ("十堰市公安局东城分局", "反诈宣传和户籍业务咨询", "生活服务", "每季度一次"),
)

# ---- demands: (category, urgency, raised by, text, what meets it) ---------------------------
# raised by: "flat" (a household), "building", or a group's name; {b} building, {c} compound.
# What meets it: words of the resources' titles that fit (one of them, | between); a demand
# no resource fits is taken on by a member or a partner without one.
_NORMAL, _PRESSING, _URGENT = URGENCY_NORMAL, URGENCY_PRESSING, URGENCY_URGENT
_DEMANDS = (
    ("亲子娱乐", _NORMAL, "building", "{b}双职工家庭多，希望暑期有儿童托管", "托管"),
    ("亲子娱乐", _PRESSING, "{c}家长代表", "{c}需要暑期儿童托管，家长上班孩子无人看管", "托管"),
    ("亲子娱乐", _NORMAL, "flat", "孩子放学后无人辅导作业，希望有志愿者帮忙辅导", "辅导"),
    ("亲子娱乐", _NORMAL, "{c}亲子活动群", "希望周末组织亲子手工或绘本阅读活动", "绘本"),
    ("亲子娱乐", _NORMAL, "building", "{b}孩子多，希望寒假组织一次亲子运动会", "亲子|成长营"),
    ("文体赛事", _NORMAL, "老年协会", "老年协会希望借用场地举办重阳节象棋比赛", "象棋|操场"),
    ("文体赛事", _NORMAL, "光明里文体队", "文体队排练广场舞缺少音响设备，希望协调借用", "广场舞"),
    ("文体赛事", _NORMAL, "阳光花园乒乓球队", "希望组织两个小区之间的乒乓球友谊赛", "乒乓球|篮球场"),
    ("文体赛事", _PRESSING, "夕阳红合唱团", "合唱团希望请老师指导，准备参加街道汇演", ""),
    ("生活服务", _NORMAL, "flat", "家中老人不会在手机上缴水电费，希望有人帮忙", "智能手机"),
    ("生活服务", _NORMAL, "building", "{b}居民希望有人上门讲解如何防范电信诈骗", "诈骗|反诈"),
    ("生活服务", _PRESSING, "flat", "希望协助办理居住证和户口迁移手续", "户籍"),
    ("生活服务", _NORMAL, "building", "{b}楼下经常有人占道摆摊，出行不便", "占道"),
    ("生活服务", _NORMAL, "{c}居民代表", "{c}没有快递柜，希望协调设置快递代收点", "快递"),
    ("健康保健", _NORMAL, "building", "{b}老人希望每月有一次上门测血压", "血压"),
    ("健康保健", _PRESSING, "flat", "家中老人患糖尿病，希望家庭医生定期随访", "家庭医生|糖尿病"),
    ("健康保健", _NORMAL, "老年协会", "希望开展一次急救知识培训，学习心肺复苏", "急救"),
    ("健康保健", _NORMAL, "building", "{b}居民希望开一次高血压防治健康讲座", "高血压"),
    ("健康保健", _URGENT, "flat", "独居老人夜间曾突发不适，希望签约家庭医生并安装紧急呼叫", "家庭医生"),
    ("助老助残", _URGENT, "flat", "独居老人行动不便，希望有人每周上门探访", "探访"),
    ("助老助残", _PRESSING, "flat", "老人腿脚不便，希望有人帮忙买菜、取药", "买菜|送货"),
    ("助老助残", _PRESSING, "flat", "家中有残疾人，需要轮椅和康复指导", "辅具"),
    ("助老助残", _PRESSING, "flat", "高龄老人不方便去银行，希望上门办理养老金认证", "养老金"),
    ("助老助残", _NORMAL, "building", "{b}老人多，希望教大家用智能手机挂号、视频通话", "智能手机"),
    ("便民维修", _PRESSING, "building", "{b}楼道灯坏了，晚上上下楼看不见", "小修"),
    ("便民维修", _URGENT, "flat", "卫生间水管漏水，已经渗到楼下", "水管|抢修"),
    ("便民维修", _PRESSING, "building", "{b}单元门禁坏了，陌生人随意进出", "小修|抢修"),
    ("便民维修", _URGENT, "flat", "家中电路老化经常跳闸，希望帮忙检查", "电路|用电"),
    ("便民维修", _PRESSING, "building", "{b}雨水管堵塞，下雨时楼前积水", "抢修|小修"),
    ("法律咨询", _NORMAL, "flat", "子女赡养老人有纠纷，希望得到法律咨询", "法律咨询"),
    ("法律咨询", _NORMAL, "flat", "房屋继承手续不清楚，希望律师讲解", "法律咨询"),
    ("法律咨询", _PRESSING, "{c}业主代表", "装修公司拖延工期又拒不退款，想咨询如何维权", "法律咨询"),
    ("法律咨询", _PRESSING, "flat", "老人买保健品被骗，想咨询如何追回钱款", "诈骗|法律咨询"),
    ("就业帮扶", _PRESSING, "flat", "家中有高校毕业生待业，希望推荐就业岗位", "招聘"),
    ("就业帮扶", _NORMAL, "flat", "失业后想学家政技能，希望参加免费培训", "培训"),
    ("就业帮扶", _NORMAL, "{c}灵活就业人员", "希望有人讲解灵活就业人员社保缴纳政策", "招聘"),
    ("就业帮扶", _PRESSING, "flat", "家中残疾人希望找一份能在家做的工作", "招聘|技能"),
)
_RESULTS = {
    "亲子娱乐": ("{who}安排志愿者开展活动，{n}名儿童参加", "{who}提供场地和老师，托管班已按期开班"),
    "文体赛事": ("{who}协助组织比赛，{n}名居民参加", "{who}借出设备并派人指导，活动顺利举办"),
    "生活服务": ("{who}上门讲解并现场帮助办理", "{who}协调解决，居民已能自行办理"),
    "健康保健": ("{who}上门为{n}名老人测血压血糖，建立健康档案", "{who}开展健康讲座一场，{n}人参加"),
    "助老助残": ("{who}结对服务，每周上门一次", "{who}上门帮助办理，老人不用再跑腿"),
    "便民维修": ("{who}当天上门维修，已恢复正常", "{who}更换损坏配件，已修好"),
    "法律咨询": ("{who}提供法律咨询，指导居民通过调解解决", "{who}协助准备材料，已向有关部门申请"),
    "就业帮扶": ("{who}推荐岗位{n}个，居民已入职", "{who}安排报名免费培训，已结业"),
}
_FEEDBACK = ("很满意，感谢社区", "服务及时，希望以后定期开展", "基本满意，希望再快一些", "老人很高兴，给党员点赞",
             "满意", None)
_CLOSE_REASONS = ("居民已自行解决", "超出社区服务范围，已引导居民拨打12345热线", "需求人已搬离本小区",
                  "与之前的需求重复登记，已合并办理", "经回访，居民暂时不需要")

# ---- responsibilities: (title, source, owner unit, deadline in days from today or None,
# status, what was done) ---------------------------------------------------------------
_DUTIES = (
    ("垃圾分类桶边督导（早晚高峰值守）", "街道党工委", "光明社区党委", None, DUTY_DOING, None),
    ("高层及老旧楼栋消防安全检查", "街道党工委", "光明里党支部", -40, DUTY_DONE, "检查 12 栋楼，整改隐患 9 处"),
    ("光明里老旧小区改造意见征集", "街道党工委", "光明里党支部", -10, DUTY_DOING, None),
    ("创文创卫迎检环境整治", "街道党工委", "光明社区党委", -120, DUTY_DONE, "清理卫生死角 23 处，迎检通过"),
    ("汛期防汛值守和低洼处隐患排查", "街道党工委", "光明社区党委", 20, DUTY_DOING, None),
    ("电动自行车楼道充电专项整治", "街道党工委", "阳光花园小区党总支", -25, DUTY_DOING, None),
    ("燃气安全入户排查", "街道党工委", "光明社区党委", -200, DUTY_DONE, "入户排查 1400 余户，更换老化软管 86 根"),
    ("高龄津贴资格年度认证", "街道党工委", "光明社区党委", 15, None, None),
    ("在职党员双报到信息核对上报", "街道党工委", "光明社区党委", -5, None, None),
    ("反诈宣传进万家（入户率 100%）", "街道党工委", "光明社区党委", -60, DUTY_DONE, "入户宣传全覆盖，发放资料 1500 份"),
    ("党员中心户季度走访联系户", "社区党委", "阳光花园第一党支部", 30, DUTY_DOING, None),
    ("红色合伙人圆桌会（每季度一次）", "社区党委", "光明社区党委", -90, DUTY_DONE, "12 家合伙人参会，认领需求 8 条"),
    ("需求清单月度汇总上报", "社区党委", "光明社区党委", 5, None, None),
    ("春节困难群众走访慰问", "社区党委", "光明社区党委", -300, DUTY_DONE, "走访慰问困难家庭 32 户"),
    ("独居老人每周探访台账", "社区党委", "光明里党支部", None, DUTY_DOING, None),
    ("夏季纳凉文艺晚会筹备", "社区党委", "光明社区党委", 45, None, None),
    ("老旧小区改造后期维护方案", "社区党委", "光明里党支部", -15, None, None),
    ("楼道堆放杂物清理", "小区党支部", "阳光花园第二党支部", -30, DUTY_DONE, "清理杂物 40 余车"),
    ("三方联席会议（每月一次）", "小区党支部", "阳光花园小区党总支", 10, DUTY_DOING, None),
    ("业委会换届选举筹备", "小区党支部", "阳光花园小区党总支", 60, DUTY_DOING, None),
    ("停车位划线方案征求意见", "小区党支部", "阳光花园第一党支部", -50, DUTY_DONE, "收回意见 210 份，方案已公示"),
    ("高空抛物宣传和巡查", "小区党支部", "阳光花园第二党支部", -3, DUTY_DOING, None),
    ("主题党日：清洁家园志愿服务", "小区党支部", "光明里党支部", -20, DUTY_DONE, "党员 26 人参加"),
    ("空置房和群租房安全巡查", "小区党支部", "光明里党支部", 25, None, None),
    ("二次供水水箱清洗公示", "上级部门", "十堰市安居物业服务有限公司", -70, DUTY_DONE, "水质检测合格，结果已张贴公示"),
)


def _mobile(rng: random.Random) -> str:
    return rng.choice(("133", "135", "139", "150", "158", "177", "186", "189")) + f"{rng.randrange(10 ** 8):08d}"


def _landline(rng: random.Random) -> str:
    return f"0719-8{rng.randrange(10 ** 6):06d}"


def add_lists(session: Session, rng: random.Random, *, flats: list[Flat], members: list[Registered],
              secretaries: dict[str, str], today: date) -> ListsAdded:
    """Partners, resources, a year of demands and the duties; registered members get the
    day they reported. secretaries: party organisation name → its secretary's name."""
    categories = set(L.demand_categories(session))
    # The steps look their rows up one by one: held here, each is read once, not once a step.
    held = session.scalars(select(Member).where(Member.id.in_([m.id for m in members]))).all()
    partners = _add_partners(session, rng, today)
    reported = _register(session, rng, members, today)
    resources = _add_resources(session, rng, partners, members, flats, categories)
    held += session.scalars(select(Partner).where(Partner.id.in_(list(partners.values())))).all()
    held += session.scalars(select(Resource).where(Resource.id.in_([r.id for r in resources]))).all()
    kinds = [d for d in _DEMANDS if d[0] in categories]
    demands = _Year(session, rng, resources, partners, members, reported, today).raise_all(flats, kinds) if kinds else 0
    duties = _add_duties(session, rng, secretaries, today)
    return ListsAdded(len(partners), len(resources), demands, duties)


def _add_partners(session: Session, rng: random.Random, today: date) -> dict[str, int]:
    """Partner name → id. A unit already signed up (by name) is kept as it is."""
    names = [p[0] for p in _PARTNERS]
    known = dict(session.execute(select(Partner.name, Partner.id)
                                 .where(Partner.name.in_(names), Partner.deleted_at.is_(None))).all())
    ids = {}
    for name, kind, contact, offers, level, note in _PARTNERS:
        signed = today - timedelta(days=rng.randint(20, 720))
        phone = _landline(rng) if rng.random() < 0.4 else _mobile(rng)
        ids[name] = known.get(name) or L.save_partner(session, {
            "name": name, "kind": kind, "contact_name": contact, "contact_phone": phone, "offers": offers,
            "response_level": level, "agreement_on": signed, "note": note})
    return ids


def _register(session: Session, rng: random.Random, members: list[Registered], today: date) -> dict[int, date]:
    """The day each registered member reported: about four in ten within the last year."""
    days = {}
    for m in members:
        back = rng.randint(10, 360) if rng.random() < 0.4 else rng.randint(366, 5 * 365)
        days[m.id] = max(today - timedelta(days=back), min(m.joined_on + timedelta(days=30), today))
        L.register_member(session, m.id, on=days[m.id])
    return days


@dataclass
class _Resource:
    id: int
    title: str
    categories: tuple[str, ...]
    compound_id: int | None
    partner_id: int | None
    member_id: int | None
    provider: str


def _add_resources(session: Session, rng: random.Random, partners: dict[str, int], members: list[Registered],
                   flats: list[Flat], categories: set[str]) -> list[_Resource]:
    compounds = {f.compound: f.compound_id for f in flats}
    out: list[_Resource] = []

    def add(title, cats, raw, compound, provider, capacity=None, period=None):
        cats = tuple(c for c in cats.split("、") if c in categories)
        if not cats:  # the secretary retired every category it serves
            return
        compound_id = compounds.get(compound)
        rid = L.save_resource(session, dict(raw, title=title, categories=list(cats), compound_id=compound_id,
                                            capacity=capacity, period=period))
        out.append(_Resource(rid, title, cats, compound_id, raw.get("partner_id"), raw.get("member_id"), provider))

    for title, cats, (kind, name), compound, capacity, period in _RESOURCES:
        if kind == BY_PARTNER:
            raw = {"partner_id": partners[name]}
        else:
            leader = None if kind == BY_DEPARTMENT else rng.choice("王李张刘陈杨") + rng.choice(("秀英", "建华", "丽", "国强"))
            phone = _DEPARTMENT_PHONES.get(name) or _mobile(rng)
            raw = {"provider_kind": kind, "provider_name": name, "contact_name": leader, "contact_phone": phone}
        add(title, cats, raw, compound, name, capacity, period)

    employers = dict(session.execute(select(Member.id, Resident.employer)
                                     .join(Resident, Member.resident_id == Resident.id)
                                     .where(Member.id.in_([m.id for m in members]))).all())
    offering = 0
    for employer, title, cats, period in _MEMBER_OFFERS:
        m = next((m for m in members if employers.get(m.id) == employer), None)
        if m is not None and offering < MEMBER_RESOURCES:
            add(title, cats, {"member_id": m.id}, None, m.name, None, period)
            offering += 1
    return out


def _target(rng: random.Random, age: int) -> str:
    """Where a demand raised `age` days ago has got to: old ones are mostly met."""
    if age >= 90:
        weights = (6, 3, 6, 75, 10)
    elif age >= 30:
        weights = (12, 13, 22, 45, 8)
    else:
        weights = (40, 25, 25, 10, 0)
    return rng.choices((DEMAND_OPEN, DEMAND_MATCHED, DEMAND_CLAIMED, DEMAND_DONE, DEMAND_CLOSED), weights=weights)[0]


class _Year:
    """A year of demands: raised, then each taken as far as its age (and some luck) allows."""

    def __init__(self, session: Session, rng: random.Random, resources: list[_Resource], partners: dict[str, int],
                 members: list[Registered], reported: dict[int, date], today: date):
        self.session, self.rng, self.today = session, rng, today
        self.resources, self.members, self.reported = resources, members, reported
        self.names = {(BY_PARTNER, pid): name for name, pid in partners.items()}
        self.names.update(((BY_MEMBER, m.id), m.name) for m in members)

    def raise_all(self, flats: list[Flat], kinds: list[tuple]) -> int:
        rng, today = self.rng, self.today
        compounds = sorted({f.compound for f in flats})
        buildings = list({f.building_id: f for f in reversed(flats)}.values())
        order = kinds[:]  # every kind once, in no particular order, then at random
        rng.shuffle(order)
        raised = []
        for n in range(DEMANDS_PER_YEAR):
            age = max(0, int(365 * (DEMANDS_PER_YEAR - n) / DEMANDS_PER_YEAR) - rng.randint(0, 4))
            category, urgency, who, text, fits = order[n] if n < len(order) else rng.choice(kinds)
            if urgency != URGENCY_URGENT and rng.random() < 0.1:
                urgency = URGENCY_URGENT if urgency == URGENCY_PRESSING else URGENCY_PRESSING
            raw = {"category": category, "urgency": urgency, "raised_on": today - timedelta(days=age)}
            if who in ("flat", "building"):
                flat = rng.choice(flats if who == "flat" else buildings)
                if who == "flat":
                    raw.update(address=flat.address, raised_by=flat.head, contact_phone=flat.phone)
                else:
                    raw.update(building_id=flat.building_id)
                compound_id, place = flat.compound_id, flat.building
            else:
                compound_id, place = None, rng.choice(compounds)
                raw.update(raised_by=who.format(c=place), contact_phone=_mobile(rng))
            raw["description"] = text.format(b=place, c=place)
            raised.append((raw, compound_id, fits.split("|") if fits else ()))
        ids = L.save_demands(self.session, [raw for raw, _c, _f in raised], today=today)
        # read once and held, so that no step reads its demand again
        demands = self.session.scalars(select(Demand).where(Demand.id.in_(ids)).order_by(Demand.id)).all()
        stuck = 2  # old urgent demands nobody has taken on yet
        for demand, (_raw, compound_id, words) in zip(demands, raised):
            age = (today - demand.raised_on).days
            target = _target(rng, age)
            if stuck and age > 60 and demand.urgency == URGENCY_URGENT:
                target, stuck = DEMAND_OPEN, stuck - 1
            if target != DEMAND_OPEN:
                self.move_on(demand, target, compound_id, words)
        return len(demands)

    def move_on(self, demand: Demand, target: str, compound_id: int | None, words: tuple[str, ...]) -> None:
        """Take one demand to its target status: matched, claimed, done or closed."""
        rng, session, category = self.rng, self.session, demand.category
        day = demand.raised_on

        def later(most: int) -> date:
            return min(self.today, day + timedelta(days=rng.randint(0, most)))

        fitting = [r for r in self.resources if category in r.categories and any(w in r.title for w in words)
                   and (r.compound_id is None or compound_id is None or r.compound_id == compound_id)]
        resource = rng.choice(fitting) if fitting and (target != DEMAND_CLOSED or rng.random() < 0.3) else None
        if resource is not None:
            day = later(7)
            L.match_demand(session, demand.id, resource.id, on=day)
        if target == DEMAND_CLOSED or resource is None and target == DEMAND_MATCHED:
            L.close_demand(session, demand.id, reason=rng.choice(_CLOSE_REASONS), on=later(40))
            return
        if target == DEMAND_MATCHED:
            return
        who_did = resource.provider if resource is not None else None
        if target == DEMAND_CLAIMED or resource is None or rng.random() < 0.7:
            day = later(10)
            partner_id, member_id = self.claimer(resource, category, day)
            if partner_id is not None or member_id is not None:
                L.claim_demand(session, demand.id, partner_id=partner_id, member_id=member_id, on=day)
                who_did = self.names[BY_PARTNER, partner_id] if partner_id else self.names[BY_MEMBER, member_id]
        if target == DEMAND_CLAIMED or who_did is None:
            return
        result = rng.choice(_RESULTS.get(category, ("{who}已办理完毕",))).format(who=who_did, n=rng.randint(8, 40))
        L.complete_demand(session, demand.id, result=result, feedback=rng.choice(_FEEDBACK), on=later(30))

    def claimer(self, resource: _Resource | None, category: str, on: date) -> tuple[int | None, int | None]:
        """Who takes the demand on: the partner or member whose resource it is; for a
        department's or a team's, or where none fits, a registered member who had
        reported by then (failing that, a partner serving the category)."""
        if resource is not None and resource.partner_id is not None:
            return resource.partner_id, None
        if resource is not None and resource.member_id is not None and self.reported[resource.member_id] <= on:
            return None, resource.member_id
        ready = [m.id for m in self.members if self.reported[m.id] <= on]
        if ready:
            return None, self.rng.choice(ready)
        serving = sorted({r.partner_id for r in self.resources if r.partner_id and category in r.categories})
        if serving and resource is None:
            return self.rng.choice(serving), None
        return None, None


def _add_duties(session: Session, rng: random.Random, secretaries: dict[str, str], today: date) -> int:
    for title, source, owner, due, status, result in _DUTIES:
        # jittered by two days at most: a past deadline (three days ago or more) stays past
        deadline = today + timedelta(days=due + rng.randint(-2, 2)) if due is not None else None
        duty_id = L.save_responsibility(session, {"title": title, "source": source, "owner_unit": owner,
                                                  "owner_name": secretaries.get(owner), "deadline": deadline})
        if status == DUTY_DONE:
            done = min(today, deadline + timedelta(days=rng.randint(-12, 3)))
            L.set_responsibility_status(session, duty_id, status, on=done, result=result)
        elif status is not None:
            L.set_responsibility_status(session, duty_id, status, on=today)
    return len(_DUTIES)
