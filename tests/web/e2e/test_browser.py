"""End to end in a real headless Chromium (Debian's), driven by Playwright.

Signs in, uploads a return, reads its validation report, accepts it, opens an indicator,
moves a change request through its workflow as two roles, downloads a report, writes the
Council's words of the annual review and downloads the signed edition's PDF. Screenshots of
the dashboard and an indicator page are kept in `test-artefacts/`.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cscmonitor.settings import Settings
from cscmonitor.web.app import create_app
from cscmonitor.web.assets import installed_version
from cscmonitor.web.config import WebSettings
from tests.web.conftest import PASSWORDS, SECRET

CHROMIUM = Path("/usr/bin/chromium")
ARTEFACTS = Path(__file__).parents[3] / "test-artefacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="no /usr/bin/chromium: install Debian's chromium (apt-get install -y chromium)",
    ),
]
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    data = tmp_path_factory.mktemp("e2e") / "data"
    shutil.copytree(demo_dir / "data", data)
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("CSCMONITOR_DATABASE_URL", raising=False)
        app = create_app(
            WebSettings(_env_file=None, environment="development", secret_key=SECRET),
            Settings(_env_file=None, data_dir=data),
        )
        port = _free_port()
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
        server.should_exit = True
        thread.join(timeout=10)
        app.state.web.engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


def _sign_in(browser, base: str, username: str):
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page.goto(f"{base}/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORDS[username])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")
    return page


def test_styles_come_from_this_site(server: str, browser) -> None:
    if installed_version() is None:
        pytest.fail("GOV.UK Frontend assets are not installed: run the set-up (make install)")
    page = browser.new_page()
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(server) else outside.append(r.url))
    page.goto(f"{server}/sign-in")
    font = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    assert "GDS Transport" in font
    assert outside == []
    page.close()


def test_analyst_uploads_checks_accepts_and_reads_an_indicator(
    server: str, browser, demo_dir: Path, tmp_path: Path
) -> None:
    ARTEFACTS.mkdir(exist_ok=True)
    page = _sign_in(browser, server, "analyst")
    assert page.locator(".app-tile").count() == 5
    page.screenshot(path=str(ARTEFACTS / "dashboard.png"), full_page=True)

    lines = (demo_dir / "returns" / "workforce" / "workforce_2015.csv").read_text().split("\n")
    upload = tmp_path / "workforce_2015.csv"
    upload.write_text("\n".join(line for line in lines[:-2]) + "\n")
    page.get_by_role("link", name="Data").click()
    page.get_by_label("Return files").set_input_files(str(upload))
    page.get_by_label("LA code (for SSDA903 and workforce files)").fill("371")
    page.get_by_role("button", name="Upload and check").click()
    page.get_by_role("heading", name="Validation report").wait_for()
    assert page.get_by_text("Rows read, loaded and rejected").is_visible()
    page.get_by_role("button", name="Accept into a new snapshot").click()
    page.get_by_text("Accepted into snapshot 0002").wait_for()

    page.get_by_role("link", name="Dashboard").click()
    page.get_by_role("link", name="Re-referrals within 12 months").first.click()
    page.get_by_role("heading", name="Re-referrals within 12 months").wait_for()
    # The trend and the control chart.
    assert page.locator("svg.app-chart").count() == 2
    assert page.get_by_role("img", name="Re-referrals within 12 months: trend").is_visible()
    control = page.get_by_role("img", name="Re-referrals within 12 months: control chart")
    assert control.is_visible()
    page.screenshot(path=str(ARTEFACTS / "indicator.png"), full_page=True)
    page.get_by_role("link", name="Explain this figure: the records behind it").click()
    assert page.get_by_text("Child-level records (pseudonymised)").is_visible()
    page.close()


def test_a_change_request_moves_as_the_trust_then_the_council(server: str, browser) -> None:
    trust = _sign_in(browser, server, "manager")
    trust.goto(f"{server}/change-requests/CV-2016-01")
    trust.get_by_label("Reason for the move").fill("Placement pressure confirmed at Q2.")
    trust.get_by_role("button", name="Propose").click()
    trust.get_by_text("CV-2016-01 is now proposed").wait_for()
    trust.close()

    council = _sign_in(browser, server, "council")
    council.goto(f"{server}/change-requests/CV-2016-01")
    assert council.get_by_role("button", name="Propose").count() == 0
    council.get_by_label("Reason for the move").fill("Agreed at the contract review.")
    council.get_by_role("button", name="Agree in principle").click()
    council.get_by_text("CV-2016-01 is now agreed in principle").wait_for()
    history = council.locator("table").last.inner_text()
    assert "Demo Trust Manager" in history and "Demo Council Officer" in history
    council.close()


def test_a_viewer_downloads_a_report(server: str, browser, tmp_path: Path) -> None:
    page = _sign_in(browser, server, "viewer")
    page.get_by_role("link", name="Reports").click()
    page.get_by_label("Report", exact=True).select_option("annual")
    with page.expect_download(timeout=120_000) as made:
        page.get_by_role("button", name="Generate and download").click()
    saved = tmp_path / made.value.suggested_filename
    made.value.save_as(saved)
    assert saved.name.startswith("annual-year-1-internal")
    assert "Annual" in saved.read_text()
    page.close()


def test_the_council_writes_its_words_and_a_viewer_takes_the_signed_review(
    server: str, browser, tmp_path: Path
) -> None:
    # The demo signed edition 1 of the annual review (demo_review) with the sample words.
    council = _sign_in(browser, server, "council")
    council.goto(f"{server}/narrative/section?report=annual&year=1&key=conclusions")
    council.get_by_role("textbox", name="Text").fill("The first year laid **firm foundations**.")
    council.get_by_role("button", name="Save a new version").click()
    council.get_by_text("Conclusions: version 2 saved").wait_for()
    council.goto(f"{server}/narrative/section?report=annual&year=1&key=conclusions")
    # Shown as the report lays it out: the Markdown's strong text is bold.
    assert council.locator(".govuk-inset-text strong").first.inner_text() == "firm foundations"
    council.close()

    viewer = _sign_in(browser, server, "viewer")
    viewer.goto(f"{server}/reports/editions/1")
    assert viewer.get_by_text("Jo Miller, Colin Hilton").is_visible()
    assert viewer.get_by_role("button", name="Sign and freeze").count() == 0
    with viewer.expect_download(timeout=120_000) as made:
        viewer.locator("a[href='/reports/editions/1/files/pdf']").first.click()
    saved = tmp_path / made.value.suggested_filename
    made.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")
    viewer.close()


def test_a_framework_page_loads_and_links_to_each_measure(server: str, browser) -> None:
    from cscmonitor.indicators.framework import Framework
    from cscmonitor.indicators.registry import all_indicators

    page = _sign_in(browser, server, "viewer")
    # Every measure of every indicator is built once for the page: give it time.
    page.set_default_timeout(300_000)
    page.get_by_role("link", name="National Framework", exact=True).click()
    page.get_by_role("heading", name="The National Framework's outcomes and enablers").wait_for()
    element = Framework.STABLE_HOMES
    page.get_by_role("link", name=element.label).click()
    page.get_by_role("heading", name=element.label, level=1).wait_for()
    tagged = [i for i in all_indicators() if i.framework.framework is element]
    assert tagged
    for indicator in tagged:
        link = page.locator(f'a[href^="/indicators/{indicator.code}?"]')
        assert link.count() == 1, indicator.code
        assert link.inner_text() == indicator.title
    page.screenshot(path=str(ARTEFACTS / "framework.png"), full_page=True)
    first = tagged[0]
    page.locator(f'a[href^="/indicators/{first.code}?"]').click()
    page.get_by_role("heading", name=first.title, level=1).wait_for()
    page.close()
