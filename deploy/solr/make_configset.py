"""Write a Solr configset for CKAN: CKAN's own schema.xml plus our additions.

The schema is derived at set-up time from ``ckan/config/solr/schema.xml`` inside the
installed ckan package (never copied into this repository), then:

- the ``text`` field type (title, notes and the catch-all ``text`` field) analyses
  Japanese with Kuromoji (search mode splits compounds: 指定緊急避難場所一覧 →
  指定 / 緊急 / 避難 / 場所 / 一覧) and still stems English;
- a ``text_cjk`` field indexes the same sources as CJK bigrams, which catches words
  Kuromoji's dictionary does not know (place names, new coinages);
- ckanext-spatial's fields: ``minx maxx miny maxy bbox_area`` for the default
  ``solr-bbox`` backend and ``spatial_geom`` (JTS polygons) for ``solr-spatial-field``.

Usage: python make_configset.py OUT_DIR [--stock]
``--stock`` writes CKAN's schema unchanged (the baseline of bench/search).
"""
from __future__ import annotations

import argparse
import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Field type used by CKAN's title, notes, text, extras_* fields.
JAPANESE_TEXT = """
<!-- autoGeneratePhraseQueries: a query word Kuromoji splits (避難所 → 避難 所) must match
     as a phrase; CKAN's dismax would otherwise OR the parts and 所 alone matches 事業所. -->
<fieldType name="text" class="solr.TextField" positionIncrementGap="100" autoGeneratePhraseQueries="true">
  <analyzer>
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

LOCATION_RPT = """
<fieldType name="location_rpt" class="solr.SpatialRecursivePrefixTreeFieldType"
           spatialContextFactory="JTS" autoIndex="true" validationRule="repairBuffer0"
           distErrPct="0.025" maxDistErr="0.001" distanceUnits="kilometers"/>
"""

EXTRA_FIELDS = [
    '<field name="text_cjk" type="text_cjk" indexed="true" stored="false" multiValued="true"/>',
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

# Our own small word lists (the stock schema references them by name).
WORD_LISTS = {
    # The English stemmer would turn AED into "a" (Porter drops "-ed") and mangle other
    # acronyms common in municipal catalogues.
    "protwords.txt": "# Words the English stemmer must leave alone (lower case).\n"
    + "\n".join(["aed", "wifi", "wi-fi", "lan", "gtfs", "csv", "tsv", "api", "pdf", "npo",
                 "gis", "dcat", "ckan", "bodik", "iot", "ict", "dx"]) + "\n",
    "synonyms.txt": "# Query-time synonyms, e.g.: AED,自動体外式除細動器\nAED,自動体外式除細動器\n",
    "stopwords.txt": "# Stop words (none: Japanese titles are short).\n",
}


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
    types.append(ET.fromstring(CJK_BIGRAM_TEXT))
    types.append(ET.fromstring(LOCATION_RPT))

    existing = {f.get("name") for f in fields}
    for xml in EXTRA_FIELDS:
        field = ET.fromstring(xml)
        if field.get("name") not in existing:
            # Explicit fields must precede dynamic ones only by convention; Solr accepts any order.
            fields.append(field)
    for source in CJK_SOURCES:
        root.append(ET.Element("copyField", {"source": source, "dest": "text_cjk"}))
    return stock


def write_configset(out: Path, stock: bool) -> None:
    conf = out / "conf"
    conf.mkdir(parents=True, exist_ok=True)
    tree = ET.parse(ckan_schema_path())
    if not stock:
        tree = japanese_schema(tree)
    ET.indent(tree)
    tree.write(conf / "schema.xml", encoding="UTF-8", xml_declaration=True)
    shutil.copyfile(HERE / "solrconfig.xml", conf / "solrconfig.xml")
    for name, text in WORD_LISTS.items():
        (conf / name).write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="configset directory to write (conf/ inside)")
    parser.add_argument("--stock", action="store_true", help="CKAN's schema unchanged")
    args = parser.parse_args(argv)
    write_configset(args.out, args.stock)


if __name__ == "__main__":
    main()
