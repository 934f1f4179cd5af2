"""A citizen's visit in a real browser, on the seeded test portal.

Home page → a category → search トイレ → the dataset → both CSV downloads (bytes checked)
→ English and back; the member map draws the ten members' shapes.
"""
from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urlparse

SEED_DIR = Path(__file__).resolve().parents[2] / "ckanext-regionaliot/ckanext/regionaliot/seed"

TOILET = "soja-public-toilet"
TOILET_CSV = SEED_DIR / "demo" / "332089_public_toilet.csv"
CATEGORY = "shakaihosho-eisei"  # 社会保障・衛生: four demo datasets, the toilets among them


def datasets_by_category() -> dict[str, set[str]]:
    data = json.loads((SEED_DIR / "datasets.json").read_text(encoding="utf-8"))
    out: dict[str, set[str]] = {}
    for d in data["datasets"]:
        out.setdefault(d["category"], set()).add(d["name"])
    return out


def dataset_links(page) -> set[str]:
    """Names of the datasets the page links to (/dataset/<name>, any language prefix)."""
    hrefs = page.eval_on_selector_all("a[href*='/dataset/']", "as => as.map(a => a.href)")
    names = set()
    for href in hrefs:
        parts = unquote(urlparse(href).path).strip("/").split("/")
        if parts and parts[0] in ("ja", "en"):
            parts = parts[1:]
        if len(parts) == 2 and parts[0] == "dataset":
            names.add(parts[1])
    return names


def test_member_map_draws_ten_shapes(portal, desktop):
    desktop.goto("/")
    page = desktop.page
    shapes = page.locator("#regionaliot-member-map path.regionaliot-member-shape")
    shapes.first.wait_for(state="attached")
    codes = shapes.evaluate_all("ps => ps.map(p => p.getAttribute('data-code'))")
    assert sorted(codes) == sorted(m["lg_code"] for m in portal.members)
    # Drawn, not just present: every outline has an area on screen.
    boxes = shapes.evaluate_all(
        "ps => ps.map(p => { const b = p.getBoundingClientRect(); return b.width * b.height; })")
    assert all(area > 0 for area in boxes), boxes
    listed = page.locator("ul.regionaliot-members li").all_inner_texts()
    for member in portal.members:
        assert any(member["title"] in item for item in listed), member["title"]
    assert desktop.js_errors() == []


def test_category_tiles_show_live_counts(portal, desktop):
    desktop.goto("/")
    expected = Counter({c: len(n) for c, n in datasets_by_category().items()})
    tiles = desktop.page.locator("a.regionaliot-category")
    assert tiles.count() == 17
    for tile in tiles.all():
        category = tile.get_attribute("data-category")
        count = tile.locator(".regionaliot-count").inner_text()
        assert int("".join(ch for ch in count if ch.isdigit()) or 0) == expected[category], (
            category, count)


def test_citizen_finds_and_downloads_toilets_then_reads_english(portal, desktop):
    page = desktop.page
    desktop.goto("/")

    # A category tile leads to its datasets.
    page.locator(f'a.regionaliot-category[data-category="{CATEGORY}"]').click()
    page.wait_for_load_state()
    assert dataset_links(page) >= datasets_by_category()[CATEGORY]
    assert desktop.js_errors() == []

    # Back home, the hero search finds the toilets.
    page.go_back()
    page.wait_for_load_state()
    search = page.locator("form.regionaliot-hero-search input[name='q']")
    search.fill("トイレ")
    search.press("Enter")
    page.wait_for_load_state()
    assert "/dataset" in page.url and "q=" in page.url
    assert TOILET in dataset_links(page)
    assert desktop.js_errors() == []

    # The dataset page: validation badge and the two downloads.
    page.locator(f"a[href$='/dataset/{TOILET}']").first.click()
    page.wait_for_load_state()
    assert urlparse(page.url).path.rstrip("/").endswith(f"/dataset/{TOILET}")
    assert page.locator(".regionaliot-validation-badge").first.is_visible()

    with page.expect_download() as download:
        page.locator("a.regionaliot-download-original").first.click()
    original = download.value.path().read_bytes()
    assert original == TOILET_CSV.read_bytes()

    with page.expect_download() as download:
        page.locator("a.regionaliot-download-normalized").first.click()
    normalized = download.value.path().read_bytes().decode("utf-8")  # UTF-8 or it raises
    rows = list(csv.reader(io.StringIO(normalized.lstrip("\ufeff"))))
    source = list(csv.reader(io.StringIO(original.decode("utf-8-sig"))))
    # The DataStore's CSV leads with its own row number (_id).
    if rows and rows[0][:1] == ["_id"]:
        rows = [row[1:] for row in rows]
    assert rows == source
    assert desktop.js_errors() == []

    # English, with the stored English title; then back to Japanese.
    page.locator('a.regionaliot-lang-switch[hreflang="en"]').first.click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert urlparse(page.url).path.startswith("/en/")
    assert "Public toilets" in page.locator("h1").first.inner_text()
    page.locator('a.regionaliot-lang-switch[hreflang="ja"]').first.click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ja"
    assert "公衆トイレ一覧" in page.locator("h1").first.inner_text()
    assert desktop.js_errors() == []
