"""Cross-field checks (several cells of one row; checks with ``rows`` in the registry).

They run in a pass of their own over the file's rows, reading only the columns they need,
and only when a check applies to the file's standard (公衆トイレ一覧, 人口 …): the
per-column engines (the row path and the columnar path) stay as they are.
"""
from __future__ import annotations

from .checks import CHECKS, CODES
from .reader import open_table


def plan(field_of_column: dict[int, str]) -> list:
    """The row judges of every cross-field check that applies to these columns."""
    columns = {name: column for column, name in field_of_column.items()}
    judges = []
    for check in CHECKS.values():
        if check.rows is not None and (judge := check.rows(columns)) is not None:
            judges.append(judge)
    return judges


def run(path, encoding, scorer, field_of_column: dict[int, str], report) -> None:
    """Check every data row of ``path`` with the cross-field checks that apply."""
    judges = plan(field_of_column)
    if not judges:
        return
    columns = {name: column for column, name in field_of_column.items()}
    with open_table(path, scorer, encoding) as table:
        number = table.first_data_row
        for row in table.fast_rows():
            if any(row):
                cells = {name: row[column] if column < len(row) else ""
                         for name, column in columns.items()}
                for judge in judges:
                    for name, code, params in judge(cells):
                        report.add(number, columns[name] + 1, name, code,
                                   CODES[code].severity, cells[name], params)
            number += 1

