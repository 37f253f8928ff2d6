"""The risk share, against figures worked out by hand."""

from __future__ import annotations

import pytest

from cscmonitor.records import riskshare
from cscmonitor.records.errors import RecordsError
from cscmonitor.records.riskshare import Band, Rule, share

K = 100_000  # £1,000 in pence

# The brief's example: the first £500k of an overspend shared 50/50, beyond that the council
# pays all; of an underspend the trust keeps 25% of the first £500k and none beyond.
RULE = Rule(
    overspend=(Band(500 * K, 5000), Band(None, 10_000)),
    underspend=(Band(500 * K, 7500), Band(None, 10_000)),
)


def test_an_overspend_inside_the_first_band_is_halved():
    # £348k over: council 50% = £174k, trust 50% = £174k, so the trust ends £174k down.
    position = share(RULE, 42_311 * K, 42_659 * K)
    assert position.variance_pence == 348 * K
    assert position.direction == riskshare.OVERSPEND
    assert (position.council_pence, position.trust_pence) == (174 * K, 174 * K)
    assert position.trust_before_pence == -348 * K
    assert position.trust_after_pence == -174 * K


def test_an_overspend_across_bands_is_split_band_by_band():
    # £700k over: the first £500k 50/50 (council £250k, trust £250k); the next £200k all the
    # council's. Council £450k, trust £250k.
    position = share(RULE, 10_000 * K, 10_700 * K)
    assert (position.council_pence, position.trust_pence) == (450 * K, 250 * K)
    assert position.trust_after_pence == -250 * K


def test_an_underspend_is_shared_so_the_trust_keeps_its_part():
    # £196k under: the trust keeps 25% = £49k (the seed's surplus), the council takes £147k.
    position = share(RULE, 13_400 * K, 13_204 * K)
    assert position.direction == riskshare.UNDERSPEND
    assert (position.council_pence, position.trust_pence) == (147 * K, 49 * K)
    assert position.trust_before_pence == 196 * K
    assert position.trust_after_pence == 49 * K


def test_a_cap_limits_what_the_trust_bears():
    # £700k over as above gives the trust £250k; capped at £200k, the council takes £50k more.
    capped = Rule(RULE.overspend, RULE.underspend, trust_overspend_cap_pence=200 * K)
    position = share(capped, 10_000 * K, 10_700 * K)
    assert (position.council_pence, position.trust_pence) == (500 * K, 200 * K)


def test_on_budget_nobody_shares_anything():
    position = share(RULE, 10_000 * K, 10_000 * K)
    assert position.direction is None
    assert (position.council_pence, position.trust_pence, position.trust_after_pence) == (0, 0, 0)


def test_half_pennies_round_up_and_the_shares_add_up():
    # 3p over at 50%: the council's 1.5p rounds to 2p, the trust bears the other 1p.
    position = share(RULE, 100, 103)
    assert (position.council_pence, position.trust_pence) == (2, 1)


@pytest.mark.parametrize(
    ("bands", "message"),
    [
        ((), "at least one overspend band"),
        ((Band(500 * K, 5000),), "last band must have no upper limit"),
        ((Band(None, 5000), Band(None, 10_000)), "only the last band may have no upper limit"),
        ((Band(500 * K, 5000), Band(400 * K, 5000), Band(None, 0)), "bands must rise"),
        ((Band(None, 12_000),), "share must be 0–100%"),
    ],
)
def test_bands_that_do_not_cover_every_amount_once_are_refused(bands, message):
    with pytest.raises(RecordsError, match=message):
        riskshare.check_bands(bands, riskshare.OVERSPEND)
