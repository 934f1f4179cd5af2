"""What every regionaliot harvester shares, without CKAN: licences, standard datasets,
categories, names, the content hash.

A harvester maps a remote record to a dict in our dataset schema (schemas/ckan/dataset.yaml)
with the helpers here, then hands it to ``ckanext.regionaliot.harvest.importer``, which
writes it. Nothing here fetches or touches the portal.
"""
from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from regionaliot.validation.registry import Registry

# Our licences (schemas/ckan/licenses.json), all open; keys are normalised spellings
# (lower case, no spaces, dots or underscores) that remote portals use for them.
LICENCES: dict[str, str] = {
    "ccby40": "cc-by-4.0", "ccby4": "cc-by-4.0", "ccby": "cc-by-4.0",
    "creativecommonsattribution40": "cc-by-4.0", "cc表示40国際": "cc-by-4.0",
    "ccby21jp": "cc-by-2.1-jp", "ccby21": "cc-by-2.1-jp",
    "cc0": "cc0-1.0", "cc010": "cc0-1.0", "cczero": "cc0-1.0", "odcpddl": "cc0-1.0",
    "pdl": "pdl-1.0", "pdl10": "pdl-1.0", "公共データ利用規約第10版": "pdl-1.0",
    "公共データ利用規約": "pdl-1.0",
    "gsl": "gsl-2.0", "gsl20": "gsl-2.0", "政府標準利用規約第20版": "gsl-2.0",
    "政府標準利用規約": "gsl-2.0",
}

# Tags by which portals mark standard datasets (BODIK, デジタル庁's lists).
STANDARD_TAGS = frozenset({"自治体標準ods", "自治体標準オープンデータセット", "推奨データセット",
                           "標準データセット"})

# The 17 categories of the standard オープンデータ一覧 (schemas/ckan/presets.yaml,
# regionaliot_category): Japanese label → our value. Remote groups are matched by either.
CATEGORIES: dict[str, str] = {
    "国土・気象": "kokudo-kisho", "人口・世帯": "jinko-setai", "労働・賃金": "rodo-chingin",
    "農林水産業": "norin-suisangyo", "鉱工業": "kokogyo", "商業・サービス業": "shogyo-service",
    "企業・家計・経済": "kigyo-kakei-keizai", "住宅・土地・建設": "jutaku-tochi-kensetsu",
    "エネルギー・水": "energy-mizu", "運輸・観光": "unyu-kanko",
    "情報通信・科学技術": "joho-tsushin-kagaku", "教育・文化・スポーツ・生活": "kyoiku-bunka-seikatsu",
    "行財政": "gyozaisei", "司法・安全・環境": "shiho-anzen-kankyo",
    "社会保障・衛生": "shakaihosho-eisei", "国際": "kokusai", "その他": "sonota",
}

NAME_MAX = 100
_NAME_BAD = re.compile(r"[^a-z0-9_-]+")


def fold(text: Any) -> str:
    """NFKC, lower case, without spaces and punctuation that spellings differ in."""
    value = unicodedata.normalize("NFKC", str(text or "")).lower()
    return re.sub(r"[\s._\-()/（）・]+", "", value)


def licence_id(*candidates: Any) -> str | None:
    """Our licence id for the first remote id or title we recognise, else None (not open,
    or unknown: the licence filter leaves such a dataset out)."""
    for candidate in candidates:
        key = fold(candidate)
        if not key:
            continue
        if key in LICENCES:
            return LICENCES[key]
        for known, ours in LICENCES.items():
            if len(known) > 4 and known in key:  # "CC BY 4.0 (クリエイティブ…)"
                return ours
    return None


@lru_cache(maxsize=1)
def standard_titles() -> tuple[tuple[str, str], ...]:
    """(name, Japanese title) of every standard dataset, from the validation engine's
    schemas (the same list the dataset schema's regionaliot_standard_dataset offers)."""
    seen: dict[str, str] = {}
    for schema in Registry().schemas:
        if schema.name and schema.name not in seen:
            seen[schema.name] = schema.title
    return tuple(sorted(seen.items()))


def _title_key(title: str) -> str:
    # 「AED設置箇所一覧」 is also published as 「AED設置箇所」.
    return fold(title).removesuffix("一覧")


def standard_dataset(*, name: str = "", title: str = "", tags: Iterable[str] = (),
                     hint: str = "") -> str:
    """Which standard dataset a remote dataset is (a name of standard_titles()), or "none".

    ``hint`` (a remote ``standard_dataset`` field or a schema name) wins; then the title or
    a tag naming a standard dataset; then a name ending in the standard's name (BODIK's
    ``332020_aed``). A standard tag alone (自治体標準ODS) is not enough to say which one.
    """
    titles = standard_titles()
    names = {n for n, _ in titles}
    if hint in names:
        return hint
    folded_tags = [fold(t) for t in tags]
    texts = [fold(title)] + folded_tags
    for standard, label in sorted(titles, key=lambda item: -len(item[1])):
        key = _title_key(label)
        if key and any(key in text for text in texts if text):
            return standard
    slug = (name or "").lower()
    for standard in sorted(names, key=len, reverse=True):
        if slug == standard or slug.endswith("_" + standard) or slug.endswith("-" + standard.replace("_", "-")):
            return standard
    return "none"


