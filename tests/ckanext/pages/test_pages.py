"""Issue 7, items 2-4: the organization page (profile, standard datasets), the dataset page
(downloads, validation badge, no empty rows, labels), labelled facets and English titles.
Rendered by CKAN's test app against the real services."""
from __future__ import annotations

from pathlib import Path

import ckan.model as model
import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories
from ckan.tests.helpers import call_action

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

SAMPLE = Path(__file__).resolve().parents[2] / "schemas" / "samples" / "legacy" / "aed.csv"
TERMS = "https://www.city.kurashiki.okayama.jp/opendata/terms"
CATALOG = "https://www.city.kurashiki.okayama.jp/opendata/"


@pytest.fixture
def sysadmin():
    return factories.SysadminWithToken()


@pytest.fixture
def kurashiki(sysadmin):
    return factories.Organization(
        name="kurashiki", title="倉敷市", title_kana="クラシキシ", title_en="Kurashiki City",
        lg_code="332020", prefecture="33", website="https://www.city.kurashiki.okayama.jp/",
        opendata_terms_url=TERMS, opendata_catalog_url=CATALOG, image_url="",
        users=[{"name": sysadmin["name"], "capacity": "admin"}])


def dataset(org, user, **fields):
    fields.setdefault("category", "shakaihosho-eisei")
    return call_action("package_create", {"user": user["name"]}, owner_org=org["id"], **fields)


def page(app, url, **kwargs):
    response = app.get(url, **kwargs)
    assert response.status_code == 200, url
    return BeautifulSoup(response.body, "html.parser")


def test_the_organization_page_shows_its_profile_and_its_standard_datasets(app, kurashiki, sysadmin):
    dataset(kurashiki, sysadmin, name="kurashiki-aed", title="AED設置箇所一覧",
            standard_dataset="aed")
    dataset(kurashiki, sysadmin, name="kurashiki-notes", title="議事録", standard_dataset="none")

    html = page(app, "/organization/kurashiki")
    profile = html.select_one(".regionaliot-org-profile")
    assert profile.select_one(".regionaliot-org-kana").text.strip() == "クラシキシ"
    assert profile.select_one(".regionaliot-lg-code").text.strip() == "332020"
    assert profile.select_one("a.regionaliot-org-terms")["href"] == TERMS
    assert profile.select_one("a.regionaliot-org-catalog")["href"] == CATALOG
    published = [li["data-standard"] for li in profile.select(".regionaliot-standard-published li")]
    missing = [li["data-standard"] for li in profile.select(".regionaliot-standard-missing li")]
    assert published == ["aed"]
    assert "public_toilet" in missing and "aed" not in missing and "none" not in missing
    assert "AED設置箇所一覧" in profile.select_one(".regionaliot-standard-published").text
    # The map is drawn from the shipped boundaries; no grey placeholder, no English counts.
    assert profile.select_one("[data-module=regionaliot-org-map]")["data-module-code"] == "332020"
    body = str(html)
    assert "placeholder-organization" not in body
    assert "Member" not in html.text

    listing = page(app, "/organization/")
    item = listing.select_one(".regionaliot-org-item")
    assert item.select_one("svg.regionaliot-outline path")  # its outline as the emblem
    assert "クラシキシ" in item.text and "データセット 2件" in item.text


