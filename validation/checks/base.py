"""The check registry: every check of the engine declares itself here, once.

A check is one module of this package. It declares its finding codes (each with its
severity, its English message — a gettext msgid, translated in validation/i18n — whether
its fix is sure, and whether it only restates a problem Table Schema also reports), and,
for a per-value check, the schema ``x-check`` kind it serves, the function that judges one
value, a predicate that vouches for most values at C speed, and the column names it
applies to in a file of no known standard. ``register`` puts it in the one registry that
the engine, the fixer, the report, the messages and the schema registry read:
adding a check is one module (and its tests, and its Japanese in the catalogue).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# One finding of a check on one value: (code, severity, params).
Finding = tuple[str, str, dict[str, Any]]
Verdict = tuple[Finding, ...]
OK: Verdict = ()


def N_(text: str) -> str:
    """Marks an English msgid for extraction (Babel's default keywords include ``N_``)."""
    return text


@dataclass(frozen=True)
class Code:
    """One finding code of a check."""

    code: str
    severity: str  # "error" | "warning"
    message: str  # English msgid; str.format fields from the finding's params
    fixable: bool = False  # its "fix" is sure: the fixer applies it
    restates: bool = False  # no fix, only restates what Table Schema reports on the cell too


@dataclass(frozen=True)
class Check:
    """A check: its codes and, for a per-value check, how it runs."""

    name: str
    codes: tuple[Code, ...]
    # The schema's "x-check" kinds this check serves (per-value checks only).
    kinds: tuple[str, ...] = ()
    # spec (the schema field) -> the function judging one value: list of Findings.
    make: Callable[[dict[str, Any]], Callable[[str], list[Finding]]] | None = None
    # A value passing it surely has no finding of this check (run over whole columns in C);
    # None: every new distinct value is judged (low-cardinality columns: flags, codes, dates).
    predicate: Callable[[str], Any] | None = None
    # Non-standard files: (kind, pattern of the column names, as label keys, it applies to).
    headers: tuple[tuple[str, re.Pattern[str]], ...] = ()
    # A cross-field check (several cells of one row): {field name: file column} of the
    # file's standard columns -> None (does not apply) or a function judging one row, given
    # the row's cells by field name, returning (field, code, params) findings.
    rows: Callable[[dict[str, int]], Callable[[dict[str, str]], list[tuple[str, str, dict[str, Any]]]] | None] \
        | None = None
    doc: str = field(default="", compare=False)


CHECKS: dict[str, Check] = {}
CODES: dict[str, Code] = {}
BY_KIND: dict[str, Check] = {}


def register(check: Check) -> Check:
    """Add ``check`` to the registry; a code or kind declared twice is a bug."""
    if check.name in CHECKS:
        raise ValueError(f"check {check.name!r} registered twice")
    for code in check.codes:
        if code.code in CODES:
            raise ValueError(f"code {code.code!r} declared twice")
        if code.severity not in ("error", "warning"):
            raise ValueError(f"code {code.code!r}: severity {code.severity!r}")
    for kind in check.kinds:
        if kind in BY_KIND:
            raise ValueError(f"x-check kind {kind!r} served twice")
    CHECKS[check.name] = check
    CODES.update({code.code: code for code in check.codes})
    BY_KIND.update({kind: check for kind in check.kinds})
    return check


def unregister(name: str) -> None:
    """Remove a check (tests that register one of their own)."""
    check = CHECKS.pop(name)
    for code in check.codes:
        CODES.pop(code.code, None)
    for kind in check.kinds:
        BY_KIND.pop(kind, None)


def finding(code: str, **params: Any) -> Finding:
    """A finding of a registered code, with that code's severity."""
    return (code, CODES[code].severity, params)


# --- text helpers shared by several checks ---------------------------------------------------

ASCII_NUMBER_RE = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
ASCII_INT_RE = re.compile(r"-?[0-9]+")
GROUPED_NUMBER_RE = re.compile(r"-?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def katakana(text: str) -> str:
    return "".join(chr(ord(ch) + 0x60) if "\u3041" <= ch <= "\u3096" else ch for ch in text)


def has_fullwidth_ascii(text: str) -> bool:
    """True when ``text`` has full-width forms of ASCII characters (０-９, Ａ-Ｚ, ：, －, …)."""
    return any("\uff01" <= ch <= "\uff5e" for ch in text)