def has_standard_tag(tags: Iterable[str]) -> bool:
    return any(fold(t) in STANDARD_TAGS for t in tags)


def category(candidates: Iterable[str], mapping: Mapping[str, str] | None = None) -> str | None:
    """Our category for the first remote group/category name we know: the source's own
    ``mapping`` first (remote name → our value or Japanese label), then the 17 labels."""
    ours = set(CATEGORIES.values())
    by_label = {fold(k): v for k, v in CATEGORIES.items()}
    for candidate in candidates:
        if not candidate:
            continue
        if mapping and candidate in mapping:
            target = mapping[candidate]
            value = target if target in ours else by_label.get(fold(target))
            if value:
                return value
        if candidate in ours:
            return candidate
        if (value := by_label.get(fold(candidate))) is not None:
            return value
    return None


def dataset_name(*candidates: Any) -> str:
    """A CKAN dataset name (2–100 of a-z 0-9 - _) from the first usable candidate."""
    for candidate in candidates:
        slug = _NAME_BAD.sub("-", unicodedata.normalize("NFKC", str(candidate or "")).lower())
        slug = slug.strip("-_")[:NAME_MAX].strip("-_")
        if len(slug) >= 2:
            return slug
    return "harvested-dataset"


def content_hash(package: Mapping[str, Any]) -> str:
    """A stable hash of what would be written: equal hashes mean nothing to update."""
    text = json.dumps(package, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def tag_names(values: Iterable[Any]) -> list[str]:
    """CKAN tag names (1–100 characters, no commas), deduplicated in order."""
    out: list[str] = []
    for value in values:
        name = value.get("name") if isinstance(value, Mapping) else value
        text = unicodedata.normalize("NFKC", str(name or "")).replace(",", " ").strip()[:100]
        text = re.sub(r"[^\w\s.\-]", "", text).strip()  # CKAN's tag characters
        if text and text not in out:
            out.append(text)
    return out


# Provenance of a harvested dataset (hidden scheming fields, schemas/ckan/dataset.yaml):
# written by the harvest import only, carried over by every other edit.
PROVENANCE_FIELDS = ("harvest_url", "harvest_identifier", "harvest_withdrawn")


def keep_provenance(submitted: Mapping[str, Any], stored: Mapping[str, Any]) -> dict[str, Any]:
    """``submitted`` (a dataset dict from the form or the API) with the provenance fields
    replaced by the ``stored`` ones: a form that lacks them (they are not on it) keeps them,
    and a value sent by anyone but the harvester is ignored."""
    kept = {k: v for k, v in submitted.items() if k not in PROVENANCE_FIELDS}
    kept.update({k: stored[k] for k in PROVENANCE_FIELDS if stored.get(k)})
    return kept


# ------------------------------------------------------------------ messages
# The parsers' messages are English msgids with ``{name}`` fields; the portal's harvest
# catalogue translates them. A field may itself be a message (anything with ``msgid`` and
# ``params``: a Message, a parser's or fetcher's error) or a mapping {"ja": …, "en": …}
# (a text that exists in both languages, e.g. the validator's reader errors), so a whole
# message renders in one language.


@dataclass(frozen=True)
class Message:
    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return render(self.msgid, self.params)


def _field(value: Any, translate: Callable[[str], str] | None) -> Any:
    if hasattr(value, "msgid") and hasattr(value, "params"):
        return render(value.msgid, value.params, translate)
    if isinstance(value, Mapping) and "en" in value:
        return (value.get("ja") if translate else None) or value["en"]
    return value


def render(msgid: str, params: Mapping[str, Any] | None = None,
           translate: Callable[[str], str] | None = None) -> str:
    """``msgid`` with its fields, in English, or through ``translate`` (a gettext)."""
    template = translate(msgid) if translate else msgid
    if not params:
        return template
    return template.format(**{k: _field(v, translate) for k, v in params.items()})


def bilingual(msgid: str, params: Mapping[str, Any] | None,
              japanese: Callable[[str], str]) -> str:
    """Japanese first, then English (「日本語 / English」), as harvest errors are stored:
    ckanext-harvest keeps one text per error and shows it as stored. English only when the
    msgid has no Japanese translation or the translation's fields do not fit."""
    english = render(msgid, params)
    if japanese(msgid) == msgid:
        return english
    try:
        return f"{render(msgid, params, japanese)} / {english}"
    except (KeyError, IndexError, ValueError):
        return english
