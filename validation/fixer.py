"""``normalize``: write a corrected UTF-8 CSV and list every change; ``correct``: the same
as bytes in memory (for a page that hands the corrected file back in the same request and
stores it nowhere), each change with a message in the reader's language.

Only fixes that cannot be wrong are applied: standard header text, metadata
lines and blank rows removed, full-width digits made half-width, ISO dates
from 和暦 or 1947/4/1, the check digit added to a 5-digit code, ○ → 1/有,
9:00 → 09:00, half-width kana and hiragana → katakana, swapped lat/lon.
Anything ambiguous (a wrong check digit, 5 digits that could also be a lost
leading zero, text in a time column) is left as it is.
"""
from __future__ import annotations

import csv
import io
import os
import tempfile
from dataclasses import dataclass, field
from typing import IO, Any

from .checks import CODES, JAPAN_LAT, JAPAN_LON, FieldCheck
from .engine import default_registry, resolve_schema, table_label_scorer, to_float
from .headers import match_header
from .messages import change_message, label
from .reader import open_table
from .registry import Registry, Schema


@dataclass
class NormalizeResult:
    output: str
    schema: str | None
    generation: str | None
    encoding: str
    rows: int = 0
    changes: list[dict[str, Any]] = field(default_factory=list)

    def change(self, row: int | None, field_name: str, old: Any, new: Any, code: str) -> None:
        self.changes.append({"row": row, "field": field_name, "old": old, "new": new, "code": code})

    def to_dict(self) -> dict[str, Any]:
        return {"output": self.output, "schema": self.schema, "generation": self.generation,
                "encoding": self.encoding, "rows": self.rows, "changes": self.changes}

    def summary(self, lang: str = "ja") -> str:
        return label("normalized", lang, path=self.output, rows=self.rows, changes=len(self.changes))


@dataclass
class Corrected:
    """The corrected file in memory: UTF-8 CSV bytes and every change made."""

    content: bytes
    schema: str | None
    generation: str | None
    encoding: str  # the encoding the source was read in
    rows: int
    changes: list[dict[str, Any]]  # row, field, old, new, code, message (in ``lang``)

    def to_dict(self) -> dict[str, Any]:
        """Everything but the content (JSON-ready)."""
        return {"schema": self.schema, "generation": self.generation, "encoding": self.encoding,
                "rows": self.rows, "changes": self.changes, "size": len(self.content)}


def correct(path: str | os.PathLike[str], schema: str | Schema | None = None, *,
            lang: str = "ja", registry: Registry | None = None, bom: bool = False,
            encoding: str | None = None, allow_schema_paths: bool = False) -> Corrected:
    """The corrected UTF-8 CSV of ``path`` as bytes, with every change and its message in
    ``lang``. Writes nothing to disk. Raises ReadError, SchemaNotFound as ``normalize``;
    ``allow_schema_paths`` is False by default: this is the web's entry point."""
    buffer = io.StringIO(newline="")
    result = _normalize(path, buffer, "", schema, registry=registry, encoding=encoding,
                        allow_schema_paths=allow_schema_paths)
    text = buffer.getvalue()
    content = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")
    changes = [{**change, "message": change_message(change, lang)} for change in result.changes]
    return Corrected(content, result.schema, result.generation, result.encoding, result.rows, changes)


def correct_bytes(data: bytes, schema: str | Schema | None = None, **options: Any) -> Corrected:
    """``correct`` for an upload held in memory: the bytes pass through a private temporary
    file (the reader streams from a path), removed before this returns."""
    with tempfile.TemporaryDirectory(prefix="regionaliot-correct-") as directory:
        source = os.path.join(directory, "upload")
        with open(source, "wb") as handle:
            handle.write(data)
        return correct(source, schema, **options)


def _sure(code: str) -> bool:
    info = CODES.get(code)
    return info is not None and info.fixable


def _fixed(check: FieldCheck, value: str) -> tuple[str, list[str]]:
    codes = []
    for _ in range(3):  # a full-width 5-digit code needs two fixes
        result = check.fix(value)
        if result is None or not _sure(result[1]) or result[0] == value:
            break
        value = result[0]
        codes.append(result[1])
    return value, codes


