"""Open a municipal CSV/TSV/xlsx file as a stream of rows of strings.

Detects the encoding (UTF-8, UTF-8 with BOM, cp932, UTF-16 with or without BOM), the
delimiter (comma or tab), metadata lines above the header and a trailing empty
column. Never loads the whole file: rows are read lazily and every line is
capped in length so a hostile file cannot exhaust memory.

Anything that makes the file unreadable raises :class:`ReadError`, the one
exception type the CLI turns into exit status 2.
"""
from __future__ import annotations

import codecs
import csv
import datetime as _dt
import io
import os
import posixpath
import zipfile
from collections.abc import Callable, Iterator
from itertools import chain, islice
from typing import Any
from xml.parsers import expat

from .i18n import normalize_lang
from .messages import render

SNIFF_BYTES = 64 * 1024
HEADER_SEARCH_ROWS = 30
# A physical line (or a cell) longer than this is treated as a broken file.
MAX_LINE_CHARS = 1 << 20

csv.field_size_limit(MAX_LINE_CHARS)

# xlsx is a zip: a few megabytes can unpack to gigabytes. Checked on the zip's directory
# (and a streaming scan of the worksheets) before openpyxl reads anything; a test or a
# deployment may change them (they are read at each call).
XLSX_MAX_UNCOMPRESSED = 256 << 20  # all members together, once unpacked
XLSX_MAX_SHARED_STRINGS = 32 << 20  # the shared-strings table, which openpyxl keeps whole
XLSX_MAX_PART = 16 << 20  # any other part openpyxl parses whole (workbook, styles, rels …)
XLSX_MAX_RATIO = 100  # unpacked : packed, for members larger than XLSX_RATIO_GRACE
XLSX_RATIO_GRACE = 1 << 20
XLSX_MAX_ROW_BYTES = 4 << 20  # XML from one worksheet row to the next (openpyxl builds a row whole)


class ReadError(Exception):
    """The file cannot be read as a table at all.

    ``code`` is stable (``empty``, ``binary``, ``encoding``, ``declared-encoding``,
    ``no-header``, ``too-long``, ``too-large``, ``csv``, ``xlsx``, ``xlsx-too-large``,
    ``io``). ``key`` names its message in ``messages.READ_ERRORS`` (``file-<code>``, or
    ``file-<code>:<variant>``) and ``params`` fill it, so ``reason(lang)`` renders it in any
    language, and a stored report can be rendered again later (``report.unreadable_report``).
    """

    def __init__(self, code: str, key: str | None = None, params: dict[str, Any] | str | None = None):
        if isinstance(params, str):  # the older form ReadError(code, reason_ja, reason_en)
            self._texts: tuple[str, str] | None = (key or "", params)
            self.key: str | None = None
            self.params: dict[str, Any] = {}
        else:
            self._texts = None
            self.key = key or f"file-{code}"
            self.params = dict(params or {})
        self.code = code
        super().__init__(self.reason("en"))

    def reason(self, lang: str = "ja") -> str:
        """One line for people, in ``lang``."""
        if self._texts is not None:
            return self._texts[1] if normalize_lang(lang) == "en" else self._texts[0]
        return render(self.key or f"file-{self.code}", lang, **self.params)

    @property
    def reason_ja(self) -> str:
        return self.reason("ja")

    @property
    def reason_en(self) -> str:
        return self.reason("en")


# Text files the columnar path (columnar.py) reads; here so that choosing the path does not
# import pyarrow (0.2 s of CPU a process) for the files that take the row path.
COLUMNAR_ENCODINGS = frozenset({"utf-8", "utf-8-sig", "cp932"})


def columnar_readable(table: Table) -> bool:
    return table.dialect in ("csv", "tsv") and table.encoding in COLUMNAR_ENCODINGS


