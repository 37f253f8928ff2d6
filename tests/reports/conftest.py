"""Data for the report tests, made once per session.

`demo_settings`: the demo's synthetic Doncaster returns ingested, with the demo records
(the seed annual review's facts). `small_settings`: the hand-made re-referral returns of
tests/data/rereferrals (LA 999: 0 of 5 in 2014-15, 5 of 8 in 2015-16) with a one-indicator
contract and no records, so that small counts must be suppressed when publishing.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from docx import Document as read_docx
from openpyxl import load_workbook
from pydantic import SecretStr
from pypdf import PdfReader

from cscmonitor.ingest import ingest
from cscmonitor.records.audit import Actor
from cscmonitor.records.db import database_url, make_engine, transaction, upgrade
from cscmonitor.records.yamlio import load_demo
from cscmonitor.reports.context.annual import AnnualContext, build_annual_context
from cscmonitor.reports.context.sources import open_sources
from cscmonitor.reports.disclosure import Mode
from cscmonitor.reports.document import Document
from cscmonitor.reports.layout.annual import annual_document
from cscmonitor.reports.publish import Report, build_document
from cscmonitor.settings import Settings
from cscmonitor.synth import generate

DATA = Path(__file__).resolve().parents[1] / "data"

SMALL_CONTRACT = """\
name: Small test contract
la_code: "999"
start_date: 2015-04-01
contract_year_start_month: 4
parties:
  - role: council
    name: Test Council
    signatories:
      - name: Ann Example
        title: Chief Executive
  - role: trust
    name: Test Trust
basket:
  - indicator: REREF_12M
    baseline: 40
    target: 30
    tolerance: 5
"""


def _settings(folder: Path) -> Settings:
    return Settings(data_dir=folder, pseudonym_key=SecretStr("report-tests-not-secret"))


@pytest.fixture(scope="session")
def demo_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("report-demo")
    settings = _settings(root / "data")
    generate(root / "returns", scenario="doncaster-2014", seed=0)
    ingest([root / "returns"], settings, la_code="371")
    engine = make_engine(database_url(settings))
    upgrade(engine)
    with transaction(engine, Actor("report tests")) as session:
        load_demo(session)
    engine.dispose()
    return settings


@pytest.fixture(scope="session")
def small_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("report-small")
    settings = _settings(root / "data")
    ingest([DATA / "rereferrals"], settings, la_code="999")
    (root / "contract.yaml").write_text(SMALL_CONTRACT, encoding="utf-8")
    return settings


@pytest.fixture(scope="session")
def small_contract(small_settings: Settings) -> str:
    return str(small_settings.data_dir.parent / "contract.yaml")


@pytest.fixture(scope="session")
def demo_annual(demo_settings: Settings) -> AnnualContext:
    """The demo's annual review of contract year 1, as at its default date."""
    with open_sources(demo_settings, 1) as sources:
        return build_annual_context(sources, 1, Mode.INTERNAL)


@pytest.fixture(scope="session")
def demo_documents(demo_settings: Settings, demo_annual: AnnualContext) -> dict[str, Document]:
    """The demo's annual review, quarter 4 pack and corporate parenting pack of contract year 1,
    laid out once for the tests that read them."""
    with open_sources(demo_settings, 1) as sources:
        return {
            "annual": annual_document(demo_annual),
            "quarterly": build_document(Report.QUARTERLY, sources, 1, Mode.INTERNAL, quarter=4),
            "corporate-parenting": build_document(
                Report.CORPORATE_PARENTING, sources, 1, Mode.INTERNAL
            ),
        }


def rendered_text(data: bytes, format: str) -> str:
    """The words a rendered report holds, in any format: HTML without its tags, the PDF's
    extracted text, the DOCX's paragraphs and table cells, every XLSX cell."""
    match format:
        case "html":
            text = re.sub(r"<[^>]+>", " ", data.decode("utf-8"))
            return text.replace("&#39;", "'").replace("&amp;", "&").replace("&#x27;", "'")
        case "pdf":
            return " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)
        case "docx":
            docx = read_docx(io.BytesIO(data))
            text = " ".join(p.text for p in docx.paragraphs)
            return text + " ".join(c.text for t in docx.tables for r in t.rows for c in r.cells)
        case "xlsx":
            book = load_workbook(io.BytesIO(data))
            return " ".join(
                str(v)
                for sheet in book.worksheets
                for row in sheet.iter_rows(values_only=True)
                for v in row
                if v is not None
            )
        case _:
            raise AssertionError(f"no such format {format!r}")
