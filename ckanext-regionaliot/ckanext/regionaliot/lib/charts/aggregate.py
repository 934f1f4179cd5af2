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
        try:  # an integer beyond float's range (a DataStore numeric of 400 digits)
            result = float(value)
        except OverflowError:
            return None
        return result if math.isfinite(result) else None
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


@dataclass
class Group:
    """What a group's figures are made of: its rows, the sum of its value cells that are
    numbers, and how many were numbers. The pure path counts them from rows; the DataStore
    path (the plugin's SQL) gets the same three from one aggregate query."""
    rows: int = 0
    total: float = 0.0
    numbers: int = 0


Groups = dict[str, Group]  # label → figures, in the order the groups first appear


def add_group(groups: Groups, key: str, rows: int, total: float, numbers: int) -> None:
    """Adds to a group (raw keys that read as the same label are one group)."""
    group = groups.setdefault(key, Group())
    group.rows += rows
    group.total += total
    group.numbers += numbers


def group_stats(rows: Iterable[Row], group: str | None, value: str | None) -> Groups:
    """The groups of ``rows`` by the ``group`` column (None: all rows are one group ""),
    with the ``value`` column's numbers."""
    groups: Groups = {}
    for row in rows:
        n = number(row.get(value)) if value is not None else None
        key = label(row.get(group)) if group is not None else ""
        add_group(groups, key, 1, n or 0.0, int(n is not None))
    return groups


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


def from_groups(kind: str, group: str, value: str | None, groups: Groups,
                sort: str = "first", population: Mapping[str, float] | None = None
                ) -> Result:
    """A chart's figures from its groups: sum, count, mean, timeseries, share or rate."""
    skipped = sum(g.rows - g.numbers for g in groups.values()) if value else 0
    if kind == "sum":
        items = [(key, [g.total]) for key, g in groups.items()]
        return Result("sum", group, [value or ""], _order(items, sort), skipped)
    if kind == "count":
        items = [(key, [float(g.rows)]) for key, g in groups.items()]
        return Result("count", group, ["count"], _order(items, sort))
    if kind == "mean":
        # A mean of nothing is not 0: such a group is left out, and the page says so.
        items = [(key, [g.total / g.numbers]) for key, g in groups.items() if g.numbers]
        result = Result("mean", group, [value or ""], _order(items, sort), skipped)
        if len(items) < len(groups):
            result.notes.append("Groups without any number were left out.")
        return result
    base = from_groups("sum" if value else "count", group, value, groups)
    if kind == "timeseries":
        # Periods as written (「2024」「2024-04」「2024-04-01」), sorted as text after
        # normalisation, which orders ISO dates and years correctly.
        base.rows.sort(key=lambda item: _natural(unicodedata.normalize("NFKC", item[0])))
        base.aggregation = "timeseries"
        return base
    if kind == "share":
        whole = base.total()
        items = [(key, [values[0], (100.0 * values[0] / whole) if whole else 0.0])
                 for key, values in base.rows]
        items.sort(key=lambda item: (-item[1][0], item[0]))
        return Result("share", group, [value or "count", "percent"], items, base.skipped)
    if kind == "rate":
        if population is None:
            raise AggregationError("A per-10,000 rate needs a population resource.")
        # Groups without a population (or 0) are left out and counted: a rate cannot be
        # made up.
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
    raise AggregationError("Unknown aggregation: {name}", name=str(kind))


def sum_by(rows: Sequence[Row], group: str, value: str, header: Sequence[str] | None = None,
           sort: str = "first") -> Result:
    """Σ value per group."""
    _need(header_of(rows, header), group, value)
    return from_groups("sum", group, value, group_stats(rows, group, value), sort)


def count_by(rows: Sequence[Row], group: str, header: Sequence[str] | None = None,
             sort: str = "first") -> Result:
    """Rows per group."""
    _need(header_of(rows, header), group)
    return from_groups("count", group, None, group_stats(rows, group, None), sort)


def mean_by(rows: Sequence[Row], group: str, value: str, header: Sequence[str] | None = None,
            sort: str = "first") -> Result:
    """Mean of the numeric cells per group; a group without one number is left out."""
    _need(header_of(rows, header), group, value)
    return from_groups("mean", group, value, group_stats(rows, group, value), sort)


def time_series(rows: Sequence[Row], period: str, value: str | None,
                header: Sequence[str] | None = None) -> Result:
    """Σ value (or the row count, without a value column) per period, in time order."""
    _need(header_of(rows, header), period, *([value] if value else []))
    return from_groups("timeseries", period, value, group_stats(rows, period, value))


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


def pyramid_plan(header: Sequence[str], where: tuple[str, str] | None = None
                 ) -> list[tuple[str, str, str]]:
    """The age columns of a pyramid, every column it reads checked against the header."""
    columns = pyramid_columns(header)
    if not columns:
        raise AggregationError("No age columns (such as 0-4歳の男性 / 0-4歳の女性) were found.")
    if where:
        _need(header, where[0])
    return columns


def pyramid_from_groups(columns: Sequence[tuple[str, str, str]], groups: Mapping[str, Groups],
                        where: tuple[str, str] | None = None) -> Result:
    """The pyramid from one ``Groups`` per age column, each grouped by the ``where``
    column (or by nothing: one group ""): only the groups labelled as the ``where`` value
    count. Bands listed youngest first; cells that are not numbers are counted."""
    skipped = 0
    out: list[tuple[str, list[float]]] = []
    for age, male, female in columns:
        totals = [0.0, 0.0]
        for index, column in enumerate((male, female)):
            for key, g in groups[column].items():
                if where is None or key == where[1]:
                    totals[index] += g.total
                    skipped += g.rows - g.numbers
        out.append((age, totals))
    return Result("pyramid", "age", ["male", "female"], out, skipped)


