"""Peak memory and time of validating hostile xlsx files, with and without the limits.

    .venv/bin/python bench/validate/xlsx_bomb.py            # all cases, limits on and off
    .venv/bin/python bench/validate/xlsx_bomb.py --scale 4  # bigger bombs (slower "off" runs)

Each case is built in bench/out/ (git-ignored) and validated in its own child process,
which reports its peak RSS (``getrusage(RUSAGE_SELF).ru_maxrss``). "off" lifts every
limit of reader.py (XLSX_MAX_*) and engine.CHUNK_CELLS, which is how the engine behaved
before they existed (the reading by content and reset_dimensions stay on). Children
run under RLIMIT_AS (--cap-gb, default 6) so that a bomb cannot take the machine down.

Cases:
- shared-strings: <si><t>x</t></si> repeated, packed at ~400:1 (the probe's 2.6 MB file
  reached 6.3 GB);
- one-row: one worksheet row of 500,000 varied numbers (openpyxl builds a row whole);
- wide-header: a 16,384-column header over 10,000 one-cell rows (padded to the header).

Last figures (2026-11-30, 2 vCPU shared with other work, Python 3.11, openpyxl 3.1.5):

| case | packed | unpacked | limits off: peak RSS, time | limits on |
| --- | --- | --- | --- | --- |
| shared-strings | 43 kB | 17 MB | 140 MB, 20 s | 48 MB, 0.3 s: refused (ratio 411:1) |
| one-row | 1.9 MB | 9.9 MB | 316 MB, 6.9 s | 56 MB, 1.3 s: refused (row of 9.5 MB) |
| wide-header | 68 kB | 1.3 MB | 2,566 MB, 24 s | 130 MB, 19 s: read (chunks of 256 rows) |

Memory grows linearly with the bomb (a shared-strings table of 85 MB, 211 kB packed, took
506 MB and 121 s), so the probe's 2.6 MB file at 6.3 GB is the same curve. The limits cost
a legitimate file one streaming pass over its worksheets: 1.3 s of 10.7 s CPU for a
30,000-row sheet of 18 MB XML.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(ROOT, "bench", "out")

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def _package(path: str, write_sheet, write_strings) -> None:
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{CT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{CT}.worksheet+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{CT}.sharedStrings+xml"/></Types>'),
        "_rels/.rels": (f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
                        f'Target="xl/workbook.xml" Type="{DOC}/officeDocument"/></Relationships>'),
        "xl/workbook.xml": (f'<workbook xmlns="{MAIN}" xmlns:r="{DOC}"><sheets><sheet name="S" '
                            'sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{RELS}">'
            f'<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="{DOC}/worksheet"/>'
            f'<Relationship Id="rId2" Target="sharedStrings.xml" Type="{DOC}/sharedStrings"/>'
            "</Relationships>"),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as package:
        for name, text in parts.items():
            package.writestr(name, text)
        with package.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as handle:
            handle.write(f'<worksheet xmlns="{MAIN}"><sheetData>'.encode())
            write_sheet(handle)
            handle.write(b"</sheetData></worksheet>")
        with package.open("xl/sharedStrings.xml", "w", force_zip64=True) as handle:
            handle.write(f'<sst xmlns="{MAIN}">'.encode())
            write_strings(handle)
            handle.write(b"</sst>")


def _header(handle) -> None:
    handle.write(b'<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c>'
                 b'<c r="B1" t="inlineStr"><is><t>address</t></is></c></row>')


def build(case: str, scale: int) -> str:
    path = os.path.join(OUT, f"bomb_{case}_{scale}.xlsx")
    if os.path.exists(path):
        return path
    os.makedirs(OUT, exist_ok=True)
    if case == "shared-strings":
        def strings(handle):
            for _ in range(100 * scale):
                handle.write(b"<si><t>x</t></si>" * 10_000)
        _package(path, _header, strings)
    elif case == "one-row":
        def sheet(handle):
            _header(handle)
            for number in range(2, 40):  # past the rows searched for the header
                handle.write(b'<row r="%d"><c t="inlineStr"><is><t>x</t></is></c></row>' % number)
            handle.write(b'<row r="40">')
            noise = random.Random(1)  # varied numbers: packs ~5:1, under the ratio limit
            for _ in range(50 * scale):
                handle.write(b"".join(b"<c><v>%d</v></c>" % noise.randrange(10**6) for _ in range(10_000)))
            handle.write(b"</row>")
        _package(path, sheet, lambda handle: None)
    elif case == "wide-header":
        def sheet(handle):
            handle.write(b'<row r="1">' + b"".join(
                b'<c t="inlineStr"><is><t>c%d</t></is></c>' % i for i in range(16_384)) + b"</row>")
            for number in range(2, 2 + 10_000 * scale):
                handle.write(b'<row r="%d"><c t="inlineStr"><is><t>x</t></is></c></row>' % number)
        _package(path, sheet, lambda handle: None)
    return path


def worker(path: str, limits: str, cap_gb: float) -> None:
    cap = int(cap_gb * (1 << 30))
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    from regionaliot.validation import engine, reader
    from regionaliot.validation.engine import validate_file

    if limits == "off":
        for name in ("XLSX_MAX_UNCOMPRESSED", "XLSX_MAX_SHARED_STRINGS", "XLSX_MAX_PART",
                     "XLSX_MAX_RATIO", "XLSX_MAX_ROW_BYTES"):
            setattr(reader, name, 1 << 62)
        engine.CHUNK_CELLS = 1 << 62
    started = time.perf_counter()
    try:
        report = validate_file(path, max_findings=1000)
        outcome = f"read, {report.rows} rows"
    except reader.ReadError as exc:
        outcome = f"refused: {exc.code}: {exc.reason('en')}"
    except MemoryError:
        outcome = f"MemoryError at the {cap_gb:g} GB address-space cap"
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"outcome": outcome, "seconds": round(time.perf_counter() - started, 2),
                      "maxrss_mb": round(usage.ru_maxrss / 1024)}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--cap-gb", type=float, default=6.0)
    parser.add_argument("--cases", default="shared-strings,one-row,wide-header")
    parser.add_argument("--worker", nargs=2, metavar=("PATH", "LIMITS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], args.worker[1], args.cap_gb)
        return 0
    for case in args.cases.split(","):
        path = build(case, args.scale)
        with zipfile.ZipFile(path) as package:
            unpacked = sum(info.file_size for info in package.infolist())
        print(f"{case}: {os.path.getsize(path) / 1e3:,.0f} kB packed, {unpacked / 1e6:,.1f} MB unpacked")
        for limits in ("off", "on"):
            done = subprocess.run([sys.executable, __file__, "--cap-gb", str(args.cap_gb),
                                   "--worker", path, limits], capture_output=True, text=True, cwd=ROOT)
            lines = done.stdout.strip().splitlines()
            if done.returncode or not lines:
                print(f"  limits {limits:3}: child failed ({done.returncode}) {done.stderr.strip()[-300:]}")
                continue
            result = json.loads(lines[-1])
            print(f"  limits {limits:3}: peak RSS {result['maxrss_mb']:>6,} MB  {result['seconds']:>7.2f} s  "
                  f"{result['outcome'][:110]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
