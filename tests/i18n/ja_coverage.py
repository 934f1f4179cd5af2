"""Measuring how much of a rendered page is in the reader's language (no CKAN imports).

Two instruments, because each misses what the other sees:

1. **gettext lookups** (precise): while a page renders in Japanese, every msgid looked up in
   the merged catalogue (CKAN's ``ckan`` domain plus every plugin's) is recorded with
   whether a Japanese translation existed (:class:`RecordingCatalog`). A miss whose text
   appears on the page (:func:`msgid_shown`) is an untranslated interface string; a miss
   computed but never shown (labels of options not rendered, say) is reported apart.
2. **visible text** (catches what never went through gettext: text hard-coded in a
   template, a helper's English, a JavaScript-free fallback): the page's visible text and
   the attributes people hear or read (title, placeholder, aria-label, alt, button values)
   are split into segments (:func:`visible_segments`); content (dataset, organization,
   user... strings of the database) and words fine in any language (:data:`NEUTRAL_WORDS`)
   are set aside; on a Japanese page a segment of Latin words only is untranslated, on an
   English page a segment in Japanese only is.

Coverage = translated / (translated + untranslated), over visible interface segments.
"""
from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, Comment, NavigableString

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f\u3000-\u303f]")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_'’-]*[A-Za-z0-9]|[A-Za-z]")

# Words that stand as they are in a Japanese interface: names of formats, standards,
# products and protocols, and the language switch's own "English". Explicit and short.
NEUTRAL_WORDS = frozenset(w.lower() for w in """
    CKAN API CSV TSV JSON JSON-LD XML RDF Turtle N-Triples JSONL XLSX XLS Excel ODS PDF HTML
    GeoJSON KML SHP ZIP URL URI ID DCAT DCAT-AP SPARQL SQL DataStore UTF UTF-8 BOM Shift_JIS
    Shift-JIS SJIS EUC-JP CP932 Frictionless Table Schema OpenStreetMap Leaflet Markdown RSS
    Atom CC BY CC0 SA ND NC PDL Creative Commons English GitHub OK AED Wi-Fi FAQ IoT LOD
    curl Python JavaScript HTTP HTTPS POST GET PowerShell ckanapi Solr PostgreSQL Redis
    KiB MiB GiB KB MB GB UTF-16 UTF-16LE UTF-16BE
""".split())

# Elements whose text is not interface prose: code samples (the Data API box), machine
# output, and things never shown.
SKIPPED_ELEMENTS = frozenset(
    {"script", "style", "template", "code", "pre", "kbd", "samp", "svg", "head"})
SPOKEN_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")

PLACEHOLDER = re.compile(r"%\([^)]*\)[sdifr]|%[sdifr]|\{[^{}]*\}|<[^>]+>")


def msgid_key(key) -> str | None:
    """The msgid of a catalogue key: a str, or (msgid, plural index) for ngettext."""
    msgid = key[0] if isinstance(key, tuple) else key
    if not isinstance(msgid, str) or not msgid.strip():
        return None
    # pgettext keys are "context\x04msgid".
    return msgid.split("\x04", 1)[-1]


@dataclass
class Lookups:
    """Msgids looked up while one page rendered: msgid -> translated?"""

    seen: dict[str, bool] = field(default_factory=dict)

    def record(self, key, msgstr: str | None) -> None:
        """One lookup; ``msgstr`` is None when the catalogue has no entry."""
        msgid = msgid_key(key)
        if msgid is None or JAPANESE.search(msgid) or is_url_or_address(msgid):
            # A msgid already in Japanese (stored labels, licence titles) needs nothing,
            # nor does an example address.
            return
        # CKAN's ja catalogue "translates" some msgids by copying the English (About,
        # Email, eg. Joe Bloggs): that is untranslated too.
        translated = msgstr is not None and not (
            msgstr == msgid and latin_words(PLACEHOLDER.sub(" ", msgid)))
        self.seen[msgid] = self.seen.get(msgid, False) or translated


class RecordingCatalog(dict):
    """A gettext catalogue (``GNUTranslations._catalog``) that reports every lookup.

    ``gettext``/``pgettext`` call ``.get``, ``ngettext`` indexes it and catches KeyError.
    ``sink`` is a callable returning the current :class:`Lookups` (or None: not recording).
    """

    def __init__(self, data, sink):
        super().__init__(data)
        self.sink = sink

    def get(self, key, default=None):
        value = dict.get(self, key)
        lookups = self.sink()
        if lookups is not None:
            lookups.record(key, value)
        return default if value is None else value

    def __getitem__(self, key):
        value = dict.get(self, key)
        lookups = self.sink()
        if lookups is not None:
            lookups.record(key, value)
        return dict.__getitem__(self, key)


def _hidden(tag) -> bool:
    if tag.name in SKIPPED_ELEMENTS:
        return True
    if tag.has_attr("hidden") or tag.get("aria-hidden") == "true":
        return True
    style = (tag.get("style") or "").replace(" ", "").lower()
    if "display:none" in style:
        return True
    return tag.name == "input" and (tag.get("type") or "").lower() == "hidden"


def visible_segments(page_html: str, page_lang: str) -> list[str]:
    """The page's visible text and spoken attributes, one segment per text node/attribute.

    Subtrees whose ``lang`` differs from the page's (the language switch's "English") are
    left out: they are meant to be in another language.
    """
    soup = BeautifulSoup(page_html, "html.parser")
    body = soup.body or soup
    out: list[str] = []

    def walk(node, lang: str) -> None:
        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                text = " ".join(str(child).split())
                if text:
                    out.append(text)
                continue
            if getattr(child, "name", None) is None or _hidden(child):
                continue
            child_lang = (child.get("lang") or lang).split("-")[0].split("_")[0].lower()
            if child_lang != page_lang:
                continue
            for attr in SPOKEN_ATTRIBUTES:
                value = child.get(attr)
                if isinstance(value, str) and value.strip():
                    out.append(" ".join(value.split()))
            if child.name == "input" and (child.get("type") or "").lower() in (
                    "submit", "button", "reset") and child.get("value"):
                out.append(" ".join(child["value"].split()))
            walk(child, child_lang)

    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    if title:
        out.append(title)
    walk(body, page_lang)
    return out


