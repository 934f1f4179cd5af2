"""全国地方公共団体コード: six digits, the last a check digit (JIS X 0401 + 総務省)."""
from __future__ import annotations

import re

from .. import lgcode
from .base import N_, Check, Code, Finding, finding, nfkc, register


def check_lgcode(value: str) -> list[Finding]:
    text = value.strip()
    if not text.isascii():
        fixed = nfkc(text)
        if fixed.isascii() and fixed.isdigit() and len(fixed) in (5, 6):
            return [finding("fullwidth-chars", fix=fixed)] + check_lgcode(fixed)
        return [finding("lgcode-format")]
    if not text.isdigit():
        return [finding("lgcode-format")]
    if len(text) == 6:
        if lgcode.is_valid(text):
            return []
        return [finding("lgcode-check-digit", expected=lgcode.with_check_digit(text[:5]))]
    if len(text) == 5:
        # Either the 5-digit JIS code without its check digit, or a 6-digit code
        # whose leading zero a spreadsheet dropped (92011 for 092011).
        with_digit = lgcode.with_check_digit(text)
        lost_zero = "0" + text
        five_plausible = 1 <= int(text[:2]) <= 47
        zero_plausible = lgcode.is_valid(lost_zero) and 1 <= int(lost_zero[:2]) <= 47
        if five_plausible and zero_plausible:
            return [finding("lgcode-ambiguous", option1=with_digit, option2=lost_zero)]
        if five_plausible:
            return [finding("lgcode-no-check-digit", fix=with_digit)]
        if zero_plausible:
            return [finding("lgcode-leading-zero", fix=lost_zero)]
    return [finding("lgcode-format")]


register(Check(
    "lgcode",
    (
        Code("lgcode-check-digit", "error", N_(
            '"{field}": the check digit of local-government code "{cell}" is wrong (the first five '
            'digits give "{expected}"). Check the code.')),
        Code("lgcode-no-check-digit", "error", N_(
            '"{field}": "{cell}" is a 5-digit code without its check digit. Write the 6-digit "{fix}".'),
            fixable=True),
        Code("lgcode-ambiguous", "error", N_(
            '"{field}": "{cell}" has 5 digits: either "{option1}" (check digit missing) or "{option2}" '
            '(leading zero lost). Check which.')),
        Code("lgcode-leading-zero", "error", N_(
            '"{field}": "{cell}" lost its leading zero. Write "{fix}" (this happens when a spreadsheet '
            'stores it as a number).'), fixable=True),
        Code("lgcode-format", "error", N_(
            '"{field}": "{cell}" is not a local-government code (6 half-width digits).'), restates=True),
    ),
    kinds=("lgcode",),
    make=lambda spec: check_lgcode,
    headers=(("lgcode", re.compile(
        r"(全国地方公共団体|市区町村|都道府県|団体)コード|^(prefcode|citycode|lgcode|localgovernmentcode)$")),),
))
