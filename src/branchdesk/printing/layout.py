"""Pages of our own: a printed document as a list of blocks (paragraphs, bordered
tables, signature lines) laid out on A4 with QPainter.

Why not QTextDocument: it keeps table rows whole and repeats header rows
(QTextTableFormat.setHeaderRowCount), but where a table breaks it draws the
borders of the last row on the page down to the bottom margin, so a sign-in
sheet ends every page with one stretched row; and 第 N 页 共 M 页 needs page
painting of our own anyway. Here a table row moves whole to the next page, which
starts with the table's header again; only a row taller than a whole page (a
list of 300 names in one cell) is split between two lines of its text. A
paragraph may break between its lines; a heading stays with what follows.

Everything is measured on the device it is painted on (QPdfWriter, or the
QPrinter of the print preview), in that device's pixels, so what is measured is
what is drawn. Text is set in the bundled Noto Sans CJK SC; Qt embeds it in the
PDF as a subset (it rewrites the CFF outlines as TrueType glyphs), so the PDF
shows the same on a PC without Chinese fonts and its text can be copied."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPen,
    QTextLayout,
    QTextOption,
)

FAMILY = "Noto Sans CJK SC"
TITLE_PT, SUBTITLE_PT, BODY_PT, TABLE_PT, FOOTER_PT = 18, 14, 12, 10.5, 9  # 小二, 四号, 小四, 五号, 小五
MARGINS_MM = QMarginsF(20, 20, 20, 12)  # left, top, right, bottom; the footer sits above the bottom margin
FOOTER_MM = 8
PADDING_MM = 1.5
BORDER_PT = 0.6


def font_family() -> str:
    """The bundled Chinese font, loaded into the running Qt application if it is not yet."""
    if FAMILY not in QFontDatabase.families():
        from ..ui.qtenv import load_bundled_fonts

        load_bundled_fonts()
    return FAMILY


# ---- the blocks ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Cell:
    text: str = ""
    span: int = 1
    bold: bool = False
    align: str = ""  # left / center / right; empty: the column's


@dataclass(frozen=True)
class Column:
    label: str
    width: float  # relative to the other columns
    align: str = "left"


@dataclass
class Paragraph:
    text: str
    size: float = BODY_PT
    bold: bool = False
    align: str = "left"
    indent: float = 0  # the first line's indent, in characters (2 for running text)
    hanging: float = 0  # the following lines' indent, in characters (a numbered list)
    before: float = 0  # space above, mm
    after: float = 1.5  # space below, mm
    keep_with_next: bool = False  # a heading: never the last thing on a page
    leading: float = 1.25


def heading(text: str) -> Paragraph:
    return Paragraph(text, bold=True, before=3, after=1.5, keep_with_next=True)


@dataclass
class Table:
    columns: Sequence[Column]
    rows: Sequence[Sequence[str | Cell]]
    header: bool = True  # the column labels, repeated on every page the table reaches
    row_height: float = 0  # mm: the least height of a row (room to sign in)
    fit: bool = False  # widths from what the columns hold (a roster); else from Column.width
    size: float = TABLE_PT
    before: float = 1.5
    after: float = 3


@dataclass
class Signatures:
    """One line of labels each followed by a rule to sign on: 主持人签字：＿＿＿＿."""

    labels: Sequence[str]
    before: float = 14
    size: float = BODY_PT


@dataclass
class Spacer:
    height: float  # mm


@dataclass
class PrintDocument:
    """What a printing function returns: paint it on a printer, or write_pdf it."""

    title: str
    subtitle: str = ""
    org: str = ""  # the branch / community line under the title
    day: str = ""  # the date beside it
    blocks: list = field(default_factory=list)
    landscape: bool = False

    def page_layout(self) -> QPageLayout:
        orientation = QPageLayout.Orientation.Landscape if self.landscape else QPageLayout.Orientation.Portrait
        return QPageLayout(QPageSize(QPageSize.PageSizeId.A4), orientation, MARGINS_MM, QPageLayout.Unit.Millimeter)

    def pages(self, device: QPagedPaintDevice) -> list[list[tuple]]:
        return _Layout(device, self).run()

    def paint(self, device: QPagedPaintDevice) -> int:
        """Lay out on the device and paint every page with its footer; returns the page count."""
        pages = self.pages(device)
        painter = QPainter()
        if not painter.begin(device):
            raise OSError("the paint device cannot be opened")
        try:
            footer = _Footer(device, " ".join(part for part in (self.subtitle, self.title) if part))
            for number, ops in enumerate(pages, start=1):
                if number > 1:
                    device.newPage()
                for op in ops:
                    _draw(painter, op)
                footer.draw(painter, number, len(pages))
        finally:
            painter.end()
        return len(pages)


# ---- laying out ---------------------------------------------------------------------------------
_ALIGN = {"left": Qt.AlignmentFlag.AlignLeft, "center": Qt.AlignmentFlag.AlignHCenter,
          "right": Qt.AlignmentFlag.AlignRight}


def _font(size: float, bold: bool = False) -> QFont:
    font = QFont(font_family())
    font.setPointSizeF(size)
    font.setBold(bold)
    return font


class _Metrics:
    """Millimetres, points and wrapped text on one paint device."""

    def __init__(self, device):
        self.device = device
        self.dpi = device.logicalDpiY()

    def mm(self, value: float) -> float:
        return value * self.dpi / 25.4

    def pt(self, value: float) -> float:
        return value * self.dpi / 72

    def line_height(self, font: QFont, leading: float = 1.0) -> float:
        return QFontMetricsF(font, self.device).height() * leading

    def wrap(self, text: str, font: QFont, width: float, first_indent: float = 0,
             rest_indent: float = 0) -> list[tuple[str, float, float]]:
        """The lines of the text at this width: (text, x offset, natural width); a newline
        starts a new line, a long number breaks anywhere."""
        lines = []
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        for part in text.split("\n"):
            layout = QTextLayout(part, font, self.device)
            layout.setTextOption(option)
            layout.beginLayout()
            first = True
            while True:
                line = layout.createLine()
                if not line.isValid():
                    break
                line.setLineWidth(max(width - (first_indent if first else rest_indent), 1))
                first = False
            layout.endLayout()
            for i in range(layout.lineCount()):
                line = layout.lineAt(i)
                shown = part[line.textStart():line.textStart() + line.textLength()].rstrip()
                lines.append((shown, first_indent if i == 0 else rest_indent, line.naturalTextWidth()))
        return lines


@dataclass
class _CellBox:
    x: float
    width: float
    lines: list
    font: QFont
    align: str


class _Layout(_Metrics):
    def __init__(self, device, document: PrintDocument):
        super().__init__(device)
        self.document = document
        self.width = device.width()
        self.bottom = device.height() - self.mm(FOOTER_MM)
        self.pages: list[list[tuple]] = [[]]
        self.y = 0.0

    def run(self) -> list[list[tuple]]:
        self._title_block()
        blocks = self.document.blocks
        for i, block in enumerate(blocks):
            if isinstance(block, Paragraph):
                self._paragraph(block, blocks[i + 1:])
            elif isinstance(block, Table):
                self._table(block)
            elif isinstance(block, Signatures):
                self._signatures(block)
            elif isinstance(block, Spacer):
                self.y = min(self.y + self.mm(block.height), self.bottom)
        return self.pages

    # -- pages
    @property
    def page(self) -> list[tuple]:
        return self.pages[-1]

    def new_page(self) -> None:
        self.pages.append([])
        self.y = 0.0

    def room(self) -> float:
        return self.bottom - self.y

    def text(self, x: float, y: float, width: float, height: float, text: str, font: QFont, align: str) -> None:
        if text:
            self.page.append(("text", QRectF(x, y, width, height), text, font, _ALIGN[align or "left"]))

    def rule(self, x1: float, y1: float, x2: float, y2: float) -> None:
        self.page.append(("line", QPointF(x1, y1), QPointF(x2, y2), self.pt(BORDER_PT)))

    # -- the title block: the title, the meeting or roster it is about, the branch and the date
    def _title_block(self) -> None:
        d = self.document
        self._paragraph(Paragraph(d.title, size=TITLE_PT, bold=True, align="center", after=2, leading=1.2), None)
        if d.subtitle:
            self._paragraph(Paragraph(d.subtitle, size=SUBTITLE_PT, align="center", after=1.5), None)
        line = "　　".join(part for part in (d.org, d.day) if part)
        if line:
            self._paragraph(Paragraph(line, size=BODY_PT, align="center", after=3), None)
        self.y += self.mm(2)

    # -- running text
    def _lines(self, p: Paragraph) -> tuple[list, float]:
        font = _font(p.size, p.bold)
        em = QFontMetricsF(font, self.device).horizontalAdvance("中")
        return self.wrap(p.text, font, self.width, p.indent * em, p.hanging * em), self.line_height(font, p.leading)

    def _paragraph(self, p: Paragraph, following: Sequence) -> None:
        font = _font(p.size, p.bold)
        lines, step = self._lines(p)
        self.y += self.mm(p.before) if self.y > 0 else 0
        if p.keep_with_next and self.y > 0 and self.y + step * len(lines) + self._first_piece(following) > self.bottom:
            self.new_page()
        for shown, offset, _natural in lines:
            if self.y + step > self.bottom and self.y > 0:
                self.new_page()
            self.text(offset, self.y, self.width - offset, step, shown, font, p.align)
            self.y += step
        self.y += self.mm(p.after)

    def _first_piece(self, following: Sequence) -> float:
        """How much of what follows must fit below a heading: a table's header and first
        row, or two lines of text; a paragraph that itself keeps with what follows it
        (the summary's end before the signatures) whole, and that next piece too."""
        block = following[0] if following else None
        if isinstance(block, Paragraph) and block.keep_with_next:
            lines, step = self._lines(block)
            return self.mm(block.before + block.after) + step * len(lines) + self._first_piece(following[1:])
        if isinstance(block, Table):
            return self.line_height(_font(block.size)) * 2.4 + self.mm(4 * PADDING_MM + block.row_height)
        if isinstance(block, Paragraph):
            return self.line_height(_font(block.size, block.bold), block.leading) * 2
        if isinstance(block, Signatures):
            return self.mm(min(block.before, 6)) + self.line_height(_font(block.size)) * 1.6  # as _signatures squeezes it
        return 0.0

    # -- bordered tables
    def _cells(self, table: Table, row: Sequence[str | Cell], xs: list[float], bold: bool = False) -> list[_CellBox]:
        pad = self.mm(PADDING_MM)
        boxes, col = [], 0
        for raw in row:
            cell = raw if isinstance(raw, Cell) else Cell(str(raw))
            span = max(1, min(cell.span, len(table.columns) - col))
            x, width = xs[col], xs[col + span] - xs[col]
            font = _font(table.size, bold or cell.bold)
            align = cell.align or ("center" if bold else table.columns[col].align)
            boxes.append(_CellBox(x, width, self.wrap(cell.text, font, width - 2 * pad), font, align))
            col += span
        if col < len(table.columns):  # a short row: the rest as one empty cell
            font = _font(table.size)
            boxes.append(_CellBox(xs[col], xs[-1] - xs[col], [], font, "left"))
        return boxes

    def _widths(self, table: Table) -> list[float]:
        """Column widths: by weight; or, to fit, each column as wide as its longest text
        (a long label may take two lines), the room left over shared out, and when the
        page is too narrow the widest columns wrap."""
        weights = [c.width for c in table.columns]
        if not table.fit:
            return [self.width * w / sum(weights) for w in weights]
        pad = 2 * self.mm(PADDING_MM) + self.pt(1)
        plain = QFontMetricsF(_font(table.size), self.device)
        bold = QFontMetricsF(_font(table.size, True), self.device)
        em = bold.horizontalAdvance("中")
        need = [min(bold.horizontalAdvance(c.label), max(4 * em, bold.horizontalAdvance(c.label) / 2)) + pad
                for c in table.columns]
        for row in table.rows:
            col = 0
            for raw in row:
                cell = raw if isinstance(raw, Cell) else Cell(str(raw))
                if cell.span == 1 and col < len(need):
                    longest = max((plain.horizontalAdvance(part) for part in cell.text.split("\n")), default=0)
                    need[col] = max(need[col], longest + pad)
                col += cell.span
        if sum(need) <= self.width:
            return [n + (self.width - sum(need)) * n / sum(need) for n in need]
        # too wide: the narrow columns keep what they need, the wide ones share the rest by weight
        widths = list(need)
        wide = set(range(len(need)))
        while wide:
            left = self.width - sum(widths[i] for i in range(len(need)) if i not in wide)
            share = {i: left * weights[i] / sum(weights[j] for j in wide) for i in wide}
            fitting = {i for i in wide if need[i] <= share[i]}
            if not fitting:
                for i in wide:
                    widths[i] = share[i]
                break
            wide -= fitting
        return widths

    def _table(self, table: Table) -> None:
        xs = [0.0]
        for w in self._widths(table):
            xs.append(xs[-1] + w)
        pad = self.mm(PADDING_MM)
        step = self.line_height(_font(table.size), 1.15)
        least = self.mm(table.row_height)

        def height(boxes: list[_CellBox]) -> float:
            return max(least, max((len(b.lines) for b in boxes), default=0) * step + 2 * pad)

        header = self._cells(table, [c.label for c in table.columns], xs, bold=True) if table.header else None
        header_h = height(header) if header else 0.0
        self.y += self.mm(table.before) if self.y > 0 else 0
        starting = True
        for row in table.rows:
            boxes = self._cells(table, row, xs)
            h = height(boxes)
            fits_a_page = header_h + h <= self.bottom
            if self.y + h + (header_h if starting else 0) > self.bottom and (fits_a_page or self.room() < 4 * step):
                self.new_page()
                starting = True
            if starting and header:
                self._row(header, header_h, step, pad)
            starting = False
            while self.y + h > self.bottom:  # taller than what is left of an empty page: split between lines
                n = max(1, int((self.room() - 2 * pad) // step))
                self._row([_CellBox(b.x, b.width, b.lines[:n], b.font, b.align) for b in boxes],
                          self.room(), step, pad, top=True)
                boxes = [_CellBox(b.x, b.width, b.lines[n:], b.font, b.align) for b in boxes]
                h = height(boxes)
                self.new_page()
                if header:
                    self._row(header, header_h, step, pad)
            self._row(boxes, h, step, pad)
        self.y += self.mm(table.after)

    def _row(self, boxes: list[_CellBox], h: float, step: float, pad: float, top: bool = False) -> None:
        y = self.y
        for b in boxes:
            self.rule(b.x, y, b.x + b.width, y)
            self.rule(b.x, y + h, b.x + b.width, y + h)
            self.rule(b.x, y, b.x, y + h)
            self.rule(b.x + b.width, y, b.x + b.width, y + h)
            text_h = len(b.lines) * step
            ty = y + pad if top else y + (h - text_h) / 2
            for shown, _offset, _natural in b.lines:
                self.text(b.x + pad, ty, b.width - 2 * pad, step, shown, b.font, b.align)
                ty += step
        self.y = y + h

    # -- 主持人签字：＿＿＿＿  记录人签字：＿＿＿＿  日期：＿＿＿＿
    def _signatures(self, s: Signatures) -> None:
        font = _font(s.size)
        step = self.line_height(font, 1.6)
        gap = self.mm(s.before)
        if self.y + gap + step > self.bottom:
            gap = self.mm(min(s.before, 6))  # rather closer to what it signs than alone on a page
        if self.y + gap + step > self.bottom:
            self.new_page()
        else:
            self.y += gap
        slot = self.width / max(1, len(s.labels))
        metrics = QFontMetricsF(font, self.device)
        for i, label in enumerate(s.labels):
            x = i * slot
            self.text(x, self.y, slot, step, label, font, "left")
            if label.endswith("："):  # a line to write on; 日期：2026年12月1日 is already filled in
                start = x + metrics.horizontalAdvance(label) + self.mm(1)
                self.rule(start, self.y + step * 0.8, x + slot - self.mm(6), self.y + step * 0.8)
        self.y += step


class _Footer(_Metrics):
    """第 N 页 共 M 页 in the middle; from the second page on, what the document is at the
    left, so that a loose page of a long sign-in sheet still says what it belongs to."""

    def __init__(self, device, name: str):
        super().__init__(device)
        self.font = _font(FOOTER_PT)
        self.rect = QRectF(0, device.height() - self.mm(FOOTER_MM) + self.mm(2), device.width(), self.mm(FOOTER_MM - 2))
        self.name = QFontMetricsF(self.font, device).elidedText(name, Qt.TextElideMode.ElideMiddle,
                                                                device.width() * 0.36)

    def draw(self, painter: QPainter, number: int, count: int) -> None:
        painter.setFont(self.font)
        middle = int(Qt.AlignmentFlag.AlignVCenter)
        painter.drawText(self.rect, middle | int(Qt.AlignmentFlag.AlignHCenter), f"第 {number} 页 共 {count} 页")
        if number > 1:
            painter.drawText(self.rect, middle | int(Qt.AlignmentFlag.AlignLeft), self.name)


def _draw(painter: QPainter, op: tuple) -> None:
    if op[0] == "text":
        _kind, rect, text, font, align = op
        painter.setFont(font)
        painter.drawText(rect, int(align | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextDontClip
                                   | Qt.TextFlag.TextSingleLine), text)
    else:
        _kind, start, end, width = op
        pen = QPen(Qt.GlobalColor.black)
        pen.setWidthF(width)
        painter.setPen(pen)
        painter.drawLine(start, end)
