"""Cross-field checks (several cells of one row; checks with ``rows`` in the registry).

They run inside the engine's one pass over the file, on each chunk of rows after the field
checks (``Plan._chunk`` on the row path, ``ColumnarRun._chunk`` on the columnar path), and
only when a check applies to the file's standard (公衆トイレ一覧, 人口 …). A judge reads the
cells it needs by field name; those columns alone become Python values, once per chunk.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

from .checks import CHECKS, CODES


def plan(field_of_column: dict[int, str]) -> list:
    """The row judges of every cross-field check that applies to these columns."""
    columns = {name: column for column, name in field_of_column.items()}
    judges = []
    for check in CHECKS.values():
        if check.rows is not None and (judge := check.rows(columns)) is not None:
            judges.append(judge)
    return judges


class _Cells:
    """One row's cells by field name, as a judge reads them (``cells[name]``), taken from
    the chunk's columns, each turned into Python strings on first use."""

    __slots__ = ("column_of", "column", "lists", "index")

    def __init__(self, column_of: dict[str, int], column: Callable[[int], Sequence[str]]):
        self.column_of = column_of
        self.column = column
        self.lists: dict[str, Sequence[str]] = {}
        self.index = 0

    def __getitem__(self, name: str) -> str:
        values = self.lists.get(name)
        if values is None:
            values = self.lists[name] = self.column(self.column_of[name])
        return values[self.index]


class CrossChecks:
    """The cross-field checks that apply to a file's columns (false when none does)."""

    def __init__(self, field_of_column: dict[int, str]):
        self.judges = plan(field_of_column)
        self.column_of = {name: column for column, name in field_of_column.items()}

    def __bool__(self) -> bool:
        return bool(self.judges)

    def run(self, column: Callable[[int], Sequence[str]], count: int, rowmap, report) -> None:
        """Judge the ``count`` non-blank rows of a chunk; ``column(i)`` gives file column i
        of those rows, ``rowmap(k)`` the file row number of the k-th."""
        cells = _Cells(self.column_of, column)
        add = report.add
        column_of = self.column_of
        judges = self.judges
        for index in range(count):
            cells.index = index
            for judge in judges:
                for name, code, params in judge(cells):
                    add(rowmap(index), column_of[name] + 1, name, code, CODES[code].severity,
                        cells[name], params, merge=False)  # about several cells: never merged
