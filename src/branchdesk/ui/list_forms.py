"""The forms of the three lists and the partners, and the steps a demand, a duty and
a registered member take from their pages: 对接 (with the resources that fit),
认领, 办结, 关闭, 更新进展, 双报到. Every step is checked by its service, which
changes nothing when it refuses; the dialog shows the refusal beside the field."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView, QDialog, QDialogButtonBox, QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout,
    QWidget,
)

from ..fields import (
    CLAIM_FIELDS, DEMAND_CLOSE_FIELD, DEMAND_CLOSED_ON, DEMAND_DONE_ON, DEMAND_FEEDBACK_FIELD, DEMAND_FIELDS,
    DEMAND_RESULT_FIELD, DUTY_RESULT_FIELD, DUTY_SOURCES, DUTY_STATUS_ON, PARTNER_FIELDS, PARTNER_KINDS,
    REGISTRANT_FIELD, REGISTRATION_FIELDS, RESOURCE_FIELDS, RESPONSIBILITY_FIELDS, Field, by_key, parse_record,
)
from ..models.lists import BY_MEMBER, BY_PARTNER, RESPONSE_ROUTINE, URGENCY_NORMAL
from ..services import ValidationFailed, lists, org, people
from ..store import Store
from .field_inputs import ChoiceInput, SearchableRefInput, SearchChoice, make_input
from .forms import RecordForm, Section, address_suggestions, run_form
from .issues import StepDialog
from .widgets import message_label

P = by_key(PARTNER_FIELDS)
R = by_key(RESOURCE_FIELDS)
D = by_key(DEMAND_FIELDS)
T = by_key(RESPONSIBILITY_FIELDS)
C = by_key(CLAIM_FIELDS)
ALL_COMPOUNDS = "（所有小区）"


def member_search_choices(session) -> list[SearchChoice]:
    """Members for a searchable picker: found by name, pinyin, initials or address."""
    search = {r.id: f"{r.name_pinyin} {r.name_initials} {r.short_address or ''}" for r in people.list_members(session)}
    return [SearchChoice(m_id, label, search.get(m_id, "")) for m_id, label, _hid in people.member_choices(session)]


def _parsed(fields: tuple[Field, ...], raw: dict) -> dict:
    """The step's own fields read as the forms read them; a wrong one is shown beside it."""
    values, errors = parse_record(fields, raw, new=True)
    if errors:
        raise ValidationFailed(errors)
    return values


def _run_step(page, title: str, fields: tuple[Field, ...], call, values: dict | None = None, make=make_input,
              setup=None) -> bool:
    """One step in its small dialog; call(session, raw) runs in one transaction.
    setup(dialog) may wire inputs to each other once they exist."""
    def run(raw: dict) -> None:
        with page.store.transaction() as session:
            call(session, raw)

    dialog = StepDialog(title, fields, run, page, values, with_actor=False, make=make)
    if setup is not None:
        setup(dialog)
    try:
        return dialog.exec() == QDialog.DialogCode.Accepted
    finally:
        dialog.deleteLater()


# ---- 红色合伙人 --------------------------------------------------------------------------------
class PartnerForm(RecordForm):
    NOUN = "红色合伙人"
    FIELDS = lists.PARTNER_FORM
    MIN_WIDTH = 720
    COLUMNS = ((Section("单位", ("name", "kind", "response_level", "agreement_on")),
                Section("联系", ("contact_name", "contact_phone"))),)

    def load_choices(self, session):
        self.inputs["kind"].set_options(PARTNER_KINDS)

    def load_record(self, session, record_id):
        return lists.get_partner(session, record_id)

    def defaults(self):
        return {"response_level": RESPONSE_ROUTINE}

    def save_record(self, session, raw):
        return lists.save_partner(session, raw, self.record_id)


def open_partner_form(parent: QWidget | None, store: Store, record_id: int | None = None) -> int | None:
    return run_form(PartnerForm, parent, store, record_id)


