"""The fit recovers the rates a history was generated with (tests/forecast/synthetic.py)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from cscmonitor.forecast.cli import DEFAULT_HALF_LIFE
from cscmonitor.forecast.fit import (
    HALF_LIFE_MONTHS,
    Population,
    fit,
    pooled_rates,
    recency_weights,
    shrink,
)
from cscmonitor.forecast.history import FAR, History
from cscmonitor.forecast.states import (
    AGE_BANDS,
    CATEGORIES,
    DURATION_BANDS,
    EXIT,
    FIRST_MONTH,
    N_STATES,
    OUTCOMES,
    STAY,
    move_to,
    state_index,
)
from tests.forecast.synthetic import FOSTERING, RESIDENTIAL, generate, hazards


def _state(category: int, band_months: int) -> int:
    """The state of a 10-year-old (band 10 to 15) `band_months` into a placement."""
    return int(state_index(np.array([150]), np.array([category]), np.array([band_months]))[0])


def test_fit_recovers_hazards_by_time_in_placement() -> None:
    """The generator's first band (under 3 months) is the model's first month in care, its
    1 to 2 months and (for moves) its under 1 month: each recovers that band's rates."""
    history, population = generate(np.random.default_rng(1))
    model = fit(history, history.end, window_months=48, population=population)
    truth = hazards()
    checked = 0
    for category in (FOSTERING, RESIDENTIAL):
        for band, months in ((0, FIRST_MONTH), (0, 1), (1, 3), (2, 12), (3, 24)):
            s = _state(category, months)
            n = model.exposure[s]
            assert n > 150, "the generator gives every checked state plenty of exposure"
            p = truth[category, band]
            fitted = model.hazards[s]
            # Within 4 binomial standard errors (plus a hair for the shrinkage's pull).
            se = np.sqrt(p * (1 - p) / n)
            assert np.all(np.abs(fitted - p) <= 4 * se + 0.002), (category, band, fitted, p)
            checked += 1
    assert checked == 10


def test_duration_dependence_is_seen() -> None:
    """Fostering's exit hazard is 0.06 in the first 3 months and 0.02 after a year."""
    history, population = generate(np.random.default_rng(2))
    model = fit(history, history.end, window_months=48, population=population)
    early = model.hazards[_state(FOSTERING, 0), 1]
    late = model.hazards[_state(FOSTERING, 12), 1]
    assert early > 2 * late


def test_shrinkage_by_hand() -> None:
    """8 stays and 2 exits seen, pooled rate 50/50, prior 10 child-months:
    stay (8 + 10 × 0.5) / (10 + 10) = 0.65, exit (2 + 5) / 20 = 0.35.
    A state never seen takes the pooled rate whole."""
    counts = np.array([[8.0, 2.0], [0.0, 0.0]])
    pooled = np.array([[0.5, 0.5], [0.3, 0.7]])
    assert shrink(counts, pooled, 10.0) == pytest.approx(np.array([[0.65, 0.35], [0.3, 0.7]]))


def test_empty_states_take_the_all_ages_rate() -> None:
    """Under-1s are never in the generated history: their fostering hazards are the
    all-ages fostering ones of the same time in placement (shrunk by the prior only)."""
    history, population = generate(np.random.default_rng(3))
    model = fit(history, history.end, window_months=48, population=population)
    baby = int(state_index(np.array([3]), np.array([FOSTERING]), np.array([5]))[0])
    assert model.exposure[baby] == 0
    assert model.hazards[baby] == pytest.approx(model.hazards[_state(FOSTERING, 5)], abs=0.01)
    assert model.hazards.shape == (
        len(AGE_BANDS) * len(CATEGORIES) * len(DURATION_BANDS),
        2 + len(CATEGORIES),
    )


def test_entry_rate_recovered() -> None:
    """4 entrants per 10,000 of 50,000 children a month: 20 a month, 960 in 48 months."""
    history, population = generate(np.random.default_rng(4))
    model = fit(history, history.end, window_months=48, population=population)
    band = AGE_BANDS.index("10 to 15")
    n = model.entrant_counts[band]
    se = np.sqrt(n) / model.exposure_10k
    assert model.entry_rate[band] == pytest.approx(4.0, abs=4 * se)
    assert model.entry_rate.sum() == pytest.approx(model.entry_rate[band])
    assert model.seasonality_p > 0.05  # flat by construction: no seasonality claimed
    assert np.all(model.seasonal == 1.0)


def test_seasonality_recovered() -> None:
    """Twice the entrants in September and half in December (others 1): found and measured."""
    seasonal = np.ones(12)
    seasonal[8], seasonal[11] = 2.0, 0.5
    history, population = generate(np.random.default_rng(5), seasonal=seasonal, entry_per_10k=6)
    model = fit(history, history.end, window_months=48, population=population)
    assert model.seasonality_p < 0.001
    # Factors are relative to the year's mean rate (here (10 + 2 + 0.5) / 12 of the base).
    truth = seasonal / seasonal.mean()
    # 4 Septembers of ~24 entrants: a factor's standard error is about 1 / sqrt(96) of it.
    assert model.seasonal[8] == pytest.approx(truth[8], rel=0.3)
    assert model.seasonal[11] == pytest.approx(truth[11], rel=0.45)
    assert model.seasonal[8] > 3 * model.seasonal[11]