def normalize(path: str | os.PathLike[str], output: str | os.PathLike[str],
              schema: str | Schema | None = None, *, registry: Registry | None = None,
              bom: bool = False, encoding: str | None = None,
              allow_schema_paths: bool = True) -> NormalizeResult:
    """Write a corrected copy of ``path`` to ``output`` (UTF-8 CSV). Raises ReadError.

    ``encoding``: the character encoding the publisher declared (None: detect it);
    ``allow_schema_paths``: as for ``validate_file`` (False for a schema named on the web)."""
    output = os.fspath(output)
    with open(output, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        return _normalize(path, handle, output, schema, registry=registry, encoding=encoding,
                          allow_schema_paths=allow_schema_paths)


def _normalize(path: str | os.PathLike[str], handle: IO[str], output: str,
               schema: str | Schema | None, *, registry: Registry | None, encoding: str | None,
               allow_schema_paths: bool) -> NormalizeResult:
    registry = registry or default_registry()
    with open_table(path, table_label_scorer(registry), encoding) as table:
        resolved = resolve_schema(table, schema, registry, allow_paths=allow_schema_paths)
        result = NormalizeResult(output, resolved.name if resolved else None,
                                 resolved.generation if resolved else None, table.encoding)
        if table.encoding not in ("utf-8", "xlsx"):
            result.change(None, "", table.encoding, "utf-8", "encoding")
        if table.metadata_rows:
            result.change(None, "", table.metadata_rows, 0, "metadata-rows")
        if table.trailing_blank:
            result.change(table.header_row, "", "", None, "trailing-empty-column")
        labels = table.labels
        width = len(labels)

        # Output columns: the schema's fields in standard order, then unknown columns as they were.
        if resolved is not None:
            column_of = match_header(labels, resolved.field_names, registry.aliases).column_of
            out_labels = list(resolved.field_names)
            sources: list[int | None] = list(column_of)
            for name, column in zip(resolved.field_names, column_of, strict=False):
                if column is None:
                    result.change(table.header_row, name, None, name, "missing-label")
                elif labels[column] != name:
                    result.change(table.header_row, name, labels[column], name, "header")
            for column, label in enumerate(labels):
                if column not in column_of:
                    out_labels.append(label)
                    sources.append(column)
            checks = {column: FieldCheck(spec, column, resolved.missing_values)
                      for spec, column in zip(resolved.fields, column_of, strict=False) if column is not None}
            lat = next((c for c in checks.values() if c.xcheck == "latitude"), None)
            lon = next((c for c in checks.values() if c.xcheck == "longitude"), None)
        else:
            out_labels = [" ".join(label.split()) for label in labels]
            for label, clean in zip(labels, out_labels, strict=False):
                if label != clean:
                    result.change(table.header_row, clean, label, clean, "header")
            sources = list(range(width))
            checks, lat, lon = {}, None, None

        writer = csv.writer(handle)
        writer.writerow(out_labels)
        number = table.first_data_row - 1
        for row in table.rows():
            number += 1
            if not any(row):
                result.change(number, "", None, None, "blank-row")
                continue
            extra = row[width:]
            if len(row) < width:
                row = row + [""] * (width - len(row))
            for column, check in checks.items():
                value = row[column]
                if not value or value in check.good:
                    continue
                new, codes = _fixed(check, value)
                if codes:
                    row[column] = new
                    result.change(number, check.name, value, new, codes[-1] if len(codes) == 1 else "+".join(codes))
            if lat is not None and lon is not None:
                _swap_if_sure(row, lat, lon, number, result)
            out = ["" if s is None else row[s] for s in sources]
            if any(extra):  # cells beyond the header: keep them rather than lose data
                out.extend(extra)
            writer.writerow(out)
            result.rows += 1
    return result


def _swap_if_sure(row: list[str], lat: FieldCheck, lon: FieldCheck, number: int,
                  result: NormalizeResult) -> None:
    a, b = to_float(row[lat.column]), to_float(row[lon.column])
    if a is None or b is None:
        return
    if (JAPAN_LON[0] <= a <= JAPAN_LON[1] and JAPAN_LAT[0] <= b <= JAPAN_LAT[1]):
        old_lat, old_lon = row[lat.column], row[lon.column]
        row[lat.column], row[lon.column] = old_lon, old_lat
        result.change(number, lat.name, old_lat, old_lon, "latlon-swapped")
        result.change(number, lon.name, old_lon, old_lat, "latlon-swapped")
