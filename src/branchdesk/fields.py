"""The field registry: each field's label, kind, validation, mask and Excel header
wordings, declared once. Forms, table headers, imports, exports and printouts
all read from here, so a label cannot drift between them."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cached_property, partial

from . import validation as v
from .models.lists import (
    BY_DEPARTMENT,
    BY_MEMBER,
    BY_OTHER,
    BY_PARTNER,
    BY_TEAM,
    DEMAND_CLAIMED,
    DEMAND_CLOSED,
    DEMAND_DONE,
    DEMAND_MATCHED,
    DEMAND_OPEN,
    DUTY_DOING,
    DUTY_DONE,
    DUTY_TODO,
    RESPONSE_EMERGENCY,
    RESPONSE_ROUTINE,
    RESPONSE_WARTIME,
    URGENCY_NORMAL,
    URGENCY_PRESSING,
    URGENCY_URGENT,
)

# Field kinds
TEXT = "text"
MULTILINE = "multiline"
DATE = "date"
CHOICE = "choice"
BOOL = "bool"
ID_NUMBER = "id_number"
PHONE = "phone"
ADDRESS = "address"  # a household written as 3号楼2单元501 / 3-2-501
REF = "ref"  # a record picked from the database (branch, building, unit, member)

GENDERS = (("M", "男"), ("F", "女"))
MEMBER_CATEGORIES = (("full", "正式党员"), ("probationary", "预备党员"))
EDUCATIONS = ("研究生", "大学本科", "大专", "中专", "高中", "初中", "小学及以下")
ETHNICITIES = ("汉族", "回族", "满族", "蒙古族", "壮族", "朝鲜族", "土家族", "苗族", "藏族", "维吾尔族")
COMPOUND_KINDS = (("property", "物业小区"), ("open", "开放式小区（无物业）"))
ORG_LEVELS = (
    ("community_committee", "社区党委"),
    ("general_branch", "小区党总支"),
    ("branch", "党支部"),
    ("party_group", "党小组"),
)


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: str = TEXT
    required: bool = False
    choices: tuple = ()  # (code, label) pairs; or plain suggestions when open_choices
    open_choices: bool = False  # the list only suggests; any text is accepted
    headers: tuple[str, ...] = ()  # other wordings of the column in street-office workbooks
    sensitive: bool = False  # masked in lists and printouts unless the user asks
    # The ID number field whose hidden part this date would give away (a birth date: the
    # ID's digits 7-14): masked wherever a list, export or printout masks, as mask_date
    # shows it, and in full where the user asked for full numbers. An import reads the
    # masked form back as “unchanged” (Kept), as it reads a masked ID number.
    masked_with: str = ""
    allow_month: bool = False  # a date that may be given as a year and month only
    allow_future: bool = False  # a deadline or a promise; other dates after today are typing mistakes
    max_length: int = 50
    width: int = 8  # list column width, in characters
    hint: str = ""  # placeholder text in the form

    def parse(self, raw: object):
        """Text from a form or a cell → the stored value; raises validation.Invalid."""
        return self.parser(raw)

    @cached_property
    def parser(self) -> Callable[[object], object]:
        """parse with the parser for this field's kind chosen once, not at every value:
        an import parses each column's tens of thousands of cells with it."""
        if self.kind == BOOL:
            return v.parse_bool
        if self.kind == REF:
            return self._parse_ref
        if self.kind == DATE:
            parse = partial(v.parse_date, allow_month=self.allow_month, allow_future=self.allow_future)
        elif self.kind == ID_NUMBER:
            parse = v.parse_id_number
        elif self.kind == PHONE:
            parse = v.parse_phone
        elif self.kind == ADDRESS:
            parse = v.parse_address
        elif self.kind == CHOICE and not self.open_choices:
            parse = self._parse_choice
        else:
            parse = self._parse_text
        if not self.required:
            return parse

        def parse_required(raw: object):
            value = parse(raw)
            if value is None:
                raise v.Invalid(f"请填写{self.label}。")
            return value
        return parse_required

    def _parse_ref(self, raw: object):
        if raw in (None, ""):
            if self.required:
                raise v.Invalid(f"请选择{self.label}。")
            return None
        return raw

    def _parse_text(self, raw: object) -> str | None:
        value = v.clean_prose(raw) if self.kind != MULTILINE else (str(raw).strip() if raw else "")
        if len(value) > self.max_length:
            raise v.Invalid(f"{self.label}最多 {self.max_length} 个字，现在有 {len(value)} 个。")
        return value or None

    def _parse_choice(self, raw: object) -> str | None:
        s = v.clean_text(raw)
        if not s:
            return None
        for code, label in self.choices:
            if s in (code, label):
                return code
        # short forms people write in rosters: 正式 / 预备
        starts = [code for code, label in self.choices if label.startswith(s)]
        if len(starts) == 1:
            return starts[0]
        allowed = "、".join(label for _c, label in self.choices)
        raise v.Invalid(f"{self.label}“{s}”不在可选范围内，请填写：{allowed}。")

    def display(self, value, *, masked: bool = False) -> str:
        """The stored value as the user reads it in a list, an export or a printout."""
        if value is None or value == "":
            return ""
        if self.kind == BOOL:
            return "是" if value else "否"
        if self.kind == DATE:
            return mask_date(value) if masked and self.masked_with else f"{value:%Y-%m-%d}"
        if self.kind == CHOICE and not self.open_choices:
            return dict(self.choices).get(value, str(value))
        if masked and self.kind == ID_NUMBER:
            return v.mask_id_number(value)
        if masked and self.kind == PHONE:
            return v.mask_phone(value)
        return str(value)

    @property
    def hides(self) -> bool:
        """Whether a masked list, export or printout hides part of this field's value:
        a sensitive number, or what is masked with one."""
        return self.sensitive or bool(self.masked_with)

    @property
    def all_headers(self) -> tuple[str, ...]:
        return (self.label, *self.headers)


