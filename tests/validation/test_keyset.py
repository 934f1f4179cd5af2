"""keyset.SeenKeys is exact at every stage: Python set, numpy sorted runs, SQLite.

The stages are forced by small thresholds; each must answer exactly what a plain set of
the values (compared as Frictionless compares them) answers.
"""
from __future__ import annotations

import random
from decimal import Decimal

import pytest
from regionaliot.validation import keyset


def reference(batches):
    seen, out = set(), []
    for batch in batches:
        marks = []
        for key in batch:
            text = keyset._text(key)  # noqa: SLF001 - equality as the store defines it
            if text is None:
                marks.append(False)
                continue
            marks.append(text in seen)
            seen.add(text)
        out.append(marks if any(marks) else None)
    return out


def keys(seed, kind):
    # One kind of value a store, as in a column (Frictionless reads a column as one type).
    rng = random.Random(seed)
    pool = ["a", "a\x00", "\x00", "ａ", "𠮷野家", "x" * 70, "", "a\x1fsb", "-0", "1"]
    make = {
        "text": lambda: rng.choice(pool) + str(rng.randrange(60)) if rng.random() < 0.7
        else f"{rng.randrange(3000):06d}",
        "integer": lambda: rng.randrange(-300, 300),
        "number": lambda: Decimal(rng.choice(["1", "1.0", "-0", "0", "NaN", "2.50", "2.5", "1E+2",
                                              "100", str(rng.randrange(500))])),
        "key": lambda: (rng.choice(["a", None, "b\x00", "x" * 70]), rng.randrange(40)),
    }[kind]
    made = [make() for _ in range(3000)]
    return [made[i:i + 97] for i in range(0, len(made), 97)]


@pytest.mark.parametrize("spill_at, runs_at, width", [
    (10**9, 10**9, 64),  # the set alone
    (0, 10**9, 64),      # numpy runs from the start
    (50, 10**9, 64),     # set, then runs
    (50, 400, 64),       # set, runs, then SQLite once the runs are full
    (50, 10**9, 8),      # a value too wide for the runs: SQLite
])
def test_every_stage_is_exact(monkeypatch, spill_at, runs_at, width):
    monkeypatch.setattr(keyset, "RUNS_AT", runs_at)
    monkeypatch.setattr(keyset, "RUNS_WIDTH", width)
    for seed, kind in enumerate(("text", "integer", "number", "key")):
        batches = keys(seed, kind)
        store = keyset.SeenKeys(spill_at=spill_at)
        got = [store.repeats(batch) for batch in batches]
        store.close()
        assert got == reference(batches)


def test_runs_hold_a_million_values_compactly():
    runs = keyset.SortedRuns()
    for start in range(0, 1_000_000, 50_000):
        runs.repeats(runs.encode(f"{i:010d}" for i in range(start, start + 50_000)))
    assert runs.count == 1_000_000
    assert sum(run.nbytes for run in runs.runs) <= 12 * 1_000_000  # a Python set: ~80 MB
    again = runs.repeats(runs.encode(["0000000000", "x", "x"]))
    assert again.tolist() == [True, False, True]


def encoded(batch):
    """A batch of texts as the columnar path hands them over: Arrow-style offsets and bytes."""
    import numpy as np

    data = [text.encode("utf-8") for text in batch]
    offsets = np.zeros(len(data) + 1, dtype=np.int64)
    np.cumsum([len(item) for item in data], out=offsets[1:])
    return keyset.encode_strings(offsets, np.frombuffer(b"".join(data), dtype=np.uint8))


@pytest.mark.parametrize("spill_at, runs_at, width", [
    (10**9, 10**9, 64),  # a set first: spilled into runs at the first encoded batch
    (50, 400, 64),       # runs full: the encoded batches go to SQLite through keys()
    (50, 10**9, 8),      # a value too wide for the runs: SQLite
])
def test_encoded_batches_are_exact(monkeypatch, spill_at, runs_at, width):
    # Text columns (the columnar path): batches from Arrow buffers, mixed with plain ones.
    monkeypatch.setattr(keyset, "RUNS_AT", runs_at)
    monkeypatch.setattr(keyset, "RUNS_WIDTH", width)
    # Without the 70-character values, so that the runs (not SQLite) take them where they fit.
    batches = [[text for text in batch if len(text) < 60] for batch in keys(5, "text")]
    store = keyset.SeenKeys(spill_at=spill_at)
    got = []
    for i, batch in enumerate(batches):
        if i % 3 == 0:
            got.append(store.repeats(batch))
        else:
            marks = store.repeats_encoded(encoded(batch), lambda batch=batch: batch)
            got.append(None if marks is None else marks.tolist())
    store.close()
    assert got == reference(batches)


def test_values_of_one_length_encode_as_any_others():
    # A column whose values all have one byte length (codes, zero-padded numbers) is encoded
    # without scattering bytes one by one: the keys must be the same as the general path's.
    import numpy as np

    for batch in (["0000000001", "0000000002", "0000000001"], ["ab\x00", "a\x00\x00", "abc", "\x00\x00\x00"],
                  ["𠮷", "abcd", "𠮷"],
                  ["x"], ["倉敷", "岡山", "倉敷"]):
        data = b"".join(text.encode("utf-8") for text in batch)
        width = len(batch[0].encode("utf-8"))
        for lead in (0, 5):  # an Arrow slice: offsets need not start at 0
            offsets = np.arange(len(batch) + 1, dtype=np.int64) * width + lead
            got = keyset.encode_strings(offsets, np.frombuffer(b"?" * lead + data, dtype=np.uint8))
            want = np.array(keyset.SortedRuns.encode(f"s{text}" for text in batch), dtype=got.dtype)
            assert got.tolist() == want.tolist()
    # and mixed lengths still take the general path
    assert encoded(["1", "22", "1"]).tolist() == \
        np.array(keyset.SortedRuns.encode(["s1", "s22", "s1"]), dtype="S4").tolist()


def test_increasing_batches_are_exact():
    # Batches in increasing order above every value so far (a numbered ID column) skip the
    # sort and the lookups: a batch that starts at (or below) the largest value so far, or
    # repeats inside, must still find its repeats.
    batches = [["001", "002", "003"], ["003", "004"], ["005", "006"], ["002", "007"],
               ["008", "008"], ["009"], ["010", "011", "012", "013"], ["000", "014"]]
    runs = keyset.SortedRuns()
    got = [runs.repeats(runs.encode(f"s{text}" for text in batch)).tolist() for batch in batches]
    assert got == [[False] * 3, [True, False], [False, False], [True, False], [False, True], [False],
                   [False] * 4, [False, False]]
    assert runs.count == 15 and all(bool((run[:-1] < run[1:]).all()) for run in runs.runs)
    assert sorted(runs.texts()) == sorted(f"s{i:03d}" for i in range(15))
