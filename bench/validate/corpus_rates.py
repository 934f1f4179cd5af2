"""Detection rate and false-alarm rate of the validator's standard detection on real
municipal files (bench/validate/corpus, see its README). No services; run under nice:

    nice -n 10 .venv/bin/python bench/validate/corpus_rates.py

corpus/expected.csv names the standard of each file that is one (labelled by reading its
header against the standard's definition); every other file of the corpus is a municipality's
own list, which must not be taken for a standard. Detection rate: standard files detected
as their standard. False alarms: own lists detected as any standard, plus standard files
detected as another one.
"""
from __future__ import annotations

import csv
import sys
from pathlib import Path

from regionaliot.validation.engine import default_registry, table_label_scorer
from regionaliot.validation.reader import ReadError, open_table

CORPUS = Path(__file__).resolve().parent / "corpus"


def main() -> int:
    expected = {row["file"]: row["expected"] for row in
                csv.DictReader((CORPUS / "expected.csv").open(encoding="utf-8"))}
    registry = default_registry()
    hits = misses = wrong = own = alarms = 0
    for path in sorted(CORPUS.glob("*/*.csv")):
        name = path.relative_to(CORPUS).as_posix()
        try:
            with open_table(path, table_label_scorer(registry)) as table:
                found = registry.detect(table.labels)
        except ReadError as exc:
            print(f"unreadable {name}: {exc.code}")
            continue
        got = found.key if found else "-"
        want = expected.get(name)
        if want is None:
            own += 1
            alarms += found is not None
            mark = "FALSE ALARM" if found else "ok"
        elif got == want:
            hits += 1
            mark = "ok"
        else:
            misses += 1
            wrong += found is not None
            mark = "WRONG" if found else "missed"
        print(f"{mark:11} {name}: {got} (expected {want or 'none'})")
    standard = hits + misses
    print(f"\nstandard files: {standard}, detected {hits} ({hits / max(1, standard):.0%}); "
          f"own lists: {own}, false alarms {alarms} ({alarms / max(1, own):.0%}); "
          f"standard files taken for another standard: {wrong}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