# ---- masking a date that would complete a masked number -------------------------------
# A masked ID number keeps the region and the last four digits (110105********002X); the
# hidden eight are the birth date, so wherever the ID is masked the birth date beside it
# shows its year only: with the check digit the year still leaves some thirty days each.
_MASKED_YEAR = re.compile(r"(\d{4})年")


def mask_date(value: date) -> str:
    """1962-03-04 → 1962年: a date masked with a number (Field.masked_with)."""
    return f"{value.year}年"


def masked_year(text: object) -> int | None:
    """The year of a date as mask_date shows it (1962年, as a masked export comes back),
    or None for anything else."""
    if not isinstance(text, str):
        return None
    m = _MASKED_YEAR.fullmatch(text.strip())
    return int(m[1]) if m else None


def by_key(fields: tuple[Field, ...]) -> dict[str, Field]:
    return {f.key: f for f in fields}


# ---- members (党员) ----------------------------------------------------------
MEMBER_FIELDS: tuple[Field, ...] = (
    Field("name", "姓名", required=True, headers=("名字", "党员姓名"), max_length=30, width=6),
    Field("gender", "性别", CHOICE, choices=GENDERS, width=3, hint="可由身份证号自动得出"),
    Field("ethnicity", "民族", CHOICE, choices=ETHNICITIES, open_choices=True, max_length=20, width=5),
    # masked with the ID number: its digits 7-14 are the birth date, so a masked list shows the year only
    Field("birth_date", "出生日期", DATE, headers=("出生年月", "出生时间"), allow_month=True, width=9,
          hint="可由身份证号自动得出", masked_with="id_number"),
    Field("id_number", "身份证号", ID_NUMBER, headers=("身份证号码", "公民身份号码", "身份证"), sensitive=True,
          width=17),
    Field("education", "学历", CHOICE, choices=EDUCATIONS, open_choices=True, headers=("文化程度",),
          max_length=20, width=6),
    Field("joined_on", "入党日期", DATE, headers=("入党时间", "入党年月"), allow_month=True, width=9),
    Field("confirmed_on", "转正日期", DATE, headers=("转正时间", "转正年月"), allow_month=True, width=9),
    Field("category", "党员类别", CHOICE, required=True, choices=MEMBER_CATEGORIES,
          headers=("党员身份", "类别", "人员类别"), width=6),
    Field("party_org_id", "所在支部", REF, headers=("所在党支部", "所属支部", "党小组", "所在党组织"), width=10),
    Field("phone", "联系电话", PHONE, headers=("手机", "手机号", "手机号码", "电话", "联系方式"), sensitive=True,
          width=11),
    Field("address", "住址", ADDRESS, headers=("家庭住址", "现住址", "居住地址", "门牌号", "楼栋单元门牌"),
          width=11, hint="如 3号楼2单元501 或 3-2-501"),
    Field("employer", "工作单位", headers=("单位", "工作单位及职务"), max_length=100, width=10),
    Field("is_registered", "在职党员双报到", BOOL, headers=("是否双报到", "双报到"), width=4),
    Field("note", "备注", MULTILINE, max_length=500, width=10),
)

