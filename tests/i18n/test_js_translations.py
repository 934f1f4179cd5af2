"""CKAN's JavaScript modules (the additional-info table's "Show more", upload and loading
labels) take their strings from /api/i18n/<lang>, a file the stack builds for each profile
(`ckan translation js` in deploy/stack.sh); without it they are English on Japanese pages."""
from __future__ import annotations

import json


def test_javascript_strings_are_served_in_japanese(app):
    # Without the file CKAN answers "{}" (as text/html, hence json.loads).
    translations = json.loads(app.get("/api/i18n/ja", status=200).body)
    assert translations.get("Show more") == [None, "もっとみる"]
