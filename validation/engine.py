"""Validate a file: read it, match its header to a schema, run the checks.

Rows are processed in chunks: each chunk is transposed into columns and every
field's checker runs over its column (see checks.py for why that is fast).
Row numbers follow Frictionless: the physical record number in the file,
counting the header record (and anything above it) — the first data row under a
first-line header is row 2.
"""
from __future__ import annotations

import csv
import gc
import os
from collections.abc import Callable
from itertools import compress, islice, repeat
from operator import not_

from . import crossfield
from .checks import (
    ASCII_NUMBER_RE,
    FORMULA_PREFIXES,
    JAPAN_LAT,
    JAPAN_LON,
    FieldCheck,
    is_formula_like,
    nfkc,
)
from .headers import label_hits, match_header
from .keyset import SeenKeys
from .reader import ReadError, Table, columnar_readable, open_table
from .registry import Registry, Schema, SchemaNotFound, generic_schema
from .report import Report

CHUNK_ROWS = 10_000
# A chunk also ends once it holds this many characters: 10,000 lines of up to 1 MiB each
# would otherwise be gigabytes. Ordinary rows (~200 characters) never reach it.
CHUNK_CHARS = 16 << 20
# So a chunk overshoots CHUNK_CHARS by at most 32 lines of ≤ 1 MiB, plus the reader's block
# (reader.BLOCK_CHARS: it counts characters a block at a time).
CHUNK_STEP = 32
# And at this many cells (rows × header width): short rows are padded to the header's
# width, so a header of 16,384 columns would make 10,000 rows 1.3 GB of pointers.
CHUNK_CELLS = 4 << 20

# Smaller files go the row path (same findings), which starts faster: 200-row files ran at
# 63 files/s (CPU) on the columnar path, 76 on the row path (bench/validate --small-files).
COLUMNAR_MIN_BYTES = 1 << 20

_default_registry: Registry | None = None


def default_registry() -> Registry:
    global _default_registry
    if _default_registry is None:
        _default_registry = Registry()
    return _default_registry


def table_label_scorer(registry: Registry) -> Callable[[list[str]], int]:
    keys = registry.known_keys
    return lambda record: label_hits(record, keys)


def resolve_schema(table: Table, schema: str | Schema | None, registry: Registry, *,
                   allow_paths: bool = True) -> Schema | None:
    if isinstance(schema, Schema):
        return schema
    if schema:
        return registry.get_matching(schema, table.labels, allow_paths=allow_paths)
    return registry.detect(table.labels)


def validate_file(path: str | os.PathLike[str], schema: str | Schema | None = None, lang: str = "ja",
                  *, registry: Registry | None = None, max_findings: int | None = 10_000,
                  chunk_rows: int = CHUNK_ROWS, encoding: str | None = None,
                  allow_schema_paths: bool = True, engine: str = "auto") -> Report:
    """Validate ``path`` and return a Report.

    ``schema`` is a name (``aed``, ``legacy/aed``), a path to a schema JSON, a
    Schema, or None to detect it from the header; ``encoding`` is the character encoding
    the publisher declared (None: detect it). Raises ``ReadError`` when the
    file cannot be read at all and ``SchemaNotFound`` for an unknown name.

    ``allow_schema_paths=False`` is for a ``schema`` that comes from the web: only known
    names are resolved, the filesystem is never consulted, and a path (existing or not,
    schema or not) raises the same ``SchemaNotFound`` as an unknown name.

    ``engine``: ``auto`` checks UTF-8 and Shift_JIS text files of COLUMNAR_MIN_BYTES or more
    on the columnar path (see columnar.py) and anything it does not vouch for on the row
    path, from the start;
    ``rows`` only the row path; ``columnar`` raises ``columnar.Fallback`` instead of falling
    back (tests). The findings are the same either way.
    """
    registry = registry or default_registry()
    report = Report(os.fspath(path), lang=lang, max_findings=max_findings)
    with open_table(path, table_label_scorer(registry), encoding) as table:
        resolved = resolve_schema(table, schema, registry, allow_paths=allow_schema_paths)
        report.encoding = table.encoding
        report.dialect = table.dialect
        report.header_row = table.header_row
        report.labels = list(table.labels)
        plan = Plan(table, resolved, registry, report)
        if isinstance(schema, str) and not schema.endswith(".json") and resolved is not None:
            _better_schema(table, resolved, registry, report)
        if engine == "rows" or not columnar_readable(table) or \
                (engine == "auto" and os.path.getsize(path) < COLUMNAR_MIN_BYTES):
            plan.run(table.fast_rows(), chunk_rows)
            return report
        from . import columnar  # pyarrow: only for the files that take this path

        try:
            columnar.ColumnarRun(plan).run(chunk_rows, CHUNK_CELLS)
            return report
        except columnar.Fallback:
            if engine == "columnar":
                raise
    return validate_file(path, schema, lang, registry=registry, max_findings=max_findings,
                         chunk_rows=chunk_rows, encoding=encoding,
                         allow_schema_paths=allow_schema_paths, engine="rows")


