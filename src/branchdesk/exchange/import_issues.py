"""Importing the residents' issues (居民问题), keeping the 五事制's gates.

A row is an issue found by its record code (记录编号, from an export), else by its
编号 (2026-0001) with the same 提出日期, else by 提出日期, 类别 and 问题描述. A new
issue is raised with raise_issue and gets this database's next number.

Steps: a row may say where its issue stands (进度: 提事, 议事, 定事, 干事, 评事 or
已办结). When that is further on than the database has it, the import moves the issue
forward through services/issues.py (advance_issue: discuss, decide, start_work,
finish_work, review in turn), each step recorded in the timeline at the time of the
import, by “导入：<file>” with the note “从“<file>”导入”; a new issue is raised and
moved the same way. A step back is always refused. The gates are the window's: from
定事 on the row must carry 定事内容, 责任人（单位）, 办结时限 and 办理层级; 已办结 needs
the residents' 居民评价 (满意 or 基本满意), and a 评事 row with one is closed with it.
A 评事 row without a verdict is an issue done and waiting for the residents, as
finish_work leaves it: that is the window's own state (refusing it would make every
export, and every package, with such an issue impossible to import). 不满意 is
refused: it sends the issue back to 干事, which is done in the window. A decision may be revised while the issue is at 定事; a public
promise (公开承诺, 承诺办结日期) is made or moved with commit, never withdrawn.

What was registered (来源, 类别, 楼栋, 住址, 地点, 反映人, 联系电话, 问题描述) is
corrected through update_issue, whose timeline line says old → new; 提出日期 cannot
change (the time limits count from it), and the number is this database's."""
from __future__ import annotations

from dataclasses import replace

from ..fields import DECISION_FIELDS, ISSUE_CLOSED_STATE, ISSUE_FIELDS, ISSUE_STATES, by_key
from ..models.issues import DECIDED, RAISED, REVIEWED, UNSATISFIED
from ..models.lists import ISSUE_CATEGORY, ISSUE_SOURCE
from ..services import issues
from .listing import ADDRESS_REF, BUILDING_REF, ListSpec, Lookups, check_choice
from .writer import CODE_FIELD, ISSUE_COLUMNS, ISSUES, ROSTER_NAMES

I = by_key(ISSUE_COLUMNS)
STATE_LABELS = dict(ISSUE_STATES)
_ORDER = {state: n for n, (state, _label) in enumerate(ISSUE_STATES)}
_DECISION = tuple(f.key for f in DECISION_FIELDS)
_COMMITMENT = ("committed", "promised_on")
_REGISTERED = tuple(f.key for f in ISSUE_FIELDS if f.key != "number")
_CORRECTED = tuple(k for k in _REGISTERED if k != "raised_at")  # what update_issue corrects
_CHOICE_LISTS = {"category": ISSUE_CATEGORY, "source": ISSUE_SOURCE}
_KEYS = tuple(I)


def _state_label(state: str) -> str:
    return STATE_LABELS[state]


def _given(values: dict, old: dict | None, key: str):
    return values[key] if key in values else (old or {}).get(key)


