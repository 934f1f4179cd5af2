"""Geometry of the history chart (no CKAN): percentages over time as SVG polylines.

The template draws the SVG from these numbers (server-side, no JavaScript library), so
labels are escaped by Jinja like any other text.
"""
from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 12, 28
Y_TICKS = (0, 25, 50, 75, 100)


@dataclass
class Series:
    key: str  # CSS class suffix and legend key
    label: str
    points: Sequence[tuple[datetime.date, float]]


@dataclass
class Line:
    key: str
    label: str
    points: str  # "x,y x,y …" for <polyline points=…>
    dots: list[tuple[float, float, str, float]] = field(default_factory=list)  # x, y, day, value


@dataclass
class Chart:
    width: int
    height: int
    lines: list[Line]
    y_ticks: list[tuple[float, int]]  # y, percent
    x_ticks: list[tuple[float, str]]  # x, day
    plot: tuple[int, int, int, int]  # left, top, right, bottom
    empty: bool


def layout(series: Sequence[Series], width: int = WIDTH, height: int = HEIGHT) -> Chart:
    """Place every series on one time axis (first to last day of all points) and a
    0–100 % axis. A single day is drawn in the middle."""
    right, bottom = width - RIGHT, height - BOTTOM
    days = sorted({day for s in series for day, _ in s.points})
    y_ticks = [(_y(v, bottom), v) for v in Y_TICKS]
    if not days:
        return Chart(width, height, [], y_ticks, [], (LEFT, TOP, right, bottom), True)
    first, last = days[0], days[-1]
    span = (last - first).days

    def x(day: datetime.date) -> float:
        if span == 0:
            return round((LEFT + right) / 2, 1)
        return round(LEFT + (right - LEFT) * (day - first).days / span, 1)

    lines = []
    for s in series:
        points = sorted((d, max(0.0, min(100.0, float(v)))) for d, v in s.points if v is not None)
        if not points:
            continue
        coords = [(x(d), _y(v, bottom), d.isoformat(), v) for d, v in points]
        lines.append(Line(s.key, s.label, " ".join(f"{cx},{cy}" for cx, cy, _, _ in coords),
                          coords))
    x_ticks = [(x(first), first.isoformat())]
    if span:
        x_ticks.append((x(last), last.isoformat()))
    return Chart(width, height, lines, y_ticks, x_ticks, (LEFT, TOP, right, bottom), not lines)


def _y(value: float, bottom: int) -> float:
    return round(bottom - (bottom - TOP) * value / 100, 1)
