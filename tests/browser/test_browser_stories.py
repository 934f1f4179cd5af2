"""「データから見えるもの」 in a real browser, on the seeded test portal (its three demo
stories): /stories and each story draw their charts and maps (server-side SVG) with no
console error and no block message, the key figures computed from the data, the 「データを
見る」 tables open, the CSV of a chart downloads; axe-core finds no serious or critical
violation at 1280 and 390 px, and nothing scrolls sideways. Screenshots go to
<test artifacts>/browser.
"""
from __future__ import annotations

import pytest

STORIES = {
    # name: (charts and maps drawn as SVG, text of a key figure or of the matrix)
    "kasaoka-population": (4, "49,559"),
    "kurashiki-aed": (3, "12"),
    "standard-datasets-by-member": (0, "公開"),
}


@pytest.mark.parametrize("path", ["/stories", "/stories?organization=kurashiki",
                                  *(f"/stories/{name}" for name in STORIES)])
def test_story_pages_draw_and_pass_axe_at_both_widths(portal, desktop, phone, path):
    for tab in (desktop, phone):
        tab.goto(path)
        page = tab.page
        assert tab.js_errors() == [], (path, tab.width, tab.js_errors())
        assert page.locator(".regionaliot-story-block-error").count() == 0, path
        name = path.rsplit("/", 1)[-1]
        if name in STORIES:
            charts, text = STORIES[name]
            assert page.locator("svg[role=img]").count() == charts, (path, tab.width)
            for svg in page.locator("svg[role=img]").all():
                assert svg.bounding_box()["width"] > 100, path  # drawn, not collapsed
            shown = page.locator(".regionaliot-story-figure-value, "
                                 ".regionaliot-story-matrix td").all_inner_texts()
            assert any(t.strip().startswith(text) for t in shown), (path, text, shown[:5])
        else:
            assert page.locator("a[href*='/stories/']").count() >= 1, path
        assert tab.axe() == [], (path, tab.width, tab.axe())
        assert tab.horizontal_overflow() <= 1, (path, tab.width)
        tab.screenshot("stories" + path.replace("/", "-").replace("?", "-")[:40])


def test_a_chart_shows_its_data_and_downloads_its_csv(portal, desktop):
    desktop.goto("/stories/kasaoka-population")
    page = desktop.page
    details = page.locator("details.regionaliot-story-data").first
    details.locator("summary").click()
    assert details.locator("tbody tr").count() >= 1 and details.locator("th").first.is_visible()
    link = page.locator("a[download]").first
    with page.expect_download() as download:
        link.click()
    content = open(download.value.path(), "rb").read().decode("utf-8-sig")
    assert content.splitlines()[0] and len(content.splitlines()) >= 2
    assert desktop.js_errors() == []
