"""Every user-facing text of the engine, as gettext msgids keyed by stable codes.

English is the source language: the texts here are the msgids (marked with ``N_`` for
extraction, see i18n/); Japanese comes from the catalogue
``i18n/ja/LC_MESSAGES/regionaliot-validation.po``. Templates use ``str.format`` fields,
filled from a finding's params (``field``, ``cell``, ``fix``, ``note`` …).

A message is rendered from its key and params whenever it is shown, so a stored report can
be read in any language: ``render_report(report.to_dict(), "en")``.
"""
from __future__ import annotations

import codecs
import copy
from typing import Any

from .checks import CODES
from .i18n import normalize_lang, translate

LANGS = ("ja", "en")


def N_(text: str) -> str:
    """Marks an English msgid for extraction (Babel's default keywords include ``N_``)."""
    return text


# Findings: code -> msgid. Codes of Table Schema findings are Frictionless error types;
# constraint-error is split by constraint as ``constraint-error:<name>``.
MESSAGES: dict[str, str] = {
    # --- Table Schema (Frictionless error types) ---
    "type-error": N_('"{field}": "{cell}" cannot be read as {type_name}. {type_hint}'),
    "constraint-error:required": N_('"{field}" is required but empty. Fill in a value.'),
    "constraint-error:pattern": N_('"{field}": value "{cell}" does not match the required format ({constraint}).'),
    "constraint-error:enum": N_('"{field}": value "{cell}" is not allowed. Use one of: {constraint}'),
    "constraint-error:minimum": N_('"{field}": value "{cell}" is below the minimum {constraint}.'),
    "constraint-error:maximum": N_('"{field}": value "{cell}" is above the maximum {constraint}.'),
    "constraint-error:minLength": N_('"{field}": value "{cell}" is too short (at least {constraint} characters).'),
    "constraint-error:maxLength": N_('"{field}": value "{cell}" is too long (at most {constraint} characters).'),
    "unique-error": N_('"{field}": value "{cell}" is duplicated. {previous}Make it unique.'),
    "primary-key:empty": N_("The key of this row ({key}) is empty. Give every row its own key."),
    "primary-key:duplicate": N_('The key of this row ({key}) "{cell}" repeats an earlier row. Give every row its own key.'),
    "missing-cell": N_('This row is short: no value for "{field}" (column {column}).'),
    "extra-cell": N_('This row has more cells than the header (column {column}: "{cell}"). Check delimiters and quotes.'),
    "blank-row": N_("Blank row. Delete it."),
    "missing-label": N_('Column "{field}" is missing. Add it with the standard header.'),
    "extra-label": N_('Column "{cell}" is not part of the standard dataset.'),
    "duplicate-label": N_('Header "{cell}" appears more than once.'),
    "blank-label": N_("Header of column {column} is empty. Name the column or delete it."),
    # --- header normalisation ---
    "header-normalized": N_('Header "{cell}" differs from the standard spelling. Write "{fix}".'),
    "header-alias": N_('Header "{cell}" was accepted as an alias; the standard header is "{fix}".'),
    "header-whitespace": N_('Header "{cell}" contains stray spaces. Write "{fix}".'),
    "header-variant": N_('Header "{cell}" was read as the standard column "{fix}", and its data was checked as such. Rename it to "{fix}".'),
    "column-order": N_('Columns are not in the standard order ("{field}" should be column {expected}, is column {column}).'),
    "metadata-rows": N_("{count} metadata line(s) around the header (lines starting with # and the like). Put the header in row 1 and data from row 2."),
    "trailing-empty-column": N_("There is a trailing empty column (a comma at the end of each line). Remove it."),
    "schema-not-detected": N_("Could not tell which standard dataset this is from its header; only general checks were run."),
    "schema-newer-generation": N_('The header is that of the newer edition of "{better}" ({better_generation}), whose definition this checker does not have yet; only general checks were run.'),
    "encoding-not-utf8": N_("The file is saved as {encoding}. Saving it as UTF-8 is recommended."),
    # Not a finding: the summary of one problem repeated down a column (report.summarise_findings).
    "repeated": N_('"{field}": {count:,} more cells with the same problem (rows {rows} …). Fix them the same way.'),
    "schema-resembles": N_('The header looks most like "{better}" ({better_generation}): it has {better_matched} of its {better_total} columns. If the file is that dataset, check it as "{better}".'),
    "schema-mismatch": N_('The header fits "{better}" ({better_generation}) better than the chosen "{chosen}" ({chosen_generation}): {better_matched} of its {better_total} columns, against {chosen_matched} of {chosen_total}. Check the dataset type; "{better}" ({better_generation}) may be the right one.'),
    # Our checks of cell values declare their own messages (checks/<check>.py): see template().
}

