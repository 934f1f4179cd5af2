"""Codes several checks share: full-width characters, digit grouping, stray spaces."""
from __future__ import annotations

from .base import (
    ASCII_NUMBER_RE,
    GROUPED_NUMBER_RE,
    N_,
    Check,
    Code,
    Finding,
    finding,
    nfkc,
    register,
)

register(Check("common", (
    Code("fullwidth-chars", "error",
         N_('"{field}": "{cell}" contains full-width digits or letters. Write half-width "{fix}".'),
         fixable=True),
    Code("number-grouping", "error",
         N_('"{field}": "{cell}" contains digit grouping or spaces. Write "{fix}".'), fixable=True),
    Code("cell-whitespace", "error",
         N_('"{field}": "{cell}" has leading or trailing spaces. Write "{fix}".'), fixable=True),
)))


def numberish(value: str) -> list[Finding]:
    """Full-width digits or grouping commas in a numeric cell, with a sure fix."""
    out = []
    text = value
    if not text.isascii():
        fixed = nfkc(text).strip()
        if ASCII_NUMBER_RE.fullmatch(fixed) or GROUPED_NUMBER_RE.fullmatch(fixed):
            out.append(finding("fullwidth-chars", fix=fixed.replace(",", "")))
            return out
        if fixed != text:
            out.append(finding("fullwidth-chars", fix=fixed))
        text = fixed
    if GROUPED_NUMBER_RE.fullmatch(text.strip()):
        out.append(finding("number-grouping", fix=text.strip().replace(",", "")))
    return out
