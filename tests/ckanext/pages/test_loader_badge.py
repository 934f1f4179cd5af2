"""xloader's DataStore loading badge on the dataset page (issue 7, bench/web): shown to the
dataset's editors, who can act on a failed load, and not to citizens, whose page then asks
xloader for no resource's status."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories
from ckan.tests.helpers import call_action

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


def badges(app, url, **kwargs) -> list[str]:
    soup = BeautifulSoup(app.get(url, status=200, **kwargs).body, "html.parser")
    assert soup.select("li.resource-item a.heading"), "no resource listed"
    return [b.get_text(" ", strip=True) for b in soup.select("li.resource-item .loader-badge")]


def resource_badges(app, url, **kwargs) -> list[str]:
    soup = BeautifulSoup(app.get(url, status=200, **kwargs).body, "html.parser")
    assert "127.0.0.1:9/aed.csv" in soup.select_one(".resource-url-analytics")["href"]
    return [b.get_text(" ", strip=True) for b in soup.select(".module-content .loader-badge")]


def test_a_failed_load_is_shown_to_editors_only(app):
    editor = factories.UserWithToken()
    org = factories.Organization(users=[{"name": editor["name"], "capacity": "editor"}])
    pkg = call_action("package_create", {"user": editor["name"]}, owner_org=org["id"],
                      name="aed", title="AED設置箇所", category="shakaihosho-eisei",
                      resources=[{"name": "AED一覧", "format": "CSV",
                                  "url": "http://127.0.0.1:9/aed.csv"}])
    call_action("task_status_update", {"ignore_auth": True},
                entity_id=pkg["resources"][0]["id"], entity_type="resource",
                task_type="xloader", key="xloader", value="{}", error="{}", state="error")

    assert len(badges(app, "/dataset/aed", headers={"Authorization": editor["token"]})) == 1
    assert badges(app, "/dataset/aed") == []
    reader = factories.UserWithToken()
    assert badges(app, "/dataset/aed", headers={"Authorization": reader["token"]}) == []

    resource = f"/dataset/aed/resource/{pkg['resources'][0]['id']}"
    assert len(resource_badges(app, resource, headers={"Authorization": editor["token"]})) == 1
    assert resource_badges(app, resource) == []
    assert resource_badges(app, resource, headers={"Authorization": reader["token"]}) == []
