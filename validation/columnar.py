"""The columnar path of the engine: the same findings as the row path, from Arrow columns.

``engine.Plan`` compiles a file's checks; the row path feeds them Python lists of cells.
Here the data rows are parsed by pyarrow's CSV reader (C++) a block of a few MB at a time,
and every check runs on whole columns with ``pyarrow.compute``:

- a field's surely-fine predicates (``FieldCheck.preds``) become Arrow kernels: a regex
  becomes an RE2 match that is never looser than Python's ``re`` (see ``re2_pattern``),
  a value set ``is_in``, ``str.isascii`` ``string_is_ascii`` …; only the distinct values
  that fail one (and any predicate that cannot be translated, on distinct values only)
  reach the exact, cached ``FieldCheck.classify`` of the row path;
- blank rows, required cells, the Japan bounds of coordinates and formula-like cells are
  masks; only the rows they flag are turned into Python strings, and the row path's own
  code (``Plan.even_out``, ``pair_findings``, ``formula_findings``, ``duplicates``,
  ``primary_key``) writes their findings;
- the cross-field checks of the file's standard (``Plan.cross``) get the few columns they
  read as Python strings, once per chunk.

Findings are identical to the row path's, in the same order (rows are handed to the checks
in the row path's chunks, so even a report capped by ``max_findings`` keeps the same ones).
Whatever this path cannot vouch for raises ``Fallback`` and the engine validates the file
again on the row path, which then gives today's findings or today's ReadError: xlsx and
UTF-16 files, a NUL byte, bytes that do not decode, a quote that is not a well-formed CSV
quote, lines near ``reader.MAX_LINE_CHARS``, chunks near ``engine.CHUNK_CHARS``.
Rows of the wrong width (pyarrow's invalid rows) are parsed by Python's csv and go through
``Plan.even_out`` at their place, so ragged rows cost nothing elsewhere.

Memory: one block (``BLOCK_BYTES``, grown only to end outside a quoted cell, at most
``MAX_BLOCK_BYTES``) and one chunk of rows as Arrow arrays, plus what the row path keeps
(the values of unique columns, spilled to SQLite past keyset.SPILL_AT).
"""
from __future__ import annotations

import csv
import re
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .checks import FORMULA_PREFIXES, JAPAN_LAT, JAPAN_LON, FieldCheck
from .checks.field import LengthBetween, no_comma
from .keyset import encode_strings
from .reader import COLUMNAR_ENCODINGS, MAX_LINE_CHARS, ReadError, Table, columnar_readable

BLOCK_BYTES = 2 << 20
MAX_BLOCK_BYTES = 64 << 20
ENCODINGS = COLUMNAR_ENCODINGS
# A chunk of the row path ends early once it has read engine.CHUNK_CHARS characters; a
# chunk that could come near it (with the reader's 1 MiB blocks read ahead) is left to it.
CHUNK_BYTES_SAFE = 14 << 20
# Quoted cells of a block matched one by one (bytes.find, C speed between them) up to this
# many; beyond, one regex pass over the whole block.
QUOTED_ONE_BY_ONE = 2000
# Ragged rows of a block put in their place by slicing up to this many, beyond by one take.
SPLICE_MAX = 64

STRING = pa.string()


class Fallback(Exception):
    """The columnar path does not vouch for this file: validate it on the row path."""


supports = columnar_readable


# Arrays are built from their buffers: pa.array() imports pandas to check what it was given
# (0.4 s of CPU a process, more than validating 100,000 rows).


def strings(items) -> pa.Array:
    """Python strings as an Arrow string array."""
    data = [item.encode("utf-8") for item in items]
    offsets = np.zeros(len(data) + 1, dtype=np.int32)
    np.cumsum([len(item) for item in data], out=offsets[1:])
    return pa.Array.from_buffers(STRING, len(data), [None, pa.py_buffer(offsets),
                                                     pa.py_buffer(b"".join(data))])


def mask(values: np.ndarray) -> pa.Array:
    """A numpy bool array as an Arrow boolean array."""
    bits = np.packbits(values, bitorder="little")
    return pa.Array.from_buffers(pa.bool_(), len(values), [None, pa.py_buffer(bits)])


def number(value: float) -> pa.Scalar:
    """A Python number as an Arrow float64 scalar (pa.scalar() imports pandas too)."""
    array = np.array([value], dtype=np.float64)
    return pa.Array.from_buffers(pa.float64(), 1, [None, pa.py_buffer(array)])[0]


def indices(positions) -> pa.Array:
    """Row positions as an Arrow int64 array (for take)."""
    values = np.asarray(positions, dtype=np.int64)
    return pa.Array.from_buffers(pa.int64(), len(values), [None, pa.py_buffer(values)])


# ------------------------------------------------------------------ regexes


