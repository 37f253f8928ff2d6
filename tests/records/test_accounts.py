"""Two people for the powerful moves: child-data roles and their passwords, and uploads.

Each rule is tried with every role, on SQLite and on PostgreSQL. "Child-data roles" are the
roles whose `sees_child_data` is true: the trust analyst and the trust manager.
"""

from __future__ import annotations

import pytest

from cscmonitor.records import accounts_approvals as approvals
from cscmonitor.records.accounts import create_user, find_user, unit, update_user
from cscmonitor.records.accounts_models import ApprovalRequest, User
from cscmonitor.records.accounts_passwords import verify_password
from cscmonitor.records.audit import Actor, entries
from cscmonitor.records.errors import RecordsError
from cscmonitor.records.roles import Role

CHILD_DATA = [r for r in Role if r.sees_child_data]
OTHERS = [r for r in Role if not r.sees_child_data]
PASSWORD = "a long enough secret"
NEW_PASSWORD = "another long secret"


def test_the_child_data_roles_are_the_trusts():
    assert CHILD_DATA == [Role.TRUST_ANALYST, Role.TRUST_MANAGER]


def _make(engine, username: str, role: Role) -> int:
    """An active account of `role`: a child-data one asked for from the command line (by no
    account) and approved by a third administrator."""
    with unit(engine) as session:
        user = create_user(session, Actor("test"), username, username.title(), role, PASSWORD)
        user_id = user.id
    if role.sees_child_data:
        with unit(engine) as session:
            approver = _admin(session, "seed-approver")
            held = approvals.pending_for(session, approvals.Kind.GRANT_ROLE, str(user_id))
            approvals.approve(session, held.id, approver)
    return user_id


def _admin(session, username: str) -> int:
    held = find_user(session, username)
    if held is None:
        held = create_user(session, Actor("test"), username, username.title(), "admin", PASSWORD)
    return held.id


@pytest.fixture
def admins(records):
    """Two administrators, Ann and Bob, in an empty records database."""
    with unit(records.engine) as session:
        ann = _admin(session, "ann")
        bob = _admin(session, "bob")
    return records.engine, ann, bob


@pytest.mark.parametrize("role", list(Role))
def test_a_new_account_with_a_child_data_role_waits_for_a_second_admin(admins, role):
    engine, ann, bob = admins
    with unit(engine) as session:
        made = create_user(session, Actor("Ann"), "newbie", "New Person", role, PASSWORD, by_id=ann)
        active, user_id = made.active, made.id
        waiting = approvals.pending(session)
    if not role.sees_child_data:
        # Administrators, council officers and viewers see aggregates: no second person.
        assert active and waiting == []
        return
    assert not active  # cannot sign in until approved
    assert [(r.kind, r.subject, r.detail) for r in waiting] == [
        ("grant_role", str(user_id), {"role": str(role)})
    ]
    with pytest.raises(RecordsError, match="You asked for this"), unit(engine) as session:
        approvals.approve(session, waiting[0].id, ann)
    with unit(engine) as session:
        approvals.approve(session, waiting[0].id, bob)
    with unit(engine) as session:
        user = session.get(User, user_id)
        assert (user.role, user.active) == (str(role), True)


@pytest.mark.parametrize("approver_role", [r for r in Role if r is not Role.ADMIN])
def test_only_an_administrator_approves_an_account_request(admins, approver_role):
    engine, ann, _bob = admins
    other = _make(engine, "other", approver_role)
    with unit(engine) as session:
        create_user(session, Actor("Ann"), "newbie", "New", "trust_analyst", PASSWORD, by_id=ann)
        request = approvals.pending(session)[0].id
    with pytest.raises(RecordsError, match="Only an administrator"), unit(engine) as session:
        approvals.approve(session, request, other)


@pytest.mark.parametrize("role", list(Role))
def test_giving_an_account_a_child_data_role_waits_for_a_second_admin(admins, role):
    engine, ann, bob = admins
    viewer = _make(engine, "vera", Role.VIEWER)
    with unit(engine) as session:
        asked = update_user(
            session, Actor("Ann"), session.get(User, viewer), by_id=ann, role=str(role)
        )
        now = session.get(User, viewer).role
    if not role.sees_child_data:
        assert asked == [] and now == str(role)  # done at once
        return
    assert now == "viewer"  # unchanged until approved
    with unit(engine) as session:
        approvals.approve(session, asked[0].id, bob)
        assert session.get(User, viewer).role == str(role)


@pytest.mark.parametrize("role", CHILD_DATA)
def test_an_administrator_never_holds_a_child_data_role(admins, role):
    engine, ann, bob = admins
    with pytest.raises(RecordsError, match="never holds"), unit(engine) as session:
        update_user(session, Actor("Ann"), session.get(User, bob), by_id=ann, role=str(role))
    # Nor through a request made while the account was not yet an administrator.
    viewer = _make(engine, "vera", Role.VIEWER)
    with unit(engine) as session:
        asked = update_user(
            session, Actor("Ann"), session.get(User, viewer), by_id=ann, role=str(role)
        )
    with unit(engine) as session:
        update_user(session, Actor("Ann"), session.get(User, viewer), by_id=ann, role="admin")
    with pytest.raises(RecordsError, match="never holds"), unit(engine) as session:
        approvals.approve(session, asked[0].id, bob)


