"""Browser tests: one test portal and one Chromium for the whole package.

Other integration tests empty the test database between tests (clean_db), so this package
loads its content once, when its first test starts: the test database and index are reset,
``ckan regionaliot seed`` loads the members, the 17 categories and the demo datasets into
the test profile (var/test.ini), and a gunicorn serves that profile on a free 127.0.0.1
port (the demo portal on :5000 is never touched). All browser tests live in this folder,
so they run one after the other on that content.

The browser is Debian's ``chromium`` driven by Playwright through ``executable_path``
(Playwright never downloads a browser here). Screenshots, the browser's version and the
test portal's log go to ``<test artifacts>/browser`` (``make test`` prints the folder).
"""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SEED_DIR = ROOT / "ckanext-regionaliot" / "ckanext" / "regionaliot" / "seed"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = {"desktop": 1280, "phone": 390}


def artifacts_dir() -> Path:
    """The test artifacts folder (tests/conftest.py sets it; make test prints it)."""
    return Path(os.environ["REGIONALIOT_TEST_ARTIFACTS"])


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Debian's chromium is not installed: run `make install` (deploy/stack.sh "
                    "install_packages installs it)", pytrace=False)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url: str, body: dict | None = None, token: str | None = None) -> dict:
    data = json.dumps(body).encode("utf-8") if body is not None else None
    headers = {"Content-Type": "application/json"} if data else {}
    if token:
        headers["Authorization"] = token
    request = urllib.request.Request(url, data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=60) as r:  # noqa: S310 (127.0.0.1 only)
        return json.loads(r.read().decode("utf-8"))


# No jobs worker runs in tests, so xloader never loads anything: these files are put into
# the DataStore as it would (text columns, headers kept), so their pages offer the
# DataStore's UTF-8 CSV to everyone.
DATASTORE_LOADED = {"soja-public-toilet": "332089_public_toilet.csv"}


def load_into_datastore(url: str, token: str, resource_id: str, path: Path) -> None:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    header, body = rows[0], rows[1:]
    get_json(f"{url}/api/3/action/datastore_create", {
        "resource_id": resource_id, "force": True,
        "fields": [{"id": h, "type": "text"} for h in header],
        "records": [dict(zip(header, row, strict=True)) for row in body],
    }, token=token)


@dataclass
class Portal:
    url: str
    datasets: dict[str, dict]  # name -> package_show result
    members: list[dict]  # seed/organizations.json entries with a lg_code

    def resource(self, dataset: str) -> dict:
        return self.datasets[dataset]["resources"][0]


