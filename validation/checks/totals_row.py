"""A totals row inside population data (人口): a row whose area name says 合計 / 計 / 総数,
which double-counts every figure for whoever sums the file."""
from __future__ import annotations

import re

from .base import N_, Check, Code, nfkc, register

TOTAL_RE = re.compile(r"^(?:合計|総計|総数|計|小計|全体|市計|町計|村計|区計|全市|全町|全村|市全体|町全体)$")
NAME_FIELDS = ("地域名",)
FIGURES = ("総人口", "世帯数")


def make(columns: dict[str, int]):
    names = [name for name in NAME_FIELDS if name in columns]
    if not names or not any(figure in columns for figure in FIGURES):
        return None

    def judge(cells: dict[str, str]):
        return [(name, "totals-row", {}) for name in names
                if TOTAL_RE.match(nfkc(cells[name]).replace(" ", ""))]

    return judge


register(Check(
    "totals-row",
    (Code("totals-row", "warning", N_(
        '"{field}" is "{cell}": this looks like a totals row. Data rows should hold one area '
        'each; remove the totals row (anyone can add the rows up).')),),
    rows=make,
))
