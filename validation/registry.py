"""Table Schemas of the standard datasets, loaded from ``regionaliot.schemas``.

Schemas live in ``tableschema/{legacy,standard}/<name>.json``; header aliases in
``tableschema/aliases.json``. Extra directories (tests, a local override) can
be added with the ``REGIONALIOT_SCHEMA_PATH`` environment variable
(``os.pathsep``-separated) or the ``extra_dirs`` argument.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from .checks import BY_KIND, CHECKS
from .headers import AliasTable, label_key, match_header

GENERATIONS = ("legacy", "standard")


@dataclass
class Schema:
    name: str | None
    generation: str | None
    title: str
    title_en: str
    fields: list[dict[str, Any]]
    missing_values: list[str] = field(default_factory=lambda: [""])
    primary_key: list[str] = field(default_factory=list)
    descriptor: dict[str, Any] = field(default_factory=dict)
    generic: bool = False  # inferred from a non-standard header: findings are warnings only

    @property
    def key(self) -> str:
        return f"{self.generation}/{self.name}"

    @property
    def field_names(self) -> list[str]:
        return [f["name"] for f in self.fields]

    @classmethod
    def from_descriptor(cls, descriptor: dict[str, Any], generation: str | None = None) -> Schema:
        check_descriptor(descriptor, frozenset(BY_KIND))
        primary_key = descriptor.get("primaryKey") or []
        if isinstance(primary_key, str):
            primary_key = [primary_key]
        return cls(
            name=descriptor.get("name"),
            generation=descriptor.get("generation", generation),
            title=descriptor.get("title", descriptor.get("name", "")),
            title_en=descriptor.get("title_en", descriptor.get("name", "")),
            fields=descriptor["fields"],
            missing_values=list(descriptor.get("missingValues", [""])),
            primary_key=list(primary_key),
            descriptor=descriptor,
        )


class SchemaNotFound(LookupError):
    pass


class SchemaLoadError(ValueError):
    """A schema file (or aliases.json) of the registry cannot be used: the registry refuses
    to start rather than validate files against a set of schemas with one silently missing."""

    def __init__(self, path: os.PathLike[str] | str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = os.fspath(path)
        self.reason = reason


TABLE_SCHEMA_TYPES = frozenset({"string", "number", "integer", "boolean", "object", "array", "date",
                                "time", "datetime", "year", "yearmonth", "duration", "geopoint",
                                "geojson", "any"})


def check_descriptor(descriptor: Any, known_checks: frozenset[str] | None = None) -> None:
    """Raise ValueError when ``descriptor`` is not a Table Schema this engine can use."""
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("fields"), list) \
            or not descriptor["fields"]:
        raise ValueError("a Table Schema needs a non-empty 'fields' list")
    names: set[str] = set()
    for number, spec in enumerate(descriptor["fields"], 1):
        if not isinstance(spec, dict) or not isinstance(spec.get("name"), str) or not spec["name"]:
            raise ValueError(f"field {number} has no name")
        name = spec["name"]
        if name in names:
            raise ValueError(f"field {name!r} appears twice")
        names.add(name)
        if spec.get("type", "string") not in TABLE_SCHEMA_TYPES:
            raise ValueError(f"field {name!r}: unknown type {spec.get('type')!r}")
        constraints = spec.get("constraints", {})
        if not isinstance(constraints, dict):
            raise ValueError(f"field {name!r}: constraints must be an object")
        if "pattern" in constraints:
            try:
                re.compile(constraints["pattern"])
            except (re.error, TypeError) as exc:
                raise ValueError(f"field {name!r}: pattern does not compile ({exc})") from None
        if "enum" in constraints and not isinstance(constraints["enum"], list):
            raise ValueError(f"field {name!r}: enum must be a list")
        kind = spec.get("x-check")
        if kind is not None and known_checks is not None and kind not in known_checks:
            raise ValueError(f"field {name!r}: unknown x-check {kind!r}")
    primary_key = descriptor.get("primaryKey") or []
    for name in [primary_key] if isinstance(primary_key, str) else primary_key:
        if name not in names:
            raise ValueError(f"primaryKey names {name!r}, which is not a field")


def _package_dir() -> Path | None:
    try:
        root = resources.files("regionaliot.schemas") / "tableschema"
    except (ModuleNotFoundError, TypeError):
        return None
    path = Path(str(root))
    return path if path.is_dir() else None


class Registry:
    """All known schemas plus the header alias table."""

    def __init__(self, extra_dirs: list[str | os.PathLike[str]] | None = None,
                 include_package: bool = True):
        self.schemas: list[Schema] = []
        dirs: list[Path] = []
        if include_package and (package := _package_dir()) is not None:
            dirs.append(package)
        env = os.environ.get("REGIONALIOT_SCHEMA_PATH")
        if env:
            dirs.extend(Path(p) for p in env.split(os.pathsep) if p)
        dirs.extend(Path(p) for p in (extra_dirs or []))
        alias_data = None
        for directory in dirs:
            aliases = directory / "aliases.json"
            if aliases.is_file():
                try:
                    alias_data = json.loads(aliases.read_text(encoding="utf-8"))
                except (ValueError, OSError) as exc:
                    raise SchemaLoadError(aliases, str(exc)) from None
            for generation in GENERATIONS:
                for path in sorted((directory / generation).glob("*.json")):
                    self._add(path, generation)
        self.aliases = AliasTable.from_json(alias_data) if alias_data is not None else AliasTable()
        self.known_keys = {label_key(name) for s in self.schemas for name in s.field_names}
        self._spread: dict[str, int] = {}
        # Which datasets (both generations of one count once) have a column: a column of
        # one dataset only (指定避難所との重複, 口径) says which dataset a file is.
        self._datasets_of: dict[str, set[str]] = {}
        for schema in self.schemas:
            for key in {label_key(name) for name in schema.field_names}:
                self._spread[key] = self._spread.get(key, 0) + 1
                self._datasets_of.setdefault(key, set()).add(schema.name or "")
        self.hints, self.newer_markers, self.older_name = _detection_data(alias_data)
        self.known_keys |= {key for keys in self.hints.values() for key in keys}

    def _add(self, path: Path, generation: str) -> None:
        try:
            schema = Schema.from_descriptor(json.loads(path.read_text(encoding="utf-8")), generation)
        except (ValueError, OSError) as exc:
            # Never dropped silently: a file checked against the wrong set of schemas would
            # get a wrong verdict (undetected, or another standard's rules).
            raise SchemaLoadError(path, str(exc)) from None
        schema.name = schema.name or path.stem
        # A later directory overrides an earlier one with the same key.
        self.schemas = [s for s in self.schemas if s.key != schema.key] + [schema]

    def names(self) -> list[str]:
        return [s.key for s in self.schemas]

    def by_name(self, name: str) -> Schema:
        """A known schema: ``aed``, ``legacy/aed`` or ``standard/aed``, nothing else.

        Never touches the filesystem: any other string (a path, ``../x.json``, an unknown
        name) raises the same ``SchemaNotFound(name)``, so input from the web cannot read
        a server file or learn whether one exists.
        """
        if not isinstance(name, str):
            raise SchemaNotFound(name)
        if "/" in name:
            for schema in self.schemas:
                if schema.key == name:
                    return schema
        else:
            found = [s for s in self.schemas if s.name == name]
            if found:
                # Prefer the current generation when both exist.
                found.sort(key=lambda s: s.generation != "standard")
                return found[0]
        raise SchemaNotFound(name)

    def get(self, name: str, *, allow_paths: bool = True) -> Schema:
        """``aed``, ``legacy/aed``, ``standard/aed`` or (``allow_paths``, the command line)
        a path to a schema JSON. With ``allow_paths=False`` this is ``by_name``."""
        if allow_paths and name.endswith(".json") and os.path.isfile(name):
            with open(name, encoding="utf-8") as handle:
                return Schema.from_descriptor(json.load(handle))
        return self.by_name(name)

    def get_matching(self, name: str, labels: list[str], *, allow_paths: bool = True) -> Schema:
        """Like ``get``, but a bare name with both generations (``public_toilet``) takes
        the generation whose columns the file's header carries: a municipality that
        picks the dataset type should not also have to know its generation."""
        if not isinstance(name, str) or "/" in name or name.endswith(".json"):
            return self.get(name, allow_paths=allow_paths)
        found = [s for s in self.schemas if s.name == name]
        if len(found) < 2:
            return self.by_name(name)

        def matched(schema: Schema) -> int:
            column_of = match_header(labels, schema.field_names, self.aliases).column_of
            return sum(1 for c in column_of if c is not None)

        # Most matching columns wins; on a tie the current generation does.
        return max(found, key=lambda s: (matched(s), s.generation == "standard"))

    def fit(self, schema: Schema, labels: list[str]) -> tuple[float, float, int]:
        """How well ``labels`` fit ``schema``: (weighted coverage of its fields, precision of
        the file's columns, matched columns). Columns shared by many datasets (名称, 住所,
        緯度 …) say little about which dataset a file is, so each field is weighted by
        1 / (schemas having it)."""
        present = sum(1 for label in labels if label.strip())
        column_of = match_header(labels, schema.field_names, self.aliases).column_of
        matched = sum(1 for c in column_of if c is not None)
        weights = [1 / max(1, self._spread.get(label_key(name), 0)) for name in schema.field_names]
        coverage = sum(w for w, c in zip(weights, column_of, strict=False) if c is not None) / sum(weights)
        return coverage, (matched / present if present else 0.0), matched

    def distinctive_matches(self, schema: Schema, labels: list[str]) -> int:
        """How many of ``labels`` are columns of ``schema`` that at most one other schema
        has (its other generation): 指定区分, 口径 … say which dataset a file is, 名称 does not."""
        column_of = match_header(labels, schema.field_names, self.aliases).column_of
        return sum(1 for name, column in zip(schema.field_names, column_of, strict=False)
                   if column is not None and self._spread.get(label_key(name), 0) <= 2)

    def best_fit(self, labels: list[str]) -> tuple[float, int, Schema] | None:
        """(score, matched columns, schema) of the schema the header fits best, however
        badly; None for a header without labels."""
        if not any(label.strip() for label in labels):
            return None
        best: tuple[float, int, Schema] | None = None
        for schema in self.schemas:
            coverage, precision, matched = self.fit(schema, labels)
            score = 2 * coverage * precision / (coverage + precision) if coverage + precision else 0.0
            if best is None or (score, matched) > (best[0], best[1]):
                best = (score, matched, schema)
        return best

    def detect(self, labels: list[str]) -> Schema | None:
        """The schema whose fields best match ``labels`` or None.

        A file that carries most of a schema's columns (weighted: see ``fit``) is that
        dataset. Failing that, real publishers ship subsets in their own order: a file with
        at least two columns no other dataset has (``distinctive``: 文化財分類, 指定区分 …)
        among at least three of the dataset's columns is that dataset too. A header of the
        newer generation whose schema the registry lacks is never taken for the older
        one (``newer_generation`` names it)."""
        present = [label for label in labels if label.strip()]
        if not present:
            return None
        best: tuple[bool, float, int, Schema] | None = None
        for schema in self.schemas:
            coverage, precision, matched = self.fit(schema, labels)
            # Nearly all of a standard's columns make a file that standard whatever the
            # publisher added beside them (焼津市's 観光施設: all 30, plus 19 of its own).
            complete = coverage >= 0.9 and matched >= 0.9 * len(schema.fields)
            if (coverage < 0.7 or precision < 0.7) and not complete:
                continue
            score = 2 * coverage * precision / (coverage + precision)
            if best is None or (complete, score, matched) > (best[0], best[1], best[2]):
                best = (complete, score, matched, schema)
        found = best[3] if best else self._detect_subset(labels)
        if found is not None and self._lacks_newer(found, labels):
            return None
        return found

    def _detect_subset(self, labels: list[str]) -> Schema | None:
        best: tuple[tuple, Schema] | None = None
        for schema in self.schemas:
            distinct, known, matched, coverage = self.distinctive_profile(schema, labels)
            if distinct < 2 or known < 3:
                continue
            rank = (distinct, matched, coverage, schema.generation == "standard")
            if best is None or rank > best[0]:
                best = (rank, schema)
        return best[1] if best else None

    def distinctive_profile(self, schema: Schema, labels: list[str]) -> tuple[int, int, int, float]:
        """(columns of this dataset only, columns known for it, matched fields, weighted
        coverage) of ``labels`` against ``schema``; known columns include the dataset's
        detection hints (columns real files of it carry beside the standard's own)."""
        coverage, _, matched = self.fit(schema, labels)
        column_of = match_header(labels, schema.field_names, self.aliases).column_of
        mapped = {c for c in column_of if c is not None}
        distinct = sum(1 for name, column in zip(schema.field_names, column_of, strict=False)
                       if column is not None
                       and self._datasets_of.get(label_key(name), set()) == {schema.name})
        hints = self.hints.get(schema.name or "", frozenset())
        hinted = sum(1 for index, label in enumerate(labels)
                     if index not in mapped and label_key(label) in hints)
        return distinct + hinted, matched + hinted, matched, coverage

    def _lacks_newer(self, schema: Schema, labels: list[str]) -> bool:
        """``labels`` are the newer generation's header of ``schema``'s dataset, and the
        registry has no newer-generation schema of it."""
        if schema.generation == "standard":
            return False
        if any(s.name == schema.name and s.generation == "standard" for s in self.schemas):
            return False
        keys = {label_key(label) for label in labels}
        own = {label_key(name) for name in schema.field_names}
        older = {label_key(text) for text in self.older_name.values()}
        return bool(keys & self.newer_markers) and not keys & own & older

    def newer_generation(self, labels: list[str]) -> Schema | None:
        """For a header that no schema fits: the older-generation schema of the dataset when
        ``labels`` are that dataset's newer-generation header (全国地方公共団体コード,
        所在地_連結表記 …), whose schema the registry does not have; else None."""
        keys = [label_key(label) for label in labels]
        if not set(keys) & self.newer_markers:
            return None
        older = [self.older_name.get(key, label) for key, label in zip(keys, labels, strict=True)]
        found = self.detect(older)
        if found is None:
            found = next((s for s in self.schemas if self._lacks_newer(s, labels)
                          and self.distinctive_profile(s, older)[0] >= 2), None)
        if found is None or found.generation == "standard" or not self._lacks_newer(found, labels):
            return None
        return found


def _detection_data(data: Any) -> tuple[dict[str, frozenset[str]], frozenset[str], dict[str, str]]:
    """From aliases.json: each dataset's detection hints (label keys), the label keys that
    mark a header of the newer generation, and newer → older column names (as keys → text)."""
    if not isinstance(data, dict):
        return {}, frozenset(), {}
    hints = {str(name): frozenset(label_key(str(label)) for label in labels)
             for name, labels in (data.get("detection_hints") or {}).items()
             if isinstance(labels, list)}
    markers = (data.get("generation_markers") or {}).get("standard") or []
    older: dict[str, str] = {}
    for pair in data.get("renamed_between_generations") or []:
        if isinstance(pair, dict) and pair.get("legacy") and pair.get("standard"):
            older[label_key(str(pair["standard"]))] = str(pair["legacy"])
    return hints, frozenset(label_key(str(m)) for m in markers), older


# --- non-standard files: infer light checks from well-known column names -----------



def generic_schema(labels: list[str]) -> Schema:
    """A constraint-free schema for an unknown dataset: general checks only."""
    fields: list[dict[str, Any]] = []
    for label in labels:
        spec: dict[str, Any] = {"name": label, "type": "string"}
        key = label_key(label).lstrip("#")
        rules = ((pattern, kind) for check in CHECKS.values() for kind, pattern in check.headers)
        for pattern, check in rules:  # each check names the columns it applies to
            if pattern.search(key):
                spec["x-check"] = check
                break
        fields.append(spec)
    return Schema(name=None, generation=None, title="", title_en="", fields=fields, generic=True)
