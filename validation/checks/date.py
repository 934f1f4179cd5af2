"""Dates: YYYY-MM-DD; 和暦 and 1947/4/1 are fixed, impossible dates reported."""
from __future__ import annotations

import re

from .. import wareki
from .base import N_, Check, Code, Finding, finding, register

ISO_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def check_date(value: str) -> list[Finding]:
    if ISO_DATE_RE.fullmatch(value):
        if wareki.parse_gregorian(value) == value:
            return []
        return [finding("date-invalid")]
    iso = wareki.parse_wareki(value)
    if iso:
        return [finding("wareki-date", fix=iso)]
    iso = wareki.parse_gregorian(value)
    if iso:
        return [finding("date-not-iso", fix=iso)]
    return [finding("date-invalid")]


register(Check(
    "date",
    (
        Code("wareki-date", "error", N_(
            '"{field}": "{cell}" is a Japanese-era date. Write the Gregorian "{fix}" (YYYY-MM-DD).'),
            fixable=True),
        Code("date-not-iso", "error", N_(
            '"{field}": "{cell}" is not in the date format. Write "{fix}" (YYYY-MM-DD).'), fixable=True),
        Code("date-invalid", "error", N_('"{field}": "{cell}" is not a date. Write it as YYYY-MM-DD.'),
             restates=True),
    ),
    kinds=("date",),
    make=lambda spec: check_date,
    headers=(("date", re.compile(r"(年月日|日付)$|date$|^(開始日|終了日|登録日|最終更新日)$")),),
))