def _python_space_class() -> str:
    """Every character Python's ``\\s`` matches in a str pattern, as the inside of an RE2
    character class (RE2's own ``\\s`` is ASCII only). None lies beyond U+3000 (a test
    checks all of Unicode)."""
    # str.isspace is exactly what re's \s tests in a str pattern (Py_UNICODE_ISSPACE), and
    # about 50 times cheaper to ask 12,289 times at import.
    spaces = [c for c in range(0x3001) if chr(c).isspace()]
    parts, start = [], None
    for i, code in enumerate(spaces):
        if start is None:
            start = code
        if i + 1 == len(spaces) or spaces[i + 1] != code + 1:
            parts.append(f"\\x{{{start:x}}}" + (f"-\\x{{{code:x}}}" if code != start else ""))
            start = None
    return "".join(parts)


_SPACE = _python_space_class()


def re2_pattern(pattern: re.Pattern[str], full: bool) -> str | None:
    """An RE2 pattern that accepts a value only if ``pattern.match`` (``fullmatch`` when
    ``full``) accepts it too, or None when that cannot be promised.

    RE2 is never looser than Python here: its ``\\d`` and ``\\w`` are ASCII only (Python's
    are Unicode: stricter is safe, the value then goes to the exact check), its ``$`` is the
    end of the text (Python's also allows a final newline), ``\\s`` is spelled out as
    Python's set. What RE2 would read more loosely is refused: ``\\D \\W \\B \\b``,
    ``\\d``/``\\w`` in a negated class, POSIX ``[:classes:]``, ``{,n}``, flags, lookarounds,
    back references."""
    if not isinstance(pattern.pattern, str) or pattern.flags & ~re.UNICODE:
        return None
    text = pattern.pattern
    out: list[str] = []
    i, in_class, negated = 0, False, False
    while i < len(text):
        char = text[i]
        if char == "\\":
            if i + 1 >= len(text):
                return None
            escaped = text[i + 1]
            if escaped in "DWSBbZ" or escaped.isdigit():
                if escaped == "S" and not in_class:
                    out.append(f"[^{_SPACE}]")
                    i += 2
                    continue
                return None
            if escaped == "s":
                out.append(_SPACE if in_class else f"[{_SPACE}]")
            elif escaped in "dw":
                if in_class and negated:
                    return None
                out.append(text[i:i + 2])
            elif escaped == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", text[i + 2:i + 6]):
                out.append(f"\\x{{{text[i + 2:i + 6]}}}")
                i += 6
                continue
            elif escaped == "U" and re.fullmatch(r"[0-9a-fA-F]{8}", text[i + 2:i + 10]):
                out.append(f"\\x{{{text[i + 2:i + 10]}}}")
                i += 10
                continue
            elif escaped.isalpha() and escaped not in "Atnrfvx":
                return None
            else:
                out.append(text[i:i + 2])
            i += 2
            continue
        if in_class:
            if char == "]":
                in_class = False
            elif char == "[":
                if text[i + 1:i + 2] in (":", ".", "="):
                    return None
                out.append("\\[")
                i += 1
                continue
        elif char == "[":
            in_class = True
            negated = text[i + 1:i + 2] == "^"
            start = i + 1 + negated
            if text[start:start + 1] in ("]", "[") or text[start:start + 2] == "\\]":
                return None
            out.append(text[i:start])
            i = start
            continue
        elif char == "(" and text[i + 1:i + 2] == "?" and text[i + 2:i + 3] not in (":", "P"):
            return None
        elif char == "{" and text[i + 1:i + 2] == ",":
            return None
        out.append(char)
        i += 1
    body = "".join(out)
    candidate = "^(?:" + body + (")$" if full else ")")
    try:
        pc.match_substring_regex(strings([""]), candidate)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    return candidate


Kernel = Callable[[pa.Array], pa.Array]

# ^[0-9]{6}$, ^[0-9A-Za-z]+$ …: a whole value of ASCII digits (or letters and digits) of some
# length, which Arrow tests without a regex (several times faster).
_ASCII_CLASS_RE = re.compile(r"\^*\[(0-9|0-9A-Za-z|A-Za-z0-9)\](\+|\{(\d+)\}|\{(\d+),(\d+)\})\$*")


def ascii_class_kernel(pattern: re.Pattern[str]) -> Kernel | None:
    """A kernel for a pattern that is one ASCII class repeated, anchored at both ends, or None.
    Never looser than Python (which also allows a final newline before ``$``)."""
    if not isinstance(pattern.pattern, str) or pattern.flags & ~re.UNICODE:
        return None
    found = _ASCII_CLASS_RE.fullmatch(pattern.pattern)
    if found is None or not pattern.pattern.startswith("^") or not pattern.pattern.endswith("$"):
        return None
    test = pc.ascii_is_decimal if found.group(1) == "0-9" else pc.ascii_is_alnum
    if found.group(2) == "+":
        return test
    lo = int(found.group(3) or found.group(4))
    hi = int(found.group(3) or found.group(5))
    low, high = number(lo), number(hi)

    def kernel(values: pa.Array) -> pa.Array:
        size = pc.binary_length(values)  # every character ASCII once the test passes
        return pc.and_(test(values), pc.and_(pc.greater_equal(size, low), pc.less_equal(size, high)))
    return kernel