def _resembles(labels: list[str], registry: Registry, report: Report, header_row: int) -> None:
    """An undetected file that still carries a few columns of one standard: name it, so the
    person can check the file against it (a subset of columns in another order, say); a
    newer-generation header whose schema the registry lacks is named as such."""
    report.determined = False
    newer = registry.newer_generation(labels)
    if newer is not None:
        report.resembles = {"better": newer.title, "better_en": newer.title_en,
                            "better_generation": "standard", "suggest": ""}
        report.add(header_row, None, "", "schema-newer-generation", "warning", "",
                   dict(report.resembles))
        return
    best = registry.best_fit(labels)
    if best is None:
        return
    schema = best[2]
    coverage, _, matched = registry.fit(schema, labels)
    if matched < 3 or coverage < 0.3 or registry.distinctive_matches(schema, labels) < 2:
        return
    report.resembles = {"better": schema.title, "better_en": schema.title_en,
                        "better_generation": schema.generation or "", "suggest": schema.key}
    report.add(header_row, None, "", "schema-resembles", "warning", "", {
        **report.resembles, "better_matched": matched, "better_total": len(schema.fields)})


def _better_schema(table: Table, chosen: Schema, registry: Registry, report: Report) -> None:
    """A standard picked by name whose columns the header hardly has: say which standard
    the header fits instead, so the person can pick that one."""
    labels = table.labels
    best = registry.best_fit(labels)
    if best is None or best[2] is chosen or best[2].key == chosen.key:
        return
    better = best[2]
    chosen_cov, _, chosen_matched = registry.fit(chosen, labels)
    better_cov, _, better_matched = registry.fit(better, labels)
    if better_matched <= chosen_matched or better_cov < 0.5 or better_cov < chosen_cov + 0.2:
        return
    report.add(table.header_row, None, "", "schema-mismatch", "warning", "", {
        "better": better.title, "better_en": better.title_en, "suggest": better.key,
        "better_generation": better.generation or "", "chosen": chosen.title,
        "chosen_en": chosen.title_en, "chosen_generation": chosen.generation or "",
        "better_matched": better_matched, "better_total": len(better.fields),
        "chosen_matched": chosen_matched, "chosen_total": len(chosen.fields)})


