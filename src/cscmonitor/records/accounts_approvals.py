"""Two people for the powerful moves: a request one person makes and another approves.

- Giving an account a role that sees child-level data (a new account, a new role, or
  activating such an account) and a new password for such an account are requested by one
  administrator and approved by another: never the one who asked, never the account itself.
- Accepting an upload into the warehouse, when the setting asks for it, is requested by the
  person who checked it and approved by another person whose role sees child-level data;
  the upload service accepts once `approve_acceptance` returns.

Every request and decision is audited; a new password's hash is kept only while its request
is pending, and never written to the audit log.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from cscmonitor.records import audit
from cscmonitor.records.accounts_models import ApprovalRequest, User, WebSession
from cscmonitor.records.audit import Actor
from cscmonitor.records.errors import RecordsError
from cscmonitor.records.models import utcnow
from cscmonitor.records.roles import Role


class Kind(StrEnum):
    GRANT_ROLE = "grant_role"
    RESET_PASSWORD = "reset_password"
    ACCEPT_UPLOAD = "accept_upload"

    @property
    def label(self) -> str:
        match self:
            case Kind.GRANT_ROLE:
                return "role that sees child-level data"
            case Kind.RESET_PASSWORD:
                return "new password"
            case Kind.ACCEPT_UPLOAD:
                return "acceptance of an upload"


class State(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


class ApprovalError(RecordsError):
    """A request or decision the two-person rules refuse; the message says why."""


def _public(kind: Kind, detail: dict[str, Any]) -> dict[str, Any]:
    """What of a request may be shown and audited: never a password's hash."""
    match kind:
        case Kind.GRANT_ROLE:
            return {"role": str(detail["role"])}
        case Kind.RESET_PASSWORD:
            return {}
        case Kind.ACCEPT_UPLOAD:
            return dict(detail)


def request(
    session: Session,
    by: Actor,
    by_id: int | None,
    kind: Kind,
    subject: str,
    detail: dict[str, Any],
) -> ApprovalRequest:
    """A pending request; one at a time for each kind and subject."""
    waiting = pending_for(session, kind, subject)
    if waiting is not None:
        raise ApprovalError(
            f"A {kind.label} for this is already waiting for approval (request {waiting.id}): "
            "approve, refuse or withdraw it first"
        )
    held = ApprovalRequest(
        kind=str(kind),
        subject=subject,
        detail=dict(detail),
        state=str(State.PENDING),
        requested_by_id=by_id,
        requested_by=by.name,
        requested_at=utcnow(),
    )
    session.add(held)
    session.flush()
    audit.note(
        session,
        by,
        audit.REQUEST,
        "approval_requests",
        str(held.id),
        {"kind": str(kind), "subject": subject} | _public(kind, detail),
    )
    return held


def pending_for(session: Session, kind: Kind, subject: str) -> ApprovalRequest | None:
    return session.scalar(
        select(ApprovalRequest).where(
            ApprovalRequest.kind == str(kind),
            ApprovalRequest.subject == subject,
            ApprovalRequest.state == str(State.PENDING),
        )
    )


def pending(session: Session, kinds: tuple[Kind, ...] = tuple(Kind)) -> list[ApprovalRequest]:
    """The requests waiting for a decision, oldest first."""
    return list(
        session.scalars(
            select(ApprovalRequest)
            .where(
                ApprovalRequest.state == str(State.PENDING),
                ApprovalRequest.kind.in_([str(k) for k in kinds]),
            )
            .order_by(ApprovalRequest.id)
        )
    )


def public_detail(held: ApprovalRequest) -> dict[str, Any]:
    return _public(Kind(held.kind), held.detail)


def _decider(session: Session, by_id: int) -> User:
    user = session.get(User, by_id)
    if user is None or not user.active:
        raise ApprovalError("Only an active account can decide a request")
    return user


def _waiting(session: Session, request_id: int) -> ApprovalRequest:
    held = session.get(ApprovalRequest, request_id)
    if held is None:
        raise ApprovalError(f"No request {request_id}")
    if held.state != State.PENDING:
        raise ApprovalError(f"Request {request_id} was already {held.state}")
    return held


def waiting(
    session: Session, request_id: int, kinds: tuple[Kind, ...] = tuple(Kind)
) -> ApprovalRequest:
    """A pending request of one of `kinds` (a page decides only its own kinds)."""
    held = _waiting(session, request_id)
    if Kind(held.kind) not in kinds:
        raise ApprovalError(f"No request {request_id} of this kind")
    return held


