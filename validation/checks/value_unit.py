"""A value without its unit or type: the standard pairs some values with a column saying
what they measure (高度の値 with 高度の種別, 員数（数） with 員数（単位））."""
from __future__ import annotations

from .base import N_, Check, Code, register

# value column -> the column that gives its unit or type.
PAIRS = {
    "高度の値": "高度の種別",
    "員数（数）": "員数（単位）",
}


def make(columns: dict[str, int]):
    pairs = [(value, unit) for value, unit in PAIRS.items() if value in columns and unit in columns]
    if not pairs:
        return None

    def judge(cells: dict[str, str]):
        return [(value, "value-without-unit", {"unit": unit}) for value, unit in pairs
                if cells[value].strip() and not cells[unit].strip()]

    return judge


register(Check(
    "value-unit",
    (Code("value-without-unit", "error", N_(
        '"{field}" is {cell}, but "{unit}" is empty: without it the value cannot be read. '
        'Fill in "{unit}".')),),
    rows=make,
))
