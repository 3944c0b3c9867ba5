"""The residents' issues as a board (看板): one column per step of the 五事制, and the
居民问题 page that shows the same issues as a table or as the board.

The board holds no widget per card. Each column is one QListView over a small list
model of the rows the table shows, and one delegate paints every card at a uniform
size, so 20,000 issues open as fast as the table. The board follows the table
model (search box and filters): both views always show the same issues."""
from __future__ import annotations

from datetime import date
from operator import attrgetter

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, QStringListModel, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QColor, QFont, QFontMetrics, QKeySequence, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView, QHBoxLayout, QLabel, QListView, QSizePolicy, QStackedWidget, QStyle, QStyledItemDelegate,
    QStyleOptionViewItem, QVBoxLayout, QWidget,
)

from ..services.issues import CLOSED_STATE, ISSUE_STATES
from .list_page import RosterPage

_INDEX = QModelIndex | QPersistentModelIndex
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
CLOSED_SHOWN = 50  # the 已办结 column shows only the most recently closed ones
VIEW_TABLE, VIEW_BOARD = "table", "board"

# What each column holds, under its step's name
COLUMN_HINTS = {"raised": "已登记，待受理", "discussed": "已受理，商议中", "decided": "已定责任人和时限",
                "doing": "办理中", "reviewed": "待居民评价", CLOSED_STATE: "居民满意"}

RED, DARK_RED, AMBER = QColor("#c0392b"), QColor("#8e1b13"), QColor("#b9770e")
INK, MUTED, LINE = QColor("#222222"), QColor("#6b6560"), QColor("#ddd6cf")

BOARD_STYLE = """
#issueBoard QListView { background: #f4f1ee; border: none; outline: 0; }
#boardColumn { background: #f4f1ee; border-radius: 6px; }
#boardHeader { font-size: 12pt; font-weight: bold; color: #8e1b13; padding: 8px 10px 0 10px; }
#boardHint { color: #6b6560; padding: 0 10px 4px 10px; }
"""