def _may_decide(held: ApprovalRequest, decider: User) -> None:
    """Accounts are decided by an administrator; uploads by someone who may see the check."""
    role = Role(decider.role)
    if Kind(held.kind) is Kind.ACCEPT_UPLOAD:
        if not role.sees_child_data:
            raise ApprovalError(
                f"Accepting an upload is approved by a role that sees child-level data, "
                f"not {role.label}"
            )
    elif role is not Role.ADMIN:
        raise ApprovalError("Only an administrator decides requests about accounts")


def _close(session: Session, held: ApprovalRequest, decider: User, state: State) -> None:
    held.state = str(state)
    held.decided_by_id, held.decided_by = decider.id, f"{decider.full_name} ({decider.username})"
    held.decided_at = utcnow()
    held.detail = _public(Kind(held.kind), held.detail)  # a password's hash goes now
    session.flush()


def _actor(user: User) -> Actor:
    return Actor(f"{user.full_name} ({user.username})", Role(user.role).party)


def approve(session: Session, request_id: int, by_id: int) -> ApprovalRequest:
    """Approve a request as a second person, and do what it asks (accounts); an upload's
    acceptance is then the upload service's to do."""
    held = _waiting(session, request_id)
    decider = _decider(session, by_id)
    _may_decide(held, decider)
    if held.requested_by_id == decider.id:
        raise ApprovalError("You asked for this: a second person must approve it")
    kind = Kind(held.kind)
    public = _public(kind, held.detail)
    if kind is not Kind.ACCEPT_UPLOAD:
        _apply(session, held, decider)
    _close(session, held, decider, State.APPROVED)
    audit.note(
        session,
        _actor(decider),
        audit.APPROVE,
        "approval_requests",
        str(held.id),
        {"kind": held.kind, "subject": held.subject, "requested_by": held.requested_by} | public,
    )
    return held


def _apply(session: Session, held: ApprovalRequest, decider: User) -> None:
    account = session.get(User, int(held.subject))
    if account is None:
        raise ApprovalError(f"The account of request {held.id} no longer exists")
    if account.id == decider.id:
        raise ApprovalError("No one approves a request about their own account")
    if Kind(held.kind) is Kind.GRANT_ROLE:
        role = Role(held.detail["role"])
        if Role(account.role) is Role.ADMIN:
            raise ApprovalError(
                f"{account.username} is now an administrator: an administrator never holds a "
                "role that sees child-level data"
            )
        account.role, account.active = str(role), True
    else:
        account.password_hash = held.detail["password_hash"]
    session.execute(delete(WebSession).where(WebSession.user_id == account.id))


def refuse(session: Session, request_id: int, by_id: int, reason: str = "") -> ApprovalRequest:
    """Refuse a request (anyone who may decide it), or withdraw it (the one who asked)."""
    held = _waiting(session, request_id)
    decider = _decider(session, by_id)
    withdrawn = held.requested_by_id == decider.id
    if not withdrawn:
        _may_decide(held, decider)
    _close(session, held, decider, State.WITHDRAWN if withdrawn else State.REFUSED)
    held.reason = reason.strip() or None
    audit.note(
        session,
        _actor(decider),
        audit.WITHDRAW if withdrawn else audit.REFUSE,
        "approval_requests",
        str(held.id),
        {"kind": held.kind, "subject": held.subject, "reason": held.reason},
    )
    return held


# Uploads: the service the upload pages call ----------------------------------------------


def request_acceptance(
    session: Session, by_id: int, upload_id: str, summary: dict[str, Any] | None = None
) -> ApprovalRequest:
    """The checker asks for a second person to accept upload `upload_id` into the warehouse.
    `summary` (e.g. the return and its row counts) is shown to the approver and audited."""
    checker = _decider(session, by_id)
    if not Role(checker.role).sees_child_data:
        raise ApprovalError("Only a role that sees child-level data asks to accept an upload")
    held = request(
        session, _actor(checker), checker.id, Kind.ACCEPT_UPLOAD, upload_id, dict(summary or {})
    )
    return held


def approve_acceptance(session: Session, upload_id: str, by_id: int) -> ApprovalRequest:
    """A second person approves accepting `upload_id`; raises ApprovalError when there is no
    pending request, or the approver asked for it or may not see the check. The caller
    accepts the upload in the same transaction once this returns."""
    held = pending_for(session, Kind.ACCEPT_UPLOAD, upload_id)
    if held is None:
        raise ApprovalError(f"Upload {upload_id} has no request waiting for a second person")
    return approve(session, held.id, by_id)
