"""JSON of the content model, written piece by piece (table rows stream, never one big dumps)."""

import json
from pathlib import Path
from typing import Any, TextIO

from exports.content import BarChart, Block, BulletList, Document, Facts, Heading, Paragraph, Table, plain_value


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def render(document: Document, path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        head = {
            "document": document.kind,
            "title": document.title,
            "subtitle": document.subtitle,
            "customer": document.customer_name,
            "generatedAt": document.generated_at.isoformat(),
        }
        out.write(_dumps(head)[:-1] + ', "sections": [')
        for index, section in enumerate(document.sections):
            out.write(("," if index else "") + '{"title": ' + _dumps(section.title) + ', "blocks": [')
            for block_index, block in enumerate(section.blocks):
                if block_index:
                    out.write(",")
                _write_block(out, block)
            out.write("]}")
        out.write("]}\n")


def _write_block(out: TextIO, block: Block) -> None:
    if isinstance(block, Heading | Paragraph):
        out.write(_dumps({"type": type(block).__name__.lower(), "text": block.text}))
    elif isinstance(block, BulletList):
        out.write(_dumps({"type": "list", "items": block.items}))
    elif isinstance(block, Facts):
        rows = [{"label": label, "value": plain_value(value)} for label, value, _ in block.rows]
        out.write(_dumps({"type": "facts", "rows": rows}))
    elif isinstance(block, BarChart):
        values = [plain_value(value) for value in block.values]
        out.write(_dumps({"type": "chart", "title": block.title, "labels": block.labels, "values": values}))
    else:
        _write_table(out, block)


def _write_table(out: TextIO, table: Table) -> None:
    columns = [{"title": column.title, "kind": column.kind} for column in table.columns]
    out.write(_dumps({"type": "table", "title": table.title, "columns": columns})[:-1] + ', "rows": [')
    for index, row in enumerate(table.rows):
        out.write(("," if index else "") + _dumps([plain_value(value) for value in row]))
    out.write("]}")
