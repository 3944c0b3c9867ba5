"""Workbooks made the way street offices make them, and the small organisation
they refer to, for the import tests (exchange and GUI)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
from stdnum.cn import ric

from branchdesk.exchange.importer import apply_plan, plan_import
from branchdesk.services import org


def make_id(born: str, serial: str, region: str = "110105") -> str:
    body = region + born + serial
    return body + ric.calc_check_digit(body + "0")


ZHANG = make_id("19650312", "123")  # male
LI = make_id("19780605", "224")  # female
WANG = make_id("19900101", "331")  # male

HEADER = ["序号", "姓名", "性别", "出生年月", "公民身份号码", "入党时间", "党员身份", "所在党支部", "手机号码", "家庭住址",
          "照片"]


def rows() -> list[list]:
    return [
        [1, "张三", "男", date(1965, 3, 12), ZHANG, "1988.07", "正式", "启明小区党支部", "13800138000", "1-1-101", None],
        [2, " 李四 ", "女", "1978年6月5日", LI, "2001/7/1", "正式党员", "第一党小组", "１３９００１３９０００",
         "启明小区2号楼1单元201", None],
        [3, "王五", None, None, WANG, date(2025, 8, 10), "预备党员", "启明小区党支部/第一党小组", "13700137000",
         "3号楼2单元302", None],
    ]


def write_roster(path: Path, data: list[list], header: list | None = None) -> Path:
    """As a street office sends it: a merged title, a fill-in line, the header, a 合计 row."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "党员"
    ws.append(["幸福社区启明小区党员花名册"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header or HEADER))
    ws.append(["填报单位：启明小区党支部", None, None, None, "填报日期：2026年11月"])
    ws.append(header or HEADER)
    for row in data:
        ws.append(row)
    ws.append([None])
    ws.append(["合计", f"{len(data)} 人"])
    wb.save(path)
    return path


def build_qiming(store) -> None:
    """幸福社区 / 启明小区 with buildings 1-3 (2 units x 4 floors x 2 rooms), its branch and a party group."""
    with store.transaction() as s:
        community = org.ensure_community(s, name="幸福社区", street_name="和平街道")
        compound = org.add_compound(s, community_id=community.id, name="启明小区")
        for code in ("1", "2", "3"):
            org.add_building(s, compound_id=compound.id, code=code, units=2, floors=4, rooms_per_floor=2)
        committee = org.add_party_org(s, level="community_committee", name="幸福社区党委", community_id=community.id)
        branch = org.add_party_org(s, level="branch", name="启明小区党支部", parent_id=committee.id,
                                   compound_id=compound.id)
        org.add_party_org(s, level="party_group", name="第一党小组", parent_id=branch.id)


def plan(store, path, **kw):
    """The import plan of a file, read in a session of its own (nothing is written)."""
    with store.session() as s:
        return plan_import(s, path, **kw)


def apply(store, path, **kw) -> int:
    """Plan and apply a file in one transaction, as the command line does."""
    with store.transaction() as s:
        return apply_plan(s, plan_import(s, path, **kw))


def statuses(p) -> list[str]:
    return [r.status for r in p.rows]
