"""The site frame's extension points (issue 7): the header's tabs (lib/interfaces.INavigation:
a feature plugin's tab is shown when it is loaded, marked active on its own pages,
translated, and gone when the plugin is left out of ckan.plugins) and the home page's KPI
slot (block regionaliot_kpi_ribbon, filled by regionaliot_kpi's templates/home/index.html).
"""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories
from ckan.tests.helpers import call_action

pytestmark = pytest.mark.usefixtures("clean_index")

FEATURES = ("regionaliot_ideas", "regionaliot_kpi")


def tabs(app, url: str) -> list[tuple[str, str, bool]]:
    soup = BeautifulSoup(app.get(url, status=200).body, "html.parser")
    nav = soup.select_one("#main-navigation-toggle ul.navbar-nav")
    return [(a["href"], a.get_text(strip=True), "active" in (a.parent.get("class") or []))
            for a in nav.select("li > a[href]")]


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_loaded_features_add_their_tabs_in_plugin_order_before_about(app):
    ja = [(href, label) for href, label, _active in tabs(app, "/")]
    # ckan.plugins of the test profile: ... regionaliot_ideas regionaliot_kpi regionaliot_stories
    assert ja[-4:] == [("/ideas", "アイデアボックス"), ("/kpi", "オープンデータ取組状況"),
                       ("/stories", "データから見えるもの"), ("/about", "このサイトについて")]
    assert [href for href, _label in ja[:3]] == ["/dataset/", "/organization/", "/group/"]
    en = [(href, label) for href, label, _active in tabs(app, "/en/")]
    assert ("/en/ideas", "Idea box") in en and ("/en/kpi", "Open data progress") in en
    on_kpi = {href: active for href, _label, active in tabs(app, "/kpi")}
    assert on_kpi["/kpi"] and not on_kpi["/ideas"] and not on_kpi["/dataset/"]


@pytest.fixture
def features_left_out(ckan_config, monkeypatch, request):
    """ckan.plugins of the test profile without the two feature plugins, then loaded."""
    plugins = ckan_config["ckan.plugins"]
    plugins = plugins.split() if isinstance(plugins, str) else plugins
    kept = [name for name in plugins if name not in FEATURES]
    monkeypatch.setitem(ckan_config, "ckan.plugins", " ".join(kept))
    request.getfixturevalue("with_plugins")
    request.getfixturevalue("clean_db")  # after loading: the reset migrates plugins' tables


def test_a_feature_left_out_of_ckan_plugins_has_no_tab(features_left_out, app):
    hrefs = [href for href, _label, _active in tabs(app, "/")]
    assert "/about" in hrefs and "/dataset/" in hrefs
    assert "/ideas" not in hrefs and "/kpi" not in hrefs


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_the_kpi_ribbon_fills_its_home_slot_once_a_snapshot_exists(app):
    def home():
        return BeautifulSoup(app.get("/", status=200).body, "html.parser")

    assert home().select_one(".regionaliot-kpi-ribbon") is None  # no snapshot: nothing shown
    factories.Organization(name="kurashiki", title="倉敷市", lg_code="332020", prefecture="33",
                           opendata_terms_url="https://www.city.kurashiki.okayama.jp/opendata/")
    call_action("regionaliot_kpi_snapshot", {"user": factories.Sysadmin()["name"]})
    main = home().select_one("main#content")
    ribbon = main.select_one(".regionaliot-kpi-ribbon")
    assert ribbon is not None and "0.0%" in ribbon.get_text()  # one member, not yet engaged
    assert ribbon.select_one('a[href="/kpi"]')
    # In its slot: after the hero, before the categories.
    order = [el for el in main.select(".regionaliot-hero, .regionaliot-kpi-ribbon, "
                                      "#regionaliot-categories-title")]
    assert [el.name for el in order] == ["section", "aside", "h2"]
