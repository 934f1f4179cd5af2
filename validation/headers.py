"""Header normalisation, aliases, and matching a file's header to a schema.

Real headers drift: U+2015 where ー belongs, full-width spaces, NFKC variants of
parentheses, old spellings (所在地_連結標記). Every label is reduced to a *key*
for comparison; the schema's own field names stay the canonical text.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

# Dash-like characters people type instead of ー (after katakana) or - (elsewhere).
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2500\u2501\uff0d\u30fc\uff70\u02d7\u2043\u301c\uff5e"
_DASH_RE = re.compile(f"[{_DASHES}-]")
_SPACE_RE = re.compile(r"\s+")


def _is_kana(ch: str) -> bool:
    return "\u30a1" <= ch <= "\u30fa" or "\u3041" <= ch <= "\u3096"


def normalize_label(label: str) -> str:
    """Display form: NFKC, dash variants fixed by context, spaces trimmed.

    A dash after kana becomes ー (コ―ド → コード); other dashes become '-'.
    Spaces inside are collapsed to one ASCII space.
    """
    text = unicodedata.normalize("NFKC", label.replace("\ufeff", "")).strip()

    def fix(match: re.Match[str]) -> str:
        start = match.start()
        return "ー" if start > 0 and _is_kana(text[start - 1]) else "-"

    text = _DASH_RE.sub(fix, text)
    return _SPACE_RE.sub(" ", text)


@lru_cache(maxsize=8192)  # headers repeat across files and across the schemas compared
def label_key(label: str) -> str:
    """Comparison key: normalised, without any spaces, case-folded."""
    return normalize_label(label).replace(" ", "").casefold()


DEFAULT_ALIAS_GROUPS: tuple[tuple[str, ...], ...] = (
    ("所在地_連結表記", "所在地_連結標記"),
    ("名称_英字", "名称_英語"),
)


class AliasTable:
    """Header aliases: equivalence groups (名称_英語 ↔ 名称_英字) and one-way
    aliases (所在地_連結標記 → 所在地_連結表記: accepted in a file, never required)."""

    def __init__(self, groups=DEFAULT_ALIAS_GROUPS, one_way: dict[str, str | list[str]] | None = None):
        self._group_of: dict[str, int] = {}
        for number, group in enumerate(groups):
            for label in group:
                self._group_of[label_key(label)] = number
        # An alias may stand for one field in some datasets and another in others (startTime:
        # 開始時間, 利用開始時間 in 公衆トイレ); no dataset has two of them (tests check).
        self._canonical_of: dict[str, frozenset[str]] = {}
        for alias, canonical in (one_way or {}).items():
            names = [canonical] if isinstance(canonical, str) else canonical
            self._canonical_of[label_key(alias)] = frozenset(label_key(name) for name in names)
        # Schema keys an alias can lead to: any other field is never matched by alias.
        self.targets = frozenset(self._group_of).union(*self._canonical_of.values())

    def same(self, file_key: str, schema_key: str) -> bool:
        if schema_key in self._canonical_of.get(file_key, ()):
            return True
        group = self._group_of.get(file_key)
        return group is not None and group == self._group_of.get(schema_key)

    @classmethod
    def from_json(cls, data) -> AliasTable:
        """Read ``schemas/tableschema/aliases.json``.

        The schema authors' format is ``{"aliases": {alias: canonical},
        "equivalents": [[a, b], ...]}``; a bare list of groups also works.
        """
        groups: list[tuple[str, ...]] = []
        one_way: dict[str, str | list[str]] = {}
        if isinstance(data, dict):
            for group in data.get("equivalents", data.get("groups", [])):
                groups.append(tuple(str(item) for item in group if item))
            aliases = data.get("aliases", {})
            if isinstance(aliases, dict):
                one_way = {str(k): str(v) for k, v in aliases.items() if isinstance(v, str)}
            # English column names some publishers use (高松市): one field, or one per dataset.
            english = data.get("english", {})
            if isinstance(english, dict):
                for alias, canonical in english.items():
                    if isinstance(canonical, str):
                        one_way[str(alias)] = canonical
                    elif isinstance(canonical, list) and all(isinstance(c, str) for c in canonical):
                        one_way[str(alias)] = list(canonical)
        elif isinstance(data, list):
            groups = [tuple(str(item) for item in group if item) for group in data]
        if not groups and not one_way:
            return cls()
        return cls(groups, one_way)


# Close variants of a standard header that real files carry: a modifier in front (合計の男性,
# 計の女性), a unit behind (世帯数（世帯）), の dropped or added (0-4歳男性). Compared as
# reduced keys, and only when exactly one column and one field reduce alike.
_VARIANT_PREFIXES = ("合計の", "総数の", "計の", "合計", "うち")
_UNIT_RE = re.compile(r"\((?:人|世帯|件|円|台|箇所|か所|カ所|戸|歳|年|月|日|m|m2|㎡|km|%|単位:[^()]*)\)$")


def variant_key(key: str) -> str:
    """A label key reduced to what close variants of one header share."""
    for prefix in _VARIANT_PREFIXES:
        if key.startswith(prefix) and len(key) > len(prefix):
            key = key[len(prefix):]
            break
    key = _UNIT_RE.sub("", key)
    return key.replace("の", "") or key


@dataclass
class HeaderMatch:
    """How a file's header lines up with a schema's fields."""

    column_of: list[int | None]  # per schema field: 0-based file column or None
    findings: list[tuple[int, str, str, str, dict]] = field(default_factory=list)
    # (column 1-based or 0, field name, code, severity, params)
    matched: int = 0


def match_header(labels: list[str], field_names: list[str], aliases: AliasTable,
                 header_severity: str = "warning") -> HeaderMatch:
    """Map schema fields to file columns by label (exact, normalised, alias)."""
    keys = [label_key(label) for label in labels]
    column_of: list[int | None] = [None] * len(field_names)
    taken: set[int] = set()
    result = HeaderMatch(column_of)
    # Exact text first, then normalised key, then alias group.
    for stage in ("exact", "key", "alias"):
        for f_index, name in enumerate(field_names):
            if column_of[f_index] is not None:
                continue
            name_key = label_key(name)
            if stage == "alias" and name_key not in aliases.targets:
                continue
            for c_index, label in enumerate(labels):
                if c_index in taken:
                    continue
                if stage == "exact":
                    hit = label == name
                elif stage == "key":
                    hit = keys[c_index] == name_key
                else:
                    hit = aliases.same(keys[c_index], name_key)
                if hit:
                    column_of[f_index] = c_index
                    taken.add(c_index)
                    if stage == "key":
                        code = ("header-whitespace"
                                if _SPACE_RE.sub("", label) == _SPACE_RE.sub("", name)
                                else "header-normalized")
                        result.findings.append((c_index + 1, name, code, header_severity,
                                                {"cell": label, "fix": name}))
                    elif stage == "alias":
                        result.findings.append((c_index + 1, name, "header-alias", header_severity,
                                                {"cell": label, "fix": name}))
                    break
    _match_variants(labels, keys, field_names, column_of, taken, result, header_severity)
    result.matched = sum(1 for c in column_of if c is not None)
    return result


def _match_variants(labels, keys, field_names, column_of, taken, result, severity) -> None:
    """Last stage: a column whose label is a close variant of exactly one unmatched field
    (合計の男性 → 男性) is that field, with one ``header-variant`` finding."""
    fields: dict[str, list[int]] = {}
    for f_index, name in enumerate(field_names):
        if column_of[f_index] is None:
            fields.setdefault(variant_key(label_key(name)), []).append(f_index)
    if not fields:
        return
    columns: dict[str, list[int]] = {}
    for c_index, key in enumerate(keys):
        if c_index not in taken and key:
            columns.setdefault(variant_key(key), []).append(c_index)
    for reduced, f_indexes in fields.items():
        c_indexes = columns.get(reduced)
        if c_indexes is None or len(c_indexes) != 1 or len(f_indexes) != 1:
            continue
        f_index, c_index = f_indexes[0], c_indexes[0]
        column_of[f_index] = c_index
        taken.add(c_index)
        result.findings.append((c_index + 1, field_names[f_index], "header-variant", severity,
                                {"cell": labels[c_index], "fix": field_names[f_index]}))


def label_hits(labels: list[str], known_keys: set[str]) -> int:
    """How many labels are known standard labels (used to find the header row)."""
    return sum(1 for label in labels if label and label_key(label) in known_keys)