def _strip_ellipsis(text: str) -> str:
    return text.rstrip(".…").strip()


@dataclass
class Content:
    """Strings of the database (titles, names, notes, tags, e-mails...): not interface."""

    strings: set[str]

    @classmethod
    def from_values(cls, values: Iterable) -> Content:
        strings: set[str] = set()

        def add(v) -> None:
            if isinstance(v, str):
                for line in v.splitlines():
                    line = " ".join(line.split())
                    if len(line) >= 2:
                        strings.add(line)
            elif isinstance(v, dict):
                for x in v.values():
                    add(x)
            elif isinstance(v, list | tuple | set):
                for x in v:
                    add(x)

        add(list(values))
        return cls(strings)

    def contains(self, segment: str) -> bool:
        seg = _strip_ellipsis(segment)
        if not seg or seg in self.strings:
            return True
        # Pieces of a longer text (markdown notes split by links, truncated notes), or a
        # content string inside its label (「倉敷市 (3)」).
        return any(seg in s for s in self.strings if len(s) > len(seg)) or any(
            s in seg and len(s) * 2 >= len(seg) for s in self.strings if len(s) >= 3)


def latin_words(segment: str) -> list[str]:
    return [w for w in LATIN_WORD.findall(segment) if w.lower() not in NEUTRAL_WORDS]


def is_url_or_address(segment: str) -> bool:
    return bool(re.fullmatch(r"\S+@\S+|\S*://\S+|/\S*|[\w.-]+\.(?:jp|com|org|net)\S*", segment))


def is_data(segment: str) -> bool:
    """Machine text shown as an example (a GeoJSON placeholder): not prose."""
    if segment[:1] not in "{[":
        return False
    try:
        json.loads(segment)
    except ValueError:
        return False
    return True


@dataclass
class PageReport:
    page: str
    lang: str
    translated: int = 0
    untranslated: list[str] = field(default_factory=list)  # visible interface segments
    missing_shown: list[str] = field(default_factory=list)  # gettext misses shown on page
    missing_hidden: list[str] = field(default_factory=list)  # gettext misses not shown
    msgids_translated: int = 0

    @property
    def total(self) -> int:
        return self.translated + len(self.untranslated)

    @property
    def coverage(self) -> float:
        return self.translated / self.total if self.total else 1.0


def classify_segments(segments: Iterable[str], lang: str, content: Content,
                      report: PageReport) -> None:
    for seg in segments:
        if is_url_or_address(seg) or is_data(seg) or content.contains(seg):
            continue
        has_japanese = bool(JAPANESE.search(seg))
        words = latin_words(seg)
        if lang == "ja":
            if has_japanese:
                report.translated += 1
            elif words:
                report.untranslated.append(seg)
        elif words:
            # English text naming a Japanese thing (「… for "トイレ"」) is English.
            report.translated += 1
        elif has_japanese:
            report.untranslated.append(seg)


def msgid_shown(msgid: str, page_text: str) -> bool:
    """Does the msgid's text (without placeholders and markup) appear on the page?"""
    chunks = [c.strip() for c in PLACEHOLDER.split(msgid)]
    chunks = [c for c in chunks if len(c) >= 3 and LATIN_WORD.search(c)]
    if not chunks:
        return False
    return max(chunks, key=len) in page_text


def page_text(page_html: str) -> str:
    """All text and attribute values of a page, unescaped, for msgid_shown."""
    return html.unescape(re.sub(r"\s+", " ", page_html))


def check_lookups(lookups: Lookups, page_html: str, report: PageReport) -> None:
    text = page_text(page_html)
    for msgid, translated in sorted(lookups.seen.items()):
        if translated:
            report.msgids_translated += 1
        elif msgid_shown(msgid, text):
            report.missing_shown.append(msgid)
        else:
            report.missing_hidden.append(msgid)


def summary(reports: list[PageReport]) -> str:
    lines = []
    for lang in ("ja", "en"):
        rs = [r for r in reports if r.lang == lang]
        if not rs:
            continue
        ok = sum(r.translated for r in rs)
        total = sum(r.total for r in rs)
        lines.append(f"[{lang}] visible interface text in {lang}: {ok}/{total} segments "
                     f"= {100.0 * ok / max(total, 1):.1f}%")
        if lang == "ja":
            hit = sum(r.msgids_translated for r in rs)
            shown = sum(len(r.missing_shown) for r in rs)
            hidden = sum(len(r.missing_hidden) for r in rs)
            lines.append(f"[ja] gettext lookups (per page, distinct msgids): {hit} translated, "
                         f"{shown} untranslated and shown, {hidden} untranslated not shown "
                         f"= {100.0 * hit / max(hit + shown, 1):.1f}% of shown msgids")
        for r in rs:
            lines.append(f"  {r.page:<22} {100.0 * r.coverage:5.1f}%  "
                         f"({r.translated}/{r.total})")
            for seg in r.untranslated:
                lines.append(f"      text:   {seg}")
            for m in r.missing_shown:
                lines.append(f"      msgid:  {m}")
            for m in r.missing_hidden:
                lines.append(f"      hidden: {m}")
    return "\n".join(lines)
