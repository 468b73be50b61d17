"""Every format renders the same content model, read back by a real parser."""

import csv
import json
from datetime import UTC, datetime

import docx
import pypdf
import pytest
from PIL import Image

from exports.content import BarChart, Branding, Column, Document, Facts, Paragraph, Section, Table
from exports.renderers import FORMATS
from tests.exports.conftest import sheet_content


def render(tmp_path, fmt, rows=30, branding=None):
    document = sheet_content("Acme | Analytics", rows=rows)
    if branding:
        document.branding = branding
    path = tmp_path / f"out.{FORMATS[fmt].extension}"
    FORMATS[fmt].render(document, path)
    return path


def pdf_text(path):
    reader = pypdf.PdfReader(path)
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def test_pdf_has_title_page_headings_numbers_chart_labels_and_page_numbers(tmp_path):
    reader, text = pdf_text(render(tmp_path, "pdf"))
    assert reader.metadata.title == "Pipeline Sheet"
    first = reader.pages[0].extract_text()
    assert "Pipeline Sheet" in first and "Prepared for Acme | Analytics" in first
    assert "Page 1" not in first  # the title page has no running footer
    for expected in ["Summary", "Detail", "Deals per quarter", "$1,234,567", "72", "$900,000", "Q30", "$30,000"]:
        assert expected in text
    assert "Page 2" in reader.pages[1].extract_text()


def test_a_long_table_flows_over_pages_and_repeats_its_header(tmp_path):
    reader = pypdf.PdfReader(render(tmp_path, "pdf", rows=400))
    assert len(reader.pages) >= 8
    last = reader.pages[-1].extract_text()
    assert "Q400" in last and "$400,000" in last
    assert "Quarter" in last  # header row repeated on the continuation page
    assert f"Page {len(reader.pages)}" in last


def test_docx_has_the_same_headings_facts_and_tables(tmp_path):
    document = docx.Document(render(tmp_path, "docx"))
    paragraphs = [(p.style.name if p.style else "", p.text) for p in document.paragraphs if p.text]
    assert ("Title", "Pipeline Sheet") in paragraphs
    assert ("Heading 1", "Summary") in paragraphs and ("Heading 1", "Detail") in paragraphs
    assert ("Heading 2", "Cost categories") in paragraphs
    facts, chart, quarters = ([[c.text for c in row.cells] for row in table.rows] for table in document.tables)
    assert ["Total annual cost", "$1,234,567"] in facts
    assert ["Lost revenue", "$900,000"] in chart
    assert quarters[0] == ["Quarter", "Deals", "Revenue"] and quarters[-1] == ["Q30", "90", "$30,000"]
    header = document.sections[0].header.paragraphs[0].text
    assert "Pipeline Sheet" in header
    assert document.core_properties.title == "Pipeline Sheet"


def test_csv_keeps_numbers_raw(tmp_path):
    with render(tmp_path, "csv").open(newline="", encoding="utf-8") as file:
        rows = list(csv.reader(file))
    assert rows[0] == ["Pipeline Sheet"]
    assert ["Customer", "Acme | Analytics"] in rows
    assert ["Total annual cost", "1234567"] in rows
    assert ["Lost revenue", "900000.0"] in rows
    header = rows.index(["Quarter", "Deals", "Revenue"])
    assert rows[header + 1] == ["Q1", "3", "1000"] and rows[-1] == ["Q30", "90", "30000"]


def test_json_is_the_content_model_with_typed_values(tmp_path):
    data = json.loads(render(tmp_path, "json").read_text())
    assert data["document"] == "pipeline-sheet" and data["title"] == "Pipeline Sheet"
    summary, detail = data["sections"]
    assert summary["blocks"][0] == {
        "type": "facts",
        "rows": [{"label": "Total annual cost", "value": 1234567}, {"label": "Overall score", "value": 72}],
    }
    assert summary["blocks"][2]["values"] == [900000.0, 334567.0]
    table = detail["blocks"][0]
    assert [c["title"] for c in table["columns"]] == ["Quarter", "Deals", "Revenue"]
    assert table["rows"][-1] == ["Q30", 90, 30000]


