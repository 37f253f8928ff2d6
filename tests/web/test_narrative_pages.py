"""The narrative pages: each party writes its own sections, everyone reads them with who and
when, every version is kept, and the whole report's words go out and come back as one file."""

from __future__ import annotations

import re

from cscmonitor.records.narrative_sections import ANNUAL
from tests.web.conftest import ROLE_USERS, World, csrf_of

ANNUAL_1 = "report=annual&year=1"


def _client(world: World, role: str):
    client = world.sign_in(ROLE_USERS[role])
    return client, csrf_of(client.get(f"/narrative?{ANNUAL_1}").text)


def _write(client, token: str, key: str, text: str, **more: str):
    return client.post(
        "/narrative/section",
        data={"csrf_token": token, "report": "annual", "year": "1", "key": key, "text": text}
        | more,
    )


def test_the_council_writes_its_section_and_everyone_reads_it(world: World) -> None:
    council, token = _client(world, "council_officer")
    saved = _write(council, token, "letter", "Services are *improving*.")
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/narrative/section?{ANNUAL_1}&key=letter"
    again = _write(council, token, "letter", "Services in Doncaster are *improving*.")
    assert again.status_code == 303
    viewer = world.sign_in(ROLE_USERS["viewer"])
    page = viewer.get(f"/narrative?{ANNUAL_1}").text
    # Every section of the annual review is listed; the letter's newest text, who and when.
    for section in ANNUAL:
        assert f'id="{section.key}"' in page
    # Shown as the report lays it out; its page keeps what was typed.
    assert "Services in Doncaster are <em>improving</em>." in page
    # The actor is the account's full name and username (deps.UserView.actor). The demo wrote
    # version 1 of the letter (demo_review), so these two are versions 2 and 3.
    assert "Demo Council Officer (council), " in page and "(version 3)" in page
    history = viewer.get(f"/narrative/section?{ANNUAL_1}&key=letter").text
    assert history.count("Version ") == 3
    assert history.index("Version 3") < history.index("Version 2") < history.index("Version 1")
    assert "Services in Doncaster are *improving*." in history
    # A viewer reads; there is no form to write with.
    assert 'action="/narrative/section"' not in history


def test_a_section_is_written_only_by_its_party(world: World) -> None:
    trust, token = _client(world, "trust_analyst")
    refused = _write(trust, token, "letter", "Not ours to write")
    assert refused.status_code == 400
    assert "Covering letter is for the Council to write; you act for the trust" in refused.text
    # The Trust's own section is fine, and its page offers the form.
    assert _write(trust, token, "youth_justice", "The YJB is satisfied.").status_code == 303
    form = trust.get(f"/narrative/section?{ANNUAL_1}&key=youth_justice").text
    assert 'action="/narrative/section"' in form
    for role in ("viewer", "admin"):
        client, token = _client(world, role)
        assert _write(client, token, "letter", "x").status_code == 403, role


def test_not_applicable_and_what_people_type_is_shown_as_text(world: World) -> None:
    council, token = _client(world, "council_officer")
    assert _write(council, token, "changes", "", not_applicable="yes").status_code == 303
    hostile = '<script>alert("x")</script> [y](javascript:alert(1))'
    assert _write(council, token, "conclusions", hostile).status_code == 303
    page = council.get(f"/narrative?{ANNUAL_1}").text
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert 'href="javascript:' not in page
    assert re.search(r'id="changes".*?Not applicable', page, re.S)
    both = _write(council, token, "finance", "some words", not_applicable="yes")
    assert both.status_code == 400 and "a section marked not applicable has no text" in both.text


def test_the_quarterly_pack_has_a_commentary_and_a_response_per_indicator(world: World) -> None:
    trust, token = _client(world, "trust_manager")
    page = trust.get("/narrative?report=quarterly&year=1&quarter=2").text
    # Two sections for each basket indicator: the Trust writes the commentary only.
    assert 'id="exception.REREF_12M.trust"' in page and 'id="exception.REREF_12M.council"' in page
    saved = trust.post(
        "/narrative/section",
        data={
            "csrf_token": token,
            "report": "quarterly",
            "year": "1",
            "quarter": "2",
            "key": "exception.REREF_12M.trust",
            "text": "The front door was restructured.",
        },
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == (
        "/narrative/section?report=quarterly&year=1&quarter=2&key=exception.REREF_12M.trust"
    )
    assert "The front door was restructured." in trust.get(saved.headers["location"]).text
    # A quarterly pack without its quarter is a problem, said so.
    missing = trust.get("/narrative?report=quarterly&year=1")
    assert missing.status_code == 400 and "needs a quarter, 1 to 4" in missing.text


def test_download_edit_and_upload_the_reports_words(world: World) -> None:
    council, token = _client(world, "council_officer")
    _write(council, token, "letter", "Dear Secretary of State")
    markdown = council.get(f"/narrative/download?{ANNUAL_1}&format=md")
    assert markdown.status_code == 200
    assert "narrative-annual-year-1.md" in markdown.headers["content-disposition"]
    assert "## Covering letter <!-- section: letter -->\n\nDear Secretary of State\n" in (
        markdown.text
    )
    trust, trust_token = _client(world, "trust_analyst")
    edited = markdown.text.replace(
        "<!-- section: youth_justice -->\n", "<!-- section: youth_justice -->\n\nOn track.\n"
    )
    uploaded = trust.post(
        "/narrative/upload",
        data={"csrf_token": trust_token},
        files={"file": ("annual.md", edited.encode(), "text/markdown")},
    )
    assert uploaded.status_code == 303, uploaded.text[:500]
    page = trust.get(uploaded.headers["location"]).text
    assert "annual.md: Youth justice saved" in page and "On track." in page
    # The Council's letter came back unchanged: still one version.
    assert "(version 1)" in page
    # A file with a wrong section names the line and changes nothing.
    broken = edited.replace("<!-- section: benchmarks -->", "<!-- section: benchmark -->")
    line = broken.splitlines().index("## Benchmarks <!-- section: benchmark -->") + 1
    refused = trust.post(
        "/narrative/upload",
        data={"csrf_token": trust_token},
        files={"file": ("annual.md", broken.encode(), "text/markdown")},
    )
    assert refused.status_code == 400
    assert f"annual.md line {line}: &#39;benchmark&#39; is not a section" in refused.text
    # 200 KB and one byte: refused before it is read as a narrative (the form itself may be
    # up to 256 KB, so this is the narrative's own limit speaking).
    too_big = trust.post(
        "/narrative/upload",
        data={"csrf_token": trust_token},
        files={"file": ("big.md", b"x" * (200 * 1024 + 1), "text/markdown")},
    )
    assert too_big.status_code == 400 and "big.md: a narrative file is at most 200 KB" in (
        too_big.text
    )