# ---- building leaders (楼栋长/单元长) ------------------------------------------
LEADER_FIELDS: tuple[Field, ...] = (
    Field("name", "姓名", required=True,
          headers=("楼栋长", "单元长", "楼栋长姓名", "单元长姓名", "楼长", "楼长姓名"), max_length=30, width=6),
    Field("phone", "联系电话", PHONE, required=True,
          headers=("手机", "手机号", "手机号码", "电话", "联系方式", "电话号码"), sensitive=True, width=11),
    Field("id_number", "身份证号", ID_NUMBER, headers=("身份证号码", "公民身份号码", "身份证"), sensitive=True,
          width=17),
    Field("building_id", "楼栋", REF, required=True,
          headers=("楼号", "楼栋号", "所在楼栋", "负责楼栋", "楼栋名称", "楼幢", "栋号"), width=6),
    Field("unit_id", "单元", REF, headers=("单元号", "所在单元", "负责单元"), width=5, hint="不选表示负责整栋楼"),
    Field("since", "任职时间", DATE, headers=("任职日期", "担任时间", "任职年月", "上任时间"), allow_month=True,
          width=9),
    # 政治面貌 columns say 中共党员 / 群众: the leader import reads them as 是 / 否
    Field("is_member", "是否党员", BOOL, headers=("党员", "是否中共党员", "政治面貌"), width=4),
    Field("note", "备注", MULTILINE, max_length=500, width=10),
)

# ---- center households (党员中心户) -------------------------------------------
FOUR_HAVES: tuple[Field, ...] = (
    Field("has_ability", "有能力", BOOL, width=3),
    Field("has_prestige", "有威望", BOOL, width=3),
    Field("has_public_spirit", "有公心", BOOL, width=3),
    Field("has_enthusiasm", "有热情", BOOL, width=3),
)
CENTER_HOUSEHOLD_FIELDS: tuple[Field, ...] = (
    Field("member_id", "中心户党员", REF, required=True,
          headers=("中心户户主", "党员姓名", "姓名", "中心户党员姓名", "中心户姓名"), width=6),
    Field("appointed_on", "确定时间", DATE, headers=("设立时间", "认定时间", "确定日期", "设立日期", "认定日期"),
          allow_month=True, width=9),
    *FOUR_HAVES,
    Field("note", "备注", MULTILINE, max_length=500, width=10),
)
# The households a center household serves, as rosters write them: 5-1-502、5-1-301
SERVED_COUNT_FIELD = Field("served_count", "联系户数", headers=("联系户数量", "联系户户数"), width=4)
SERVED_FIELD = Field("served", "联系户", headers=("联系户住址", "联系户明细", "联系户名单", "联系户门牌"),
                     max_length=2000, width=24, hint="多户用顿号隔开，如 3-2-401、3-2-402")
# Import only: street-office ledgers put the 四有 in one column (有能力、有威望…) and
# name the member's place by building and unit (5号楼1单元) rather than a full address.
FOUR_HAVES_FIELD = Field("four_haves", "四有评定", headers=("四有", "四有情况", "四有标准"), max_length=100,
                         width=12, hint="如 有能力、有威望、有公心、有热情")
BUILDING_UNIT_FIELD = Field("building_unit", "所在楼栋单元", headers=("楼栋单元", "所在楼栋", "所在单元"), width=8,
                            hint="如 5号楼1单元 或 5-1")

# ---- households (住户) ------------------------------------------------------------
HOUSEHOLD_FIELDS: tuple[Field, ...] = (
    Field("community", "社区", headers=("社区名称", "所属社区", "所在社区"), max_length=100, width=8),
    Field("compound", "小区", headers=("小区名称", "所在小区"), width=8),
    Field("grid", "网格", headers=("所属网格", "网格名称"), width=6),
    Field("building", "楼栋", headers=("楼号", "楼栋号"), width=5),
    Field("unit", "单元", headers=("单元号",), width=4),
    Field("room", "门牌", headers=("门牌号", "房号", "房间号", "户号"), width=4),
    Field("address", "住址", ADDRESS, headers=("家庭住址", "地址"), width=11),
    Field("head_name", "户主", headers=("户主姓名",), max_length=50, width=6),
    Field("phone", "联系电话", PHONE, headers=("户主电话", "电话", "手机", "手机号码"), sensitive=True, width=11),
    # What the roster shows but an import never sets: it follows from the other rosters.
    Field("member_count", "党员人数", width=4),
    Field("is_center", "是否党员中心户", BOOL, width=4),
    Field("centers", "联系的中心户", width=10),
    Field("note", "备注", MULTILINE, max_length=500, width=10),
)
HOUSEHOLD_DERIVED = ("member_count", "is_center", "centers")

