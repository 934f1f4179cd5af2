"""Message markers and the reader's language, shared by every feature."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

# The portal's languages; the first is the default for readers without a choice.
LANGUAGES = ("ja", "en")


def N_(text: str) -> str:
    """Mark a msgid for extraction without translating it now.

    Used for messages stored or raised outside a request (jobs have no locale): they are
    translated with ``tk._`` when shown, in the reader's language.
    """
    return text


def current_lang() -> str:
    """The language of the current page, or the portal's default outside a request."""
    from flask import has_request_context

    if has_request_context():
        try:
            lang = tk.h.lang()
        except (AttributeError, RuntimeError):
            lang = None
        if lang:
            return _known(lang)
    return _known(tk.config.get("ckan.locale_default"))


def _known(lang: str | None) -> str:
    lang = (lang or "").split("_")[0].split("-")[0].lower()
    return lang if lang in LANGUAGES else LANGUAGES[0]
