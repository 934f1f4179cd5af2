"""The theme of the core plugin (issue 7, items 1 and 5): the home page's categories and
members with live counts, the about page in both languages, the boundaries it serves, and
no trace of CKAN's placeholder content — against the real stack, with the members and the
17 categories loaded by `ckan regionaliot seed`.
"""
from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.regionaliot import home, seed

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queues")

# The 分類 of the standard オープンデータ一覧 in their official order
# (14_オープンデータ一覧, japan-open-data-standards.md §1.4), as the seed names the groups.
OFFICIAL_CATEGORIES = [
    ("kokudo-kisho", "国土・気象"), ("jinko-setai", "人口・世帯"), ("rodo-chingin", "労働・賃金"),
    ("norin-suisangyo", "農林水産業"), ("kokogyo", "鉱工業"), ("shogyo-service", "商業・サービス業"),
    ("kigyo-kakei-keizai", "企業・家計・経済"), ("jutaku-tochi-kensetsu", "住宅・土地・建設"),
    ("energy-mizu", "エネルギー・水"), ("unyu-kanko", "運輸・観光"),
    ("joho-tsushin-kagaku", "情報通信・科学技術"), ("kyoiku-bunka-seikatsu", "教育・文化・スポーツ・生活"),
    ("gyozaisei", "行財政"), ("shiho-anzen-kankyo", "司法・安全・環境"),
    ("shakaihosho-eisei", "社会保障・衛生"), ("kokusai", "国際"), ("sonota", "その他"),
]
# The members in the order of their 全国地方公共団体コード (倉敷市 first), then the consortium.
MEMBERS = [
    ("kurashiki", "332020"), ("kasaoka", "332054"), ("ibara", "332071"), ("soja", "332089"),
    ("takahashi", "332097"), ("niimi", "332101"), ("asakuchi", "332160"),
    ("hayashima", "334235"), ("satosho", "334456"), ("yakage", "334618"),
]
CONSORTIUM = "takahashigawa-ryuiki"
GEOJSON = "/regionaliot/geo/members.geojson"
BASIN_GEOJSON = "/regionaliot/geo/basin.geojson"
# What CKAN's stock theme shows and ours must not (issue 7: the placeholder home page).
PLACEHOLDERS = ["CKANへようこそ", "Welcome to CKAN", "良い紹介文", "nice introductory paragraph",
                "placeholder-420x220", "420 x 220", "ckan-logo", "Powered by", "od_80x15",
                "CKAN Association"]


@pytest.fixture
def consortium(app):
    """The ten members, the consortium and the 17 category groups, as `make up` loads them."""
    user = call_action("get_site_user", {"ignore_auth": True})["name"]
    with app.flask_app.test_request_context():
        seed.run(user, demo=False)


def page(app, url: str, status: int = 200) -> BeautifulSoup:
    answer = app.get(url, status=status)
    return BeautifulSoup(answer.body, "html.parser")


def count(element) -> int:
    return int(element.select_one(".regionaliot-count").text.replace(",", ""))


def dataset(org: str, category: str, **kwargs):
    return factories.Dataset(owner_org=org, groups=[{"name": category}], **kwargs)


def test_home_shows_the_17_categories_in_official_order_with_live_counts(app, consortium,
                                                                         monkeypatch):
    asked = []
    search = home._search
    monkeypatch.setattr(home, "_search", lambda **kw: asked.append(kw) or search(**kw))
    tiles = page(app, "/").select("a.regionaliot-category")
    # Tiles and member counts come from the search CKAN's home view already made: no
    # faceted search of their own (bench/web: one per block on every request before).
    assert not [kw for kw in asked if "facet.field" in kw]
    assert [(t["data-category"], t.select_one(".regionaliot-category-label").text.strip())
            for t in tiles] == OFFICIAL_CATEGORIES
    assert all(count(t) == 0 and "regionaliot-category--empty" in t["class"] for t in tiles)
    for _ in range(2):
        dataset("kurashiki", "kokudo-kisho")
    dataset("soja", "sonota")
    dataset("soja", "sonota", private=True)  # not public: not counted

    tiles = {t["data-category"]: t for t in page(app, "/").select("a.regionaliot-category")}
    counts = {name: count(t) for name, t in tiles.items()}
    assert counts == {name: {"kokudo-kisho": 2, "sonota": 1}.get(name, 0)
                      for name, _label in OFFICIAL_CATEGORIES}
    assert "regionaliot-category--empty" not in tiles["kokudo-kisho"]["class"]
    assert "regionaliot-category--empty" in tiles["gyozaisei"]["class"]
    assert tiles["kokudo-kisho"].select_one("svg use")["href"] == "#ri-cat-kokudo-kisho"
    # Each tile opens the dataset search of its category, which finds the same datasets.
    assert "groups=kokudo-kisho" in tiles["kokudo-kisho"]["href"]
    found = call_action("package_search", fq="groups:kokudo-kisho")["count"]
    assert found == counts["kokudo-kisho"]
    # English labels on the English home page, same order.
    en = [t.select_one(".regionaliot-category-label").text.strip()
          for t in page(app, "/en/").select("a.regionaliot-category")]
    assert en[0] == "Land and weather" and en[-1] == "Other" and len(en) == 17


