"""Residents' issues in the window: 提事 in a form fast enough for the service desk,
and each issue's own dialog with its timeline and the one next step it can take
(议事 → 定事 → 干事 → 办结 → 评事), each step a small form checked by the service."""
from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog, QFormLayout, QHBoxLayout, QLabel, QMessageBox, QPushButton, QTreeWidget,
    QTreeWidgetItem, QVBoxLayout, QWidget,
)

from .. import fields as F
from ..fields import COMMITMENT_FIELDS, DECISION_FIELDS, ISSUE_FIELDS, ISSUE_STEPS, STEP_NOTE, VERDICT_FIELD, Field
from ..models.issues import DECIDED, DISCUSSED, DOING, RAISED, REVIEWED
from ..services import NotFound, ValidationFailed, org
from ..services import issues as S
from ..store import Store
from .field_inputs import FORM_STYLE, make_input
from .forms import RecordForm, Section, address_suggestions, run_form
from .widgets import grow_to_fit, message_label, ok_cancel

STEP_LABELS = dict(ISSUE_STEPS)
ACTOR = Field("actor", "经办人", max_length=50, width=6, hint="谁做的这一步，如 周书记、网格员李娟")
I = F.by_key(ISSUE_FIELDS)


def now() -> datetime:
    """The one place the window reads the clock for the issue steps."""
    return datetime.now().replace(microsecond=0)


# ---- 提事 --------------------------------------------------------------------------------
class IssueForm(RecordForm):
    """Raising an issue: type, Tab, type, Ctrl+S; the usual source and today's date
    are already filled in."""

    NOUN = "问题"
    # the order typed at the desk: what, then where and who; date and source are filled in
    FIELDS = tuple(I[k] for k in ("category", "description", "address", "building_id", "place", "reporter_name",
                                  "reporter_phone", "source", "raised_at"))
    MIN_WIDTH = 760
    COLUMNS = (
        (Section("问题", ("category", "description", "source", "raised_at")),
         Section("地点与反映人", ("address", "building_id", "place", "reporter_name", "reporter_phone"))),
    )

    def load_choices(self, session):
        self.inputs["category"].set_options(S.issue_categories(session))
        self.inputs["source"].set_options(S.issue_sources(session))
        self.inputs["building_id"].set_choices((c.id, c.label) for c in org.building_choices(session))
        self.inputs["address"].set_suggestions(address_suggestions(org.household_refs(session)))

    def defaults(self):
        return {"raised_at": date.today(), "source": "居民来访"}

    def record_name(self, values):
        return values.get("number") or ""

    def load_record(self, session, record_id):
        return S.get_raised(session, record_id)

    def set_values(self, values):
        super().set_values(values)
        if self.record_id is not None:  # the day raised carries the time limits: it stays
            self.inputs["raised_at"].editor.setEnabled(False)

    def save(self) -> bool:
        """Before a new issue is saved: the same category already open in that building?"""
        if self.record_id is not None:
            return super().save()
        raw = self.raw_values()
        building = raw.get("building_id")
        with self.store.session() as session:
            if raw.get("address") and not building:
                try:
                    household = org.resolve_household(session, raw["address"])
                    building = next(r.building_id for r in org.household_refs(session) if r.id == household)
                except Exception:  # the service says what is wrong with the address on saving
                    building = None
            similar = S.similar_open_issues(session, building_id=building, category=(raw.get("category") or "").strip())
        if similar:
            listed = "\n".join(f"· {r.number}（{STEP_LABELS[r.step]}）{r.description[:40]}" for r in similar[:5])
            box = QMessageBox(QMessageBox.Icon.Question, "已有相同的问题",
                              f"这栋楼已有 {len(similar)} 件未办结的“{raw.get('category')}”问题：\n{listed}\n\n"
                              "仍要登记为一件新问题吗？", QMessageBox.StandardButton.NoButton, self)
            box.setObjectName("similarIssues")
            add = box.addButton("仍然登记", QMessageBox.ButtonRole.AcceptRole)
            box.addButton("返回修改", QMessageBox.ButtonRole.RejectRole)
            box.exec()
            if box.clickedButton() is not add:
                return False
        return super().save()

    def save_record(self, session, raw):
        if self.record_id is None:
            return S.raise_issue(session, raw, at=now())
        raw = dict(raw)
        raw.pop("raised_at", None)
        if str(raw.get("address") or "").strip():
            raw.pop("building_id", None)  # the address names the building
        S.update_issue(session, self.record_id, raw, at=now())
        return self.record_id


