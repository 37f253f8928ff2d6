"""Web accounts: roles, creating and changing accounts, the demo accounts.

Every function takes an open SQLAlchemy session (one transaction per unit of work, opened by
`unit`) and writes its audit rows through `audit.note`. Giving an account a role that sees
child-level data, or a new password to such an account, is a request a second administrator
approves (`accounts_approvals`); an administrator's account never takes such a role.
Sign-in and sessions are in `accounts_signin`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from cscmonitor.records import accounts_approvals as approvals
from cscmonitor.records import audit
from cscmonitor.records.accounts_models import ApprovalRequest, User, WebSession
from cscmonitor.records.accounts_passwords import hash_password, password_problem
from cscmonitor.records.audit import Actor
from cscmonitor.records.errors import RecordsError
from cscmonitor.records.models import utcnow
from cscmonitor.records.roles import Role

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,79}")


class AccountError(RecordsError):
    """Input for an account that breaks a rule; the message says which."""


@contextmanager
def unit(engine: Engine) -> Iterator[Session]:
    """One transaction on the account tables (and their audit rows)."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session


def actor_of(user: User) -> Actor:
    """The user as the records' audit and workflow see them: name and party."""
    return Actor(f"{user.full_name} ({user.username})", Role(user.role).party)


def check_username(username: str) -> str:
    username = username.strip().lower()
    if not USERNAME.fullmatch(username):
        raise AccountError(
            "Username must be 2 to 80 lower-case letters, digits, dots, dashes or underscores, "
            "starting with a letter or digit"
        )
    return username


def check_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise AccountError(f"Role must be one of {', '.join(Role)}") from None


def _checked_password(password: str, username: str) -> str:
    problem = password_problem(password, username)
    if problem:
        raise AccountError(problem)
    return hash_password(password)


def create_user(
    session: Session,
    by: Actor,
    username: str,
    full_name: str,
    role: str,
    password: str,
    *,
    by_id: int | None = None,
    demo: bool = False,
) -> User:
    """A new account, the password checked against the policy and hashed. An account with a
    role that sees child-level data starts inactive, with a request for a second
    administrator to approve (demo accounts excepted: they sign in only in development)."""
    username = check_username(username)
    checked_role = check_role(role)
    if not full_name.strip():
        raise AccountError("Enter the person's full name")
    password_hash = _checked_password(password, username)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise AccountError(f"An account with the username {username} already exists")
    needs_approval = checked_role.sees_child_data and not demo
    user = User(
        username=username,
        full_name=full_name.strip(),
        role=str(checked_role),
        password_hash=password_hash,
        active=not needs_approval,
        demo=demo,
        created_at=utcnow(),
    )
    session.add(user)
    session.flush()
    audit.note(
        session,
        by,
        audit.CREATE,
        "web_users",
        str(user.id),
        {"username": username, "role": str(checked_role), "demo": demo, "active": user.active},
    )
    if needs_approval:
        approvals.request(
            session, by, by_id, approvals.Kind.GRANT_ROLE, str(user.id), {"role": str(checked_role)}
        )
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise AccountError(f"No account {user_id}")
    return user


def find_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username.strip().lower()))


def count_admins(session: Session) -> int:
    query = select(func.count(User.id)).where(User.role == Role.ADMIN.value, User.active)
    return int(session.scalar(query) or 0)


def refuse_admin_with_child_data(user: User, role: Role) -> None:
    """An administrator runs the installation; child-level data is someone else's account."""
    if Role(user.role) is Role.ADMIN and role.sees_child_data:
        raise AccountError(
            f"{user.username} is an administrator: an administrator never holds a role that "
            "sees child-level data; create a separate account for that work"
        )


def update_user(
    session: Session,
    by: Actor,
    user: User,
    *,
    by_id: int | None = None,
    role: str | None = None,
    active: bool | None = None,
    password: str | None = None,
) -> list[ApprovalRequest]:
    """Change an account's role, whether it is active, or its password, ending its sessions
    when it loses access or its password changes. What gives child-level data (a role that
    sees it, activating such an account, a new password for one) becomes a request for a
    second administrator instead, and is returned; everything else is done now."""
    new_role = check_role(role) if role else Role(user.role)
    new_active = user.active if active is None else active
    refuse_admin_with_child_data(user, new_role)
    was_admin = Role(user.role) is Role.ADMIN and user.active
    if was_admin and not (new_role is Role.ADMIN and new_active) and count_admins(session) <= 1:
        raise AccountError("Keep at least one active administrator")
    new_hash = _checked_password(password, user.username) if password is not None else None
    already = user.active and Role(user.role) is new_role
    grants = new_role.sees_child_data and new_active and not already
    requests = []
    if grants:
        requests.append(
            approvals.request(
                session, by, by_id, approvals.Kind.GRANT_ROLE, str(user.id), {"role": new_role}
            )
        )
    if new_hash is not None and (new_role.sees_child_data or Role(user.role).sees_child_data):
        requests.append(
            approvals.request(
                session,
                by,
                by_id,
                approvals.Kind.RESET_PASSWORD,
                str(user.id),
                {"password_hash": new_hash},
            )
        )
        new_hash = None
    before = {"role": user.role, "active": user.active}
    if not grants:
        user.role, user.active = str(new_role), new_active
    if new_hash is not None:
        user.password_hash = new_hash
    if (
        new_hash is not None
        or (before["active"] and not user.active)
        or user.role != before["role"]
    ):
        end_sessions(session, user)
    session.flush()
    after = {"role": user.role, "active": user.active}
    if after != before or new_hash is not None:
        detail = {"before": before} | after | {"password_changed": new_hash is not None}
        audit.note(session, by, audit.UPDATE, "web_users", str(user.id), detail)
    return requests


def end_sessions(session: Session, user: User) -> None:
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))


# Demo accounts: one per role. Their passwords are printed by `make demo` and work only
# while CSCMONITOR_ENVIRONMENT is development (sign-in refuses demo accounts otherwise).
DEMO_USERS: tuple[tuple[Role, str, str, str], ...] = (
    (Role.ADMIN, "admin", "Demo Administrator", "demo-setup-2014"),
    (Role.TRUST_ANALYST, "analyst", "Demo Trust Analyst", "demo-figures-2014"),
    (Role.TRUST_MANAGER, "manager", "Demo Trust Manager", "demo-returns-2014"),
    (Role.COUNCIL_OFFICER, "council", "Demo Council Officer", "demo-contract-2014"),
    (Role.VIEWER, "viewer", "Demo Board Member", "demo-board-2014"),
)


def seed_demo_users(engine: Engine) -> list[tuple[str, str, str]]:
    """Create (or keep) one demo account per role; (role, username, password) for each."""
    seeded = []
    with unit(engine) as session:
        for role, username, full_name, password in DEMO_USERS:
            held = find_user(session, username)
            if held is None:
                create_user(
                    session,
                    Actor("cscmonitor demo"),
                    username,
                    full_name,
                    role,
                    password,
                    demo=True,
                )
            elif held.demo:
                held.password_hash = hash_password(password)
                held.role, held.active = str(role), True
            else:
                raise AccountError(f"{username} is a real account; not replaced by a demo one")
            seeded.append((str(role), username, password))
    return seeded