def arrow_kernel(pred: Callable[[str], Any]) -> Kernel | None:
    """The Arrow form of one of FieldCheck's surely-fine predicates, or None."""
    if pred is str.isascii:
        return pc.string_is_ascii
    if pred is no_comma:
        return lambda values: pc.invert(pc.match_substring(values, ","))
    if isinstance(pred, LengthBetween):
        lo, hi = pred.lo, pred.hi

        def length(values: pa.Array) -> pa.Array:
            n = pc.utf8_length(values)
            ok = pc.greater_equal(n, number(lo))
            return ok if hi == float("inf") else pc.and_(ok, pc.less_equal(n, number(hi)))
        return length
    owner = getattr(pred, "__self__", None)
    if isinstance(owner, frozenset) and getattr(pred, "__name__", "") == "__contains__":
        members = strings(sorted(v for v in owner if isinstance(v, str)))
        return lambda values: pc.is_in(values, value_set=members)
    if isinstance(owner, re.Pattern) and getattr(pred, "__name__", "") in ("match", "fullmatch"):
        simple = ascii_class_kernel(owner)
        if simple is not None:
            return simple
        rx = re2_pattern(owner, pred.__name__ == "fullmatch")
        if rx is not None:
            return lambda values: pc.match_substring_regex(values, rx)
    return None


# ------------------------------------------------------------------ predicates implied by others
#
# A field's predicates often say the same thing twice: the schema's phone pattern and the
# phone check's (the same OpenDataTools rule), an ID's ^[0-9A-Za-z]+$ and the ID check's
# [0-9A-Za-z][0-9A-Za-z_\-.]*. A predicate implied by another one that has a kernel needs
# no pass of its own over the column (a regex pass is ~0.1 µs a value): a value the kernel
# vouches for fully matches the other's pattern, so Python's re accepts it too.


def _class_end(text: str, start: int) -> int:
    """Index just past the character class opening at ``text[start]`` ("["), or -1."""
    i = start + 1
    if text[i:i + 1] == "^":
        i += 1
    if text[i:i + 1] == "]":
        i += 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == "]":
            return i + 1
        i += 1
    return -1


def _top_level(text: str):
    """(index, character) of each character of a regex outside classes and groups, escapes
    skipped; None for an unbalanced pattern."""
    out = []
    depth = 0
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\":
            if depth == 0:
                out.append((i, text[i:i + 2]))
            i += 2
            continue
        if char == "[":
            end = _class_end(text, i)
            if end < 0:
                return None
            if depth == 0:
                out.append((i, text[i:end]))
            i = end
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                return None
        elif depth == 0:
            out.append((i, char))
        i += 1
    return out if depth == 0 else None


def _closing_paren(text: str) -> int:
    """Index of the parenthesis closing the one that opens ``text``, or -1."""
    depth = 0
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            i = _class_end(text, i)
            if i < 0:
                return -1
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


_BACKREF_RE = re.compile(r"\\[0-9]|\(\?P=")


def anchored_core(pred: Callable[[str], Any]) -> str | None:
    """The regex whose whole values a predicate accepts, when it is ``fullmatch`` of a
    pattern or ``match`` of one ending in ``$`` (Python's ``$`` also lets a final newline
    through: the core is what both accept), without its anchors and one group around all
    of it; None when the predicate is not such a regex, when its anchors bind only one
    alternative (^a|b$), or when it refers back to a group."""
    owner = getattr(pred, "__self__", None)
    name = getattr(pred, "__name__", "")
    if not isinstance(owner, re.Pattern) or name not in ("match", "fullmatch") or \
            not isinstance(owner.pattern, str) or owner.flags & ~re.UNICODE or \
            _BACKREF_RE.search(owner.pattern):
        return None
    body = owner.pattern
    lead = len(body) - len(body.lstrip("^"))
    body = body[lead:]
    trail = 0
    # a final "$" that is not escaped (an even number of backslashes before it)
    while body.endswith("$") and (len(body) - 1 - len(body[:-1].rstrip("\\"))) % 2 == 0:
        body = body[:-1]
        trail += 1
    tokens = _top_level(body)
    if not body or tokens is None or any(token in ("^", "$") for _, token in tokens):
        return None
    if (lead or trail) and any(token == "|" for _, token in tokens):
        return None  # ^a|b$: each anchor holds one alternative only
    if name == "match" and not trail:
        return None  # a prefix match
    while body.startswith("(") and (body.startswith("(?:") or not body.startswith("(?")) \
            and _closing_paren(body) == len(body) - 1:
        body = body[3:-1] if body.startswith("(?:") else body[1:-1]
        tokens = _top_level(body)
        if not body or tokens is None or any(token in ("^", "$") for _, token in tokens):
            return None
    return body


# One class of ASCII characters (no negation, no \d \w \s, which are Unicode in Python),
# repeated at least once.
_ONE_CLASS_RE = re.compile(r"(\[(?!\^)(?:[ -\[\^-~]|\\[^0-9A-Za-z])+\])"
                           r"(\+|\{([1-9][0-9]*)\}|\{([1-9][0-9]*),([0-9]+)\})")