# Added to a finding that stands for a run of cells written the same way (1577.00, 23.00 …).
UNIFORM = N_("The same pattern is in {uniform_count:,} cells of this column (rows {uniform_rows} …): fix them all the same way.")

# Why a file cannot be read at all (ReadError): key -> msgid. The key is ``file-<code>``
# (the ReadError code), with ``:<variant>`` where one code has several messages.
READ_ERRORS: dict[str, str] = {
    "file-empty": N_("the file is empty."),
    "file-binary": N_("this is a binary file, not text."),
    "file-encoding": N_("unknown encoding (not UTF-8, Shift_JIS or UTF-16)."),
    "file-encoding:mid-file": N_("undecodable bytes in the middle of the file."),
    "file-encoding:mid-file-at": N_("undecodable bytes in the middle of the file (line {line:,}, byte {byte:,})."),
    "file-declared-encoding:unknown": N_('the declared character encoding "{declared}" is not known.'),
    "file-declared-encoding:mismatch": N_(
        "the file is not in the declared character encoding {declared} (byte {byte:,}); it looks "
        "like {actual}. Correct the resource's encoding or save the file as {declared}."),
    "file-csv": N_("not a readable CSV ({error})."),
    "file-csv:nul": N_("the file contains NUL (0x00) characters. Remove them and save it again."),
    "file-csv:nul-at": N_("the file contains a NUL (0x00) character (line {line:,}). Remove it and save the file again."),
    "file-io": N_("cannot open the file ({error})."),
    "file-io:directory": N_("it is a directory."),
    "file-io:missing": N_("no such file."),
    "file-too-long": N_("a line is longer than {limit} characters."),
    "file-no-header": N_("there is no header row (the file is empty)."),
    "file-too-large": N_("the file is too large to read."),
    "file-xlsx": N_("not a readable xlsx ({error})."),
    "file-xlsx:openpyxl": N_("openpyxl is needed to read xlsx."),
    "file-xlsx:broken": N_("the xlsx broke while reading ({error})."),
    "file-xlsx:dtd": N_("{part} in the xlsx has a DTD (xlsx never uses one)."),
    "file-xlsx-too-large": N_(
        "the xlsx is too large once unpacked ({size} MB; the limit is {limit} MB). Save it as CSV instead."),
    "file-xlsx-too-large:shared-strings": N_(
        "the xlsx's shared-strings table is too large once unpacked ({size} MB; the limit is "
        "{limit} MB). Save it as CSV instead."),
    "file-xlsx-too-large:part": N_(
        "{part} in the xlsx is too large once unpacked ({size} MB; the limit is {limit} MB). "
        "Save it as CSV instead."),
    "file-xlsx-too-large:ratio": N_(
        "{part} in the xlsx is compressed {ratio:,}:1 (the limit is {limit}:1): too large once unpacked."),
    "file-xlsx-too-large:row": N_(
        "a row of {part} in the xlsx is too large once unpacked ({size} MB; the limit is {limit} MB). "
        "Save it as CSV instead."),
}

# What a Table Schema type is called in a message (never the type's own name).
TYPE_NAMES: dict[str, str] = {
    "number": N_("a number"),
    "integer": N_("a whole number"),
    "date": N_("a date"),
    "time": N_("a time"),
    "datetime": N_("a date and time"),
    "year": N_("a year"),
    "boolean": N_("a yes/no value"),
    "string": N_("text in the required form"),
}
OTHER_TYPE = N_("a value of the required kind")

# Character encodings as people know them; codecs not listed are shown upper-case.
ENCODING_NAMES: dict[str, str] = {
    "utf-8": "UTF-8",
    "utf-8-sig": N_("UTF-8 (with BOM)"),
    "cp932": "Shift_JIS",
    "shift_jis": "Shift_JIS",
    "shift_jis_2004": "Shift_JIS",
    "shift_jisx0213": "Shift_JIS",
    "euc_jp": "EUC-JP",
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16",
    "utf-16-be": "UTF-16",
    "xlsx": N_("Excel workbook (xlsx)"),
}

# The two generations of standard datasets, as their publishers call them.
GENERATION_NAMES: dict[str, str] = {
    "legacy": N_("recommended dataset, earlier edition"),
    "standard": N_("standard open dataset for local governments"),
}

PATTERN_FALLBACK = N_("see the dataset's definition of this column")

