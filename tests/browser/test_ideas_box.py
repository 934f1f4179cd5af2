"""The アイデアボックス in a real browser, on the seeded test portal (its demo ideas too).

A visitor posts a data request, votes once (the second vote is refused), comments; a
staff member logs in and moves it 検討中 → 対応予定 → 公開済 with a reply at each step; the
visitor sees the timeline. axe-core finds no serious or critical violation on the box's
pages at 1280 and 390 px. Screenshots go to <test artifacts>/browser.
"""
from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

STAFF_PASSWORD = "Ideas-box-2026-staff"


@pytest.fixture(scope="module")
def staff_user(request, portal) -> str:
    """A sysadmin made with CKAN's own commands (the browser logs in with the form)."""
    ini = request.config.getoption("ckan_ini")
    ckan = str(Path(sys.executable).parent / "ckan")
    name = f"ideas-staff-{uuid.uuid4().hex[:6]}"
    env = dict(os.environ, CKAN_SITE_URL=portal.url)
    for args in (["user", "add", name, f"email={name}@example.org",
                  f"password={STAFF_PASSWORD}", "fullname=倉敷市 情報政策課"],
                 ["sysadmin", "add", name]):
        done = subprocess.run([ckan, "-c", ini, *args], env=env, capture_output=True,
                              text=True, timeout=300, input="y\n")
        assert done.returncode == 0, done.stdout + done.stderr
    return name


@pytest.fixture(scope="module")
def staff_tab(browser, portal, staff_user):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(portal.url + "/user/login")
    page.fill("#field-login", staff_user)
    page.fill("#field-password", STAFF_PASSWORD)
    with page.expect_navigation():
        page.locator("#field-password").press("Enter")
    assert "/user/login" not in page.url, "the staff member could not log in"
    yield page
    context.close()


def flash(page) -> str:
    return " ".join(page.locator(".flash-messages .alert").all_inner_texts())


def test_post_vote_comment_and_the_staff_workflow(portal, desktop, staff_tab):
    page = desktop.page
    title = f"河川の水位をオープンデータに {uuid.uuid4().hex[:4]}"
    desktop.goto("/ideas/new")
    page.check("#kind-request")
    page.fill("#field-title", title)
    page.fill("#field-body", "大雨のときに **水位** を確認したい。")
    page.select_option("#field-organization", "kurashiki")
    page.fill("#field-author", "倉敷の住民")
    with page.expect_navigation():
        page.locator("button[name=preview]").click()
    assert page.locator("strong", has_text="水位").count() >= 1  # the preview renders
    with page.expect_navigation():
        page.locator("button[name=save]").click()
    idea_path = page.url[len(portal.url):]
    assert page.locator("h1.page-heading").inner_text() == title
    assert "投稿" in flash(page)

    vote = page.locator("form[action$='/vote'] button")
    with page.expect_navigation():
        vote.click()
    assert page.locator("[data-votes]").inner_text() == "1"
    assert vote.get_attribute("data-voted") == "true" and vote.is_disabled()
    # The same browser again (past the disabled button): refused, still one vote.
    with page.expect_navigation():
        page.locator("form[action$='/vote']").evaluate("f => f.submit()")
    assert "投票済み" in flash(page)
    assert page.locator("[data-votes]").inner_text() == "1"

    page.fill("#field-comment", "上流の観測所もあると助かります。")
    page.fill("#field-comment-author", "防災の担当")
    with page.expect_navigation():
        page.locator("form[action$='/comment'] button[type=submit]").click()
    assert page.locator(".regionaliot-idea-comment", has_text="上流の観測所").count() == 1
    desktop.screenshot("ideas-posted")

    staff = staff_tab
    staff.goto(portal.url + idea_path)
    for status, reply, extra in (
            ("reviewing", "河川課と公開できる観測所を確認しています。", {}),
            ("planned", "来年度のはじめに公開します。", {"#field-expected": "2027-04-01"}),
            ("published", "水位のデータを公開しました。", {"#field-answer": "kurashiki-aed"})):
        staff.select_option("#field-status", status)
        staff.fill("#field-reply", reply)
        for selector, value in extra.items():
            staff.fill(selector, value)
        with staff.expect_navigation():
            staff.locator("form[action$='/status'] button[type=submit]").click()
        assert "更新" in flash(staff), flash(staff)
    assert staff.locator("[data-status]").get_attribute("data-status") == "published"

    desktop.goto(idea_path)
    steps = page.locator(".regionaliot-idea-step")
    assert steps.count() == 3
    texts = steps.all_inner_texts()
    assert "検討中" in texts[0] and "河川課" in texts[0]
    assert "対応予定" in texts[1] and "2027-04-01" in texts[1]
    assert "公開済" in texts[2] and "kurashiki-aed" in texts[2]
    assert page.locator(".alert-success a[href$='/dataset/kurashiki-aed']").count() == 1
    assert desktop.js_errors() == []
    desktop.screenshot("ideas-timeline")


@pytest.mark.parametrize("path", ["/ideas", "/ideas/new", "/ideas?kind=request&sort=new", "/"])
def test_the_box_pages_pass_axe_at_both_widths(portal, desktop, phone, path):
    for tab in (desktop, phone):
        tab.goto(path)
        if path == "/ideas":  # and one demo idea's page, with its timeline and comments
            first = tab.page.locator(".regionaliot-idea-item a").first.get_attribute("href")
            assert tab.axe() == [], (path, tab.width, tab.axe())
            tab.goto(first)
        assert tab.axe() == [], (tab.page.url, tab.width, tab.axe())
        assert tab.horizontal_overflow() <= 1, (tab.page.url, tab.width)
        tab.screenshot("ideas" + path.replace("/", "-").replace("?", "-")[:40])


def test_the_moderation_page_passes_axe(portal, staff_tab):
    staff_tab.goto(portal.url + "/ideas/moderation?state=all")
    assert staff_tab.locator("h1.page-heading").inner_text() == "モデレーション"
    for width in (1280, 390):
        staff_tab.set_viewport_size({"width": width, "height": 900})
        staff_tab.evaluate(Path(__file__).resolve().parents[2].joinpath(
            "node_modules", "axe-core", "axe.min.js").read_text(encoding="utf-8") + "\n;true")
        result = staff_tab.evaluate(
            "async () => await window.axe.run(document, {resultTypes: ['violations']})")
        serious = [v["id"] for v in result["violations"]
                   if v["impact"] in ("serious", "critical")]
        assert serious == [], (width, serious)