def open_issue(parent: QWidget | None, store: Store, record_id: int | None) -> int | None:
    """New: the 提事 form. Existing: the issue's own dialog (timeline and next step)."""
    if record_id is None:
        return run_form(IssueForm, parent, store, None)
    try:
        dialog = IssueDialog(store, record_id, parent)
    except NotFound:
        QMessageBox.information(parent, "记录已删除", "这件问题已被删除（可能刚刚在别处删除），请刷新列表。")
        return None
    try:
        dialog.exec()
        return record_id if dialog.changed else None
    finally:
        dialog.deleteLater()


# ---- one step -----------------------------------------------------------------------------
class StepDialog(QDialog):
    """The fields of one step (a note, or the decision, or the verdict) and who did it;
    run() calls the service and shows its messages beside the fields."""

    def __init__(self, title: str, fields: tuple[Field, ...], run, parent: QWidget, values: dict | None = None,
                 *, with_actor: bool = True, make=make_input):
        super().__init__(parent)
        self.setObjectName("stepDialog")
        self.setStyleSheet(FORM_STYLE)  # a wrong field turns red as in every form
        self.setWindowTitle(title)
        self.run = run
        # make(field, parent): the input for each field (a page may pick a searchable member picker)
        self.inputs = {f.key: make(f, self) for f in (*fields, *((ACTOR,) if with_actor else ()))}
        form = QFormLayout()
        for inp in self.inputs.values():
            form.addRow(inp.label, inp.container)
            inp.advance.connect(self.focusNextChild)
        for key, value in (values or {}).items():
            self.inputs[key].set_value(value)
        self.message = message_label(self, "stepMessage")
        buttons = ok_cancel(self, "确定", "stepOk", self.confirm)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.confirm)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.resize(max(480, self.sizeHint().width()), self.sizeHint().height())

    def confirm(self) -> None:
        raw = {key: inp.raw() for key, inp in self.inputs.items()}
        for inp in self.inputs.values():
            inp.set_error(None)
        self.message.hide()
        try:
            self.run(raw)
        except ValidationFailed as exc:
            shown = False
            for key, text in exc.errors.items():
                if key in self.inputs:
                    self.inputs[key].set_error(text)
                    shown = True
            if not shown or any(key not in self.inputs for key in exc.errors):
                self.message.setText("；".join(t for k, t in exc.errors.items() if k not in self.inputs) or str(exc))
                self.message.show()
            grow_to_fit(self)
            return
        self.accept()