TYPE_HINTS: dict[str, str] = {
    "number": N_("Write a plain number (e.g. 34.866918)."),
    "integer": N_("Write a whole number."),
    "date": N_("Write it as YYYY-MM-DD."),
    "time": N_("Write it as hh:mm:ss."),
    "string": N_("Check the format."),
}

# The verdict of a report (its ``summary_key``); ``truncated`` is appended when the list
# of findings was cut.
SUMMARY: dict[str, str] = {
    "valid": N_("No problems found."),
    "invalid": N_("{errors} error(s) and {warnings} warning(s)."),
    "warnings_only": N_("No errors; {warnings} warning(s)."),
    "unchecked": N_("Not checked: which standard dataset this is could not be determined from "
                    "its header, so only general checks were run ({warnings} warning(s)). Choose "
                    "the dataset and check the file again."),
    "unchecked_resembles": N_('Not checked: which standard dataset this is could not be '
                              'determined from its header, so only general checks were run '
                              '({warnings} warning(s)). It looks most like "{better}" '
                              '({better_generation}); check it again as that dataset.'),
    "truncated": N_("Too many findings: the list stops at {limit}; the counts include all."),
    "unreadable": N_("Cannot read the file: {reason}"),
}

# Other texts: headings of the text and HTML reports, the corrected-CSV summary.
TEXTS: dict[str, str] = {
    "file": N_("File"),
    "dataset": N_("Dataset"),
    "encoding": N_("Encoding"),
    "rows": N_("Rows"),
    "unknown": N_("unknown"),
    "row": N_("Row"),
    "column": N_("Column"),
    "field": N_("Field"),
    "code": N_("Code"),
    "severity": N_("Severity"),
    "message": N_("Message"),
    "fix": N_("Fix"),
    "error": N_("error"),
    "warning": N_("warning"),
    "normalized": N_("Wrote {path} ({rows} rows, {changes} change(s))."),
    # The command line's refusals that are not ReadErrors.
    "unknown-schema": N_("unknown schema: {schema}"),
    "bad-schema": N_("the schema file is not a usable Table Schema ({error})"),
    "internal-error": N_("internal error, a bug in regionaliot, not a problem of the file ({detail})"),
}


# What the corrected file changed, beyond the fixes of findings (whose messages say it).
CHANGES: dict[str, str] = {
    "encoding": N_("Saved as UTF-8 (it was {old})."),
    "metadata-rows": N_("Removed {old} line(s) above the header."),
    "trailing-empty-column": N_("Removed the trailing empty column."),
    "missing-label": N_('Added the missing column "{new}" (empty).'),
    "header": N_('Renamed the column "{old}" to "{new}".'),
    "blank-row": N_("Removed a blank row."),
    "latlon-swapped": N_('"{field}": "{old}" → "{new}" (latitude and longitude swapped back).'),
    "cell": N_('"{field}": "{old}" → "{new}".'),
}