@pytest.mark.parametrize("role", list(Role))
def test_a_new_password_for_a_child_data_account_waits_for_a_second_admin(admins, role):
    engine, ann, bob = admins
    subject = _make(engine, "sam", role)
    with unit(engine) as session:
        asked = update_user(
            session, Actor("Ann"), session.get(User, subject), by_id=ann, password=NEW_PASSWORD
        )
        held = session.get(User, subject).password_hash
    if not role.sees_child_data:
        assert asked == [] and verify_password(held, NEW_PASSWORD)
        return
    assert [r.kind for r in asked] == ["reset_password"]
    assert verify_password(held, PASSWORD)  # the old one still works until approved
    with unit(engine) as session:
        approvals.approve(session, asked[0].id, bob)
        assert verify_password(session.get(User, subject).password_hash, NEW_PASSWORD)
        # The new password's hash is not kept on the request, nor written to the audit log.
        assert session.get(ApprovalRequest, asked[0].id).detail == {}
        logged = str([(e.before, e.after) for e in entries(session, limit=1000)])
    assert "argon2" not in logged


def test_no_one_approves_a_request_about_their_own_account(admins):
    engine, ann, _bob = admins
    analyst = _make(engine, "ana", Role.TRUST_ANALYST)
    with unit(engine) as session:
        # The analyst's own password, asked for by Ann, cannot be approved by the analyst
        # (not an administrator) nor by Ann (who asked).
        asked = update_user(
            session, Actor("Ann"), session.get(User, analyst), by_id=ann, password=NEW_PASSWORD
        )
    for who, message in ((analyst, "Only an administrator"), (ann, "You asked for this")):
        with pytest.raises(RecordsError, match=message), unit(engine) as session:
            approvals.approve(session, asked[0].id, who)
    with unit(engine) as session:
        assert approvals.refuse(session, asked[0].id, ann).state == "withdrawn"


def test_activating_a_child_data_account_again_waits_for_a_second_admin(admins):
    engine, ann, _bob = admins
    analyst = _make(engine, "ana", Role.TRUST_ANALYST)
    with unit(engine) as session:
        assert update_user(session, Actor("Ann"), session.get(User, analyst), active=False) == []
    with unit(engine) as session:
        asked = update_user(
            session, Actor("Ann"), session.get(User, analyst), by_id=ann, active=True
        )
        assert [r.kind for r in asked] == ["grant_role"]
        assert not session.get(User, analyst).active


def test_requests_and_decisions_are_audited(admins):
    engine, ann, bob = admins
    with unit(engine) as session:
        create_user(session, Actor("Ann"), "newbie", "New", "trust_manager", PASSWORD, by_id=ann)
        request = approvals.pending(session)[0].id
    with unit(engine) as session:
        approvals.refuse(session, request, bob, "not known to the Trust")
    with unit(engine) as session:
        logged = [
            (e.action, e.after.get("kind"), e.after.get("reason"))
            for e in entries(session, entity="approval_requests")
        ]
    assert logged == [
        ("refuse", "grant_role", "not known to the Trust"),
        ("request", "grant_role", None),
    ]


# Uploads ---------------------------------------------------------------------------------


@pytest.mark.parametrize("approver_role", list(Role))
def test_accepting_an_upload_needs_a_second_person_who_sees_child_data(admins, approver_role):
    engine, _ann, _bob = admins
    checker = _make(engine, "checker", Role.TRUST_ANALYST)
    second = _make(engine, "second", approver_role)
    with unit(engine) as session:
        approvals.request_acceptance(session, checker, "u1", {"return": "ssda903 2016"})
    with pytest.raises(RecordsError, match="You asked for this"), unit(engine) as session:
        approvals.approve_acceptance(session, "u1", checker)
    if not approver_role.sees_child_data:
        with pytest.raises(RecordsError, match="role that sees child-level"), unit(engine) as s:
            approvals.approve_acceptance(s, "u1", second)
        return
    with unit(engine) as session:
        approved = approvals.approve_acceptance(session, "u1", second)
        assert (approved.state, approved.detail) == ("approved", {"return": "ssda903 2016"})
    with pytest.raises(RecordsError, match="no request waiting"), unit(engine) as session:
        approvals.approve_acceptance(session, "u1", second)


@pytest.mark.parametrize("role", OTHERS)
def test_only_a_child_data_role_asks_to_accept_an_upload(admins, role):
    engine, _ann, _bob = admins
    asker = _make(engine, "asker", role)
    with pytest.raises(RecordsError, match="Only a role that sees"), unit(engine) as session:
        approvals.request_acceptance(session, asker, "u1")
