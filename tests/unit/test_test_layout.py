"""pytest imports test modules by basename (no __init__.py in tests/): two test files with
the same name in different folders stop the whole suite's collection."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def test_every_test_module_has_a_basename_of_its_own():
    names = Counter(path.name for path in TESTS.rglob("test_*.py"))
    assert len(names) > 50  # the walk found the suite
    assert [name for name, count in names.items() if count > 1] == []
