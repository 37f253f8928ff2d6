"""The report editions' pages: a whole flow with the demo accounts, what each role is offered,
refusals with their reason, the frozen files as downloads and the change view."""

from __future__ import annotations

import hashlib

from cscmonitor.records import db, editions
from cscmonitor.records.audit import Actor
from tests.web.conftest import csrf_of


def _token(client, path: str = "/reports/editions") -> str:
    return csrf_of(client.get(path).text)


def _post(client, path: str, page: str, **data):
    return client.post(path, data={"csrf_token": _token(client, page), **data})


def _edition(world, edition_id: int) -> editions.EditionView:
    with db.transaction(world.app.state.web.engine, Actor("test")) as session:
        return editions.view(editions.get_edition(session, edition_id))


def test_draft_submit_send_back_agree_sign_download_and_compare(world) -> None:
    manager, council, viewer = (world.sign_in(u) for u in ("manager", "council", "viewer"))
    analyst = world.sign_in("analyst")
    # The demo wrote the annual review's words and signed its edition 1 (demo_review).
    assert _edition(world, 1).state == "signed"

    # A Trust analyst may open a draft; the viewer is not offered the form.
    assert "Open a new draft" not in viewer.get("/reports/editions").text
    opened = _post(
        analyst,
        "/reports/editions",
        "/reports/editions",
        report="annual",
        year="1",
        mode="internal",
    )
    assert opened.status_code == 303, opened.text[:500]
    page = opened.headers["location"]
    assert page == "/reports/editions/2"

    # The analyst sees the draft but no move; the manager is offered Submit only.
    assert 'name="move"' not in analyst.get(page).text
    shown = manager.get(page).text
    assert 'value="submit"' in shown and 'value="agree"' not in shown
    assert _post(manager, f"{page}/moves", page, move="submit").status_code == 303

    # The council is offered agree and send back; sending back without a reason is refused.
    shown = council.get(page).text
    assert 'value="agree"' in shown and 'value="send_back"' in shown
    refused = _post(council, f"{page}/moves", page, move="send_back", reason=" ")
    assert refused.status_code == 400 and "must not be blank" in refused.text
    # The manager cannot agree, even by hand: the workflow refuses and says who may.
    by_hand = _post(manager, f"{page}/moves", page, move="agree")
    assert by_hand.status_code == 400
    assert "only a council officer may" in " ".join(by_hand.text.split())
    assert (
        _post(council, f"{page}/moves", page, move="send_back", reason="Joint focus to agree")
    ).status_code == 303
    assert _edition(world, 2).state == "draft"
    assert _post(manager, f"{page}/moves", page, move="submit").status_code == 303
    assert _post(council, f"{page}/moves", page, move="agree").status_code == 303

    # Signing: the council alone is refused; the council and the trust sign.
    assert "Sign and freeze" in council.get(page).text
    alone = _post(council, f"{page}/sign", page, signatory="Jo Miller", on="2016-01-29")
    assert alone.status_code == 400 and "none for the trust" in alone.text
    signed = council.post(
        f"{page}/sign",
        data={
            "csrf_token": _token(council, page),
            "signatory": ["Jo Miller", "Ros Jones"],
            "others": "Colin Hilton|Chair|trust",
            "on": "2016-01-29",
        },
    )
    assert signed.status_code == 303, signed.text[:800]
    edition = _edition(world, 2)
    assert edition.state == "signed"
    assert [s.name for s in edition.signatories] == ["Jo Miller", "Ros Jones", "Colin Hilton"]
    history = viewer.get(page).text
    assert "Joint focus to agree" in history and "The signed files" in history
    assert 'name="move"' not in council.get(page).text  # nothing moves a signed edition

    # Anyone may download the frozen files: the bytes as signed.
    pdf = viewer.get(f"{page}/files/pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert hashlib.sha256(pdf.content).hexdigest() == edition.file("pdf").sha256
    assert viewer.get(f"{page}/files/odt").status_code == 404

    # A second edition; the change view sets it beside the signed one.
    second = _post(manager, "/reports/editions", "/reports/editions", report="annual", year="1")
    assert second.headers["location"] == "/reports/editions/3"
    assert "What changed since edition 2" in manager.get("/reports/editions/3").text
    changes = viewer.get("/reports/editions/3/changes")
    assert changes.status_code == 200, changes.text[:800]
    assert "What changed since edition 2" in changes.text
    assert "Edition 3" in changes.text and "REREF_12M" in changes.text


def test_a_second_draft_is_refused_while_one_is_open(world) -> None:
    manager = world.sign_in("manager")
    first = _post(manager, "/reports/editions", "/reports/editions", report="annual", year="1")
    assert first.status_code == 303 and first.headers["location"] == "/reports/editions/2"
    again = _post(manager, "/reports/editions", "/reports/editions", report="annual", year="1")
    assert again.status_code == 400
    # Edition 1 is the one the demo signed; edition 2 is the open draft.
    assert "edition 2 of this report is still draft" in again.text
    assert manager.get("/reports/editions/1/changes").status_code == 404  # nothing signed before
    assert manager.get("/reports/editions/2/files/pdf").status_code == 404  # a draft has no files
    assert manager.get("/reports/editions/1/files/pdf").status_code == 200
