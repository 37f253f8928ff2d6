"""The control chart picture: it draws the rows `control_charts` made, and says them in words."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from cscmonitor.indicators.registry import Polarity, Unit
from cscmonitor.reports.spc_chart import describe, draw, icons, spec
from cscmonitor.spc import ChangePoint, control_charts
from tests.conftest import make_indicator
from tests.test_spc import LA, START, _results

# Lower is better. Before August 2020 around 20, from August around 10 (see test_spc's rebasing
# test): the first 7 points of the new phase are a shift, an improvement; target 12.
VALUES = [19, 21, 19, 21, 19, 21, 19, 9, 11, 9, 11, 9, 11, 9, 11]


def _chart() -> pd.DataFrame:
    indicator = make_indicator("T_DAYS", unit=Unit.DAYS, polarity=Polarity.LOWER)
    targets = pd.DataFrame(
        {"indicator": ["T_DAYS"], "la_code": [LA], "from_date": [START], "target": [12.0]}
    )
    return control_charts(
        _results("T_DAYS", VALUES),
        [ChangePoint(LA, dt.date(2020, 8, 1), "restructure")],
        targets,
        indicators={"T_DAYS": indicator},
    )


def _layer_data(drawn: dict, mark: str) -> list[dict]:
    names = [layer["data"]["name"] for layer in drawn["layer"] if _mark(layer) == mark]
    return [row for name in names for row in drawn["datasets"][name]]


def _mark(layer: dict) -> str:
    mark = layer["mark"]
    return mark if isinstance(mark, str) else mark["type"]


def test_the_spec_holds_points_by_signal_limits_per_phase_target_and_phase_start():
    drawn = spec(_chart(), "Days to something", Unit.DAYS)
    points = _layer_data(drawn, "point")
    # 15 points: the 7 of the shift are improvements, the other 8 common cause.
    assert sorted({p["signal"] for p in points}) == ["Common cause", "Special cause: improvement"]
    assert sum(p["signal"] == "Special cause: improvement" for p in points) == 7
    lines = _layer_data(drawn, "line")
    levels = {(row["line"], row["piece"].split(" ")[0]) for row in lines if "line" in row}
    assert levels == {
        ("Mean", "mean"),
        ("Process limits", "upper"),
        ("Process limits", "lower"),
        ("Target", "target"),
    }
    # Mean pieces per phase: 139/7 before, (69 + 11)/8 = 10 after; none spans the change.
    means = {row["piece"]: row["level"] for row in lines if row.get("line") == "Mean"}
    assert means == {"mean series start": 139 / 7, "mean restructure (from 1 August 2020)": 10.0}
    assert [row["date"] for row in _layer_data(drawn, "rule")] == ["2020-08-01"]
    # The two icons' labels, for the latest point (common cause; limits 4.68 to 15.32 around the
    # target 12: hit and miss).
    assert drawn["title"]["subtitle"] == "Variation: common cause · Assurance: hit and miss"
    assert icons(_chart()) == ("common cause", "hit and miss")


def test_the_picture_is_drawn_offline_and_described():
    png = draw(_chart(), "Days to something", Unit.DAYS)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    text = describe(_chart(), "days to something", Unit.DAYS)
    assert text.startswith("XmR chart of days to something, 15 points from Jan 2020 to Mar 2021.")
    assert "Special cause (improvement): Aug 2020, Sep 2020" in text
    assert text.endswith("Latest point: common cause; hit and miss.")
