"""Our checks of cell values, one module per check, in one registry (see base.py).

Every module of this package is imported here, so a new module registers itself. The
engine reads the registry itself (``CODES``, ``BY_KIND``: a check registered later, a
test's, takes part at once); these tables are snapshots of it for readers and tests:

- ``SEVERITY``: code → severity; ``MESSAGES``: code → English msgid (messages.py);
- ``RESTATES``: codes that only restate a Table-Schema finding (the report lets
  Frictionless's finding lead on such a cell); ``FIXABLE``: codes whose fix is sure (fixer.py);
- ``X_CHECKS``: the ``x-check`` kinds a schema may name (registry.py refuses others);
- ``HEADER_RULES``: column names of non-standard files and the kind they get.
"""
from __future__ import annotations

import importlib
import pkgutil

from .base import (
    ASCII_INT_RE,
    ASCII_NUMBER_RE,
    BY_KIND,
    CHECKS,
    CODES,
    OK,
    Check,
    Code,
    Finding,
    Verdict,
    finding,
    nfkc,
    register,
    unregister,
)

for _module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    importlib.import_module(f"{__name__}.{_module}")

from .common import numberish  # noqa: E402
from .contact import EMAIL_RE, POSTAL_RE, URL_RE, check_email, check_postal, check_url  # noqa: E402
from .coordinate import (  # noqa: E402
    JAPAN_LAT,
    JAPAN_LON,
    LATLNG_PAIR_RE,
    check_coordinate,
    check_latlng_pair,
)
from .date import ISO_DATE_RE, check_date  # noqa: E402
from .field import GOOD_CACHE_LIMIT, VERDICT_CACHE_LIMIT, FieldCheck  # noqa: E402
from .flag import FLAG_TRUE_SYMBOLS, make_check_flag  # noqa: E402
from .formula import FORMULA_PREFIXES, is_formula_like  # noqa: E402
from .ident import ID_RE, SCIENTIFIC_RE, check_id  # noqa: E402
from .kana import KANA_RE, check_kana  # noqa: E402
from .lgcode import check_lgcode  # noqa: E402
from .phone import PHONE_PATTERN, PHONE_RE, check_phone  # noqa: E402
from .timeofday import TIME_RE, check_time, make_check_time  # noqa: E402

SEVERITY: dict[str, str] = {code: info.severity for code, info in CODES.items()}
MESSAGES: dict[str, str] = {code: info.message for code, info in CODES.items()}
RESTATES = frozenset(code for code, info in CODES.items() if info.restates)
EXPLAIN_ONLY = RESTATES  # the name the first generation used
FIXABLE = frozenset(code for code, info in CODES.items() if info.fixable)
X_CHECKS = frozenset(BY_KIND)
HEADER_RULES = tuple((pattern, kind) for check in CHECKS.values() for kind, pattern in check.headers)

__all__ = [
    "ASCII_INT_RE", "ASCII_NUMBER_RE", "BY_KIND", "CHECKS", "CODES", "EMAIL_RE", "EXPLAIN_ONLY",
    "FIXABLE", "FLAG_TRUE_SYMBOLS", "FORMULA_PREFIXES", "GOOD_CACHE_LIMIT", "HEADER_RULES", "ID_RE",
    "ISO_DATE_RE", "JAPAN_LAT", "JAPAN_LON", "KANA_RE", "LATLNG_PAIR_RE", "MESSAGES", "OK",
    "PHONE_PATTERN", "PHONE_RE", "POSTAL_RE", "RESTATES", "SCIENTIFIC_RE", "SEVERITY", "TIME_RE",
    "URL_RE", "VERDICT_CACHE_LIMIT", "X_CHECKS", "Check", "Code", "FieldCheck", "Finding", "Verdict",
    "check_coordinate", "check_date", "check_email", "check_id", "check_kana", "check_latlng_pair",
    "check_lgcode", "check_phone", "check_postal", "check_time", "check_url", "finding",
    "is_formula_like", "make_check_flag", "make_check_time", "nfkc", "numberish", "register",
    "unregister",
]
