"""Sign-in: delays per account AND source that grow, never a lock anyone can trigger; the
password policy. The clock is the test's, so no test waits."""

from __future__ import annotations

import datetime as dt

import pytest

from cscmonitor.records.accounts import create_user, unit
from cscmonitor.records.accounts_passwords import password_problem
from cscmonitor.records.accounts_signin import Refusal, SignedIn, Signin, SigninPolicy, Throttled
from cscmonitor.records.audit import Actor
from cscmonitor.records.models import utcnow

PASSWORD = "a long enough secret"
HOME, ELSEWHERE = "10.0.0.1", "192.0.2.7"


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def signin(records):
    """Accounts `viewer` and `admin`, and sign-in with the default policy (five free
    failures, then 30 s doubling to at most 15 minutes, failures counted for 24 hours)."""
    with unit(records.engine) as session:
        create_user(session, Actor("test"), "viewer", "Vera", "viewer", PASSWORD)
        create_user(session, Actor("test"), "admin", "Ann", "admin", PASSWORD)
    clock = Clock()
    service = Signin(SigninPolicy(), b"k" * 32, clock)

    def attempt(username: str, password: str, address: str = HOME):
        with unit(records.engine) as session:
            return service.sign_in(session, username, password, address)

    attempt.clock = clock  # type: ignore[attr-defined]
    return attempt


def test_five_wrong_passwords_slow_that_source_not_the_owner(signin):
    assert [signin("viewer", "wrong guess!", ELSEWHERE) for _ in range(5)] == [Refusal.WRONG] * 5
    # The owner, from home, is not held up at all.
    assert isinstance(signin("viewer", PASSWORD, HOME), SignedIn)
    # The guesser's source waits 30 seconds, even with the right password...
    assert signin("viewer", PASSWORD, ELSEWHERE) == Throttled(dt.timedelta(seconds=30))
    signin.clock.advance(seconds=30)
    # ...and no longer.
    assert isinstance(signin("viewer", PASSWORD, ELSEWHERE), SignedIn)


def test_the_delay_doubles_with_each_failure_up_to_fifteen_minutes(signin):
    for _ in range(5):
        signin("viewer", "wrong guess!")
    waits = []
    for _ in range(8):
        throttled = signin("viewer", "wrong guess!")
        assert isinstance(throttled, Throttled)  # refused without checking the password
        waits.append(int(throttled.wait.total_seconds()))
        signin.clock.advance(seconds=throttled.wait.total_seconds())
        assert signin("viewer", "wrong guess!") is Refusal.WRONG  # one more failure counted
    # 6th failure onwards: 30 s, doubling: 30, 60, 120, 240, 480, then 900 (the ceiling).
    assert waits == [30, 60, 120, 240, 480, 900, 900, 900]


def test_twenty_guesses_at_made_up_names_do_not_hold_up_the_real_admin(signin):
    for n in range(20):
        assert signin(f"made-up-{n}", "wrong guess!") is Refusal.WRONG
    assert isinstance(signin("admin", PASSWORD, HOME), SignedIn)
    assert isinstance(signin("admin", PASSWORD, ELSEWHERE), SignedIn)


def test_a_success_clears_only_its_own_sources_failures(signin):
    for _ in range(5):
        signin("viewer", "wrong guess!", ELSEWHERE)
    assert isinstance(signin("viewer", PASSWORD, HOME), SignedIn)
    assert isinstance(signin("viewer", PASSWORD, ELSEWHERE), Throttled)


def test_failures_older_than_the_window_no_longer_count(signin):
    for _ in range(7):
        signin.clock.advance(minutes=16)  # past each delay
        assert signin("viewer", "wrong guess!") is Refusal.WRONG
    signin.clock.advance(hours=24, seconds=1)
    assert isinstance(signin("viewer", PASSWORD), SignedIn)


# The password policy -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("short pass", "at least 12 characters"),
        ("aaaaaaaaaaaa", "at least 5 different characters"),  # long, but one letter
        ("abababababab", "at least 5 different characters"),
        ("jo.bloggs-2026", "must not contain the username"),
        ("password1234", "too common"),  # "password" with digits after it
        ("Password123!", "too common"),
        ("Summer2026!!", "too common"),
        ("!!Welcome2026", "too common"),  # symbols and digits before it too
        ("monkeymonkey", "too common"),  # a common word repeated
        ("qwertyuiop12", "too common"),  # a keyboard row
        ("Safeguarding1", "too common"),  # the service's own words
        ("cscmonitor2026", "too common"),
    ],
)
def test_weak_passwords_are_refused(password, why):
    problem = password_problem(password, "jo.bloggs")
    assert problem is not None and why in problem


@pytest.mark.parametrize(
    "password", ["correct horse battery", "Trellis-Otter-42-Quiet", "a long enough secret"]
)
def test_good_passwords_are_accepted(password):
    assert password_problem(password, "jo.bloggs") is None


def test_the_common_password_list_ships_with_the_package():
    from cscmonitor.records.accounts_passwords import common_passwords

    listed = common_passwords()
    assert {"password", "qwertyuiop", "letmein", "safeguarding"} <= listed
    assert not any(word.startswith("#") for word in listed)
