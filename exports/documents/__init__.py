"""Document types: each builds one content Document from source records read through selectors.

A type registers itself here when its data source exists; `available` says whether this
customer has the data, so the API offers only documents that would have content.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from exports.content import Branding, Document
from platform_core.exceptions import ApplicationError
from platform_core.models import Customer, User


@dataclass(frozen=True)
class DocumentRequest:
    customer: Customer
    user: User | None
    params: dict[str, Any]
    branding: Branding = field(default_factory=Branding)


@dataclass(frozen=True)
class DocumentType:
    name: str
    title: str
    description: str
    build: Callable[[DocumentRequest], Document]
    # True when the customer has the records this document is made of.
    available: Callable[[Customer], bool]
    # Checks and normalises the request's ids/sections (404 for records that are not the customer's).
    clean_params: Callable[[Customer, dict[str, Any]], dict[str, Any]] = lambda _customer, params: {}
    formats: tuple[str, ...] = ("pdf", "docx", "csv", "markdown", "json")


DOCUMENT_TYPES: dict[str, DocumentType] = {}


def document_type_register(document_type: DocumentType) -> DocumentType:
    DOCUMENT_TYPES[document_type.name] = document_type
    return document_type


def document_type_get(name: str) -> DocumentType:
    try:
        return DOCUMENT_TYPES[name]
    except KeyError:
        raise ApplicationError(
            f"There is no document type {name!r}.", code="unknown_document", status_code=400,
            details={"document": [f"Must be one of: {', '.join(sorted(DOCUMENT_TYPES)) or 'none yet'}."]},
        ) from None  # fmt: skip


def document_types_available(customer: Customer) -> list[DocumentType]:
    return [document_type for document_type in DOCUMENT_TYPES.values() if document_type.available(customer)]
