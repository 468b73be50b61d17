"""CSV: one sheet, block after block; numbers raw so a spreadsheet can sum them."""

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from exports.content import BarChart, BulletList, Document, Facts, Heading, Paragraph, Table, plain_value

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # OWASP CSV injection: any of these may start a formula


def _inert(value: Any) -> Any:
    """Text a spreadsheet could run as a formula gets a leading apostrophe; numbers stay numbers.

    No exception for a digit after the sign: `-2+cmd|...` and `+1+cmd|...` are formulas too.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Writer:
    def __init__(self, file: Any) -> None:
        self._writer = csv.writer(file)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([_inert(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def render(document: Document, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = _Writer(file)
        writer.writerow([document.title])
        if document.subtitle:
            writer.writerow([document.subtitle])
        writer.writerow(["Customer", document.customer_name])
        writer.writerow(["Generated", document.generated_at.isoformat()])
        for section in document.sections:
            writer.writerow([])
            writer.writerow([section.title])
            for block in section.blocks:
                if isinstance(block, Heading | Paragraph):
                    writer.writerow([block.text])
                elif isinstance(block, BulletList):
                    writer.writerows([item] for item in block.items)
                elif isinstance(block, Facts):
                    writer.writerows([label, plain_value(value)] for label, value, _ in block.rows)
                else:
                    table = block.as_table() if isinstance(block, BarChart) else block
                    _write_table(writer, table)


def _write_table(writer: _Writer, table: Table) -> None:
    if table.title:
        writer.writerow([table.title])
    writer.writerow([column.title for column in table.columns])
    writer.writerows([plain_value(value) for value in row] for row in table.rows)
