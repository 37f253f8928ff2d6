"""The dashboard's missing-return words and the control chart's SVG, from hand-made inputs."""

from __future__ import annotations

import datetime as dt
import re

from cscmonitor.web import charts
from cscmonitor.web.performance import missing_return_texts


def test_a_return_missing_between_two_held_is_named_for_the_la_only() -> None:
    returns = [
        {"la_code": "371", "kind": "cin", "year": 2013},
        {"la_code": "371", "kind": "cin", "year": 2014},
        {"la_code": "371", "kind": "cin", "year": 2016},  # 2015 missing between 2014 and 2016
        {"la_code": "371", "kind": "ssda903", "year": 2016},  # one 903 return: nothing between
        {"la_code": "372", "kind": "cin", "year": 2013},
        {"la_code": "372", "kind": "cin", "year": 2015},  # another LA's gap: not this LA's
    ]
    assert missing_return_texts(returns, "371") == (
        "The CIN census return for 2015 (LA 371) is not held, though earlier and later ones "
        "are: the earlier return's open rows are kept as they were, and figures reaching "
        'into its year have status "return missing".',
    )
    assert missing_return_texts(returns[:2], "371") == ()


def test_the_control_chart_marks_each_point_by_its_signal() -> None:
    months = [dt.date(2014, m, 28) for m in range(1, 7)]
    signals = ["", "", "improvement", "concern", "neither", ""]
    points = [
        charts.Marked(d, 10.0 + i, s) for i, (d, s) in enumerate(zip(months, signals, strict=True))
    ]
    phases = [
        charts.Phase("series start", None, tuple(months[:3]), (11.0,) * 3, (8.0,) * 3, (14.0,) * 3),
        charts.Phase(
            "contract start",
            dt.date(2014, 4, 1),
            tuple(months[3:]),
            (14.0,) * 3,
            (12.0,) * 3,
            (16.0,) * 3,
        ),
    ]
    svg = str(charts.control_chart(points, phases, 12.0, ident="c1", title="T", description="D"))
    # One marker per point in its signal's colour, and one more in the legend for each signal.
    assert len(re.findall(f'<circle[^>]+fill="{charts.GREY}"', svg)) == 3 + 1  # months 1, 2, 6
    assert len(re.findall(f'<polygon[^>]+fill="{charts.BLUE}"', svg)) == 1 + 1
    assert len(re.findall(f'<polygon[^>]+fill="{charts.ORANGE}"', svg)) == 1 + 1
    assert len(re.findall(f'<rect[^>]+fill="{charts.PURPLE}"', svg)) == 1 + 1
    # Each phase: a mean and two limits; a rule and label where the second phase starts.
    assert svg.count(f'stroke="{charts.BLACK}" stroke-width="1.5"') == 2
    assert ">contract start</text>" in svg and ">series start</text>" not in svg
    assert 'id="c1-title"' in svg and f'stroke="{charts.GREEN}"' in svg  # the target
    assert str(charts.control_chart([], [], None, ident="c2", title="T", description="D")) == ""
