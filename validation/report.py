"""Validation report: findings, summary, and JSON / HTML / text renderings.

Findings are stored as tuples while validating (cheap) and turned into dicts
with messages only when the report is rendered. Only the first
``max_findings`` are kept; the counts always cover every finding.

``to_dict`` carries, beside each rendered text, what it was rendered from (a finding's
``code`` and ``params``, the ``summary_key`` and ``summary_params``, ``schema_titles``),
so ``messages.render_report`` can show a stored report in another language.
"""
from __future__ import annotations

import html
import json
import re
from collections import Counter
from typing import Any

from .checks import CODES
from .i18n import normalize_lang
from .messages import encoding_name, generation_name, label, render, render_summary
from .reader import ReadError

CELL_SHOWN = 200  # characters of a cell kept in a finding


# Findings about more than one cell (a duplicate, a key): never merged into a cell's finding.
UNMERGED = frozenset({"unique-error", "duplicate-id", "primary-key"})
FRICTIONLESS_TYPES = frozenset({"type-error", "constraint-error", "missing-cell", "extra-cell",
                                "blank-row", "unique-error", "primary-key"})


def code_rank(code: str, params: dict[str, Any]) -> int:
    """Which of two findings on one cell leads: ours with a sure fix, then ours, then
    Frictionless's, then ours that only restate the problem."""
    if finding_type(code) in FRICTIONLESS_TYPES:
        return 1
    if "fix" in params:
        return 3
    info = CODES.get(code)
    return 0 if info is not None and info.restates else 2


def finding_type(code: str) -> str:
    """Frictionless error type of a Table-Schema code (``constraint-error:required`` → ``constraint-error``)."""
    return code.split(":", 1)[0]


