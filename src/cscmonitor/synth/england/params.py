"""England-wide parameters: national means, the spread between LAs, and the code mixes.

Means and spreads are set from DfE's published LA tables bundled in `data/ees` (2013-2025):
referrals about 520 per 10,000 children (LA log-SD 0.34), re-referrals 22% (SD 4.7 points),
NFA 6-8% (very uneven), child protection plans starting about 55 per 10,000 with 24% repeat
plans (SD 5 points), about 50,000 plans and 400,000 children in need at 31 March, 27 care
entries and 69 children looked after per 10,000 (LA log-SD 0.4), 10-11% with three or more
placements in the year (SD 2.7 points), agency workers 16% (SD 12 points) and turnover 15%
(SD 6 points). These are propensities of the simulation; the indicators come out of the
records it writes and land close to, not on, the published figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Scale = Literal["log", "logit"]


@dataclass(frozen=True)
class Spread:
    """An LA-level propensity: national `mean` (median on the log or logit scale) and spread.

    `factor` names a shared latent factor (LAs high on one of its propensities tend to be
    high on the others) with `loading` its weight; `drift` is the SD of the LA's yearly
    random walk on the same scale, so LAs improve and decline at different paces.
    """

    mean: float
    sd: float
    scale: Scale
    factor: str | None = None
    loading: float = 0.0
    drift: float = 0.0


# Latent factors: "demand" moves referral, plan and care rates together; "practice" moves
# repeat work and placement instability together; "workforce" moves agency use and turnover.
PROPENSITIES: dict[str, Spread] = {
    # Referrals a year per 10,000 children aged 0-17.
    "referral_rate": Spread(520.0, 0.32, "log", "demand", 0.6, 0.04),
    # Of referrals: a re-referral within 12 months; a child last referred over 12 months ago.
    "rereferral": Spread(0.215, 0.28, "logit", "practice", 0.5, 0.06),
    "returning": Spread(0.17, 0.2, "logit"),
    # Bands of the outcome draw (the rest of the referrals are assessed as not in need).
    "nfa": Spread(0.045, 0.9, "logit", drift=0.1),
    "s47_no_plan": Spread(0.16, 0.3, "logit", "demand", 0.3),
    "care_direct": Spread(0.033, 0.35, "log", "demand", 0.6, 0.04),
    "cin_plan": Spread(0.33, 0.25, "logit"),
    # Child protection plans: the propensity of a child without an earlier plan here, and how
    # many times likelier one with an earlier plan is; first plans of children who had plans
    # in another LA (NumberOfPreviousCPP > 0).
    "plan_first": Spread(0.09, 0.3, "log", "demand", 0.5, 0.04),
    "repeat_ratio": Spread(3.3, 0.25, "log", "practice", 0.4, 0.05),
    "previous_plans_elsewhere": Spread(0.1, 0.4, "logit", "practice", 0.3),
    # Plans ending because the child comes into care.
    "from_plan": Spread(0.14, 0.3, "logit"),
    # Timeliness: median working days to authorise an assessment; conferences within 15
    # working days; plan reviews held late.
    "assessment_days": Spread(24.0, 0.25, "log", "practice", 0.3, 0.05),
    "icpc_in_time": Spread(0.8, 0.6, "logit", drift=0.15),
    "review_late": Spread(0.04, 0.5, "log", "practice", 0.3),
    "plan_days": Spread(270.0, 0.15, "log"),
    # Of children in care at a year end (31 March), moves giving 3+ placements in the year.
    "three_plus_placements": Spread(0.105, 0.28, "logit", "practice", 0.4, 0.06),
    # Social work FTE (employed and agency) per 10,000 children; posts on agency cover at a
    # year end; employed workers leaving in a year.
    "fte_per_10k": Spread(29.0, 0.25, "log", "demand", 0.3),
    "agency_share": Spread(0.12, 0.75, "logit", "workforce", 0.6, 0.12),
    "employed_leaving": Spread(0.1, 0.35, "logit", "workforce", 0.6, 0.08),
}

# How much an LA's latent values lean towards the mean of its ten statistical neighbours
# (0: independent LAs; 1: each LA is its neighbours' average).
NEIGHBOUR_PULL = 0.5

# Years of referrals simulated before the first census year, so that re-referrals have their
# 12 months of history and cases open at the start are there; years of care entries before
# that, so that children in long-term care have their histories; workforce years before the
# first file.
REFERRAL_BURN_IN = 4
CARE_BURN_IN = 18
WORKFORCE_BURN_IN = 3

# Follow-up referrals fall short of the re-referral and returning shares (cases still open,
# children nearly 18, the end of the span): first referrals are raised by this factor so an
# LA's referrals per 10,000 land on its propensity.
FIRST_REFERRAL_BOOST = 1.08

# Care entries during the care burn-in, per the LA's direct and from-plan propensities: raised
# to the rate the referral simulation gives (it adds children coming back into care).
CARE_HISTORY_RATE = 1.15

# Re-referrals: the gap after the earlier referral is skewed towards its closure (u**power).
REREFERRAL_GAP_POWER = 1.4
# Children returning after more than 12 months come back within this many months of that.
RETURNING_WINDOW_MONTHS = 18

AGE_AT_FIRST_REFERRAL = [12, 5, 5, 5, 5, 5, 5, 5, 5, 5, 6, 6, 6, 6, 7, 7, 6, 4]
AGE_AT_CARE_ENTRY = [20, 7, 6, 6, 5, 5, 5, 5, 5, 5, 6, 6, 7, 7, 8, 8, 6, 3]
SOURCES = {
    "1A": 4, "1B": 2, "1C": 3, "2A": 16, "2B": 2, "3A": 4, "3B": 3, "3C": 2, "3D": 4,
    "3E": 2, "4": 2, "5A": 6, "5B": 2, "5C": 2, "6": 28, "7": 2, "8": 10, "9": 1, "10": 5,
}  # fmt: skip
NEED = {"N1": 40, "N2": 6, "N3": 6, "N4": 15, "N5": 18, "N6": 5, "N7": 1, "N8": 9}
CATEGORIES = {"NEG": 48, "EMO": 38, "PHY": 7, "SAB": 4, "MUL": 3}
ETHNICITY = {
    "WBRI": 62, "WIRI": 0.3, "WIRT": 0.3, "WOTH": 5, "WROM": 0.7, "MWBC": 3, "MWBA": 1,
    "MWAS": 1.2, "MOTH": 3, "AIND": 1.5, "APKN": 3, "ABAN": 1.2, "AOTH": 1.6, "BCRB": 1.2,
    "BAFR": 4, "BOTH": 1, "CHNE": 0.3, "OOTH": 2.5, "REFU": 1, "NOBT": 4,
}  # fmt: skip
DISABLED = 0.1
DISABILITIES = ["AUT", "BEH", "COMM", "CON", "HAND", "HEAR", "LD", "MOB", "PC", "VIS"]
CLOSURE_REASONS = ["RC1", "RC2", "RC3", "RC4", "RC5", "RC6", "RC7", "RC8"]
# Durations, log-normal: (median days, sigma) of CIN plans and of the step-down after a
# section 47 or a child protection plan; the sigmas of plans and of assessments (whose
# medians are the LA propensities above).
CIN_PLAN_DAYS = (220.0, 0.6)
STEP_DOWN_DAYS = (110.0, 0.6)
PLAN_SIGMA = 0.6
ASSESSMENT_SIGMA = 0.45
ICPC_WITHOUT_PLAN = 0.3

# Periods of care and placements, in the keys `synth.care` reads (see docs/synth.md).
CARE: dict[str, Any] = {
    "adoption_path": 0.4,
    "adoption_max_age": 4,
    "stays": {
        "short": {"share": 0.18, "median": 25, "sigma": 0.9},
        "medium": {"share": 0.3, "median": 300, "sigma": 0.5},
        "long": {"share": 0.52, "median": 2000, "sigma": 0.6},
    },
    "leaving": {
        "short": {"E4A": 60, "E4B": 8, "E13": 12, "E41": 5, "E8": 10, "E3": 5},
        "medium": {"E4A": 45, "E4B": 5, "E13": 8, "E41": 15, "E45": 8, "E47": 10, "E3": 4,
                   "E9": 2, "E8": 3},
        "long": {"E4A": 30, "E13": 8, "E41": 15, "E45": 12, "E46": 6, "E47": 14, "E48": 5,
                 "E8": 6, "E9": 2, "E16": 2},
        "at_18": {"E17": 15, "E5": 35, "E6": 10, "E8": 25, "E4A": 10, "E7": 5},
    },
    "legal_status": {"V2": 40, "C1": 45, "L1": 9, "L2": 6},
    "three_plus_placements": 0.105,  # replaced per LA and year by the propensity above
    "extra_move": 0.3,
    "one_move": 0.22,
    "moves_of_leavers": {"0": 0.7, "1": 0.22, "2": 0.08},
    "temporary_moves_per_year": 0.2,
    "temporary_places": {"T0": 20, "T1": 25, "T2": 30, "T3": 15, "T4": 10},
    "own_foster_carers": 0.6,
    "placed_in_area": 0.7,
    "placements_under_10": {"U1": 5, "U2": 5, "U3": 8, "U4": 28, "U5": 30, "U6": 16, "K2": 2,
                            "P1": 6},
    "placements_age_10_to_15": {"U1": 4, "U2": 4, "U3": 6, "U4": 22, "U5": 22, "U6": 14,
                                "K2": 16, "P1": 5, "S1": 2, "R1": 1},
    "placements_age_16_17": {"U3": 4, "U4": 16, "U5": 16, "U6": 10, "K2": 14, "H5": 30, "P2": 6,
                             "P1": 4},
    "reason_place_change": {"CARPL": 25, "CLOSE": 5, "ALLEG": 4, "STAND": 8, "APPRR": 10,
                            "CREQB": 8, "CREQO": 6, "CHILD": 10, "LAREQ": 12, "PLACE": 6,
                            "OTHER": 6},
}  # fmt: skip

# The establishment: shares of posts by CSWW role (1 senior manager ... 6 qualified without
# cases; as Doncaster's) and of posts held by managers without a registration.
ROLE_SHARES = {1: 3, 2: 12, 3: 28, 4: 30, 5: 172, 6: 13}
UNREGISTERED_SHARE = 0.02
PART_TIME = 0.12
AGENCY_PERSISTENCE = 0.6
AGENCY_CHURN = 0.5
VACANCY_DAYS = (14, 150)
CASELOAD = {3: 2.0, 4: 12.0, 5: 16.0}
