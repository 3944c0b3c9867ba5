"""Record forms built from the field registry.

One input per Field (the kind picks the widget), the field's message just below
it, a check as the user leaves a field and the service's check on save, and a
prompt before unsaved changes are thrown away. The member and building-leader
forms are declared here; the center-household form builds on the same parts
(ui/center_household_form.py)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .. import fields as F
from ..drafts import Draft, Drafts
from ..fields import (
    LEADER_FIELDS,
    MEMBER_FIELDS,
    Field,
    by_key,
    check_against_id,
    parse_record,
)
from ..services import NotFound, ValidationFailed, org, people
from ..store import Store
from ..validation import Invalid
from .field_inputs import FORM_STYLE, ChoiceInput, FieldInput, PickTextInput, make_input
from .qtenv import make_settings

UNSAVED_QUESTION = "有未保存的修改，要保存吗？"
DRAFT_EVERY_MS = 2000  # how much typing a crash can cost at most


# ---- the form ----------------------------------------------------------------------
@dataclass(frozen=True)
class Section:
    title: str  # "" for no frame
    keys: tuple[str, ...]


def _norm(value):
    return value.strip() if isinstance(value, str) else value


class RecordForm(QDialog):
    """A dialog editing one record. Subclasses say which fields, how they are laid
    out (COLUMNS), where the choices come from and which service saves; the form
    shows the service's messages beside the fields and saves nothing until all
    are right."""

    NOUN = ""  # 党员: the title reads 新增党员 / 编辑党员：张三
    FIELDS: tuple[Field, ...] = ()
    COLUMNS: tuple[tuple[Section, ...], ...] = ()  # fields in no section go full width below
    MIN_WIDTH = 460  # the first size, in pixels; the dialog may be wider
    MIN_HEIGHT = 0
    # Sensitive fields an edit shows partly hidden (138****8000). A hidden value is not
    # saved back: it stays as stored unless the user types a new one or clears it.
    MASKED: tuple[str, ...] = ()

    def __init__(self, store: Store, record_id: int | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.record_id = store, record_id
        self.saved_id: int | None = None
        self._prompt: QMessageBox | None = None
        self.setObjectName(f"form_{type(self).__name__}")
        self.setStyleSheet(FORM_STYLE)
        self.setSizeGripEnabled(True)
        self.inputs: dict[str, FieldInput] = {}
        for field in self.FIELDS:
            inp = self.create_input(field)
            inp.left.connect(lambda key=field.key: self._field_left(key))
            inp.edited.connect(lambda key=field.key: self._field_edited(key))
            inp.advance.connect(lambda: self.focusNextChild())
            inp.message_changed.connect(self.schedule_fit)
            self.inputs[field.key] = inp
        self._fit_timer = QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(0)
        self._fit_timer.timeout.connect(self.fit_height)
        self._watching_focus = False

        self.form_message = QLabel(self)
        self.form_message.setObjectName("formMessage")
        self.form_message.setWordWrap(True)
        self.form_message.hide()
        self.buttons = QDialogButtonBox(self)
        self.save_button = self.buttons.addButton("保存", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("saveButton")
        self.save_button.setDefault(True)
        self.save_button.setToolTip("保存（Ctrl+S）")
        self.cancel_button = self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setToolTip("取消（Esc）")
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        for keys in (QKeySequence.StandardKey.Save, "Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self.save)

        with store.session() as session:
            self.load_choices(session)
            values = self.load_record(session, record_id) if record_id is not None else dict(self.defaults())
        self.set_values(values)
        if record_id is not None:
            self.mask_stored(values)
        self.drafts = Drafts.for_database(store.path)
        self.draft_key = f"{type(self).__name__}-{record_id if record_id is not None else 'new'}"
        self.pending_draft: Draft | None = self.drafts.load(self.draft_key)
        self.draft_banner = self._make_draft_banner() if self.pending_draft else None
        QApplication.instance().focusChanged.connect(self._focus_changed)
        self._watching_focus = True
        self.build_layout()
        self.set_tab_order()
        title = f"编辑{self.NOUN}：{self.record_name(values)}" if record_id is not None else f"新增{self.NOUN}"
        self.setWindowTitle(title)
        self._initial = self.snapshot()
        self._draft_written: tuple | None = None
        self._draft_timer = QTimer(self)
        self._draft_timer.setInterval(DRAFT_EVERY_MS)
        self._draft_timer.timeout.connect(self.write_draft)
        self._draft_timer.start()
        hint = self.sizeHint()
        self.resize(max(hint.width(), self.MIN_WIDTH), max(hint.height(), self.MIN_HEIGHT))
        remembered = make_settings().value(f"forms/{type(self).__name__}/size")
        if isinstance(remembered, QSize):  # the size the secretary last gave this form
            self.resize(remembered.expandedTo(self.minimumSizeHint()))
        self.fit_height()
        first = self.inputs[self.FIELDS[0].key].focus_widget
        first.setFocus(Qt.FocusReason.OtherFocusReason)

    # ---- what subclasses provide ----
    def create_input(self, field: Field) -> FieldInput:
        return make_input(field, self)

    def load_choices(self, session) -> None:
        """Fill the combo boxes and completers (one read session)."""

    def load_record(self, session, record_id: int) -> dict:
        raise NotImplementedError

    def defaults(self) -> dict:
        return {}

    def record_name(self, values: dict) -> str:
        return values.get("name") or ""

    def save_record(self, session, raw: dict) -> int:
        raise NotImplementedError

    def after_field_left(self, key: str) -> None:
        """Checks across fields once one is left (member: birth date against the ID)."""

    def after_field_edited(self, key: str) -> None:
        pass

    def extra_state(self) -> tuple:
        """State outside the field inputs that counts as a change (served households)."""
        return ()

    def restore_extra(self, extra: dict) -> None:
        """Put back the extra_state() a draft kept."""

    def ordered_focus(self) -> list[QWidget]:
        return [self.inputs[f.key].focus_widget for f in self.FIELDS]

    # ---- layout ----
    def build_layout(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 14, 16, 12)
        if self.draft_banner is not None:
            outer.addWidget(self.draft_banner)
        outer.addLayout(self.build_fields())
        outer.addStretch(1)
        outer.addWidget(self.form_message)
        outer.addWidget(self.buttons)

    def build_fields(self) -> QVBoxLayout:
        body = QVBoxLayout()
        placed: set[str] = set()
        if self.COLUMNS:
            row = QHBoxLayout()
            row.setSpacing(16)
            for column in self.COLUMNS:
                col = QVBoxLayout()
                for section in column:
                    col.addWidget(self.section_widget(section))
                    placed.update(section.keys)
                col.addStretch(1)
                row.addLayout(col, 1)
            body.addLayout(row)
        rest = tuple(f.key for f in self.FIELDS if f.key not in placed)
        if rest:
            body.addWidget(self.section_widget(Section("", rest)))
        return body

    def section_widget(self, section: Section) -> QWidget:
        box = QGroupBox(section.title, self) if section.title else QWidget(self)
        form = self.form_layout(section.keys)
        if not section.title:
            form.setContentsMargins(0, 0, 0, 0)
        box.setLayout(form)
        return box

    def form_layout(self, keys: Iterable[str]) -> QFormLayout:
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setVerticalSpacing(6)
        for key in keys:
            inp = self.inputs[key]
            form.addRow(inp.label, inp.container)
            # the label sits level with the input, not with the message under it
            inp.label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            inp.label.setContentsMargins(0, 4, 0, 0)
        return form

    def set_tab_order(self) -> None:
        chain = [*self.ordered_focus(), self.save_button, self.cancel_button]
        for a, b in zip(chain, chain[1:]):
            QWidget.setTabOrder(a, b)

    def schedule_fit(self) -> None:
        self._fit_timer.start()

    def fit_height(self) -> None:
        """Grow the dialog when wrapped messages need more room than it has
        (a top-level window does not grow for height-for-width by itself)."""
        layout = self.layout()
        if layout is None:
            return
        need = layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth() else -1
        need = max(need, layout.minimumSize().height())
        if need > self.height():
            self.resize(self.width(), need)

    # ---- values ----
    def set_values(self, values: dict) -> None:
        for key, value in values.items():
            if key in self.inputs:
                self.inputs[key].set_value(value)

    def mask_stored(self, values: dict) -> None:
        """Show the stored values of the MASKED fields partly hidden."""
        for key in self.MASKED:
            if values.get(key):
                inp = self.inputs[key]
                inp.show_masked(inp.field.display(values[key], masked=True))

    def raw_values(self) -> dict:
        """What the fields hold, for the service; a value still shown partly hidden is left
        out, so the service keeps the stored one."""
        return {key: inp.raw() for key, inp in self.inputs.items() if not inp.masked}

    def snapshot(self) -> tuple:
        return tuple((k, _norm(v)) for k, v in self.raw_values().items()) + tuple(self.extra_state())

    def is_dirty(self) -> bool:
        return self.snapshot() != self._initial

    # ---- drafts: nothing typed is lost if the program or the PC stops ----
    def _make_draft_banner(self) -> QFrame:
        banner = QFrame(self)
        banner.setObjectName("draftBanner")
        banner.setStyleSheet("#draftBanner { background: #fff4d6; border: 1px solid #e8c36a; border-radius: 3px; }")
        text = QLabel(f"上次填写的内容没有保存（{self.pending_draft.saved_at:%Y-%m-%d %H:%M}），"
                      "可能是程序意外关闭。要恢复吗？", banner)
        text.setWordWrap(True)
        restore = QPushButton("恢复", banner)
        restore.setObjectName("draftRestore")
        restore.clicked.connect(self.restore_draft)
        drop = QPushButton("丢弃", banner)
        drop.setObjectName("draftDiscard")
        drop.clicked.connect(self.discard_pending_draft)
        row = QHBoxLayout(banner)
        row.setContentsMargins(8, 6, 8, 6)
        row.addWidget(text, 1)
        row.addWidget(restore)
        row.addWidget(drop)
        return banner

    def restore_draft(self) -> None:
        draft, self.pending_draft = self.pending_draft, None
        if draft is None:
            return
        self.set_values({k: v for k, v in draft.values.items() if k in self.inputs})
        self.restore_extra(draft.extra)
        self.draft_banner.hide()
        self.write_draft()

    def discard_pending_draft(self) -> None:
        self.pending_draft = None
        self.draft_banner.hide()
        if not self.is_dirty():
            self.drafts.discard(self.draft_key)

    def write_draft(self) -> None:
        """Keep what is typed on disk while it differs from what is saved."""
        snap = self.snapshot()
        if snap == self._draft_written:
            return
        if snap == self._initial:
            if self._draft_written is not None:
                self.drafts.discard(self.draft_key)
        else:
            self.drafts.save(self.draft_key, self.raw_values(), dict(self.extra_state()))
        self._draft_written = snap

    def _settle_draft(self) -> None:
        """On closing: the changes were saved or deliberately thrown away, so the draft
        goes; one offered on opening and neither restored nor discarded stays for next time."""
        self._draft_timer.stop()
        if self.pending_draft is not None:
            d = self.pending_draft
            self.drafts.save(self.draft_key, d.values, d.extra, saved_at=d.saved_at)
        else:
            self.drafts.discard(self.draft_key)

    # ---- checking ----
    def _focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        """A field is left when the focus moves out of it to another widget (not to
        its own drop-down or completer popup)."""
        if old is None or new is None or new.window().windowType() == Qt.WindowType.Popup:
            return
        for inp in self.inputs.values():
            if inp.owns(old) and not inp.owns(new):
                inp.left.emit()
                return

    def done(self, result: int) -> None:
        self._settle_draft()
        make_settings().setValue(f"forms/{type(self).__name__}/size", self.size())
        if self._watching_focus:
            self._watching_focus = False
            QApplication.instance().focusChanged.disconnect(self._focus_changed)
        super().done(result)

    def _field_left(self, key: str) -> None:
        inp = self.inputs[key]
        problem = inp.check()
        if problem is None:
            inp.tidy()
        inp.set_error(problem)
        self.after_field_left(key)

    def _field_edited(self, key: str) -> None:
        inp = self.inputs[key]
        if inp.error and inp.check() is None:  # fixed: the message goes at once
            inp.set_error(None)
        self.after_field_edited(key)

    def clear_errors(self) -> None:
        for inp in self.inputs.values():
            inp.set_error(None)
        self.show_form_message("")

    def show_form_message(self, text: str) -> None:
        self.form_message.setText(text)
        self.form_message.setVisible(bool(text))

    def show_errors(self, errors: dict[str, str]) -> None:
        """Each message beside its field; the first wrong field (in tab order) gets the focus."""
        others = []
        for key, message in errors.items():
            if key in self.inputs:
                self.inputs[key].set_error(message)
            elif not self.show_extra_error(key, message):
                others.append(message)
        wrong = sum(1 for k in errors if k)
        summary = f"有 {len(errors)} 处需要修改，请看红字提示。" if wrong > 1 else ""
        self.show_form_message("\n".join(others) or summary)
        focus = self.first_wrong_widget(errors)
        if focus is not None:
            focus.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_extra_error(self, key: str, message: str) -> bool:
        """A message for something that is not a field input; True if shown."""
        return False

    def first_wrong_widget(self, errors: dict) -> QWidget | None:
        for f in self.FIELDS:
            if f.key in errors:
                return self.inputs[f.key].focus_widget
        return None

    # ---- saving and closing ----
    def save(self) -> bool:
        if self._prompt is not None:
            return False
        self.clear_errors()
        raw = self.raw_values()
        try:
            saved = self.save_record_in_transaction(raw)
        except ValidationFailed as exc:
            self.show_errors(exc.errors)
            return False
        except NotFound:
            QMessageBox.warning(self, "无法保存", f"这条{self.NOUN}记录已被删除（可能刚在名册中删除），无法保存。"
                                "可以取消后重新新增。")
            return False
        except Exception as exc:  # keep the dialog and what was typed
            QMessageBox.critical(self, "保存失败", f"保存时出错，刚才填写的内容还在，可以稍后再试。\n\n{exc}")
            return False
        self.saved_id = saved
        self._initial = self.snapshot()
        self.accept()
        return True

    def save_record_in_transaction(self, raw: dict) -> int:
        with self.store.transaction() as session:
            return self.save_record(session, raw)

    def reject(self) -> None:
        """Cancel, Esc and the window's close button: ask first if something changed."""
        if self._prompt is not None:
            return
        if not self.is_dirty():
            super().reject()
            return
        box = QMessageBox(QMessageBox.Icon.Question, "尚未保存", UNSAVED_QUESTION, QMessageBox.StandardButton.NoButton,
                          self)
        box.setObjectName("unsavedPrompt")
        save = box.addButton("保存", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("不保存", QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
        save.setObjectName("promptSave")
        discard.setObjectName("promptDiscard")
        cancel.setObjectName("promptCancel")
        box.setDefaultButton(save)
        box.setEscapeButton(cancel)
        self._prompt = box

        def answered(_result):
            clicked = box.clickedButton()
            self._prompt = None
            box.deleteLater()
            if clicked is save:
                self.save()
            elif clicked is discard:
                QDialog.reject(self)

        box.finished.connect(answered)
        box.open()


def run_form(form_class, parent: QWidget | None, store: Store, record_id: int | None) -> int | None:
    """Show a form modally; the saved record's id, or None if nothing was saved."""
    try:
        form = form_class(store, record_id, parent)
    except NotFound:
        QMessageBox.information(parent, "记录已删除", "这条记录已被删除（可能刚刚在别处删除），请刷新名册。")
        return None
    try:
        accepted = form.exec() == QDialog.DialogCode.Accepted
        return form.saved_id if accepted else None
    finally:
        form.deleteLater()


# ---- members (党员) ------------------------------------------------------------------
M = by_key(MEMBER_FIELDS)
_ID_KEYS = ("id_number", "birth_date", "gender")


def address_suggestions(refs: list[org.HouseholdRef]) -> list[str]:
    """Every household written both ways (3号楼2单元501 and 3-2-501), led by the
    compound's name only where there are several compounds."""
    several = len({r.compound_id for r in refs}) > 1
    words = []
    for r in refs:
        prefix = r.compound if several else ""
        words += [prefix + r.address, prefix + r.short]
    return words


class MemberForm(RecordForm):
    NOUN = "党员"
    FIELDS = MEMBER_FIELDS
    MIN_WIDTH = 780
    COLUMNS = (
        (Section("基本情况", ("name", "gender", "ethnicity", "birth_date", "id_number", "education")),),
        (Section("党员信息", ("joined_on", "confirmed_on", "category", "party_org_id")),
         Section("联系与工作", ("phone", "address", "employer", "is_registered"))),
    )

    def load_choices(self, session):
        self.inputs["party_org_id"].set_choices((c.id, c.label) for c in org.party_org_choices(session))
        self._refs = org.household_refs(session)
        self.inputs["address"].set_suggestions(address_suggestions(self._refs))

    def load_record(self, session, record_id):
        values = people.get_member(session, record_id)
        if len({r.compound_id for r in self._refs}) > 1 and values.get("address"):
            # get_member gives 3号楼2单元501 without the compound; with several compounds
            # that would not name one household when saved again, so put the compound in front.
            household = {m_id: hid for m_id, _label, hid in people.member_choices(session)}.get(record_id)
            ref = next((r for r in self._refs if r.id == household), None)
            if ref is not None:
                values["address"] = ref.compound + ref.address
        return values

    def defaults(self):
        return {"category": F.MEMBER_CATEGORIES[0][0]}

    def save_record(self, session, raw):
        return people.save_member(session, raw, self.record_id)

    def after_field_left(self, key):
        if key == "address":
            self._check_address()
        if key in _ID_KEYS:
            self._check_against_id(show_id_error=key == "id_number")

    def after_field_edited(self, key):
        if key == "id_number":
            self._check_against_id(show_id_error=False)

    def _check_address(self) -> None:
        inp = self.inputs["address"]
        if inp.error or not inp.raw().strip():
            return
        try:
            with self.store.session() as session:
                org.resolve_household(session, inp.raw())
        except Invalid as exc:
            inp.set_error(str(exc))

    def _check_against_id(self, *, show_id_error: bool) -> None:
        """A valid ID number fills an empty birth date and gender, and flags those that disagree."""
        raw = {k: self.inputs[k].raw() for k in _ID_KEYS}
        values, errors = parse_record(MEMBER_FIELDS, raw)
        if not values.get("id_number"):
            return
        given = dict(values)
        check_against_id(values, errors)
        if given.get("birth_date") is None and values.get("birth_date") and "birth_date" not in errors:
            self.inputs["birth_date"].set_value(values["birth_date"])
        if given.get("gender") is None and values.get("gender") and "gender" not in errors:
            self.inputs["gender"].set_value(values["gender"])
        for key in ("birth_date", "gender"):
            if raw[key] not in (None, "") or key in errors:
                self.inputs[key].set_error(errors.get(key))
        if show_id_error and "id_number" in errors:
            self.inputs["id_number"].set_error(errors["id_number"])


def open_member_form(parent: QWidget | None, store: Store, record_id: int | None = None) -> int | None:
    return run_form(MemberForm, parent, store, record_id)


# ---- building leaders (楼栋长) ---------------------------------------------------------
WHOLE_BUILDING = "（整栋楼）"
L = by_key(LEADER_FIELDS)
_PERSON_NUMBERS = ("phone", "id_number")


def person_label(p) -> str:
    """A known person as the pick list shows them: 王测试  139****5678  3号楼2单元501  党员."""
    roles = "、".join(role for role, yes in (("党员", p.is_member), ("楼栋长", p.is_leader)) if yes)
    phone = L["phone"].display(p.phone, masked=True) or "（无电话）"
    return f"{p.name}  {phone}  {p.address or '（未登记住址）'}  {roles}".rstrip()


def _person_search(p) -> str:
    """What else finds a known person in the pick list: pinyin, initials, address, phone."""
    return " ".join(filter(None, (p.name_pinyin, p.name_initials, p.address, p.short_address, p.phone)))


class LeaderForm(RecordForm):
    """楼栋长: typed, or a person already on the rosters picked from the name field's list,
    so that a member's numbers are never typed again: the leader is linked to that person,
    whose phone and ID number the form shows partly hidden and saves only when retyped."""

    NOUN = "楼栋长"
    FIELDS = LEADER_FIELDS
    MIN_WIDTH = 560
    MASKED = _PERSON_NUMBERS
    person = None  # the known person picked (a person_choices row), when one is
    _ticked_by_pick = False  # 是否党员 was ticked because a member was picked

    def create_input(self, field):
        if field.key == "name":
            inp = PickTextInput(field, self)
            inp.line.setPlaceholderText("输入姓名或拼音首字母，可选名册中已有的人")
            inp.picked.connect(self.pick_person)
            inp.typed.connect(self._name_typed)
            return inp
        if field.key == "unit_id":
            return ChoiceInput(field, self, empty_label=WHOLE_BUILDING)
        return super().create_input(field)

    def load_choices(self, session):
        self._units = org.unit_choices(session)
        self.inputs["building_id"].set_choices((c.id, c.label) for c in org.building_choices(session))
        self.inputs["building_id"].edited.connect(self._building_changed)
        self.inputs["is_member"].editor.setToolTip(
            "若此人已在党员名册中（身份证号相同，或姓名和电话相同），保存时自动记为党员。")
        self._building_changed()
        self._people: dict | None = None
        self.inputs["name"].set_source(lambda: list(self.known_people().values()), label=person_label,
                                       search=_person_search)

    def known_people(self) -> dict:
        """The people on the rosters by resident id, read when first needed."""
        if self._people is None:
            with self.store.session() as session:
                self._people = {p.id: p for p in people.person_choices(session)}
        return self._people

    def _building_changed(self) -> None:
        building = self.inputs["building_id"].raw()
        self.inputs["unit_id"].set_choices((u.id, u.label) for u in self._units if u.parent_id == building)
        self.inputs["unit_id"].editor.setEnabled(building is not None)

    def load_record(self, session, record_id):
        values = people.get_leader(session, record_id)
        self.inputs["building_id"].set_value(values["building_id"])
        self._building_changed()
        return values

    # ---- a known person picked instead of typed ----
    def pick_person(self, resident_id: int, *, keep_typed: bool = False) -> None:
        """Link the leader to a person on the rosters: their name, their numbers partly
        hidden, 是否党员 ticked for a member. keep_typed: numbers typed over them stay (a draft)."""
        p = self.known_people().get(resident_id)
        if p is None:
            return
        self.person = p
        name = self.inputs["name"]
        name.set_value(p.name)
        name.set_error(None)
        for key in _PERSON_NUMBERS:
            inp = self.inputs[key]
            if keep_typed and not inp.masked and inp.raw():
                continue
            stored = getattr(p, key)
            if stored:
                inp.show_masked(L[key].display(stored, masked=True))
            else:
                inp.set_value("")
            inp.set_error(None)
        ticked = self.inputs["is_member"]
        if p.is_member and not ticked.raw():
            ticked.set_value(True)
            self._ticked_by_pick = True
        elif not p.is_member and self._ticked_by_pick:
            ticked.set_value(False)
            self._ticked_by_pick = False
        role = "党员" if p.is_member else "楼栋长" if p.is_leader else "人员"
        name.set_note(f"已选择名册中的{role}（{p.address or '未登记住址'}），电话、身份证号沿用已登记的。")
        if not keep_typed:  # on to what is left to fill, once the list has closed
            after = self.inputs["phone"] if not p.phone else self.inputs["building_id"]
            QTimer.singleShot(0, lambda: after.focus_widget.setFocus(Qt.FocusReason.OtherFocusReason))

    def after_field_left(self, key):
        if key == "name":
            self._check_pick()

    def _check_pick(self) -> None:
        """A name left other than the picked person's (an entry only passed over in the list)
        drops the pick."""
        if self.person is not None and self.inputs["name"].raw().strip() != self.person.name:
            self._name_typed()

    def save(self) -> bool:
        self._check_pick()
        return super().save()

    def _name_typed(self) -> None:
        """The name edited by hand: the picked person no longer applies, nor their hidden numbers."""
        if self.person is None:
            return
        self.person = None
        self.inputs["name"].set_note("")
        for key in _PERSON_NUMBERS:
            if self.inputs[key].masked:
                self.inputs[key].set_value("")
        if self._ticked_by_pick:
            self.inputs["is_member"].set_value(False)
            self._ticked_by_pick = False

    def extra_state(self):
        return (("resident_id", self.person.id if self.person is not None else None),)

    def restore_extra(self, extra):
        if extra.get("resident_id") is not None:
            self.pick_person(extra["resident_id"], keep_typed=True)

    def save_record(self, session, raw):
        if self.person is not None:
            raw = {**raw, "resident_id": self.person.id}
        return people.save_leader(session, raw, self.record_id)


def open_leader_form(parent: QWidget | None, store: Store, record_id: int | None = None) -> int | None:
    return run_form(LeaderForm, parent, store, record_id)

