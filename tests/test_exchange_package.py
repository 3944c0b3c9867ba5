"""The sync package: every roster in one workbook after a sheet of facts; brought
back into its own database it changes nothing, merged into another branch's
database it brings the whole organisation along, and a bad row anywhere leaves
the database exactly as it was."""
from __future__ import annotations

import openpyxl
import pytest
from exchange_helpers import build_qiming
from sqlalchemy import func, select

from branchdesk import __version__
from branchdesk.cli import main as cli_main
from branchdesk.exchange import ExchangeError
from branchdesk.exchange import writer as W
from branchdesk.exchange.importer import (
    INVALID,
    NEW,
    UNCHANGED,
    PackagePlan,
    apply_plan,
    plan_import,
    write_error_workbook,
)
from branchdesk.models import (
    Building,
    BuildingLeader,
    CenterHousehold,
    Community,
    Compound,
    Household,
    Member,
    PartyOrg,
    Resident,
    Unit,
)
from branchdesk.services import org, people
from branchdesk.services.demo import fill_demo
from branchdesk.services.meta import database_id
from branchdesk.store import open_store

MODELS = (Community, Compound, Household, PartyOrg, Member, BuildingLeader, CenterHousehold)


def _totals(store) -> dict[str, int]:
    with store.session() as s:
        return {m.__name__: s.scalar(select(func.count()).select_from(m)) for m in MODELS}


@pytest.fixture
def demo_package(tmp_path_factory):
    """The demo community's package, exported full, and the database it came from."""
    folder = tmp_path_factory.mktemp("package")
    source = open_store(folder / "source.db", create=True)
    with source.transaction() as s:
        fill_demo(s)
        counts = W.export_package(s, folder / "光明社区数据包.xlsx", prepared_by="周建华")
    yield source, folder / "光明社区数据包.xlsx", counts
    source.close()


def test_package_holds_every_roster_after_its_facts(demo_package):
    source, path, counts = demo_package
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["基本信息", "住户花名册", "党组织名册", "党员花名册", "楼栋长花名册", "党员中心户花名册",
                             "红色合伙人", "资源清单", "需求清单", "责任清单", "居民问题", "会议", "议程与决议", "签到"]
    facts = {r[0]: r[1] for r in wb["基本信息"].iter_rows(min_row=3, values_only=True) if r[0] and r[1]}
    with source.session() as s:
        assert facts["数据库标识"] == database_id(s) != ""
        assert facts["党员花名册条数"] == counts["members"] == len(people.list_members(s))
    assert facts["社区"] == "光明社区" and facts["小区"] == "光明里、阳光花园"
    assert facts["软件版本"] == __version__ and facts["身份证号和电话"] == "完整号码"
    members = wb["党员花名册"]
    header = [c.value for c in members[W.HEADER_ROW]]
    first = [c.value for c in members[W.HEADER_ROW + 1]]
    assert "*" not in first[header.index("身份证号")]  # full numbers: a package is for merging
    # every address names its compound, and a party group its branch
    assert first[header.index("住址")].startswith(("光明里", "阳光花园"))
    assert " / " in first[header.index("所在支部")] or first[header.index("所在支部")].endswith("支部")


def test_package_back_into_its_own_database_changes_nothing(demo_package):
    source, path, _counts = demo_package
    before = _totals(source)
    with source.transaction() as s:
        plan = plan_import(s, path)
        assert isinstance(plan, PackagePlan) and not plan.foreign
        assert [p.kind for p in plan.plans] == list(W.PACKAGE_KINDS)
        assert plan.counts[UNCHANGED] == sum(len(p.rows) for p in plan.plans) > 1800
    assert _totals(source) == before


