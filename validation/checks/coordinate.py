"""Latitude and longitude: plain degrees inside Japan, not swapped, not packed in one cell."""
from __future__ import annotations

import re

from .base import N_, Check, Code, Finding, finding, nfkc, register
from .common import numberish

JAPAN_LAT = (20.0, 46.0)
JAPAN_LON = (122.0, 154.0)
LATLNG_PAIR_RE = re.compile(r"\s*-?[0-9]+(?:\.[0-9]+)?\s*[,、 ]\s*-?[0-9]+(?:\.[0-9]+)?\s*")


def check_coordinate(value: str) -> list[Finding]:
    # Degrees never need digit grouping: a comma in 34,866 is a decimal comma or a
    # typo, never a sure 34866. Table Schema already reports the cell as not a number.
    if "," in nfkc(value):
        return []
    return numberish(value)


def check_latlng_pair(value: str) -> list[Finding]:
    return [finding("latlng-packed")] if LATLNG_PAIR_RE.fullmatch(value) else []


# The per-value part (full-width digits) runs per field; the bounds of Japan and the swap
# need both columns of a row, so the engine runs them on the pair (engine.Plan._pairs).
register(Check(
    "coordinate",
    (
        Code("latlon-swapped", "error", N_(
            'Latitude "{lat}" and longitude "{lon}" are swapped. Put "{lon}" in latitude and "{lat}" '
            'in longitude.')),
        Code("latitude-out-of-japan", "error", N_(
            '"{field}": "{cell}" is outside the latitudes of Japan (20–46°).')),
        Code("longitude-out-of-japan", "error", N_(
            '"{field}": "{cell}" is outside the longitudes of Japan (122–154°).')),
    ),
    kinds=("latitude", "longitude"),
    make=lambda spec: check_coordinate,
    predicate=str.isascii,
    headers=(("latitude", re.compile(r"^(緯度|latitude|lat)$")),
             ("longitude", re.compile(r"^(経度|longitude|lng|lon|long)$"))),
))

register(Check(
    "latlng_pair",
    (Code("latlng-packed", "warning", N_(
        '"{field}" holds latitude and longitude in one cell ("{cell}"). Use separate columns.')),),
    kinds=("latlng_pair",),
    make=lambda spec: check_latlng_pair,
    headers=(("latlng_pair", re.compile(r"^(location|緯度経度|位置|座標)$")),),
))
