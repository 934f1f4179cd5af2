"""Kana readings (名称_カナ): full-width katakana with ー."""
from __future__ import annotations

import re

from .base import N_, Check, Code, Finding, finding, katakana, nfkc, register

KANA_RE = re.compile(r"[\u30a0-\u30ff\u3000 ]+")
_KANA_DASH_RE = re.compile("(?<=[\u30a1-\u30fa])[\u2010-\u2015\u2212\u2500\u2501\uff0d\uff70-]")


def check_kana(value: str) -> list[Finding]:
    if KANA_RE.fullmatch(value):
        return []
    long_vowel = _KANA_DASH_RE.sub("ー", value)
    if long_vowel != value and KANA_RE.fullmatch(long_vowel):
        return [finding("kana-long-vowel", fix=long_vowel)]
    if any("\uff65" <= ch <= "\uff9f" for ch in value):
        fixed = nfkc(value)
        if KANA_RE.fullmatch(fixed):
            return [finding("kana-halfwidth", fix=fixed)]
    if any("\u3041" <= ch <= "\u3096" for ch in value):
        fixed = katakana(nfkc(value))
        if KANA_RE.fullmatch(fixed):
            return [finding("kana-hiragana", fix=fixed)]
    return [finding("kana-format")]


register(Check(
    "kana",
    (
        Code("kana-halfwidth", "warning", N_(
            '"{field}": "{cell}" contains half-width kana. Write full-width "{fix}".'), fixable=True),
        Code("kana-hiragana", "warning", N_('"{field}": "{cell}" is hiragana. Write katakana "{fix}".'),
             fixable=True),
        Code("kana-long-vowel", "error", N_(
            '"{field}": "{cell}" uses a dash (― or －) instead of the long-vowel mark ー. Write "{fix}".'),
            fixable=True),
        Code("kana-format", "warning", N_('"{field}": "{cell}" is not full-width katakana.'), restates=True),
    ),
    kinds=("kana",),
    make=lambda spec: check_kana,
    predicate=KANA_RE.fullmatch,
    headers=(("kana", re.compile(r"(カナ|kana)$")),),
))
