"""Times in JST (issue 7): ckan.display_timezone = Asia/Tokyo in the ini; the dataset
page's 最終更新, the home page's lists and the activity stream show Japan's date and time,
never UTC, and the browser does not rewrite them into its own zone."""
from __future__ import annotations

import datetime

import ckan.model as model
import pytest
from bs4 import BeautifulSoup
from ckan.lib import search
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.activity.model import Activity

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
              pytest.mark.ckan_config("ckanext.regionaliot.home.cache_seconds", 0)]

# 16:30 UTC on 30 November is 01:30 on 1 December in Japan.
STORED = datetime.datetime(2026, 11, 30, 16, 30)


def page(app, url: str) -> BeautifulSoup:
    return BeautifulSoup(app.get(url, status=200).body, "html.parser")


@pytest.fixture
def dataset():
    user = factories.Sysadmin()
    org = factories.Organization(users=[{"name": user["name"], "capacity": "admin"}])
    pkg = call_action("package_create", {"user": user["name"]}, name="jst-check",
                      title="時刻の確認", owner_org=org["id"], category="sonota")
    model.Session.query(model.Package).filter_by(id=pkg["id"]).update(
        {"metadata_modified": STORED, "metadata_created": STORED})
    model.Session.query(Activity).filter_by(object_id=pkg["id"]).update({"timestamp": STORED})
    model.Session.commit()
    search.rebuild(pkg["id"])
    return pkg


def test_the_ini_sets_japan_time(ckan_config):
    assert ckan_config["ckan.display_timezone"] == "Asia/Tokyo"


def test_dataset_page_home_lists_and_activity_show_japan_time(app, dataset):
    shown = page(app, "/dataset/jst-check").select_one("time[datetime]")
    assert shown["datetime"] == "2026-12-01T01:30:00+0900"
    assert shown.get_text(strip=True) == "2026年12月1日 1:30 (JST)"
    assert "automatic-local-datetime" not in str(shown)  # no rewrite into the browser's zone
    en = page(app, "/en/dataset/jst-check").select_one("time[datetime]")
    assert en.get_text(strip=True) == "December 1, 2026 1:30\u202fAM (JST)"

    home = page(app, "/").select_one(".regionaliot-home").get_text(" ", strip=True)
    assert "2026年12月1日" in home and "2026年11月30日" not in home

    activity = page(app, "/dataset/activity/jst-check").select_one(".activity .date[title]")
    assert activity["title"] == "2026年12月1日 1:30 (JST)"