def implies(kept: Callable[[str], Any], other: Callable[[str], Any]) -> bool:
    """True when every whole value ``kept``'s pattern accepts is accepted by ``other``: the
    same core, or ``kept`` one class of ASCII characters repeated at least once
    ([0-9A-Za-z]+, [0-9]{6}) and ``other`` a class, then optionally a class repeated (X+, X*,
    XY*), each holding every character of ``kept``'s class (asked of Python's re itself)."""
    a, b = anchored_core(kept), anchored_core(other)
    if a is None or b is None:
        return False
    if a == b:
        return True
    single = _ONE_CLASS_RE.fullmatch(a)
    if single is None or not b.startswith("["):
        return False
    members = [chr(c) for c in range(0x80) if re.fullmatch(single.group(1), chr(c))]
    if not members:
        return False
    first_end = _class_end(b, 0)
    if first_end < 0:
        return False
    classes = [b[:first_end]]
    rest = b[first_end:]
    if rest not in ("+", "*", ""):
        second_end = _class_end(rest, 0) if rest.startswith("[") else -1
        if second_end < 0 or rest[second_end:] != "*":
            return False
        classes.append(rest[:second_end])
    elif rest == "" and (single.group(2) != "{1}"):
        return False  # exactly one character
    try:
        return all(re.fullmatch(cls, char) for cls in classes for char in members)
    except re.error:
        return False


class ColumnCheck:
    """A FieldCheck's predicates split into Arrow kernels and those left to Python."""

    def __init__(self, check: FieldCheck):
        self.check = check
        self.kernels: list[Kernel] = []
        self.python: list[Callable[[str], Any]] = []
        with_kernel: list[Callable[[str], Any]] = []
        for pred in check.preds:
            if any(implies(kept, pred) for kept in with_kernel):
                continue  # a kernel already vouches for it
            kernel = arrow_kernel(pred)
            if kernel is None:
                self.python.append(pred)
            else:
                self.kernels.append(kernel)
                with_kernel.append(pred)
        self.missing = None if check.missing == {""} else \
            strings(sorted(check.missing))
        # Few distinct values: the kernels run on those (hashing is cheaper than a regex).
        self.few_distinct: bool | None = None
        # Latitude/longitude: the distinct values of the chunk that may lie outside Japan
        # (a superset, as FieldCheck.outside_japan), for the pair check.
        self.japan = {"latitude": JAPAN_LAT, "longitude": JAPAN_LON}.get(check.xcheck or "")
        self.outside: set[str] = set()
        # Missing values other than "" are left out of the checks but not of the pair check.
        self.missing_outside = set(check.missing) - {""}

    def suspects(self, values: pa.Array, among: bool = False) -> set[str]:
        """FieldCheck.suspects: the distinct values that may have a finding (a finding
        depends on the value alone). ``among``: ``values`` also holds missing values, which
        are never suspects."""
        check = self.check
        if check.scan_all:
            return set(pc.unique(values).to_pylist()) - check.good - (check.missing if among else set())
        if not (self.kernels or self.python or self.japan is not None or
                (check.range is not None and check.range != (None, None))):
            return set()  # nothing to test (a required column, say)
        if self.few_distinct is None:  # decided on the first chunk, like the row path
            distinct = pc.unique(values)
            self.few_distinct = len(distinct) * 4 < len(values)
            values = distinct
        elif self.few_distinct:
            values = pc.unique(values)
        bad: set[str] = set()
        passing = values
        if self.kernels:
            ok = self.kernels[0](values)
            for kernel in self.kernels[1:]:
                ok = pc.and_(ok, kernel(values))
            if not pc.all(ok).as_py():
                bad.update(pc.unique(values.filter(pc.invert(ok))).to_pylist())
                passing = values.filter(ok)
        if self.python and len(passing):
            distinct = pc.unique(passing).to_pylist()
            failed = {v for pred in self.python for v in distinct if not pred(v)}
            if failed:
                bad |= failed
                passing = passing.filter(pc.invert(pc.is_in(passing, value_set=strings(list(failed)))))
        if among:
            bad -= check.missing
        japan = self.japan
        if japan is not None:
            self.outside.update(bad)  # not plain numbers: Plan.pair_findings decides
        if check.range is not None and len(passing):
            lo, hi = check.range
            if lo is not None or hi is not None or japan is not None:
                # Every value left passed the plain-number regex, so the cast is Python's float().
                floats = pc.cast(passing, pa.float64())
                # One pass for the extremes: the comparisons below only when they are needed.
                extremes = pc.min_max(floats)
                low, high = extremes["min"].as_py(), extremes["max"].as_py()
                if japan is not None and not (japan[0] <= low and high <= japan[1]):
                    inside = pc.and_(pc.greater_equal(floats, number(japan[0])),
                                     pc.less_equal(floats, number(japan[1])))
                    if not pc.all(inside).as_py():
                        self.outside.update(pc.unique(passing.filter(pc.invert(inside))).to_pylist())
            if (lo is not None and low <= lo) or (hi is not None and high >= hi):
                out = None
                if lo is not None:
                    out = pc.less_equal(floats, number(lo))
                if hi is not None:
                    above = pc.greater_equal(floats, number(hi))
                    out = above if out is None else pc.or_(out, above)
                if pc.any(out).as_py():
                    bad.update(pc.unique(passing.filter(out)).to_pylist())
                    if among:
                        bad -= check.missing
        if bad and check.good:
            bad -= check.good
        return bad


