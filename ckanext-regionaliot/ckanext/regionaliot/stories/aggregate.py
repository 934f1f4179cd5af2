"""The aggregations of the stories' chart blocks (no CKAN).

Every function takes rows as dicts (column → cell, cells as the DataStore or a CSV give
them: strings, numbers or None) and returns a ``Result``: labelled rows of numbers, in a
stable order, plus how many cells could not be read as numbers (they are skipped, never
counted as 0, and the page says how many). The page draws, tabulates and offers as CSV
exactly these numbers.
"""
from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

AGGREGATIONS = ("sum", "count", "mean", "timeseries", "pyramid", "share", "rate")

Row = Mapping[str, Any]


@dataclass
class Result:
    aggregation: str
    label_header: str  # the first column's heading (the group column's name)
    value_headers: list[str]  # one per value column (pyramid: male, female)
    rows: list[tuple[str, list[float]]]  # (label, values) in display order
    skipped: int = 0  # cells that were not numbers (or groups missing from the denominator)
    notes: list[str] = field(default_factory=list)  # msgids for the page, e.g. "no rows"

    @property
    def empty(self) -> bool:
        return not self.rows

    def total(self, index: int = 0) -> float:
        return sum(values[index] for _, values in self.rows)

    def to_dict(self) -> dict[str, Any]:
        return {"aggregation": self.aggregation, "label_header": self.label_header,
                "value_headers": self.value_headers,
                "rows": [[key, values] for key, values in self.rows],
                "skipped": self.skipped, "notes": self.notes}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Result:
        return cls(data["aggregation"], data["label_header"], list(data["value_headers"]),
                   [(key, [float(v) for v in values]) for key, values in data["rows"]],
                   int(data["skipped"]), list(data["notes"]))


class AggregationError(ValueError):
    """A block that cannot be computed: ``msgid`` names why, ``args`` fill it in."""

    def __init__(self, msgid: str, **params: Any):
        super().__init__(msgid)
        self.msgid = msgid
        self.params = params


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def number(value: Any) -> float | None:
    """A cell as a number, or None: full-width digits and thousands separators are read
    (「１，２３４」 → 1234.0); empty, text, NaN and infinity are not numbers."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if value is None:
        return None
    if isinstance(value, str) and "_" not in value:
        try:  # the common case (plain ASCII digits) without normalising
            result = float(value)
        except ValueError:
            pass
        else:
            return result if math.isfinite(result) else None
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "")
    if not text or not _NUMBER.match(text):
        return None
    result = float(text)
    return result if math.isfinite(result) else None


def label(value: Any) -> str:
    """A group's key as text; an empty cell is the group ""."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _need(rows_header: Iterable[str], *columns: str) -> None:
    header = set(rows_header)
    for column in columns:
        if column not in header:
            raise AggregationError("Column not found: {column}", column=column)


def _grouped(rows: Sequence[Row], group: str, value: str | None
             ) -> tuple[dict[str, list[float]], int, dict[str, int]]:
    """group → numbers of the value column (or [] for counts), skipped cells, row counts."""
    groups: dict[str, list[float]] = {}
    counts: dict[str, int] = {}
    skipped = 0
    for row in rows:
        key = label(row.get(group))
        groups.setdefault(key, [])
        counts[key] = counts.get(key, 0) + 1
        if value is None:
            continue
        n = number(row.get(value))
        if n is None:
            skipped += 1
        else:
            groups[key].append(n)
    return groups, skipped, counts


def _order(items: list[tuple[str, list[float]]], sort: str) -> list[tuple[str, list[float]]]:
    if sort == "value":
        return sorted(items, key=lambda item: (-item[1][0], item[0]))
    if sort == "label":
        return sorted(items, key=lambda item: _natural(item[0]))
    return items  # "first": in the order the groups first appear


