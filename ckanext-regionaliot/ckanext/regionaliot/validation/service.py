"""The one place the portal calls the validation engine (``regionaliot.validation``).

Everything else in the plugin goes through ``validate`` and ``normalize`` here,
so an engine API change touches this module only.
"""
from __future__ import annotations

import logging
import os
from typing import Any

from regionaliot.validation import engine, fixer, messages
from regionaliot.validation.reader import ReadError
from regionaliot.validation.registry import SchemaLoadError, SchemaNotFound
from regionaliot.validation.report import unreadable_report

log = logging.getLogger(__name__)

__all__ = ["BrokenSchemas", "UnknownSchema", "Unreadable", "correct_bytes", "in_language",
           "labels", "load_schemas", "normalize", "schema_choices", "validate"]


class UnknownSchema(Exception):
    """The requested standard schema is not in the engine's registry."""


class BrokenSchemas(RuntimeError):
    """A schema file of the engine cannot be loaded: the portal must not start with one
    standard silently missing (files would get a wrong verdict)."""


def load_schemas() -> int:
    """Load the engine's schema registry now (at start-up); returns how many schemas it has.

    Raises BrokenSchemas naming the file and the reason, instead of a 500 on the first
    validation."""
    try:
        registry = engine.default_registry()
    except SchemaLoadError as exc:
        raise BrokenSchemas(f"regionaliot_validation: cannot load the standard schemas: {exc}. "
                            "Fix or remove that file (or REGIONALIOT_SCHEMA_PATH) and start "
                            "again.") from None
    return len(registry.schemas)


class Unreadable(Exception):
    """The file cannot be read as a table (empty, binary, unknown encoding, broken CSV)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def _lang(lang: str | None) -> str:
    return "en" if lang == "en" else "ja"


def validate(path: str | os.PathLike[str], schema: str | None = None, *, lang: str = "ja",
             max_findings: int | None = 1000, encoding: str | None = None) -> dict[str, Any]:
    """The engine's report as a dict (keys valid, schema, generation, encoding, rows,
    summary, counts, truncated, errors, warnings).

    An unreadable file is a report with one error (code ``file-<reason>``), not an
    exception: for a resource it means "fix the file", like any other error.
    ``schema`` None lets the engine detect the dataset from the header; it is user input,
    so only the engine's own schema names are accepted, never a path on this server.
    ``encoding`` is the resource's declared character encoding (None: detected).
    Raises UnknownSchema for a name the engine does not know.
    """
    try:
        report = engine.validate_file(path, schema or None, lang=_lang(lang),
                                      max_findings=max_findings, encoding=encoding,
                                      allow_schema_paths=False)
    except SchemaNotFound:
        raise UnknownSchema(schema) from None
    except ReadError as exc:
        return unreadable_report(exc, schema, _lang(lang))
    data = report.to_dict(_lang(lang))
    data.pop("path", None)  # a server path is nobody's business
    return data


def normalize(path: str | os.PathLike[str], output: str | os.PathLike[str],
              schema: str | None = None, *, lang: str = "ja",
              encoding: str | None = None) -> dict[str, Any]:
    """Write the engine's corrected UTF-8 CSV of ``path`` to ``output``; returns its summary."""
    try:
        result = fixer.normalize(path, output, schema or None, encoding=encoding,
                                 allow_schema_paths=False)
    except SchemaNotFound:
        raise UnknownSchema(schema) from None
    except ReadError as exc:
        raise Unreadable(exc.code, exc.reason(_lang(lang))) from None
    data = result.to_dict()
    data.pop("output", None)
    return data


def correct_bytes(data: bytes, schema: str | None = None, *, lang: str = "ja",
                  encoding: str | None = None) -> dict[str, Any]:
    """The engine's corrected UTF-8 CSV of an upload held in memory, stored nowhere:
    ``content`` (bytes), ``changes`` (each with its ``message`` in ``lang``), rows, schema."""
    try:
        result = fixer.correct_bytes(data, schema or None, lang=_lang(lang), encoding=encoding,
                                     allow_schema_paths=False)
    except SchemaNotFound:
        raise UnknownSchema(schema) from None
    except ReadError as exc:
        raise Unreadable(exc.code, exc.reason(_lang(lang))) from None
    return dict(result.to_dict(), content=result.content)


def schema_choices() -> list[tuple[str, str]]:
    """(name, title) of every schema the engine knows, for the public check page."""
    registry = engine.default_registry()
    seen: dict[str, str] = {}
    for schema in registry.schemas:
        if schema.name and schema.name not in seen:
            seen[schema.name] = schema.title or schema.name
    return sorted(seen.items())


def labels(validation: dict[str, Any] | None, lang: str) -> dict[str, str]:
    """A stored record's encoding and generation as people call them
    (「UTF-8（BOM付き）」, not ``utf-8-sig``), in the reader's ``lang``."""
    validation = validation or {}
    return {"encoding_label": messages.encoding_name(validation.get("encoding"), _lang(lang)),
            "generation_label": messages.generation_name(validation.get("generation"), _lang(lang))}


def in_language(report: dict[str, Any] | None, lang: str) -> dict[str, Any] | None:
    """A stored report with its findings and summary rendered in the reader's ``lang``
    (reports are stored once, in the language of the run; each finding keeps its code
    and parameters, so it can be said again in another language)."""
    if not report:
        return report
    return messages.render_report(report, _lang(lang))
