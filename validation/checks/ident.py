"""Identifiers (NO, ID): half-width, not turned into a number by a spreadsheet, unique."""
from __future__ import annotations

import re

from .base import N_, Check, Code, Finding, finding, nfkc, register

ID_RE = re.compile(r"[0-9A-Za-z][0-9A-Za-z_\-.]*")
SCIENTIFIC_RE = re.compile(r"[0-9](?:\.[0-9]+)?[eE]\+?[0-9]+")


def check_id(value: str) -> list[Finding]:
    if ID_RE.fullmatch(value):
        return []
    if SCIENTIFIC_RE.fullmatch(value.strip()):
        return [finding("id-scientific-notation")]
    if not value.isascii():
        fixed = nfkc(value).strip()
        if ID_RE.fullmatch(fixed):
            return [finding("fullwidth-chars", fix=fixed)]
    return []


# duplicate-id: the engine compares the values of the column (engine.Plan._duplicates), for an
# id column the schema does not already mark unique.
register(Check(
    "id",
    (
        Code("duplicate-id", "error", N_('"{field}": ID "{cell}" is duplicated. Make it unique.')),
        Code("id-scientific-notation", "error", N_(
            '"{field}": "{cell}" is in scientific notation; a spreadsheet turned the ID into a number '
            'and lost it.')),
    ),
    kinds=("id",),
    make=lambda spec: check_id,
    predicate=ID_RE.fullmatch,
))
