"""``python -m regionaliot.validation.i18n extract|update|compile|check`` (see __init__.py)."""
from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path

from . import DOMAIN, HERE, catalogue_problems, catalogues, compile_catalogues

SOURCE = HERE.parent  # validation/, the package whose code holds the msgids
MAPPING = HERE / "babel.cfg"
TEMPLATE = HERE / f"{DOMAIN}.pot"


def _pybabel(*args: str) -> int:
    from babel.messages.frontend import CommandLineInterface

    return CommandLineInterface().run(["pybabel", *args]) or 0


def code_msgids() -> set[str]:
    """Every msgid the code marks, extracted with the one mapping in babel.cfg."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping

    with open(MAPPING, encoding="utf-8") as handle:
        method_map, options_map = parse_mapping(handle)
    with warnings.catch_warnings():  # Babel looks up extractors through pkg_resources
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.filterwarnings("ignore", "pkg_resources is deprecated", UserWarning)
        return {message for _, _, message, _, _ in extract_from_dir(str(SOURCE), method_map, options_map)
                if isinstance(message, str)}


def check() -> list[str]:
    """Problems of each catalogue against the code: missing, obsolete, fuzzy, untranslated."""
    from babel.messages.pofile import read_po

    wanted = code_msgids()
    problems = []
    for po in catalogues():
        with open(po, "rb") as handle:
            catalog = read_po(handle, domain=DOMAIN)
        have = {message.id for message in catalog if message.id}
        problems += [f"{po.parent.parent.name}: missing {m!r}" for m in sorted(wanted - have)]
        problems += [f"{po.parent.parent.name}: obsolete {m!r}" for m in sorted(have - wanted)]
        problems += [f"{po.parent.parent.name}: {p}" for p in catalogue_problems(catalog)]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m regionaliot.validation.i18n",
                                     description="The validation engine's gettext catalogues")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("extract", help=f"write {TEMPLATE.name} from the code")
    sub.add_parser("update", help="merge the .pot into every .po")
    compile_ = sub.add_parser("compile", help="compile every .po to .mo")
    compile_.add_argument("--output-dir", help="write <lang>/LC_MESSAGES/*.mo there instead of beside the .po")
    sub.add_parser("check", help="every msgid of the code translated in every .po, none fuzzy")
    args = parser.parse_args(argv)
    if args.command == "extract":
        os.chdir(SOURCE.parent)  # locations relative to the package: validation/messages.py:30
        return _pybabel("extract", "-F", str(MAPPING), "--sort-by-file", "--project", DOMAIN,
                        "--copyright-holder", "regionaliot", "-o", str(TEMPLATE), SOURCE.name)
    if args.command == "update":
        return _pybabel("update", "-D", DOMAIN, "-d", str(HERE), "-i", str(TEMPLATE))
    if args.command == "compile":
        for mo in compile_catalogues(Path(args.output_dir) if args.output_dir else None):
            print(mo)
        return 0
    problems = check()
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