class Table:
    """An opened table: header labels plus a lazy iterator of data rows."""

    def __init__(self, path: str, encoding: str, dialect: str, labels: list[str],
                 header_row: int, first_data_row: int, trailing_blank: int,
                 rows: Iterator[list[str]], closer: Callable[[], None],
                 metadata_rows: int, chars_read: list[int] | None = None):
        self.path = path
        self.encoding = encoding
        self.dialect = dialect  # "csv" | "tsv" | "xlsx"
        self.labels = labels
        self.header_row = header_row
        self.first_data_row = first_data_row
        self.trailing_blank = trailing_blank
        self.metadata_rows = metadata_rows
        self._rows = rows
        self._closer = closer
        # Text files: one mutable counter of the characters read so far, so a consumer can
        # bound its batches by size as well as by row count (None for xlsx).
        self.chars_read = chars_read
        self.sheet_notes: SheetNotes | None = None  # xlsx: formulas without a value, merged cells
        self.unread: list[list[str]] = []  # rows read ahead to find the header, not yet given
        self._raw: Iterator[list[str]] | None = None
        self._locate: Callable[[], tuple[int, int] | None] | None = None

    def rows(self) -> Iterator[list[str]]:
        """Data rows (lists of str) in file order, starting at ``first_data_row``."""
        return self._rows

    def set_raw(self, reader: Iterator[list[str]], locate: Callable[[], tuple[int, int] | None]) -> None:
        self._raw = reader
        self._locate = locate

    def fast_rows(self) -> Iterator[list[str]]:
        """``rows()`` without a Python generator around each row (a hot loop): the caller
        turns csv.Error and UnicodeDecodeError into ReadError with ``read_error``. Use one
        of ``rows()`` and ``fast_rows()``, never both."""
        if self._raw is None:
            return self._rows
        return chain(self.unread, self._raw)

    def read_error(self, exc: Exception) -> ReadError:
        return read_error(exc, self._locate)

    def close(self) -> None:
        self._closer()

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ---------------------------------------------------------------- encoding


def declared_encoding(head: bytes, declared: str) -> str:
    """The codec to read ``head`` with when the publisher declared ``declared``."""
    try:
        codec = codecs.lookup(declared).name
    except LookupError:
        raise ReadError("declared-encoding", "file-declared-encoding:unknown",
                        {"declared": declared}) from None
    if not head:
        raise ReadError("empty")
    if codec == "utf-8" and head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder(codec)().decode(head, final=False)
    except UnicodeDecodeError as exc:
        try:
            actual = detect_encoding(head)
        except ReadError:
            actual = "?"
        raise ReadError("declared-encoding", "file-declared-encoding:mismatch",
                        {"declared": declared, "byte": exc.start + 1, "actual": actual}) from None
    return declared


def detect_encoding(head: bytes) -> str:
    """Codec name for the first bytes of a text file, or raise ReadError."""
    if not head:
        raise ReadError("empty")
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:
        bomless = _bomless_utf16(head)
        if bomless:
            return bomless
        if _stray_nuls_in_utf8(head):
            raise _nul_error()
        raise ReadError("binary")
    for encoding in ("utf-8", "cp932"):
        # Incremental decoding so a character cut at the sample's end is fine.
        try:
            codecs.getincrementaldecoder(encoding)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        return encoding
    raise ReadError("encoding")


