"""Message catalogues of the validation engine: gettext domain ``regionaliot-validation``.

English is the source language: the engine's texts are the msgids, in the code, marked
with ``N_`` (messages.py). Every other language has one catalogue here,
``<lang>/LC_MESSAGES/regionaliot-validation.po``; the compiled ``.mo`` beside it is built
at install time and is not in git. Extraction is configured once, in ``babel.cfg`` here.

    python -m regionaliot.validation.i18n extract   # the code's msgids -> regionaliot-validation.pot
    python -m regionaliot.validation.i18n update    # .pot -> each .po (new msgids untranslated)
    python -m regionaliot.validation.i18n compile   # each .po -> .mo beside it (install step)
    python -m regionaliot.validation.i18n check     # every msgid of the code translated, none fuzzy

which are, from the repository's top (see README.md here)::

    pybabel extract -F validation/i18n/babel.cfg --sort-by-file -o validation/i18n/regionaliot-validation.pot validation
    pybabel update -D regionaliot-validation -d validation/i18n -i validation/i18n/regionaliot-validation.pot
    pybabel compile -D regionaliot-validation -d validation/i18n

Catalogues are looked up in this folder, or in ``$REGIONALIOT_VALIDATION_LOCALEDIR`` when
set (the pure tests compile into a temporary folder). A language whose ``.mo`` is missing
falls back to English, with one warning in the log: the catalogue is never compiled on the
fly.
"""
from __future__ import annotations

import functools
import gettext
import logging
import os
from pathlib import Path

DOMAIN = "regionaliot-validation"
SOURCE_LANG = "en"
LOCALEDIR_ENV = "REGIONALIOT_VALIDATION_LOCALEDIR"
HERE = Path(__file__).resolve().parent

log = logging.getLogger(__name__)
# A library's logger: the portal's logging shows the warning below; the command line, which
# configures no logging, keeps its one line on stderr.
log.addHandler(logging.NullHandler())


def localedir() -> str:
    """Where the compiled catalogues are read from (read at each call)."""
    return os.environ.get(LOCALEDIR_ENV) or str(HERE)


def normalize_lang(lang: str | None) -> str:
    """``en``, ``en_GB``, ``en-US`` → ``en``; anything else → ``ja`` (the portal's default)."""
    base = (lang or "").replace("-", "_").split("_")[0].lower()
    return "en" if base == "en" else "ja"


@functools.cache
def _translation(directory: str, lang: str) -> gettext.NullTranslations:
    if lang == SOURCE_LANG:
        return gettext.NullTranslations()
    try:
        return gettext.translation(DOMAIN, directory, languages=[lang])
    except OSError:
        log.warning("No compiled %s catalogue for %r in %s: messages stay in English. "
                    "Run: python -m regionaliot.validation.i18n compile", DOMAIN, lang, directory)
        return gettext.NullTranslations()


def translation(lang: str | None) -> gettext.NullTranslations:
    return _translation(localedir(), normalize_lang(lang))


def translate(text: str, lang: str | None) -> str:
    """``text`` (an English msgid) in ``lang``."""
    return translation(lang).gettext(text) if text else text


def catalogues(root: str | os.PathLike[str] | None = None) -> list[Path]:
    """The .po files of the engine's catalogue (one per language)."""
    base = Path(root) if root is not None else HERE
    return sorted(base.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def compile_catalogues(output_dir: str | os.PathLike[str] | None = None) -> list[Path]:
    """Compile every .po here to ``<output_dir or here>/<lang>/LC_MESSAGES/<domain>.mo``
    (what ``pybabel compile`` does; needs Babel, which the portal installs). Refuses a
    catalogue with fuzzy or untranslated entries."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    target = Path(output_dir) if output_dir is not None else HERE
    written = []
    for po in catalogues():
        lang = po.parent.parent.name
        with open(po, "rb") as handle:
            catalog = read_po(handle, locale=lang, domain=DOMAIN)
        problems = catalogue_problems(catalog)
        if problems:
            raise ValueError(f"{po}: " + "; ".join(problems[:5]))
        mo = target / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
        mo.parent.mkdir(parents=True, exist_ok=True)
        with open(mo, "wb") as handle:
            write_mo(handle, catalog)
        written.append(mo)
        _translation.cache_clear()
    return written


def catalogue_problems(catalog) -> list[str]:
    """Fuzzy or untranslated entries of a Babel catalogue. (Babel's own checkers know only
    %-formats; the tests render every message with its params instead.)"""
    problems = []
    for message in catalog:
        if not message.id:
            continue
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        elif not message.string:
            problems.append(f"untranslated: {message.id!r}")
    return problems


__all__ = ["DOMAIN", "LOCALEDIR_ENV", "catalogues", "compile_catalogues", "localedir",
           "normalize_lang", "translate", "translation"]
