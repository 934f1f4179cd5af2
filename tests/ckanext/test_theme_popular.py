"""The home page's most-viewed list (issue 7) from CKAN's tracking plugin: page views
posted to /_tracking by the browser script, summed by `ckan tracking update` (the cron job
of the README) into the index; without views the list is the recently updated one and
says so."""
from __future__ import annotations

import datetime

import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories

pytestmark = [pytest.mark.usefixtures("clean_index"),
              pytest.mark.ckan_config("ckanext.regionaliot.home.cache_seconds", 0)]


@pytest.fixture
def with_tracking(ckan_config, monkeypatch, request):
    """The test profile's plugins with CKAN's tracking (as deploy/ckan.ini.template has it)."""
    plugins = ckan_config["ckan.plugins"]
    plugins = plugins.split() if isinstance(plugins, str) else list(plugins)
    if "tracking" not in plugins:
        monkeypatch.setitem(ckan_config, "ckan.plugins", " ".join([*plugins, "tracking"]))
    request.getfixturevalue("with_plugins")
    request.getfixturevalue("clean_db")  # after loading: the reset migrates plugins' tables


def second_list(app) -> tuple[str, str, list[str]]:
    soup = BeautifulSoup(app.get("/", status=200).body, "html.parser")
    heading = soup.select_one("#regionaliot-popular-title")
    names = [a["href"].rsplit("/", 1)[-1]
             for a in heading.find_parent("div").select("a[href*='/dataset/']")]
    return heading.get_text(strip=True), heading["data-kind"], names


def view(app, name: str, visitor: int) -> None:
    """One visitor's page view as tracking.js posts it (visitors differ by browser)."""
    # 204 from the core's view (CKAN registers none: a 405 in every browser's console).
    app.post("/_tracking", data={"url": f"/dataset/{name}", "type": "page"},
             headers={"User-Agent": f"test-browser/{visitor}"},
             extra_environ={"REMOTE_ADDR": "127.0.0.1"}, status=204)


def test_most_viewed_from_real_page_views_else_recently_updated(with_tracking, app, cli):
    from ckanext.tracking.cli.tracking import tracking  # `ckan tracking`, the cron job

    org = factories.Organization()
    for name in ("aed", "toilet", "shelter"):  # shelter is updated last
        factories.Dataset(name=name, owner_org=org["id"], category="sonota")

    heading, kind, names = second_list(app)
    assert (heading, kind) == ("最近更新されたデータ", "updated")  # no views: said so
    assert names[0] == "shelter"

    for visitor in range(3):
        view(app, "toilet", visitor)
    view(app, "toilet", 0)  # the same visitor again: counted once
    view(app, "aed", 9)
    # From today (without a date its first run walks every day since 2011).
    result = cli.invoke(tracking, ["update", datetime.date.today().isoformat()])
    assert result.exit_code == 0, result.output

    heading, kind, names = second_list(app)
    assert (heading, kind) == ("よく見られているデータ", "views")
    assert names == ["toilet", "aed"]  # by views; the unviewed shelter is not "most viewed"


@pytest.mark.parametrize("body", [b"garbage", b"", b"url=%00&type=page", b"url=a=b", b"\xff=1"])
def test_a_malformed_page_view_is_a_400_not_a_500(with_tracking, app, body):
    # CKAN's tracking hook splits the raw body on & and = and fails on anything else.
    app.post("/_tracking", params=body, content_type="application/x-www-form-urlencoded",
             extra_environ={"REMOTE_ADDR": "127.0.0.1"}, status=400)
