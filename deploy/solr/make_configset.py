"""Write a Solr configset for CKAN: CKAN's own schema.xml plus our additions.

The schema is derived at set-up time from ``ckan/config/solr/schema.xml`` inside the
installed ckan package (never copied into this repository), then:

- the ``text`` field type (title, notes and the catch-all ``text`` field) analyses
  Japanese with Kuromoji (search mode splits compounds: 指定緊急避難場所一覧 →
  指定 / 緊急 / 避難 / 場所 / 一覧) and still stems English; at query time it applies
  the synonyms of ``synonyms_ja.txt`` (Solr's SynonymGraphFilter: editing the file needs
  a core reload, not a re-index);
- a ``text_cjk`` field indexes the same sources as CJK bigrams, which catches words
  Kuromoji's dictionary does not know (place names, new coinages);
- a ``reading`` field holds the katakana reading of titles and tags (Kuromoji's reading
  form), so a query typed in hiragana or katakana (ひなん, ほいくしょ) finds the kanji;
- ckanext-spatial's fields: ``minx maxx miny maxy bbox_area`` for the default
  ``solr-bbox`` backend and ``spatial_geom`` (JTS polygons) for ``solr-spatial-field``.

solrconfig.xml gets, for our cores only: phrase boosts and a small phrase slop for the
dismax queries CKAN sends (``pf``/``ps``/``qs``, which CKAN's package_search cannot pass),
a suggester of dataset titles (``/suggest``) and a ``/didyoumean`` handler.

Usage: python make_configset.py OUT_DIR [--stock]
``--stock`` writes CKAN's schema unchanged (the baseline of bench/search).
``--synonyms-only OUT_FILE`` writes only synonyms_ja.txt as the core reads it (widths
folded), with no need of CKAN: how production updates a running core (README, "Search").
"""
from __future__ import annotations

import argparse
import hashlib
import re
import sys
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent

# The synonym file municipal staff extend (see README.md, "Search").
SYNONYMS_SOURCE = HERE / "synonyms_ja.txt"
SYNONYMS = "synonyms_ja.txt"
HIRAGANA_MAP = "mapping-hiragana-katakana.txt"

# The synonym rules are parsed with the same tokenizer as the query (Kuromoji, search
# mode), so a rule's 避難所 is 避難 + 所 exactly as in a query.
SYNONYM_FILTER = f"""<filter class="solr.SynonymGraphFilterFactory" synonyms="{SYNONYMS}"
            ignoreCase="true" expand="true"
            tokenizerFactory="solr.JapaneseTokenizerFactory" tokenizerFactory.mode="search"
            tokenizerFactory.discardPunctuation="true" tokenizerFactory.discardCompoundToken="true"/>"""

# Field type used by CKAN's title, notes, text, extras_* fields.
JAPANESE_TEXT = f"""
<!-- autoGeneratePhraseQueries: a query word Kuromoji splits (避難所 → 避難 所) must match
     as a phrase; CKAN's dismax would otherwise OR the parts and 所 alone matches 事業所.
     The phrase slop (qs in solrconfig.xml) lets 河川水位 match 「河川の水位」. -->
<fieldType name="text" class="solr.TextField" positionIncrementGap="100" autoGeneratePhraseQueries="true">
  <analyzer type="index">
    <!-- Full-width ＡＥＤ/１２３ and half-width ｶﾅ are folded before tokenising, so the
         tokenizer sees the same word whichever width a municipality typed. -->
    <charFilter class="solr.CJKWidthCharFilterFactory"/>
    <tokenizer class="solr.JapaneseTokenizerFactory" mode="search" discardPunctuation="true" discardCompoundToken="true"/>
    <filter class="solr.JapaneseBaseFormFilterFactory"/>
    <filter class="solr.JapaneseKatakanaStemFilterFactory" minimumLength="4"/>
    <filter class="solr.LowerCaseFilterFactory"/>
    <filter class="solr.SnowballPorterFilterFactory" language="English" protected="protwords.txt"/>
    <filter class="solr.ASCIIFoldingFilterFactory"/>
  </analyzer>
  <analyzer type="query">
    <charFilter class="solr.CJKWidthCharFilterFactory"/>
    <tokenizer class="solr.JapaneseTokenizerFactory" mode="search" discardPunctuation="true" discardCompoundToken="true"/>
    <!-- Query time only: synonyms_ja.txt is read when the core (re)loads. -->
    {SYNONYM_FILTER}
    <filter class="solr.JapaneseBaseFormFilterFactory"/>
    <filter class="solr.JapaneseKatakanaStemFilterFactory" minimumLength="4"/>
    <filter class="solr.LowerCaseFilterFactory"/>
    <filter class="solr.SnowballPorterFilterFactory" language="English" protected="protwords.txt"/>
    <filter class="solr.ASCIIFoldingFilterFactory"/>
  </analyzer>
</fieldType>
"""

