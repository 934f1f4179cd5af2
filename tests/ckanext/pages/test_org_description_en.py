"""Issue 7: organizations' English description (schema field description_en, seeded for
the ten members and the consortium) on English pages, the Japanese one on Japanese pages,
and the Japanese one on English pages when no English is stored."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.regionaliot import seed

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

MEMBERS = ("kurashiki", "kasaoka", "ibara", "soja", "takahashi", "niimi", "asakuchi",
           "hayashima", "satosho", "yakage")


def text(app, url: str, selector: str) -> str:
    soup = BeautifulSoup(app.get(url, status=200).body, "html.parser")
    return " ".join(el.get_text(" ", strip=True) for el in soup.select(selector))


def test_english_descriptions_are_seeded_and_shown_on_english_pages(app):
    user = call_action("get_site_user", {"ignore_auth": True})["name"]
    with app.flask_app.test_request_context():
        seed.run(user, demo=False)
    for name in (*MEMBERS, "takahashigawa-ryuiki"):
        org = call_action("organization_show", id=name)
        assert org["description"] and org["description_en"].isascii(), name
    factories.Organization(name="no-english", title="英語なし", description="日本語の説明だけ")

    profile = ".regionaliot-org-description"
    assert "Open data of Soja City" in text(app, "/en/organization/soja", profile)
    assert "総社市（岡山県）のオープンデータ" in text(app, "/organization/soja", profile)
    assert "日本語の説明だけ" in text(app, "/en/organization/no-english", profile)  # fallback

    listing = text(app, "/en/organization/", ".media-description")
    assert "Open data of Kurashiki City" in listing and "倉敷市（岡山県）" not in listing
    assert "日本語の説明だけ" in listing
    assert "倉敷市（岡山県）のオープンデータ" in text(app, "/organization/", ".media-description")