# ---- party organisations (党组织) ------------------------------------------------
PARTY_ORG_FIELDS: tuple[Field, ...] = (
    Field("name", "党组织名称", required=True, headers=("名称", "组织名称"), max_length=100, width=14),
    Field("level", "层级", CHOICE, required=True, choices=ORG_LEVELS, headers=("组织类型", "类型"), width=6),
    Field("parent", "上级党组织", headers=("上级组织", "上级"), max_length=100, width=14),
    Field("compound", "所在小区", headers=("小区",), max_length=100, width=8),
    Field("secretary_name", "书记", headers=("书记姓名", "党组织书记", "组长"), max_length=50, width=6),
)


# ---- residents' issues (问题/诉求) and the 五事制 ------------------------------------
ISSUE_STEPS = (("raised", "提事"), ("discussed", "议事"), ("decided", "定事"), ("doing", "干事"),
               ("reviewed", "评事"))
ISSUE_LEVELS = (("compound", "小区"), ("community", "社区"), ("street", "街道"), ("department", "职能部门"))
VERDICTS = (("satisfied", "满意"), ("basically", "基本满意"), ("unsatisfied", "不满意"))
ISSUE_FIELDS: tuple[Field, ...] = (
    Field("number", "编号", headers=("问题编号", "诉求编号"), max_length=20, width=8),
    Field("raised_at", "提出日期", DATE, required=True, headers=("反映日期", "提出时间", "登记日期"), width=9),
    Field("source", "来源", CHOICE, required=True, open_choices=True, headers=("问题来源", "诉求来源", "渠道"),
          max_length=50, width=7),
    Field("category", "类别", CHOICE, required=True, open_choices=True, headers=("问题类别", "诉求类别", "分类"),
          max_length=50, width=7),
    Field("building_id", "楼栋", REF, headers=("楼号", "所在楼栋"), width=6),
    Field("address", "住址", ADDRESS, headers=("家庭住址", "门牌"), width=11, hint="如 3号楼2单元501 或 3-2-501"),
    Field("place", "地点", headers=("具体位置", "位置"), max_length=100, width=10, hint="不在某一户时填写，如 3号楼前停车场"),
    Field("reporter_name", "反映人", headers=("提出人", "诉求人", "居民姓名"), max_length=50, width=6),
    Field("reporter_phone", "联系电话", PHONE, headers=("电话", "手机", "手机号码"), sensitive=True, width=11),
    Field("description", "问题描述", MULTILINE, required=True, headers=("诉求内容", "问题内容", "内容", "议题"),
          max_length=2000, width=24),
)
DECISION_FIELDS: tuple[Field, ...] = (
    Field("decision", "定事内容", MULTILINE, required=True, headers=("决定事项", "解决方案", "决议"),
          max_length=2000, width=20),
    Field("owner", "责任人（单位）", required=True, headers=("责任人", "责任单位", "承办人"), max_length=100, width=10),
    Field("deadline", "办结时限", DATE, required=True, headers=("完成时限", "办结日期"), allow_future=True, width=9),
    Field("level", "办理层级", CHOICE, required=True, choices=ISSUE_LEVELS, headers=("层级", "吹哨层级"), width=6),
)
COMMITMENT_FIELDS: tuple[Field, ...] = (
    Field("committed", "公开承诺", BOOL, headers=("是否公开承诺",), width=4),
    Field("promised_on", "承诺办结日期", DATE, headers=("承诺时间", "承诺日期"), allow_future=True, width=9),
)
STEP_NOTE = Field("note", "情况说明", MULTILINE, max_length=2000, width=20)
VERDICT_FIELD = Field("verdict", "居民评价", CHOICE, required=True, choices=VERDICTS, headers=("满意度", "评价"),
                      width=6)
# Where an issue stands, as its list and its Excel exchange show it: the step, or 已办结
# once the residents are satisfied (a reviewed issue with 满意 or 基本满意).
ISSUE_CLOSED_STATE = "closed"
ISSUE_STATES = (*ISSUE_STEPS, (ISSUE_CLOSED_STATE, "已办结"))
ISSUE_STATE_FIELD = Field("state", "进度", CHOICE, choices=ISSUE_STATES,
                          headers=("步骤", "办理进度", "当前步骤", "五事制步骤"), width=4)


# ---- the three lists (需求清单 / 资源清单 / 责任清单) and the partners (红色合伙人) ---------
# The codes are the model's; the labels are the words street-office lists use.

RESPONSE_LEVELS = ((RESPONSE_ROUTINE, "平时服务"), (RESPONSE_EMERGENCY, "急时应急"), (RESPONSE_WARTIME, "战时作战"))
URGENCIES = ((URGENCY_NORMAL, "一般"), (URGENCY_PRESSING, "较急"), (URGENCY_URGENT, "紧急"))
DEMAND_STATUSES = ((DEMAND_OPEN, "待对接"), (DEMAND_MATCHED, "已对接"), (DEMAND_CLAIMED, "已认领"),
                   (DEMAND_DONE, "已办结"), (DEMAND_CLOSED, "已关闭"))