def test_recency_weights_by_hand() -> None:
    """Half life 12 months: the month ending at the origin weighs 1, one ending a year
    before 0.5, two years before 0.25; no half life weighs every month 1."""
    months_before = np.array([0, 6, 12, 24])
    assert recency_weights(months_before, 12.0) == pytest.approx([1, 2**-0.5, 0.5, 0.25])
    assert recency_weights(months_before, None).tolist() == [1, 1, 1, 1]
    with pytest.raises(ValueError):
        recency_weights(months_before, 0.0)


def test_recency_weighted_fit_follows_a_recent_entry_rate() -> None:
    """Entry is 4 a month per 10,000 for 36 months, then 8 for the last 12. Equal weights
    average the window: (36 × 4 + 12 × 8) / 48 = 5. With a half life of 3 months the months
    ending h months before the origin weigh 0.5^(h/3), so the expected rate is the weighted
    mean of the true rates, here 8 × (share of weight in the last 12 months) + 4 × the rest
    (about 7.75), within 4 standard errors of the weighted Poisson count."""
    months = 48
    truth = np.where(np.arange(months) < 36, 4.0, 8.0)
    history, population = generate(np.random.default_rng(6), entry_per_10k=truth)
    band = AGE_BANDS.index("10 to 15")
    flat = fit(history, history.end, window_months=months, population=population)
    assert flat.entry_rate[band] == pytest.approx(5.0, rel=0.1)
    recent = fit(history, history.end, window_months=months, half_life=3.0, population=population)
    # Month j of the history (0 first) ends months - 1 - j months before the origin.
    w = recency_weights(months - 1 - np.arange(months), 3.0)
    expected = float((w * truth).sum() / w.sum())
    assert expected == pytest.approx(7.75, abs=0.05)
    # Var of a weighted Poisson sum: Σ w² λ_j; per 10,000 children: ÷ (Σ w × 5).
    se = float(np.sqrt((w**2 * truth * 5).sum()) / (w.sum() * 5))
    assert recent.entry_rate[band] == pytest.approx(expected, abs=4 * se)
    # The standard error is about 0.43 here, so the recent fit is well clear of the flat one.
    assert recent.entry_rate[band] > flat.entry_rate[band] + 1.5


def test_weighted_counts_are_the_weighted_child_months() -> None:
    """With a half life, each state's child-months are the sum of its months' weights: the
    same history fitted with half life 12 has, in every state, at most the unweighted
    count and at least half of it from its last year alone, and the whole window's
    weighted exposure is the unweighted one's months weighted (checked on the total)."""
    history, population = generate(np.random.default_rng(7), months=24)
    flat = fit(history, history.end, window_months=24, half_life=None, population=population)
    weighted = fit(history, history.end, window_months=24, half_life=12.0, population=population)
    assert np.all(weighted.exposure <= flat.exposure + 1e-9)
    assert weighted.exposure.sum() < flat.exposure.sum()
    # Every month weighs between 0.5^(23/12) (the oldest) and 1.
    assert weighted.exposure.sum() > 0.5 ** (23 / 12) * flat.exposure.sum()
    assert weighted.half_life == 12.0 and flat.half_life is None


def test_a_small_state_is_not_lent_an_outcome_never_seen_at_its_age() -> None:
    """Fostering only, prior 24. Ages 10 to 15, under 3 months: 1,000 child-months, 990 stay,
    10 leave. 16 and over, under 3 months: 1,000, 900 stay, 50 leave, 50 move to supported.
    Ages 10 to 15, 3 to 11 months: 5 child-months, all stay.

    By hand: fostering's rate (2,005 child-months) is stay 1,895, leave 60, supported 50 over
    2,005. The all-ages rate at 3 to 11 months (5 stays) shrunk towards it: supported
    24 × 50/2005 / 29 = 0.02064. Shrinking the small state towards that alone would lend it
    24 × 0.02064 / 29 = 1.7% a month into supported accommodation, which no child of 10 to 15
    made. The age band's rate (1,005 child-months, no supported move) shrunk towards
    fostering's is 24 × 0.02494 / 1,029 = 0.000582 for supported, 0.02332 of fostering's;
    likewise stay 0.98902 (1.04643 of it) and leave 0.010416 (0.34807). The pooled rate at 3
    to 11 months, times those, renormalised: supported 0.000481 / 1.00803 = 0.000477; the
    state's hazard 24 × 0.000477 / 29 = 0.000395."""
    counts = np.zeros((N_STATES, len(OUTCOMES)))
    foster = CATEGORIES.index("fostering")
    young = state_index(np.array([150]), np.array([foster]), np.array([0]))[0]
    old = state_index(np.array([200]), np.array([foster]), np.array([0]))[0]
    small = state_index(np.array([150]), np.array([foster]), np.array([5]))[0]
    supported = move_to(CATEGORIES.index("supported"))
    counts[young, [STAY, EXIT]] = [990, 10]
    counts[old, [STAY, EXIT, supported]] = [900, 50, 50]
    counts[small, STAY] = 5
    hazards = shrink(counts, pooled_rates(counts, 24.0), 24.0)
    assert hazards[small, supported] == pytest.approx(0.000395, rel=0.02)
    assert hazards[small].sum() == pytest.approx(1.0)
    # The 16-year-olds keep about their own rate: (50 + 24 × about 0.05) / 1,024.
    assert hazards[old, supported] == pytest.approx(0.05, abs=0.002)