# ---- one column's cards ------------------------------------------------------------------------
class CardModel(QStringListModel):
    """A column's cards: rows for the delegate, and each card's number as the C++
    string list. The view lays out every item through the model's rowCount() and
    index(); kept in C++, that is 5 ms for 13,000 cards instead of 100 through Python."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list = []

    def set_rows(self, rows: list) -> None:
        self.rows = rows
        self.setStringList([r.number for r in rows])  # resets the model

    def row_of_id(self, issue_id: int) -> int | None:
        return next((n for n, r in enumerate(self.rows) if r.id == issue_id), None)

    def data(self, index: _INDEX, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row = self.rows[index.row()]
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.DisplayRole:  # read by screen readers and keyboard search
            marks = "".join(f" {m}" for m, on in (("逾期", row.overdue), ("承诺", row.committed)) if on)
            return f"{row.number} {row.category} {_place(row)}{marks}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.description
        return None


def _place(row) -> str:
    return " ".join(p for p in (row.building, row.place) if p)


class CardDelegate(QStyledItemDelegate):
    """Paints a card: number and marks, category and place, the start of the
    description, owner and time limit. An overdue card has a red edge, a red
    time limit and the word 逾期."""

    MARGIN, PAD, LINES = 4, 8, 5

    def __init__(self, labels: dict[str, str], parent=None):
        super().__init__(parent)
        self.labels = labels
        self.today = date.today()
        self._fonts: tuple | None = None

    def fonts(self, font: QFont) -> tuple:
        """The card's fonts and metrics (plain, bold, small), made once per view font."""
        key = font.key()
        if self._fonts is None or self._fonts[0] != key:
            plain, bold, small = QFont(font), QFont(font), QFont(font)  # copies: the option's dies with it
            bold.setBold(True)
            small.setPointSizeF(font.pointSizeF() * 0.85)
            self._fonts = (key, plain, bold, small, QFontMetrics(plain), QFontMetrics(bold), QFontMetrics(small))
        return self._fonts[1:]

    def sizeHint(self, option: QStyleOptionViewItem, index: _INDEX) -> QSize:
        height = QFontMetrics(option.font).height()
        return QSize(200, self.LINES * (height + 3) + 2 * self.PAD + 2 * self.MARGIN)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _INDEX) -> None:
        row = index.data(ROW_ROLE)
        if row is None:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        card = option.rect.adjusted(self.MARGIN, self.MARGIN // 2, -self.MARGIN, -self.MARGIN // 2)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        focused = selected and bool(option.state & QStyle.StateFlag.State_HasFocus)
        painter.setPen(QPen(RED if focused else LINE, 2 if focused else 1))
        painter.setBrush(QColor("#fdf0ee") if selected else QColor("#ffffff"))
        painter.drawRoundedRect(card, 6, 6)
        if row.overdue:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(RED)
            painter.drawRoundedRect(QRect(card.left(), card.top(), 6, card.height()), 3, 3)

        font, bold, small, fm, bold_fm, small_fm = self.fonts(option.font)
        step = fm.height() + 3
        text = card.adjusted(self.PAD + 3, self.PAD, -self.PAD, -self.PAD)
        line = QRect(text.left(), text.top(), text.width(), fm.height())

        # 1: the number, and the marks on the right; 承诺 moves to the time limit when
        # a narrow card has no room for it
        painter.setFont(bold)
        painter.setPen(DARK_RED if row.overdue else INK)
        painter.drawText(line, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, row.number)
        painter.setFont(small)
        right, promise_in_due = line.right(), False
        for word, colour, filled in (("逾期", RED, True), ("承诺", AMBER, False)):
            if not (row.overdue if word == "逾期" else row.committed):
                continue
            width = small_fm.horizontalAdvance(word) + 8
            badge = QRect(right - width + 1, line.top() + 1, width, line.height() - 2)
            if not filled and badge.left() < line.left() + bold_fm.horizontalAdvance(row.number) + 4:
                promise_in_due = True
                continue
            painter.setPen(QPen(colour, 1))
            painter.setBrush(colour if filled else QColor("#ffffff"))
            painter.drawRoundedRect(badge, 4, 4)
            painter.setPen(QColor("#ffffff") if filled else colour)
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, word)
            right = badge.left() - 3

        # 2: category and place
        painter.setFont(font)
        line.translate(0, step)
        painter.setPen(MUTED)
        where = " · ".join(p for p in (row.category, _place(row)) if p)
        painter.drawText(line, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         fm.elidedText(where, Qt.TextElideMode.ElideRight, line.width()))

        # 3-4: the start of the description, in two lines
        painter.setPen(INK)
        words = " ".join(row.description.split())
        first = _fit(fm, words, line.width())
        for shown in (words[:first], words[first:].lstrip()):
            line.translate(0, step)
            painter.drawText(line, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             fm.elidedText(shown, Qt.TextElideMode.ElideRight, line.width()))

        # 5: owner on the left, the time limit on the right (with its label when there is room)
        line.translate(0, step)
        owner = row.owner or "未定责任人"
        owner_width = fm.horizontalAdvance(owner)
        due_text = ""
        if row.due_on:
            due_text = f"{row.due_on:%m-%d}" if row.due_on.year == self.today.year else f"{row.due_on:%Y-%m-%d}"
            labelled = f"{'承诺' if promise_in_due else self.labels['due_on']} {due_text}"
            if promise_in_due or owner_width + fm.horizontalAdvance(labelled) + 8 <= line.width():
                due_text = labelled
        due_width = fm.horizontalAdvance(due_text)
        painter.setPen(RED if row.overdue else MUTED)
        painter.drawText(line, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, due_text)
        painter.setPen(MUTED if row.owner else LINE.darker(150))
        room = line.width() - due_width - 8
        painter.drawText(QRect(line.left(), line.top(), room, line.height()),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         fm.elidedText(owner, Qt.TextElideMode.ElideRight, room))
        painter.restore()


def _fit(fm: QFontMetrics, text: str, width: int) -> int:
    """How many leading characters of text fit in width."""
    low, high = 0, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if fm.horizontalAdvance(text[:mid]) <= width:
            low = mid
        else:
            high = mid - 1
    return low


class CardList(QListView):
    """A column's list: Left and Right go to the neighbouring column."""

    sideways = Signal(int)  # -1 left, +1 right
    focused = Signal()

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Left, Qt.Key.Key_Right) and not event.modifiers():
            self.sideways.emit(-1 if event.key() == Qt.Key.Key_Left else 1)
            event.accept()
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event) -> None:
        super().focusInEvent(event)
        self.focused.emit()

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if not self.model().rowCount():
            painter = QPainter(self.viewport())
            painter.setPen(MUTED)
            painter.drawText(self.viewport().rect().adjusted(0, 24, 0, 0),
                             Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, "暂无")


