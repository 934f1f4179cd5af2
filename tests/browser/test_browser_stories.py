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


STAFF_PASSWORD = "Stories-form-2026-staff"


@pytest.fixture(scope="module")
def story_staff(request, browser, portal):
    """A sysadmin made with CKAN's own commands, signed in through the login form."""
    import os
    import subprocess
    import sys
    import uuid
    from pathlib import Path

    ini = request.config.getoption("ckan_ini")
    ckan = str(Path(sys.executable).parent / "ckan")
    name = f"stories-staff-{uuid.uuid4().hex[:6]}"
    env = dict(os.environ, CKAN_SITE_URL=portal.url)
    for args in (["user", "add", name, f"email={name}@example.org",
                  f"password={STAFF_PASSWORD}"], ["sysadmin", "add", name]):
        done = subprocess.run([ckan, "-c", ini, *args], env=env, capture_output=True,
                              text=True, timeout=300, input="y\n")
        assert done.returncode == 0, done.stdout + done.stderr
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP")
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    # Console errors of the form's script and uncaught exceptions.
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(portal.url + "/user/login")
    page.fill("#field-login", name)
    page.fill("#field-password", STAFF_PASSWORD)
    with page.expect_navigation():
        page.locator("#field-password").press("Enter")
    assert "/user/login" not in page.url, "the staff member could not log in"
    yield page, errors
    context.close()


def test_the_staff_form_picks_a_resource_then_its_columns_and_previews_live(
        portal, story_staff):
    page, errors = story_staff
    toilets = portal.resource("soja-public-toilet")["id"]  # in the DataStore
    page.goto(portal.url + "/stories/new")
    page.select_option("#pick-resource", toilets)
    # The column lists fill from the Action API (datastore_search, as the editor).
    page.wait_for_function(
        "() => document.querySelectorAll('#pick-group option').length > 5")
    page.select_option("#pick-group", "車椅子使用者用トイレ有無")
    page.select_option("#pick-aggregation", "count")
    page.fill("#pick-title", "車椅子で使えるトイレ")
    with page.expect_navigation(timeout=90_000):  # computes the preview on the server
        page.click("button[name=add_block]")
    blocks = page.input_value("#field-blocks")
    assert toilets in blocks and '"group": "車椅子使用者用トイレ有無"' in blocks
    preview = page.locator("#story-preview")
    assert preview.locator("svg[role=img]").count() == 1  # the picked chart, drawn
    assert preview.locator(".regionaliot-story-block-error").count() == 0
    # The preview follows the form as it is typed (no button pressed).
    page.fill("#field-body", "総社市の公衆トイレ\n\n[[block:1]]")
    page.locator("#story-preview", has_text="総社市の公衆トイレ").wait_for(timeout=90_000)
    assert preview.locator("svg[role=img]").count() == 1
    assert errors == []