# Overlapping bigrams of Han/kana runs; phrase queries keep them adjacent, so
# 避難 matches 指定緊急避難場所一覧 but not 避 ... 難 far apart.
CJK_BIGRAM_TEXT = """
<fieldType name="text_cjk" class="solr.TextField" positionIncrementGap="100" autoGeneratePhraseQueries="true">
  <analyzer>
    <charFilter class="solr.CJKWidthCharFilterFactory"/>
    <tokenizer class="solr.StandardTokenizerFactory"/>
    <filter class="solr.LowerCaseFilterFactory"/>
    <filter class="solr.CJKBigramFilterFactory" han="true" hiragana="true" katakana="true" hangul="true" outputUnigrams="false"/>
  </analyzer>
</fieldType>
"""


# Readings are compared with the few spellings people mix up folded together: ぢ/じ, づ/ず,
# and じょ/しょ (Kuromoji reads the suffix 所 as ショ: 避難所 = ヒナン+ショ, while people
# type ひなんじょ). Folding all voicing marks or small kana would be too much: 情報
# (ジョウホウ) would read as 消防 (ショウボウ). The same filters run on both sides.
READING_FOLDS = {"ヂ": "ジ", "ヅ": "ズ", "ジョ": "ショ"}
READING_NORMALISE = "\n    ".join(
    f'<filter class="solr.PatternReplaceFilterFactory" pattern="{source}" replacement="{target}" replace="all"/>'
    for source, target in READING_FOLDS.items()
)

# Katakana readings of titles and tags. Index: Kuromoji (normal mode: dictionary words
# whole, 保育園 = ホイクエン) → reading form → shingles of up to four words joined without
# a space, so one kana query matches a run of words (ほいくしょ = ホイク+ショ).
READING_INDEX = f"""
  <analyzer type="index">
    <charFilter class="solr.CJKWidthCharFilterFactory"/>
    <tokenizer class="solr.JapaneseTokenizerFactory" mode="normal" discardPunctuation="true"/>
    <filter class="solr.JapaneseReadingFormFilterFactory" useRomaji="false"/>
    <filter class="solr.ShingleFilterFactory" minShingleSize="2" maxShingleSize="4" outputUnigrams="true" tokenSeparator=""/>
    {READING_NORMALISE}
  </analyzer>
"""

# The search field: a query is matched on its kana words only, one token per
# whitespace-separated word (Kuromoji cannot segment kana it has not seen as kanji). A kanji
# or Latin query word never matches here, so a kanji query is not widened to homophones.
READING_TEXT = f"""
<fieldType name="text_reading" class="solr.TextField" positionIncrementGap="100">
  {READING_INDEX}
  <analyzer type="query">
    <charFilter class="solr.CJKWidthCharFilterFactory"/>
    <charFilter class="solr.MappingCharFilterFactory" mapping="{HIRAGANA_MAP}"/>
    <tokenizer class="solr.WhitespaceTokenizerFactory"/>
    {READING_NORMALISE}
    <!-- Kana words of two or more letters only (not し, which every 市 reads as). -->
    <filter class="solr.PatternReplaceFilterFactory" pattern="^.*[^\\u30A1-\\u30FC].*$" replacement="" replace="all"/>
    <filter class="solr.LengthFilterFactory" min="2" max="64"/>
  </analyzer>
</fieldType>
"""

# For 「もしかして」 only: the whole query, kanji included, turned into one reading (非難所 →
# ヒナンショ, the reading of the title word 避難所), matched against the same index.
READING_JOINED_TEXT = f"""
<fieldType name="text_reading_joined" class="solr.TextField" positionIncrementGap="100">
  {READING_INDEX}
  <analyzer type="query">
    <charFilter class="solr.CJKWidthCharFilterFactory"/>
    <charFilter class="solr.MappingCharFilterFactory" mapping="{HIRAGANA_MAP}"/>
    <tokenizer class="solr.JapaneseTokenizerFactory" mode="normal" discardPunctuation="true"/>
    <filter class="solr.JapaneseReadingFormFilterFactory" useRomaji="false"/>
    <filter class="solr.ConcatenateGraphFilterFactory" tokenSeparator="" preservePositionIncrements="false"/>
    {READING_NORMALISE}
  </analyzer>
</fieldType>
"""

