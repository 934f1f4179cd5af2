"""The live feed page in a real browser (issue 12): a new observation stored after the page
loaded appears in its table, state and chart without a reload. The demo feeds are created
in the shared test portal by ``ckan regionaliot feeds seed``; observations go straight into
the table, as the ingestor stores them. The page's clock is Playwright's, so the polling
timer is advanced rather than waited for.
"""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import psycopg2
from ckanext.regionaliot.feeds import demo, model
from ckanext.regionaliot.feeds.observations import Observation


def package(portal, name: str) -> dict:
    with urllib.request.urlopen(f"{portal.url}/api/3/action/package_show?id={name}", timeout=60) as r:  # noqa: S310
        return json.loads(r.read().decode("utf-8"))["result"]


def store(ini: str, feed_id: str, sensor_id: str, value: float, minutes_ago: float) -> None:
    url = next(line.split("=", 1)[1].strip() for line in Path(ini).read_text().splitlines()
               if line.startswith("sqlalchemy.url"))
    with psycopg2.connect(url) as connection:  # commits on leaving
        stamp = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=minutes_ago)
        model.insert_raw(connection, feed_id, [Observation(sensor_id, stamp, value, "provisional")])
    connection.close()


def test_the_feed_page_shows_a_new_value_without_reloading(request, portal, browser):
    ini = request.config.getoption("ckan_ini")
    seeded = subprocess.run([str(Path(sys.executable).with_name("ckan")), "-c", ini, "regionaliot",
                             "feeds", "seed"], capture_output=True, text=True, timeout=300)
    assert seeded.returncode == 0, seeded.stdout + seeded.stderr
    feed = package(portal, demo.RIVER)
    sensor = "kurashiki-02"  # 酒津: warning 4.2 m, danger 5.3 m
    store(ini, feed["id"], sensor, 1.25, minutes_ago=2)

    # A context of its own: the fake clock must not reach the other tests' shared tabs.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP")
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.clock.install()
        response = page.goto(f"{portal.url}/feeds/{demo.RIVER}", wait_until="load")
        assert response is not None and response.status == 200
        row = page.locator(f'tr[data-sensor="{sensor}"]')
        assert row.locator(".regionaliot-feed-value").inner_text().startswith("1.25")
        chart = page.locator(".regionaliot-feed-chart img")
        src = chart.get_attribute("src")
        page.evaluate("() => { window.regionaliotNotReloaded = true; }")

        store(ini, feed["id"], sensor, 5.5, minutes_ago=1)  # above 氾濫危険水位
        seconds = int(page.locator("[data-module-seconds]").get_attribute("data-module-seconds"))
        page.clock.run_for((seconds + 1) * 1000)
        page.wait_for_function(
            "s => document.querySelector(`tr[data-sensor='${s}'] .regionaliot-feed-value`)"
            ".textContent.startsWith('5.5')", arg=sensor, polling=100)
        assert row.locator(".regionaliot-feed-state").get_attribute("data-state") == "danger"
        assert chart.get_attribute("src") != src  # the chart was asked for again
        assert page.evaluate("() => window.regionaliotNotReloaded === true")
        assert errors == []
    finally:
        context.close()
