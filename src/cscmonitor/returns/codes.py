"""Code lists of every coded field, with the collection years each code is valid in.

Sources: the DfE guides and XML schemas for the CIN census (2017 to 2026) and the SSDA903
(2017 to 2026), read through the public schema files and rule lists of the DfE validators
and the LIIA tools; and, for the formats without a national standard, the documented CSV
schemas in docs/. A code is valid in a year when `first <= year <= last` (blank: open).

Years are checked only inside the span the guides cover (`CHECKED_YEARS`): outside it a
code is valid when it is in the list at all, because there is no schema to hold it to.
A code that is in the list but not valid in the return's year is listed as a warning and
kept (it means something; it was the rule in another year); a code in no year's list is an
error and the cell is loaded blank.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

CHECKED_YEARS = range(2017, 2027)

Years = tuple[int | None, int | None]
ALWAYS: Years = (None, None)


@dataclass(frozen=True)
class CodeList:
    name: str
    codes: Mapping[str, Years]

    def known(self) -> list[str]:
        return sorted(self.codes)

    def valid_in(self, year: int) -> list[str]:
        """The codes valid in a collection year (all known codes outside the checked years)."""
        if year not in CHECKED_YEARS:
            return self.known()
        return sorted(
            code
            for code, (first, last) in self.codes.items()
            if (first is None or first <= year) and (last is None or year <= last)
        )

    def years(self, code: str) -> str:
        first, last = self.codes[code]
        if first is None and last is None:
            return "all years"
        if last is None:
            return f"{first} onwards"
        if first is None:
            return f"up to {last}"
        return f"{first}-{last}"


def _codes(words: str, years: Years = ALWAYS) -> dict[str, Years]:
    return dict.fromkeys(words.split(), years)


ETHNICITY = (
    "WBRI WIRI WIRT WOTH WROM MWBC MWBA MWAS MOTH AIND APKN ABAN AOTH BCRB BAFR BOTH CHNE "
    "OOTH REFU NOBT"
)

LISTS: dict[str, CodeList] = {
    c.name: c
    for c in (
        # CIN census.
        CodeList(
            "cin_sex",
            # GenderCurrent until 2024; the 2024-25 census (year 2025) replaced it with Sex.
            _codes("0 1 2 9", (None, 2024)) | _codes("M F U", (2025, None)),
        ),
        CodeList("ethnicity", _codes(ETHNICITY)),
        CodeList("disability", _codes("NONE MOB HAND PC INC COMM LD HEAR VIS BEH CON AUT DDA")),
        CodeList(
            "referral_source",
            _codes("1A 1B 1C 1D 2A 2B 3A 3B 3C 3D 3E 3F 4 5A 5B 5C 6 7 8 9 10")
            | _codes("5D", (2022, None)),
        ),
        CodeList("primary_need", _codes("N0 N1 N2 N3 N4 N5 N6 N7 N8 N9")),
        CodeList(
            "closure_reason",
            _codes("RC1 RC2 RC3 RC4 RC5 RC6 RC7 RC8") | _codes("RC9", (2023, None)),
        ),
        CodeList("abuse_category", _codes("NEG PHY SAB EMO MUL")),
        CodeList(
            "assessment_factor",
            _codes(
                "1A 1B 1C 2A 2B 2C 3A 3B 3C 4A 4B 4C 5A 5B 5C 6A 6B 6C 7A 8B 8C 8D 8E 8F 9A "
                "10A 11A 12A 13A 14A 15A 16A 17A 20 21 22A 23A"
            )
            | _codes("8A 18A 19A", (None, 2018))
            | _codes("18B 18C 19B 19C", (2018, None))
            | _codes("24A", (2022, None)),
        ),
        # SSDA903.
        CodeList("cla_sex", _codes("1 2")),
        CodeList("rne", _codes("S L P T B U")),
        CodeList("legal_status", _codes("C1 C2 D1 E1 V2 V3 V4 L1 L2 L3 J1 J2 J3")),
        CodeList("cla_need", _codes("N1 N2 N3 N4 N5 N6 N7 N8")),
        CodeList(
            "placement",
            _codes(
                "A3 A4 A5 A6 H5 K1 K2 P1 P2 P3 R1 R2 R3 R5 S1 T0 T1 T2 T3 T4 U1 U2 U3 U4 U5 U6 Z1"
            ),
        ),
        CodeList("placement_provider", _codes("PR0 PR1 PR2 PR3 PR4 PR5")),
        CodeList(
            "reason_episode_ceased",
            _codes("X1 E11 E12 E13 E14 E15 E16 E17 E2 E3 E4A E4B E41 E5 E6 E7 E8 E9")
            | _codes("E43 E44", (None, 2016))
            | _codes("E45 E46 E47 E48", (2016, None)),
        ),
        CodeList(
            "reason_place_change",
            _codes("CARPL CLOSE ALLEG STAND APPRR CREQB CREQO CHILD LAREQ PLACE OTHER"),
        ),
        CodeList("review_code", _codes("PN0 PN1 PN2 PN3 PN4 PN5 PN6 PN7")),
        CodeList("missing", _codes("M A")),
        CodeList("in_touch", _codes("YES NO DIED REFU NREQ RHOM")),
        CodeList(
            "activity",
            _codes("F1 P1 F2 P2 G4 G5 G6 0")
            | _codes("F3 P3", (None, 2021))
            | _codes("F4 P4 F5 P5", (2022, None)),
        ),
        CodeList(
            "accommodation",
            _codes(
                " ".join(f"{letter}{n}" for letter in "BCDEGHKRSTUVWXYZ" for n in (1, 2)) + " 0"
            ),
        ),
        CodeList("adopter_sex", _codes("M1 F1 MM FF MF")),
        CodeList("adopter_status", _codes("L0 L11 L12 L2 L3 L4")),
        CodeList("placed_ceased_reason", _codes("RD1 RD2 RD3 RD4")),
        CodeList("prev_perm", _codes("P1 P2 P3 P4 Z1")),
        CodeList("sdq_reason", _codes("SDQ1 SDQ2 SDQ3 SDQ4 SDQ5")),
        CodeList(
            "sw_reason",
            _codes("MANAGE FCONTA LEFTRL ORGRST TSPROC ABSENC CHCHAN PCCHAN SWDIED OTHERS"),
        ),
        # Documented CSV schemas (docs/workforce.md, docs/early_help.md, docs/virtual_school.md).
        CodeList("reason_left", _codes("RES RET DIS EOC OTH")),
        CodeList(
            "lead_agency",
            _codes("LA_EARLY_HELP SCHOOL EARLY_YEARS HEALTH POLICE HOUSING VOLUNTARY OTHER"),
        ),
        CodeList("eh_closure_reason", _codes("NEEDS_MET STEP_UP STEP_DOWN MOVED DISENGAGED OTHER")),
        CodeList("school_phase", _codes("NURSERY PRIMARY SECONDARY ALL_THROUGH SPECIAL AP POST16")),
        CodeList("pep_rating", _codes("OUTSTANDING GOOD RI INADEQUATE")),
        CodeList("exclusion_kind", _codes("SUSPENSION PERMANENT")),
    )
}