class Report:
    def __init__(self, path: str, lang: str = "ja", max_findings: int | None = 10_000):
        self.path = path
        self.lang = lang
        self.max_findings = max_findings
        self.schema: str | None = None
        self.schema_title: str | None = None
        self.schema_titles: dict[str, str] | None = None  # {"ja": …, "en": …}
        self.generation: str | None = None
        self.encoding: str | None = None
        self.dialect: str | None = None
        self.header_row: int | None = None
        self.rows = 0
        self.labels: list[str] = []
        self._findings: list[tuple] = []
        self.counts: Counter[str] = Counter()
        self.error_count = 0
        self.warning_count = 0
        self.truncated = False
        self._cells: dict[tuple[int, int], list] | None = None
        # False when the file's standard could not be determined: only general checks ran,
        # so the file is never "valid" (``checked`` in to_dict, summary ``unchecked``).
        self.determined = True
        # The standard an undetermined file resembles most, as schema-resembles params.
        self.resembles: dict[str, Any] | None = None

    # -- collecting

    def add(self, row: int | None, column: int | None, field: str, code: str, severity: str,
            cell: str = "", params: dict[str, Any] | None = None, *, merge: bool = True) -> None:
        """One finding. ``merge=False``: a finding about several cells of its row (the
        cross-field checks), kept apart from the findings of the cell it is shown on."""
        if merge and row is not None and column is not None and self._cells is not None \
                and finding_type(code) not in UNMERGED:
            key = (row, column)
            entry = self._cells.get(key)
            if entry is not None:
                self._merge(entry, code, severity, params or {})
                return
            entry = [code, severity, None]
            self._cells[key] = entry
        else:
            entry = None
        self.counts[code] += 1
        if severity == "error":
            self.error_count += 1
        else:
            self.warning_count += 1
        if self.max_findings is not None and len(self._findings) >= self.max_findings:
            self.truncated = True
            return
        if len(cell) > CELL_SHOWN:
            cell = cell[:CELL_SHOWN] + "…"
        if entry is not None:
            entry[2] = len(self._findings)
        self._findings.append((row, column, field, code, severity, cell, params or {}))

    def begin_cells(self) -> None:
        """Start a new batch of rows: findings on one cell are merged within a batch (every
        check of a cell runs in the batch that holds its row)."""
        self._cells = {}

    def _merge(self, entry: list, code: str, severity: str, params: dict[str, Any]) -> None:
        """A second finding on a cell that already has one: one finding with both codes.

        The code that says what to change leads (``code_rank``); the others stay in
        ``also`` (so the Frictionless type of the cell stays known, ``table_schema_keys``).
        Counts follow the leading code and the worse severity: they count cells to fix."""
        old_code, old_severity, index = entry
        stored = self._findings[index] if index is not None else None
        old_params = stored[6] if stored is not None else {}
        lead_new = code_rank(code, params) > code_rank(old_code, old_params)
        lead, other = (code, old_code) if lead_new else (old_code, code)
        merged_severity = "error" if "error" in (severity, old_severity) else severity
        if lead != old_code:
            self.counts[old_code] -= 1
            if not self.counts[old_code]:
                del self.counts[old_code]
            self.counts[lead] += 1
        if merged_severity != old_severity:
            self.warning_count -= 1
            self.error_count += 1
        entry[0], entry[1] = lead, merged_severity
        if stored is None:
            return
        row, column, field, _, _, cell, _ = stored
        lead_params, other_params = (params, old_params) if lead_new else (old_params, params)
        also = [*old_params.get("also", ()), *params.get("also", ()), other]
        merged = {k: v for k, v in other_params.items() if k not in ("also", "fix")}
        merged.update({k: v for k, v in lead_params.items() if k != "also"})
        if "fix" not in merged and "fix" in other_params:
            merged["fix"] = other_params["fix"]
        merged["also"] = tuple(dict.fromkeys(c for c in also if c != lead))
        self._findings[index] = (row, column, field, lead, merged_severity, cell, merged)

    # -- reading

    @property
    def valid(self) -> bool:
        """No errors against a known standard: a file whose standard could not be
        determined is never valid, whatever the general checks found."""
        return self.error_count == 0 and self.determined

    def findings(self, lang: str | None = None) -> list[dict[str, Any]]:
        lang = lang or self.lang
        ordered = sorted(self._findings, key=lambda f: (f[0] or 0, f[1] or 0))
        out = []
        for row, column, field, code, severity, cell, params in ordered:
            also = list(params.get("also", ()))
            frictionless = next((c for c in [code, *also] if finding_type(c) in FRICTIONLESS_TYPES), None)
            item: dict[str, Any] = {
                "row": row,
                "column": column,
                "field": field,
                "code": code,
                # Every code of the cell, the leading one first (one finding per cell).
                "codes": [code, *also],
                # Frictionless's error type of the cell, when Frictionless flags it too.
                "type": finding_type(frictionless or code),
                "severity": severity,
                "cell": cell,
                # The cell as shown (≤ CELL_SHOWN characters), so that render_report gives
                # the same text again from the stored finding.
                "message": render(code, lang, **{**params, "field": field, "cell": cell, "column": column}),
                # With field, cell and column: all the message is rendered from.
                "params": _stored_params(params),
            }
            if "fix" in params:
                item["fix"] = params["fix"]
            out.append(item)
        return out

    def table_schema_keys(self) -> set[tuple[int | None, str, str]]:
        """(row, field, Frictionless type) of every stored Table-Schema finding."""
        return {(f[0], f[2], finding_type(code)) for f in self._findings
                for code in (f[3], *f[6].get("also", ())) if finding_type(code) in FRICTIONLESS_TYPES}

    def summary_key(self) -> tuple[str, dict[str, Any]]:
        """The verdict as (messages.SUMMARY key, params)."""
        if self.error_count:
            return "invalid", {"errors": self.error_count, "warnings": self.warning_count}
        if not self.determined:
            if self.resembles:
                return "unchecked_resembles", {"warnings": self.warning_count, **self.resembles}
            return "unchecked", {"warnings": self.warning_count}
        if self.warning_count:
            return "warnings_only", {"warnings": self.warning_count}
        return "valid", {}

    def summary(self, lang: str | None = None) -> str:
        key, params = self.summary_key()
        return render_summary(key, params, self.max_findings if self.truncated else None,
                              lang or self.lang) or key

    def to_dict(self, lang: str | None = None, *, summarise: bool = True) -> dict[str, Any]:
        """The report as JSON-ready data. ``summarise``: the same problem repeated down a
        column (more than SUMMARY_AFTER findings with one field and code) keeps its first
        SUMMARY_KEEP findings and one ``repeated`` item with the count and the next rows,
        so 1,628 cells of ``1577.00`` read as one problem; the counts stay complete."""
        lang = lang or self.lang
        items = self.findings(lang)
        if summarise:
            items = summarise_findings(items, lang)
        key, params = self.summary_key()
        if self.truncated:
            params = {**params, "limit": self.max_findings}
        titles = self.schema_titles
        return {
            "valid": self.valid,
            # False: the standard could not be determined and only general checks ran.
            "checked": self.determined,
            "resembles": self.resembles,
            "path": self.path,
            "schema": self.schema,
            "schema_title": titles.get(normalize_lang(lang), self.schema_title) if titles else self.schema_title,
            "schema_titles": titles,
            "generation": self.generation,
            "generation_label": generation_name(self.generation, lang),
            "encoding": self.encoding,
            "encoding_label": encoding_name(self.encoding, lang),
            "dialect": self.dialect,
            "header_row": self.header_row,
            "rows": self.rows,
            "lang": normalize_lang(lang),
            "summary": self.summary(lang),
            "summary_key": key,
            "summary_params": params,
            "counts": {
                "errors": self.error_count,
                "warnings": self.warning_count,
                "by_code": dict(sorted(self.counts.items())),
            },
            "truncated": self.truncated,
            "errors": [f for f in items if f["severity"] == "error"],
            "warnings": [f for f in items if f["severity"] != "error"],
        }

    def to_json(self, lang: str | None = None, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(lang), ensure_ascii=False, indent=indent)

    def to_text(self, lang: str | None = None) -> str:
        lang = lang or self.lang
        data = self.to_dict(lang)
        heads = tuple(label(key, lang) for key in ("file", "dataset", "encoding", "rows", "unknown"))
        dataset = f"{data['schema_title'] or data['schema']} ({data['generation_label']})" \
            if data["schema"] else heads[4]
        lines = [
            f"{heads[0]}: {data['path']}",
            f"{heads[1]}: {dataset}",
            f"{heads[2]}: {data['encoding_label']}  {heads[3]}: {data['rows']}",
            data["summary"],
        ]
        for item in data["errors"] + data["warnings"]:
            where = "-" if item["row"] is None else str(item["row"]) if item["column"] is None \
                else f"{item['row']}:{item['column']}"
            mark = "E" if item["severity"] == "error" else "W"
            lines.append(f"  {mark} {where} [{item['code']}] {_one_line(item['message'])}")
        return "\n".join(lines)

    def to_html(self, lang: str | None = None) -> str:
        """A standalone HTML fragment; every value from the file is escaped."""
        lang = lang or self.lang
        data = self.to_dict(lang)
        esc = _esc
        heads = tuple(label(key, lang) for key in ("row", "column", "field", "code", "severity",
                                                   "message", "fix", "error", "warning"))
        parts = [
            '<section class="regionaliot-report">',
            f"<p class=\"summary {'valid' if data['valid'] else 'invalid'}\">{esc(data['summary'])}</p>",
            "<dl>",
            f"<dt>{esc(label('dataset', lang))}</dt><dd>{esc(data['schema_title'] or data['schema'] or '-')}"
            f" ({esc(data['generation_label'] or '-')})</dd>",
            f"<dt>{esc(label('encoding', lang))}</dt><dd>{esc(data['encoding_label'])}</dd>",
            f"<dt>{esc(label('rows', lang))}</dt><dd>{esc(data['rows'])}</dd>",
            "</dl>",
            "<table><thead><tr>" + "".join(f"<th>{esc(h)}</th>" for h in heads[:7]) + "</tr></thead><tbody>",
        ]
        for item in data["errors"] + data["warnings"]:
            severity = heads[7] if item["severity"] == "error" else heads[8]
            parts.append(
                f"<tr class=\"{esc(item['severity'])}\"><td>{esc(item['row'])}</td><td>{esc(item['column'])}</td>"
                f"<td>{esc(item['field'])}</td><td><code>{esc(item['code'])}</code></td><td>{esc(severity)}</td>"
                f"<td>{esc(item['message'])}</td><td>{esc(item.get('fix', ''))}</td></tr>"
            )
        parts.append("</tbody></table></section>")
        return "\n".join(parts)


