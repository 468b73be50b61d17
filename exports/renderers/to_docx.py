"""DOCX with python-docx: the same content as the PDF, in Word's own headings, lists and tables."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from docx import Document as new_docx
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from exports.content import (
    BarChart,
    BulletList,
    Column,
    Document,
    Facts,
    Heading,
    Paragraph,
    format_value,
)

# Control characters (other than tab and newline) are not allowed in XML; model output may carry them.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub("", text)


def render(document: Document, path: Path) -> None:
    docx = new_docx()
    docx.core_properties.title = _xml(document.title)
    docx.core_properties.author = _xml(document.customer_name)
    brand = RGBColor.from_string(document.branding.color.lstrip("#").upper())
    _header_footer(docx, document, brand)

    docx.add_paragraph(_xml(document.title), style="Title")
    if document.subtitle:
        docx.add_paragraph(_xml(document.subtitle), style="Subtitle")
    docx.add_paragraph(_xml(f"Prepared for {document.customer_name}"))
    docx.add_paragraph(f"Generated {document.generated_at:%d %B %Y, %H:%M} UTC")
    docx.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    for section in document.sections:
        docx.add_heading(_xml(section.title), level=1)
        for block in section.blocks:
            if isinstance(block, Heading):
                docx.add_heading(_xml(block.text), level=2)
            elif isinstance(block, Paragraph):
                docx.add_paragraph(_xml(block.text))
            elif isinstance(block, BulletList):
                for item in block.items:
                    docx.add_paragraph(_xml(item), style="List Bullet")
            elif isinstance(block, Facts):
                rows = ([label, format_value(value, kind)] for label, value, kind in block.rows)
                _table(docx, [Column("Field"), Column("Value")], rows, formatted=True)
            else:
                table = block.as_table() if isinstance(block, BarChart) else block
                if isinstance(block, BarChart):
                    docx.add_heading(_xml(block.title), level=2)
                elif table.title:
                    docx.add_heading(_xml(table.title), level=2)
                _table(docx, table.columns, table.rows)
    docx.save(str(path))


def _header_footer(docx: Any, document: Document, brand: RGBColor) -> None:
    section = docx.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)  # A4, like the PDF
    header = section.header.paragraphs[0]
    if document.branding.logo_path:
        header.add_run().add_picture(document.branding.logo_path, height=Mm(8))
        header.add_run("  ")
    title = header.add_run(_xml(document.title))
    title.bold, title.font.color.rgb, title.font.size = True, brand, Pt(10)

    footer = section.footer.paragraphs[0]
    footer.add_run(_xml(f"{document.customer_name} · Page ")).font.size = Pt(8)
    _page_number_field(footer.add_run())
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _page_number_field(run: Any) -> None:
    """Word fills in the PAGE field when it lays the document out."""
    for tag, text in (("w:fldChar", "begin"), ("w:instrText", "PAGE"), ("w:fldChar", "end")):
        element = OxmlElement(tag)
        if tag == "w:fldChar":
            element.set(qn("w:fldCharType"), text)
        else:
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    run.font.size = Pt(8)


def _table(docx: Any, columns: list[Column], rows: Any, *, formatted: bool = False) -> None:
    table = docx.add_table(rows=1, cols=len(columns))
    table.style = "Light Grid Accent 1"
    for cell, column in zip(table.rows[0].cells, columns, strict=True):
        cell.text = _xml(column.title)
    for row in rows:
        cells = table.add_row().cells
        for cell, value, column in zip(cells, row, columns, strict=True):
            cell.text = _xml(str(value) if formatted else format_value(value, column.kind))
            if column.kind != "text":
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    docx.add_paragraph()
