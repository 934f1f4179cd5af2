"""Japanese search: the Solr fields CKAN's dataset search queries, title suggestions and
「もしかして」 (did you mean).

The analysis itself (Kuromoji, synonyms, readings) lives in the Solr schema written by
deploy/solr/make_configset.py; the phrase boost and slop (pf, ps, qs) are defaults of its
/select handler, since CKAN's package_search passes no such parameters.
"""
from __future__ import annotations

import logging
import re
import unicodedata
from collections import Counter
from typing import Any

from ckanext.regionaliot.lib import config

log = logging.getLogger(__name__)

# A 「もしかして」 is looked for per word; longer queries are left alone.
MAX_DID_YOU_MEAN_WORDS = 3
MAX_QUERY_CHARS = 100
# Marks around the highlighted words of a title (private-use characters, never in text).
_HL_PRE, _HL_POST = "\ue000", "\ue001"
_HIGHLIGHT = re.compile(f"{_HL_PRE}(.+?){_HL_POST}")
# Search syntax we do not rewrite: fielded queries, quotes, operators, wildcards.
_SYNTAX = re.compile(r'[:"*?~^(){}\[\]\\]|(^|\s)[+-]|\b(AND|OR|NOT)\b')
# Hiragana, katakana and the long vowel mark, words separated by spaces.
_KANA = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\u30fc\s]+")
# What the title suggester may show: public, active datasets (CKAN's permission label
# "public"); a member's private datasets are not suggested.
_PUBLIC_LABEL = "public"


def add_query_fields(search_params: dict[str, Any]) -> dict[str, Any]:
    """CKAN searches name, title, tags, groups and text (Kuromoji, with synonyms). Also
    search the CJK bigram field (Kuromoji may split a word one way in running text,
    認可保育園 → 認可/保育/園, and another in a query, 保育園) and, with a lower weight,
    the kana readings of titles and tags (ひなん finds 避難). A caller's own ``qf`` wins."""
    extra = config.get_str("ckanext.regionaliot.search.extra_query_fields")
    if extra and "qf" not in search_params:
        from ckan.lib.search.query import QUERY_FIELDS

        search_params["qf"] = f"{QUERY_FIELDS} {extra}"
    return search_params


def _connection():
    from ckan.lib.search.common import make_connection

    return make_connection()


def _solr(handler: str, conn: Any = None, **params: Any) -> dict[str, Any]:
    """A request to one of our Solr handlers; the decoded JSON answer. Pass one ``conn``
    to several requests so they share its HTTP connection."""
    params.setdefault("wt", "json")
    return (conn or _connection()).search(search_handler=handler, **params).raw_response


# ----------------------------------------------------------------- 「もしかして」

def _plain_query(search_params: dict[str, Any]) -> str | None:
    q = search_params.get("q")
    if not isinstance(q, str):
        return None
    q = q.strip()
    if not q or q == "*:*" or len(q) > MAX_QUERY_CHARS or _SYNTAX.search(q):
        return None
    if search_params.get("defType", "dismax") != "dismax" or not search_params.get("qf"):
        return None
    if int(search_params.get("start") or 0) > 0:
        return None
    return q


def _finds_something(conn: Any, q: str, search_params: dict[str, Any]) -> bool:
    """Would CKAN's query (same fields, filters and permissions) find anything for q?"""
    params = {k: search_params[k] for k in ("fq", "defType", "qf", "mm", "tie", "q.op", "df")
              if k in search_params}
    return conn.search(q=q, rows=0, facet="false", **params).hits > 0


def _words_read_as(conn: Any, text: str, fq: Any) -> tuple[str | None, list[str]]:
    """The title word read like ``text`` (the most frequent among the matching titles),
    or, when there is none, Solr's spelling corrections of its reading.

    Solr turns ``text`` into one katakana reading (field type text_reading_joined: 非難所
    and ひなんじょ both read ヒナンショ) and matches it against the readings of titles and
    tags; highlighting shows which words of a title gave that reading (避難所)."""
    params: dict[str, Any] = {
        "q": "{!field f=reading_joined v=$reading}", "reading": text, "rows": 5, "fl": "id",
        "hl.tag.pre": _HL_PRE, "hl.tag.post": _HL_POST,
        # Corrections only when the reading itself is in no title.
        "spellcheck": "true", "spellcheck.q": text, "spellcheck.maxResultsForSuggest": 0,
    }
    if fq:
        params["fq"] = fq
    answer = _solr("didyoumean", conn, **params)
    words: Counter[str] = Counter()
    for fields in (answer.get("highlighting") or {}).values():
        for snippet in fields.get("reading_joined", []):
            words.update(m.strip() for m in _HIGHLIGHT.findall(snippet))
    words.pop("", None)
    if words:
        return words.most_common(1)[0][0], []
    corrections: list[str] = []
    suggestions = (answer.get("spellcheck") or {}).get("suggestions") or []
    # Solr's JSON "named list": [word, {suggestion: [...]}, ...]
    for item in suggestions[1::2]:
        if isinstance(item, dict):
            corrections.extend(s if isinstance(s, str) else s.get("word", "")
                               for s in item.get("suggestion", []))
    return None, [c for c in corrections if c]


def _alternative(conn: Any, word: str, fq: Any) -> str | None:
    """A word of the titles that reads like ``word``, or like a near miss of its reading."""
    found, corrections = _words_read_as(conn, word, fq)
    for correction in corrections[:2]:
        if found:
            break
        found, _ = _words_read_as(conn, correction, fq)
    return found