def _natural(text: str) -> tuple:
    """「5-9」 before 「10-14」: numbers inside labels compare as numbers."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                 for part in re.split(r"(\d+)", text) if part)


def header_of(rows: Sequence[Row], header: Sequence[str] | None) -> list[str]:
    if header is not None:
        return list(header)
    return list(rows[0].keys()) if rows else []


def sum_by(rows: Sequence[Row], group: str, value: str, header: Sequence[str] | None = None,
           sort: str = "first") -> Result:
    """Σ value per group."""
    _need(header_of(rows, header), group, value)
    groups, skipped, _counts = _grouped(rows, group, value)
    items = [(key, [sum(values)]) for key, values in groups.items()]
    return Result("sum", group, [value], _order(items, sort), skipped)


def count_by(rows: Sequence[Row], group: str, header: Sequence[str] | None = None,
             sort: str = "first") -> Result:
    """Rows per group."""
    _need(header_of(rows, header), group)
    _groups, _skipped, counts = _grouped(rows, group, None)
    items = [(key, [float(n)]) for key, n in counts.items()]
    return Result("count", group, ["count"], _order(items, sort))


def mean_by(rows: Sequence[Row], group: str, value: str, header: Sequence[str] | None = None,
            sort: str = "first") -> Result:
    """Mean of the numeric cells per group; a group without one number is left out (a
    mean of nothing is not 0) and counted in ``notes``."""
    _need(header_of(rows, header), group, value)
    groups, skipped, _counts = _grouped(rows, group, value)
    items = [(key, [sum(values) / len(values)]) for key, values in groups.items() if values]
    result = Result("mean", group, [value], _order(items, sort), skipped)
    if len(items) < len(groups):
        result.notes.append("Groups without any number were left out.")
    return result


def time_series(rows: Sequence[Row], period: str, value: str | None,
                header: Sequence[str] | None = None) -> Result:
    """Σ value (or the row count, without a value column) per period, in time order.
    Periods are the cells as written (「2024」, 「2024-04」, 「2024-04-01」) sorted as text
    after normalisation, which orders ISO dates and years correctly."""
    if value:
        result = sum_by(rows, period, value, header)
    else:
        result = count_by(rows, period, header)
    result.rows = sorted(result.rows,
                         key=lambda item: _natural(unicodedata.normalize("NFKC", item[0])))
    result.aggregation = "timeseries"
    return result


PYRAMID_COLUMN = re.compile(r"^(?P<age>.+?)の(?P<sex>男性|女性)$")


def pyramid_columns(header: Sequence[str]) -> list[tuple[str, str, str]]:
    """(age label, male column, female column) from the standard dataset's naming
    (「0-4歳の男性」「0-4歳の女性」), in the header's order; ages missing a sex are left out."""
    ages: dict[str, dict[str, str]] = {}
    for column in header:
        match = PYRAMID_COLUMN.match(column.strip())
        if match:
            ages.setdefault(match["age"], {})[match["sex"]] = column
    return [(age, sexes["男性"], sexes["女性"]) for age, sexes in ages.items()
            if "男性" in sexes and "女性" in sexes]


def pyramid(rows: Sequence[Row], columns: Sequence[tuple[str, str, str]] | None = None,
            header: Sequence[str] | None = None, where: tuple[str, str] | None = None
            ) -> Result:
    """Σ men and Σ women per age band over the rows (all areas of the resource, or those
    whose ``where`` column equals the value). Bands listed youngest first."""
    head = header_of(rows, header)
    columns = list(columns) if columns else pyramid_columns(head)
    if not columns:
        raise AggregationError("No age columns (such as 0-4歳の男性 / 0-4歳の女性) were found.")
    for _age, male, female in columns:
        _need(head, male, female)
    if where:
        _need(head, where[0])
        rows = [row for row in rows if label(row.get(where[0])) == where[1]]
    skipped = 0
    out: list[tuple[str, list[float]]] = []
    for age, male, female in columns:
        totals = [0.0, 0.0]
        for row in rows:
            for index, column in enumerate((male, female)):
                n = number(row.get(column))
                if n is None:
                    skipped += 1
                else:
                    totals[index] += n
        out.append((age, totals))
    return Result("pyramid", "age", ["male", "female"], out, skipped)


