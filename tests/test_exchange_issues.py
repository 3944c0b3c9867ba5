"""The residents' issues in the Excel exchange: exported and read back in every step,
moved forward by an import through the 五事制's own steps (the import named in the
timeline), refused where a gate is not met or a step would go back, the package
carrying the lists and issues into a second database, and the command line."""
from __future__ import annotations

from datetime import timedelta

import openpyxl
import pytest
from exchange_helpers import build_qiming, plan
from list_helpers import (
    TODAY,
    data_rows,
    db_dump,
    edit_cell,
    fill_issues,
    fill_lists,
    header_of,
    needs_soffice,
    run_cli,
    via_libreoffice,
)

from branchdesk.exchange import writer as W
from branchdesk.exchange.importer import CHANGED, INVALID, NEW, UNCHANGED, PackagePlan, plan_import
from branchdesk.models.issues import DECIDED, DISCUSSED, DOING, RAISED, REVIEWED, SATISFIED
from branchdesk.models.lists import ISSUE_CATEGORY
from branchdesk.services import issues, lists
from branchdesk.store import open_store

HEADER = ["编号", "提出日期", "来源", "类别", "住址", "反映人", "问题描述", "进度", "定事内容", "责任人（单位）", "办结时限",
          "办理层级", "居民评价"]


@pytest.fixture
def filled(store):
    build_qiming(store)
    fill_issues(store)
    return store


def _issues(store) -> dict[str, object]:
    with store.session() as s:
        return {r.description: r for r in issues.issue_roster(s)}


def _write(path, rows, header=HEADER):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "问题台账"
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def _codes_by_state(path) -> dict[str, str]:
    """进度 → the record code of the exported issue there."""
    ws = openpyxl.load_workbook(path).active
    at = header_of(ws).index("进度")
    return {r[at]: r[0] for r in data_rows(ws)}


def _export(store, tmp_path, masked=True):
    path = tmp_path / "issues.xlsx"
    with store.session() as s:
        n = W.export_roster(s, "issues", path, masked=masked)
    return path, n


# ---- export → import -----------------------------------------------------------------------
@pytest.mark.parametrize("masked", [True, False])
def test_issues_in_every_step_come_back_unchanged(filled, tmp_path, capsys, masked):
    path, n = _export(filled, tmp_path, masked)
    assert n == 6
    ws = openpyxl.load_workbook(path).active
    header = header_of(ws)
    assert header[:3] == ["记录编号", "编号", "提出日期"]
    states = [r[header.index("进度")] for r in data_rows(ws)]
    assert states == ["提事", "议事", "定事", "干事", "评事", "已办结"]
    doing = data_rows(ws)[3]
    assert doing[header.index("公开承诺")] == "是" and doing[header.index("办理层级")] == "小区"
    assert doing[header.index("承诺办结日期")] == _midnight(TODAY + timedelta(days=3))
    assert doing[header.index("联系电话")] == ("138****8003" if masked else "13800138003")
    before = db_dump(filled)
    p = plan(filled, path)
    assert p.kind == "issues"
    assert [r.status for r in p.rows] == [UNCHANGED] * 6, [(r.problem_text(), r.changes) for r in p.rows]
    code, out, _err = run_cli(filled, capsys, "import", path)
    assert code == 0 and "没有需要导入的变化" in out
    assert db_dump(filled) == before


def _midnight(day):
    from datetime import datetime

    return datetime.combine(day, datetime.min.time())


@needs_soffice
def test_a_step_typed_in_libreoffice_moves_the_issue_on(filled, tmp_path, capsys):
    path, _n = _export(filled, tmp_path)
    code = _codes_by_state(path)["提事"]
    edit_cell(path, code, "进度", "议事")
    made = via_libreoffice(path, tmp_path)
    p = plan(filled, made)
    changed = [r for r in p.rows if r.status != UNCHANGED]
    assert [(r.status, [(c.label, c.old, c.new) for c in r.changes]) for r in changed] == [
        (CHANGED, [("进度", "提事", "议事")])]
    code_, out, _err = run_cli(filled, capsys, "import", made)
    assert code_ == 0 and "已导入 1 条" in out
    with filled.session() as s:
        issue = issues.get_issue(s, changed[0].record_id)
        assert issue.step == DISCUSSED and issue.accepted_at is not None
        last = issues.timeline(s, issue.id)[-1]
        assert (last.step, last.actor, last.note) == (DISCUSSED, f"导入：{made.name}", f"从“{made.name}”导入")
    assert all(r.status == UNCHANGED for r in plan(filled, made).rows)


