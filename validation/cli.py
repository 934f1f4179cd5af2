"""``regionaliot`` command line: validate, normalize, schemas.

Exit status of ``validate``: 0 valid, 1 errors found, 2 the file (or the
requested schema) cannot be used at all. Failures print one line, never a
traceback.
"""
from __future__ import annotations

import argparse
import json
import sys

from .engine import default_registry, validate_file
from .fixer import normalize
from .reader import ReadError
from .registry import SchemaNotFound

EXIT_VALID, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2


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


def _fail(message: str) -> int:
    print(f"regionaliot: {message}", file=sys.stderr)
    return EXIT_UNREADABLE


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    lang = getattr(args, "lang", "ja")
    try:
        if args.command == "validate":
            report = validate_file(args.file, args.schema, lang, max_findings=args.max_findings)
            status = EXIT_VALID if report.valid else EXIT_INVALID
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
        return _fail(exc.reason(lang))
    except SchemaNotFound as exc:
        return _fail(("unknown schema: " if lang == "en" else "スキーマがありません: ") + str(exc))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        sys.stdout = None  # type: ignore[assignment]
        return EXIT_VALID
    except OSError as exc:
        return _fail(f"{exc.strerror or exc}")
    except Exception as exc:  # last line of defence: one line, never a traceback
        return _fail(f"internal error ({type(exc).__name__}: {exc})")
    return EXIT_UNREADABLE


if __name__ == "__main__":
    sys.exit(main())
