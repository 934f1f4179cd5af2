"""Yes/no columns: ○ and あり where the standard writes 1 or 有."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .base import N_, Check, Code, Finding, finding, nfkc, register

FLAG_TRUE_SYMBOLS = frozenset("○◯〇●◎✓✔☑レ")
FLAG_FALSE_WORDS = {"なし": "無", "無し": "無"}
FLAG_TRUE_WORDS = {"あり": "有", "有り": "有"}


def make_check_flag(allowed: frozenset[str]) -> Callable[[str], list[Finding]]:
    true_value = "1" if "1" in allowed else ("有" if "有" in allowed else None)

    def check_flag(value: str) -> list[Finding]:
        if value in allowed:
            return []
        text = nfkc(value).strip()
        if text in allowed:
            return [finding("fullwidth-chars", fix=text)]
        if text in FLAG_TRUE_SYMBOLS and true_value:
            return [finding("flag-symbol", fix=true_value)]
        if text in ("1.0", "1.00") and "1" in allowed:
            return [finding("flag-symbol", fix="1")]
        word = FLAG_TRUE_WORDS.get(text) or FLAG_FALSE_WORDS.get(text)
        if word and word in allowed:
            return [finding("flag-symbol", fix=word)]
        shown = "、".join(f"「{a}」" for a in sorted(allowed)) or "「1」"
        return [finding("flag-value", allowed=shown)]

    return check_flag


def _for_field(spec: dict[str, Any]) -> Callable[[str], list[Finding]]:
    enum = (spec.get("constraints") or {}).get("enum")
    return make_check_flag(frozenset(map(str, enum)) if enum else frozenset({"1"}))


register(Check(
    "flag",
    (
        Code("flag-symbol", "error", N_('"{field}": "{cell}" is a symbol; the standard writes "{fix}".'),
             fixable=True),
        Code("flag-value", "error", N_('"{field}": "{cell}" is not allowed. Use one of {allowed}.'),
             restates=True),
    ),
    kinds=("flag",),
    make=_for_field,
))