def test_markdown_pastes_as_headings_and_pipe_tables(tmp_path):
    text = render(tmp_path, "markdown").read_text()
    lines = text.splitlines()
    assert lines[0] == "# Pipeline Sheet"
    assert "**Customer:** Acme \\| Analytics" not in text  # metadata line is prose, not a table cell
    assert "## Summary" in lines and "## Detail" in lines
    assert "| Total annual cost | $1,234,567 |" in lines
    assert "| Quarter | Deals | Revenue |" in lines and "| --- | ---: | ---: |" in lines
    assert "| Q30 | 90 | $30,000 |" in lines


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_brand_logo_is_placed_in_the_header(tmp_path, fmt):
    logo = tmp_path / "logo.png"
    Image.new("RGB", (120, 40), (200, 30, 60)).save(logo)
    path = render(tmp_path, fmt, branding=Branding(color="#C81E3C", logo_path=str(logo)))
    if fmt == "pdf":
        reader = pypdf.PdfReader(path)
        assert all(len(page.images) == 1 for page in reader.pages)
    else:
        header = docx.Document(path).sections[0].header
        assert len(header.part.related_parts) == 1  # the logo image
        assert header.paragraphs[0].runs[-1].font.color.rgb == docx.shared.RGBColor(0xC8, 0x1E, 0x3C)


def test_content_larger_than_a_page_still_lays_out(tmp_path):
    """50 bars, a 6,000-character fact (a company context) and a 3,000-character table cell."""
    long_text = " ".join(f"word{i}" for i in range(1000))
    document = Document(
        kind="big", title="Big", customer_name="Acme", generated_at=datetime(2026, 11, 26, tzinfo=UTC),
        sections=[
            Section("Ratings", [BarChart("Fit", [f"Company {i}" for i in range(50)], [float(i) for i in range(50)])]),
            Section("Context", [Facts([("Short", "fits", "text"), ("Company context", long_text, "text")])]),
            Section("Cells", [Table([Column("Name"), Column("Notes")], [["long", long_text[:3000]]])]),
        ],
    )  # fmt: skip
    pdf = tmp_path / "big.pdf"
    FORMATS["pdf"].render(document, pdf)
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)
    assert "Fit (first 30 of 50)" in text and "Company 49" in text  # every bar is still in the table
    assert "word999" in text  # the long fact is whole, as a paragraph
    assert "word0 word1" in text and "…" in text  # the long cell is clipped in the PDF only

    csv_path = tmp_path / "big.csv"
    FORMATS["csv"].render(document, csv_path)
    assert long_text[:3000] in csv_path.read_text()


ROWS = [["=HYPERLINK(1)", -5], ["-10% churn", 3], ["@SUM(A1)", 1], ["=1+cmd|' /C calc'!A0", 0], ["-2+cmd|x", 0],
        ["+1+cmd|x", 0], ["\tcmd", 0], ["\r=1", 0], ["plain", 0]]  # fmt: skip


def test_text_from_models_cannot_break_a_docx_or_run_as_a_spreadsheet_formula(tmp_path):
    document = Document(
        kind="odd", title="Odd\x0b input", customer_name="Acme", generated_at=datetime(2026, 11, 26, tzinfo=UTC),
        sections=[
            Section("Notes", [Paragraph("bell\x07 and form\x0c feed")]),
            Section("Cells", [Table([Column("Text"), Column("Delta", "number")], ROWS)]),
        ],
    )  # fmt: skip
    path = tmp_path / "odd.docx"
    FORMATS["docx"].render(document, path)
    assert "bell and form feed" in [p.text for p in docx.Document(path).paragraphs]

    csv_path = tmp_path / "odd.csv"
    FORMATS["csv"].render(document, csv_path)
    rows = list(csv.reader(csv_path.open(newline="")))
    # OWASP: every text cell starting with = + - @ tab or CR is inert, a digit after the sign included
    # (the old guard let `-2+cmd|...` through); numbers stay numbers.
    assert ["'=HYPERLINK(1)", "-5"] in rows and ["'-10% churn", "3"] in rows and ["'@SUM(A1)", "1"] in rows
    assert ["'=1+cmd|' /C calc'!A0", "0"] in rows and ["'-2+cmd|x", "0"] in rows and ["'+1+cmd|x", "0"] in rows
    assert ["'\tcmd", "0"] in rows and ["'\r=1", "0"] in rows and ["plain", "0"] in rows
