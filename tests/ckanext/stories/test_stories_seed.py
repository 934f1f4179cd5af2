"""The core seed loads the three demo stories of 「データから見えるもの」 from the demo data,
once: a second run changes nothing, every story page draws every block without a message,
and the key figures are computed from the data (not stored)."""
from __future__ import annotations

import re

import pytest
from ckan.tests import factories
from ckanext.regionaliot import seed

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

STORIES = ["kasaoka-population", "kurashiki-aed", "standard-datasets-by-member"]


def test_seed_loads_the_demo_stories_once(app, test_request_context):
    admin = factories.Sysadmin()
    with test_request_context():
        first = seed.run(admin["name"])
    assert [(c.name, c.action) for c in first if c.kind == "story"] == [
        (name, "created") for name in STORIES]
    with test_request_context():
        again = seed.run(admin["name"])
    assert [(c.name, c.action) for c in again if c.kind == "story"] == [
        (name, "unchanged") for name in STORIES]

    pages = {name: app.get(f"/stories/{name}").body for name in STORIES}
    for name, html in pages.items():
        assert "regionaliot-story-block-error" not in html, name
    kasaoka = pages["kasaoka-population"]
    assert kasaoka.count('role="img"') == 4  # pyramid, two bar charts, the member map
    assert "49,559" in kasaoka  # the key figure: Σ 総人口 of the six districts, computed
    aed = pages["kurashiki-aed"]
    # Computed from the 12 AEDs of the demo CSV, 8 of them 小児対応 「有」.
    assert re.findall(r'figure-value">([^<]*)<', aed) == ["12", "8"]
    assert aed.count('role="img"') == 3  # points map, share chart, member map
    matrix = pages["standard-datasets-by-member"]
    # Ten members (the consortium publishes none), 14 demo datasets of 14 kinds.
    assert matrix.count('<th scope="row">') == 10
    assert matrix.count(">公開<") == 14
    assert "14 件のデータセット" in matrix
    assert "笠岡市の人口ピラミッド" in app.get("/").body