DUTY_STATUSES = ((DUTY_TODO, "未开始"), (DUTY_DOING, "进行中"), (DUTY_DONE, "已完成"))
PROVIDER_KINDS = ((BY_PARTNER, "红色合伙人"), (BY_MEMBER, "党员"), (BY_DEPARTMENT, "职能部门"),
                  (BY_TEAM, "志愿服务队"), (BY_OTHER, "其他"))
PARTNER_KINDS = ("企业", "学校", "医院", "机关", "社会组织")
DUTY_SOURCES = ("街道党工委", "社区党委", "小区党支部", "上级部门")


CHOICE_LABEL_FIELD = Field("label", "选项名称", required=True, max_length=50, width=10)

PARTNER_FIELDS: tuple[Field, ...] = (
    Field("name", "单位名称", required=True, headers=("合伙人名称", "共建单位", "单位", "红色合伙人"), max_length=100,
          width=14),
    Field("kind", "单位类型", CHOICE, choices=PARTNER_KINDS, open_choices=True, headers=("单位性质", "类型"),
          max_length=30, width=6),
    Field("contact_name", "联系人", headers=("负责人", "联系人姓名"), max_length=50, width=6),
    Field("contact_phone", "联系电话", PHONE, headers=("电话", "手机", "手机号码", "联系方式"), sensitive=True,
          width=11),
    Field("offers", "可提供的服务", MULTILINE, headers=("服务内容", "资源内容", "可提供资源", "服务项目"),
          max_length=500, width=20),
    Field("response_level", "响应级别", CHOICE, required=True, choices=RESPONSE_LEVELS,
          headers=("响应等级", "合伙人级别", "级别"), width=6),
    Field("agreement_on", "签约日期", DATE, headers=("签约时间", "结对日期", "签订日期"), allow_month=True, width=9),
    Field("note", "备注", MULTILINE, max_length=500, width=10),
    # What the list shows and no form sets: it follows from the demands.
    Field("resources", "资源数", width=4),
    Field("claims", "认领需求数", width=4),
    Field("completed", "已办结数", width=4),
)
PARTNER_DERIVED = ("resources", "claims", "completed")

RESOURCE_FIELDS: tuple[Field, ...] = (
    Field("title", "资源内容", required=True, headers=("资源名称", "服务内容", "可提供资源", "资源"), max_length=200,
          width=20),
    # Several demand categories, one string: 健康保健、助老助残
    Field("categories", "服务类别", required=True, headers=("资源类型", "资源类别", "服务类型", "类别"),
          max_length=200, width=10, hint="多个类别用顿号隔开，如 健康保健、助老助残"),
    Field("provider_kind", "提供方类型", CHOICE, required=True, choices=PROVIDER_KINDS, width=6),
    Field("partner_id", "红色合伙人", REF, width=14),
    Field("member_id", "提供党员", REF, width=6),
    # Typed for a department or a team; in the list, whoever provides (partner, member or typed)
    Field("provider_name", "提供方", headers=("资源提供方", "提供单位", "提供方名称", "提供单位/个人"), max_length=100,
          width=14, hint="职能部门或服务队的名称"),
    Field("compound_id", "服务小区", REF, headers=("服务范围", "所在小区"), width=8, hint="不选表示所有小区"),
    Field("capacity", "服务规模", headers=("服务人数", "服务数量", "服务能力"), max_length=100, width=8),
    Field("period", "服务时间", headers=("服务时段", "服务周期", "提供时间"), max_length=100, width=8,
          hint="如 长期、每月一次、2026年暑期"),
    Field("contact_name", "联系人", headers=("负责人", "联系人姓名"), max_length=50, width=6),
    Field("contact_phone", "联系电话", PHONE, headers=("电话", "手机", "手机号码", "联系方式"), sensitive=True,
          width=11),
    Field("note", "备注", MULTILINE, max_length=500, width=10),
    Field("in_use", "对接中需求", width=4),
)
RESOURCE_DERIVED = ("in_use",)

DEMAND_RESULT_FIELD = Field("result", "办理结果", MULTILINE, required=True, headers=("办结情况", "办理情况"),
                            max_length=2000, width=16)
DEMAND_FEEDBACK_FIELD = Field("feedback", "居民反馈", MULTILINE, headers=("居民评价", "群众评价", "反馈意见"),
                              max_length=500, width=12)