def _check(lookups: Lookups, values: dict, old: dict | None, errors: dict) -> None:
    for key, name in (("category", "问题类别"), ("source", "问题来源")):
        if old is None or values.get(key, old[key]) != old[key]:
            check_choice(lookups, _CHOICE_LISTS[key], name, values.get(key), errors, key, name)
    if old is not None and "raised_at" in values and values["raised_at"] != old["raised_at"]:
        errors.setdefault("raised_at", f"问题 {old['number']} 的提出日期不能修改（办理时限从这一天算起），请改回"
                                       f"{old['raised_at']:%Y-%m-%d}。")
    current = old["state"] if old else RAISED
    state = values.get("state") or current
    verdict = _given(values, old, "verdict")
    if verdict == UNSATISFIED:
        errors.setdefault("verdict", "导入不能记录“不满意”：居民不满意时问题要回到“干事”重新办理，请在软件中对这个问题评事，"
                                     "或清空居民评价。")
        return
    if state == REVIEWED and verdict:
        state = ISSUE_CLOSED_STATE  # reviewed and the residents satisfied: 已办结
    if "state" in values or state != current:
        values["state"] = state
    if _ORDER[state] < _ORDER[current]:
        errors.setdefault("state", f"问题在系统中已处于“{_state_label(current)}”，文件中是“{_state_label(state)}”："
                                   "五事制的步骤不能后退，请核对进度。")
        return
    if _ORDER[state] >= _ORDER[DECIDED]:
        missing = [I[k].label for k in _DECISION if not _given(values, old, k)]
        if missing:
            errors.setdefault("state", f"进度为“{_state_label(state)}”的问题要有定事内容、责任人（单位）、办结时限和办理层级，"
                                       f"这一行缺少{'、'.join(missing)}：请补上，或把进度改为“议事”。")
    if state == ISSUE_CLOSED_STATE and not verdict:
        errors.setdefault("verdict", f"进度为“{_state_label(ISSUE_CLOSED_STATE)}”的问题要填写居民评价（满意或基本满意）；"
                                     "办完还在等居民评价的问题请把进度填为“评事”。")
    if verdict and _ORDER[state] < _ORDER[REVIEWED]:
        errors.setdefault("verdict", "居民评价要在评事时填写：请把进度改为“评事”或“已办结”，或清空居民评价。")
    if old is not None and any(k in values and values[k] != old[k] for k in _DECISION) \
            and _ORDER[current] > _ORDER[DECIDED]:
        errors.setdefault("decision", f"问题 {old['number']} 已经开始干事，定事内容、责任人、办结时限和办理层级"
                                      "不能再修改，请改回原样。")
    committed = _given(values, old, "committed") or bool(_given(values, old, "promised_on"))
    if old is not None and old["committed"] and values.get("committed") is False:
        errors.setdefault("committed", "公开承诺不能通过导入撤销，请改回“是”。")
    elif committed and not _given(values, old, "promised_on"):
        errors.setdefault("promised_on", "公开承诺的问题要填写承诺办结日期。")
    elif committed and values.get("promised_on") and not _given(values, old, "committed"):
        values["committed"] = True


def _save(lookups: Lookups, record_id, values: dict, row: dict) -> int:
    session = lookups.session
    actor = f"导入：{lookups.file_name}"[:50]
    note = f"从“{lookups.file_name}”导入"
    at = lookups.now
    if record_id is None:
        base = {k: values.get(k) for k in _REGISTERED if k in values}
        record_id = issues.raise_issue(session, base, at=at, actor=actor)
        issue = issues.get_issue(session, record_id)
    else:
        corrected = {k: values[k] for k in _CORRECTED if k in values}
        if corrected:
            issues.update_issue(session, record_id, corrected, at=at, actor=actor)
        issue = issues.get_issue(session, record_id)
        if issue.step == DECIDED and any(k in values for k in _DECISION):
            issues.decide(session, record_id, {k: row.get(k) for k in _DECISION}, at=at, actor=actor, note=note)
    if row.get("committed") and (not issue.committed or issue.promised_on != row.get("promised_on")):
        issues.commit(session, record_id, row["promised_on"], at=at, actor=actor)
    state = row.get("state") or issues.state_of(issue)
    if state != issues.state_of(issue):
        issues.advance_issue(session, record_id, state, at=at, actor=actor, note=note,
                             decision={k: row.get(k) for k in _DECISION}, verdict=row.get("verdict") or None)
    return record_id


def _snapshot(lookups: Lookups) -> dict[int, dict]:
    found = {}
    for r in issues.issue_roster(lookups.session):
        values = {k: getattr(r, k) for k in _KEYS if k != "address"}
        values["address"] = r.household_id
        values["committed"] = bool(r.committed)
        found[r.id] = values
    return found


def _identity(v: dict) -> list[tuple]:
    keys = []
    if v.get("number") and v.get("raised_at"):
        keys.append(("number", v["number"], v["raised_at"]))
    if v.get("raised_at") and v.get("category") and v.get("description"):
        keys.append(("text", v["raised_at"], v["category"], v["description"]))
    return keys


def _describe(v: dict) -> str:
    text = v.get("description") or ""
    return v.get("number") or (text if len(text) <= 20 else text[:20] + "…")


ISSUES_SPEC = ListSpec(
    ISSUES, ROSTER_NAMES[ISSUES], ISSUE_COLUMNS, (),
    snapshot=_snapshot,
    identity=_identity,
    save=_save,
    describe=_describe,
    refs={"address": ADDRESS_REF, "building_id": BUILDING_REF},
    check=_check,
    # the number is this database's: a file's other number (from elsewhere) is no change
    same=lambda key, a, b: True if key == "number" else (bool(a) == bool(b) if key == "committed" else a == b),
    # the record code has no 编号 wording here: that is the issue's number
    code_field=replace(CODE_FIELD, headers=()),
)
KIND = ISSUES_SPEC.kind()