@pytest.fixture(scope="package")
def portal(request, reset_db_with_plugins, reset_index, tmp_path_factory) -> Portal:
    ini = request.config.getoption("ckan_ini")
    out = artifacts_dir() / "browser"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)

    import ckan.plugins
    from ckan import model

    # The plugins' migrations (reset_db_with_plugins) need them loaded; the seed and the
    # portal run in processes of their own.
    ckan.plugins.load_all()
    try:
        reset_db_with_plugins()
        reset_index()
        from ckan.tests import factories

        # Loads the DataStore below through the portal's API, as xloader would.
        token = factories.APIToken(user=factories.Sysadmin()["name"])["token"]
    finally:
        ckan.plugins.unload_non_system_plugins()
    model.Session.remove()  # no open transaction of ours while the seed writes
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ, CKAN_INI=str(Path(ini).resolve()),
               # Links the portal builds point at this server; the seed too, since
               # package_show serves the dictionary indexed then (uploads' download URLs).
               CKAN_SITE_URL=url)
    bin_dir = Path(sys.executable).parent
    seed = subprocess.run([str(bin_dir / "ckan"), "-c", ini, "regionaliot", "seed"],
                          env=env, capture_output=True, text=True, timeout=600)
    (out / "seed.log").write_text(seed.stdout + seed.stderr, encoding="utf-8")
    assert seed.returncode == 0, f"ckan regionaliot seed failed, see {out / 'seed.log'}"

    log = open(out / "portal.log", "wb")  # noqa: SIM115 (closed at teardown)
    server = subprocess.Popen(
        [str(bin_dir / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--timeout", "120", "--chdir", str(ROOT / "deploy"), "wsgi:application"],
        env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300  # CKAN's start takes minutes on a loaded 2-core machine
        while True:
            try:
                get_json(url + "/api/3/action/status_show")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the test portal did not start, see {out / 'portal.log'}",
                                pytrace=False)
                time.sleep(0.5)
        for name, csv_name in DATASTORE_LOADED.items():
            resource = get_json(f"{url}/api/3/action/package_show?id={name}")["result"][
                "resources"][0]
            load_into_datastore(url, token, resource["id"], SEED_DIR / "demo" / csv_name)
        names = [d["name"] for d in json.loads(
            (SEED_DIR / "datasets.json").read_text(encoding="utf-8"))["datasets"]]
        datasets = {n: get_json(f"{url}/api/3/action/package_show?id={n}")["result"]
                    for n in names}
        members = [o for o in json.loads(
            (SEED_DIR / "organizations.json").read_text(encoding="utf-8"))["organizations"]
            if o.get("lg_code")]
        yield Portal(url=url, datasets=datasets, members=members)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.fixture(scope="package")
def browser():
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as pw:
        # --no-sandbox: CI and these machines run as root, where Chromium's sandbox refuses;
        # /tmp rather than a possibly tiny /dev/shm for shared memory.
        chromium = pw.chromium.launch(executable_path=executable,
                                      args=["--no-sandbox", "--disable-dev-shm-usage"])
        out = artifacts_dir() / "browser"
        out.mkdir(parents=True, exist_ok=True)
        (out / "browser-version.txt").write_text(
            f"{executable}: Chromium {chromium.version}\n", encoding="utf-8")
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class Tab:
    """One page of one width, reused by every test; it collects JavaScript errors."""

    page: object
    base: str
    width: int
    errors: list[str] = field(default_factory=list)

    def goto(self, path: str, expect_status: int = 200):
        self.errors.clear()
        response = self.page.goto(self.base + path, wait_until="load")
        assert response is not None and response.status == expect_status, (
            f"{path}: HTTP {response.status if response else None}")
        return response

    def js_errors(self, allow_status_404_of: str | None = None) -> list[str]:
        """Console errors and uncaught exceptions since the last goto()."""
        errors = list(self.errors)
        if allow_status_404_of:
            # The browser logs the 404 page's own status as a console error.
            errors = [e for e in errors if not (
                "status of 404" in e and allow_status_404_of in e)]
        return errors

    def axe(self) -> list[dict]:
        """axe-core's serious and critical violations on the current page."""
        if not self.page.evaluate("() => typeof window.axe === 'object'"):
            # Evaluated through the DevTools protocol, which the page's CSP does not govern
            # (a <script> tag would be refused, as it should be).
            self.page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;true")
        result = self.page.evaluate(
            "async () => await window.axe.run(document, {resultTypes: ['violations']})")
        return [
            {"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"][:5]]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")]

    def screenshot(self, name: str) -> Path:
        path = artifacts_dir() / "browser" / f"{name}-{self.width}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def horizontal_overflow(self) -> int:
        """How many CSS pixels the page is wider than the viewport (0: no horizontal scroll)."""
        return self.page.evaluate(
            "() => Math.max(document.documentElement.scrollWidth,"
            " document.body ? document.body.scrollWidth : 0)"
            " - document.documentElement.clientWidth")


def _tab(browser, portal: Portal, width: int) -> Tab:
    context = browser.new_context(viewport={"width": width, "height": 900},
                                  locale="ja-JP", accept_downloads=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    tab = Tab(page=page, base=portal.url, width=width)
    page.on("console", lambda m: m.type == "error" and tab.errors.append(
        f"console: {m.text} ({m.location.get('url', '')})"))
    page.on("pageerror", lambda e: tab.errors.append(f"uncaught: {e}"))
    return tab


@pytest.fixture(scope="package")
def desktop(browser, portal) -> Tab:
    tab = _tab(browser, portal, WIDTHS["desktop"])
    yield tab
    tab.page.context.close()


@pytest.fixture(scope="package")
def phone(browser, portal) -> Tab:
    tab = _tab(browser, portal, WIDTHS["phone"])
    yield tab
    tab.page.context.close()
