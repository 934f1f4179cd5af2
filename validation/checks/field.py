"""The checks of one schema field, compiled once and run column-wise on chunks.

Speed comes from three ideas:

1. *Surely-fine predicates* that run at C speed over a whole column
   (``all(map(regex.match, values))``, set membership, ``str.isascii``).
   Only values that fail one are looked at in Python.
2. *Per-value verdicts*: a finding depends only on the cell text, so each
   distinct suspicious value is classified once and cached.
3. The Table-Schema part of a verdict is delegated to Frictionless's own cell
   reader (imported lazily; text, URL and number fields use a copy of it that a test
   holds to Frictionless's), so type and constraint errors are exactly the ones
   Frictionless reports, while the fast predicates only ever vouch for values
   Frictionless would accept too.

Which of our checks runs on a field comes from the registry (base.BY_KIND, by the field's
``x-check``); nothing here names a check.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from itertools import compress
from operator import not_
from typing import Any

from ..keyset import SeenKeys
from .base import ASCII_INT_RE, ASCII_NUMBER_RE, BY_KIND, CODES, Verdict, finding
from .common import numberish
from .contact import URL_RE
from .coordinate import JAPAN_LAT, JAPAN_LON

GOOD_CACHE_LIMIT = 200_000
VERDICT_CACHE_LIMIT = 50_000


def _cell_reader(spec: dict[str, Any], missing_values: list[str]):
    """Frictionless's cell reader of this field: ``cell -> (value, notes)``.

    Plain text and plain number fields get a copy of it in a few lines (Frictionless 5.18's
    ``Field.create_cell_reader`` with ``StringField``/``NumberField``'s value readers), so a
    file of such fields never imports Frictionless (about 0.4 s of CPU a process); every
    other field gets Frictionless's own. The differential corpus compares both with
    Frictionless on every schema."""
    return _plain_reader(spec, missing_values) or _frictionless_reader(spec, missing_values)


def _plain_number(cell: Any) -> Any:
    # NumberField's value reader without bareNumber/groupChar/decimalChar/floatNumber
    if isinstance(cell, str):
        try:
            return Decimal(cell.strip())
        except Exception:  # noqa: BLE001 - Frictionless catches everything here too
            return None
    if isinstance(cell, Decimal) or (isinstance(cell, int) and not isinstance(cell, bool)):
        return cell
    return None


def _plain_uri(cell: Any) -> Any:
    # StringField's uri reader: rfc3986 (Frictionless's own dependency), a scheme required
    import rfc3986  # lazy, as Frictionless imports it

    if not isinstance(cell, str):
        return None
    validator = rfc3986.validators.Validator()
    validator.require_presence_of("scheme")
    try:
        validator.validate(rfc3986.uri_reference(cell))
    except rfc3986.exceptions.ValidationError:
        return None
    return cell


_PLAIN_CONSTRAINTS = {"string": ("required", "minLength", "maxLength", "pattern", "enum"),
                      "number": ("required", "minimum", "maximum", "enum")}


def _plain_reader(spec: dict[str, Any], missing_values: list[str]):
    kind = spec.get("type", "string") or "string"
    form = spec.get("format") or "default"
    if kind not in _PLAIN_CONSTRAINTS or form not in ("default", "uri") or (form == "uri" and kind != "string") \
            or any(key in spec for key in ("bareNumber", "groupChar", "decimalChar", "floatNumber")):
        return None
    constraints = spec.get("constraints") or {}
    if not isinstance(constraints, dict):
        return None
    read = _plain_number if kind == "number" else _plain_uri if form == "uri" else (lambda cell: cell)
    checks: list[tuple[str, Callable[[Any], bool]]] = []
    for name in _PLAIN_CONSTRAINTS[kind]:
        value = constraints.get(name)
        if value is None:
            continue
        if name == "required":
            checks.append((name, (lambda cell: cell is not None) if value else (lambda cell: True)))
        elif name in ("minLength", "maxLength"):
            if not isinstance(value, int) or isinstance(value, bool):
                return None
            checks.append((name, (lambda cell, n=value: cell is None or len(cell) >= n) if name == "minLength"
                           else (lambda cell, n=value: cell is None or len(cell) <= n)))
        elif name == "pattern":
            if not isinstance(value, str):
                return None
            checks.append((name, lambda cell, rx=re.compile(f"^{value}$"): cell is None or bool(rx.match(cell))))
        elif name == "enum":
            if not isinstance(value, list) or not all(isinstance(v, str | int) and not isinstance(v, bool)
                                                      for v in value):
                return None
            allowed = [read(v) for v in value]
            checks.append((name, lambda cell, allowed=allowed: cell is None or cell in allowed))
        else:  # minimum, maximum of a number
            if not isinstance(value, str | int) or isinstance(value, bool) or read(value) is None:
                return None
            bound = read(value)
            checks.append((name, _bound(bound, name == "minimum")))
    missing = list(missing_values)

    def cell_reader(cell: Any):
        notes: dict[str, str] | None = None
        if str(cell) in missing:
            cell = None
        if cell is not None:
            cell = read(cell)
            if cell is None:
                notes = {"type": f'type is "{kind}/{form}"'}
        if not notes:
            for name, check in checks:
                if not check(cell):
                    notes = notes or {}
                    notes[name] = f'constraint "{name}" is "{constraints[name]}"'
        return cell, notes
    return cell_reader


def _bound(bound: Any, lower: bool) -> Callable[[Any], bool]:
    def check(cell: Any) -> bool:
        if cell is None:
            return True
        try:
            return bool(cell >= bound if lower else cell <= bound)
        except InvalidOperation:  # NaN, as Frictionless: the constraint is not satisfied
            return False
    return check


def _frictionless_reader(spec: dict[str, Any], missing_values: list[str]):
    from frictionless import Field  # lazy: only needed for suspicious values

    descriptor = {k: v for k, v in spec.items() if not k.startswith("x-") and k != "title_en"}
    field = Field.from_descriptor(descriptor)
    field.missing_values = list(missing_values)
    return field.create_cell_reader()


class LengthBetween:
    """minLength/maxLength as a predicate; a class, so the columnar engine reads its bounds."""

    __slots__ = ("lo", "hi")

    def __init__(self, lo: float, hi: float):
        self.lo, self.hi = lo, hi

    def __call__(self, value: str) -> bool:
        return self.lo <= len(value) <= self.hi


def no_comma(value: str) -> bool:
    return "," not in value


class FieldCheck:
    """Everything checked about one schema field, compiled once."""

    def __init__(self, spec: dict[str, Any], column: int, missing_values: list[str],
                 generic: bool = False):
        self.spec = spec
        self.name: str = spec["name"]
        self.column = column  # 0-based file column
        self.type: str = spec.get("type", "string") or "string"
        self.format: str = spec.get("format", "default") or "default"
        constraints = spec.get("constraints") or {}
        self.constraints = constraints
        self.required = bool(constraints.get("required")) and not generic
        self.unique = bool(constraints.get("unique")) and not generic
        self.xcheck: str | None = spec.get("x-check")
        self.generic = generic
        self.missing = frozenset(missing_values)
        self._missing_list = list(missing_values)
        self._ts_reader = None
        self._ts_needed = not generic and self._has_ts_checks()
        self._own = self._own_checker()
        self.preds: list[Callable[[str], Any]] = []
        self.scan_all = False  # no predicate can vouch: classify every new distinct value
        self.range: tuple[float | None, float | None] | None = None
        self.ts_preds: list[Callable[[str], Any]] = []  # vouch for the Table-Schema part alone
        self.low_cardinality = False  # decided on the first chunk: check distinct values only
        self._compile_predicates()
        if self.xcheck in ("latitude", "longitude") and self.range is None:
            self.range = (None, None)  # floats are needed anyway for the Japan-bounds test
            if not {ASCII_NUMBER_RE.fullmatch, ASCII_INT_RE.fullmatch} & set(self.preds):
                # No schema type (a file of no known standard): only plain numbers go to float().
                self.preds.append(ASCII_NUMBER_RE.fullmatch)
        self.japan_ok = False  # set per chunk: every value a plain number inside Japan
        # Set per chunk for latitude/longitude: the distinct values that may lie outside
        # Japan (a superset); None when unknown, so the lat/lon pair check scans the column.
        self.outside_japan: set[str] | None = None
        self.good: set[str] = set()
        self.verdicts: dict[str, Verdict] = {}
        self.seen_keys = SeenKeys()  # values so far, as Frictionless compares them
        self.track_ids = self.xcheck == "id" and not self.unique
        self.decide_cardinality = True

    # -- compile

    def _has_ts_checks(self) -> bool:
        if self.type != "string" or self.format != "default":
            return True
        return any(k in self.constraints for k in ("pattern", "enum", "minLength", "maxLength"))

    def _own_checker(self) -> Callable[[str], list] | None:
        check = BY_KIND.get(self.xcheck or "")
        if check is not None and check.make is not None:
            return check.make(self.spec)
        if self.type in ("number", "integer") and not self.generic:
            return numberish
        return None

    def _compile_predicates(self) -> None:
        preds = self.preds
        c = self.constraints
        plain_number = not any(k in self.spec for k in ("decimalChar", "groupChar", "bareNumber"))
        if self._ts_needed:
            if self.type == "string" and self.format in ("default", "uri"):
                if "pattern" in c:
                    # Exactly how Frictionless compiles a pattern (so "$" also allows a final "\n").
                    preds.append(re.compile("^" + c["pattern"] + "$").match)
                if "enum" in c:
                    preds.append(frozenset(c["enum"]).__contains__)
                if "minLength" in c or "maxLength" in c:
                    lo, hi = c.get("minLength", 0), c.get("maxLength", float("inf"))
                    preds.append(LengthBetween(lo, hi))
                if self.format == "uri":
                    preds.append(URL_RE.fullmatch)  # has a scheme, so rfc3986 accepts it
            elif self.type in ("number", "integer") and plain_number and "enum" not in c:
                preds.append((ASCII_NUMBER_RE if self.type == "number" else ASCII_INT_RE).fullmatch)
                if "minimum" in c or "maximum" in c:
                    self.range = (c.get("minimum"), c.get("maximum"))
            elif self.type == "boolean" and "enum" not in c:
                values = self.spec.get("trueValues", ["true", "True", "TRUE", "1"]) + \
                    self.spec.get("falseValues", ["false", "False", "FALSE", "0"])
                preds.append(frozenset(values).__contains__)
            else:
                self.scan_all = True
            self.ts_preds = list(preds)
            if self.range is not None:
                self.ts_preds = []  # a bound can only be vouched for per chunk
        check = BY_KIND.get(self.xcheck or "")
        own_pred = check.predicate if check is not None else None
        if own_pred is not None:
            implied = own_pred is str.isascii and preds and \
                preds[0] in (ASCII_NUMBER_RE.fullmatch, ASCII_INT_RE.fullmatch)
            if not implied and own_pred not in preds:
                preds.append(own_pred)
        elif self._own is not None:
            if self._own is numberish:
                preds.append(str.isascii)
                preds.append(no_comma)
            else:
                self.scan_all = True  # lgcode, date, flag, latlng_pair: low cardinality, cache them

    @property
    def active(self) -> bool:
        return bool(self.required or self.unique or self.track_ids or self._ts_needed
                    or self._own is not None)

    # -- classify one value exactly

    def classify(self, value: str) -> Verdict:
        cached = self.verdicts.get(value)
        if cached is not None:
            return cached
        out: list[tuple[str, str, dict[str, Any]]] = []
        if self._ts_needed and not (self.ts_preds and all(p(value) for p in self.ts_preds)):
            if self._ts_reader is None:
                self._ts_reader = _cell_reader(self.spec, self._missing_list)
            _, notes = self._ts_reader(value)
            if notes:
                for name in notes:
                    if name == "type":
                        out.append(("type-error", "error",
                                    {"type": f"{self.type}/{self.format}"}))
                    else:
                        constraint = self.constraints.get(name)
                        if isinstance(constraint, list):
                            constraint = "、".join(map(str, constraint))
                        params = {"constraint": constraint}
                        if name == "pattern" and self.spec.get("description"):
                            # A regular expression tells a person little; the description says it in words.
                            params["hint"] = self.spec["description"]
                        out.append((f"constraint-error:{name}", "error", params))
        if self._own is not None:
            own = self._own(value)
            stripped = value.strip()
            if own and stripped != value and stripped and not self._own(stripped):
                own = [finding("cell-whitespace", fix=stripped)]
            for code, severity, params in own:
                # Without a schema, only findings with a sure reading are worth showing.
                if self.generic and CODES[code].restates:
                    continue
                out.append((code, "warning" if self.generic else severity, params))
        verdict: Verdict = tuple(out)
        if len(self.verdicts) >= VERDICT_CACHE_LIMIT:
            self.verdicts.clear()
        self.verdicts[value] = verdict
        if not verdict and len(self.good) < GOOD_CACHE_LIMIT:
            self.good.add(value)
        return verdict

    def fix(self, value: str) -> tuple[str, str] | None:
        """(new value, code) when a finding on ``value`` has a sure fix."""
        if value in self.missing or value in self.good:
            return None
        for code, _severity, params in self.classify(value):
            if "fix" in params:
                return params["fix"], code
        return None

    # -- run on a column chunk

    def suspects(self, values: list[str] | tuple[str, ...]) -> set[str]:
        """Distinct values that may have findings (everything else is surely fine)."""
        if self.scan_all:
            return set(values) - self.good
        if self.low_cardinality:
            values = list(set(values) - self.good)  # few distinct values: test each once
            if not values:
                return set()
        bad: set[str] = set()
        for pred in self.preds:
            if not all(map(pred, values)):
                bad.update(compress(values, map(not_, map(pred, values))))
        self.japan_ok = False
        self.outside_japan = None
        if self.range is not None:
            bad.update(self._range_suspects(values, bad))
        if self.low_cardinality:
            # Values cached as good were left out above: only a full scan is sure.
            self.outside_japan = None
        if bad and self.good:
            bad -= self.good
        return bad

    def _range_suspects(self, values, already: set[str]) -> Iterable[str]:
        lo, hi = self.range  # type: ignore[misc]
        numeric = values if not already else [v for v in values if v not in already]
        if not numeric:
            return ()
        floats = list(map(float, numeric))  # every value passed the ASCII number regex
        low, high = min(floats), max(floats)
        if self.xcheck in ("latitude", "longitude"):
            bounds = JAPAN_LAT if self.xcheck == "latitude" else JAPAN_LON
            inside = bounds[0] <= low and high <= bounds[1]
            self.japan_ok = inside and not already
            # Values that failed a predicate (not plain numbers) stay suspects too.
            self.outside_japan = set(already) if inside else set(already).union(
                v for v, f in zip(numeric, floats, strict=True)
                if not bounds[0] <= f <= bounds[1])
        # Equality with a bound is decided exactly (Decimal) in classify().
        if (lo is None or low > lo) and (hi is None or high < hi):
            return ()
        return {v for v, f in zip(numeric, floats, strict=False)
                if (lo is not None and f <= lo) or (hi is not None and f >= hi)}

    def unique_key(self, value: str) -> Any:
        """``value`` as Frictionless compares it for ``unique`` and ``primaryKey``: the
        value its cell reader returns (Decimal, int, str …); None for a missing value or
        one it cannot read (a type error), which takes no part in uniqueness."""
        if value in self.missing:
            return None
        if self.type == "string" and self.format == "default":
            return value
        if self.type == "integer" and ASCII_INT_RE.fullmatch(value):
            return int(value)
        if self.type == "number" and ASCII_NUMBER_RE.fullmatch(value) and \
                not any(k in self.spec for k in ("decimalChar", "groupChar", "bareNumber")):
            return Decimal(value)
        if self._ts_reader is None:
            self._ts_reader = _cell_reader(self.spec, self._missing_list)
        target, notes = self._ts_reader(value)
        return None if notes and "type" in notes else target