# ---- the board ------------------------------------------------------------------------------
class IssueBoard(QWidget):
    activated = Signal(int)  # an issue id: Enter or a double-click on its card
    current_changed = Signal()

    def __init__(self, labels: dict[str, str], parent=None):
        super().__init__(parent)
        self.setObjectName("issueBoard")
        self.setStyleSheet(BOARD_STYLE)
        self.states = [state for state, _label in ISSUE_STATES]
        self.titles = dict(ISSUE_STATES)
        self.models: list[CardModel] = []
        self.lists: list[CardList] = []
        self.headers: list[QLabel] = []
        self.hints: list[QLabel] = []
        self.counts: list[int] = []
        self._ordered: dict[str, list] = {state: [] for state in self.states}  # every loaded issue, in board order
        self.active = 0  # the column whose card Enter and 办理… act on
        delegate = CardDelegate(labels, self)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 4, 0, 0)
        row.setSpacing(6)
        for n, state in enumerate(self.states):
            column = QWidget(self)
            column.setObjectName("boardColumn")
            column.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
            header = QLabel(self.titles[state], column)
            header.setObjectName("boardHeader")
            hint = QLabel(COLUMN_HINTS[state], column)
            hint.setObjectName("boardHint")
            for label in (header, hint):  # the column's width is the board's share, not its text's
                label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            model = CardModel(self)
            view = CardList(column)
            view.setObjectName(f"board_{state}")
            view.setModel(model)
            view.setItemDelegate(delegate)
            view.setUniformItemSizes(True)
            view.setResizeMode(QListView.ResizeMode.Adjust)
            view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
            view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
            view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            view.setAccessibleName(self.titles[state])
            view.activated.connect(self._activated)
            view.sideways.connect(lambda d, c=n: self._move(c, d))
            view.focused.connect(lambda c=n: self._set_active(c))
            view.selectionModel().currentChanged.connect(lambda *_a, c=n: self._set_active(c))
            box = QVBoxLayout(column)
            box.setContentsMargins(0, 0, 0, 4)
            box.setSpacing(0)
            box.addWidget(header)
            box.addWidget(hint)
            box.addWidget(view, 1)
            row.addWidget(column, 1)
            self.models.append(model)
            self.lists.append(view)
            self.headers.append(header)
            self.hints.append(hint)
            self.counts.append(0)

    def set_issues(self, rows: list) -> None:
        """Every loaded issue, put in board order once: by column, then overdue first and
        the nearest time limit, or in 已办结 the most recently closed first."""
        by_state: dict[str, list] = {state: [] for state in self.states}
        for r in rows:
            by_state[r.state].append(r)
        for state, cards in by_state.items():
            if state == CLOSED_STATE:
                cards.sort(key=attrgetter("step_at"), reverse=True)
            else:
                cards.sort(key=lambda r: (not r.overdue, r.due_on or date.max, r.id))
        self._ordered = by_state

    def show_only(self, rows: list) -> None:
        """Fill the columns with these of the issues (the rows the table shows), in
        board order; keeps the current card."""
        current = self.current_row()
        if len(rows) == sum(map(len, self._ordered.values())):  # nothing filtered out
            by_state = self._ordered
        else:
            keep = set(map(id, rows))
            by_state = {state: [r for r in cards if id(r) in keep] for state, cards in self._ordered.items()}
        for n, state in enumerate(self.states):
            cards = by_state[state]
            self.counts[n] = len(cards)
            if state == CLOSED_STATE:
                cards = cards[:CLOSED_SHOWN]
                more = self.counts[n] - len(cards)
                self.hints[n].setText(f"最近办结的 {len(cards)} 件" if more else COLUMN_HINTS[state])
                self.hints[n].setToolTip(f"另有 {more} 件较早办结的问题，请在表格中查看" if more else "")
            self.models[n].set_rows(cards)
            self.headers[n].setText(f"{self.titles[state]}　{self.counts[n]}")
        if current is not None:
            self.select_id(current.id, focus=False)

    # ---- the current card ----
    def current_row(self):
        view = self.lists[self.active]
        index = view.currentIndex()
        if not index.isValid() or not view.selectionModel().isSelected(index):
            return None
        return index.data(ROW_ROLE)

    def select_id(self, issue_id: int, *, focus: bool = True) -> bool:
        for n, model in enumerate(self.models):
            found = model.row_of_id(issue_id)
            if found is not None:
                self._select(n, found, focus=focus)
                return True
        return False

    def focus_board(self) -> None:
        """Focus the active column, on its first card when none is chosen."""
        view = self.lists[self.active]
        if not view.currentIndex().isValid() and self.models[self.active].rows:
            self._select(self.active, 0, focus=True)
        view.setFocus()

    def _select(self, column: int, row: int, *, focus: bool) -> None:
        view = self.lists[column]
        index = self.models[column].index(row)
        for other in self.lists:
            if other is not view:
                other.clearSelection()
        view.setCurrentIndex(index)
        view.scrollTo(index)
        self._set_active(column)
        if focus:
            view.setFocus()

    def _set_active(self, column: int) -> None:
        if column != self.active:
            self.lists[self.active].clearSelection()
        self.active = column
        self.current_changed.emit()

    def _move(self, column: int, direction: int) -> None:
        """To the nearest column that has cards, at about the same height."""
        row = max(0, self.lists[column].currentIndex().row())
        target = column + direction
        while 0 <= target < len(self.lists) and not self.models[target].rows:
            target += direction
        if 0 <= target < len(self.lists):
            self._select(target, min(row, len(self.models[target].rows) - 1), focus=True)

    def _activated(self, index: QModelIndex) -> None:
        row = index.data(ROW_ROLE)
        if row is not None:
            self.activated.emit(row.id)