class _SafeDict(dict):
    """Leave unknown ``{names}`` visible instead of raising KeyError."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def template(key: str) -> str | None:
    """The msgid of a finding code, a ReadError key or a summary key; None if unknown."""
    code = CODES.get(key)
    return (MESSAGES.get(key) or (code.message if code is not None else None)
            or READ_ERRORS.get(key) or SUMMARY.get(key))


def _fill(text: str, params: dict[str, Any]) -> str:
    try:
        return text.format_map(_SafeDict(params))
    except (ValueError, TypeError, IndexError, AttributeError):
        return text  # a format spec ({byte:,}) on a missing param or one of another type


def render(code: str, lang: str = "ja", **params: object) -> str:
    """Message for ``code`` (a finding code or a ReadError key) in ``lang``; falls back to
    the code itself."""
    text = template(code)
    if text is None:
        return code
    params = dict(params)
    if code == "type-error":
        kind = str(params.get("type", "")).split("/")[0]
        hint = TYPE_HINTS.get(kind)
        params.setdefault("type_hint", translate(hint, lang) if hint else "")
        params.setdefault("type_name", translate(TYPE_NAMES.get(kind, OTHER_TYPE), lang))
    if code == "constraint-error:pattern" and not params.get("hint"):
        # No description in the schema: a regular expression tells a person nothing.
        params["hint"] = translate(PATTERN_FALLBACK, lang)
    for name in ("encoding", "declared", "actual"):
        if isinstance(params.get(name), str):
            params[name] = encoding_name(params[name], lang)
    for name in ("better", "chosen"):  # schema titles, stored in both languages
        if lang == "en" and params.get(name + "_en"):
            params[name] = params[name + "_en"]
        if isinstance(params.get(name + "_generation"), str):
            params[name + "_generation"] = generation_name(params[name + "_generation"], lang)
    if code == "unique-error" and "previous" not in params:
        params["previous"] = ""
    line = _fill(translate(text, lang), params)
    if "uniform_count" in params:  # one finding standing for a whole run (report.uniform_item)
        line += " " + _fill(translate(UNIFORM, lang), params)
    return line


def change_message(change: dict[str, Any], lang: str = "ja") -> str:
    """One change of the corrected file (fixer.NormalizeResult.changes) said in ``lang``."""
    code = str(change.get("code", ""))
    params = {**change, "field": change.get("field", "")}
    if code == "encoding":
        params["old"] = encoding_name(str(change.get("old") or ""), lang)
    text = CHANGES.get(code)
    if text is None:
        last = code.split("+")[-1]  # two fixes on one cell: full-width, then the check digit
        info = CODES.get(last)
        if info is not None:
            return _fill(translate(info.message, lang), {**params, "cell": change.get("old", ""),
                                                         "fix": change.get("new", "")})
        text = CHANGES["cell"]
    return _fill(translate(text, lang), params)


def encoding_name(codec: str | None, lang: str = "ja") -> str:
    """How people call a codec: ``utf-8-sig`` → 「UTF-8（BOM付き）」, ``cp932`` → Shift_JIS."""
    if not codec:
        return ""
    name = ENCODING_NAMES.get(codec.lower())
    if name is None:
        try:
            name = ENCODING_NAMES.get(codecs.lookup(codec).name)
        except LookupError:
            name = None
    return translate(name, lang) if name else codec.upper()


def generation_name(generation: str | None, lang: str = "ja") -> str:
    name = GENERATION_NAMES.get(generation or "")
    return translate(name, lang) if name else ""


def summary_text(key: str, lang: str = "ja", **params: object) -> str:
    return _fill(translate(SUMMARY[key], lang), params)


def label(key: str, lang: str = "ja", **params: object) -> str:
    """One of TEXTS in ``lang``."""
    return _fill(translate(TEXTS[key], lang), params)


def render_summary(key: str | None, params: dict[str, Any] | None, truncated_limit: int | None,
                   lang: str) -> str | None:
    """The summary line of a report from its key and params (None if the key is unknown)."""
    if not key or template(key) is None:
        return None
    line = render(key, lang, **(params or {}))
    if truncated_limit is not None:
        line += " " + summary_text("truncated", lang, limit=truncated_limit)
    return line


def render_report(report: dict[str, Any], lang: str) -> dict[str, Any]:
    """A copy of a stored report dict (``Report.to_dict``, ``unreadable_report``) with every
    message, its summary and its schema title rendered in ``lang``.

    Each finding is rendered from its ``message_key`` (else its ``code``) and ``params``,
    plus its ``field``, ``cell`` and ``column``; the summary from ``summary_key`` and
    ``summary_params``. Anything without them (a report stored before they existed, a code
    this version does not know) keeps the text it was stored with. Pure: no CKAN, no I/O.
    """
    lang = normalize_lang(lang)
    out = copy.deepcopy(report)
    for group in ("errors", "warnings"):
        for finding in out.get(group) or ():
            if not isinstance(finding, dict):
                continue
            key = finding.get("message_key") or finding.get("code")
            params = finding.get("params")
            if not isinstance(key, str) or template(key) is None or not isinstance(params, dict):
                continue
            finding["message"] = render(key, lang, **{"field": finding.get("field", ""),
                                                      "cell": finding.get("cell", ""),
                                                      "column": finding.get("column"), **params})
    summary_params = out.get("summary_params")
    truncated_limit = summary_params.get("limit") if isinstance(summary_params, dict) \
        and out.get("truncated") else None
    summary = render_summary(out.get("summary_key"),
                             {k: v for k, v in (summary_params or {}).items() if k != "limit"}
                             if isinstance(summary_params, dict) else None,
                             truncated_limit, lang)
    if summary is not None:
        out["summary"] = summary
    if isinstance(out.get("encoding"), str):
        out["encoding_label"] = encoding_name(out["encoding"], lang)
    if isinstance(out.get("generation"), str):
        out["generation_label"] = generation_name(out["generation"], lang)
    titles = out.get("schema_titles")
    if isinstance(titles, dict) and titles.get(lang) is not None:
        out["schema_title"] = titles[lang]
    out["lang"] = lang
    return out