def test_the_commands_default_half_life_is_the_models() -> None:
    # The CLI writes the default out so that `--help` starts without numpy.
    assert DEFAULT_HALF_LIFE == HALF_LIFE_MONTHS


def _hand_made_history() -> History:
    """All fostered (placement = episode, category fostering unless said), born 1 Jan 2005.

    - 100 children come into care on 10 Jan 2015; 10 of them leave on 24 Jan (two weeks,
      no monthly date between): never in care on a monthly date, so neither entrants nor
      exits. The other 90 stay.
    - 20 come in on 25 Jan; 10 of them leave on 8 Feb (two weeks, across 1 Feb): entrants on
      1 Feb who leave in their first month in care. The other 10 stay.
    - One comes in on 5 Jan, moves to a children's home on 15 Jan and to new foster carers on
      20 Jan: an entrant on 1 Feb, in foster care (the placement of 20 Jan).
    - One in care since 1 Jun 2014 moves to a children's home on 5 Feb and to new foster
      carers on 20 Feb: one move, to fostering, between 1 Feb and 1 Mar.
    """
    day = np.datetime64
    rows = [(i, day("2015-01-10"), day("2015-01-24") if i < 10 else FAR, 0) for i in range(100)]
    rows += [
        (i, day("2015-01-25"), day("2015-02-08") if i < 110 else FAR, 0) for i in range(100, 120)
    ]
    rows += [
        (120, day("2015-01-05"), day("2015-01-15"), 0),
        (120, day("2015-01-15"), day("2015-01-20"), 1),
        (120, day("2015-01-20"), FAR, 0),
        (121, day("2014-06-01"), day("2015-02-05"), 0),
        (121, day("2015-02-05"), day("2015-02-20"), 1),
        (121, day("2015-02-20"), FAR, 0),
    ]
    child, decom, dec, category = (np.array(c) for c in zip(*rows, strict=True))
    return History(
        la_code="999",
        child=child.astype(np.int64),
        birth=np.full(len(child), day("2005-01-01")),
        decom=decom.astype("datetime64[D]"),
        dec=dec.astype("datetime64[D]"),
        placement_start=decom.astype("datetime64[D]"),
        category=category.astype(np.int64),
        provider=np.full(len(child), "PR1"),
        start=dt.date(2014, 4, 1),
        end=dt.date(2015, 4, 1),
    )


def test_short_stays_count_alike_in_the_entry_rate_and_the_hazards() -> None:
    """Monthly dates 1 Jan to 1 Apr 2015 (`_hand_made_history`). Entrants: 90 + 20 + 1 = 111,
    all on 1 Feb; the 10 who came and went between two dates are in neither the entrants
    nor the child-months. The first month in care of 10- to 15-year-olds in foster care has
    exactly those 111 child-months, 10 of them ending out of care (the two-week stays across
    1 Feb): the exits the entry rate's entrants make are the ones the hazards see. The
    placement of a child who moved twice between two dates is one move, to the placement
    held on the second date (fostering), and the children's home between is never seen."""
    population = Population(np.array([2015]), np.array([50_000.0]))
    model = fit(
        _hand_made_history(),
        dt.date(2015, 4, 1),
        window_months=3,
        half_life=None,
        population=population,
    )
    band = AGE_BANDS.index("10 to 15")
    assert model.entrant_counts[band] == 111
    assert model.entrant_counts.sum() == 111
    assert np.all(model.entrants.category == FOSTERING)
    first = _state(FOSTERING, FIRST_MONTH)
    assert model.counts[first, STAY] == 101 and model.counts[first, EXIT] == 10
    assert model.exposure[first] == model.entrant_counts.sum()
    assert model.counts[:, EXIT].sum() == 10
    # The child in care since June 2014, 8 months into the placement on 1 Feb.
    assert model.counts[_state(FOSTERING, 8), move_to(FOSTERING)] == 1
    assert model.counts[:, move_to(RESIDENTIAL)].sum() == 0
    assert model.counts.sum() == 1 + (111 + 1) + (101 + 1)  # child-months of Jan, Feb, Mar


def test_children_in_their_first_month_at_the_origin_are_in_that_state() -> None:
    """Fitted at 1 Feb 2015: the 111 who came into care since 1 Jan start the projection in
    their first month in care, the child in care since June in the band of 3 to 11 months."""
    population = Population(np.array([2015]), np.array([50_000.0]))
    model = fit(_hand_made_history(), dt.date(2015, 2, 1), window_months=1, population=population)
    assert (model.stock.duration == FIRST_MONTH).sum() == 111
    assert sorted(set(model.stock.duration.tolist())) == [FIRST_MONTH, 8]