# ---- new issues from a street office's list ----------------------------------------------------------
def test_new_issues_are_raised_and_taken_to_their_step(store, tmp_path, capsys):
    build_qiming(store)
    deadline = TODAY + timedelta(days=10)
    path = _write(tmp_path / "问题台账.xlsx", [
        ["A-7", TODAY - timedelta(days=4), "居民来访", "设施维修", "2-1-201", "赵阿姨", "单元门禁损坏", "干事",
         "更换门禁", "华仁物业公司", deadline, "社区", None],
        [None, TODAY - timedelta(days=2), "12345热线", "停车管理", None, None, "夜间占用消防通道", "提事", None, None,
         None, None, None],
        [None, TODAY - timedelta(days=9), "议事会", "绿化养护", None, "钱先生", "草坪斑秃补种", "已办结", "补种草皮",
         "物业", TODAY - timedelta(days=1), "小区", "满意"],
    ])
    p = plan(store, path)
    assert [r.status for r in p.rows] == [NEW] * 3, [r.problem_text() for r in p.rows]
    code, out, _err = run_cli(store, capsys, "import", path)
    assert code == 0 and "已导入 3 条" in out
    found = _issues(store)
    door, parking, lawn = found["单元门禁损坏"], found["夜间占用消防通道"], found["草坪斑秃补种"]
    assert (door.state, door.owner, door.deadline, door.level) == (DOING, "华仁物业公司", deadline, "community")
    assert door.number != "A-7"  # numbers are this database's own
    assert parking.state == RAISED and (lawn.state, lawn.verdict) == ("closed", SATISFIED)
    with store.session() as s:
        steps = [(e.step, e.actor) for e in issues.timeline(s, door.id)]
        assert steps == [(RAISED, "导入：问题台账.xlsx"), (DISCUSSED, "导入：问题台账.xlsx"),
                         (DECIDED, "导入：问题台账.xlsx"), (DOING, "导入：问题台账.xlsx")]
        assert issues.get_issue(s, door.id).household_id is not None
    before = db_dump(store)
    code, out, _err = run_cli(store, capsys, "import", path)  # the same file again: matched, nothing to do
    assert code == 0 and "没有需要导入的变化" in out
    assert db_dump(store) == before


# ---- the gates ------------------------------------------------------------------------------
def _one_problem(store, path) -> str:
    p = plan(store, path)
    [row] = p.rows
    assert row.status == INVALID
    return row.problem_text()


def test_decided_without_owner_or_deadline_is_refused(store, tmp_path, capsys):
    build_qiming(store)
    path = _write(tmp_path / "x.xlsx", [
        [None, TODAY, "居民来访", "设施维修", None, None, "路灯不亮", "定事", "换灯", None, None, "小区", None]])
    assert _one_problem(store, path) == ("进度：进度为“定事”的问题要有定事内容、责任人（单位）、办结时限和办理层级，"
                                         "这一行缺少责任人（单位）、办结时限：请补上，或把进度改为“议事”。")
    before = db_dump(store)
    code, _out, err = run_cli(store, capsys, "import", path)
    assert code == 1 and "没有导入任何数据" in err
    assert db_dump(store) == before