# ---- the issue's own dialog ----------------------------------------------------------------------
class IssueDialog(QDialog):
    def __init__(self, store: Store, issue_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.issue_id = store, issue_id
        self.changed = False
        self.setObjectName("issueDialog")
        self.setSizeGripEnabled(True)
        self.summary = QLabel(self)
        self.summary.setObjectName("issueSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.timeline = QTreeWidget(self)
        self.timeline.setObjectName("timeline")
        self.timeline.setHeaderLabels(["时间", "步骤", "经办人", "情况"])
        self.timeline.setRootIsDecorated(False)
        self.timeline.setWordWrap(True)
        self.step_buttons = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for key, text, slot in (("discuss", "议事（受理）…", self.discuss), ("decide", "定事…", self.decide),
                                ("start", "开始干事…", self.start), ("progress", "记录进展…", self.progress),
                                ("finish", "办结…", self.finish), ("review", "评事…", self.review),
                                ("commit", "公开承诺…", self.commit), ("edit", "修改登记内容…", self.edit)):
            button = QPushButton(text, self)
            button.setObjectName(f"step_{key}")
            button.clicked.connect(slot)
            self.buttons[key] = button
            self.step_buttons.addWidget(button)
        self.step_buttons.addStretch(1)
        close = QPushButton("关闭", self)
        close.clicked.connect(self.accept)
        self.step_buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.timeline, 1)
        layout.addLayout(self.step_buttons)
        self.resize(820, 560)
        self.refresh()

    def refresh(self) -> None:
        today = date.today()
        with self.store.session() as session:
            issue = S.get_issue(session, self.issue_id)
            events = S.timeline(session, self.issue_id)
            place = org.address_of(session, issue.household_id) or issue.place or ""
            overdue = S.is_overdue(issue, today)
            closed = S.is_closed(issue)
            self._issue = issue
        self.setWindowTitle(f"问题 {issue.number}：{STEP_LABELS[issue.step]}")
        phone = I["reporter_phone"].display(issue.reporter_phone, masked=True)
        lines = [f"<b>{issue.number}</b>　{issue.category}　来源：{issue.source}　提出：{issue.raised_at:%Y-%m-%d %H:%M}",
                 f"地点：{place or '（未填）'}　反映人：{issue.reporter_name or '（未填）'} {phone}",
                 f"问题：{issue.description}"]
        if issue.decision:
            level = dict(F.ISSUE_LEVELS).get(issue.level, "")
            lines.append(f"定事：{issue.decision}（{issue.owner}，{level}办理，{issue.deadline:%Y-%m-%d} 前）")
        state = "已办结" if closed else STEP_LABELS[issue.step]
        limit = f"办结时限 {issue.due_on:%Y-%m-%d}" + ("（公开承诺）" if issue.committed else "")
        lines.append(f"现在：{state}　{limit}" + ("　<span style='color:#c0392b'><b>已逾期</b></span>" if overdue else ""))
        self.summary.setText("<br>".join(lines))
        self.timeline.clear()
        verdicts = dict(VERDICT_FIELD.choices)
        for e in events:
            note = e.note or ""
            if e.verdict:
                note = f"居民评价：{verdicts[e.verdict]}" + (f"。{note}" if note else "")
            step = {"progress": "干事（进展）", "reopen": "重新办理", "commit": "公开承诺",
                    "edit": "修改登记", "meeting": "会议"}.get(e.kind, STEP_LABELS[e.step])
            QTreeWidgetItem(self.timeline, [f"{e.at:%Y-%m-%d %H:%M}", step, e.actor or "", note])
        for col, width in enumerate((130, 100, 80)):
            self.timeline.setColumnWidth(col, width)
        step, reviewed = issue.step, issue.verdict is not None
        visible = {"discuss": step == RAISED, "decide": step in (DISCUSSED, DECIDED), "start": step == DECIDED,
                   "progress": step == DOING, "finish": step == DOING, "review": step == REVIEWED and not reviewed,
                   "commit": not closed, "edit": True}
        for key, button in self.buttons.items():
            button.setVisible(visible[key])

    def _step(self, title: str, fields: tuple[Field, ...], call, values: dict | None = None) -> None:
        def run(raw: dict) -> None:
            with self.store.transaction() as session:
                call(session, raw, now(), raw.pop("actor", None) or None)

        dialog = StepDialog(title, fields, run, self, values)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.changed = True
            self.refresh()
        dialog.deleteLater()

    def edit(self) -> None:
        """Correct what was raised; the timeline keeps what it was."""
        if run_form(IssueForm, self, self.store, self.issue_id) is not None:
            self.changed = True
            self.refresh()

    def discuss(self) -> None:
        self._step("议事（受理）", (STEP_NOTE,), lambda s, raw, at, actor: S.discuss(
            s, self.issue_id, at=at, actor=actor, note=raw.get("note")))

    def decide(self) -> None:
        issue = self._issue
        values = {"decision": issue.decision, "owner": issue.owner, "deadline": issue.deadline or issue.due_on,
                  "level": issue.level or "compound"}
        self._step("定事：谁、做什么、何时办结", (*DECISION_FIELDS, STEP_NOTE), lambda s, raw, at, actor: S.decide(
            s, self.issue_id, raw, at=at, actor=actor, note=raw.get("note")), values)

    def start(self) -> None:
        self._step("开始干事", (STEP_NOTE,), lambda s, raw, at, actor: S.start_work(
            s, self.issue_id, at=at, actor=actor, note=raw.get("note")))

    def progress(self) -> None:
        self._step("记录干事进展", (STEP_NOTE,), lambda s, raw, at, actor: S.add_progress(
            s, self.issue_id, raw.get("note") or "", at=at, actor=actor))

    def finish(self) -> None:
        self._step("办结", (STEP_NOTE,), lambda s, raw, at, actor: S.finish_work(
            s, self.issue_id, at=at, actor=actor, note=raw.get("note")))

    def review(self) -> None:
        self._step("评事：居民评价", (VERDICT_FIELD, STEP_NOTE), lambda s, raw, at, actor: S.review(
            s, self.issue_id, raw.get("verdict"), at=at, actor=actor, note=raw.get("note")))

    def commit(self) -> None:
        self._step("公开承诺", (COMMITMENT_FIELDS[1],), lambda s, raw, at, actor: S.commit(
            s, self.issue_id, raw.get("promised_on"), at=at, actor=actor),
            {"promised_on": self._issue.promised_on or self._issue.due_on})
