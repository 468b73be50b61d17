"""The content model every document is built into and every renderer reads.

A document type (exports/documents/) turns source records into one `Document`; each format
(exports/renderers/) renders any `Document`. Content logic lives once, in the document type.
Values stay typed (numbers are numbers) so CSV and JSON keep them raw while PDF, DOCX and
Markdown format them for reading.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal

Value = str | int | float | Decimal | None
Kind = Literal["text", "number", "money", "percent", "score"]


def format_value(value: Value, kind: Kind = "text") -> str:
    """How a value reads in a human format (PDF, DOCX, Markdown)."""
    if value is None or value == "":
        return "—"
    if kind == "text" or isinstance(value, str):
        return str(value)
    if kind == "money":
        return f"${value:,.0f}"
    if kind == "percent":
        return f"{value:,.1f}%"
    if kind == "score":
        return f"{value:,.0f}"
    if isinstance(value, int) or (isinstance(value, float | Decimal) and value == int(value)):
        return f"{int(value):,}"
    return f"{value:,.2f}"


def plain_value(value: Value) -> str | int | float | None:
    """How a value is stored in a data format (CSV, JSON): numbers unformatted."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


@dataclass(frozen=True)
class Column:
    title: str
    kind: Kind = "text"


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class BulletList:
    items: list[str]


@dataclass(frozen=True)
class Facts:
    """Label/value pairs: a score card, a record's fields."""

    rows: list[tuple[str, Value, Kind]]


@dataclass(frozen=True)
class Table:
    """Rows may be a generator: long tables stream through the data formats."""

    columns: list[Column]
    rows: Iterable[list[Value]]
    title: str = ""


@dataclass(frozen=True)
class BarChart:
    """Numbers that compare (cost categories, sub-scores): a chart in PDF, a table elsewhere."""

    title: str
    labels: list[str]
    values: list[float]
    kind: Kind = "number"

    def as_table(self) -> Table:
        return Table(
            columns=[Column(self.title), Column("Value", self.kind)],
            rows=[[label, value] for label, value in zip(self.labels, self.values, strict=True)],
        )


Block = Heading | Paragraph | BulletList | Facts | Table | BarChart


@dataclass(frozen=True)
class Section:
    title: str
    blocks: list[Block]


@dataclass(frozen=True)
class Branding:
    """The customer's brand on PDF and DOCX headers: a colour, and a logo when one is set."""

    color: str = "#1F3A5F"
    logo_path: str | None = None


@dataclass
class Document:
    """One rendered artifact. `sections` may be a generator so a long document never sits whole in memory."""

    kind: str
    title: str
    customer_name: str
    generated_at: datetime
    sections: Iterable[Section]
    subtitle: str = ""
    branding: Branding = field(default_factory=Branding)
