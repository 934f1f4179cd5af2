"""The values a column has had so far, for ``unique`` and ``primaryKey`` — exact and bounded.

Values are compared as Frictionless compares them (``==`` of what its cell reader returns),
never by a hash. Up to ``SPILL_AT`` values live in a Python set; beyond that (a file of
millions of rows) they move to sorted numpy runs of their UTF-8 bytes (``SortedRuns``, about
12 bytes a value), and past ``RUNS_AT`` values to a table of a private temporary SQLite
database, whose page cache stays small, so memory does not grow with the file: about 80
bytes a value in a set would be 800 MB at 10M rows.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from itertools import islice
from typing import Any

import numpy as np

SPILL_AT = 100_000  # ~10 MB of Python strings; the runs below are as fast and compact
# Past SPILL_AT, values live as sorted runs of UTF-8 byte strings in numpy (about 12 bytes a
# value instead of 80, and no per-value SQLite call: 0.6 µs a value instead of 8), up to
# RUNS_AT values or values of RUNS_WIDTH bytes; only then in SQLite.
RUNS_AT = 2_000_000  # 3M rows: 268 MB peak RSS (4M: 318 MB, with a 500,000 set)
RUNS_WIDTH = 64
_BATCH = 500  # SQLite's variable limit is 999 on old builds


def _text(value: Any) -> str | None:
    """A text that is equal for equal values (None: never equal to anything, NaN)."""
    if isinstance(value, str):
        return "s" + value
    if isinstance(value, bool):
        return "b" + str(value)
    if isinstance(value, int):
        return "i" + str(value)
    if isinstance(value, Decimal):
        if value.is_nan():
            return None
        if value == 0:
            return "d0"
        return "d" + format(value.normalize(), "f")
    if isinstance(value, tuple):
        parts = []
        for part in value:
            if part is None:
                parts.append("\x00")
                continue
            text = _text(part)
            if text is None:
                return None
            parts.append(f"{len(text)}:{text}")  # length-prefixed: no separator to collide with
        return "t" + "".join(parts)
    return "r" + repr(value)


def encode_strings(offsets: np.ndarray, data: np.ndarray) -> np.ndarray:
    """``SortedRuns.encode`` of the texts of string values (as ``_text`` makes them), from
    an Arrow-style layout: value i is ``data[offsets[i]:offsets[i + 1]]`` in UTF-8. Returns
    the fixed-width numpy array ``SortedRuns.repeats`` takes, without a Python object per value."""
    offsets = np.asarray(offsets, dtype=np.int64)
    count = len(offsets) - 1
    lengths = np.diff(offsets)
    width = int(lengths.max()) + 2 if count else 2
    if count and int(lengths.min()) == width - 2:
        # Every value of one length (codes, zero-padded numbers): the bytes are a matrix.
        out = np.empty((count, width), dtype=np.uint8)
        out[:, 0] = ord("s")
        out[:, 1:width - 1] = data[offsets[0]:offsets[-1]].reshape(count, width - 2)
        out[:, width - 1] = 1
        return out.view(f"S{width}").reshape(count)
    out = np.zeros((count, width), dtype=np.uint8)
    out[:, 0] = ord("s")
    rows = np.repeat(np.arange(count), lengths)
    spots = np.arange(offsets[-1] - offsets[0]) - (offsets[rows] - offsets[0]) + 1
    out[rows, spots] = data[offsets[0]:offsets[-1]]
    out[np.arange(count), lengths + 1] = 1
    return out.view(f"S{width}").reshape(count)


class SortedRuns:
    """An exact set of texts as sorted numpy arrays of fixed-width byte strings, merged like
    a log-structured merge tree (each run at most half the size of the one before)."""

    def __init__(self) -> None:
        self.runs: list[np.ndarray] = []
        self.width = 1
        self.count = 0

    @staticmethod
    def encode(texts: Iterable[str]) -> list[bytes]:
        # A final \x01 so that numpy's fixed-width strings never drop a trailing NUL.
        return [text.encode("utf-8", "surrogatepass") + b"\x01" for text in texts]

    def fits(self, encoded: list[bytes] | np.ndarray) -> bool:
        if isinstance(encoded, np.ndarray):
            return encoded.dtype.itemsize <= RUNS_WIDTH
        return not encoded or max(map(len, encoded)) <= RUNS_WIDTH

    def repeats(self, encoded: list[bytes] | np.ndarray) -> np.ndarray:
        """Add ``encoded`` (in order; bytes as ``encode`` gives, or already a fixed-width
        numpy array of them); True for each an earlier one (here or before) equals."""
        if isinstance(encoded, np.ndarray):
            batch = encoded
        else:
            batch = np.array(encoded, dtype=f"S{max(self.width, max(map(len, encoded)))}")
        if batch.dtype.itemsize > self.width:
            self.width = batch.dtype.itemsize
            self.runs = [run.astype(batch.dtype) for run in self.runs]
        batch = batch.astype(f"S{self.width}", copy=False)
        if len(batch) > 1 and bool(np.all(batch[1:] > batch[:-1])) and \
                (not self.runs or batch[0] > max(run[-1] for run in self.runs)):
            # Increasing, and above every value so far (a numbered ID column): no repeat,
            # and the batch is a sorted run as it is.
            repeated = np.zeros(len(batch), dtype=bool)
            fresh = batch
        else:
            distinct, first = np.unique(batch, return_index=True)
            repeated = np.ones(len(batch), dtype=bool)
            repeated[first] = False
            known = np.zeros(len(distinct), dtype=bool)
            for run in self.runs:
                at = np.searchsorted(run, distinct)
                known |= run[np.minimum(at, len(run) - 1)] == distinct
            if known.any():
                repeated[first[known]] = True
            fresh = distinct[~known]
        if len(fresh):
            self.runs.append(fresh)
            self.count += len(fresh)
            while len(self.runs) > 1 and len(self.runs[-1]) * 2 > len(self.runs[-2]):
                last = self.runs.pop()
                merged = np.concatenate([self.runs[-1], last])
                if not self.runs[-1][-1] < last[0]:  # else already in order (increasing IDs)
                    # stable = timsort here: it merges the two sorted runs in linear time
                    merged.sort(kind="stable")
                self.runs[-1] = merged
        return repeated

    def texts(self) -> Iterator[str]:
        for run in self.runs:
            for item in run.tolist():
                yield item[:-1].decode("utf-8", "surrogatepass")


class SeenKeys:
    def __init__(self, spill_at: int | None = None):
        self._set: set[Any] = set()
        self._runs: SortedRuns | None = None
        self._db: sqlite3.Connection | None = None
        self._spill_at = SPILL_AT if spill_at is None else spill_at

    def repeats(self, keys: Sequence[Any]) -> list[bool] | None:
        """Add ``keys`` (in order); True for each that an earlier key (before this call or
        earlier in ``keys``) equals. None when there is no repeat at all."""
        if self._runs is not None:
            return self._repeats_in_runs(keys)
        if self._db is None:
            fresh = set(keys)
            if len(fresh) == len(keys) and self._set.isdisjoint(fresh):
                self._set |= fresh
                result = None
            else:
                result = []
                seen = self._set
                for key in keys:
                    if key in seen:
                        result.append(True)
                    else:
                        seen.add(key)
                        result.append(False)
            if len(self._set) > self._spill_at:
                self._spill()
            return result
        return self._repeats_in_db(keys)

    def repeats_encoded(self, encoded: np.ndarray, keys: Callable[[], Sequence[Any]]) -> np.ndarray | None:
        """``repeats`` for keys already encoded as SortedRuns holds them (a fixed-width numpy
        array, built from Arrow buffers by the columnar path, without a Python string per
        value); ``keys()`` gives them as Python values where the runs cannot take them.
        Goes to the runs at once: they are as exact as the set, and cheaper from numpy."""
        if self._runs is None and self._db is None:
            if self._set:
                self._spill()
            else:
                self._runs = SortedRuns()
        runs = self._runs
        if runs is None or not runs.fits(encoded) or runs.count + len(encoded) > RUNS_AT:
            result = self.repeats(keys())
            return None if result is None else np.asarray(result, dtype=bool)
        if not len(encoded):
            return None
        repeated = runs.repeats(encoded)
        return repeated if repeated.any() else None

    def _spill(self) -> None:
        values, self._set = self._set, set()
        runs = SortedRuns()
        texts = (text for text in map(_text, values) if text is not None)
        while batch := list(islice(texts, 50_000)):  # a batch at a time: no second copy of all
            encoded = runs.encode(batch)
            if not runs.fits(encoded):
                self._to_db(text for text in map(_text, values) if text is not None)
                return
            runs.repeats(encoded)
        self._runs = runs

    def _repeats_in_runs(self, keys: Sequence[Any]) -> list[bool] | None:
        assert self._runs is not None
        texts = [_text(key) for key in keys]
        present = [i for i, text in enumerate(texts) if text is not None]
        encoded = self._runs.encode(texts[i] for i in present)
        if not self._runs.fits(encoded) or self._runs.count + len(encoded) > RUNS_AT:
            runs, self._runs = self._runs, None
            self._to_db(runs.texts())
            return self._repeats_in_db(keys)
        result = [False] * len(texts)
        if encoded:
            for i, repeated in zip(present, self._runs.repeats(encoded).tolist(), strict=True):
                result[i] = repeated
        return result if any(result) else None

    def _to_db(self, texts: Iterable[str]) -> None:
        self._db = sqlite3.connect("")  # "": a private temporary database on disk
        self._db.execute("PRAGMA cache_size = -4096")  # KiB
        self._db.execute("CREATE TABLE seen (k TEXT PRIMARY KEY) WITHOUT ROWID")
        self._insert(texts)

    def _insert(self, texts: Iterable[str]) -> None:
        assert self._db is not None
        self._db.executemany("INSERT OR IGNORE INTO seen VALUES (?)", ((t,) for t in texts))

    def _repeats_in_db(self, keys: Sequence[Any]) -> list[bool] | None:
        assert self._db is not None
        texts = [_text(key) for key in keys]
        wanted = list({t for t in texts if t is not None})
        known: set[str] = set()
        for start in range(0, len(wanted), _BATCH):
            part = wanted[start:start + _BATCH]
            query = f"SELECT k FROM seen WHERE k IN ({','.join('?' * len(part))})"
            known.update(row[0] for row in self._db.execute(query, part))
        result = []
        for text in texts:
            if text is None:
                result.append(False)
            elif text in known:
                result.append(True)
            else:
                known.add(text)
                result.append(False)
        self._insert(wanted)
        return result if any(result) else None

    def close(self) -> None:
        self._runs = None
        if self._db is not None:
            self._db.close()
            self._db = None