def test_the_dataset_page_offers_both_downloads_the_badge_and_no_empty_rows(
        app, kurashiki, sysadmin, create_with_upload):
    pkg = dataset(kurashiki, sysadmin, name="kurashiki-aed", title="AED設置箇所一覧",
                  standard_dataset="aed", private=True)
    res = create_with_upload(SAMPLE.read_text(encoding="utf-8"), "aed.csv",
                             context={"user": sysadmin["name"]}, package_id=pkg["id"],
                             url="aed.csv", format="CSV")
    auth = {"headers": {"Authorization": sysadmin["token"]}}

    html = page(app, "/dataset/kurashiki-aed", **auth)
    original = html.select_one("a.regionaliot-download-original")
    assert original["href"].endswith(f"/resource/{res['id']}/download/aed.csv")
    normalized = html.select_one("a.regionaliot-download-normalized")
    assert normalized["href"] == f"/dataset/kurashiki-aed/resource/{res['id']}/validation/normalized.csv"
    badge = html.select_one(".regionaliot-validation-badge")
    assert badge["data-status"] == "success" and badge.select_one("a.badge")
    rows = html.select("section.additional-info tbody tr")
    assert rows and all(row.td.get_text(strip=True) for row in rows)
    labels = html.select_one(".regionaliot-labels").get_text(" ", strip=True)
    assert "社会保障・衛生" in labels and "AED設置箇所一覧" in labels
    assert "クリエイティブ・コモンズ 表示 4.0 国際" in labels

    # Citizens get the original; the validator's corrected copy is for editors only (the
    # DataStore's UTF-8 CSV, offered once xloader has loaded the file, needs the worker).
    call_action("package_patch", {"user": sysadmin["name"]}, id=pkg["id"], private=False)
    html = page(app, "/dataset/kurashiki-aed")
    assert html.select_one("a.regionaliot-download-original")
    assert not html.select("a.regionaliot-download-normalized[href*='/validation/']")
    resource_page = page(app, f"/dataset/kurashiki-aed/resource/{res['id']}", **auth)
    assert resource_page.select_one("a.regionaliot-download-original")
    assert resource_page.select_one("a.regionaliot-download-normalized")


def test_facets_show_human_labels(app, kurashiki, sysadmin):
    dataset(kurashiki, sysadmin, name="kurashiki-care", title="介護サービス事業所一覧",
            standard_dataset="care_service", license_id="pdl-1.0")

    html = page(app, "/dataset/")
    facet = html.select_one("section.module-narrow:has(a[href*='standard_dataset='])")
    assert facet.select_one("h2").get_text(strip=True) == "標準データセット"
    item = facet.select_one("a[href*='standard_dataset=care_service']")
    assert "介護サービス事業所一覧" in item.get_text() and "care_service" not in item.get_text()
    lic = html.select_one("a[href*='license_id=pdl-1.0']")
    assert "公共データ利用規約 第1.0版" in lic.get_text()


def test_english_pages_show_english_titles_and_fall_back_to_japanese(app, kurashiki, sysadmin):
    dataset(kurashiki, sysadmin, name="kurashiki-aed", title="AED設置箇所一覧",
            title_en="AED locations", notes="AEDの一覧", notes_en="Where the AEDs are",
            standard_dataset="aed")
    dataset(kurashiki, sysadmin, name="kurashiki-minutes", title="議事録一覧")

    search = page(app, "/en/dataset/")
    titles = [a.get_text(strip=True) for a in search.select(".dataset-heading a")]
    assert sorted(titles) == ["AED locations", "議事録一覧"]
    assert "Where the AEDs are" in search.text and "AEDの一覧" not in search.text
    # A Japanese page shows the notes CKAN's template made (no second markdown pass).
    assert "AEDの一覧" in page(app, "/dataset/").select_one(".dataset-item:has(a[href$='kurashiki-aed'])").text
    org_facet = search.select_one("a[href*='organization=kurashiki']")
    assert "Kurashiki City" in org_facet.get_text()
    assert "AED locations" in search.select_one("a[href*='standard_dataset=aed']").get_text()

    read = page(app, "/en/dataset/kurashiki-aed")
    assert read.title.get_text().startswith("AED locations")
    assert "Kurashiki City" in read.select_one(".breadcrumb, .toolbar").get_text()
    assert read.select_one("h1").get_text(strip=True).startswith("AED locations")
    assert "Where the AEDs are" in read.select_one(".notes").get_text()
    assert page(app, "/en/dataset/kurashiki-minutes").title.get_text().startswith("議事録一覧")

    org = page(app, "/en/organization/kurashiki")
    assert org.title.get_text().startswith("Kurashiki City")
    assert "Kurashiki City" in page(app, "/en/organization/").select_one(".regionaliot-org-item").text
    # Japanese pages keep the Japanese titles.
    assert page(app, "/dataset/kurashiki-aed").title.get_text().startswith("AED設置箇所一覧")

    # Searching in English finds the English title (Solr indexes title_en in the text field).
    found = page(app, "/en/dataset/?q=locations")
    assert [a.get_text(strip=True) for a in found.select(".dataset-heading a")] == ["AED locations"]
    assert model.Session.query(model.Package).count() == 2