DEMAND_CLOSE_FIELD = Field("reason", "关闭原因", MULTILINE, required=True, max_length=500, width=16,
                           hint="如 居民已自行解决、超出社区服务范围")
DEMAND_FIELDS: tuple[Field, ...] = (
    Field("category", "需求类别", CHOICE, required=True, open_choices=True, headers=("需求类型", "服务类别", "类别"),
          max_length=50, width=7),
    Field("description", "需求内容", MULTILINE, required=True, headers=("需求描述", "具体需求", "内容"),
          max_length=2000, width=24),
    # A person or a group as told (王阿姨, 文体队, 全体居民); the sample lists also put a building here
    Field("raised_by", "提出人", headers=("提出人/楼栋", "需求人", "需求提出人", "提出对象", "反映人"),
          max_length=100, width=8),
    Field("address", "住址", ADDRESS, headers=("家庭住址", "门牌"), width=11, hint="如 3号楼2单元501 或 3-2-501"),
    Field("building_id", "楼栋", REF, headers=("楼号", "所在楼栋"), width=6),
    Field("contact_phone", "联系电话", PHONE, headers=("电话", "手机", "手机号码", "联系方式"), sensitive=True,
          width=11),
    Field("urgency", "紧急程度", CHOICE, required=True, choices=URGENCIES, headers=("紧急度", "缓急程度", "优先级"),
          width=5),
    Field("raised_on", "提出日期", DATE, required=True, headers=("提出时间", "登记日期", "收集日期", "反映日期"),
          width=9),
    # What the steps set (对接, 认领, 办结, 关闭), never the form
    Field("status", "办理状态", CHOICE, choices=DEMAND_STATUSES, headers=("状态", "对接状态", "进展"), width=6),
    Field("resource", "对接资源", headers=("对接资源内容",), max_length=200, width=14),
    Field("claimed_by", "认领方", headers=("认领单位", "认领人", "认领单位/党员"), max_length=100, width=10),
    Field("claimed_on", "认领日期", DATE, headers=("认领时间",), width=9),
    Field("done_on", "办结日期", DATE, headers=("办结时间", "关闭日期"), width=9),
    DEMAND_RESULT_FIELD,
    DEMAND_FEEDBACK_FIELD,
)
DEMAND_DERIVED = ("status", "resource", "claimed_by", "claimed_on", "done_on", "result", "feedback")

DUTY_RESULT_FIELD = Field("result", "完成说明", MULTILINE, headers=("完成结果", "落实情况"), max_length=2000, width=16)
RESPONSIBILITY_FIELDS: tuple[Field, ...] = (
    Field("title", "任务内容", required=True, headers=("责任内容", "工作任务", "任务名称", "工作内容", "任务"),
          max_length=200, width=20),
    Field("owner_unit", "责任主体", headers=("责任单位", "牵头单位", "责任部门"), max_length=100, width=10),
    Field("owner_name", "责任人", headers=("负责人", "具体责任人"), max_length=50, width=6),
    Field("deadline", "完成时限", DATE, allow_future=True, headers=("时限", "完成期限", "截止日期", "截止时间", "办结时限"), width=9,
                  hint="长期任务可不填"),
    Field("source", "任务来源", CHOICE, choices=DUTY_SOURCES, open_choices=True,
          headers=("来源", "交办单位", "任务下达单位"), max_length=100, width=8),
    # What set_responsibility_status sets, never the form
    Field("status", "完成情况", CHOICE, choices=DUTY_STATUSES, headers=("完成状态", "进展情况", "任务状态"), width=6),
    DUTY_RESULT_FIELD,
    Field("done_on", "完成日期", DATE, headers=("实际完成日期", "办结日期"), width=9),
)
RESPONSIBILITY_DERIVED = ("status", "result", "done_on")

# 认领: who takes a demand on, a partner or a member (claim_demand takes exactly one)
CLAIMER_KINDS = ((BY_PARTNER, "红色合伙人"), (BY_MEMBER, "在职党员"))
CLAIM_FIELDS: tuple[Field, ...] = (
    Field("claimer_kind", "认领方", CHOICE, required=True, choices=CLAIMER_KINDS, width=6),
    Field("partner_id", "认领单位", REF, width=14),
    Field("member_id", "认领党员", REF, width=8),
    Field("claimed_on", "认领日期", DATE, required=True, width=9),
)
DEMAND_DONE_ON = Field("done_on", "办结日期", DATE, required=True, width=9)
DEMAND_CLOSED_ON = Field("done_on", "关闭日期", DATE, required=True, width=9)
DUTY_STATUS_ON = Field("on", "日期", DATE, required=True, width=9, hint="完成的日期；未完成时为更新进展的日期")

