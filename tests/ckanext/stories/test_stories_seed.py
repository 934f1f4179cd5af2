"""The core seed loads the demo story of 「データから見えるもの」 from the demo data, once:
a second run changes nothing, and the story's page draws every block without a message."""
from __future__ import annotations

import pytest
from ckan.tests import factories
from ckanext.regionaliot import seed

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


def test_seed_loads_the_demo_story_once(app, test_request_context):
    admin = factories.Sysadmin()
    with test_request_context():
        first = seed.run(admin["name"])
    assert [(c.name, c.action) for c in first if c.kind == "story"] == [
        ("kasaoka-population", "created")]
    with test_request_context():
        again = seed.run(admin["name"])
    assert [(c.name, c.action) for c in again if c.kind == "story"] == [
        ("kasaoka-population", "unchanged")]

    html = app.get("/stories/kasaoka-population").body
    assert "regionaliot-story-block-error" not in html
    assert html.count('role="img"') == 4  # pyramid, two bar charts, the member map
    assert "49,559" in html  # the key figure: Σ 総人口 of the six districts
    assert "笠岡市の人口ピラミッド" in app.get("/").body
