"""Times: hh:mm (or hh:mm:ss); 9:00 and 9時00分 are fixed; 24:00 where the schema allows it."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .base import N_, Check, Code, Finding, finding, has_fullwidth_ascii, nfkc, register

TIME_RE = re.compile(r"(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9])?")
LOOSE_TIME_RE = re.compile(r"(\d{1,2})\s*(?::|時)\s*(\d{2})\s*分?(?::(\d{2}))?")


def make_check_time(allow_24: bool = False) -> Callable[[str], list[Finding]]:
    """Time checker; ``allow_24`` when the column's schema accepts ``24:00`` (closing time)."""

    def check_time(value: str) -> list[Finding]:
        if TIME_RE.fullmatch(value):
            return []
        text = nfkc(value).strip()
        if allow_24 and text == "24:00":
            if text == value:
                return []
            return [finding("fullwidth-chars" if has_fullwidth_ascii(value) else "cell-whitespace",
                            fix=text)]
        match = LOOSE_TIME_RE.fullmatch(text)
        if match:
            hour, minute = int(match[1]), int(match[2])
            second = match[3]
            if hour == 24 and minute == 0 and not second:
                return [finding("time-24")]
            if hour < 24 and minute < 60 and (not second or int(second) < 60):
                fixed = f"{hour:02d}:{minute:02d}" + (f":{second}" if second else "")
                # 9時00分 has no full-width characters: call it what it is.
                code = "fullwidth-chars" if has_fullwidth_ascii(value) else "time-not-padded"
                return [finding(code, fix=fixed)]
        return [finding("time-format")]

    return check_time


check_time = make_check_time()


def _for_field(spec: dict[str, Any]) -> Callable[[str], list[Finding]]:
    pattern = (spec.get("constraints") or {}).get("pattern")
    allow_24 = bool(pattern) and re.match("^" + pattern + "$", "24:00") is not None
    return make_check_time(True) if allow_24 else check_time


register(Check(
    "time",
    (
        Code("time-not-padded", "error", N_('"{field}": "{cell}" is not in hh:mm form. Write "{fix}".'),
             fixable=True),
        Code("time-24", "warning", N_(
            '"{field}": "{cell}": 24:00 is not allowed in this column. Use 23:59 or explain it in the '
            'notes column.')),
        Code("time-format", "error", N_(
            '"{field}": "{cell}" is not a time (hh:mm). Put free text in the notes column.'), restates=True),
    ),
    kinds=("time",),
    make=_for_field,
    predicate=TIME_RE.fullmatch,
))