def test_home_lists_the_members_with_codes_counts_and_their_map(app, consortium):
    dataset("kurashiki", "gyozaisei")
    dataset("niimi", "gyozaisei")
    dataset("niimi", "kokusai")
    soup = page(app, "/")
    items = soup.select("ul.regionaliot-members li")
    assert [li.get("data-code") for li in items] == [code for _n, code in MEMBERS] + [None]
    links = [li.select_one("a")["href"] for li in items]
    assert links == [f"/organization/{name}" for name, _c in MEMBERS] + [f"/organization/{CONSORTIUM}"]
    counts = {li.select_one("a")["href"].rsplit("/", 1)[1]: count(li) for li in items}
    assert counts["kurashiki"] == 1 and counts["niimi"] == 2 and counts["kasaoka"] == 0
    assert "332020" in items[0].text and "倉敷市" in items[0].text
    assert "高梁川流域連携中枢都市圏" in items[-1].text

    # The map: drawn from the served boundaries, each code linked to its member's page.
    map_el = soup.select_one(".regionaliot-map[data-module=regionaliot-basin-map]")
    config = json.loads(map_el["data-module-config"])
    assert config["geojson"] == GEOJSON and config["basin"] == BASIN_GEOJSON
    assert {code: m["url"] for code, m in config["members"].items()} == {
        code: f"/organization/{name}" for name, code in MEMBERS}
    assert config["members"]["332101"]["count"] == 2
    assert map_el.get("aria-hidden") == "true"  # the list is its accessible equivalent
    assert "国土数値情報" in soup.select_one(".regionaliot-map-figure figcaption").text

    en = page(app, "/en/").select("ul.regionaliot-members li")
    assert "Kurashiki City" in en[0].text


def test_boundaries_are_served_as_valid_geojson_with_ten_member_shapes(app, consortium):
    answer = app.get(GEOJSON, status=200)
    data = json.loads(answer.body)
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == 10
    codes = [f["properties"]["code"] for f in data["features"]]
    stored = {o["name"]: o["lg_code"] for o in call_action(
        "organization_list", all_fields=True, include_extras=True) if o.get("lg_code")}
    assert sorted(codes) == sorted(stored.values()) == sorted(code for _n, code in MEMBERS)
    for feature in data["features"]:
        geometry = feature["geometry"]
        assert geometry["type"] in ("Polygon", "MultiPolygon")
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [
            geometry["coordinates"]]
        assert polygons
        for polygon in polygons:
            for ring in polygon:
                assert len(ring) >= 4 and ring[0] == ring[-1]
                # In the basin (Okayama Prefecture's south-west), longitude first.
                assert all(133.2 < lon < 134.0 and 34.2 < lat < 35.3 for lon, lat in ring)
    # The consortium's outline, drawn over them.
    basin = json.loads(app.get(BASIN_GEOJSON, status=200).body)
    assert [f["geometry"]["type"] for f in basin["features"]] == ["MultiPolygon"]


def test_about_page_says_what_who_terms_and_contact_in_japanese_and_english(app, consortium):
    ja = page(app, "/about")
    assert ja.html["lang"] == "ja"
    assert ja.select_one("h1").text.strip() == "このサイトについて"
    text = ja.get_text(" ")
    for expected in ("高梁川流域", "連携中枢都市圏", "倉敷市", "利用規約", "CC BY 4.0", "お問い合わせ"):
        assert expected in text, expected
    assert {a["href"] for a in ja.select(".regionaliot-about-members a")} == {
        f"/organization/{name}" for name, _c in MEMBERS} | {f"/organization/{CONSORTIUM}"}
    assert {h["id"] for h in ja.select("h2[id]")} >= {"what", "who", "terms", "api", "contact"}

    en = page(app, "/en/about")
    assert en.html["lang"] == "en"
    assert en.select_one("h1").text.strip() == "About this portal"
    text = en.get_text(" ")
    for expected in ("Takahashi River", "Kurashiki", "Terms of use", "CC BY 4.0", "Contact"):
        assert expected in text, expected
    assert "利用規約" not in text


@pytest.mark.parametrize("url, status", [
    ("/", 200), ("/en/", 200), ("/about", 200), ("/dataset/", 200), ("/no-such-page", 404),
])
def test_no_ckan_placeholder_anywhere_in_the_frame(app, url, status):
    soup = page(app, url, status)
    html = str(soup)
    for placeholder in PLACEHOLDERS:
        assert placeholder not in html, placeholder
    # Our name and logo instead, and the way to the other language.
    assert soup.select_one(".regionaliot-brand img")["src"].endswith("/regionaliot/logo.svg")
    assert soup.select("a.regionaliot-lang-switch[hreflang=en]")
    assert soup.select("a.regionaliot-lang-switch[hreflang=ja]")
    title = soup.title.text
    assert ("高梁川流域オープンデータ" in title) or ("Takahashi River Basin Open Data" in title)
    # Keyboard users can skip to the content, which exists.
    skip = soup.select_one(".visually-hidden-focusable a")
    assert skip["href"] == "#content" and soup.select_one("#content")


def test_home_search_box_offers_examples_and_suggestions_as_you_type(app):
    form = page(app, "/").select_one("form.regionaliot-hero-search")
    assert form["action"] == "/dataset/" and form["method"] == "get"
    box = form.select_one("input[name=q]")
    assert form.select_one(f"label[for={box['id']}]").text.strip() == "データを探す"
    assert form["data-module"] == "regionaliot-search-suggest"
    answer = app.get(form["data-module-url"], params={"q": "国土"}, status=200)
    assert answer.json["result"]["categories"][0]["name"] == "kokudo-kisho"
    examples = [a.text for a in page(app, "/").select(".regionaliot-examples a")]
    assert "トイレ" in examples

