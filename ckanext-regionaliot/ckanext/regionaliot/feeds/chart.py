"""The feed page's chart as server-side SVG, without CKAN: one line per sensor over a
time window, with its warning and danger thresholds as dashed lines. Every text is
escaped; labels come translated from the caller."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from html import escape

COLOURS = ("#1c628a", "#b5462b", "#2f7d32", "#7b4fa0", "#a86b00", "#00838f", "#6d4c41",
           "#c2185b", "#455a64", "#827717")
WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 14, 28


def render(series: Mapping[str, Sequence[tuple[dt.datetime, float]]], start: dt.datetime,
           end: dt.datetime, names: Mapping[str, str], thresholds: Iterable[tuple[float, str, str]],
           title: str, no_data: str, tz: dt.tzinfo) -> str:
    """``series``: sensor id → [(time, value)]; ``thresholds``: (value, label, colour)."""
    thresholds = list(thresholds)
    values = [v for points in series.values() for _, v in points] + [t[0] for t in thresholds]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
           f'role="img" aria-label="{escape(title)}" font-family="sans-serif" font-size="11">',
           f'<title>{escape(title)}</title>',
           f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>']
    if not any(series.values()):
        out.append(f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" fill="#555">'
                   f'{escape(no_data)}</text></svg>')
        return "".join(out)
    lo, hi = min(values), max(values)
    if hi - lo < 1e-9:
        lo, hi = lo - 1, hi + 1
    pad = (hi - lo) * 0.08
    lo, hi = lo - pad, hi + pad
    span = max((end - start).total_seconds(), 1.0)

    def x(t: dt.datetime) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * (t - start).total_seconds() / span

    def y(v: float) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (hi - v) / (hi - lo)

    for i in range(5):  # value grid
        v = lo + (hi - lo) * i / 4
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
                   f'stroke="#e3e6e8"/><text x="{LEFT - 4}" y="{y(v) + 4:.1f}" '
                   f'text-anchor="end" fill="#555">{v:.2f}</text>')
    for i in range(5):  # time axis
        t = start + (end - start) * i / 4
        out.append(f'<text x="{x(t):.1f}" y="{HEIGHT - 8}" text-anchor="middle" fill="#555">'
                   f'{t.astimezone(tz).strftime("%m/%d %H:%M")}</text>')
    for value, label, colour in thresholds:
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
                   f'stroke="{colour}" stroke-dasharray="6 4"/><text x="{WIDTH - RIGHT - 2}" '
                   f'y="{y(value) - 3:.1f}" text-anchor="end" fill="{colour}">{escape(label)}</text>')
    for i, (sensor_id, points) in enumerate(sorted(series.items())):
        if not points:
            continue
        colour = COLOURS[i % len(COLOURS)]
        path = " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in points)
        out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{path}" '
                   f'data-sensor="{escape(sensor_id)}"><title>{escape(names.get(sensor_id, sensor_id))}'
                   f'</title></polyline>')
        out.append(f'<text x="{LEFT + 6}" y="{TOP + 12 + 13 * i}" fill="{colour}">'
                   f'{escape(names.get(sensor_id, sensor_id))}</text>')
    out.append("</svg>")
    return "".join(out)
