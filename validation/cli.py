"""``regionaliot`` command line: validate, normalize, schemas.

Exit status of ``validate``: 0 valid, 1 errors found, 2 the file (or the
requested schema) cannot be used at all, 3 internal error (a bug in regionaliot,
not a problem of the file), 4 not checked: no errors, but which standard dataset the
file is could not be determined from its header, so only general checks ran (give
``--schema``). ``normalize`` and ``schemas`` exit 0, 2 or 3 the same way.

A failure prints no report on stdout (whatever ``--format``) and exactly one line on
stderr, never a traceback::

    regionaliot: <code>: <message>

``<code>`` is stable: a :class:`~.reader.ReadError` code (``empty``, ``binary``,
``encoding``, ``no-header``, ``too-long``, ``too-large``, ``csv``, ``xlsx``, ``io``),
``unknown-schema``, ``bad-schema`` (a ``--schema`` JSON file that is not a usable
Table Schema), or ``internal-error`` (exit 3).
"""
from __future__ import annotations

import argparse
import json
import os
import sys

from .checks import FieldCheck
from .engine import default_registry, validate_file
from .fixer import normalize
from .messages import label
from .reader import ReadError
from .registry import Schema, SchemaLoadError, SchemaNotFound

EXIT_VALID, EXIT_INVALID, EXIT_UNREADABLE, EXIT_INTERNAL, EXIT_UNCHECKED = 0, 1, 2, 3, 4
INTERNAL_ERROR = "internal-error"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="regionaliot",
                                     description="自治体標準オープンデータセットの検証 / Validate municipal open data")
    sub = parser.add_subparsers(dest="command", required=True)

    validate = sub.add_parser("validate", help="validate a CSV/TSV/xlsx file")
    validate.add_argument("file")
    validate.add_argument("--schema", help="dataset name (aed, legacy/aed) or schema JSON path")
    validate.add_argument("--format", choices=("text", "json", "html"), default="text")
    validate.add_argument("--lang", choices=("ja", "en"), default="ja")
    validate.add_argument("--max-findings", type=int, default=10_000,
                          help="findings listed in the report (counts always include all)")

    fix = sub.add_parser("normalize", help="write a corrected UTF-8 CSV")
    fix.add_argument("file")
    fix.add_argument("-o", "--output", required=True)
    fix.add_argument("--schema")
    fix.add_argument("--changes", help="also write the list of changes as JSON to this path")
    fix.add_argument("--lang", choices=("ja", "en"), default="ja")

    schemas = sub.add_parser("schemas", help="list known schemas")
    schemas.add_argument("--format", choices=("text", "json"), default="text")
    return parser


def _fail(code: str, message: str, status: int = EXIT_UNREADABLE) -> int:
    message = " ".join(message.split())  # one line, whatever the exception text holds
    print(f"regionaliot: {code}: {message}", file=sys.stderr)
    return status


def _internal(exc: Exception, lang: str) -> int:
    detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
    message = label("internal-error", lang, detail=detail)
    return _fail(INTERNAL_ERROR, message, EXIT_INTERNAL)


class _BadSchema(Exception):
    pass


def _check_schema_file(schema: str | None) -> None:
    """A ``--schema`` JSON file is the user's input, like the data file: one that is not a
    usable Table Schema is a clean refusal (exit 2), not an internal error."""
    if not schema or not schema.endswith(".json") or not os.path.isfile(schema):
        return
    try:
        with open(schema, encoding="utf-8") as handle:
            descriptor = json.load(handle)
        loaded = Schema.from_descriptor(descriptor)
        for column, spec in enumerate(loaded.fields):  # compiles patterns and own checks
            FieldCheck(spec, column, loaded.missing_values)
        import frictionless  # field types and formats, as the engine's cell reader sees them

        frictionless.Schema.from_descriptor(descriptor)
    except Exception as exc:  # noqa: BLE001 - whatever is wrong with the user's file
        raise _BadSchema(f"{type(exc).__name__}: {exc}") from None


def exit_status(report) -> int:
    """The exit status of ``validate`` for a report (see the module's docstring)."""
    if report.error_count:
        return EXIT_INVALID
    return EXIT_VALID if report.valid else EXIT_UNCHECKED


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    lang = getattr(args, "lang", "ja")
    try:
        _check_schema_file(getattr(args, "schema", None))
        if args.command == "validate":
            report = validate_file(args.file, args.schema, lang, max_findings=args.max_findings)
            status = exit_status(report)
            try:
                if args.format == "json":
                    print(report.to_json(lang))
                elif args.format == "html":
                    print(report.to_html(lang))
                else:
                    print(report.to_text(lang))
                sys.stdout.flush()
            except BrokenPipeError:  # e.g. piped into head: the verdict still stands
                sys.stdout = None  # type: ignore[assignment]  # silence the flush at exit
            return status
        if args.command == "normalize":
            result = normalize(args.file, args.output, args.schema)
            if args.changes:
                with open(args.changes, "w", encoding="utf-8") as handle:
                    json.dump(result.to_dict(), handle, ensure_ascii=False, indent=2)
            print(result.summary(lang))
            return EXIT_VALID
        if args.command == "schemas":
            registry = default_registry()
            if args.format == "json":
                print(json.dumps([{"name": s.name, "generation": s.generation, "title": s.title,
                                   "title_en": s.title_en, "fields": len(s.fields)}
                                  for s in registry.schemas], ensure_ascii=False, indent=2))
            else:
                for s in registry.schemas:
                    print(f"{s.key:32} {s.title} / {s.title_en} ({len(s.fields)})")
            return EXIT_VALID
    except ReadError as exc:
        return _fail(exc.code, exc.reason(lang))
    except SchemaNotFound as exc:
        return _fail("unknown-schema",
                     label("unknown-schema", lang, schema=str(exc)))
    except _BadSchema as exc:
        return _fail("bad-schema", label("bad-schema", lang, error=str(exc)))
    except SchemaLoadError as exc:  # an installed schema file is broken: the set is unusable
        return _fail("bad-schema", label("bad-schema", lang, error=str(exc)), EXIT_INTERNAL)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        sys.stdout = None  # type: ignore[assignment]
        return EXIT_VALID
    except OSError as exc:
        return _fail("io", f"{exc.strerror or exc}")
    except Exception as exc:  # last line of defence: one line, never a traceback, own status
        return _internal(exc, lang)
    return EXIT_UNREADABLE


if __name__ == "__main__":
    sys.exit(main())