# ------------------------------------------------------------------ reading


def _data_offset(path: str, records: int) -> int:
    """Byte offset of the first data row, ``records`` records into the file. Each record
    above it must be one line (an even number of quotes), else the row path reads it."""
    with open(path, "rb") as handle:
        head = handle.read(max(BLOCK_BYTES, 1 << 20))
        at_end = len(head) < max(BLOCK_BYTES, 1 << 20)
    lines = head.splitlines(keepends=True)
    if len(lines) < records + (0 if at_end else 1):
        raise Fallback("header lines")
    offset = 0
    for line in lines[:records]:
        if line.count(b'"') % 2:
            raise Fallback("quoted line break above the data")
        offset += len(line)
    return offset


def _quoted_field_re(delimiter: bytes) -> re.Pattern[bytes]:
    # A well-formed quoted field: opens at the start of a field, "" inside, closes at its end.
    # Starts with the literal quote, so re scans for quotes at C speed.
    d = re.escape(delimiter)
    return re.compile(b'"(?<![^' + d + rb'\r\n]")(?:[^"]|"")*"(?=[' + d + rb'\r\n]|\Z)')


def _cut(buffer: bytes) -> int:
    """End of the last whole line in ``buffer`` outside a quoted cell, or -1."""
    end = buffer.rfind(b"\n") + 1
    if end == 0:
        end = buffer.rfind(b"\r", 0, len(buffer) - 1) + 1  # old Mac line ends: not a \r\n cut
    if end == 0 or b'"' not in buffer:
        return end if end else -1
    # numpy counts bytes ~10x faster than bytes.count (no memchr for a count)
    parity = int(np.count_nonzero(np.frombuffer(buffer, dtype=np.uint8, count=end) == 34)) % 2
    tries = 0
    while end > 0 and parity and tries < 10_000:
        previous = buffer.rfind(b"\n", 0, end - 1) + 1
        parity ^= buffer.count(b'"', previous, end) % 2
        end = previous
        tries += 1
    return end if end > 0 and not parity else -1


def _check_utf8(block: bytes) -> None:
    """Fallback unless ``block`` is valid UTF-8 (Arrow's validation, as its CSV reader's)."""
    offsets = np.array([0, len(block)], dtype=np.int32)  # a block is at most MAX_BLOCK_BYTES
    whole = pa.Array.from_buffers(pa.binary(), 1, [None, pa.py_buffer(offsets), pa.py_buffer(block)])
    try:
        whole.cast(STRING)
    except pa.ArrowInvalid:
        raise Fallback("undecodable") from None


def _blocks(path: str, offset: int) -> Iterator[bytes]:
    """The data bytes from ``offset``, in blocks of whole records."""
    with open(path, "rb") as handle:
        handle.seek(offset)
        buffer = b""
        while True:
            more = handle.read(BLOCK_BYTES)
            if not more:
                if buffer:
                    yield buffer
                return
            buffer += more
            end = _cut(buffer)
            if end <= 0:
                if len(buffer) > MAX_BLOCK_BYTES:
                    raise Fallback("no record end")
                continue
            yield buffer[:end]
            buffer = buffer[end:]


class Parsed:
    """One block parsed: a table of ``width`` string columns in record order, and the rows
    that ``Plan.even_out`` must see (ragged, or with cells beyond the trailing blank
    columns), as (record index in the block, cells)."""

    def __init__(self, table: pa.Table, records: int, uneven: list[tuple[int, list[str]]]):
        self.table = table
        self.records = records
        self.uneven = uneven


