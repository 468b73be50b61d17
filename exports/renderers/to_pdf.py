"""PDF with reportlab platypus: title page, brand-coloured header, page numbers, tables, bar charts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    ListFlowable,
    ListItem,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Spacer,
)
from reportlab.platypus import Paragraph as PdfParagraph
from reportlab.platypus import Table as PdfTable
from reportlab.platypus import TableStyle as PdfTableStyle

from exports.content import (
    BarChart,
    BulletList,
    Column,
    Document,
    Facts,
    Heading,
    Paragraph,
    Table,
    Value,
    format_value,
)

rl_config.useA85 = 0  # compressed streams stay binary: smaller files, no ASCII85 pass over every page
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
HEADER_HEIGHT = 14 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
# Rows measured per page of a long table: more than fit on one A4 page at the smallest row height.
TABLE_WINDOW_ROWS = 80
LONG_CELL = 28  # characters; longer text cells wrap (a Paragraph), shorter ones stay plain strings
LONG_FACT = 300  # characters; a longer fact value is laid out as a paragraph below its label
MAX_CELL = 1500  # characters of one table cell in the PDF (about half a page in the narrowest column)
MAX_CHART_BARS = 30
BLOCK_GAP = 4 * mm

_styles = getSampleStyleSheet()
STYLES = {
    "title": ParagraphStyle("DocTitle", parent=_styles["Title"], fontSize=26, leading=32, spaceAfter=12),
    "subtitle": ParagraphStyle("DocSubtitle", parent=_styles["Normal"], fontSize=14, leading=18, spaceAfter=24),
    "meta": ParagraphStyle("DocMeta", parent=_styles["Normal"], fontSize=10, textColor=colors.grey),
    "h1": ParagraphStyle("Section", parent=_styles["Heading1"], fontSize=16, spaceBefore=12, spaceAfter=8),
    "h2": _styles["Heading3"],
    "body": ParagraphStyle("Body", parent=_styles["BodyText"], fontSize=10, leading=14, spaceAfter=BLOCK_GAP),
    "item": ParagraphStyle("Item", parent=_styles["BodyText"], fontSize=10, leading=14),
    "cell": ParagraphStyle("Cell", parent=_styles["BodyText"], fontSize=8.5, leading=10.5),
    "label": ParagraphStyle("Label", parent=_styles["BodyText"], fontName="Helvetica-Bold", fontSize=9, spaceBefore=4),
}


def render(document: Document, path: Path) -> None:
    brand = colors.HexColor(document.branding.color)
    with path.open("wb") as file:
        doc = BaseDocTemplate(
            file, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN + HEADER_HEIGHT,
            bottomMargin=MARGIN, title=document.title, author=document.customer_name, pageCompression=1,
        )  # fmt: skip
        frame = Frame(
            MARGIN, MARGIN, CONTENT_WIDTH, PAGE_HEIGHT - 2 * MARGIN - HEADER_HEIGHT, id="body",
            leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0,
        )  # fmt: skip

        def title_page(canvas: Canvas, _doc: BaseDocTemplate) -> None:
            canvas.saveState()
            canvas.setFillColor(brand)
            canvas.rect(0, PAGE_HEIGHT - 40 * mm, PAGE_WIDTH, 40 * mm, stroke=0, fill=1)
            _draw_logo(canvas, document, PAGE_HEIGHT - 32 * mm, 24 * mm)
            canvas.restoreState()

        def body_page(canvas: Canvas, doc_: BaseDocTemplate) -> None:
            canvas.saveState()
            top = PAGE_HEIGHT - MARGIN
            canvas.setFillColor(brand)
            canvas.rect(MARGIN, top - 9 * mm, CONTENT_WIDTH, 9 * mm, stroke=0, fill=1)
            canvas.setFillColor(colors.white)
            canvas.setFont("Helvetica-Bold", 10)
            room = 60 if document.branding.logo_path else 90  # characters left of the logo
            canvas.drawString(MARGIN + 3 * mm, top - 6 * mm, document.title[:room])
            _draw_logo(canvas, document, top - 8.5 * mm, 8 * mm)
            canvas.setFillColor(colors.grey)
            canvas.setFont("Helvetica", 8)
            canvas.drawString(MARGIN, MARGIN - 8 * mm, document.customer_name[:80])
            canvas.drawRightString(PAGE_WIDTH - MARGIN, MARGIN - 8 * mm, f"Page {doc_.page}")
            canvas.restoreState()

        doc.addPageTemplates(
            [
                PageTemplate(id="title", frames=[frame], onPage=title_page),
                PageTemplate(id="body", frames=[frame], onPage=body_page),
            ]
        )
        doc.build(list(_story(document, brand)))


def _draw_logo(canvas: Canvas, document: Document, y: float, height: float) -> None:
    if document.branding.logo_path:
        canvas.drawImage(
            document.branding.logo_path, PAGE_WIDTH - MARGIN - 3 * height, y, width=3 * height, height=height,
            preserveAspectRatio=True, anchor="e", mask="auto",
        )  # fmt: skip


def _text(text: str, style: str = "body") -> PdfParagraph:
    return PdfParagraph(escape(text).replace("\n", "<br/>"), STYLES[style])


def _story(document: Document, brand: colors.Color) -> Iterator[Flowable]:
    yield Spacer(1, 40 * mm)
    yield _text(document.title, "title")
    if document.subtitle:
        yield _text(document.subtitle, "subtitle")
    yield _text(f"Prepared for {document.customer_name}", "meta")
    yield _text(f"Generated {document.generated_at:%d %B %Y, %H:%M} UTC", "meta")
    yield NextPageTemplate("body")
    yield PageBreak()
    for section in document.sections:
        yield _text(section.title, "h1")
        for block in section.blocks:
            yield from _block(block, brand)


def _block(block: Any, brand: colors.Color) -> Iterator[Flowable]:
    if isinstance(block, Heading):
        yield _text(block.text, "h2")
    elif isinstance(block, Paragraph):
        yield _text(block.text)
    elif isinstance(block, BulletList):
        items = [ListItem(_text(item, "item"), leftIndent=12) for item in block.items]
        yield ListFlowable(items, bulletType="bullet", start="•", spaceAfter=BLOCK_GAP)
    elif isinstance(block, Facts):
        yield from _facts(block, brand)
    elif isinstance(block, Table):
        if block.title:
            yield _text(block.title, "h2")
        yield from _tables(block.columns, iter(block.rows), brand)
    elif isinstance(block, BarChart):
        shown = "" if len(block.labels) <= MAX_CHART_BARS else f" (first {MAX_CHART_BARS} of {len(block.labels)})"
        yield KeepTogether([_text(block.title + shown, "h2"), _chart(block, brand)])
        yield from _tables(block.as_table().columns, iter(block.as_table().rows), brand)


def _facts(block: Facts, brand: colors.Color) -> Iterator[Flowable]:
    """Short values in a two-column table; a long one (a description) as its own paragraph, since a
    table row cannot break across pages."""
    rows: list[list[Value]] = []
    for label, value, kind in block.rows:
        text = format_value(value, kind)
        if len(text) <= LONG_FACT:
            rows.append([label, text])
            continue
        if rows:
            yield from _tables([Column("Field"), Column("Value")], iter(rows), brand, formatted=True, header=False)
            rows = []
        yield _text(label, "label")
        yield _text(text)
    if rows:
        yield from _tables([Column("Field"), Column("Value")], iter(rows), brand, formatted=True, header=False)


def _cell(value: Value, column: Column, formatted: bool) -> Any:
    text = str(value) if formatted else format_value(value, column.kind)
    if len(text) > MAX_CELL:  # a row taller than a page cannot be laid out; the data formats keep it whole
        text = text[: MAX_CELL - 1] + "…"
    return _text(text, "cell") if len(text) > LONG_CELL else text


def _tables(
    columns: list[Column], rows: Iterator[list[Value]], brand: colors.Color, *, formatted: bool = False,
    header: bool = True,
) -> Iterator[Flowable]:  # fmt: skip
    head = [[_text(column.title, "cell") for column in columns]] if header else []
    widths = [CONTENT_WIDTH / len(columns)] * len(columns)
    style = [
        ("FONT", (0, 0), (-1, -1), "Helvetica", 8.5),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.lightgrey),
        ("ROWBACKGROUNDS", (0, 1 if header else 0), (-1, -1), [colors.white, colors.HexColor("#F4F6F8")]),
    ]
    if header:
        style += [("BACKGROUND", (0, 0), (-1, 0), brand), ("TEXTCOLOR", (0, 0), (-1, 0), colors.white)]
    style += [("ALIGN", (i, 0), (i, -1), "RIGHT") for i, column in enumerate(columns) if column.kind != "text"]
    body = [[_cell(value, column, formatted) for value, column in zip(row, columns, strict=True)] for row in rows]
    yield PagedTable(head, body, widths, PdfTableStyle(style))


class PagedTable(Flowable):
    """A table laid out a page at a time: the header repeats at the top of each page (never mid-page), and
    each page measures only a window of rows, where reportlab's Table re-measures all remaining rows per page."""

    def __init__(self, head: list[Any], body: list[Any], widths: list[float], style: PdfTableStyle, start: int = 0):
        super().__init__()
        self.head, self.body, self.widths, self.style, self.start = head, body, widths, style, start
        self._table: PdfTable | None = None
        # Space after the table as an attribute, not a Spacer: a Spacer pushed over the end of a page
        # starts a blank one.
        self.spaceAfter = BLOCK_GAP

    def _window(self) -> PdfTable:
        rows = self.body[self.start : self.start + TABLE_WINDOW_ROWS]
        return PdfTable(self.head + rows, colWidths=self.widths, repeatRows=len(self.head), style=self.style)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        if len(self.body) - self.start > TABLE_WINDOW_ROWS:
            return available_width, available_height + 1  # more than a page: always split
        self._table = self._window()
        return self._table.wrap(available_width, available_height)

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        parts = self._window().split(available_width, available_height)
        fitted = parts[0]._nrows - len(self.head) if parts else 0
        if fitted <= 0:
            return []  # not even one row fits here: the next page
        if self.start + fitted >= len(self.body):
            parts[0].spaceAfter = BLOCK_GAP
            return [parts[0]]
        return [parts[0], PagedTable(self.head, self.body, self.widths, self.style, self.start + fitted)]

    def drawOn(self, canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:
        assert self._table is not None
        self._table.drawOn(canvas, x, y, _sW)


def _chart(chart: BarChart, brand: colors.Color) -> Drawing:
    labels, values = chart.labels[:MAX_CHART_BARS], chart.values[:MAX_CHART_BARS]
    height = 16 * len(labels) + 30
    drawing = Drawing(CONTENT_WIDTH, height)
    bars = HorizontalBarChart()
    bars.x, bars.y = 150, 15
    bars.width, bars.height = CONTENT_WIDTH - 170, height - 25
    bars.data = [list(reversed(values))]
    bars.categoryAxis.categoryNames = [label[:30] for label in reversed(labels)]
    bars.categoryAxis.labels.fontSize = 8
    bars.valueAxis.valueMin = 0
    bars.valueAxis.valueMax = max([*values, 1]) * 1.15  # room for the bar labels
    bars.valueAxis.labels.fontSize = 7
    bars.valueAxis.labelTextFormat = lambda value: format_value(value, chart.kind)
    bars.bars[0].fillColor = brand
    bars.barLabelFormat = lambda value: format_value(value, chart.kind)
    bars.barLabels.fontSize = 7
    bars.barLabels.boxAnchor = "w"
    bars.barLabels.dx = 3
    drawing.add(bars)
    return drawing
