"""工作统计: the figures the street office asks for, over a period the secretary picks:
residents' issues collected, accepted in time, publicly committed, solved, solved
within the time limit and the residents' satisfaction; the demands raised and where
they stand; resources and duties as they are today. 复制 puts the table on the
clipboard as cells, for a report in Excel or WPS."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QHBoxLayout, QHeaderView, QLabel, QTreeWidget, QTreeWidgetItem,
    QVBoxLayout, QWidget,
)

from ..services import issues, lists
from ..services.periods import describe, period_range
from ..store import Store
from .widgets import note_label, period_inputs


def _rate(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "—"


def figures(store: Store, start: date, end: date, today: date) -> list[tuple[str, list[tuple[str, int, str, str]]]]:
    """(section, [(item, count, unit, share)]) for the period; every number read in one session."""
    with store.session() as session:
        i = issues.issue_counts(session, start=start, end=end, today=today)
        d = lists.list_counts(session, start=start, end=end, today=today)
    return [
        ("居民问题（期间提出的）", [
            ("收集问题", i.collected, "件", ""),
            ("按时受理", i.accepted_in_time, "件", _rate(i.accepted_in_time, i.collected)),
            ("公开承诺", i.committed, "件", _rate(i.committed, i.collected)),
            ("已办结", i.solved, "件", _rate(i.solved, i.collected)),
            ("按时办结", i.solved_in_time, "件", _rate(i.solved_in_time, i.solved)),
            ("居民评价", i.reviewed + i.unsatisfied, "次", ""),
            ("满意（含基本满意）", i.satisfied, "次", _rate(i.satisfied, i.reviewed + i.unsatisfied)),
            ("不满意（已重新办理）", i.unsatisfied, "次", _rate(i.unsatisfied, i.reviewed + i.unsatisfied)),
            ("目前逾期未办结", i.overdue, "件", _rate(i.overdue, i.collected)),
        ]),
        ("需求清单（期间提出的）", [
            ("收集需求", d.demands, "条", ""),
            ("已对接或认领", d.answered, "条", _rate(d.answered, d.demands)),
            ("红色合伙人、党员认领", d.claimed, "条", _rate(d.claimed, d.demands)),
            ("已办结", d.done, "条", _rate(d.done, d.demands)),
            ("待对接", d.open, "条", _rate(d.open, d.demands)),
            ("已关闭（未办理）", d.closed, "条", _rate(d.closed, d.demands)),
        ]),
        ("资源清单（现有）", [
            ("资源", d.resources, "项", ""),
            ("闲置（没有对接中的需求）", d.idle_resources, "项", _rate(d.idle_resources, d.resources)),
        ]),
        ("责任清单（现有）", [
            ("任务", d.duties, "项", ""),
            ("已完成", d.duties_done, "项", _rate(d.duties_done, d.duties)),
            ("逾期未完成", d.duties_overdue, "项", _rate(d.duties_overdue, d.duties)),
        ]),
    ]


class StatsDialog(QDialog):
    def __init__(self, store: Store, parent: QWidget | None = None, *, today: date | None = None):
        super().__init__(parent)
        self.store = store
        self.today = today or date.today()
        self.setObjectName("statsDialog")
        self.setWindowTitle("工作统计")
        self.setSizeGripEnabled(True)

        self.period, self.start, self.end = period_inputs(self)
        for edit in (self.start, self.end):
            edit.dateChanged.connect(self._dates_changed)
        self.heading = QLabel(self)
        self.heading.setObjectName("statsHeading")
        self.heading.setStyleSheet("font-size: 12pt; font-weight: bold; color: #8e1b13;")

        self.table = QTreeWidget(self)
        self.table.setObjectName("figures")
        self.table.setHeaderLabels(["项目", "数量", "占比"])
        self.table.setRootIsDecorated(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)

        buttons = QDialogButtonBox(self)
        copy = buttons.addButton("复制表格", QDialogButtonBox.ButtonRole.ActionRole)
        copy.setObjectName("copyFigures")
        copy.setToolTip("复制后可直接粘贴到 Excel 或 WPS 表格中（Ctrl+C）")
        copy.clicked.connect(self.copy)
        close = buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        close.clicked.connect(self.reject)
        QShortcut(QKeySequence.StandardKey.Copy, self, self.copy)

        bar = QHBoxLayout()
        bar.addWidget(QLabel("统计期间：", self))
        bar.addWidget(self.period)
        bar.addWidget(self.start)
        bar.addWidget(QLabel("至", self))
        bar.addWidget(self.end)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.heading)
        layout.addWidget(self.table, 1)
        note = note_label("问题和需求按提出日期计入期间；“按时”以每件问题的办结时限（公开承诺日期、定事时限或标准时限）为准；"
                      "居民评价“不满意”的问题会重新办理，每次评价都计入；资源和任务为当前情况。", self)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.resize(640, 720)

        self.period.currentIndexChanged.connect(self._period_changed)
        self.period.setCurrentIndex(self.period.findData("year"))
        self._period_changed()

    def _period_changed(self) -> None:
        key = self.period.currentData()
        start, end = period_range(key, self.today)
        custom = key == "custom"
        for edit, day in ((self.start, start), (self.end, end)):
            edit.blockSignals(True)
            edit.setDate(QDate(day.year, day.month, day.day))
            edit.setEnabled(custom)
            edit.blockSignals(False)
        self.refresh()

    def _dates_changed(self) -> None:
        if self.end.date() < self.start.date():
            self.end.setDate(self.start.date())
            return
        self.refresh()

    def dates(self) -> tuple[date, date]:
        return self.start.date().toPython(), self.end.date().toPython()

    def refresh(self) -> None:
        start, end = self.dates()
        self.heading.setText(f"{describe(start, end)}（{self.period.currentText()}）")
        self.table.clear()
        bold = self.font()
        bold.setBold(True)
        for section, rows in figures(self.store, start, end, self.today):
            head = QTreeWidgetItem(self.table, [section, "", ""])
            head.setFirstColumnSpanned(True)
            head.setFont(0, bold)
            for item, count, unit, share in rows:
                line = QTreeWidgetItem(self.table, [f"　{item}", f"{count} {unit}", share])
                line.setData(1, Qt.ItemDataRole.UserRole, count)
                line.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                line.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def as_text(self) -> str:
        """The table as tab-separated lines: a spreadsheet pastes it as cells."""
        lines = [self.heading.text(), "项目\t数量\t占比"]
        for n in range(self.table.topLevelItemCount()):
            item = self.table.topLevelItem(n)
            count = item.data(1, Qt.ItemDataRole.UserRole)  # a number, so the spreadsheet can add it up
            cells = [item.text(0).strip("　"), "" if count is None else str(count), item.text(2)]
            lines.append("\t".join(cells).rstrip("\t"))
        return "\n".join(lines)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.as_text())
        self.heading.setToolTip("已复制")


def open_stats(parent: QWidget, store: Store) -> None:
    dialog = StatsDialog(store, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
