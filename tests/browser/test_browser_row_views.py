"""The map and chart views of a table's rows and the hackathon page's worked example, in a
real browser on the seeded test portal (issue 8, item 3). The toilets of 総社市 are in the
DataStore (conftest.DATASTORE_LOADED); the views are made through the API as an editor
would."""
from __future__ import annotations

import csv
import html
import json
import os
import re
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path

import pytest

TOILET = "soja-public-toilet"
TOILET_CSV = (Path(__file__).resolve().parents[2] / "ckanext-regionaliot/ckanext/regionaliot"
              / "seed" / "demo" / "332089_public_toilet.csv")


@pytest.fixture(scope="module")
def token(request, portal) -> str:
    """An API token of a sysadmin made with CKAN's own commands."""
    ini = request.config.getoption("ckan_ini")
    ckan = str(Path(sys.executable).parent / "ckan")
    name = f"views-editor-{uuid.uuid4().hex[:6]}"
    env = dict(os.environ, CKAN_SITE_URL=portal.url)
    out = ""
    for args in (["user", "add", name, f"email={name}@example.org",
                  "password=Views-editor-2026"], ["sysadmin", "add", name],
                 ["user", "token", "add", name, "browser-test"]):
        done = subprocess.run([ckan, "-c", ini, *args], env=env, capture_output=True,
                              text=True, timeout=300, input="y\n")
        assert done.returncode == 0, done.stdout + done.stderr
        out = done.stdout
    return out.strip().splitlines()[-1].strip()


def make_view(portal, token: str, **settings) -> dict:
    resource = portal.resource(TOILET)
    request = urllib.request.Request(
        f"{portal.url}/api/3/action/resource_view_create",
        data=json.dumps(dict(settings, resource_id=resource["id"])).encode("utf-8"),
        headers={"Content-Type": "application/json", "Authorization": token})
    with urllib.request.urlopen(request, timeout=60) as r:  # noqa: S310 (127.0.0.1 only)
        return json.loads(r.read().decode("utf-8"))["result"]


def toilets() -> list[dict[str, str]]:
    return list(csv.DictReader(TOILET_CSV.open(encoding="utf-8-sig")))


def test_the_map_view_clusters_the_rows_and_shows_one_in_a_popup(portal, desktop, token):
    view = make_view(portal, token, view_type="regionaliot_map_view", title="地図")
    resource = portal.resource(TOILET)
    page = desktop.page
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith((portal.url, "data:", "blob:"))
            else outside.append(r.url))
    desktop.goto(f"/dataset/{TOILET}/resource/{resource['id']}?view_id={view['id']}")
    mapped = page.locator(".regionaliot-rows-map[data-points]")
    mapped.wait_for(state="attached")
    rows = toilets()
    assert int(mapped.get_attribute("data-points")) == len([r for r in rows if r["緯度"]])
    # Clusters until zoomed in: click them open until a single toilet's marker shows.
    for _ in range(6):
        if page.locator(".regionaliot-rows-marker").count():
            break
        page.locator(".marker-cluster").first.click()
        page.wait_for_timeout(600)
    page.locator(".regionaliot-rows-marker").first.click()
    popup = page.locator(".regionaliot-rows-popup")
    popup.wait_for()
    shown = popup.inner_text()
    assert "名称" in shown and any(r["名称"] in shown for r in rows)
    assert "状態" not in page.locator(".regionaliot-rows-map-status").inner_text()
    assert outside == []  # no tiles, no CDN: nothing past the portal
    desktop.screenshot("row-map")
    assert desktop.js_errors() == []


def test_the_chart_view_draws_bars_with_their_figures(portal, desktop, token):
    view = make_view(portal, token, view_type="regionaliot_chart_view", title="設置位置別",
                     kind="count", group="設置位置")
    resource = portal.resource(TOILET)
    desktop.goto(f"/dataset/{TOILET}/resource/{resource['id']}?view_id={view['id']}")
    bars = desktop.page.locator(".regionaliot-rows-chart svg rect.regionaliot-story-bar")
    groups = {r["設置位置"] for r in toilets()}
    assert bars.count() == len(groups)
    assert bars.first.bounding_box()["width"] > 0  # drawn by the view's own CSS
    assert desktop.axe() == []
    desktop.screenshot("row-chart")
    assert desktop.js_errors() == []


def test_the_hackathon_example_runs_against_the_portal_as_it_is(portal):
    with urllib.request.urlopen(portal.url + "/hackathon", timeout=60) as r:  # noqa: S310
        body = r.read().decode("utf-8")
    script = html.unescape(re.search(
        r'<pre class="regionaliot-hackathon-script"><code>(.*?)</code></pre>', body, re.S
    ).group(1))
    assert portal.url in script
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert re.fullmatch(r"\d+ rows", next(line for line in lines if line.endswith(" rows")))
    header = next(line for line in lines if line.startswith("\ufeff"))
    assert "名称" in header.split(",")
