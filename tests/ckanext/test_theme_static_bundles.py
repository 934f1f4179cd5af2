"""The pages' CSS and script bundles are built once when the app starts, not checked on
every include (static_bundles.py, bench/web): after a start with no built bundle at all,
every stylesheet and script a page names is served."""
from __future__ import annotations

import shutil

import pytest
from bs4 import BeautifulSoup
from ckan.lib import webassets_tools
from ckanext.regionaliot import static_bundles

pytestmark = pytest.mark.usefixtures("with_plugins")


def page_assets(app, url: str) -> list[str]:
    soup = BeautifulSoup(app.get(url, status=200).body, "html.parser")
    urls = [tag["href"] for tag in soup.select("link[rel=stylesheet][href]")]
    urls += [tag["src"] for tag in soup.select("script[src]")]
    return [u for u in urls if "/webassets/" in u]


def test_every_bundle_a_page_names_is_built_at_start(app, ckan_config):
    shutil.rmtree(webassets_tools.get_webassets_path(), ignore_errors=True)
    webassets_tools.env.auto_build = True
    assert static_bundles.build_once(ckan_config)
    assert webassets_tools.env.auto_build is False

    for url in ("/", "/dataset/", "/organization/", "/about"):
        assets = page_assets(app, url)
        assert any(a.split("?")[0].endswith(".css") for a in assets), url
        for asset in assets:
            assert app.get(asset.split("?")[0]).status_code == 200, asset


def test_debug_mode_keeps_checking_sources(ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "debug", True)
    webassets_tools.env.auto_build = True
    assert not static_bundles.build_once(ckan_config)
    assert webassets_tools.env.auto_build is True