# 在职党员双报到: the member's own fields are MEMBER_FIELDS; these are the list's own
REGISTRATION_FIELDS: tuple[Field, ...] = (
    Field("registered_on", "报到日期", DATE, headers=("双报到日期", "报到时间"), width=9),
    Field("services", "服务次数", headers=("服务数", "参与服务次数"), width=4),
    Field("last_served_on", "最近服务", DATE, headers=("最近服务日期",), width=9),
)
REGISTRANT_FIELD = Field("member_id", "报到党员", REF, required=True, width=8)


# ---- meetings (会议): the notice, the agenda, the sign-in sheet and the minutes ---------------
ATTENDEE_ROLES = (("member", "党员"), ("leader", "楼栋长"), ("owners_committee", "业委会"),
                  ("property_company", "物业"), ("partner", "红色合伙人"), ("other", "其他"))
ATTENDANCE = (("invited", "未签到"), ("present", "出席"), ("excused", "请假"), ("absent", "缺席"))
MEETING_FIELDS: tuple[Field, ...] = (
    Field("kind", "会议类型", CHOICE, required=True, open_choices=True, headers=("会议类别", "类型"), max_length=50,
          width=8),
    Field("title", "会议主题", headers=("主题", "会议名称"), max_length=200, width=18,
          hint="如 关于3号楼加装电梯的议事会；不填则以会议类型为题"),
    Field("date", "会议日期", DATE, required=True, headers=("日期", "召开日期"), allow_future=True, width=9),
    Field("start_time", "开始时间", required=True, headers=("时间", "召开时间"), max_length=10, width=5,
          hint="如 14:30"),
    Field("end_time", "结束时间", max_length=10, width=5, hint="如 16:00，可不填"),
    Field("place", "地点", headers=("会议地点", "开会地点"), max_length=100, width=10),
    Field("host", "主持人", max_length=50, width=6),
    Field("recorder", "记录人", max_length=50, width=6),
    Field("party_org_id", "召开组织", REF, headers=("党组织", "所在支部"), width=12,
          hint="支委会、党员大会选支部，党小组会选党小组；可不选"),
)
# What the meetings list shows and no form sets
MEETING_COUNT_FIELDS: tuple[Field, ...] = (
    Field("items", "议题数", width=4),
    Field("invited", "应到", width=3),
    Field("present", "实到", width=3),
    Field("excused", "请假", width=3),
    Field("held", "已记录", BOOL, width=4),
)
AGENDA_FIELDS: tuple[Field, ...] = (
    Field("title", "议题", required=True, headers=("议程", "议程内容"), max_length=200, width=20),
    Field("presenter", "汇报人", headers=("发言人", "报告人"), max_length=50, width=6),
    Field("planned_minutes", "时长（分钟）", headers=("时长", "计划时长"), max_length=4, width=4),
    Field("issue_id", "关联问题", REF, width=10, hint="议的是哪件居民问题；会议决议会记入该问题的“定事”"),
)
DISCUSSION_FIELD = Field("discussion", "讨论情况", MULTILINE, headers=("讨论内容", "发言情况"), max_length=5000,
                         width=30)
MINUTES_SUMMARY_FIELD = Field("summary", "会议小结", MULTILINE, max_length=5000, width=30)
MEETING_DECISION_FIELDS: tuple[Field, ...] = (
    Field("content", "决议事项", MULTILINE, required=True, headers=("决议", "决定事项"), max_length=2000, width=20),
    Field("owner", "责任人（单位）", required=True, headers=("责任人", "责任单位", "落实人"), max_length=100, width=10),
    Field("deadline", "完成时限", DATE, required=True, headers=("时限", "完成时间"), allow_future=True, width=9),
    Field("level", "办理层级", CHOICE, choices=ISSUE_LEVELS, width=6, hint="议的是居民问题时：由哪一级办理"),
)
ATTENDEE_FIELDS: tuple[Field, ...] = (
    Field("name", "姓名", required=True, max_length=50, width=6),
    Field("unit", "单位/身份", headers=("单位", "身份", "职务"), max_length=100, width=12),
    Field("role", "类别", CHOICE, choices=ATTENDEE_ROLES, width=6),
    Field("status", "出席情况", CHOICE, choices=ATTENDANCE, width=5),
    Field("reason", "请假原因", headers=("缺席原因", "原因"), max_length=200, width=10),
)
# What the meetings workbook shows beside the fields above: the absent count, an
# agenda item's place on the agenda and the number of the issue it takes up
MEETING_ABSENT_FIELD = Field("absent", "缺席", width=3)
AGENDA_POSITION_FIELD = Field("position", "序号", width=4)
AGENDA_ISSUE_NUMBER_FIELD = Field("issue_number", "关联问题编号", width=10)