@pytest.mark.parametrize(("state", "verdict", "expected"), [
    ("已办结", None, "居民评价：进度为“已办结”的问题要填写居民评价（满意或基本满意）；办完还在等居民评价的问题请把进度填为“评事”。"),
    ("干事", "满意", "居民评价：居民评价要在评事时填写：请把进度改为“评事”或“已办结”，或清空居民评价。"),
    ("评事", "不满意", ("居民评价：导入不能记录“不满意”：居民不满意时问题要回到“干事”重新办理，请在软件中对这个问题评事，"
                       "或清空居民评价。")),
    ("已完成", None, "进度：进度“已完成”不在可选范围内，请填写：提事、议事、定事、干事、评事、已办结。"),
])
def test_a_verdict_or_a_step_that_does_not_fit(store, tmp_path, state, verdict, expected):
    build_qiming(store)
    path = _write(tmp_path / "x.xlsx", [
        [None, TODAY, "居民来访", "设施维修", None, None, "路灯不亮", state, "换灯", "物业", TODAY, "小区", verdict]])
    assert _one_problem(store, path) == expected


def test_a_step_back_is_refused(filled, tmp_path, capsys):
    path, _n = _export(filled, tmp_path)
    code = _codes_by_state(path)["干事"]
    edit_cell(path, code, "进度", "议事")
    before = db_dump(filled)
    rc, out, _err = run_cli(filled, capsys, "import", path)
    assert rc == 1
    assert "进度：问题在系统中已处于“干事”，文件中是“议事”：五事制的步骤不能后退，请核对进度。" in out
    assert db_dump(filled) == before


def test_a_review_recorded_and_a_decision_revised(filled, tmp_path, capsys):
    path, _n = _export(filled, tmp_path)
    rows = _codes_by_state(path)
    edit_cell(path, rows["评事"], "居民评价", "基本满意")
    edit_cell(path, rows["定事"], "定事内容", "先清理再装监控")
    p = plan(filled, path)
    changed = {r.record_id: [(c.label, c.new) for c in r.changes] for r in p.rows if r.status == CHANGED}
    assert len(changed) == 2 and p.count(INVALID) == 0
    assert run_cli(filled, capsys, "import", path)[0] == 0
    with filled.session() as s:
        reviewed = issues.get_issue(s, W.parse_record_code(rows["评事"])[1])
        decided = issues.get_issue(s, W.parse_record_code(rows["定事"])[1])
        assert issues.is_closed(reviewed) and reviewed.verdict == "basically"
        assert (decided.step, decided.decision) == (DECIDED, "先清理再装监控")


def test_an_unknown_issue_category_names_the_list(store, tmp_path, capsys):
    build_qiming(store)
    path = _write(tmp_path / "问题.xlsx", [
        [None, TODAY, "居民来访", "宠物扰民", None, None, "狗叫", "提事", None, None, None, None, None]])
    problem = _one_problem(store, path)
    assert problem.startswith("类别：问题类别“宠物扰民”不在系统的问题类别中：请先在软件的“设置 ▸ 选项列表 ▸ 问题类别”中添加这个问题类别，"
                              "或改为以下之一：环境卫生、设施维修、")
    with store.transaction() as s:
        lists.add_choice(s, ISSUE_CATEGORY, "宠物扰民")
    assert run_cli(store, capsys, "import", path)[0] == 0


def test_a_template_for_issues(store, tmp_path, capsys):
    code, _out, _err = run_cli(store, capsys, "template", "issues", tmp_path / "t.xlsx")
    assert code == 0
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx").active
    header = [c.value for c in ws[1]]
    assert header[:4] == ["编号", "*提出日期", "*来源", "*类别"] and "定事内容" in header and "*定事内容" not in header
    lists_ = [dv.formula1 for dv in ws.data_validations.dataValidation]
    assert '"提事,议事,定事,干事,评事,已办结"' in lists_ and '"小区,社区,街道,职能部门"' in lists_
    assert '"满意,基本满意,不满意"' in lists_ and any("入户走访" in f for f in lists_)