# What the title suggester matches typed text against: Kuromoji words, the last one
# typed being a prefix (AnalyzingInfixLookup).
SUGGEST_TEXT = """
<fieldType name="text_suggest" class="solr.TextField" positionIncrementGap="100">
  <analyzer>
    <charFilter class="solr.CJKWidthCharFilterFactory"/>
    <tokenizer class="solr.JapaneseTokenizerFactory" mode="search" discardPunctuation="true" discardCompoundToken="true"/>
    <filter class="solr.LowerCaseFilterFactory"/>
  </analyzer>
</fieldType>
"""

LOCATION_RPT = """
<fieldType name="location_rpt" class="solr.SpatialRecursivePrefixTreeFieldType"
           spatialContextFactory="JTS" autoIndex="true" validationRule="repairBuffer0"
           distErrPct="0.025" maxDistErr="0.001" distanceUnits="kilometers"/>
"""

EXTRA_FIELDS = [
    '<field name="text_cjk" type="text_cjk" indexed="true" stored="false" multiValued="true"/>',
    '<field name="reading" type="text_reading" indexed="true" stored="false" multiValued="true"/>',
    # Stored so that /didyoumean can highlight which words of a title a reading matched.
    '<field name="reading_joined" type="text_reading_joined" indexed="true" stored="true" multiValued="true"/>',
    # CKAN's permission_labels, stored: the suggester filters on it (contextField) and
    # reads only stored values.
    '<field name="suggest_labels" type="string" indexed="false" stored="true" multiValued="true"/>',
    '<field name="bbox_area" type="float" indexed="true" stored="true"/>',
    '<field name="maxx" type="float" indexed="true" stored="true"/>',
    '<field name="maxy" type="float" indexed="true" stored="true"/>',
    '<field name="minx" type="float" indexed="true" stored="true"/>',
    '<field name="miny" type="float" indexed="true" stored="true"/>',
    '<field name="spatial_geom" type="location_rpt" indexed="true" stored="false" multiValued="true"/>',
]

# Everything people search in, copied into the bigram field as well.
CJK_SOURCES = [
    "title", "notes", "tags", "groups", "organization", "res_name", "res_description",
    "extras_*", "res_extras_*", "author", "maintainer",
]
# Readings of the short texts only: in notes, homophones (後援 for 公園) would flood results.
READING_SOURCES = ["title", "tags"]

# Our own small word lists (the stock schema references them by name).
WORD_LISTS = {
    # The English stemmer would turn AED into "a" (Porter drops "-ed") and mangle other
    # acronyms common in municipal catalogues.
    "protwords.txt": "# Words the English stemmer must leave alone (lower case).\n"
    + "\n".join(["aed", "wifi", "wi-fi", "lan", "gtfs", "csv", "tsv", "api", "pdf", "npo",
                 "gis", "dcat", "ckan", "bodik", "iot", "ict", "dx"]) + "\n",
    # CKAN's own text types (whitespace-tokenised, used by res_name and the stock core).
    "synonyms.txt": "# Query-time synonyms of CKAN's whitespace-tokenised types, e.g.: AED,自動体外式除細動器\n"
    "AED,自動体外式除細動器\n",
    "stopwords.txt": "# Stop words (none: Japanese titles are short).\n",
}

# Request handler settings for our cores (CKAN's package_search passes no pf/ps/qs).
SELECT_DEFAULTS = {
    # Phrase boost: the whole query as a phrase in the title, then in the text, ranks
    # 「河川水位」 above 「河川の水位」 above a dataset with both words far apart.
    "pf": "title^8 text^2",
    "ps": "0",
    # Query phrase slop: a query word Kuromoji splits (河川水位 → 河川 水位) still matches
    # with one word between its parts (河川の水位), in order; 避難所 stays a phrase, so
    # 事業所 alone does not match it.
    "qs": "1",
    # Split on whitespace: dismax always does; edismax (what ckanext-regionaliot asks for
    # a kana query, to OR a word with the title words it reads as) needs it to treat a
    # word Kuromoji splits as dismax does, a phrase with the slop above. Dismax ignores it.
    "sow": "true",
}

