"""Markdown that pastes cleanly into Notion: ATX headings, pipe tables, dash lists."""

from pathlib import Path
from typing import TextIO

from exports.content import BarChart, BulletList, Document, Facts, Heading, Paragraph, Table, Value, format_value


def _cell(value: Value, kind: str = "text") -> str:
    text = format_value(value, kind)  # type: ignore[arg-type]
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", "<br>")


def render(document: Document, path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write(f"# {document.title}\n\n")
        if document.subtitle:
            out.write(f"_{document.subtitle}_\n\n")
        out.write(f"**Customer:** {document.customer_name}  \n")
        out.write(f"**Generated:** {document.generated_at:%Y-%m-%d %H:%M} UTC\n")
        for section in document.sections:
            out.write(f"\n## {section.title}\n")
            for block in section.blocks:
                out.write("\n")
                if isinstance(block, Heading):
                    out.write(f"### {block.text}\n")
                elif isinstance(block, Paragraph):
                    out.write(f"{block.text}\n")
                elif isinstance(block, BulletList):
                    out.writelines(f"- {item}\n" for item in block.items)
                elif isinstance(block, Facts):
                    out.write("| Field | Value |\n| --- | --- |\n")
                    out.writelines(f"| {_cell(label)} | {_cell(value, kind)} |\n" for label, value, kind in block.rows)
                else:
                    _write_table(out, block.as_table() if isinstance(block, BarChart) else block)


def _write_table(out: TextIO, table: Table) -> None:
    if table.title:
        out.write(f"**{table.title}**\n\n")
    out.write("| " + " | ".join(_cell(column.title) for column in table.columns) + " |\n")
    out.write("| " + " | ".join("---:" if column.kind != "text" else "---" for column in table.columns) + " |\n")
    for row in table.rows:
        cells = (_cell(value, column.kind) for value, column in zip(row, table.columns, strict=True))
        out.write("| " + " | ".join(cells) + " |\n")