# ---- the page -------------------------------------------------------------------------------
class IssuesPage(RosterPage):
    """The 居民问题 page: the roster page's table, or the same issues as a board
    (表格 / 看板, Ctrl+B, remembered). The rows are loaded once, by the roster page;
    the board reads what the table model shows."""

    def __init__(self, spec, store, settings, status, parent=None):
        super().__init__(spec, store, settings, status, parent)
        labels = {c.field.key: c.field.label for c in spec.columns}
        self.board = IssueBoard(labels, self)
        self.board.activated.connect(self._open_card)
        self.board.current_changed.connect(self._update_actions)
        self._issues: list = []
        self._board_stale = self._issues_stale = True
        self.model.modelReset.connect(self._rows_changed)

        self.views = QStackedWidget(self)
        self.views.setObjectName("issueViews")
        self.layout().replaceWidget(self.table, self.views)
        self.views.addWidget(self.table)
        self.views.addWidget(self.board)

        group = QActionGroup(self)
        first = self.toolbar.actions()[0]
        self.view_actions: dict[str, QAction] = {}
        for key, text in ((VIEW_TABLE, "表格"), (VIEW_BOARD, "看板")):
            act = QAction(text, self)
            act.setCheckable(True)
            act.setToolTip(f"以{text}显示（Ctrl+B 切换）")
            act.triggered.connect(lambda _c=False, k=key: self.show_view(k))
            group.addAction(act)
            self.toolbar.insertAction(first, act)
            self.view_actions[key] = act
        self.toolbar.insertSeparator(first)
        toggle = QAction(self)
        toggle.setShortcut(QKeySequence("Ctrl+B"))
        toggle.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        toggle.triggered.connect(lambda: self.show_view(VIEW_TABLE if self.view == VIEW_BOARD else VIEW_BOARD))
        self.addAction(toggle)
        self.show_view(str(settings.value(f"{spec.key}/view", VIEW_TABLE)), focus=False)

    @property
    def view(self) -> str:
        views = getattr(self, "views", None)  # None while the roster page builds itself
        return VIEW_BOARD if views is not None and views.currentWidget() is self.board else VIEW_TABLE

    def show_view(self, key: str, *, focus: bool = True) -> None:
        key = VIEW_BOARD if key == VIEW_BOARD else VIEW_TABLE
        self.view_actions[key].setChecked(True)
        if key == VIEW_BOARD:
            self._refresh_board()
        self.views.setCurrentWidget(self.board if key == VIEW_BOARD else self.table)
        self.settings.setValue(f"{self.spec.key}/view", key)
        if focus and key == VIEW_BOARD:
            self.board.focus_board()
        elif focus:
            self.table.setFocus()
        self._update_actions()

    # ---- the board follows the table model ----
    def _loaded(self, result) -> None:
        self._issues, self._issues_stale = result[0].rows, True
        super()._loaded(result)

    def _rows_changed(self) -> None:
        self._board_stale = True
        if self.view == VIEW_BOARD:
            self._refresh_board()

    def _refresh_board(self) -> None:
        if self._issues_stale:
            self._issues_stale = False
            self.board.set_issues(self._issues)
        if self._board_stale:
            self._board_stale = False
            self.board.show_only(self.model.visible_rows())

    # ---- what 办理… and 删除 act on ----
    def selected_rows(self) -> list:
        if self.view == VIEW_BOARD:
            row = self.board.current_row()
            return [] if row is None else [row]
        return super().selected_rows()

    def select_id(self, record_id: int) -> bool:
        found = super().select_id(record_id)
        self._refresh_board()
        shown = self.board.select_id(record_id, focus=self.view == VIEW_BOARD)
        return shown if self.view == VIEW_BOARD else found

    def _open_card(self, issue_id: int) -> None:
        if self.board.select_id(issue_id, focus=True):
            self.edit_selected()