def did_you_mean(q: str, search_params: dict[str, Any]) -> str | None:
    """「もしかして」 for a query that found nothing: each word that finds nothing on its
    own is replaced by a title word that reads the same (非難所 → 避難所), or nearly the
    same (ほいくえ → 保育園), and a query of several words is offered only if CKAN's
    query finds something with it."""
    words = q.split()
    if len(words) > MAX_DID_YOU_MEAN_WORDS:
        return None
    conn = _connection()
    fq = search_params.get("fq")
    changed = False
    out = []
    for word in words:
        if len(word) < 2 or (len(words) > 1 and _finds_something(conn, word, search_params)):
            out.append(word)
            continue
        alternative = _alternative(conn, word, fq)
        if alternative and alternative != word:
            out.append(alternative)
            changed = True
        else:
            out.append(word)
    if not changed:
        return None
    if len(out) == 1:
        # The word is in a title the searcher may see (same filters), so it finds that one.
        return out[0]
    suggestion = " ".join(out)
    return suggestion if _finds_something(conn, suggestion, search_params) else None


def add_did_you_mean(search_results: dict[str, Any], search_params: dict[str, Any]) -> dict[str, Any]:
    """after_dataset_search: ``regionaliot_did_you_mean`` (a query string) in the results
    of a plain query that found nothing, when a reading finds something."""
    if search_results.get("count") or not config.get_bool("ckanext.regionaliot.search.did_you_mean"):
        return search_results
    q = _plain_query(search_params)
    if q is None:
        return search_results
    try:
        suggestion = did_you_mean(q, search_params)
    except Exception:  # a hint must never break the search page (old core, Solr hiccup)
        log.warning("did-you-mean failed for %r", q, exc_info=True)
        return search_results
    if suggestion:
        search_results["regionaliot_did_you_mean"] = suggestion
    return search_results


# ----------------------------------------------------------------- suggestions

SUGGEST_DICTIONARIES = ("titles", "title_readings")
# A rebuild job waits this long before it reads the index, so that the commit of the change
# that queued it (and of the changes that follow within the same burst) has landed.
SETTLE_SECONDS = 3.0
# A queued rebuild is remembered this long; a worker that is down delays it no longer.
_REBUILD_MARK_SECONDS = 600


def rebuild_mark() -> str:
    return f"regionaliot:search:suggest-rebuild:{config.get_str('solr_url')}"


def queue_suggestion_rebuild(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """before_dataset_index: Solr's suggester is not rebuilt on every commit (seconds at
    10,000 datasets, and CKAN commits on every save), so a dataset being indexed queues one
    background rebuild; more changes while it is queued share it."""
    try:
        import ckan.plugins.toolkit as tk
        from ckan.lib.redis import connect_to_redis

        if connect_to_redis().set(rebuild_mark(), "1", nx=True, ex=_REBUILD_MARK_SECONDS):
            tk.enqueue_job(rebuild_suggestions, title="regionaliot: rebuild search suggestions",
                           rq_kwargs={"timeout": 900})
    except Exception:  # Redis down: the suggestions are rebuilt with the next change
        log.warning("Could not queue the rebuild of search suggestions", exc_info=True)
    return pkg_dict


def rebuild_suggestions() -> None:
    """The background job: rebuild the title suggester's dictionaries from the index."""
    import time

    from ckan.lib.redis import connect_to_redis

    time.sleep(SETTLE_SECONDS)
    # Changes indexed from now on queue another rebuild.
    connect_to_redis().delete(rebuild_mark())
    conn = _connection()
    for dictionary in SUGGEST_DICTIONARIES:
        _solr("suggest", conn, q="", **{"suggest.build": "true", "suggest.dictionary": dictionary})


def normalise(text: str) -> str:
    """Full-width Latin and half-width kana folded, as the Solr analysis does."""
    return unicodedata.normalize("NFKC", text).strip()


def suggest_titles(text: str, limit: int) -> list[dict[str, str]]:
    """Titles of public datasets for what has been typed so far: words of the title
    (避難 → 指定緊急避難場所一覧) or their reading (ひな, くらしきし) — Solr's suggester."""
    # The reading dictionary reads kana only; asked with kanji it would match every title.
    dictionaries = list(SUGGEST_DICTIONARIES) if _KANA.fullmatch(text) else ["titles"]
    answer = _solr("suggest", q="", **{
        "suggest.q": text, "suggest.dictionary": dictionaries,
        "suggest.cfq": _PUBLIC_LABEL, "suggest.count": limit})
    seen: set[str] = set()
    out: list[dict[str, str]] = []
    for dictionary in dictionaries:
        for entry in (answer.get("suggest", {}).get(dictionary, {}).get(text) or {}).get("suggestions", []):
            name = entry.get("payload") or ""
            if name and name not in seen and len(out) < limit:
                seen.add(name)
                out.append({"title": entry["term"], "name": name})
    return out


def suggest_categories(text: str, lang: str, limit: int) -> list[dict[str, str]]:
    """The 17 categories (schemas/ckan/presets.yaml) whose label contains ``text``."""
    try:
        from ckanext.scheming.helpers import scheming_field_by_name, scheming_get_dataset_schema
    except ImportError:
        return []
    schema = scheming_get_dataset_schema("dataset") or {}
    field = scheming_field_by_name(schema.get("dataset_fields", []), "category") or {}
    needle = text.lower()
    out = []
    for choice in field.get("choices", []):
        labels = choice.get("label") or {}
        if isinstance(labels, str):
            labels = {lang: labels}
        texts = [normalise(v).lower() for v in labels.values()] + [choice.get("value", "")]
        if any(needle in t for t in texts):
            label = labels.get(lang) or labels.get("ja") or next(iter(labels.values()), "")
            out.append({"name": choice["value"], "label": label})
    return out[:limit]
