"""Phone numbers: the one rule is the pattern of every schema's phone field (hyphenated)."""
from __future__ import annotations

import re

from .base import N_, Check, Code, Finding, finding, nfkc, register

# OpenDataTools' tel.ts, as every schema's phone field says it (tests/validation checks they agree).
PHONE_PATTERN = (r"0[0-9]{1,4}-[0-9]{1,4}-[0-9]{3,4}|\(0[0-9]{1,4}\)[0-9]{1,4}-[0-9]{3,4}"
                 r"|\+81[ -]?\(?[0-9]{1,4}\)?[ -]?[0-9]{1,4}-[0-9]{3,4}")
PHONE_RE = re.compile(PHONE_PATTERN)
# Numbers whose hyphens go in one place only: mobile, IP and PHS (0X0-XXXX-XXXX), free dial.
_SURE = (re.compile(r"(0[5789]0)([0-9]{4})([0-9]{4})"), re.compile(r"(0120)([0-9]{3})([0-9]{3})"),
         re.compile(r"(0800)([0-9]{3})([0-9]{4})"))


def check_phone(value: str) -> list[Finding]:
    if PHONE_RE.fullmatch(value):
        return []
    text = value
    if not value.isascii():
        text = nfkc(value).strip()
        if PHONE_RE.fullmatch(text):
            return [finding("fullwidth-chars", fix=text)]
    digits = text.strip()
    if digits.isascii() and digits.isdigit() and digits.startswith("0") and 10 <= len(digits) <= 11:
        for pattern in _SURE:
            match = pattern.fullmatch(digits)
            if match:
                return [finding("phone-no-hyphens", fix="-".join(match.groups()))]
        # A fixed line: where the area code ends depends on the area, so no sure fix.
        return [finding("phone-no-hyphens")]
    return [finding("phone-format")]


register(Check(
    "phone",
    (
        Code("phone-no-hyphens", "warning", N_(
            '"{field}": write phone number "{cell}" with hyphens between area code, local code and '
            'number (e.g. 086-426-3030).'), fixable=True),
        Code("phone-format", "warning", N_(
            '"{field}": check the format of phone number "{cell}" (e.g. 086-426-3030).'), restates=True),
    ),
    kinds=("phone",),
    make=lambda spec: check_phone,
    predicate=PHONE_RE.fullmatch,
    headers=(("phone", re.compile(r"(電話番号|fax番号)$|telephone|^(tel|phone|fax)")),),
))