def share(rows: Sequence[Row], category: str, value: str | None = None,
          header: Sequence[str] | None = None) -> Result:
    """Each category's part of the whole: (amount, percent), largest first. The amount is
    the row count, or Σ value with a value column."""
    base = sum_by(rows, category, value, header) if value else count_by(rows, category, header)
    whole = base.total()
    items = [(key, [values[0], (100.0 * values[0] / whole) if whole else 0.0])
             for key, values in base.rows]
    items.sort(key=lambda item: (-item[1][0], item[0]))
    return Result("share", category, [value or "count", "percent"], items, base.skipped)


def rate_per_10000(rows: Sequence[Row], group: str, population: Mapping[str, float],
                   value: str | None = None, header: Sequence[str] | None = None,
                   sort: str = "value") -> Result:
    """(count or Σ value) per 10,000 people of the group, the denominator read from a
    population table (group → people). Groups without a population (or with 0) are left
    out and counted in ``skipped``: a rate cannot be made up."""
    base = sum_by(rows, group, value, header) if value else count_by(rows, group, header)
    items = []
    missing = 0
    for key, values in base.rows:
        people = population.get(key)
        if not people:
            missing += 1
            continue
        items.append((key, [values[0], people, 10000.0 * values[0] / people]))
    if sort == "value":
        items.sort(key=lambda item: (-item[1][2], item[0]))
    result = Result("rate", group, [value or "count", "population", "per 10,000"], items,
                    base.skipped + missing)
    if missing:
        result.notes.append("Groups without a population were left out.")
    return result


def population_table(rows: Sequence[Row], group: str, value: str,
                     header: Sequence[str] | None = None) -> dict[str, float]:
    """group → Σ people (e.g. 市区町村コード → Σ 総人口 over its areas)."""
    return {key: values[0] for key, values in sum_by(rows, group, value, header).rows}


def compute(spec: Mapping[str, Any], rows: Sequence[Row], header: Sequence[str] | None = None,
            population: Mapping[str, float] | None = None) -> Result:
    """One chart block's aggregation from its (validated) spec."""
    kind = spec.get("aggregation")
    group = spec.get("group") or ""
    value = spec.get("value") or None
    sort = spec.get("sort") or "first"
    if kind == "sum":
        if not value:
            raise AggregationError("Choose the column to add up.")
        return sum_by(rows, group, value, header, sort)
    if kind == "count":
        return count_by(rows, group, header, sort)
    if kind == "mean":
        if not value:
            raise AggregationError("Choose the column to average.")
        return mean_by(rows, group, value, header, sort)
    if kind == "timeseries":
        return time_series(rows, group, value, header)
    if kind == "pyramid":
        where = (spec["where_column"], spec.get("where_value") or "") \
            if spec.get("where_column") else None
        return pyramid(rows, None, header, where)
    if kind == "share":
        return share(rows, group, value, header)
    if kind == "rate":
        if population is None:
            raise AggregationError("A per-10,000 rate needs a population resource.")
        return rate_per_10000(rows, group, population, value, header)
    raise AggregationError("Unknown aggregation: {name}", name=str(kind))


def fmt(value: float) -> str:
    """A figure as the table and CSV show it: integers without decimals, others with
    at most two."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def to_csv(result: Result, headers: Sequence[str]) -> str:
    """The figures as CSV (UTF-8 text; the view adds a BOM for spreadsheet programs).
    Cells starting with = + - @ are prefixed with ' so spreadsheets do not run them."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_cell(h) for h in headers])
    for key, values in result.rows:
        writer.writerow([_cell(key), *(fmt(v) for v in values)])
    return buffer.getvalue()


def _cell(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def read_csv(content: bytes, limit: int) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a CSV file as the portal's members publish them: UTF-8 (with or
    without BOM) or Shift_JIS (cp932); at most ``limit`` rows."""
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise AggregationError("The file is neither UTF-8 nor Shift_JIS text.")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return [], []
    except csv.Error:
        raise AggregationError("The file could not be read as CSV.") from None
    rows: list[dict[str, str]] = []
    try:
        for cells in reader:
            if len(rows) >= limit:
                break
            if not any(c.strip() for c in cells):
                continue
            rows.append(dict(zip(header, cells, strict=False)))
    except csv.Error:
        raise AggregationError("The file could not be read as CSV.") from None
    return header, rows