# ---- 资源清单 ----------------------------------------------------------------------------------
class ResourceForm(RecordForm):
    """Who provides decides which of the three provider inputs is open: a partner, a
    member, or the typed name of a department or team."""

    NOUN = "资源"
    FIELDS = lists.RESOURCE_FORM
    MIN_WIDTH = 820
    COLUMNS = ((Section("资源", ("title", "categories", "compound_id", "capacity", "period")),
                Section("提供方", ("provider_kind", "partner_id", "member_id", "provider_name", "contact_name",
                                  "contact_phone"))),)

    def create_input(self, field):
        if field.key == "member_id":
            return SearchableRefInput(field, self)
        if field.key == "compound_id":
            return ChoiceInput(field, self, empty_label=ALL_COMPOUNDS)
        return super().create_input(field)

    def load_choices(self, session):
        self.inputs["partner_id"].set_choices((c.id, c.label) for c in lists.partner_choices(session))
        self.inputs["member_id"].set_choices(member_search_choices(session))
        self.inputs["compound_id"].set_choices((c.id, c.label) for c in org.compound_choices(session))
        categories = lists.demand_categories(session)
        self.inputs["categories"].set_suggestions(categories)
        self.inputs["categories"].note = f"可选：{'、'.join(categories)}；多个类别用顿号隔开"
        self.inputs["categories"].set_error(None)
        self.inputs["provider_kind"].edited.connect(self._provider_changed)

    def load_record(self, session, record_id):
        values = lists.get_resource(session, record_id)
        values["categories"] = "、".join(values.get("categories") or [])
        return values

    def defaults(self):
        return {"provider_kind": BY_PARTNER}

    def set_values(self, values):
        super().set_values(values)
        self._provider_changed()

    def _provider_changed(self) -> None:
        kind = self.inputs["provider_kind"].raw()
        for key, on in (("partner_id", kind == BY_PARTNER), ("member_id", kind == BY_MEMBER),
                        ("provider_name", kind not in (BY_PARTNER, BY_MEMBER, None))):
            self.inputs[key].editor.setEnabled(on)
            self.inputs[key].label.setEnabled(on)

    def save_record(self, session, raw):
        return lists.save_resource(session, raw, self.record_id)


def open_resource_form(parent: QWidget | None, store: Store, record_id: int | None = None) -> int | None:
    return run_form(ResourceForm, parent, store, record_id)


# ---- 需求清单 ----------------------------------------------------------------------------------
class DemandForm(RecordForm):
    NOUN = "需求"
    FIELDS = tuple(D[k] for k in ("category", "description", "urgency", "raised_on", "raised_by", "address",
                                  "building_id", "contact_phone"))
    MIN_WIDTH = 780
    COLUMNS = ((Section("需求", ("category", "description", "urgency", "raised_on")),
                Section("谁提出的", ("raised_by", "address", "building_id", "contact_phone"))),)

    def load_choices(self, session):
        self.inputs["category"].set_options(lists.demand_categories(session))
        self.inputs["building_id"].set_choices((c.id, c.label) for c in org.building_choices(session))
        self.inputs["address"].set_suggestions(address_suggestions(org.household_refs(session)))

    def load_record(self, session, record_id):
        return lists.get_demand(session, record_id)

    def defaults(self):
        return {"raised_on": date.today(), "urgency": URGENCY_NORMAL}

    def record_name(self, values):
        return (values.get("description") or "")[:20]

    def save_record(self, session, raw):
        return lists.save_demand(session, raw, self.record_id, today=date.today())


def open_demand_form(parent: QWidget | None, store: Store, record_id: int | None = None) -> int | None:
    return run_form(DemandForm, parent, store, record_id)


def _brief(text: str | None, size: int = 24) -> str:
    text = text or ""
    return text if len(text) <= size else text[:size] + "…"


