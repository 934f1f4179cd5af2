"""Server-side SVG of the stories' charts and maps (no CKAN, no JavaScript, no CDN).

Every text that reaches the SVG (labels, titles, column names) goes through
``html.escape``, so a cell such as ``<script>`` is drawn as text. Each SVG is
``role="img"`` with a <title> and <desc>; the page puts the same numbers in a table
next to it (the text alternative).
"""
from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path

from .aggregate import Result

CHART_TYPES = ("bar", "line", "pyramid")
WIDTH = 640
BAR_HEIGHT, BAR_GAP = 22, 6
LABEL_WIDTH = 150
MAX_BARS = 60  # beyond: the chart shows the first ones, the table all of them

# Which number of a result the chart draws (share: the percent, rate: per 10,000).
PRIMARY = {"share": 1, "rate": 2}


def display(value: float) -> str:
    """A figure for people: thousands separated, at most one decimal."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def _attr(text: str) -> str:
    return escape(text, quote=True)


def _open(width: int, height: int, title: str, desc: str, ident: str) -> str:
    ident = _attr(ident)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="regionaliot-story-svg" '
            f'viewBox="0 0 {width} {height}" width="100%" role="img" '
            f'aria-labelledby="{ident}-t {ident}-d">'
            f'<title id="{ident}-t">{escape(title)}</title>'
            f'<desc id="{ident}-d">{escape(desc)}</desc>')


def primary_index(result: Result) -> int:
    return PRIMARY.get(result.aggregation, 0)


def bar_chart(result: Result, title: str, desc: str, ident: str, unit: str = "") -> str:
    """Horizontal bars (long Japanese labels fit on the left), largest value scaled to the
    plot's width; negative values are drawn as 0-length bars with their figure."""
    index = primary_index(result)
    rows = result.rows[:MAX_BARS]
    height = max(1, len(rows)) * (BAR_HEIGHT + BAR_GAP) + 10
    top = max([values[index] for _, values in rows] + [0.0])
    plot = WIDTH - LABEL_WIDTH - 90
    parts = [_open(WIDTH, height, title, desc, ident)]
    for i, (key, values) in enumerate(rows):
        y = 5 + i * (BAR_HEIGHT + BAR_GAP)
        value = values[index]
        length = plot * max(value, 0.0) / top if top > 0 else 0.0
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end" '
            f'class="regionaliot-story-label">{escape(_short(key))}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT}" '
            f'class="regionaliot-story-bar"/>'
            f'<text x="{LABEL_WIDTH + length + 4:.1f}" y="{y + 15}" '
            f'class="regionaliot-story-value">{escape(display(value) + unit)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def line_chart(result: Result, title: str, desc: str, ident: str) -> str:
    """Periods left to right at equal steps, values on a 0-based axis."""
    index = primary_index(result)
    left, right, top_margin, bottom_margin, height = 70, 20, 16, 40, 260
    rows = result.rows
    parts = [_open(WIDTH, height, title, desc, ident)]
    values = [values[index] for _, values in rows]
    high = max(values + [0.0])
    low = min(values + [0.0])
    span = (high - low) or 1.0
    bottom = height - bottom_margin
    width = WIDTH - left - right

    def y(v: float) -> float:
        return bottom - (bottom - top_margin) * (v - low) / span

    def x(i: int) -> float:
        return left + (width * i / (len(rows) - 1) if len(rows) > 1 else width / 2)

    for tick in (low, low + span / 2, high):
        parts.append(f'<line x1="{left}" x2="{WIDTH - right}" y1="{y(tick):.1f}" '
                     f'y2="{y(tick):.1f}" class="regionaliot-story-grid"/>'
                     f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" '
                     f'class="regionaliot-story-value">{escape(display(tick))}</text>')
    points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
    if points:
        parts.append(f'<polyline points="{points}" class="regionaliot-story-line"/>')
    step = max(1, math.ceil(len(rows) / 8))  # at most ~8 period labels
    for i, (key, _values) in enumerate(rows):
        parts.append(f'<circle cx="{x(i):.1f}" cy="{y(values[i]):.1f}" r="3" '
                     f'class="regionaliot-story-dot"/>')
        if i % step == 0 or i == len(rows) - 1:
            parts.append(f'<text x="{x(i):.1f}" y="{bottom + 18}" text-anchor="middle" '
                         f'class="regionaliot-story-label">{escape(_short(key, 12))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def pyramid_chart(result: Result, title: str, desc: str, ident: str,
                  male: str, female: str) -> str:
    """Men to the left, women to the right of the age labels, youngest at the bottom."""
    rows = list(reversed(result.rows[:MAX_BARS]))
    centre, label_half = WIDTH / 2, 40
    half = centre - label_half - 60
    top_margin = 24
    height = top_margin + max(1, len(rows)) * (BAR_HEIGHT - 6 + 4) + 10
    high = max([max(values[0], values[1]) for _, values in rows] + [0.0])
    parts = [_open(WIDTH, height, title, desc, ident),
             f'<text x="{centre - label_half - 4}" y="14" text-anchor="end" '
             f'class="regionaliot-story-label">{escape(male)}</text>'
             f'<text x="{centre + label_half + 4}" y="14" '
             f'class="regionaliot-story-label">{escape(female)}</text>']
    for i, (key, values) in enumerate(rows):
        y = top_margin + i * (BAR_HEIGHT - 2)
        m = half * max(values[0], 0.0) / high if high > 0 else 0.0
        f = half * max(values[1], 0.0) / high if high > 0 else 0.0
        parts.append(
            f'<rect x="{centre - label_half - m:.1f}" y="{y}" width="{m:.1f}" height="16" '
            f'class="regionaliot-story-bar regionaliot-story-bar--male"/>'
            f'<rect x="{centre + label_half}" y="{y}" width="{f:.1f}" height="16" '
            f'class="regionaliot-story-bar regionaliot-story-bar--female"/>'
            f'<text x="{centre}" y="{y + 12}" text-anchor="middle" '
            f'class="regionaliot-story-label">{escape(_short(key, 8))}</text>'
            f'<text x="{centre - label_half - m - 4:.1f}" y="{y + 12}" text-anchor="end" '
            f'class="regionaliot-story-value">{escape(display(values[0]))}</text>'
            f'<text x="{centre + label_half + f + 4:.1f}" y="{y + 12}" '
            f'class="regionaliot-story-value">{escape(display(values[1]))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _short(text: str, limit: int = 14) -> str:
    text = text or "—"
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- maps --------------------------------------------------------------------

MAP_WIDTH, MAP_HEIGHT = 640, 520
SHADES = 5


def load_members(path: Path) -> list[dict]:
    """The members' outlines: [{code, name, rings: [[(lon, lat), …], …]}, …]."""
    data = json.loads(path.read_text(encoding="utf-8"))
    members = []
    for feature in data.get("features", []):
        geometry = feature.get("geometry") or {}
        polygons = geometry.get("coordinates") or []
        if geometry.get("type") == "Polygon":
            polygons = [polygons]
        rings = [[(float(x), float(y)) for x, y, *_ in ring]
                 for polygon in polygons for ring in polygon]
        props = feature.get("properties") or {}
        members.append({"code": str(props.get("code", "")), "name": str(props.get("name", "")),
                        "rings": rings})
    return members


class Projection:
    """Longitude/latitude to the map's pixels: equirectangular, scaled by cos(latitude)
    (at 34–35°N it keeps shapes true enough for a basin)."""

    def __init__(self, members: Sequence[dict], width: int = MAP_WIDTH,
                 height: int = MAP_HEIGHT, margin: int = 10):
        xs = [x for m in members for ring in m["rings"] for x, _ in ring] or [0.0, 1.0]
        ys = [y for m in members for ring in m["rings"] for _, y in ring] or [0.0, 1.0]
        self.west, self.east, self.south, self.north = min(xs), max(xs), min(ys), max(ys)
        self.k = math.cos(math.radians((self.south + self.north) / 2))
        span_x = ((self.east - self.west) * self.k) or 1.0
        span_y = (self.north - self.south) or 1.0
        self.scale = min((width - 2 * margin) / span_x, (height - 2 * margin) / span_y)
        self.margin = margin

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        return (self.margin + (lon - self.west) * self.k * self.scale,
                self.margin + (self.north - lat) * self.scale)

    def inside(self, lon: float, lat: float) -> bool:
        return self.west <= lon <= self.east and self.south <= lat <= self.north


def _path(rings: Sequence[Sequence[tuple[float, float]]], project: Projection) -> str:
    out = []
    for ring in rings:
        coords = [project(x, y) for x, y in ring]
        out.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in coords) + "Z")
    return "".join(out)


