"""CSRF on every POST route the portal serves (issue 15, item 5), against the real services.

The routes are read from the Flask URL map, so a route added by any plugin (ours, a stock
extension, a future one) is probed without editing this file. A browser that is logged in
by its session cookie and sends no token must be refused (400, CKAN's CSRF error) on each,
and nothing may change. Requests the session cookie does not authenticate (an API token,
which a browser never sends on its own, or anonymous) are exempt, per request, by CKAN's
design; they keep working.

Probe family "CSRF": before the fix, 6 bypasses: POST /dataset/new (dcat's route) created a
dataset, delete-datastore dropped a table, the DataStore dictionary changed a label, and
/harvest/refresh and /harvest/clear ran by POST, and by GET as well.
"""
from __future__ import annotations

import json
import re

import ckan.model as model
import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action
from probe_tally import Tally

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

PASSWORD = "Correct-horse-42"

# POST routes deliberately not CSRF-checked for a logged-in browser, with the reason.
# Empty: with ckan.csrf_protection.ignore_extensions = false every blueprint is checked.
EXEMPT: dict[str, str] = {}

# GET routes that change state: they must answer 405 (a GET carries no token).
STATE_CHANGING_GET = ("harvester.refresh", "harvester.clear", "harvester.delete",
                      "harvester.job_abort")


def token_of(body: str) -> str:
    match = re.search(r'<meta name="_csrf_token" content="([^"]+)"', body) or \
        re.search(r'name="_csrf_token" value="([^"]+)"', body)
    assert match, "the page carries no CSRF token"
    return match.group(1)


def log_in(app, name: str, password: str = PASSWORD):
    """A browser: one cookie jar, logged in through the real form."""
    client = app.test_client()
    token = token_of(client.get("/user/login").body)
    response = client.post("/user/login", data={"login": name, "password": password,
                                                "_csrf_token": token},
                           follow_redirects=False)
    assert response.status_code == 302, response.body[:500]
    assert client.get("/dashboard/datasets", follow_redirects=False).status_code == 200
    return client


@pytest.fixture
def world(create_with_upload):
    """Something for every route to damage: a dataset with an uploaded resource, a DataStore
    table with a labelled column, a view, an organization, a group, a harvest source with a
    new job, another user and an API token."""
    admin = factories.Sysadmin(password=PASSWORD)
    context = {"user": admin["name"]}
    org = factories.Organization(users=[{"name": admin["name"], "capacity": "admin"}])
    group = factories.Group(users=[{"name": admin["name"], "capacity": "admin"}])
    dataset = factories.Dataset(owner_org=org["id"], user={"name": admin["name"]})
    resource = create_with_upload(b"a,b\r\n1,2\r\n", "data.csv", context=context,
                                  package_id=dataset["id"], url="data.csv", format="CSV")
    call_action("datastore_create", context, resource_id=resource["id"], force=True,
                fields=[{"id": "a", "type": "text", "info": {"label": "元のラベル"}},
                        {"id": "b", "type": "int"}],
                records=[{"a": "1", "b": 2}])
    view = call_action("resource_view_create", context, resource_id=resource["id"],
                       view_type="datatables_view", title="table")
    # A public IP literal: nothing here fetches it, and no guard needs to resolve it.
    source = call_action("harvest_source_create", context, name="csrf-source", title="source",
                         url="http://93.184.215.14/catalog", source_type="ckan",
                         owner_org=org["id"])
    job = call_action("harvest_job_create", context, source_id=source["id"], run=False)
    other = factories.User()
    token = call_action("api_token_create", context, user=admin["name"], name="probe")
    jti = model.Session.query(model.ApiToken).filter_by(user_id=admin["id"]).one().id
    return {"admin": admin, "org": org, "group": group, "dataset": dataset,
            "resource": resource, "view": view, "source": source, "job": job, "other": other,
            "token": token["token"], "jti": jti}


def fill(rule, world) -> str:
    """A URL for the rule whose arguments name the world's objects."""
    first = rule.rule.strip("/").split("/")[0]
    by_area = {
        "dataset": world["dataset"]["name"], "organization": world["org"]["name"],
        "group": world["group"]["name"], "harvest": world["source"]["name"],
        "user": world["admin"]["name"],
    }
    values = {
        "id": by_area.get(first, "x"),
        "resource_id": world["resource"]["id"],
        "view_id": world["view"]["id"],
        "resource_view_id": world["view"]["id"],
        "jti": world["jti"],
        "source": world["source"]["name"],
        "logic_function": "package_delete",
    }
    if "/job/" in rule.rule:
        values["id"] = world["job"]["id"]
    args = {}
    for name in rule.arguments:
        is_int = re.search(r"<int(?:\([^)]*\))?:" + name + ">", rule.rule)
        args[name] = 3 if is_int else values.get(name, "x")
    return rule.build(args, append_unknown=False)[1]


