"""Reading DfE Explore Education Statistics (EES) CSV files into one tidy long table.

Columns are found by name (any order, any case, with or without a UTF-8 byte-order mark). A
file is in the standard layout when it has `time_period`, `time_identifier` and
`geographic_level`; every other column is a geography column (the EES names), a filter (text
that breaks the figures down, e.g. `care_leaver_age`) or a measure (numbers, blanks and
suppression codes only). An EES `.meta.csv` beside the file, when there is one, says which
columns are filters and which are measures instead of that rule.

Suppression codes (`c x z k u low`) are kept as a flag and never become numbers: a suppressed
cell has no value and says why. A duration DfE writes as years and months (`01:04`, as the
adoption timings are published) is a number of months (16).

Each row also gets the period the figure covers, from the
dataset's time convention (see `CONVENTIONS`), so figures published on different calendars
(the year to 31 March, 30 September snapshots, mid-year estimates) can be put side by side.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

SUPPRESSION_CODES = frozenset({"c", "x", "z", "k", "u", "low"})

TIME_COLUMNS = ("time_period", "time_identifier")
GEOGRAPHY_COLUMNS = (
    "geographic_level",
    "country_code",
    "country_name",
    "region_code",
    "region_name",
    "old_la_code",
    "new_la_code",
    "la_name",
)
# Other EES geography columns: they identify places, so they are neither filters nor measures.
OTHER_GEOGRAPHY = frozenset(
    {
        "lad_code",
        "lad_name",
        "pcon_code",
        "pcon_name",
        "lsip_code",
        "lsip_name",
        "ward_code",
        "ward_name",
        "opportunity_area_code",
        "opportunity_area_name",
        "english_devolved_area_code",
        "english_devolved_area_name",
        "local_enterprise_partnership_code",
        "local_enterprise_partnership_name",
        "mayoral_combined_authority_code",
        "mayoral_combined_authority_name",
        "rsc_region_lead_name",
        "planning_area_code",
        "planning_area_name",
        "school_laestab",
        "school_urn",
        "school_name",
        "trust_id",
        "trust_name",
        "sponsor_id",
        "sponsor_name",
        "provider_ukprn",
        "provider_name",
        "institution_id",
        "institution_name",
    }
)
REQUIRED = ("time_period", "time_identifier", "geographic_level")

TIDY_COLUMNS = [
    "dataset",
    "source_file",
    "time_period",
    "time_identifier",
    "period_start",
    "period_end",
    "period_basis",
    *GEOGRAPHY_COLUMNS,
    "filters",
    "measure",
    "value",
    "flag",
]


class EESFormatError(ValueError):
    """A file that is not an EES table in the standard layout."""


@dataclass(frozen=True)
class Convention:
    """How a dataset's `time_period` maps to the dates its figures cover.

    The period ends on `end_month`/`end_day` of the year `time_period` names (for a six-digit
    period such as 201516, of its second year) and runs back `months` months; `months=0` is a
    figure at a point in time (a mid-year estimate).
    """

    end_month: int
    end_day: int
    months: int
    basis: str


YEAR_TO_31_MARCH = Convention(3, 31, 12, "year ending 31 March")
YEAR_TO_30_SEPTEMBER = Convention(9, 30, 12, "year ending 30 September (workforce at 30 Sep)")
MID_YEAR = Convention(6, 30, 0, "mid-year estimate at 30 June")
ASSUMED_31_MARCH = Convention(3, 31, 12, "assumed: year ending 31 March")

# A dataset we know: its name, the columns that identify it, a filter value only it holds, and
# its time convention (checked against DfE's release notes: CIN, CLA and care leaver figures
# are for the year to 31 March; the workforce census is at 30 September; ONS at 30 June).


@dataclass(frozen=True)
class Signature:
    dataset: str
    columns: frozenset[str]
    convention: Convention
    holds: tuple[str, str] | None = None  # (column, value) that must appear


KNOWN_DATASETS = (
    Signature("c1", frozenset({"referral_count", "rereferral_percent"}), YEAR_TO_31_MARCH),
    Signature("b1", frozenset({"at31_episodes", "anypoint_episodes"}), YEAR_TO_31_MARCH),
    Signature("d3", frozenset({"cpp_subsequent_percent"}), YEAR_TO_31_MARCH),
    Signature("d5", frozenset({"cpp_at31", "2_years_or_more_percent"}), YEAR_TO_31_MARCH),
    Signature("cla_rate", frozenset({"population_type", "rate_per_10000"}), YEAR_TO_31_MARCH),
    Signature(
        "placement_stability",
        frozenset({"placement_stability", "children_percent"}),
        YEAR_TO_31_MARCH,
    ),
    Signature(
        "care_leavers_activity",
        frozenset({"care_leaver_age", "breakdown", "care_leaver_percent"}),
        YEAR_TO_31_MARCH,
        ("breakdown", "Total in education, employment or training"),
    ),
    Signature(
        "care_leavers_accommodation",
        frozenset({"care_leaver_age", "breakdown", "care_leaver_percent"}),
        YEAR_TO_31_MARCH,
        ("breakdown", "Accommodation considered suitable"),
    ),
    Signature("csww", frozenset({"agency_rate_fte", "turnover_rate_fte"}), YEAR_TO_30_SEPTEMBER),
    Signature("population", frozenset({"age_group", "population_estimate"}), MID_YEAR),
    Signature("c3", frozenset({"episodes_with_assessment_factor", "neglect"}), YEAR_TO_31_MARCH),
    Signature(
        "cla_school_moves",
        frozenset({"move_measure", "school_stability", "percentage"}),
        YEAR_TO_31_MARCH,
    ),
    Signature("cla_swcount", frozenset({"sw_stability", "percentage"}), YEAR_TO_31_MARCH),
    Signature(
        "cla_health",
        frozenset({"characteristic", "breakdown", "children_count"}),
        YEAR_TO_31_MARCH,
        ("breakdown", "SDQ average score"),
    ),
    Signature(
        "adoption_stages",
        frozenset({"stage_of_adoption_process", "age_start_poc", "number"}),
        YEAR_TO_31_MARCH,
    ),
)

# EES time identifiers whose dates are fixed by the identifier itself.
_BY_IDENTIFIER: Mapping[str, Convention] = {
    "financial year": Convention(3, 31, 12, "financial year"),
    "academic year": Convention(8, 31, 12, "academic year"),
    "calendar year": Convention(12, 31, 12, "calendar year"),
    "reporting year": ASSUMED_31_MARCH,
}


# A duration in years and months, as DfE publishes adoption timings: `01:04` is 16 months.
DURATION = r"(\d+):([0-5]\d)"


def months(text: pd.Series) -> pd.Series:
    """`yy:mm` cells as months (float); other cells NaN."""
    parts = text.str.extract(rf"^{DURATION}$")
    return pd.to_numeric(parts[0]) * 12 + pd.to_numeric(parts[1])


def _normal(name: str) -> str:
    return name.replace("\ufeff", "").strip()


def _read_text_table(path: Path) -> pd.DataFrame:
    try:
        frame = pd.read_csv(
            path, dtype=str, keep_default_na=False, encoding="utf-8-sig", skipinitialspace=False
        )
    except UnicodeDecodeError as exc:
        raise EESFormatError(
            f"{path.name}: not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from None
    except pd.errors.ParserError as exc:
        raise EESFormatError(f"{path.name}: not a CSV table: {exc}") from None
    except pd.errors.EmptyDataError:
        raise EESFormatError(f"{path.name}: empty file") from None
    return frame.rename(columns=_normal)


def dataset_of(path: Path, frame: pd.DataFrame) -> tuple[str, Convention | None]:
    """The dataset a file holds (a known one, else its name without years) and its convention."""
    lower = {c.lower(): c for c in frame.columns}
    for sig in KNOWN_DATASETS:
        if not sig.columns <= lower.keys():
            continue
        if sig.holds is not None:
            column, value = sig.holds
            if not frame[lower[column]].eq(value).any():
                continue
        return sig.dataset, sig.convention
    stem = path.name.lower().removesuffix(".csv")
    # A newer release of the same table differs only in its year range: drop it from the name.
    stem = re.sub(r"(_\d{4}(\d{2})?)(_to_\d{4}(\d{2})?)?$", "", stem)
    return stem, None


def _meta_for(path: Path) -> Path | None:
    for candidate in (
        path.with_name(f"{path.stem}.meta.csv"),
        path.parent.parent / "meta" / f"{path.stem}.meta.csv",
    ):
        if candidate.exists():
            return candidate
    return None


def _classify(frame: pd.DataFrame, meta: Path | None) -> tuple[list[str], list[str]]:
    """(filters, measures) among the columns that are neither time nor geography."""
    rest = [
        c
        for c in frame.columns
        if c.lower() not in {*TIME_COLUMNS, *GEOGRAPHY_COLUMNS, *OTHER_GEOGRAPHY} and c != ""
    ]
    if meta is not None:
        described = _read_text_table(meta)
        kinds = dict(
            zip(
                described.get("col_name", pd.Series(dtype=str)),
                described.get("col_type", pd.Series(dtype=str)).str.lower(),
                strict=True,
            )
        )
        filters = [c for c in rest if kinds.get(c) == "filter"]
        measures = [c for c in rest if kinds.get(c) == "indicator"]
        return sorted(filters), measures
    filters, measures = [], []
    # One pass per column (a handful), each vectorised over the rows.
    for column in rest:
        text = frame[column].str.strip()
        numeric = pd.to_numeric(text, errors="coerce").notna() | text.str.fullmatch(DURATION)
        coded = text.str.lower().isin(SUPPRESSION_CODES)
        blank = text.eq("")
        if (numeric | coded | blank).all() and (numeric | coded).any():
            measures.append(column)
        else:
            filters.append(column)
    return sorted(filters), measures


def _filters_key(frame: pd.DataFrame, filters: list[str]) -> pd.Series:
    """The row's filter values as canonical JSON (sorted keys): one string to match on."""
    if not filters:
        return pd.Series("{}", index=frame.index, dtype=object)
    lines = frame[sorted(filters)].to_json(orient="records", lines=True, force_ascii=False)
    return pd.Series(lines.splitlines(), index=frame.index, dtype=object)


