"""Numeric columns without an x-check: full-width digits and digit grouping, with sure fixes."""
from __future__ import annotations

from .base import Check, register
from .common import numberish

# Its codes are the common ones (fullwidth-chars, number-grouping). The field check picks it
# for every number or integer field of a schema (checks.field.FieldCheck).
NUMBER = register(Check(
    "number",
    (),
    make=lambda spec: numberish,
))
