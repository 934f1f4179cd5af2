"""What public pages keep between requests (bench/web, issue 7): the dataset page's
schema.org JSON-LD (ckanext-dcat's structured_data) per dataset version and language, for
anonymous readers of public datasets only. An edit shows at once; a private dataset's
JSON-LD is never kept, so no cache can serve it."""
from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.regionaliot import helpers

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


def names(app, url, status=200, **kwargs) -> list[str]:
    """The schema:name values of the page's JSON-LD."""
    body = app.get(url, status=status, **kwargs).body
    if status != 200:
        return []
    script = BeautifulSoup(body, "html.parser").select_one('script[type="application/ld+json"]')
    doc = json.loads(script.string)
    nodes = doc.get("@graph", [doc])
    return [n.get("schema:name") or n.get("name") for n in nodes
            if n.get("schema:name") or n.get("name")]


def kept() -> str:
    """Every JSON-LD document kept, as readable text (they are stored \\u-escaped)."""
    return json.dumps([json.loads(v) for v in helpers._jsonld._cache.values()],
                      ensure_ascii=False)


def test_json_ld_kept_per_version_and_never_for_a_private_dataset(app):
    helpers._jsonld.clear()
    admin = factories.SysadminWithToken()
    org = factories.Organization(users=[{"name": admin["name"], "capacity": "admin"}])
    login = {"headers": {"Authorization": admin["token"]}}
    pkg = call_action("package_create", {"user": admin["name"]}, owner_org=org["id"],
                      name="hinanjo", title="避難所一覧", category="shiho-anzen-kankyo")

    assert "避難所一覧" in names(app, "/dataset/hinanjo")
    assert "避難所一覧" in kept()
    # An edit is a new version (metadata_modified): the next reader sees it at once.
    call_action("package_patch", {"user": admin["name"]}, id=pkg["id"], title="指定避難所一覧")
    assert "指定避難所一覧" in names(app, "/dataset/hinanjo")

    # Private now, with a title only its editors may read.
    call_action("package_patch", {"user": admin["name"]}, id=pkg["id"], private=True,
                title="非公開の避難計画")
    names(app, "/dataset/hinanjo", status=404)
    assert "非公開の避難計画" in names(app, "/dataset/hinanjo", **login)
    assert "非公開の避難計画" not in kept()
    # A signed-in reader's JSON-LD of a public dataset is not kept either.
    other = call_action("package_create", {"user": admin["name"]}, owner_org=org["id"],
                        name="aed", title="AED設置箇所", category="shakaihosho-eisei")
    assert "AED設置箇所" in names(app, "/dataset/aed", **login)
    assert "AED設置箇所" not in kept()
    assert other["id"] not in kept()