def filters_key(filters: Mapping[str, str]) -> str:
    """The canonical JSON for a set of filter values, as stored in the tidy table."""
    frame = pd.DataFrame([dict(filters)])
    return str(_filters_key(frame, list(filters)).iloc[0])


def _dates(years: pd.Series, convention: Convention) -> tuple[pd.Series, pd.Series]:
    end = pd.to_datetime(
        {"year": years, "month": convention.end_month, "day": convention.end_day},
        errors="coerce",
    )
    if convention.months == 0:
        return end, end
    start = (end + pd.Timedelta(days=1)) - pd.DateOffset(months=convention.months)
    return start, end


def _periods(
    frame: pd.DataFrame, convention: Convention | None
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """period_start, period_end and the basis for each row, from the time columns."""
    period = frame["time_period"].str.strip()
    identifier = frame["time_identifier"].str.strip().str.lower()
    first = pd.to_numeric(period.str[:4].where(period.str.fullmatch(r"\d{4}(\d{2})?")))
    # 201516 names a year that ends in 2016.
    end_year = first + period.str.len().eq(6).astype(int)
    start = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    end = start.copy()
    basis = pd.Series(None, index=frame.index, dtype=object)
    rules = (
        {key: convention for key in identifier.unique()}
        if convention is not None
        else _BY_IDENTIFIER
    )
    for key, rule in rules.items():
        rows = identifier.eq(key) & end_year.notna()
        if rows.any():
            s, e = _dates(end_year[rows].astype(int), rule)
            start[rows], end[rows], basis[rows] = s.to_numpy(), e.to_numpy(), rule.basis
    return start, end, basis


def read_ees(path: Path, *, source_name: str | None = None) -> pd.DataFrame:
    """One EES file as tidy rows: one per place, time period, filter values and measure."""
    frame = _read_text_table(path)
    lower = {c.lower(): c for c in frame.columns}
    missing = [c for c in REQUIRED if c not in lower]
    if missing:
        raise EESFormatError(
            f"{path.name}: not an Explore Education Statistics table in the standard layout: "
            f"no {', '.join(missing)} column (found: {', '.join(list(frame.columns)[:8])}…)"
        )
    known = {*TIME_COLUMNS, *GEOGRAPHY_COLUMNS}
    frame = frame.rename(columns={v: k for k, v in lower.items() if k in known})
    dataset, convention = dataset_of(path, frame)
    filters, measures = _classify(frame, _meta_for(path))
    if not measures:
        raise EESFormatError(f"{path.name}: no measure columns (numbers) found")
    for column in GEOGRAPHY_COLUMNS:
        if column not in frame.columns:
            frame[column] = ""
    start, end, basis = _periods(frame, convention)
    keys = frame[[*TIME_COLUMNS, *GEOGRAPHY_COLUMNS]].apply(lambda c: c.str.strip())
    keys = keys.assign(
        period_start=start,
        period_end=end,
        period_basis=basis,
        filters=_filters_key(frame, filters),
        _row=np.arange(len(frame)),
    )
    values = frame[measures].assign(_row=np.arange(len(frame)))
    long = values.melt(id_vars="_row", var_name="measure", value_name="text")
    text = long["text"].str.strip()
    code = text.str.lower()
    long["value"] = pd.to_numeric(text, errors="coerce").fillna(months(text))
    long["flag"] = code.where(code.isin(SUPPRESSION_CODES))
    tidy = long.drop(columns="text").merge(keys, on="_row").drop(columns="_row")
    for column in GEOGRAPHY_COLUMNS:
        tidy[column] = tidy[column].replace("", None)
    tidy["dataset"] = dataset
    tidy["source_file"] = source_name or path.name
    return tidy[TIDY_COLUMNS].astype({"value": float, "flag": object})
