"""Geometry of the KPI history chart (ckanext.regionaliot.kpi.chart imports no CKAN)."""
from __future__ import annotations

import datetime

from ckanext.regionaliot.kpi import chart

D = datetime.date


def test_points_on_the_time_and_percent_axes():
    result = chart.layout([
        chart.Series("basin", "流域", [(D(2026, 1, 1), 50.0), (D(2026, 1, 11), 100.0)]),
        chart.Series("national", "全国", [(D(2026, 1, 6), 90.4)]),
        chart.Series("empty", "なし", []),
    ])
    assert not result.empty
    assert [line.key for line in result.lines] == ["basin", "national"]
    # x: 44 … 624 over 10 days; y: 212 (0 %) … 12 (100 %)
    assert result.lines[0].points == "44.0,112.0 624.0,12.0"
    assert result.lines[1].points == "334.0,31.2"  # 212 − 200 × 0.904 = 31.2
    assert result.x_ticks == [(44.0, "2026-01-01"), (624.0, "2026-01-11")]
    assert result.y_ticks[0] == (212.0, 0) and result.y_ticks[-1] == (12.0, 100)


def test_one_day_is_drawn_in_the_middle_and_values_are_clamped():
    result = chart.layout([chart.Series("basin", "x", [(D(2026, 11, 30), 130.0)])])
    assert result.lines[0].points == "334.0,12.0"
    assert result.x_ticks == [(334.0, "2026-11-30")]


def test_no_points_is_an_empty_chart():
    assert chart.layout([chart.Series("basin", "x", [])]).empty