class BlockParser:
    def __init__(self, table: Table, width: int):
        self.width = width
        self.tolerated = width + table.trailing_blank
        self.delimiter = "\t" if table.dialect == "tsv" else ","
        self.encoding = table.encoding
        self.names = [f"c{i}" for i in range(self.tolerated)]
        self.quoted_field = _quoted_field_re(self.delimiter.encode())
        # UTF-8 is checked once per block (_check_utf8), not cell by cell: a cell is a piece
        # of the block cut at ASCII bytes, so it is valid UTF-8 when the block is.
        self.convert = pacsv.ConvertOptions(
            column_types={name: STRING for name in self.names},
            strings_can_be_null=False, quoted_strings_can_be_null=False, check_utf8=False)

    def parse(self, block: bytes) -> Parsed:
        if b"\x00" in block:
            raise Fallback("NUL")  # the row path names its line
        quoted = b'"' in block
        # Line breaks inside quoted cells make pyarrow's parser track quotes across lines
        # (about 20 % slower): only when a quoted cell has one.
        multiline = quoted and self._quoted_cells(block)
        if self.encoding == "cp932":
            try:
                block = block.decode("cp932").encode("utf-8")
            except UnicodeDecodeError:
                raise Fallback("undecodable") from None
        else:
            _check_utf8(block)
        invalid: list[tuple[int | None, str]] = []

        def on_invalid(row) -> str:
            invalid.append((row.number, row.text))
            return "skip"

        try:
            table = pacsv.read_csv(
                pa.py_buffer(block),
                read_options=pacsv.ReadOptions(column_names=self.names, use_threads=False,
                                               block_size=max(1 << 20, len(block) + 1)),
                parse_options=pacsv.ParseOptions(
                    delimiter=self.delimiter, quote_char='"' if quoted else False,
                    double_quote=True, escape_char=False, newlines_in_values=multiline,
                    ignore_empty_lines=False, invalid_row_handler=on_invalid),
                convert_options=self.convert)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeDecodeError) as exc:
            raise Fallback(f"pyarrow: {exc}") from None
        return self._even(table, invalid)

    def _quoted_cells(self, block: bytes) -> bool:
        """Fallback unless every quote of ``block`` belongs to a well-formed quoted cell;
        True when a quoted cell holds a line break (or when that was not looked at).

        A few quoted cells (the usual case) are found with bytes.find and matched one by
        one; a block of many (every cell quoted) is matched in one ``sub``, as it was."""
        quoted_field = self.quoted_field
        match = quoted_field.match
        find = block.find
        multiline = False
        at = find(b'"')
        budget = QUOTED_ONE_BY_ONE
        while at != -1:
            budget -= 1
            if budget < 0:  # a block of many quoted cells
                if b'"' in quoted_field.sub(b"", block):
                    raise Fallback("quote outside a well-formed quoted cell")
                return True
            # match() at a position still sees what precedes it (the pattern's lookbehind)
            found = match(block, at)
            if found is None:
                raise Fallback("quote outside a well-formed quoted cell")
            end = found.end()
            if not multiline and (find(b"\n", at, end) != -1 or find(b"\r", at, end) != -1):
                multiline = True
            at = find(b'"', end)
        return multiline

    def _even(self, table: pa.Table, invalid: list[tuple[int | None, str]]) -> Parsed:
        width, tolerated = self.width, self.tolerated
        uneven: list[tuple[int, list[str]]] = []
        if tolerated > width:
            tail = mask(np.zeros(table.num_rows, dtype=bool))
            for column in table.columns[width:]:
                tail = pc.or_(tail, pc.not_equal(column, ""))
            if pc.any(tail).as_py():
                positions = pc.indices_nonzero(tail).to_pylist()
                rows = table.take(indices(positions)).to_pylist()
                # Index among valid rows for now; turned into record indices below.
                uneven = [(p, [row[name] for name in self.names]) for p, row in zip(positions, rows, strict=True)]
            table = table.select(range(width))
        records = table.num_rows + len(invalid)
        if not invalid:
            return Parsed(table, records, uneven)
        # Put the ragged rows in their place: pyarrow numbers them by record (from 1).
        bad_records = []
        ragged = []
        for number, text in invalid:
            if number is None or len(text) * 3 + 3 >= MAX_LINE_CHARS:
                raise Fallback("ragged row without a number, or too long")
            cells = next(csv.reader([text], delimiter=self.delimiter), [])
            bad_records.append(number - 1)
            ragged.append(cells)
        if len(set(bad_records)) != len(bad_records) or max(bad_records) >= records:
            raise Fallback("ragged row numbers")
        # order[record] = its row in concat(valid rows, ragged rows)
        ragged_at = sorted(bad_records)
        if ragged_at != bad_records:
            raise Fallback("ragged rows out of order")
        if uneven:
            # a valid row's record index: its own index plus the ragged records before it
            shifted = []
            k = 0
            for p, cells in uneven:
                while k < len(ragged_at) and ragged_at[k] <= p + k:
                    k += 1
                shifted.append((p + k, cells))
            uneven = shifted
        evened = [cells[:width] if len(cells) >= width else cells + [""] * (width - len(cells))
                  for cells in ragged]
        extra = pa.table([strings(column) for column in zip(*evened, strict=True)],
                         names=table.column_names)
        combined = _in_record_order(table, extra, ragged_at)
        uneven.extend(zip(bad_records, ragged, strict=True))
        uneven.sort(key=lambda item: item[0])
        return Parsed(combined, records, uneven)