def shade(value: float, low: float, high: float) -> int:
    """Class 1..SHADES of a value between low and high (equal intervals)."""
    if high <= low:
        return SHADES
    return min(SHADES, 1 + int((value - low) / (high - low) * SHADES))


def choropleth(members: Sequence[dict], values: Mapping[str, float], title: str, desc: str,
               ident: str, no_data: str) -> str:
    """Each member shaded by its value (keys: 6-digit 全国地方公共団体コード), members
    without a value hatched as "no data"; each shape carries its name and value as a
    <title> for pointer users (the table next to it is the accessible version)."""
    project = Projection(members)
    known = [values[m["code"]] for m in members if m["code"] in values]
    low, high = (min(known), max(known)) if known else (0.0, 0.0)
    parts = [_open(MAP_WIDTH, MAP_HEIGHT, title, desc, ident),
             f'<defs><pattern id="{_attr(ident)}-nodata" width="6" height="6" '
             'patternUnits="userSpaceOnUse">'
             '<path d="M0,6L6,0" class="regionaliot-story-hatch"/></pattern></defs>']
    for m in members:
        value = values.get(m["code"])
        if value is None:
            fill = f'fill="url(#{_attr(ident)}-nodata)"'
            tip = f"{m['name']}: {no_data}"
            css = "regionaliot-story-area regionaliot-story-area--none"
        else:
            fill = ""
            tip = f"{m['name']}: {display(value)}"
            css = f"regionaliot-story-area regionaliot-story-shade-{shade(value, low, high)}"
        parts.append(f'<path d="{_path(m["rings"], project)}" class="{css}" {fill}>'
                     f'<title>{escape(tip)}</title></path>')
    parts.append("</svg>")
    return "".join(parts)


def points_map(members: Sequence[dict], points: Sequence[tuple[float, float, str]],
               title: str, desc: str, ident: str) -> str:
    """The members' outlines with a dot per point (lon, lat, name) inside the basin's box."""
    project = Projection(members)
    parts = [_open(MAP_WIDTH, MAP_HEIGHT, title, desc, ident)]
    for m in members:
        parts.append(f'<path d="{_path(m["rings"], project)}" '
                     f'class="regionaliot-story-area regionaliot-story-area--outline">'
                     f'<title>{escape(m["name"])}</title></path>')
    for lon, lat, name in points:
        if not project.inside(lon, lat):
            continue
        x, y = project(lon, lat)
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" class="regionaliot-story-point">'
                     f'<title>{escape(name)}</title></circle>')
    parts.append("</svg>")
    return "".join(parts)
