"""Document types: each builds one content Document from source records read through selectors.

A type registers itself here when its data source exists; `available` says whether this
customer has the data, so the API offers only documents that would have content. A document made
of one record (the given id, or the customer's latest) is declared with `record_document_type`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.utils import timezone

from exports.content import Branding, Document, Section
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


def record_ids(
    params: dict[str, Any],
    *,
    fetch: Callable[[Any], Any],
    latest: Callable[[], Any],
    key: Callable[[Any], Any] = lambda record: record.pk,
    parse: Callable[[str], Any] = int,
    label: str,
    many: bool = False,
) -> dict[str, Any]:
    """The records a document is made of, fixed at request time: the given ids (each the customer's),
    or the latest record when none is given."""
    ids = params.get("ids") or []
    if len(ids) > 1 and not many:
        raise ApplicationError(
            f"A {label} export takes one id.", code="validation_error", details={"ids": ["Give at most one id."]}
        )
    if not ids:
        record = latest()
        if record is None:
            raise ApplicationError(f"There is no {label} to export yet.", code="nothing_to_export", status_code=409)
        return {"ids": [key(record)]}
    try:
        parsed = [parse(value) for value in ids]
    except (TypeError, ValueError):
        raise ApplicationError(
            "The ids are not valid.", code="validation_error", details={"ids": [f"Not {label} ids: {ids}."]}
        ) from None
    for value in parsed:
        record_get(fetch, value, label=label, missing_code="not_found")
    return {"ids": parsed}


def record_get(fetch: Callable[[Any], Any], value: Any, *, label: str, missing_code: str = "source_missing") -> Any:
    """One record through its selector; another customer's or a deleted one reads as missing (404)."""
    try:
        return fetch(value)
    except ObjectDoesNotExist:
        raise ApplicationError(
            f"There is no {label} {value}.", code=missing_code, status_code=404, details={"ids": [str(value)]}
        ) from None


def record_document_type(
    *,
    name: str,
    title: str,
    description: str,
    label: str,
    sections: Callable[[Any], Iterable[Section]],
    subtitle: Callable[[Any, Customer], str],
    records: Callable[[Customer], QuerySet[Any]] | None = None,
    fetch: Callable[[Customer, Any], Any] | None = None,
    latest: Callable[[Customer], Any] | None = None,
    document_title: Callable[[Any], str] | None = None,
    key: Callable[[Any], Any] = lambda record: record.pk,
    parse: Callable[[str], Any] = int,
) -> DocumentType:
    """Register a document made of one of the customer's records: `fetch(customer, id)` (through a
    selector: another customer's is missing), else `latest(customer)`; available when there is one.
    `records(customer)`, the customer's records newest first, stands for both."""
    if records is not None:
        fetch = fetch or (lambda customer, pk: records(customer).get(pk=pk))
        latest = latest or (lambda customer: records(customer).first())
    if fetch is None or latest is None:
        raise TypeError("record_document_type needs records, or fetch and latest")
    fetch_record, latest_record = fetch, latest

    def build(request: DocumentRequest) -> Document:
        record = record_get(lambda value: fetch_record(request.customer, value), request.params["ids"][0], label=label)
        return Document(
            kind=name,
            title=document_title(record) if document_title else title,
            subtitle=subtitle(record, request.customer),
            customer_name=request.customer.name,
            generated_at=timezone.now(),
            sections=sections(record),
            branding=request.branding,
        )

    def clean_params(customer: Customer, params: dict[str, Any]) -> dict[str, Any]:
        return record_ids(
            params,
            fetch=lambda value: fetch_record(customer, value),
            latest=lambda: latest_record(customer),
            key=key,
            parse=parse,
            label=label,
        )

    return document_type_register(
        DocumentType(
            name=name,
            title=title,
            description=description,
            build=build,
            available=lambda customer: latest_record(customer) is not None,
            clean_params=clean_params,
        )
    )
