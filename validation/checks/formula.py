"""Cells a spreadsheet would run as formulas, and xlsx cells that hold no value."""
from __future__ import annotations

from .base import ASCII_NUMBER_RE, N_, Check, Code, register
from .phone import PHONE_RE

FORMULA_PREFIXES = ("=", "+", "-", "@")


def is_formula_like(value: str) -> bool:
    """Starts like a formula and is not a plain number or phone number (``-5``, ``+81 …``)."""
    return (value.startswith(FORMULA_PREFIXES) and len(value) > 1
            and not ASCII_NUMBER_RE.fullmatch(value) and not PHONE_RE.fullmatch(value))


# The engine scans every text column with is_formula_like (engine.Plan._formulas); the xlsx
# codes come from the reader's scan of the worksheet XML (reader.SheetNotes).
register(Check(
    "formula",
    (
        Code("formula-cell", "warning", N_(
            '"{field}": "{cell}" starts with "{first}", so a spreadsheet may run it as a formula. '
            'Change the first character.')),
        Code("xlsx-formula-no-value", "error", N_(
            '"{field}": the cell holds the formula "{cell}" but no calculated value, so it reads as '
            'empty. Open the file in Excel, let it calculate, and save it again (or paste the values).')),
        Code("xlsx-merged-cells", "error", N_(
            'Cells {range} are merged: only the first holds the value, the others read as empty. '
            'Unmerge them and fill in every cell.')),
    ),
))
