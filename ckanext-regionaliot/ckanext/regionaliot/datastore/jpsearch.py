"""Japanese words inside DataStore cells (no CKAN).

PostgreSQL's full-text parser keeps a run of Japanese as one token (「倉敷市阿知」), so a
stock ``q`` finds only whole runs: 倉敷 does not find 倉敷市. After a load, every row's
full-text column also gets the overlapping bigrams of each Japanese run, at consecutive
positions (倉敷市 → 倉敷 敷市 市), built here from the row's own lexemes; the run's last
character stands alone so a one-character word is a prefix query. A Japanese term is then
the phrase of its bigrams (図書館 → '図書' <-> '書館'), which the table's existing GIN
index answers exactly: no false hits, no scan.

Tables without those bigrams (created through the API, not loaded by xloader) are searched
by substring over the full-text column instead (``like_pattern``): correct, but a scan.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any

# The characters of a Japanese run, as (first, last) code points: hiragana, katakana (with
# ー), CJK ideographs and their extension A and compatibility forms, 々〆, half-width kana.
JAPANESE_RANGES = ((0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF),
                   (0x3005, 0x3006), (0xFF66, 0xFF9F))
_JAPANESE = "".join(f"{chr(first)}-{chr(last)}" for first, last in JAPANESE_RANGES)
_JAPANESE_RE = re.compile(f"[{_JAPANESE}]")
_RUN_RE = re.compile(f"[{_JAPANESE}]+")
_ASCII_WORD_RE = re.compile(r"[0-9a-z]+")
# What the stock datatables view and tsquery syntax append: no meaning for a substring.
_TSQUERY_TAIL_RE = re.compile(r"(:\*)+$")
_LIKE_SPECIAL_RE = re.compile(r"([\\%_])")
MAX_TERMS = 8
MAX_POSITION = 16383  # PostgreSQL's largest tsvector position


def sql_run_class() -> str:
    """The same class for a PostgreSQL regular expression (the database is UTF-8)."""
    return f"[{_JAPANESE}]"


def has_japanese(value: Any) -> bool:
    return isinstance(value, str) and bool(_JAPANESE_RE.search(value))


def terms(value: str) -> list[str]:
    """The search terms of a q value: NFKC (全角英数 → ASCII, ｶﾅ → カナ), split on spaces."""
    text = unicodedata.normalize("NFKC", value)
    found = []
    for term in text.split():
        term = _TSQUERY_TAIL_RE.sub("", term).strip()
        if term and term not in found:
            found.append(term)
    return found[:MAX_TERMS]


def _lexeme(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def doc_vector(lexemes: list[str] | None) -> str:
    """A tsvector literal of the bigrams of the Japanese runs in a row's lexemes."""
    parts: list[str] = []
    position = 1
    for lexeme in lexemes or []:
        for run in _RUN_RE.findall(unicodedata.normalize("NFKC", lexeme)):
            tokens = [run[i:i + 2] for i in range(len(run) - 1)] + [run[-1]]
            room = MAX_POSITION - position + 1
            if room <= 0:
                return " ".join(parts)
            for token in tokens[:room]:
                parts.append(f"{_lexeme(token)}:{position}")
                position += 1
            position += 1  # no phrase across two runs
    return " ".join(parts)


# The same in SQL (hooks.py defines it in the DataStore; tests compare the two).
GRAMS_FUNCTIONS_SQL = """
CREATE OR REPLACE FUNCTION regionaliot_ja_grams(doc tsvector) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE STRICT AS $fn$
DECLARE
  run text; parts text[] := '{}'; pos int := 1; n int; i int;
BEGIN
  -- One regular expression over the lexemes joined by spaces: the same runs as per
  -- lexeme (a space is in no run and NFKC composes nothing across it), one query per row
  -- instead of one per lexeme (bench/datastore: about twice as fast).
  FOR run IN SELECT m[1] FROM regexp_matches(
      normalize(array_to_string(tsvector_to_array(doc), ' '), NFKC), '(RUN+)', 'g') AS m
  LOOP
    EXIT WHEN pos > MAXPOS;
    n := char_length(run);
    FOR i IN 1 .. least(n, MAXPOS - pos + 1) LOOP
      parts := parts || (quote_literal(substr(run, i, CASE WHEN i < n THEN 2 ELSE 1 END))
                         || ':' || (pos + i - 1));
    END LOOP;
    pos := pos + n + 1;
  END LOOP;
  RETURN array_to_string(parts, ' ')::tsvector;
END $fn$;
CREATE OR REPLACE FUNCTION regionaliot_ja_grams_trigger() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'INSERT' OR NEW._full_text IS DISTINCT FROM OLD._full_text THEN
    NEW._full_text := NEW._full_text || coalesce(regionaliot_ja_grams(NEW._full_text), '');
  END IF;
  RETURN NEW;
END $fn$;
"""


def grams_functions_sql() -> str:
    """The SQL functions ``regionaliot_ja_grams(tsvector)`` (what ``doc_vector`` returns,
    computed in the database: the load path and the upsert trigger) and the trigger's."""
    return (GRAMS_FUNCTIONS_SQL.replace("RUN", sql_run_class())
            .replace("MAXPOS", str(MAX_POSITION)))


def grams_update_sql(table: str) -> str:
    """The one statement of the load path (``table`` already quoted)."""
    return (f"UPDATE {table} SET _full_text = _full_text || regionaliot_ja_grams(_full_text) "
            "WHERE _full_text IS NOT NULL")


def term_query(term: str) -> str | None:
    """The tsquery literal of one term: its runs' bigram phrases and its ASCII words as
    prefixes, all required; None when it has neither."""
    operands = []
    lowered = term.lower()
    for run in _RUN_RE.findall(lowered):
        if len(run) == 1:
            operands.append(f"{_lexeme(run)}:*")
        else:
            grams = [_lexeme(run[i:i + 2]) for i in range(len(run) - 1)]
            operands.append("(" + " <-> ".join(grams) + ")")
    for word in _ASCII_WORD_RE.findall(_RUN_RE.sub(" ", lowered)):
        operands.append(f"{_lexeme(word)}:*")
    return " & ".join(operands) if operands else None


def query(value: str) -> str | None:
    """The tsquery literal for a whole q (every term required), or None."""
    parts = [p for p in (term_query(t) for t in terms(value)) if p]
    return " & ".join(f"({p})" for p in parts) if parts else None


def like_pattern(term: str) -> str:
    r"""``%term%`` with LIKE's own characters escaped (backslash is the default escape)."""
    return "%" + _LIKE_SPECIAL_RE.sub(r"\\\1", term) + "%"


def like_clauses(column_sql: str, value: str, prefix: str,
                 lower: bool = False) -> list[tuple[str, dict[str, str]]]:
    """(SQL, params) substring where-clauses, one per term, against ``column_sql`` (quoted).

    ``lower``: the column is already lower case (the full-text lexemes): plain LIKE on the
    lowered term, much faster than ILIKE on UTF-8. ``prefix`` keeps bind names unique."""
    result = []
    for index, term in enumerate(terms(value)):
        name = f"{prefix}_{index}"
        op = "LIKE" if lower else "ILIKE"
        result.append((f"{column_sql} {op} :{name}",
                       {name: like_pattern(term.lower() if lower else term)}))
    return result