def pyramid(rows: Sequence[Row], columns: Sequence[tuple[str, str, str]] | None = None,
            header: Sequence[str] | None = None, where: tuple[str, str] | None = None
            ) -> Result:
    """Σ men and Σ women per age band over the rows (all areas of the resource, or those
    whose ``where`` column equals the value)."""
    head = header_of(rows, header)
    columns = list(columns) if columns else pyramid_plan(head, where)
    for _age, male, female in columns:
        _need(head, male, female)
    by = where[0] if where else None
    groups = {c: group_stats(rows, by, c) for _a, male, female in columns for c in (male, female)}
    return pyramid_from_groups(columns, groups, where)


def share(rows: Sequence[Row], category: str, value: str | None = None,
          header: Sequence[str] | None = None) -> Result:
    """Each category's part of the whole: (amount, percent), largest first. The amount is
    the row count, or Σ value with a value column."""
    _need(header_of(rows, header), category, *([value] if value else []))
    return from_groups("share", category, value, group_stats(rows, category, value))


def rate_per_10000(rows: Sequence[Row], group: str, population: Mapping[str, float],
                   value: str | None = None, header: Sequence[str] | None = None,
                   sort: str = "value") -> Result:
    """(count or Σ value) per 10,000 people of the group, the denominator read from a
    population table (group → people)."""
    _need(header_of(rows, header), group, *([value] if value else []))
    return from_groups("rate", group, value, group_stats(rows, group, value), sort,
                       population)


def population_table(rows: Sequence[Row], group: str, value: str,
                     header: Sequence[str] | None = None) -> dict[str, float]:
    """group → Σ people (e.g. 市区町村コード → Σ 総人口 over its areas)."""
    return {key: values[0] for key, values in sum_by(rows, group, value, header).rows}


FIGURE_AGGREGATIONS = ("sum", "count", "mean")


def figure_from_groups(kind: str, value: str | None, groups: Groups,
                       where: tuple[str, str] | None = None) -> Result:
    """A key figure: Σ value, the row count or the mean over all rows (or the rows whose
    ``where`` column reads as the value; ``groups`` are grouped by it). One row, label ""."""
    chosen = [g for key, g in groups.items() if where is None or key == where[1]]
    rows = sum(g.rows for g in chosen)
    total = sum(g.total for g in chosen)
    numbers = sum(g.numbers for g in chosen)
    skipped = rows - numbers if value else 0
    if kind == "count":
        return Result("figure", "", ["count"], [("", [float(rows)])])
    if kind == "sum":
        return Result("figure", "", [value or ""], [("", [total])], skipped)
    if kind == "mean":
        # A mean of nothing is not 0: no figure.
        return Result("figure", "", [value or ""], [("", [total / numbers])] if numbers else [],
                      skipped)
    raise AggregationError("Unknown aggregation: {name}", name=str(kind))


def figure_columns(spec: Mapping[str, Any], header: Sequence[str]) -> tuple[str | None,
                                                                            str | None]:
    """(where column or None, value column or None) of a computed key figure, checked."""
    kind = spec.get("aggregation") or "sum"
    value = spec.get("value") or None if kind != "count" else None
    if kind in ("sum", "mean") and not value:
        raise AggregationError("Choose the column to add up." if kind == "sum"
                               else "Choose the column to average.")
    where = where_of(spec)
    _need(header, *([value] if value else []), *([where[0]] if where else []))
    return (where[0] if where else None), value


def figure(spec: Mapping[str, Any], rows: Sequence[Row], header: Sequence[str] | None = None
           ) -> Result:
    """A computed key figure over rows (the pure path)."""
    by, value = figure_columns(spec, header_of(rows, header))
    return figure_from_groups(spec.get("aggregation") or "sum", value,
                              group_stats(rows, by, value), where_of(spec))


def chart_columns(spec: Mapping[str, Any], header: Sequence[str]
                  ) -> tuple[str, str | None]:
    """(group column, value column or None) of a grouped chart block, checked against the
    header, with the messages a writer needs."""
    kind = spec.get("aggregation")
    group = spec.get("group") or ""
    value = spec.get("value") or None
    if kind not in AGGREGATIONS or kind == "pyramid":
        raise AggregationError("Unknown aggregation: {name}", name=str(kind))
    if kind == "sum" and not value:
        raise AggregationError("Choose the column to add up.")
    if kind == "mean" and not value:
        raise AggregationError("Choose the column to average.")
    if kind == "count":
        value = None  # a count reads no value column
    _need(header, group, *([value] if value else []))
    return group, value


def where_of(spec: Mapping[str, Any]) -> tuple[str, str] | None:
    """A pyramid's area filter (column, value), if any."""
    return (spec["where_column"], spec.get("where_value") or "") \
        if spec.get("where_column") else None


def sort_of(spec: Mapping[str, Any]) -> str:
    # Rates rank largest first unless the writer chose an order.
    return spec.get("sort") or ("value" if spec.get("aggregation") == "rate" else "first")


def compute(spec: Mapping[str, Any], rows: Sequence[Row], header: Sequence[str] | None = None,
            population: Mapping[str, float] | None = None) -> Result:
    """One chart block's aggregation from its (validated) spec, over rows."""
    head = header_of(rows, header)
    if spec.get("aggregation") == "pyramid":
        return pyramid(rows, None, head, where_of(spec))
    group, value = chart_columns(spec, head)
    return from_groups(str(spec["aggregation"]), group, value, group_stats(rows, group, value),
                       sort_of(spec), population)


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