SUGGEST_CONFIG = """
<searchComponent name="suggest" class="solr.SuggestComponent">
  <!-- Dataset titles, as typed: kanji/Latin words (titles) or their kana reading
       (title_readings). Filtered on suggest.cfq by CKAN's permission labels. Built when
       the core loads and by ckanext-regionaliot's job after datasets change, not on every
       commit: at 10,000 datasets a build takes seconds, and CKAN commits on every save. -->
  <lst name="suggester">
    <str name="name">titles</str>
    <str name="lookupImpl">AnalyzingInfixLookupFactory</str>
    <str name="dictionaryImpl">DocumentDictionaryFactory</str>
    <str name="field">title</str>
    <str name="payloadField">name</str>
    <str name="contextField">suggest_labels</str>
    <str name="suggestAnalyzerFieldType">text_suggest</str>
    <str name="indexPath">suggest_titles</str>
    <bool name="highlight">false</bool>
    <str name="buildOnStartup">true</str>
    <str name="buildOnCommit">false</str>
  </lst>
  <lst name="suggester">
    <str name="name">title_readings</str>
    <str name="lookupImpl">AnalyzingInfixLookupFactory</str>
    <str name="dictionaryImpl">DocumentDictionaryFactory</str>
    <str name="field">title</str>
    <str name="payloadField">name</str>
    <str name="contextField">suggest_labels</str>
    <str name="suggestAnalyzerFieldType">text_reading</str>
    <str name="indexPath">suggest_title_readings</str>
    <bool name="highlight">false</bool>
    <str name="buildOnStartup">true</str>
    <str name="buildOnCommit">false</str>
  </lst>
</searchComponent>
<requestHandler name="/suggest" class="solr.SearchHandler">
  <lst name="defaults">
    <str name="suggest">true</str>
    <str name="suggest.count">10</str>
    <str name="wt">json</str>
  </lst>
  <arr name="components"><str>suggest</str></arr>
</requestHandler>

<searchComponent name="spellcheck" class="solr.SpellCheckComponent">
  <!-- Near misses of a reading (ほいくしよ, 避難揚所) against the readings of titles. -->
  <str name="queryAnalyzerFieldType">text_reading_joined</str>
  <lst name="spellchecker">
    <str name="name">reading</str>
    <str name="classname">solr.DirectSolrSpellChecker</str>
    <str name="field">reading_joined</str>
    <str name="distanceMeasure">internal</str>
    <int name="maxEdits">2</int>
    <int name="minPrefix">1</int>
    <int name="minQueryLength">3</int>
    <float name="accuracy">0.5</float>
    <float name="maxQueryFrequency">0.01</float>
  </lst>
</searchComponent>
<!-- 「もしかして」: used by ckanext-regionaliot when a search finds nothing. -->
<requestHandler name="/didyoumean" class="solr.SearchHandler">
  <lst name="defaults">
    <str name="wt">json</str>
    <str name="df">reading_joined</str>
    <str name="hl">true</str>
    <str name="hl.method">unified</str>
    <str name="hl.fl">reading_joined</str>
    <str name="hl.tag.pre">[[</str>
    <str name="hl.tag.post">]]</str>
    <str name="spellcheck.dictionary">reading</str>
    <str name="spellcheck.count">5</str>
  </lst>
  <arr name="last-components"><str>spellcheck</str></arr>
</requestHandler>
"""


def ckan_schema_path() -> Path:
    import ckan  # the installed package, so the schema always matches the CKAN we run

    path = Path(ckan.__file__).resolve().parent / "config" / "solr" / "schema.xml"
    if not path.is_file():
        sys.exit(f"make_configset: {path} is missing; is ckan installed?")
    return path