def _stray_nuls_in_utf8(head: bytes) -> bool:
    """A few NULs in what is otherwise plain UTF-8 text."""
    if head.count(0) > max(2, len(head) // 100):
        return False
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(head.replace(b"\x00", b""), final=False)
    except UnicodeDecodeError:
        return False
    return not _looks_binary(text)


def _nul_error() -> ReadError:
    """Text with NUL characters near its start: say so, rather than 'binary'."""
    return ReadError("csv", "file-csv:nul")


def _bomless_utf16(head: bytes) -> str | None:
    """``utf-16-le``/``utf-16-be`` for UTF-16 text saved without a BOM, else None.

    Commas, digits and line breaks are ASCII, so in UTF-16 their zero byte falls
    on one parity (odd offsets little-endian, even big-endian); binary data has
    zeros anywhere.
    """
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if max(even, odd) < 9 * min(even, odd) or max(even, odd) < 2:
        return None
    encoding = "utf-16-le" if odd > even else "utf-16-be"
    try:
        text = codecs.getincrementaldecoder(encoding)().decode(head, final=False)
    except UnicodeDecodeError:
        return None
    if _looks_binary(text) or not any(ch in text for ch in ",\t\n\r"):
        return None
    return encoding


def _looks_binary(text: str) -> bool:
    controls = sum(1 for ch in text if ch < " " and ch not in "\t\r\n\f\x1a")
    return controls > max(2, len(text) // 100)


def _implausible_cp932(text: str) -> bool:
    # Python's cp932 maps almost any byte to something; real Shift_JIS text has
    # next to no C1 controls or private-use (外字) characters.
    odd = sum(1 for ch in text if "\x80" <= ch <= "\x9f" or "\ue000" <= ch <= "\uf8ff")
    return odd > max(2, len(text) // 100)


def detect_delimiter(text: str) -> str:
    lines = text.splitlines()[:20]
    tabs = sum(line.count("\t") for line in lines)
    commas = sum(line.count(",") for line in lines)
    return "\t" if tabs > commas else ","


# ---------------------------------------------------------------- header


def _nonblank(record: list[str]) -> int:
    return sum(1 for cell in record if cell.strip())


def find_header(records: list[list[str]], label_score: Callable[[list[str]], int] | None) -> int:
    """Index of the header among the first records.

    Prefer the record with most cells that are known standard labels; failing
    that, the first record at least half as wide as the widest one, which
    skips title and ``#key,value`` metadata lines.
    """
    if label_score is not None:
        scores = [label_score(rec) for rec in records]
        best = max(range(len(records)), key=scores.__getitem__)
        if scores[best] >= 3:
            return best
    widest = max(_nonblank(rec) for rec in records)
    need = max(1, (widest + 1) // 2)
    for index, rec in enumerate(records):
        if _nonblank(rec) >= need:
            return index
    return 0


# ---------------------------------------------------------------- open


def open_table(path: str | os.PathLike[str],
               label_score: Callable[[list[str]], int] | None = None,
               encoding: str | None = None) -> Table:
    """Open ``path`` (CSV, TSV or xlsx). Raises ReadError when unreadable.

    ``encoding`` is the one the publisher declared (a Python codec name); None detects it.
    A text file that does not decode with the declared encoding is refused, naming the
    encoding it seems to have, rather than read as something else.
    """
    path = os.fspath(path)
    try:
        with open(path, "rb") as probe:
            head = probe.read(SNIFF_BYTES)
    except IsADirectoryError:
        raise ReadError("io", "file-io:directory") from None
    except FileNotFoundError:
        raise ReadError("io", "file-io:missing") from None
    except OSError as exc:
        raise ReadError("io", "file-io", {"error": exc.strerror}) from None
    if head.startswith(b"PK\x03\x04"):
        return _open_xlsx(path, label_score)
    encoding = declared_encoding(head, encoding) if encoding else detect_encoding(head)
    sample = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head, final=False)
    if _looks_binary(sample):
        raise ReadError("binary")
    if encoding == "cp932" and _implausible_cp932(sample):
        raise ReadError("encoding")
    delimiter = detect_delimiter(sample)
    handle = open(path, encoding=encoding, newline="")
    try:
        chars_read = [0]
        lines = chain.from_iterable(_line_blocks(handle, chars_read))
        reader = csv.reader(lines, delimiter=delimiter)

        def locate() -> tuple[int, int] | None:
            return locate_undecodable(path, encoding)

        rows = _guarded(reader, locate)
        table = _assemble(path, encoding, "tsv" if delimiter == "\t" else "csv", rows,
                          handle.close, label_score)
        table.chars_read = chars_read
        table.set_raw(reader, locate)
        return table
    except BaseException:
        handle.close()
        raise


BLOCK_CHARS = 1 << 20


def _line_blocks(handle, chars_read: list[int]) -> Iterator[list[str]]:
    """The file's physical lines, a block at a time (split in C, not one readline a line):
    lines end at \\n, \\r or \\r\\n as ``newline=""`` reads them; a line longer than
    MAX_LINE_CHARS, or a NUL anywhere (not only in the sniffed head), is refused."""
    read = handle.read
    carry = ""
    before = 0  # lines in earlier blocks
    while True:
        block = read(BLOCK_CHARS)
        text = carry + block if carry else block
        if not text:
            return
        lines = io.StringIO(text, newline="").readlines()
        carry = ""
        if block and not lines[-1].endswith("\n"):
            carry = lines.pop()  # continues in the next block (or is a \\r whose \\n does)
            if len(carry) > MAX_LINE_CHARS:
                raise ReadError("too-long", "file-too-long", {"limit": MAX_LINE_CHARS})
        if lines and max(map(len, lines)) > MAX_LINE_CHARS - 1 and \
                any(len(line.rstrip("\r\n")) >= MAX_LINE_CHARS for line in lines):
            raise ReadError("too-long", "file-too-long", {"limit": MAX_LINE_CHARS})
        if "\x00" in text:
            number = next(n for n, line in enumerate(lines + [carry], before + 1) if "\x00" in line)
            raise ReadError("csv", "file-csv:nul-at", {"line": number})
        before += len(lines)
        chars_read[0] += len(block)
        if lines:
            yield lines


def read_error(exc: Exception, locate: Callable[[], tuple[int, int] | None] | None = None) -> ReadError:
    """The ReadError for a decoding or CSV error met mid-file.

    The position in a UnicodeDecodeError is relative to the block the text layer was
    decoding, so the error names the place ``locate`` finds in the file instead."""
    if isinstance(exc, UnicodeDecodeError):
        where = locate() if locate is not None else None
        if where is None:
            return ReadError("encoding", "file-encoding:mid-file")
        offset, line = where  # numbered from 1 in the message, like the declared-encoding one
        return ReadError("encoding", "file-encoding:mid-file-at",
                         {"line": line, "byte": offset + 1, "offset": offset})
    return ReadError("csv", "file-csv", {"error": str(exc)})


def _guarded(reader: Iterator[list[str]],
             locate: Callable[[], tuple[int, int] | None] | None = None) -> Iterator[list[str]]:
    """Turn decoding and CSV errors met mid-file into ReadError."""
    try:
        yield from reader
    except (UnicodeDecodeError, csv.Error) as exc:
        raise read_error(exc, locate) from None


def locate_undecodable(path: str | os.PathLike[str], encoding: str,
                       block_size: int = 1 << 20) -> tuple[int, int] | None:
    """(byte offset from the start of the file, line number) of the first bytes that
    ``encoding`` cannot decode, or None. Reads the file again, in blocks: only called
    once decoding has failed."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = breaks = 0
    after_cr = False

    def count(text: str) -> None:
        nonlocal breaks, after_cr
        breaks += text.count("\n") + text.count("\r") - text.count("\r\n")
        if after_cr and text.startswith("\n"):  # a CRLF split between two blocks
            breaks -= 1
        if text:
            after_cr = text.endswith("\r")

    try:
        with open(path, "rb") as handle:
            while True:
                block = handle.read(block_size)
                state = decoder.getstate()
                try:
                    count(decoder.decode(block, final=not block))
                except UnicodeDecodeError as exc:
                    # exc.start counts from the bytes the decoder still held from the last block.
                    start = offset - len(state[0]) + exc.start
                    before = codecs.getincrementaldecoder(encoding)()
                    before.setstate(state)
                    count(before.decode(block[:max(0, start - offset)]))
                    return start, breaks + 1
                if not block:
                    return None
                offset += len(block)
    except (OSError, LookupError, UnicodeError):
        return None


def _assemble(path: str, encoding: str, dialect: str, rows: Iterator[list[str]],
              closer: Callable[[], None], label_score) -> Table:
    head = list(islice(rows, HEADER_SEARCH_ROWS))
    if not any(any(cell.strip() for cell in rec) for rec in head):
        raise ReadError("no-header")
    index = find_header(head, label_score)
    labels = [cell.strip("\ufeff") for cell in head[index]]
    rest = head[index + 1:]
    # FIWARE-style files put type rows (#object_type_xsd …) under a #property header.
    skipped = 0
    if labels and labels[0].startswith("#"):
        while rest and rest[0] and rest[0][0].startswith("#"):
            rest.pop(0)
            skipped += 1
    trailing_blank = 0
    while len(labels) > 1 and not labels[-1].strip():
        labels.pop()
        trailing_blank += 1
    header_row = index + 1
    table = Table(path, encoding, dialect, labels, header_row, header_row + 1 + skipped,
                  trailing_blank, chain(rest, rows), closer, metadata_rows=index + skipped)
    table.unread = rest
    return table


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, _dt.datetime):
        if value.time() == _dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, _dt.time):
        return value.strftime("%H:%M" if value.second == 0 else "%H:%M:%S")
    return str(value)


def _open_xlsx(path: str, label_score) -> Table:
    """Open an xlsx by its content: the upload, CKAN's storage and the download temp
    file give paths without an ``.xlsx`` extension, which openpyxl refuses by name, so
    it is handed the open file instead."""
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - openpyxl is a dependency
        raise ReadError("xlsx", "file-xlsx:openpyxl") from None
    handle = open(path, "rb")
    try:
        with zipfile.ZipFile(handle) as archive:
            notes_by_part = check_xlsx_archive(archive)
        handle.seek(0)
        book = openpyxl.load_workbook(handle, read_only=True, data_only=True, keep_links=False)
        sheet = book.worksheets[0]
        # Rows as they are in the file: a wrong <dimension> would cut the sheet short, and
        # a huge one (A1:XFD1048576) would pad every row to 16,384 cells.
        sheet.reset_dimensions()
        # openpyxl names the part of a read-only sheet only privately; without it, no notes.
        notes = notes_by_part.get(str(getattr(sheet, "_worksheet_path", "")), SheetNotes())
    except ReadError:
        handle.close()
        raise
    except Exception as exc:  # openpyxl raises many unrelated types on bad zips
        handle.close()
        raise ReadError("xlsx", "file-xlsx", {"error": type(exc).__name__}) from None
    chars_read = [0]

    def rows() -> Iterator[list[str]]:
        try:
            for values in sheet.iter_rows(values_only=True):
                row = [_cell_text(v) for v in values]
                while row and row[-1] == "":
                    row.pop()
                chars_read[0] += sum(map(len, row)) + len(row)
                yield row
        except ReadError:
            raise
        except Exception as exc:
            raise ReadError("xlsx", "file-xlsx:broken", {"error": type(exc).__name__}) from None

    def close() -> None:
        try:
            book.close()
        finally:
            handle.close()

    try:
        table = _assemble(path, "xlsx", "xlsx", rows(), close, label_score)
    except BaseException:
        close()
        raise
    table.chars_read = chars_read
    table.sheet_notes = notes
    return table


# ---------------------------------------------------------------- xlsx limits

_WORKBOOK_TYPES = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
)
_SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
# Parts openpyxl reads by a fixed name, whatever the relationships say.
_FIXED_PARTS = frozenset({"[Content_Types].xml", "xl/workbook.xml", "xl/styles.xml",
                          "xl/theme/theme1.xml", "docProps/core.xml", "docProps/custom.xml"})


def _mb(size: int) -> str:
    megabytes = size / (1 << 20)
    return f"{megabytes:,.0f}" if megabytes >= 10 else f"{megabytes:.1f}"


def _too_large(variant: str, size: int, limit: int, part: str = "") -> ReadError:
    return ReadError("xlsx-too-large", "file-xlsx-too-large" + variant,
                     {"size": _mb(size), "limit": _mb(limit), "part": part})


def check_xlsx_archive(archive: zipfile.ZipFile) -> dict[str, SheetNotes]:
    """Refuse an xlsx that would unpack to too much, before openpyxl reads any of it.

    Checks the declared sizes in the zip's directory (``zipfile`` never inflates a member
    beyond its declared size): the total, the compression ratio of every member, the
    shared-strings table and every other part openpyxl parses whole; then scans each
    worksheet (streamed by openpyxl, but one row at a time is built whole) so that no
    row is larger than ``XLSX_MAX_ROW_BYTES`` of XML. Raises ReadError
    (``xlsx-too-large``, or ``xlsx`` for a broken package). Returns what the same scan
    saw of each worksheet's cells (formulas without a value, merged ranges).
    """
    infos = archive.infolist()
    total = sum(info.file_size for info in infos)
    if total > XLSX_MAX_UNCOMPRESSED:
        raise _too_large("", total, XLSX_MAX_UNCOMPRESSED)
    for info in infos:
        if info.file_size > XLSX_RATIO_GRACE and info.file_size > XLSX_MAX_RATIO * max(1, info.compress_size):
            ratio = info.file_size // max(1, info.compress_size)
            raise ReadError("xlsx-too-large", "file-xlsx-too-large:ratio",
                            {"part": info.filename, "ratio": ratio, "limit": XLSX_MAX_RATIO})
    shared, worksheets = _xlsx_parts(archive)
    for info in infos:
        name = info.filename
        if name in shared:
            if info.file_size > XLSX_MAX_SHARED_STRINGS:
                raise _too_large(":shared-strings", info.file_size, XLSX_MAX_SHARED_STRINGS, name)
        elif name not in worksheets and not name.startswith("xl/media/") \
                and info.file_size > XLSX_MAX_PART:
            raise _too_large(":part", info.file_size, XLSX_MAX_PART, name)
    return {name: _check_rows(archive, name) for name in sorted(worksheets)}


def _read_part(archive: zipfile.ZipFile, name: str) -> bytes:
    size = archive.getinfo(name).file_size
    if size > XLSX_MAX_PART:
        raise _too_large(":part", size, XLSX_MAX_PART, name)
    return archive.read(name)


def _xlsx_parts(archive: zipfile.ZipFile) -> tuple[set[str], set[str]]:
    """(shared-strings parts, worksheets openpyxl streams), found as openpyxl finds them:
    the content types name the shared strings and the workbook, the workbook's
    relationships its sheets."""
    from openpyxl.packaging.manifest import Manifest
    from openpyxl.packaging.relationship import get_dependents, get_rels_path
    from openpyxl.xml.functions import fromstring

    names = set(archive.namelist())
    if "[Content_Types].xml" not in names:
        return set(), set()  # openpyxl refuses it next
    manifest = Manifest.from_tree(fromstring(_read_part(archive, "[Content_Types].xml")))
    shared = {part.PartName[1:] for part in manifest.findall(_SHARED_STRINGS_TYPE)}
    workbook = next((part.PartName[1:] for ct in _WORKBOOK_TYPES for part in manifest.findall(ct)),
                    "xl/workbook.xml")
    rels_path = get_rels_path(workbook)
    if rels_path not in names:
        return shared, set()
    _read_part(archive, rels_path)  # size check before openpyxl's parser reads it
    sheets: set[str] = set()
    others: set[str] = set()
    for rel in get_dependents(archive, rels_path):
        if rel.TargetMode == "External":
            continue
        (sheets if rel.Type.endswith("/worksheet") else others).add(rel.target)
    # A part also reached another way (chartsheet, shared strings, fixed name) is read whole.
    streamed = {name for name in sheets - others - shared - _FIXED_PARTS - {workbook, rels_path}
                if name in names}
    return shared, streamed


class _RowTooLarge(Exception):
    pass


XLSX_MAX_NOTES = 1000  # formula cells without a value / merged ranges kept per sheet


class SheetNotes:
    """What a worksheet's XML says that its values alone do not: formula cells saved
    without a calculated value (they read as empty), and merged ranges (every cell but the
    first reads as empty). Positions are (row, column), both from 1."""

    def __init__(self) -> None:
        self.formulas: list[tuple[int, int, str]] = []  # (row, column, formula)
        self.merged: list[tuple[int, int, int, int, str]] = []  # (row, column, last row, last column, ref)


def _cell_position(ref: str) -> tuple[int, int] | None:
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    try:
        letters, row = coordinate_from_string(ref)
        return row, column_index_from_string(letters)
    except (ValueError, TypeError):
        return None


def _check_rows(archive: zipfile.ZipFile, name: str) -> SheetNotes:
    """Scan a worksheet's XML (expat, streaming): no stretch from one ``<row>`` to the
    next (or before the first, after the last) may exceed XLSX_MAX_ROW_BYTES, and no DTD.
    The same pass notes formula cells without a cached value and merged ranges."""
    limit = XLSX_MAX_ROW_BYTES
    parser = expat.ParserCreate()
    last = 0
    notes = SheetNotes()
    # ref, has formula, has a value (a non-empty <v>, or a formula typed as a string, whose
    # empty <v> is a calculated ""), formula text
    cell: list = [None, False, False, []]
    in_formula = in_value = False

    def local(tag: str) -> str:
        return tag.rsplit(":", 1)[-1]

    def start(tag: str, attrs: dict) -> None:
        nonlocal last, in_formula, in_value
        tag = local(tag)
        if tag == "row":
            position = parser.CurrentByteIndex
            if position - last > limit:
                raise _RowTooLarge(position - last)
            last = position
        elif tag == "c":
            cell[0], cell[1], cell[2], cell[3] = attrs.get("r"), False, attrs.get("t") == "str", []
        elif tag == "f":
            cell[1] = in_formula = True
        elif tag == "v":
            in_value = True
        elif tag == "mergeCell" and len(notes.merged) < XLSX_MAX_NOTES:
            ref = attrs.get("ref", "")
            first, _, end = ref.partition(":")
            a, b = _cell_position(first), _cell_position(end or first)
            if a and b:
                notes.merged.append((a[0], a[1], b[0], b[1], ref))

    def end(tag: str) -> None:
        nonlocal in_formula, in_value
        tag = local(tag)
        if tag == "f":
            in_formula = False
        elif tag == "v":
            in_value = False
        elif tag == "c" and cell[1] and not cell[2] and cell[0] \
                and len(notes.formulas) < XLSX_MAX_NOTES:
            position = _cell_position(cell[0])
            if position:
                notes.formulas.append((*position, "".join(cell[3])[:200]))

    def text(data: str) -> None:
        if in_formula:
            cell[3].append(data)
        elif in_value and data.strip():
            cell[2] = True

    def no_dtd(*_args: object) -> None:
        raise ReadError("xlsx", "file-xlsx:dtd", {"part": name})

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = no_dtd
    read = 0
    try:
        with archive.open(name) as stream:
            while block := stream.read(1 << 20):
                read += len(block)
                parser.Parse(block, False)
            parser.Parse(b"", True)
        if read - last > limit:
            raise _RowTooLarge(read - last)
    except _RowTooLarge as exc:
        size = exc.args[0]
        raise _too_large(":row", size, limit, posixpath.basename(name)) from None
    return notes
