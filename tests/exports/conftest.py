from datetime import UTC, datetime

import pytest

from exports.content import BarChart, Column, Document, Facts, Paragraph, Section, Table
from exports.documents import DOCUMENT_TYPES, DocumentRequest, DocumentType, document_type_register
from tests.support.s3 import bucket_create, moto_server, storage_env, storages_from_settings

SHEET = "pipeline-sheet"


def sheet_content(customer_name: str, rows: int = 30) -> Document:
    """A document with known titles and numbers, independent of any source app."""
    return Document(
        kind=SHEET,
        title="Pipeline Sheet",
        subtitle="Quarterly numbers",
        customer_name=customer_name,
        generated_at=datetime(2026, 11, 26, 10, 0, tzinfo=UTC),
        sections=[
            Section(
                "Summary",
                [
                    Facts([("Total annual cost", 1234567, "money"), ("Overall score", 72, "score")]),
                    Paragraph("Numbers below compare the four cost categories."),
                    BarChart("Cost categories", ["Lost revenue", "Operations"], [900000.0, 334567.0], "money"),
                ],
            ),
            Section(
                "Detail",
                [
                    Table(
                        [Column("Quarter"), Column("Deals", "number"), Column("Revenue", "money")],
                        ([f"Q{i}", i * 3, i * 1000] for i in range(1, rows + 1)),
                        title="Deals per quarter",
                    )
                ],
            ),
        ],
    )


@pytest.fixture(autouse=True)
def _private_file_dirs(settings, tmp_path):
    """Each test's files (media and renders in progress) in its own directories."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PLATFORM_TMP_DIR = tmp_path / "tmp"
    settings.PLATFORM_TMP_DIR.mkdir()


@pytest.fixture
def sheet_document():
    """A registered document type for pipeline tests (the worker process does not know it)."""
    document_type = document_type_register(
        DocumentType(
            name=SHEET,
            title="Pipeline Sheet",
            description="Test document",
            build=lambda request: _sheet_with_branding(request),
            available=lambda customer: not customer.slug.startswith("empty"),
        )
    )
    yield document_type
    DOCUMENT_TYPES.pop(SHEET, None)


def _sheet_with_branding(request: DocumentRequest) -> Document:
    document = sheet_content(request.customer.name)
    document.branding = request.branding
    return document


@pytest.fixture(scope="session")
def s3_server():
    """moto's S3 server, a bucket, and STORAGES as config/settings.py builds them for that bucket."""
    with moto_server() as endpoint:
        bucket = bucket_create(endpoint)
        yield {
            "endpoint": endpoint,
            "bucket": bucket,
            "storages": storages_from_settings(storage_env(endpoint, bucket)),
        }


@pytest.fixture
def s3_storage(settings, s3_server):
    """This test's default storage is the S3 bucket on the moto server."""
    settings.STORAGES = s3_server["storages"]
    return s3_server