def japanese_schema(stock: ET.ElementTree) -> ET.ElementTree:
    root = stock.getroot()
    types = root.find("types")
    fields = root.find("fields")
    if types is None or fields is None:
        sys.exit("make_configset: unexpected CKAN schema.xml layout (no <types>/<fields>)")

    for i, ftype in enumerate(list(types)):
        if ftype.get("name") == "text":
            types.remove(ftype)
            types.insert(i, ET.fromstring(JAPANESE_TEXT))
            break
    else:
        sys.exit("make_configset: CKAN schema.xml has no 'text' field type")
    for xml in (CJK_BIGRAM_TEXT, READING_TEXT, READING_JOINED_TEXT, SUGGEST_TEXT, LOCATION_RPT):
        types.append(ET.fromstring(xml))

    existing = {f.get("name") for f in fields}
    if "permission_labels" not in existing:
        sys.exit("make_configset: CKAN schema.xml has no 'permission_labels' field")
    for xml in EXTRA_FIELDS:
        field = ET.fromstring(xml)
        if field.get("name") not in existing:
            # Explicit fields must precede dynamic ones only by convention; Solr accepts any order.
            fields.append(field)
    for source in CJK_SOURCES:
        root.append(ET.Element("copyField", {"source": source, "dest": "text_cjk"}))
    for source in READING_SOURCES:
        for dest in ("reading", "reading_joined"):
            root.append(ET.Element("copyField", {"source": source, "dest": dest}))
    root.append(ET.Element("copyField", {"source": "permission_labels", "dest": "suggest_labels"}))
    return stock


def japanese_solrconfig(text: str) -> str:
    root = ET.fromstring(text)
    select = root.find("requestHandler[@name='/select']")
    defaults = select.find("lst[@name='defaults']") if select is not None else None
    if defaults is None:
        sys.exit("make_configset: solrconfig.xml has no /select handler with defaults")
    for name, value in SELECT_DEFAULTS.items():
        ET.SubElement(defaults, "str", {"name": name}).text = value
    for element in ET.fromstring(f"<x>{SUGGEST_CONFIG}</x>"):
        root.append(element)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8" ?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# Full-width Latin letters/digits and half-width katakana, as CJKWidthCharFilter folds them
# before the tokenizer: a rule written ＡＥＤ or ｺﾞﾐ must match the folded query.
_WIDTH = re.compile("[\uff01-\uff5e\uff61-\uff9f]+")


def fold_width(text: str) -> str:
    return _WIDTH.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)


def hiragana_mapping() -> str:
    lines = ["# Hiragana → katakana, so a kana query meets Kuromoji's katakana readings."]
    lines += [f'"{chr(c)}" => "{chr(c + 0x60)}"' for c in range(0x3041, 0x3097)]
    lines += ['"ゝ" => "ヽ"', '"ゞ" => "ヾ"']
    return "\n".join(lines) + "\n"


def synonyms_text() -> str:
    """synonyms_ja.txt as the core reads it."""
    if not SYNONYMS_SOURCE.is_file():
        sys.exit(f"make_configset: {SYNONYMS_SOURCE} is missing (copy all of deploy/solr/)")
    return fold_width(SYNONYMS_SOURCE.read_text(encoding="utf-8"))


def word_lists(stock: bool) -> dict[str, str]:
    lists = dict(WORD_LISTS)
    if not stock:
        lists[SYNONYMS] = synonyms_text()
        lists[HIRAGANA_MAP] = hiragana_mapping()
    return lists


def write_configset(out: Path, stock: bool) -> None:
    conf = out / "conf"
    conf.mkdir(parents=True, exist_ok=True)
    tree = ET.parse(ckan_schema_path())
    lists = word_lists(stock)
    if not stock:
        tree = japanese_schema(tree)
        # deploy/stack.sh reloads a running core when schema.xml or solrconfig.xml changed;
        # the digest of the word lists makes an edit of synonyms_ja.txt count as a change.
        digest = hashlib.sha256("".join(lists[k] for k in sorted(lists)).encode()).hexdigest()
        tree.getroot().insert(0, ET.Comment(f" word lists sha256 {digest[:16]} "))
    ET.indent(tree)
    tree.write(conf / "schema.xml", encoding="UTF-8", xml_declaration=True)
    solrconfig = (HERE / "solrconfig.xml").read_text(encoding="utf-8")
    if stock:
        (conf / "solrconfig.xml").write_text(solrconfig, encoding="utf-8")
    else:
        (conf / "solrconfig.xml").write_text(japanese_solrconfig(solrconfig), encoding="utf-8")
    for name, text in lists.items():
        (conf / name).write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="configset directory to write (conf/ inside)")
    parser.add_argument("--stock", action="store_true", help="CKAN's schema unchanged")
    parser.add_argument("--synonyms-only", action="store_true",
                        help=f"write only {SYNONYMS} (widths folded) to the file OUT")
    args = parser.parse_args(argv)
    if args.synonyms_only:
        args.out.write_text(synonyms_text(), encoding="utf-8")
        return
    write_configset(args.out, args.stock)


if __name__ == "__main__":
    main()
