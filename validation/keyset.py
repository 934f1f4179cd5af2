"""The values a column has had so far, for ``unique`` and ``primaryKey`` — exact and bounded.

Values are compared as Frictionless compares them (``==`` of what its cell reader returns),
never by a hash. Up to ``SPILL_AT`` values live in a Python set; beyond that (a file of
millions of rows) they move to a table of a private temporary SQLite database, whose page
cache stays small, so memory does not grow with the file: about 80 bytes a value in a set
would be 800 MB at 10M rows.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

SPILL_AT = 500_000
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


class SeenKeys:
    def __init__(self, spill_at: int | None = None):
        self._set: set[Any] = set()
        self._db: sqlite3.Connection | None = None
        self._spill_at = SPILL_AT if spill_at is None else spill_at

    def repeats(self, keys: Sequence[Any]) -> list[bool] | None:
        """Add ``keys`` (in order); True for each that an earlier key (before this call or
        earlier in ``keys``) equals. None when there is no repeat at all."""
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

    def _spill(self) -> None:
        self._db = sqlite3.connect("")  # "": a private temporary database on disk
        self._db.execute("PRAGMA cache_size = -4096")  # KiB
        self._db.execute("CREATE TABLE seen (k TEXT PRIMARY KEY) WITHOUT ROWID")
        self._insert(text for text in map(_text, self._set) if text is not None)
        self._set = set()

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
        if self._db is not None:
            self._db.close()
            self._db = None