def test_another_branchs_package_merges_with_its_organisation(demo_package, store, tmp_path):
    _source, path, counts = demo_package
    build_qiming(store)  # 幸福社区 / 启明小区 with buildings 1-3: the demo has buildings 1-3 too
    before = _totals(store)
    with store.transaction() as s:
        plan = plan_import(s, path)
        assert plan.foreign and not plan.invalid
        assert {p.kind: p.count(NEW) for p in plan.plans} == counts
    assert _totals(store) == before  # planning wrote nothing
    with store.transaction() as s:
        apply_plan(s, plan)
    after = _totals(store)
    assert after["Community"] == 2 and after["Compound"] == 3
    assert after["Member"] == counts["members"] and after["CenterHousehold"] == counts["center-households"]
    assert after["Household"] == before["Household"] + counts["households"]
    with store.session() as s:
        # the demo's compounds joined their own community; 启明小区 kept its buildings
        names = dict(s.execute(select(Compound.name, Community.name).join(Community)).all())
        assert names == {"启明小区": "幸福社区", "阳光花园": "光明社区", "光明里": "光明社区"}
        # members live in the demo's compounds, none in 启明小区's buildings of the same numbers
        homes = s.execute(select(Compound.name, func.count()).select_from(Member).join(Resident)
                          .join(Household).join(Unit).join(Building).join(Compound).group_by(Compound.name)).all()
        assert {name for name, _n in homes} == {"阳光花园", "光明里"}
        assert sum(n for _name, n in homes) == counts["members"]
    # merging the same package again changes nothing
    with store.transaction() as s:
        again = plan_import(s, path)
        assert again.counts[NEW] == 0 and again.counts[INVALID] == 0

    # the street office's database, with both communities, gathered into a new one keeps them apart
    with store.session() as s:
        W.export_package(s, tmp_path / "街道汇总.xlsx")
    with open_store(tmp_path / "new.db", create=True) as fresh:
        with fresh.transaction() as s:
            apply_plan(s, plan_import(s, tmp_path / "街道汇总.xlsx"))
        with fresh.session() as s:
            assert dict(s.execute(select(Compound.name, Community.name).join(Community)).all()) == names
        assert _totals(fresh) == after


def test_a_bad_row_in_one_sheet_rejects_the_whole_package(demo_package, store, tmp_path):
    _source, path, _counts = demo_package
    wb = openpyxl.load_workbook(path)
    ws = wb["楼栋长花名册"]
    header = [c.value for c in ws[W.HEADER_ROW]]
    ws.cell(W.HEADER_ROW + 2, header.index("联系电话") + 1).value = 1012345678  # 010-12345678 lost its 0
    bad = tmp_path / "有错的数据包.xlsx"
    wb.save(bad)
    with store.transaction() as s:
        org.ensure_community(s, name="幸福社区")
    before = _totals(store)
    with store.transaction() as s:
        plan = plan_import(s, bad)
        assert [(p.sheet_name, r.excel_row) for p, r in plan.invalid] == [("楼栋长花名册", W.HEADER_ROW + 2)]
        assert "文本" in plan.invalid[0][1].problem_text()
        with pytest.raises(ExchangeError, match="没有导入任何数据"):
            apply_plan(s, plan)
    assert _totals(store) == before
    write_error_workbook(plan, tmp_path / "errors.xlsx")
    errors = openpyxl.load_workbook(tmp_path / "errors.xlsx")
    assert errors.sheetnames == ["楼栋长花名册"]
    assert errors["楼栋长花名册"].cell(2, 1).value == W.HEADER_ROW + 2

    # from the command line: exit 1, nothing changed
    db = store.path
    store.close()
    assert cli_main(["--db", str(db), "import", str(bad)]) == 1
    with open_store(db) as again:
        assert _totals(again) == before


def test_package_from_the_command_line(demo_package, tmp_path, capsys):
    _source, path, counts = demo_package
    db = tmp_path / "street.db"
    open_store(db, create=True).close()
    assert cli_main(["--db", str(db), "import", str(path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "是数据包" in out and "工作表“党员花名册”：新增 " in out
    assert cli_main(["--db", str(db), "import", str(path)]) == 0
    assert f"已导入 {sum(counts.values())} 条" in capsys.readouterr().out
    out_file = tmp_path / "汇总.xlsx"
    assert cli_main(["--db", str(db), "export", "package", str(out_file)]) == 0
    assert "全部数据" in capsys.readouterr().out
    assert cli_main(["--db", str(db), "import", str(out_file)]) == 0
    assert "没有需要导入的变化" in capsys.readouterr().out


def test_a_single_roster_is_not_a_package(store, tmp_path):
    with store.transaction() as s:
        fill_demo(s)
        W.export_roster(s, "members", tmp_path / "m.xlsx")
    with store.transaction() as s, pytest.raises(ExchangeError, match="不是 branchdesk 导出的数据包"):
        plan_import(s, tmp_path / "m.xlsx", kind="package")