def post_routes(flask_app) -> dict[str, str]:
    """URL → endpoint of every rule that accepts POST (the first endpoint of a URL wins,
    as it does in Werkzeug: /dataset/new is dcat's)."""
    routes: dict[str, str] = {}
    for rule in flask_app.url_map.iter_rules():
        if "POST" in rule.methods and rule.endpoint not in EXEMPT:
            routes.setdefault(rule.rule, rule.endpoint)
    return routes


# POST routes authenticated only by a token of their own in a header (which a cross-site
# form cannot send), never by the session cookie: the sensor feeds' push endpoint.
COOKIE_BLIND_ROUTES = {"regionaliot_feeds.push"}
# POST routes that change nothing a user owns, so a token is not asked for: CKAN's tracking
# script posts page views (without a token) to /_tracking.
NOTHING_OWNED_ROUTES = {"regionaliot_tracking.page_view"}


def snapshot(world) -> dict:
    ds = call_action("package_show", id=world["dataset"]["id"])
    table = call_action("datastore_search", resource_id=world["resource"]["id"])
    source = call_action("harvest_source_show", id=world["source"]["id"])
    jobs = call_action("harvest_job_list", source_id=world["source"]["id"])
    return {
        "datasets": sorted(p.name for p in model.Session.query(model.Package)
                           .filter(model.Package.state == "active")),
        "dataset": (ds["state"], ds["title"], len(ds["resources"])),
        "rows": table["total"],
        "label": next(f for f in table["fields"] if f["id"] == "a").get("info", {}).get("label"),
        "views": len(call_action("resource_view_list", id=world["resource"]["id"])),
        "org": call_action("organization_show", id=world["org"]["id"])["state"],
        "group": call_action("group_show", id=world["group"]["id"])["state"],
        "source": source["state"],
        "jobs": sorted((j["id"], j["status"]) for j in jobs),
        "other_is_sysadmin": model.User.get(world["other"]["id"]).sysadmin,
        "admin": model.User.get(world["admin"]["id"]).state,
        "tokens": model.Session.query(model.ApiToken).count(),
        "members": len(call_action("member_list", id=world["org"]["id"])),
    }


def probe_body(world) -> dict[str, str]:
    """A form that would do damage on most routes if it were accepted."""
    return {"name": "csrf-probe", "title": "CSRF probe", "notes": "x", "save": "save",
            "owner_org": world["org"]["id"], "username": world["other"]["name"],
            "status": "1", "role": "admin", "id": world["dataset"]["id"],
            "resource_id": world["resource"]["id"], "url": "http://93.184.215.14/x",
            "fields__0__id": "a", "fields__0__info__label": "CSRF"}


def test_every_post_route_refuses_a_logged_in_browser_without_token(app, world):
    routes = post_routes(app.flask_app)
    # The routes of the bypasses found by the probe are among those enumerated.
    endpoints = set(routes.values())
    assert {"dcat.new", "xloader.delete_datastore_table", "datastore.dictionary",
            "harvester.refresh", "harvester.clear", "api.action", "user.login",
            "regionaliot_validation.check_file", "regionaliot_security.harvest_job_abort",
            "regionaliot_datatables.ajax"} <= endpoints
    assert len(routes) > 50

    before = snapshot(world)
    browser = log_in(app, world["admin"]["name"])
    tally = Tally("CSRF on POST routes")
    rules = {r.rule: r for r in app.flask_app.url_map.iter_rules()}
    for rule_text, endpoint in sorted(routes.items()):
        url = fill(rules[rule_text], world)
        if endpoint == "api.action":
            response = browser.post(url, json={"id": world["dataset"]["id"]},
                                    follow_redirects=False)
        else:
            response = browser.post(url, data=probe_body(world), follow_redirects=False)
        if endpoint in COOKIE_BLIND_ROUTES:
            # No CSRF token to check: the route ignores the session cookie altogether, so
            # even this logged-in sysadmin's browser is refused without the route's token.
            ok = response.status_code == 401
        elif endpoint in NOTHING_OWNED_ROUTES:
            ok = response.status_code == 204
        else:
            ok = response.status_code in (400, 403) and "CSRF" in response.body
        tally.record(f"{endpoint} {url} {response.status_code}", ok)
    tally.check()
    assert snapshot(world) == before
    # Still the same logged-in browser (no route logged it out on the way).
    assert browser.get("/dashboard/datasets", follow_redirects=False).status_code == 200


