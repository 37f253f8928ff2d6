"""The wording rules every report shares: counts in words to nine and figures from 10, labels
capitalised without lower-casing a month, typed text ended with one full stop."""

from __future__ import annotations

import pytest

from cscmonitor.wording import capital, in_words, plural, sentence


@pytest.mark.parametrize(
    ("number", "said"),
    [(0, "no"), (1, "one"), (9, "nine"), (10, "10"), (13, "13"), (1204, "1,204")],
)
def test_counts_are_words_to_nine_and_figures_from_ten(number: int, said: str) -> None:
    assert in_words(number) == said


def test_plural_follows_the_same_rule() -> None:
    assert plural(1, "inspection") == "one inspection"
    assert plural(3, "proposed change") == "three proposed changes"
    # The seed's "thirteen inspections" is written "13 inspections" under the one rule.
    assert plural(13, "inspection") == "13 inspections"
    assert plural(2, "area", "areas of focus") == "two areas of focus"


def test_capital_keeps_the_month_capitalised() -> None:
    # str.capitalize would give "12 months to 30 september 2015".
    assert capital("12 months to 30 September 2015") == "12 months to 30 September 2015"
    assert capital("rolling 12 months") == "Rolling 12 months"


@pytest.mark.parametrize(
    ("typed", "ended"),
    [
        ("in line with the contract's activity provisions.", "…activity provisions."),
        ("in line with the contract's activity provisions", "…activity provisions."),
        ("Is it agreed?", "Is it agreed?"),
        ("a list to come …  ", "a list to come …"),
    ],
)
def test_typed_text_ends_with_one_full_stop(typed: str, ended: str) -> None:
    said = sentence(typed)
    assert said.endswith(ended.lstrip("…")) and not said.endswith("..")