SUMMARY_AFTER = 20
SUMMARY_KEEP = 5
SUMMARY_ROWS = 10


def summarise_findings(items: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """Findings with every long run of one (field, code) cut to its first SUMMARY_KEEP and
    one item saying how many more there are, and in which rows they start."""
    groups: dict[tuple[str, str], list[int]] = {}
    for index, item in enumerate(items):
        if item["row"] is not None and item["column"] is not None:
            groups.setdefault((item["field"], item["code"]), []).append(index)
    drop: set[int] = set()
    summaries: dict[int, dict[str, Any]] = {}
    for (field, code), indexes in groups.items():
        if len(indexes) > SUMMARY_KEEP and len({cell_shape(items[i]["cell"]) for i in indexes}) == 1:
            # One pattern all the way down (1577.00, 1628.00 … in a whole-number column):
            # one finding, with the count and the first rows.
            drop.update(indexes)
            summaries[indexes[0]] = uniform_item(items[indexes[0]], [items[i]["row"] for i in indexes],
                                                 lang)
            continue
        if len(indexes) <= SUMMARY_AFTER:
            continue
        rest = indexes[SUMMARY_KEEP:]
        drop.update(rest)
        first = items[rest[0]]
        rows = [items[i]["row"] for i in rest[:SUMMARY_ROWS]]
        params = {"count": len(rest), "rows": ", ".join(map(str, rows)), "problem": code}
        summaries[rest[0]] = {
            "row": first["row"], "column": first["column"], "field": field, "code": code,
            "codes": first["codes"], "type": first["type"], "severity": first["severity"],
            "cell": first["cell"], "message_key": "repeated", "params": params, "repeated": len(rest),
            "message": render("repeated", lang, field=field, cell=first["cell"], column=first["column"],
                              **params),
        }
    return [summaries.get(i, item) for i, item in enumerate(items) if i not in drop or i in summaries]


_SHAPE_RE = re.compile(r"(?<![.\d])\d+")


def cell_shape(cell: str) -> str:
    """A cell's pattern: digit runs as 9, decimals kept (1577.00 and 23.00 are both 9.00)."""
    return _SHAPE_RE.sub("9", cell)


def uniform_item(first: dict[str, Any], rows: list[int], lang: str) -> dict[str, Any]:
    """The first finding of a uniform run, standing for all of it: its params gain the count
    and the first rows, which its message then says (``messages.render``)."""
    params = {**first["params"], "uniform_count": len(rows),
              "uniform_rows": ", ".join(map(str, rows[:SUMMARY_ROWS]))}
    item = {**first, "params": params, "repeated": len(rows) - 1}
    item["message"] = render(first["code"], lang, **{**params, "field": first["field"],
                                                    "cell": first["cell"], "column": first["column"]})
    return item


def _stored_params(params: dict[str, Any]) -> dict[str, Any]:
    """A finding's params as JSON values, without what the finding holds itself."""
    return {key: value if value is None or isinstance(value, str | int | float | bool)
            else [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
            for key, value in params.items() if key not in ("field", "cell", "column")}


def unreadable_report(exc: ReadError, schema: str | None = None, lang: str = "ja") -> dict[str, Any]:
    """The report of a file that cannot be read at all: one error, ``file-<code>``, whose
    message (and the summary) ``messages.render_report`` can render again in any language."""
    message = exc.reason(lang)
    finding: dict[str, Any] = {"row": None, "column": None, "field": "", "code": f"file-{exc.code}",
                               "type": "file-error", "severity": "error", "cell": "", "message": message}
    data: dict[str, Any] = {
        "valid": False, "checked": False, "resembles": None,
        "schema": schema, "schema_title": None, "schema_titles": None,
        "generation": None, "encoding": None, "dialect": None, "header_row": None, "rows": 0,
        "lang": normalize_lang(lang), "summary": message,
        "counts": {"errors": 1, "warnings": 0, "by_code": {finding["code"]: 1}},
        "truncated": False, "errors": [finding], "warnings": [],
    }
    if exc.key is not None:  # None: raised with fixed texts, which stay as they are
        params = _stored_params(exc.params)
        finding.update(message_key=exc.key, params=params)
        data.update(summary_key=exc.key, summary_params=params)
    return data


def _esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _one_line(text: str) -> str:
    # A hostile cell must not be able to fake extra report lines in a terminal.
    return "".join(ch if ch >= " " or ch == "\t" else "␤" if ch in "\r\n" else "�" for ch in text)
