"""Japanese search: the Solr fields CKAN's dataset search queries, title suggestions and
「もしかして」 (did you mean).

The analysis itself (Kuromoji, synonyms, readings) lives in the Solr schema written by
deploy/solr/make_configset.py; the phrase boost and slop (pf, ps, qs) are defaults of its
/select handler, since CKAN's package_search passes no such parameters.
"""
from __future__ import annotations

import logging
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
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


# ----------------------------------------------------------------- kana queries

# A kana query word is also searched as the title and tag words it reads as (ひなん →
# 避難), in every field: the reading field holds titles and tags only (homophones in
# notes would flood results), so without this ひなん misses a dataset that mentions 避難
# only in its notes. A reading's words are kept when they are common among the titles
# that read so (a rare homophone is left out), at most this many per word.
MAX_READING_WORDS = 3
READING_WORD_SHARE = 0.25
# Titles whose highlighted words are counted (one Solr request per new kana word).
_READING_ROWS = 10
# Folds of the reading fields (deploy/solr/make_configset.py READING_FOLDS), applied to
# the query word here because it is looked up as an exact term of the index.
_READING_FOLDS = (("ヂ", "ジ"), ("ヅ", "ズ"), ("ジョ", "ショ"))
# A title word is put into a query only when it carries no search syntax.
_UNSAFE_WORD = re.compile(r'[\s:"*?~^(){}\[\]\\+\-!&|/]|^(AND|OR|NOT)$')
# Per web process: (solr_url, kind, ...) → (time, answer), for the title words of a reading
# and the 「もしかして」 of a query that found nothing. Title words change with the index,
# so entries expire (ckanext.regionaliot.search.reading_cache_seconds) and this process's
# indexing clears them.
_reading_cache: dict[tuple, tuple[float, Any]] = {}
_READING_CACHE_MAX = 4096


def kana_reading(word: str) -> str | None:
    """The katakana reading term of a kana query word as the index holds it (folded), or
    None when the word is not kana of two or more letters."""
    word = normalise(word)
    if len(word) < 2 or not _KANA.fullmatch(word) or word.isspace():
        return None
    reading = "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in word)
    for source, target in _READING_FOLDS:
        reading = reading.replace(source, target)
    return reading


def pick_reading_words(counts: Counter[str]) -> list[str]:
    """The words of ``counts`` (titles having each) common enough to stand for the
    reading: at least READING_WORD_SHARE of the most common one, at most
    MAX_READING_WORDS, never one with search syntax."""
    if not counts:
        return []
    top = counts.most_common(1)[0][1]
    return [w for w, n in counts.most_common()
            if n >= READING_WORD_SHARE * top and not _UNSAFE_WORD.search(w)
            ][:MAX_READING_WORDS]


def expanded_query(words: list[str], expansions: dict[str, list[str]]) -> str:
    """edismax syntax: every word required, a kana word or one of its title words."""
    parts = []
    for word in words:
        alternatives = expansions.get(word)
        parts.append(f"({' OR '.join([word, *alternatives])})" if alternatives else word)
    return " AND ".join(parts)


def _title_words_read_as(conn: Any, reading: str) -> list[str]:
    """The words of public titles and tags whose reading is ``reading`` (exact term of
    reading_joined; /didyoumean highlights the words that gave it)."""
    answer = _solr("didyoumean", conn, **{
        "q": "{!term f=reading_joined v=$reading}", "reading": reading,
        "fq": f"permission_labels:{_PUBLIC_LABEL}", "rows": _READING_ROWS, "fl": "id",
        "hl.tag.pre": _HL_PRE, "hl.tag.post": _HL_POST, "spellcheck": "false"})
    counts: Counter[str] = Counter()
    for fields in (answer.get("highlighting") or {}).values():
        per_title = set()
        for snippet in fields.get("reading_joined", []):
            per_title.update(m.strip() for m in _HIGHLIGHT.findall(snippet))
        counts.update(w for w in per_title if w)
    return pick_reading_words(counts)


def _cached(key: tuple, compute: Callable[[], Any]) -> Any:
    """compute(), remembered per web process for reading_cache_seconds under key (which
    starts with the core's URL)."""
    ttl = config.get_int("ckanext.regionaliot.search.reading_cache_seconds")
    key = (config.get_str("solr_url"), *key)
    now = time.monotonic()
    hit = _reading_cache.get(key)
    if hit and now - hit[0] < ttl:
        return hit[1]
    value = compute()
    if ttl > 0:
        if len(_reading_cache) >= _READING_CACHE_MAX:
            _reading_cache.clear()
        _reading_cache[key] = (now, value)
    return value


def _cached_title_words(conn: Any, reading: str) -> list[str]:
    return _cached(("reading", reading), lambda: _title_words_read_as(conn, reading))


def expand_readings(search_params: dict[str, Any]) -> dict[str, Any]:
    """before_dataset_search: a plain query with kana words (ひなん, くらしき こうえん,
    倉敷 ほいくえん) becomes an edismax query in which each kana word may also match the
    title words it reads as, in every field CKAN searches. The handler's sow=true (split on
    whitespace) keeps dismax's treatment of a word Kuromoji splits: a phrase, with the
    handler's slop, so 避難所 still does not match 事業所."""
    if not config.get_bool("ckanext.regionaliot.search.expand_readings"):
        return search_params
    q = search_params.get("q")
    if (not isinstance(q, str) or not q.strip() or len(q) > MAX_QUERY_CHARS or _SYNTAX.search(q)
            or search_params.get("defType", "dismax") != "dismax" or not search_params.get("qf")):
        return search_params
    words = q.split()
    readings = {w: r for w in words if (r := kana_reading(w))}
    if not readings or len(words) > MAX_DID_YOU_MEAN_WORDS:
        return search_params
    try:
        conn = _connection()
        # といれ reads as the title word トイレ; トイレ typed in katakana needs nothing more.
        expansions = {w: [t for t in _cached_title_words(conn, r) if t != w]
                      for w, r in readings.items()}
    except Exception:  # the plain query still works without the readings' words
        log.warning("reading lookup failed for %r", q, exc_info=True)
        return search_params
    if not any(expansions.values()):
        return search_params
    # CKAN cannot pass ``sow`` (nor local parameters); our /select handler defaults to
    # sow=true (deploy/solr/make_configset.py SELECT_DEFAULTS).
    search_params.update(q=expanded_query(words, expansions), defType="edismax")
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
        # Per query, filters and fields: the same slip is asked again and again.
        key = ("did_you_mean", q, repr(search_params.get("fq")), search_params.get("qf"))
        suggestion = _cached(key, lambda: did_you_mean(q, search_params))
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
    # This process's kana words may now read as a new title word.
    _reading_cache.clear()
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