class Plan:
    """Compiled checks for one file against one schema."""

    def __init__(self, table: Table, schema: Schema | None, registry: Registry, report: Report):
        self.report = report
        self.table = table
        labels = table.labels
        self.width = len(labels)
        self.trailing_blank = table.trailing_blank
        self.pad_short_rows = table.dialect == "xlsx"
        emit = report.add
        header_row = table.header_row

        if schema is None:
            emit(header_row, None, "", "schema-not-detected", "warning")
            _resembles(labels, registry, report, header_row)
            schema = generic_schema(labels)
        else:
            report.schema = schema.name
            report.schema_title = schema.title_en if report.lang == "en" else schema.title
            report.schema_titles = {"ja": schema.title, "en": schema.title_en}
            report.generation = schema.generation
        self.schema = schema
        generic = schema.generic

        if table.encoding in ("cp932", "utf-16", "utf-16-le", "utf-16-be"):
            emit(header_row, None, "", "encoding-not-utf8", "warning", params={"encoding": table.encoding})
        if table.metadata_rows:
            emit(header_row, None, "", "metadata-rows", "warning", params={"count": table.metadata_rows})
        if table.trailing_blank:
            emit(header_row, self.width + 1, "", "trailing-empty-column", "warning")

        # Header: which file column holds which schema field.
        if generic:
            column_of: list[int | None] = list(range(len(labels)))
            for index, label in enumerate(labels):
                stripped = " ".join(label.split())
                if label and stripped != label:
                    emit(header_row, index + 1, label, "header-whitespace", "warning",
                         label, {"fix": stripped})
        else:
            match = match_header(labels, schema.field_names, registry.aliases)
            column_of = match.column_of
            for column, name, code, severity, params in match.findings:
                emit(header_row, column, name, code, severity, params.get("cell", ""), params)
            self._header_findings(labels, column_of)

        self.field_of_column: dict[int, str] = {}
        self.sheet_pending: list[tuple] = []
        for spec, column in zip(schema.fields, column_of, strict=False):
            if column is not None:
                self.field_of_column[column] = spec["name"]
        if table.sheet_notes is not None:
            self._sheet_findings(table.sheet_notes)
        self.checks: list[FieldCheck] = []
        numeric_columns: set[int] = set()
        for spec, column in zip(schema.fields, column_of, strict=False):
            if column is None:
                continue
            self.field_of_column[column] = spec["name"]
            check = FieldCheck(spec, column, schema.missing_values, generic)
            if check.type in ("number", "integer"):
                numeric_columns.add(column)
            if check.active:
                self.checks.append(check)
        # primaryKey, as Frictionless checks it (skipped when a key column is missing: the
        # header finding says so).
        self.pk_checks: list[FieldCheck] = []
        self.pk_seen = SeenKeys()
        self.pk_label = "、".join(schema.primary_key)
        if schema.primary_key and not generic:
            by_name = dict(zip(schema.field_names, zip(schema.fields, column_of, strict=False), strict=False))
            pairs = [by_name.get(name) for name in schema.primary_key]
            if all(pair is not None and pair[1] is not None for pair in pairs):
                self.pk_checks = [FieldCheck(spec, column, schema.missing_values)
                                  for spec, column in pairs]
        self.lat = next((c for c in self.checks if c.xcheck == "latitude"), None)
        self.lon = next((c for c in self.checks if c.xcheck == "longitude"), None)
        self.pair_severity = "warning" if generic else "error"
        self.formula_columns = [c for c in range(self.width) if c not in numeric_columns]
        # Checks across a row's cells (toilet totals, a totals row …), in the same pass.
        self.cross = None if generic else crossfield.CrossChecks(self.field_of_column) or None

    def _sheet_findings(self, notes) -> None:
        """xlsx: cells whose value the file does not hold (a formula never calculated, the
        hidden part of a merged range) would otherwise read as empty without a word.
        Findings on data rows wait for their chunk, to merge with the cell's other findings."""
        first_data = self.table.first_data_row
        pending = []
        for row, column, formula in notes.formulas:
            pending.append((row, column, "xlsx-formula-no-value", "error", "=" + formula,
                            {"formula": formula}))
        for row, column, last_row, _last_column, ref in notes.merged:
            severity = "error" if last_row >= first_data else "warning"
            pending.append((row, column, "xlsx-merged-cells", severity, ref, {"range": ref}))
        pending.sort(key=lambda item: item[:2])
        self.sheet_pending = [item for item in pending if item[0] >= first_data]
        for item in pending:
            if item[0] < first_data:
                self._emit_sheet(item)

    def _emit_sheet(self, item) -> None:
        row, column, code, severity, cell, params = item
        self.report.add(row, column, self._column_name(column - 1), code, severity, cell, params)

    def _column_name(self, index: int) -> str:
        if index in self.field_of_column:
            return self.field_of_column[index]
        labels = self.table.labels
        return labels[index] if 0 <= index < len(labels) else ""

    def _header_findings(self, labels: list[str], column_of: list[int | None]) -> None:
        emit = self.report.add
        header_row = self.table.header_row
        for spec, column in zip(self.schema.fields, column_of, strict=False):
            if column is None:
                required = bool((spec.get("constraints") or {}).get("required"))
                emit(header_row, None, spec["name"], "missing-label", "error" if required else "warning")
        mapped = {c for c in column_of if c is not None}
        seen: dict[str, int] = {}
        for index, label in enumerate(labels):
            if not label.strip():
                emit(header_row, index + 1, "", "blank-label", "error", "", {})
                continue
            if label in seen:
                emit(header_row, index + 1, label, "duplicate-label", "error", label)
            seen.setdefault(label, index)
            if index not in mapped:
                emit(header_row, index + 1, label, "extra-label", "warning", label)
        # Report only the first field out of order: one move usually explains the rest.
        previous = -1
        for rank, (spec, column) in enumerate(zip(self.schema.fields, column_of, strict=False)):
            if column is None:
                continue
            if column < previous:
                emit(header_row, column + 1, spec["name"], "column-order", "warning",
                     params={"expected": rank + 1})
                break
            previous = column

    # ------------------------------------------------------------ rows

    def run(self, rows, chunk_rows: int) -> None:
        base = self.table.first_data_row
        # Chunks are millions of short-lived lists and tuples without cycles: the
        # cyclic GC would rescan them over and over for nothing.
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            while True:
                chunk = self._take(rows, chunk_rows)
                if not chunk:
                    break
                self.report.rows += len(chunk)
                self._chunk(chunk, base)
                base += len(chunk)
            for item in self.sheet_pending:  # rows the reader never reached
                self._emit_sheet(item)
            self.sheet_pending = []
        except ReadError:
            raise
        except (csv.Error, UnicodeDecodeError) as exc:  # fast_rows: no guard around each row
            raise self.table.read_error(exc) from None
        except MemoryError:
            raise ReadError("too-large") from None
        finally:
            if gc_was_enabled:
                gc.enable()
            for check in self.checks:
                check.seen_keys.close()
            self.pk_seen.close()

    def _take(self, rows, chunk_rows: int) -> list[list[str]]:
        """The next chunk: at most ``chunk_rows`` rows and CHUNK_CELLS cells, and no more
        batches of CHUNK_STEP rows once it holds CHUNK_CHARS characters (checked per batch,
        not per row: the hot path stays in C)."""
        chunk_rows = max(1, min(chunk_rows, CHUNK_CELLS // max(1, self.width)))
        counter = self.table.chars_read
        if counter is None:
            return list(islice(rows, chunk_rows))
        limit = counter[0] + CHUNK_CHARS
        chunk: list[list[str]] = []
        while len(chunk) < chunk_rows and counter[0] <= limit:
            batch = list(islice(rows, min(CHUNK_STEP, chunk_rows - len(chunk))))
            if not batch:
                break
            chunk += batch
        return chunk

    def _chunk(self, chunk: list[list[str]], base: int) -> None:
        width = self.width
        rownums: list[int] | None = None
        self.report.begin_cells()
        if self.sheet_pending:
            end = base + len(chunk)
            while self.sheet_pending and self.sheet_pending[0][0] < end:
                self._emit_sheet(self.sheet_pending.pop(0))
        if not all(map(width.__eq__, map(len, chunk))):
            chunk = self.even_out(chunk, base)
        if not all(map(any, chunk)):
            keep = list(map(any, chunk))
            numbers = range(base, base + len(chunk))
            for number in compress(numbers, map(not_, keep)):
                self.report.add(number, None, "", "blank-row", "error")
                if self.pk_checks:  # Frictionless: its key cells are all missing too
                    self.report.add(number, None, "", "primary-key:empty", "error", "", {"key": self.pk_label})
            rownums = list(compress(numbers, keep))
            chunk = list(compress(chunk, keep))
        if not chunk:
            return
        columns = list(zip(*chunk, strict=False))
        rowmap = rownums.__getitem__ if rownums is not None else (lambda i: base + i)
        for check in self.checks:
            self.check_field(check, columns[check.column], rowmap)
        if self.pk_checks:
            self.primary_key(columns, rowmap, len(chunk))
        if self.lat is not None and self.lon is not None:
            self._pairs(columns[self.lat.column], columns[self.lon.column], rowmap)
        for column in self.formula_columns:
            self._formulas(column, columns[column], rowmap)
        if self.cross is not None:
            self.cross.run(columns.__getitem__, len(chunk), rowmap, self.report)

    def even_out(self, chunk: list[list[str]], base: int) -> list[list[str]]:
        """Pad short rows and cut long ones to the header width, reporting as Frictionless does."""
        width = self.width
        tolerated = width + self.trailing_blank
        emit = self.report.add
        out = []
        for offset, row in enumerate(chunk):
            length = len(row)
            if length == width:
                out.append(row)
                continue
            number = base + offset
            if length > width:
                head = row[:width]
                tail = row[width:]
                if any(head) and (length > tolerated or any(tail)):
                    for column in range(width, length):
                        if column < tolerated and row[column] == "":
                            continue
                        emit(number, column + 1, "", "extra-cell", "error", row[column])
                out.append(head)
            else:
                if any(row) and not self.pad_short_rows:
                    for column in range(length, width):
                        name = self.field_of_column.get(column, self.table.labels[column])
                        emit(number, column + 1, name, "missing-cell", "error")
                out.append(row + [""] * (width - length))
        return out

    def check_field(self, check: FieldCheck, column: tuple[str, ...], rowmap) -> None:
        emit = self.report.add
        number = check.column + 1
        name = check.name
        missing = check.missing
        if missing == {""}:
            has_blank = "" in column
            present = column
        else:
            present = list(map(missing.__contains__, column))
            has_blank = any(present)
            present = list(map(not_, present))
        if has_blank:
            if check.required:
                for i in compress(range(len(column)), map(not_, present)):
                    emit(rowmap(i), number, name, "constraint-error:required", "error", "",
                         {"constraint": True})
            index = list(compress(range(len(column)), present))
            values = list(compress(column, present))
        else:
            index = None
            values = column
        if not values:
            check.japan_ok = True
            check.outside_japan = set()
            return
        if check.decide_cardinality:
            check.decide_cardinality = False
            check.low_cardinality = len(set(values)) * 4 < len(values)
        suspects = check.suspects(values)
        bad = {}
        if suspects:
            classify = check.classify
            for value in suspects:
                verdict = classify(value)
                if verdict:
                    bad[value] = verdict
        if bad:
            for j in compress(range(len(values)), map(bad.__contains__, values)):
                value = values[j]
                row = rowmap(index[j] if index is not None else j)
                for code, severity, params in bad[value]:
                    emit(row, number, name, code, severity, value, params)
        if check.unique or check.track_ids:
            self.duplicates(check, values, index, bad, rowmap)

    def duplicates(self, check: FieldCheck, values, index, bad, rowmap) -> None:
        # Compared by value as Frictionless compares them (never by hash: hash(-1) == hash(-2));
        # values it cannot read (type errors) take no part in uniqueness.
        if bad and any(code == "type-error" for verdict in bad.values() for code, _, _ in verdict):
            broken = {v for v, verdict in bad.items() if any(c == "type-error" for c, _, _ in verdict)}
            keep = list(map(not_, map(broken.__contains__, values)))
            positions = list(compress(index if index is not None else range(len(values)), keep))
            values = list(compress(values, keep))
        else:
            positions = index
        keys = values if check.type == "string" and check.format == "default" \
            else list(map(check.unique_key, values))
        repeats = check.seen_keys.repeats(keys)
        if repeats is None:
            return
        found = list(compress(range(len(keys)), repeats))
        self.duplicate_findings(check, [rowmap(positions[j] if positions is not None else j) for j in found],
                                [values[j] for j in found])

    def duplicate_findings(self, check: FieldCheck, rows: list[int], cells: list[str]) -> None:
        """The findings of cells whose value an earlier row of the column already had."""
        code = "unique-error" if check.unique else "duplicate-id"
        for row, cell in zip(rows, cells, strict=True):
            self.report.add(row, check.column + 1, check.name, code, "error", cell)

    def primary_key(self, columns, rowmap, count: int) -> None:
        """Frictionless's ``primary-key``: a row whose key cells are all missing, or whose
        key (the values as Frictionless reads them) an earlier row already had."""
        keys = []
        for check in self.pk_checks:
            column = columns[check.column] if columns else ("",) * count
            keys.append(list(map(check.unique_key, column)))
        emit = self.report.add
        rows = []
        keyed = []
        for i, key in enumerate(zip(*keys, strict=True)):
            if all(part is None for part in key):
                emit(rowmap(i), None, "", "primary-key:empty", "error", "", {"key": self.pk_label})
            else:
                rows.append(i)
                keyed.append(key)
        repeats = self.pk_seen.repeats(keyed)
        if repeats is None:
            return
        for i, key in compress(zip(rows, keyed, strict=True), repeats):
            emit(rowmap(i), None, "", "primary-key:duplicate", "error",
                 " / ".join("" if part is None else str(part) for part in key), {"key": self.pk_label})

    def _pairs(self, lat_column, lon_column, rowmap) -> None:
        if self.lat.japan_ok and self.lon.japan_ok:  # computed while checking the fields
            return
        lat_out, lon_out = self.lat.outside_japan, self.lon.outside_japan
        if lat_out is not None and lon_out is not None:
            # The field checks already know which distinct values lie outside Japan.
            positions = range(len(lat_column))
            suspicious = set(compress(positions, map(lat_out.__contains__, lat_column)))
            suspicious.update(compress(positions, map(lon_out.__contains__, lon_column)))
        else:
            suspicious = _out_of_range(lat_column, JAPAN_LAT) | _out_of_range(lon_column, JAPAN_LON)
        if suspicious:
            self.pair_findings(sorted(suspicious), lat_column, lon_column, rowmap)

    def pair_findings(self, positions, lat_column, lon_column, rowmap) -> None:
        """The exact latitude/longitude test of the rows at ``positions`` (a superset of
        those outside Japan, in row order)."""
        emit = self.report.add
        severity = self.pair_severity
        for i in positions:
            lat_text, lon_text = lat_column[i], lon_column[i]
            lat, lon = to_float(lat_text), to_float(lon_text)
            lat_ok = lat is None or JAPAN_LAT[0] <= lat <= JAPAN_LAT[1]
            lon_ok = lon is None or JAPAN_LON[0] <= lon <= JAPAN_LON[1]
            if lat_ok and lon_ok:
                continue
            row = rowmap(i)
            if (lat is not None and lon is not None and JAPAN_LON[0] <= lat <= JAPAN_LON[1]
                    and JAPAN_LAT[0] <= lon <= JAPAN_LAT[1]):
                emit(row, self.lat.column + 1, self.lat.name, "latlon-swapped", severity, lat_text,
                     {"lat": lat_text, "lon": lon_text, "fix": lon_text, "fix_pair": (lon_text, lat_text)})
                continue
            if not lat_ok:
                emit(row, self.lat.column + 1, self.lat.name, "latitude-out-of-japan", severity, lat_text)
            if not lon_ok:
                emit(row, self.lon.column + 1, self.lon.name, "longitude-out-of-japan", severity, lon_text)

    def _formulas(self, column: int, values, rowmap) -> None:
        # One C-speed scan of the joined column; a multi-line cell can only cause a false
        # alarm, which the exact test below settles.
        joined = "\n" + "\n".join(values)
        if not any(map(joined.__contains__, _FORMULA_MARKERS)):
            return
        positions = compress(range(len(values)), map(str.startswith, values, repeat(FORMULA_PREFIXES)))
        self.formula_findings(column, positions, values, rowmap)

    def formula_findings(self, column: int, positions, values, rowmap) -> None:
        """``formula-cell`` for the cells at ``positions`` (those starting like a formula)."""
        name = self.field_of_column.get(column, self.table.labels[column])
        for i in positions:
            value = values[i]
            if not is_formula_like(value):
                continue
            self.report.add(rowmap(i), column + 1, name, "formula-cell", "warning", value,
                            {"first": value[0]})


_FORMULA_MARKERS = tuple("\n" + prefix for prefix in FORMULA_PREFIXES)


def to_float(text: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        return float(text if text.isascii() else nfkc(text))
    except ValueError:
        return None


def _out_of_range(column, bounds: tuple[float, float]) -> set[int]:
    """Positions whose value is not a plain number inside ``bounds`` (blanks are fine)."""
    values = column
    if "" in column:
        values = [v if v else "35" for v in column] if bounds is JAPAN_LAT else \
            [v if v else "135" for v in column]
    if all(map(ASCII_NUMBER_RE.fullmatch, values)):
        floats = list(map(float, values))
        if min(floats) >= bounds[0] and max(floats) <= bounds[1]:
            return set()
    out = set()
    for i, value in enumerate(values):
        number = to_float(value)
        if number is None or not (bounds[0] <= number <= bounds[1]):
            out.add(i)
    return out


__all__ = ["validate_file", "default_registry", "Plan", "ReadError", "SchemaNotFound"]
