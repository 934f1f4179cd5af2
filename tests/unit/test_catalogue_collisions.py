"""The merged gettext catalogue gives each msgid one translation for the whole site.

Flask-Babel merges CKAN's ``ckan`` catalogue and then every ITranslation plugin's, in
``ckan.plugins`` order, and a later catalogue's entry replaces an earlier one's for the same
(context, msgid). So a feature plugin translating "Members" as 構成団体 for its own table
renamed the Members tab of every organization page. The rules checked here:

1. Our merged catalogues never translate the same (context, msgid) two ways.
2. Only the core catalogue (``ckanext-regionaliot``) may replace CKAN's own translation of a
   msgid (that is where CKAN's Japanese is corrected, for every page); a feature plugin that
   means something narrower uses a gettext context (``pgettext``).

The engine's catalogue (``regionaliot-validation``) is not merged into CKAN's: it is left out.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "ckanext-regionaliot" / "ckanext" / "regionaliot"
CORE = "ckanext-regionaliot"


def merged_catalogues() -> dict[str, Path]:
    """Domain -> ja .po of every catalogue our plugins merge into CKAN's."""
    found = {po.stem: po for po in PACKAGE.glob("**/i18n/ja/LC_MESSAGES/ckanext-*.po")}
    assert CORE in found and len(found) > 1, found
    return found


def ckan_catalogue() -> Path:
    spec = importlib.util.find_spec("ckan")
    assert spec and spec.submodule_search_locations
    return Path(spec.submodule_search_locations[0]) / "i18n" / "ja" / "LC_MESSAGES" / "ckan.po"


def translations(po: Path) -> dict[tuple[str | None, str], str]:
    with po.open("rb") as f:
        catalogue = read_po(f)
    out = {}
    for message in catalogue:
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        msgstr = message.string[0] if isinstance(message.string, tuple) else message.string
        if msgid and msgstr and not message.fuzzy:
            out[(message.context, msgid)] = msgstr
    return out


def test_our_catalogues_agree_with_each_other():
    seen: dict[tuple[str | None, str], tuple[str, str]] = {}
    clashes = []
    for domain, po in sorted(merged_catalogues().items()):
        for key, msgstr in translations(po).items():
            if key in seen and seen[key][1] != msgstr:
                clashes.append(f"{key}: {seen[key][0]} {seen[key][1]!r} / {domain} {msgstr!r}")
            seen.setdefault(key, (domain, msgstr))
    assert not clashes, "same msgid, two translations (use a msgctxt):\n" + "\n".join(clashes)


def test_only_the_core_catalogue_replaces_ckans_translations():
    catalogues = merged_catalogues()
    # What a msgid means on every page: CKAN's translation, as the core catalogue corrects it.
    site = {**translations(ckan_catalogue()), **translations(catalogues[CORE])}
    replaced = []
    for domain, po in sorted(catalogues.items()):
        if domain == CORE:
            continue
        for key, msgstr in translations(po).items():
            if key in site and site[key] != msgstr:
                replaced.append(f"{domain} {key}: site {site[key]!r} -> {msgstr!r}")
    assert not replaced, ("a feature catalogue changes a translation on every page (give it a "
                          "msgctxt, or correct CKAN's in the core catalogue):\n"
                          + "\n".join(replaced))