def check_against_id(values: dict, errors: dict) -> None:
    """Fill birth date and gender from the ID number, or flag where they disagree."""
    idn = values.get("id_number")
    if not idn or "id_number" in errors:
        return
    born, gender = v.id_birth_date(idn), v.id_gender(idn)
    if born > date.today():
        errors["id_number"] = "身份证号中的出生日期晚于今天，请对照证件核对。"
        return
    if "birth_date" not in errors:
        given = values.get("birth_date")
        if given is None:
            values["birth_date"] = born
        elif (given.year, given.month) != (born.year, born.month) or (given.day != 1 and given != born):
            errors["birth_date"] = f"出生日期与身份证号不一致（身份证上是 {born:%Y-%m-%d}），请核对。"
    if "gender" not in errors:
        if values.get("gender") is None:
            values["gender"] = gender
        elif values["gender"] != gender:
            label = dict(GENDERS)[gender]
            errors["gender"] = f"性别与身份证号不一致（身份证上是{label}），请核对。"


def parse_record(fields: tuple[Field, ...], raw: dict, *, new: bool = False,
                 parsers: dict[str, Callable[[object], object]] | None = None) -> tuple[dict, dict]:
    """Parse every field present in raw; returns (values, errors keyed by field).
    Absent fields are left alone on an edit; a new record must have its required ones.
    parsers: what parses a field's value instead of its Field.parse (an import's
    ColumnParser per column); they must parse alike, but that an import's reads a date
    as a masked export shows it (1962年) as Kept: the field is left out, unchanged."""
    values: dict = {}
    errors: dict = {}
    kept: list[tuple[Field, int]] = []
    for f in fields:
        key = f.key
        if key not in raw and not (new and f.required):
            continue
        parse = f.parser if parsers is None else parsers.get(key, f.parser)
        try:
            value = parse(raw.get(key))
        except v.Invalid as exc:
            errors[key] = str(exc)
            continue
        if isinstance(value, Kept):  # 1962年 from a masked export: left out, the stored value stays
            kept.append((f, value.year))
        else:
            values[key] = value
    for f, year in kept:
        _check_kept(f, year, values, errors, new=new)
    return values, errors


@dataclass(frozen=True)
class Kept:
    """What an import's ColumnParser gives for a date as a masked export shows it (1962年,
    Field.masked_with): not a value, but “unchanged”, as a masked ID number is. parse_record
    leaves the field out, so the stored date stays; a year alone never becomes a date."""
    year: int


def _check_kept(f: Field, year: int, values: dict, errors: dict, *, new: bool) -> None:
    """A masked birth date that came back: where the row gives its ID number in full, the
    year must be that of the ID (whose birth date check_against_id then fills in); a new
    record without one cannot take a year alone."""
    idn = values.get(f.masked_with)
    if idn:
        born = v.id_birth_date(idn)
        if born.year != year:
            errors[f.key] = f"{f.label}（{year}年）与身份证号不一致（身份证上是 {born:%Y-%m-%d}），请核对。"
    elif new:
        errors[f.key] = (f"{f.label}只有年份（{year}年），无法登记：请填写完整日期，"
                         "或用“显示完整号码”导出的表格。")


def column_parsers(fields: tuple[Field, ...]) -> dict[str, ColumnParser]:
    """A ColumnParser per field, for parse_record(parsers=) over one imported file."""
    return {f.key: ColumnParser(f) for f in fields}


class ColumnParser:
    """A field's parse for one column of an imported file, remembering what each distinct
    value parsed to, or why it was refused: a column repeats a few values (性别, 党员类别,
    dates, addresses, empty cells) over tens of thousands of rows, and a value parses the
    same every time (a date after today is refused as on the first row). One per import:
    it holds every distinct value of its column."""

    def __init__(self, f: Field):
        self._parse = f.parser
        if f.masked_with:  # a date a masked export showed as its year: Kept, the stored one stays
            def parse(raw: object, whole: Callable[[object], object] = f.parser):
                year = masked_year(raw)
                return Kept(year) if year is not None else whole(raw)
            self._parse = parse
        self._known: dict[str | None, tuple[bool, object]] = {}  # text → (True, value) or (False, message)

    def __call__(self, raw: object):
        if raw is not None and type(raw) is not str:  # an id a kind resolved itself: nothing to remember
            return self._parse(raw)
        known = self._known.get(raw)
        if known is None:
            try:
                known = (True, self._parse(raw))
            except v.Invalid as exc:
                known = (False, str(exc))
            self._known[raw] = known
        parsed, value = known
        if not parsed:
            raise v.Invalid(value)
        return value
