"""The Monte Carlo projection: its intervals cover what the generating process does."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest

from cscmonitor.forecast.adjust import Adjustments, Transition
from cscmonitor.forecast.backtest import observed
from cscmonitor.forecast.fit import Stock, fit, pooled_rates
from cscmonitor.forecast.history import month_dates
from cscmonitor.forecast.simulate import _entrants, entrant_mix, simulate, summary
from cscmonitor.forecast.states import AGE_BANDS, CATEGORIES, DURATION_BANDS, EXIT, N_STATES
from tests.forecast.synthetic import START, generate, generate_days, survival


def test_interval_coverage_is_near_nominal() -> None:
    """120 histories from the same fixed rates: fitted on 3 years, forecast 12 months on.
    The share of actual totals inside the 80% and 95% intervals is within sampling error
    (about 3.7 and 2 points) of nominal."""
    rng = np.random.default_rng(11)
    origin = month_dates(START, np.array([36]))[0].item()
    target = month_dates(START, np.array([48]))
    inside80 = inside95 = 0
    replicates = 120
    for seed in range(replicates):
        history, population = generate(rng, initial=150, entry_per_10k=1.0)
        model = fit(history, origin, window_months=36, population=population)
        table = summary(simulate(model, 12, paths=300, seed=seed))
        total = table[table["category"] == "all"].iloc[-1]
        actual = observed(history, target)[0, -1]
        inside80 += total["lower80"] <= actual <= total["upper80"]
        inside95 += total["lower95"] <= actual <= total["upper95"]
    assert inside80 / replicates == pytest.approx(0.80, abs=0.09)
    assert inside95 / replicates == pytest.approx(0.95, abs=0.05)


def test_projection_shape_and_quantiles_order() -> None:
    history, population = generate(np.random.default_rng(12), initial=100)
    model = fit(history, history.end, window_months=48, population=population)
    projection = simulate(model, 6, paths=50)
    assert projection.stock.shape == (50, 7, len(CATEGORIES))
    # Everyone at the origin is counted at the start of every path.
    assert np.all(projection.stock[:, 0].sum(axis=1) == len(model.stock.age))
    table = summary(projection)
    assert list(table.columns) == [
        "month",
        "category",
        "forecast",
        "lower80",
        "upper80",
        "lower95",
        "upper95",
    ]
    assert len(table) == 6 * (len(CATEGORIES) + 1)
    assert table["month"].iloc[0] == dt.date(2016, 5, 1)
    assert (table["lower95"] <= table["lower80"]).all()
    assert (table["lower80"] <= table["forecast"]).all()
    assert (table["forecast"] <= table["upper80"]).all()
    assert (table["upper80"] <= table["upper95"]).all()


def test_a_child_leaves_at_18() -> None:
    """Nobody enters (no entrant seen) and every hazard says stay: a child 17 years and 10
    months old is in care a month on, and gone two months on, at 18."""
    history, population = generate(np.random.default_rng(13), initial=20)
    model = fit(history, history.end, window_months=48, population=population)
    model = dataclasses.replace(
        model,
        stock=Stock(np.array([214]), np.array([0]), np.array([40])),
        entrant_counts=np.zeros(len(AGE_BANDS)),
    )
    stay_all = Adjustments(
        transitions=(
            Transition("all", "leave care", 0.0),
            *(Transition("all", c, 0.0) for c in CATEGORIES),
        )
    )
    projection = simulate(model, 3, paths=5, adjustments=stay_all, uncertain=False)
    assert projection.stock[:, :, 0].tolist() == [[1, 1, 0, 0]] * 5


def test_more_entrants_means_more_children() -> None:
    history, population = generate(np.random.default_rng(14), initial=100)
    model = fit(history, history.end, window_months=48, population=population)
    base = simulate(model, 12, paths=200, seed=1).stock[:, -1].sum(axis=1)
    doubled = (
        simulate(model, 12, paths=200, seed=1, adjustments=Adjustments(entry={"all": 2.0}))
        .stock[:, -1]
        .sum(axis=1)
    )
    # 20 a month for 12 months: the doubled entry adds over a hundred children at the median.
    assert np.median(doubled) - np.median(base) > 100


def test_entrants_are_drawn_by_their_recency_weight() -> None:
    """Two entrants seen in band 10 to 15: a fostering one weighing 1 and a residential one
    weighing 0 (as if seen long ago with a short half life): every new entrant is fostered.
    With weights 1 and 3, about three in four are in residential (of 4,000 draws, within
    4 binomial standard errors of 0.75, each about 0.0068)."""
    history, population = generate(np.random.default_rng(15), initial=20)
    model = fit(history, history.end, window_months=48, population=population)
    seen = Stock(np.array([150, 160]), np.array([0, 1]), np.array([0, 0]))
    band = AGE_BANDS.index("10 to 15")
    arriving = np.zeros((1000, len(AGE_BANDS)), dtype=np.int64)
    arriving[:, band] = 4
    only_first = dataclasses.replace(model, entrants=seen, entrant_weights=np.array([1.0, 0.0]))
    drawn = _entrants(only_first, arriving, np.random.default_rng(0))
    assert len(drawn.age) == 4000
    assert set(drawn.category.tolist()) == {0} and set(drawn.age.tolist()) == {150}
    one_to_three = dataclasses.replace(model, entrants=seen, entrant_weights=np.array([1.0, 3.0]))
    drawn = _entrants(one_to_three, arriving, np.random.default_rng(0))
    assert (drawn.category == 1).mean() == pytest.approx(0.75, abs=4 * 0.0069)


def test_each_path_draws_its_own_mix_of_entrants() -> None:
    """Ten entrants seen in band 10 to 15, five fostered and five in residential care. Each
    path draws 1,000 new entrants there. Were every path to copy the mix seen, each path's
    residential share would be binomial: a standard deviation of sqrt(0.25 / 1000) = 0.016
    across paths. With the mix's own uncertainty (a Dirichlet(1, ..., 1) over the ten), a
    path's share is the sum of five of ten such weights, a Beta(5, 5): sd sqrt(25 / 1100) =
    0.151, which the 1,000 paths estimate to within about 0.01."""
    history, population = generate(np.random.default_rng(16), initial=20)
    model = fit(history, history.end, window_months=48, population=population)
    seen = Stock(np.full(10, 150), np.repeat([0, 1], 5), np.zeros(10, dtype=np.int64))
    ten = dataclasses.replace(model, entrants=seen, entrant_weights=np.ones(10))
    arriving = np.zeros((1000, len(AGE_BANDS)), dtype=np.int64)
    arriving[:, AGE_BANDS.index("10 to 15")] = 1000
    rng = np.random.default_rng(0)
    drawn = _entrants(ten, arriving, rng, entrant_mix(ten, 1000, rng))
    share = np.bincount(drawn.path, weights=drawn.category == 1, minlength=1000) / 1000
    assert share.mean() == pytest.approx(0.5, abs=0.02)
    assert share.std() == pytest.approx(0.151, abs=0.02)
    fixed = _entrants(ten, arriving, rng, entrant_mix(ten, 1000))
    share = np.bincount(fixed.path, weights=fixed.category == 1, minlength=1000) / 1000
    assert share.std() == pytest.approx(0.016, abs=0.004)


def test_newcomers_survival_recovered_with_short_stays() -> None:
    """Histories in days (`generate_days`): 3 children a day come into care, a fifth of them
    for a short stay (1 + an exponential number of days, mean 20) and the rest for a long one
    (mean 600), all moving placement at 4% a month whatever their time in care. Fitted on the
    36 months to 31 Mar 2018, the projection from no children at all holds, 12 months on,
    the newcomers still in care. Known answer: of the children counted as entrants (in care
    on the monthly date after they came in), the expected share still in care at the end is
    Σ S(k) over the year's days ÷ Σ over its months of Σ S(k) over the month's days, S the
    mixture's survival. Over three histories the model's share (simulated newcomers ÷ the
    entrants its rates give) is on average within 2% of it (+1.8%, +1.1%, +0.9%). When the
    first month in care shared its hazards with children who had just moved placement (the
    model before December 2026), the same histories gave +4.4%, +3.5% and +3.4%: a tenth of
    entrants leave in their first month, and it gave them half that. About 1% too many
    remain, since time in care is not in the states: an entrant's second and third months
    share the hazards of children a month or two into a new placement after years in care."""
    short_share, short_mean, long_mean = 0.2, 20.0, 600.0
    origin = dt.date(2018, 3, 31)
    dates = month_dates(origin, np.arange(13))

    def held(days: int) -> float:
        """Expected children in care at the end of `days` days, one entering each day."""
        return float(survival(np.arange(days), short_share, short_mean, long_mean).sum())

    counted = sum(held(int(n)) for n in np.diff(dates).astype(np.int64))
    truth = held(int((dates[-1] - dates[0]).astype(np.int64))) / counted
    month_of = dates[1:].astype("datetime64[M]").astype(np.int64) % 12
    empty = Stock(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64))
    rng = np.random.default_rng(21)
    errors = []
    for seed in range(3):
        history, population = generate_days(
            rng, per_day=3.0, short_share=short_share, short_mean=short_mean, long_mean=long_mean
        )
        model = fit(history, origin, window_months=36, population=population)
        projection = simulate(
            dataclasses.replace(model, stock=empty), 12, paths=400, seed=seed, uncertain=False
        )
        per_month = model.population.on(dates[1:]) / 10_000 * model.seasonal[month_of]
        entrants = model.entry_rate.sum() * per_month.sum()
        errors.append(projection.stock[:, -1].sum(axis=1).mean() / entrants / truth - 1)
    assert abs(np.mean(errors)) < 0.02, errors


def test_newcomers_start_in_their_first_month_in_care() -> None:
    """When every child in their first month in care leaves within it, a monthly date holds
    only the entrants who joined on it (about 20 a month: 4 per 10,000 of 50,000), none from
    the months before: the simulation gives entrants the first month's hazards. With the
    fitted hazards they accumulate instead."""
    history, population = generate(np.random.default_rng(13), initial=50)
    model = fit(history, history.end, window_months=48, population=population)
    first = np.arange(N_STATES).reshape(-1, len(DURATION_BANDS))[:, 0]
    counts = model.counts.copy()
    counts[first] = 0.0
    counts[first, EXIT] = 1e9  # every entrant leaves in their first month
    empty = Stock(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64))
    leaving = dataclasses.replace(model, counts=counts, stock=empty)
    monthly = leaving.entry_rate.sum() * population.children[0] / 10_000
    held = simulate(leaving, 6, paths=200, seed=1).stock[:, 1:].sum(axis=2).mean(axis=0)
    assert held == pytest.approx(np.full(6, monthly), rel=0.1)
    staying = dataclasses.replace(leaving, counts=model.counts)
    grown = simulate(staying, 6, paths=200, seed=1).stock[:, -1].sum(axis=1).mean()
    assert grown > 4 * monthly


def test_the_forecast_is_not_lifted_by_the_rates_uncertainty() -> None:
    """2,060 children in care and nobody entering, with rates fitted on a twentieth of the
    child-months (so each state's hazards are uncertain, the rates themselves the same).
    A year on, the paths that draw their hazards from the posterior keep more children at the
    median than the fitted rates do: the share still in care, (1 − h)^12, is convex in h, so
    spreading h lifts it (Jensen; here by about 20 children, about 15 times the Monte Carlo
    error of a median of 400 paths). The forecast is the median of the paths at the fitted
    rates: within 5 of another 400 such paths' median, while the posterior paths' median is
    at least 10 above it."""
    history, population = generate(np.random.default_rng(15), initial=100)
    model = fit(history, history.end, window_months=48, population=population)
    counts = model.counts * 0.05
    copies = 2000 // len(model.stock.age) + 1
    stock = Stock(
        *(np.tile(a, copies) for a in (model.stock.age, model.stock.category, model.stock.duration))
    )
    sparse = dataclasses.replace(
        model,
        counts=counts,
        pooled=pooled_rates(counts, model.prior),
        entrant_counts=np.zeros(len(AGE_BANDS)),
        stock=stock,
    )
    projection = simulate(sparse, 12, paths=400, seed=3)
    table = summary(projection)
    forecast = table[table["category"] == "all"].iloc[-1]["forecast"]
    at_fitted = simulate(sparse, 12, paths=400, seed=4, uncertain=False)
    fitted_median = np.median(at_fitted.stock[:, -1].sum(axis=1))
    posterior_median = np.median(projection.stock[:, -1].sum(axis=1))
    assert abs(forecast - fitted_median) <= 5
    assert posterior_median - fitted_median >= 10