def _in_record_order(table: pa.Table, extra: pa.Table, ragged_at: list[int]) -> pa.Table:
    """The valid rows (``table``) and the evened ragged ones (``extra``, at the sorted
    record indices ``ragged_at``) in record order. A few ragged rows (the usual case): slices
    between them, no copy (the chunk is made contiguous once, later); many: one take."""
    if len(ragged_at) > SPLICE_MAX:
        order: list[int] = []
        valid_index = 0
        previous = 0
        for k, record in enumerate(ragged_at):
            order.extend(range(valid_index, valid_index + record - previous))
            valid_index += record - previous
            order.append(table.num_rows + k)
            previous = record + 1
        order.extend(range(valid_index, table.num_rows))
        return pa.concat_tables([table, extra]).take(indices(order))
    pieces = []
    valid_index = 0
    previous = 0
    for k, record in enumerate(ragged_at):
        if record > previous:
            pieces.append(table.slice(valid_index, record - previous))
            valid_index += record - previous
        pieces.append(extra.slice(k, 1))
        previous = record + 1
    if valid_index < table.num_rows:
        pieces.append(table.slice(valid_index))
    return pa.concat_tables(pieces)


# ------------------------------------------------------------------ checking


class ColumnarRun:
    """Runs a compiled ``engine.Plan`` over Arrow chunks of the file."""

    def __init__(self, plan):
        self.plan = plan
        self.report = plan.report
        self.table: Table = plan.table
        self.width = plan.width
        self.columns = {check: ColumnCheck(check) for check in plan.checks}

    def run(self, chunk_rows: int, chunk_cells: int) -> None:
        plan = self.plan
        table = self.table
        if not supports(table):
            raise Fallback("not a UTF-8 or Shift_JIS text file")
        chunk_rows = max(1, min(chunk_rows, chunk_cells // max(1, self.width)))
        offset = _data_offset(table.path, table.first_data_row - 1)
        parser = BlockParser(table, self.width)
        base = table.first_data_row
        pending: list[pa.Table] = []
        held = 0
        uneven: deque[tuple[int, list[str]]] = deque()
        try:
            for block in _blocks(table.path, offset):
                parsed = parser.parse(block)
                start = base + held
                uneven.extend((start + index, cells) for index, cells in parsed.uneven)
                pending.append(parsed.table)
                held += parsed.records
                while held >= chunk_rows:
                    whole = pa.concat_tables(pending)
                    self._chunk(whole.slice(0, chunk_rows), base, uneven)
                    base += chunk_rows
                    held -= chunk_rows
                    pending = [whole.slice(chunk_rows)] if held else []
            if held:
                self._chunk(pa.concat_tables(pending), base, uneven)
        except MemoryError:
            raise ReadError("too-large") from None
        finally:
            for check in plan.checks:
                check.seen_keys.close()
            plan.pk_seen.close()

    def _chunk(self, table: pa.Table, base: int, uneven: deque) -> None:
        plan = self.plan
        report = self.report
        count = table.num_rows
        # One copy at most: a column of one chunk is used as it is.
        columns = [column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
                   for column in table.columns]
        sizes = [np.diff(_offsets(column)) for column in columns]
        lengths = np.sum(sizes, axis=0, dtype=np.int64)
        if int(lengths.max()) * 3 + 3 * self.width >= MAX_LINE_CHARS or \
                int(lengths.sum()) + count * (3 * self.width + 2) >= CHUNK_BYTES_SAFE:
            raise Fallback("long lines")  # the row path's limits decide
        report.rows += count
        report.begin_cells()
        end = base + count
        while uneven and uneven[0][0] < end:
            number, cells = uneven.popleft()
            plan.even_out([cells], number)
        blank = lengths == 0
        rownums = None
        if blank.any():
            for i in np.flatnonzero(blank).tolist():
                number = base + i
                report.add(number, None, "", "blank-row", "error")
                if plan.pk_checks:
                    report.add(number, None, "", "primary-key:empty", "error", "", {"key": plan.pk_label})
            keep = ~blank
            rownums = (np.flatnonzero(keep) + base).tolist()
            if not rownums:
                return
            columns = _kept_rows(columns, keep)
            sizes = [size[keep] for size in sizes]
        rowmap = rownums.__getitem__ if rownums is not None else (lambda i: base + i)
        for check in plan.checks:
            self._field(check, columns[check.column], sizes[check.column] == 0, rowmap)
        if plan.pk_checks:
            keys = {check.column: columns[check.column].to_pylist() for check in plan.pk_checks}
            plan.primary_key(keys, rowmap, len(columns[0]))
        if plan.lat is not None and plan.lon is not None:
            self._pairs(columns[plan.lat.column], columns[plan.lon.column], rowmap)
        for column in plan.formula_columns:
            self._formulas(column, columns[column], sizes[column], rowmap)
        if plan.cross is not None:
            plan.cross.run(lambda index: columns[index].to_pylist(), len(columns[0]), rowmap, report)

    def _field(self, check: FieldCheck, column: pa.Array, empty: np.ndarray, rowmap) -> None:
        emit = self.report.add
        number = check.column + 1
        name = check.name
        compiled = self.columns[check]
        compiled.outside = set(compiled.missing_outside)
        if compiled.missing is None:
            blank = empty
        else:
            blank = pc.is_in(column, value_set=compiled.missing).to_numpy(zero_copy_only=False)
        index = None
        values = column
        among = False  # missing values left among the values
        blanks = int(np.count_nonzero(blank))
        if blanks:
            if check.required:
                for i in np.flatnonzero(blank).tolist():
                    emit(rowmap(i), number, name, "constraint-error:required", "error", "",
                         {"constraint": True})
            if blanks == len(blank):
                return
            if blanks * 2 > len(blank) or check.unique or check.track_ids:
                present = ~blank
                index = np.flatnonzero(present)  # a list only where a finding needs it
                values = column.filter(mask(present))
            else:
                # A few blank cells: the kernels run over them too (cheaper than copying the
                # column without them), and suspects() leaves the missing values out.
                among = True
        bad = {}
        for value in compiled.suspects(values, among):
            verdict = check.classify(value)
            if verdict:
                bad[value] = verdict
        if bad:
            hit = pc.is_in(values, value_set=strings(list(bad)))
            positions = pc.indices_nonzero(hit).to_pylist()
            for j, value in zip(positions, values.take(indices(positions)).to_pylist(), strict=True):
                row = rowmap(int(index[j]) if index is not None else j)
                for code, severity, params in bad[value]:
                    emit(row, number, name, code, severity, value, params)
        if check.unique or check.track_ids:
            self._duplicates(check, values, index, bad, rowmap)

    def _duplicates(self, check: FieldCheck, values: pa.Array, index, bad, rowmap) -> None:
        """Plan.duplicates; a text column's keys go to keyset as bytes from the Arrow buffers
        (a Python string per value cost more than every other check of the column)."""
        plan = self.plan
        if check.type != "string" or check.format != "default" or \
                any(code == "type-error" for verdict in bad.values() for code, _, _ in verdict):
            plan.duplicates(check, values.to_pylist(), None if index is None else index.tolist(), bad, rowmap)
            return
        data = values.buffers()[2]
        encoded = encode_strings(_offsets(values), np.frombuffer(data, dtype=np.uint8) if data is not None
                                 else np.zeros(0, dtype=np.uint8))
        repeats = check.seen_keys.repeats_encoded(encoded, values.to_pylist)
        if repeats is None:
            return
        found = np.flatnonzero(repeats)
        plan.duplicate_findings(check, [rowmap(int(index[j]) if index is not None else j) for j in found.tolist()],
                                values.take(indices(found)).to_pylist())

    def _pairs(self, lat: pa.Array, lon: pa.Array, rowmap) -> None:
        plan = self.plan
        masks = [pc.is_in(column, value_set=strings(sorted(outside)))
                 for column, outside in ((lat, self.columns[plan.lat].outside),
                                         (lon, self.columns[plan.lon].outside)) if outside]
        if not masks:
            return
        suspicious = masks[0] if len(masks) == 1 else pc.or_(*masks)
        positions = pc.indices_nonzero(suspicious).to_pylist()
        self.plan.pair_findings(range(len(positions)), lat.take(indices(positions)).to_pylist(),
                                lon.take(indices(positions)).to_pylist(), lambda k: rowmap(positions[k]))

    def _formulas(self, column: int, values: pa.Array, sizes: np.ndarray, rowmap) -> None:
        data = values.buffers()[2]
        if data is None or not data.size or not len(values):
            return
        # each cell's first byte (an empty cell's is its neighbour's: masked by its size)
        first = np.frombuffer(data, dtype=np.uint8).take(_offsets(values)[:-1], mode="clip")
        hit = _FORMULA_FIRST.take(first)
        hit &= sizes > 0
        if not hit.any():
            return
        positions = np.flatnonzero(hit).tolist()
        self.plan.formula_findings(column, range(len(positions)), values.take(indices(positions)).to_pylist(),
                                   lambda k: rowmap(positions[k]))


def _kept_rows(columns: list[pa.Array], keep: np.ndarray) -> list[pa.Array]:
    """The columns without the rows ``keep`` leaves out (blank rows): a few runs of kept rows
    are sliced and joined (a copy of their buffers), many go through Arrow's filter."""
    edges = np.diff(np.concatenate(([0], keep.view(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist()
    if len(starts) > SPLICE_MAX:
        kept = mask(keep)
        return [column.filter(kept) for column in columns]
    return [pa.concat_arrays([column.slice(start, end - start) for start, end in zip(starts, ends, strict=True)])
            for column in columns]


def _offsets(values: pa.Array) -> np.ndarray:
    """The value offsets of a string array, as numpy (no copy)."""
    return np.frombuffer(values.buffers()[1], dtype=np.int32, count=len(values) + 1,
                         offset=values.offset * 4)


# First bytes of a cell a spreadsheet runs as a formula (FORMULA_PREFIXES are ASCII characters).
_FORMULA_FIRST = np.zeros(256, dtype=bool)
_FORMULA_FIRST[[ord(prefix) for prefix in FORMULA_PREFIXES]] = True


__all__ = ["Fallback", "ColumnarRun", "supports", "re2_pattern", "arrow_kernel", "BLOCK_BYTES"]
