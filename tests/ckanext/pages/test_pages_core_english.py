"""Issue 7: text CKAN's templates hard-code in English, overridden by the core plugin so
that it is translated: the follow button, the filters' close link, the activity type
filter and the resource page's remaining rows (tests/i18n checks every page type)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories
from ckan.tests.helpers import call_action

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


def page(app, url, **kwargs) -> BeautifulSoup:
    return BeautifulSoup(app.get(url, status=200, **kwargs).body, "html.parser")


def test_follow_close_activity_types_and_resource_rows_are_translated(app):
    user = factories.SysadminWithToken()
    org = factories.Organization(name="soja", title="総社市",
                                 users=[{"name": user["name"], "capacity": "admin"}])
    factories.Group(name="sonota", title="その他")
    pkg = call_action("package_create", {"user": user["name"]}, name="toilet",
                      title="公衆トイレ一覧", owner_org=org["id"], category="sonota")
    res = call_action("resource_create", {"user": user["name"]}, package_id=pkg["id"],
                      url="https://example.org/toilet.csv", format="CSV", name="一覧",
                      encoding="cp932", size=2048, mimetype="text/csv")
    login = {"headers": {"Authorization": user["token"]}}

    follow = page(app, "/dataset/toilet", **login).select_one('a[hx-post*="follow"]')
    assert follow.get_text(strip=True) == "フォロー"
    # A signed-in header's picture is no gravatar.com image (nothing from outside the portal);
    # a token-signed request draws no picture, so the header's helper is asked directly.
    citizen = factories.User(image_url="")  # no picture of their own
    with app.flask_app.test_request_context():
        picture = str(tk.h.user_image(citizen["name"], size=22))
    assert "gravatar" not in picture and "user-image" in picture
    for url in ("/dataset/", "/organization/soja", "/group/sonota"):
        assert page(app, url).select_one(".hide-filters .text").get_text(strip=True) == "閉じる", url

    options = [o.get_text(strip=True) for o in
               page(app, "/dataset/activity/toilet").select("#activity_types_filter_select option")]
    assert "データセットの新規作成" in options and "New Package" not in options
    en = [o.get_text(strip=True) for o in
          page(app, "/en/dataset/activity/toilet").select("#activity_types_filter_select option")]
    assert "New dataset" in en

    rows = {tr.th.get_text(strip=True): tr.td.get_text(strip=True) for tr in
            page(app, f"/dataset/toilet/resource/{res['id']}").select("tr.toggle-more")}
    assert rows["メディアタイプ"] == "text/csv"  # encoding is a schema field, labelled above
    assert "ファイルサイズ" in rows and rows.get("データAPI（データストア）") in (None, "いいえ")
    for raw in ("Package id", "Position", "State", "Url type", "Has views", "True", "False"):
        assert raw not in rows and raw not in rows.values()