# ---- the package ------------------------------------------------------------------------------
def test_the_package_carries_the_lists_and_issues_into_another_database(tmp_path, capsys):
    source = open_store(tmp_path / "source.db", create=True)
    target = open_store(tmp_path / "target.db", create=True)
    try:
        fill_lists(source)
        fill_issues(source)
        build_qiming(target)  # the other branch's database, with the same community and compound
        path = tmp_path / "数据包.xlsx"
        code, out, _err = run_cli(source, capsys, "export", "package", path)
        assert code == 0 and "需求清单 3 条" in out and "居民问题 6 条" in out
        wb = openpyxl.load_workbook(path)
        facts = {r[0]: r[1] for r in wb["基本信息"].iter_rows(values_only=True) if r[0]}
        assert (facts["需求清单条数"], facts["资源清单条数"], facts["责任清单条数"], facts["红色合伙人条数"],
                facts["居民问题条数"]) == (3, 3, 2, 2, 6)
        with target.session() as s:
            p = plan_import(s, path)
        assert isinstance(p, PackagePlan) and p.foreign and not p.invalid
        assert {sub.kind: sub.count(NEW) for sub in p.plans if sub.kind in W.LIST_KINDS} == {
            "partners": 2, "resources": 3, "demands": 3, "responsibilities": 2, "issues": 6}
        code, out, _err = run_cli(target, capsys, "import", path)
        assert code == 0, out
        with source.session() as a, target.session() as b:
            for listed in (lists.list_partners, lists.list_demands, lists.list_responsibilities):
                assert len(listed(a)) == len(listed(b))
            mine = {r.description: (r.state, r.owner, r.deadline, r.verdict, r.committed) for r in issues.issue_roster(a)}
            theirs = {r.description: (r.state, r.owner, r.deadline, r.verdict, r.committed)
                      for r in issues.issue_roster(b)}
            assert mine == theirs
            provided = {r.title: r.provider_name for r in lists.list_resources(b)}
            assert provided["每月一次义诊"] == "市北区人民医院"
        before = db_dump(target)
        code, out, _err = run_cli(target, capsys, "import", path)  # merged once: again, nothing changes
        assert code == 0 and "没有需要导入的变化" in out, out
        assert db_dump(target) == before
    finally:
        source.close()
        target.close()


def test_exit_codes(filled, tmp_path, capsys):
    path, _n = _export(filled, tmp_path)
    assert run_cli(filled, capsys, "import", path, "--kind", "issues", "--dry-run")[0] == 0
    bad = _write(tmp_path / "bad.xlsx", [[None, "明天", "居民来访", "设施维修", None, None, "x", "提事"] + [None] * 5])
    assert run_cli(filled, capsys, "import", bad)[0] == 1
    code, _out, err = run_cli(filled, capsys, "import", path, "--kind", "issuez")
    assert code == 2 and "不认识的名册类型" in err
    assert run_cli(filled, capsys, "export", "issues", tmp_path / "no" / "x.xlsx")[0] == 2


# ---- the service the import moves issues with -------------------------------------------------------
def test_advance_issue_takes_each_step_in_turn_and_never_back(filled):
    from branchdesk.services import ValidationFailed

    made = fill_issues(filled)  # a second set, raised days ago
    at = TODAY
    from datetime import datetime

    now = datetime.combine(at, datetime.min.time()).replace(hour=9)
    with filled.transaction() as s:
        issues.advance_issue(s, made["raised"], DOING, at=now, actor="导入：a.xlsx", note="从“a.xlsx”导入",
                             decision={"decision": "清理", "owner": "物业", "deadline": at, "level": "社区"})
        events = [(e.step, e.actor, e.note) for e in issues.timeline(s, made["raised"])][1:]
        assert [e[0] for e in events] == [DISCUSSED, DECIDED, DOING]
        assert all(e[1] == "导入：a.xlsx" and "从“a.xlsx”导入" in e[2] for e in events)
    with filled.transaction() as s:
        with pytest.raises(ValidationFailed) as refused:
            issues.advance_issue(s, made["doing"], DISCUSSED, at=now)
        assert refused.value.errors["state"].endswith("不能退回“议事”：五事制的步骤只能向前。")
        with pytest.raises(ValidationFailed):  # 已办结 needs the residents' verdict
            issues.advance_issue(s, made["reviewed"], "closed", at=now)
        issues.advance_issue(s, made["reviewed"], REVIEWED, at=now, verdict="满意")
        assert issues.state_of(issues.get_issue(s, made["reviewed"])) == "closed"
        assert issues.get_issue(s, made["doing"]).step == DOING
