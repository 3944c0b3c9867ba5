"""The lists and the residents' issues of a small branch, entered through the
services, and the steps the exchange tests of both take with them."""
from __future__ import annotations

import shutil
import subprocess
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from exchange_helpers import build_qiming
from test_exchange_files import db_dump  # noqa: F401  (re-exported for the list and issue tests)

from branchdesk.cli import main as cli_main
from branchdesk.exchange import writer as W
from branchdesk.services import issues, lists

needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
TODAY = date.today()
NOW = datetime.now().replace(microsecond=0)


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def fill_lists(store) -> None:
    """启明小区 with two partners, three resources, three demands and two duties."""
    build_qiming(store)
    with store.transaction() as s:
        hospital = lists.save_partner(s, {"name": "市北区人民医院", "kind": "医院", "contact_name": "于浩洁",
                                          "contact_phone": "13867221981", "offers": "义诊、健康讲座",
                                          "response_level": "急时应急", "agreement_on": ago(200)})
        lists.save_partner(s, {"name": "敦化路小学", "kind": "学校", "response_level": "平时服务"})
        lists.save_resource(s, {"title": "每月一次义诊", "categories": ["健康保健", "助老助残"],
                                "partner_id": hospital, "period": "长期"})
        lists.save_resource(s, {"title": "楼道照明维修", "categories": "便民维修", "provider_kind": "职能部门",
                                "provider_name": "华仁物业公司", "contact_name": "熊英",
                                "contact_phone": "16661817963"})
        lists.save_resource(s, {"title": "暑期托管", "categories": "亲子娱乐", "provider_name": "敦化路小学",
                                "capacity": "30 人"})
        lists.save_demand(s, {"category": "健康保健", "description": "独居老人希望定期上门测血压",
                              "address": "2-1-201", "contact_phone": "19983666490", "urgency": "较急",
                              "raised_on": ago(30)}, today=TODAY)
        lists.save_demand(s, {"category": "文体赛事", "description": "希望组织广场舞比赛", "raised_by": "文体队",
                              "urgency": "一般", "raised_on": ago(10)}, today=TODAY)
        lists.save_demand(s, {"category": "便民维修", "description": "楼道照明损坏", "building_id": _building(s, "3"),
                              "raised_by": "3号楼居民", "urgency": "紧急", "raised_on": ago(3)}, today=TODAY)
        duty = lists.save_responsibility(s, {"title": "小区消防通道清理", "owner_unit": "物业公司", "owner_name": "汪福建",
                                             "deadline": TODAY + timedelta(days=20), "source": "街道党工委"})
        lists.set_responsibility_status(s, duty, "进行中", on=TODAY)
        lists.save_responsibility(s, {"title": "垃圾分类宣传", "owner_unit": "业委会", "source": "社区党委"})


def _building(session, code: str) -> int:
    from branchdesk.services import org

    return next(c.id for c in org.building_choices(session) if c.label == f"{code}号楼")


ROOMS = ("1-1-101", "1-1-102", "1-1-201", "1-1-202", "1-2-101", "1-2-102")
DECISION = {"decision": "联系物业更换路灯", "owner": "华仁物业公司", "level": "小区"}


def fill_issues(store) -> dict[str, int]:
    """One issue at each step of the 五事制, one waiting for its verdict and one closed."""
    with store.transaction() as s:
        made = {}
        for n, state in enumerate(("raised", "discussed", "decided", "doing", "reviewed", "closed")):
            iid = issues.raise_issue(s, {"source": "入户走访", "category": "环境卫生", "address": ROOMS[n],
                                         "reporter_name": f"居民{n}", "reporter_phone": f"1380013800{n}",
                                         "description": f"楼道堆物第 {n} 处", "raised_at": ago(20 - n)},
                                     at=NOW - timedelta(days=20 - n))
            at = NOW - timedelta(days=5)
            if state != "raised":
                issues.advance_issue(s, iid, state, at=at, actor="王书记",
                                     decision={**DECISION, "deadline": TODAY + timedelta(days=5)},
                                     verdict="满意" if state == "closed" else None)
            made[state] = iid
        issues.commit(s, made["doing"], TODAY + timedelta(days=3), at=NOW, actor="王书记")
        return made


def run_cli(store, capsys, *args) -> tuple[int, str, str]:
    code = cli_main(["--db", str(store.path), *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def header_of(ws) -> list:
    return [c.value for c in ws[W.HEADER_ROW]]


def data_rows(ws) -> list[list]:
    """The data rows of an export (below the header, above the blank row and the sign-off)."""
    rows = []
    for r in ws.iter_rows(min_row=W.HEADER_ROW + 1, values_only=True):
        if not any(v is not None for v in r):
            break
        rows.append(list(r))
    return rows


def edit_cell(path: Path, code: str, column: str, value) -> None:
    """Set one cell of the export's row with record code `code`."""
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    col = header_of(ws).index(column) + 1
    row = next(r for r in range(W.HEADER_ROW + 1, ws.max_row + 1) if ws.cell(r, 1).value == code)
    ws.cell(row, col).value = value
    wb.save(path)


def via_libreoffice(source: Path, tmp_path: Path) -> Path:
    """source saved again by LibreOffice as .xlsx, as a secretary's office suite would."""
    out = tmp_path / "by-libreoffice"
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless",
                    "--convert-to", "xlsx", "--outdir", str(out), str(source)],
                   check=True, capture_output=True, timeout=180)
    [made] = out.iterdir()
    return made