class MatchDialog(QDialog):
    """对接: the resources that serve the demand's category in its compound, the idle
    ones first; the secretary picks one."""

    def __init__(self, store: Store, row, parent: QWidget):
        super().__init__(parent)
        self.store, self.demand_id = store, row.id
        self.setObjectName("matchDialog")
        self.setWindowTitle(f"对接资源：{row.category}")
        with store.session() as session:
            found = lists.suggest_resources(session, row.id)
        intro = QLabel(f"需求：{_brief(row.description, 60)}（{row.category}，{row.compound or '未指明小区'}）", self)
        intro.setWordWrap(True)
        self.table = QTreeWidget(self)
        self.table.setObjectName("resources")
        self.table.setRootIsDecorated(False)
        self.table.setHeaderLabels([R["title"].label, R["provider_name"].label, R["compound_id"].label,
                                    R["contact_name"].label, R["in_use"].label])
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        for r in found:
            item = QTreeWidgetItem(self.table, [r.title, r.provider_name or "", r.compound or ALL_COMPOUNDS,
                                                r.contact_name or "", str(r.in_use)])
            item.setData(0, Qt.ItemDataRole.UserRole, r.id)
            if r.id == row.resource_id:
                self.table.setCurrentItem(item)
        for col, width in enumerate((260, 160, 110, 80)):
            self.table.setColumnWidth(col, width)
        if found and self.table.currentItem() is None:
            self.table.setCurrentItem(self.table.topLevelItem(0))
        self.table.itemDoubleClicked.connect(lambda _i, _c: self.confirm())
        self.message = message_label(self, "matchMessage")
        self.message.setVisible(not found)
        if not found:
            self.message.setText(f"资源清单中还没有服务“{row.category}”的资源。请先在资源清单中登记，"
                                 "或请红色合伙人、在职党员直接认领。")
        buttons = QDialogButtonBox(self)
        self.ok = buttons.addButton("对接", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setObjectName("matchOk")
        self.ok.setEnabled(bool(found))
        self.ok.setDefault(True)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.ok.clicked.connect(self.confirm)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.resize(760, 420)

    def confirm(self) -> None:
        item = self.table.currentItem()
        if item is None:
            return
        try:
            with self.store.transaction() as session:
                lists.match_demand(session, self.demand_id, item.data(0, Qt.ItemDataRole.UserRole), on=date.today())
        except ValidationFailed as exc:
            self.message.setText("；".join(exc.errors.values()))
            self.message.show()
            return
        self.accept()


def match_demand(page, row) -> bool:
    dialog = MatchDialog(page.store, row, page)
    try:
        return dialog.exec() == QDialog.DialogCode.Accepted
    finally:
        dialog.deleteLater()


def claim_demand(page, row) -> bool:
    with page.store.session() as session:
        partners = [(c.id, c.label) for c in lists.partner_choices(session)]
        members = member_search_choices(session)

    def make(field, parent):
        inp = SearchableRefInput(field, parent) if field.key == "member_id" else make_input(field, parent)
        if field.key == "partner_id":
            inp.set_choices(partners)
        elif field.key == "member_id":
            inp.set_choices(members)
        return inp

    def call(session, raw):
        values = _parsed(CLAIM_FIELDS, raw)
        by_partner = values["claimer_kind"] == BY_PARTNER
        lists.claim_demand(session, row.id, partner_id=values.get("partner_id") if by_partner else None,
                           member_id=None if by_partner else values.get("member_id"), on=values["claimed_on"])

    def setup(dialog):
        def follow_kind():
            by_partner = dialog.inputs["claimer_kind"].raw() == BY_PARTNER
            for key, on in (("partner_id", by_partner), ("member_id", not by_partner)):
                dialog.inputs[key].editor.setEnabled(on)
                dialog.inputs[key].label.setEnabled(on)

        dialog.inputs["claimer_kind"].edited.connect(follow_kind)
        follow_kind()

    return _run_step(page, f"认领需求：{_brief(row.description)}", CLAIM_FIELDS, call,
                     {"claimer_kind": BY_PARTNER, "claimed_on": date.today()}, make, setup)


def complete_demand(page, row) -> bool:
    fields = (DEMAND_RESULT_FIELD, DEMAND_FEEDBACK_FIELD, DEMAND_DONE_ON)

    def call(session, raw):
        values = _parsed((DEMAND_DONE_ON,), raw)
        lists.complete_demand(session, row.id, result=raw.get("result") or "", feedback=raw.get("feedback"),
                              on=values["done_on"])

    return _run_step(page, f"需求办结：{_brief(row.description)}", fields, call, {"done_on": date.today()})


def close_demand(page, row) -> bool:
    def call(session, raw):
        values = _parsed((DEMAND_CLOSED_ON,), raw)
        lists.close_demand(session, row.id, reason=raw.get("reason") or "", on=values["done_on"])

    return _run_step(page, f"关闭需求：{_brief(row.description)}", (DEMAND_CLOSE_FIELD, DEMAND_CLOSED_ON), call,
                     {"done_on": date.today()})


# ---- 责任清单 ----------------------------------------------------------------------------------
class ResponsibilityForm(RecordForm):
    NOUN = "任务"
    FIELDS = lists.DUTY_FORM
    MIN_WIDTH = 560

    def load_choices(self, session):
        self.inputs["source"].set_options(DUTY_SOURCES)

    def load_record(self, session, record_id):
        return lists.get_responsibility(session, record_id)

    def record_name(self, values):
        return _brief(values.get("title"), 20)

    def save_record(self, session, raw):
        return lists.save_responsibility(session, raw, self.record_id)


def open_responsibility_form(parent: QWidget | None, store: Store, record_id: int | None = None) -> int | None:
    return run_form(ResponsibilityForm, parent, store, record_id)


def update_duty(page, row) -> bool:
    status = replace(T["status"], required=True)
    fields = (status, DUTY_RESULT_FIELD, DUTY_STATUS_ON)

    def call(session, raw):
        values = _parsed((status, DUTY_STATUS_ON), raw)
        lists.set_responsibility_status(session, row.id, values["status"], on=values["on"],
                                        result=raw.get("result") or "")

    return _run_step(page, f"更新进展：{_brief(row.title)}", fields, call,
                     {"status": row.status, "result": row.result, "on": row.done_on or date.today()})



# ---- 在职党员双报到 -------------------------------------------------------------------------------
REGISTERED_ON = replace(by_key(REGISTRATION_FIELDS)["registered_on"], required=True)


def open_registration(parent: QWidget, store: Store, record_id: int | None) -> int | None:
    """New: pick a member and the day they reported. Existing: correct the day, and see
    the services they took."""
    with store.session() as session:
        members = member_search_choices(session)
        current = next((r for r in lists.list_registered_members(session) if r.id == record_id), None)
        services = lists.member_services(session, record_id) if record_id is not None else []
    saved: list[int] = []

    def make(field, parent_widget):
        if field.key == "member_id":
            inp = SearchableRefInput(field, parent_widget)
            inp.set_choices(members)
            if current is not None:
                inp.editor.setEnabled(False)
            return inp
        return make_input(field, parent_widget)

    def run(raw):
        values = _parsed((REGISTRANT_FIELD, REGISTERED_ON), raw)
        with store.transaction() as session:
            lists.register_member(session, values["member_id"], on=values["registered_on"])
        saved.append(values["member_id"])

    values = {"registered_on": date.today()}
    if current is not None:
        values = {"member_id": current.id, "registered_on": current.registered_on or date.today()}
    title = f"双报到：{current.name}" if current is not None else "登记在职党员双报到"
    dialog = StepDialog(title, (REGISTRANT_FIELD, REGISTERED_ON), run, parent, values, with_actor=False, make=make)
    dialog.setObjectName("registrationDialog")
    if current is not None:
        history = QTreeWidget(dialog)
        history.setObjectName("services")
        history.setRootIsDecorated(False)
        history.setHeaderLabels(["日期", "服务内容"])
        for s in services:
            QTreeWidgetItem(history, [f"{s.served_on:%Y-%m-%d}", s.description])
        history.setColumnWidth(0, 100)
        if not services:
            QTreeWidgetItem(history, ["", "还没有服务记录：认领需求后会记在这里。"])
        dialog.layout().insertWidget(1, QLabel(f"服务记录（{len(services)} 次）", dialog))
        dialog.layout().insertWidget(2, history, 1)
        dialog.resize(640, 420)
    try:
        dialog.exec()
        return saved[-1] if saved else None
    finally:
        dialog.deleteLater()

