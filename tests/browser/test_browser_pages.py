"""Every page type a citizen meets, in a real browser, at 1280 and 390 px.

For each: the page answers, no JavaScript error reaches the console, axe-core finds no
serious or critical violation (at 1280 px), nothing scrolls sideways at 390 px, and a
full-page screenshot of both widths lands in the test artifacts.
"""
from __future__ import annotations

import pytest

# (name, path from the seeded content, expected HTTP status)
PAGE_TYPES = [
    ("home", lambda p: "/", 200),
    ("search", lambda p: "/dataset/?q=トイレ", 200),
    ("dataset", lambda p: "/dataset/soja-public-toilet", 200),
    ("resource", lambda p: "/dataset/soja-public-toilet/resource/"
                           + p.resource("soja-public-toilet")["id"], 200),
    ("organization", lambda p: "/organization/soja", 200),
    ("group", lambda p: "/group/shakaihosho-eisei", 200),
    ("about", lambda p: "/about", 200),
    ("login", lambda p: "/user/login", 200),
    ("404", lambda p: "/dataset/no-such-dataset", 404),
]


@pytest.mark.parametrize(("name", "path", "status"), PAGE_TYPES, ids=[t[0] for t in PAGE_TYPES])
def test_page_type(portal, desktop, phone, name, path, status):
    url = path(portal)
    not_found = url if status == 404 else None

    desktop.goto(url, expect_status=status)
    desktop.screenshot(name)
    assert desktop.js_errors(allow_status_404_of=not_found) == []
    assert desktop.axe() == [], f"axe-core: serious/critical violations on the {name} page"

    phone.goto(url, expect_status=status)
    phone.screenshot(name)
    assert phone.js_errors(allow_status_404_of=not_found) == []
    assert phone.horizontal_overflow() <= 0, f"the {name} page scrolls sideways at 390 px"


def test_dataset_label_names_stay_on_one_line_on_a_phone(portal, phone):
    # At 390 px a long licence title squeezed its name: 「ライセ」 / 「ンス」 on two lines.
    # The names keep their width; the value beside them wraps instead.
    phone.goto("/dataset/soja-public-toilet")
    names = phone.page.evaluate(
        "() => [...document.querySelectorAll('.regionaliot-labels li > .text-muted')].map(e => ({"
        " text: e.textContent.trim(), height: e.getBoundingClientRect().height,"
        " font: parseFloat(getComputedStyle(e).fontSize) }))")
    assert {n["text"] for n in names} >= {"分類", "ライセンス"}, names
    wrapped = [n["text"] for n in names if n["height"] > 1.8 * n["font"]]
    assert wrapped == [], f"label names broken over lines at 390 px: {wrapped}"