def test_harvest_actions_refuse_get_and_work_by_post_with_the_token(app, world):
    from ckanext.harvest.model import HarvestJob

    source, job = world["source"], world["job"]
    harvest_job = model.Session.get(HarvestJob, job["id"])
    harvest_job.status = "Running"  # so that the admin page shows "Stop"
    model.Session.commit()
    before = snapshot(world)
    browser = log_in(app, world["admin"]["name"])

    # GET (an <img src> on another site) changes nothing: 405.
    urls = {
        "harvester.refresh": f"/harvest/refresh/{source['id']}",
        "harvester.clear": f"/harvest/clear/{source['id']}",
        "harvester.delete": f"/harvest/delete/{source['name']}?clear=True",
        "harvester.job_abort": f"/harvest/{source['name']}/job/{job['id']}/abort",
    }
    assert set(urls) == set(STATE_CHANGING_GET)
    tally = Tally("CSRF by GET on harvest actions")
    for url in urls.values():
        for method in (browser.get, browser.head):
            response = method(url, follow_redirects=False)
            tally.record(f"{method.__name__} {url}", response.status_code == 405
                         and response.headers.get("Allow") == "POST")
    tally.check()
    assert snapshot(world) == before

    # The admin page's buttons are CKAN's confirm-action (a POST form with the token).
    page = browser.get(f"/harvest/admin/{source['name']}").body
    stop = re.search(r'<a href="([^"]*/job/[^"]*/abort)"[^>]*>', page)
    assert stop, "no Stop button on the admin page of a running job"
    assert 'data-module="confirm-action"' in stop.group(0)
    buttons = re.findall(r'<a href="[^"]*/harvest/(?:refresh|clear)/[^"]*"[^>]*>', page)
    assert buttons  # Clear (Reharvest is a disabled button without a link while a job runs)
    assert all('data-module="confirm-action"' in a for a in buttons)
    # CKAN's confirm-action module reads the token from these meta tags.
    assert '<meta name="csrf_field_name" content="_csrf_token"' in page
    token = {"_csrf_token": token_of(page)}

    # Stop: our POST rule, harvest's own view.
    browser.post(stop.group(1), data=token, follow_redirects=False, status=302)
    assert call_action("harvest_job_show", id=job["id"])["status"] in ("Aborted", "Finished")
    # Reharvest: a new job.
    browser.post(f"/harvest/refresh/{source['id']}", data=token, follow_redirects=False,
                 status=302)
    assert len(call_action("harvest_job_list", source_id=source["id"])) == 2
    # Clear: the jobs are gone.
    browser.post(f"/harvest/clear/{source['id']}", data=token, follow_redirects=False,
                 status=302)
    assert call_action("harvest_job_list", source_id=source["id"]) == []


def test_api_tokens_and_pages_with_the_token_still_work(app, world):
    # A script with an API token and no cookie: CKAN exempts it; nothing to send.
    response = app.post("/api/3/action/package_create",
                        json={"name": "made-by-token", "owner_org": world["org"]["id"]},
                        headers={"Authorization": world["token"]})
    assert response.status_code == 200, response.body[:500]
    assert call_action("package_show", id="made-by-token")["name"] == "made-by-token"

    browser = log_in(app, world["admin"]["name"])
    page = browser.get("/dataset/new").body
    token = token_of(page)
    # The page's own form (dcat's route): the dataset is created.
    browser.post("/dataset/new", data={"name": "made-by-form", "title": "form",
                                       "owner_org": world["org"]["id"], "save": "continue",
                                       "_csrf_token": token}, follow_redirects=False)
    assert model.Package.get("made-by-form") is not None
    # The data explorer's XHR sends the token as a header (datatablesview.js).
    view = world["view"]
    response = browser.post(f"/datatables/ajax/{view['id']}",
                            data={"draw": "1", "start": "0", "length": "10",
                                  "search[value]": "", "order[0][column]": "0",
                                  "order[0][dir]": "asc", "columns[0][data]": "a",
                                  "columns[0][searchable]": "true"},
                            headers={"X-CSRFToken": token}, follow_redirects=False)
    assert response.status_code == 200, response.body[:300]
    assert json.loads(response.body)["recordsTotal"] == 1  # sent as text/html by datatablesview
    # After a token-authenticated request in this process, cookie requests are still checked
    # (CKAN exempts per request, not per view).
    response = browser.post("/api/3/action/package_create",
                            json={"name": "made-by-csrf", "owner_org": world["org"]["id"]},
                            follow_redirects=False)
    assert response.status_code == 400 and "CSRF" in response.body
    assert model.Package.get("made-by-csrf") is None
