"""Formats: each renders any content Document (exports/content.py) into a file on disk."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from exports.content import Document


class RenderFunction(Protocol):
    def __call__(self, document: Document, path: Path) -> None: ...


@dataclass(frozen=True)
class Format:
    name: str
    extension: str
    content_type: str
    render: RenderFunction


def _formats() -> dict[str, Format]:
    from exports.renderers import to_csv, to_docx, to_json, to_markdown, to_pdf

    return {
        fmt.name: fmt
        for fmt in (
            Format("pdf", "pdf", "application/pdf", to_pdf.render),
            Format(
                "docx",
                "docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                to_docx.render,
            ),
            Format("csv", "csv", "text/csv; charset=utf-8", to_csv.render),
            Format("markdown", "md", "text/markdown; charset=utf-8", to_markdown.render),
            Format("json", "json", "application/json", to_json.render),
        )
    }


FORMATS: dict[str, Format] = _formats()
