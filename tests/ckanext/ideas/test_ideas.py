"""The アイデアボックス against PostgreSQL and Redis: posting (anonymous and logged in),
one vote per user and per browser, the staff workflow with its permissions, replies and
timeline, Markdown made inert, CSRF, reports and moderation, the rate limit, the e-mail to
followers (a local SMTP server) and the Atom feed."""
from __future__ import annotations

import re
import socketserver
import threading

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
from ckan.lib.redis import connect_to_redis
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.regionaliot.ideas.model import Idea
from ckanext.regionaliot.ideas.ratelimit import PREFIX

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

# Markup that would run: a script element, an event handler inside a tag, a javascript:
# link, an SVG element. Escaped text (&lt;script&gt;...) does not match.
LIVE = re.compile(r"<script>alert|<[^>]*\son(?:error|load)=alert|href=\"?javascript:|<svg",
                  re.IGNORECASE)

XSS_BODY = ("Hello **world**\n\n<script>alert('body')</script>\n\n"
            "[click](javascript:alert('link'))\n\n<img src=x onerror=alert('img')>\n\n"
            "<svg onload=alert('svg')></svg>")


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """The limits count per address in Redis across requests: start each test at zero."""
    redis = connect_to_redis()
    for key in redis.scan_iter(PREFIX + "*"):
        redis.delete(key)


def csrf(body: str) -> dict[str, str]:
    match = re.search(r'name="(_csrf_token)" value="([^"]+)"', body)
    assert match, "the form has no CSRF field"
    return {match.group(1): match.group(2)}


def post_form(client, page: str, url: str, data: dict, status=None):
    """Submit a form as a browser does: the token comes from the page, in the same session."""
    form = client.get(page)
    return client.post(url, data={**csrf(form.body), **data}, follow_redirects=False,
                       status=status)


_REQUEST = {}


@pytest.fixture(autouse=True)
def request_for_actions(test_request_context):
    """Actions translate their refusals (gettext needs a request). Each call gets its own
    request context: one held for the whole test would share flask.g with the test
    client's requests (CKAN marks anonymous requests CSRF-exempt in g)."""
    _REQUEST["context"] = test_request_context


def act(action, context=None, **data):
    with _REQUEST["context"]():
        return call_action(action, context, **data)


def as_user(user, action, **data):
    # call_action skips auth unless told otherwise: these calls are checked like the API's.
    return act(action, {"user": user["name"], "ignore_auth": False}, **data)


def refused_on(field, user, action, **data):
    """The action refuses with a ValidationError on ``field``."""
    with pytest.raises(tk.ValidationError) as error:
        as_user(user, action, **data)
    assert field in error.value.error_dict, error.value.error_dict


@pytest.fixture
def municipalities():
    """倉敷市 with an editor, 笠岡市 with another editor, and a public dataset of 倉敷市."""
    editor, other = factories.User(), factories.User()
    kurashiki = factories.Organization(name="kurashiki",
                                       users=[{"name": editor["name"], "capacity": "editor"}])
    kasaoka = factories.Organization(name="kasaoka",
                                     users=[{"name": other["name"], "capacity": "editor"}])
    dataset = factories.Dataset(owner_org=kurashiki["id"], name="kurashiki-aed",
                                title="AED設置箇所一覧")
    return {"editor": editor, "other_editor": other, "kurashiki": kurashiki,
            "kasaoka": kasaoka, "dataset": dataset}


def test_post_anonymously_and_logged_in(app, municipalities):
    # Anonymous, through the form: display name required, honeypot refused, then posted.
    browser = app.test_client()
    page = browser.get("/ideas/new")
    assert 'name="website"' in page.body
    refused = browser.post("/ideas/new", data={**csrf(page.body), "kind": "request",
                                           "title": "避難所の混雑状況", "author_name": "bot",
                                           "website": "http://spam.example"})
    assert refused.status_code == 200 and model.Session.query(Idea).count() == 0
    posted = post_form(browser, "/ideas/new", "/ideas/new", {
        "kind": "request", "title": "<b>避難所</b>の混雑状況を公開してほしい", "body": XSS_BODY,
        "organization": "kurashiki", "datasets": "kurashiki-aed", "author_name": "倉敷の市民"})
    assert posted.status_code == 302
    anonymous = model.Session.query(Idea).one()
    assert (anonymous.user_id, anonymous.author_name) == (None, "倉敷の市民")

    # Logged in, through the API: the poster's own name, no display name needed.
    user = factories.User(fullname="山田 花子")
    idea = as_user(user, "regionaliot_idea_create", kind="idea", title="AEDマップ",
                   author_name="someone else")
    assert idea["author_name"] == "山田 花子" and idea["registered"] is True
    assert idea["organization"] is None and idea["status"] == "received"

    shown = act("regionaliot_idea_show", id=anonymous.id)
    assert shown["registered"] is False and shown["datasets"][0]["name"] == "kurashiki-aed"
    # Bad input is a clear refusal, never a 500.
    for bad in ({"kind": "poem", "title": "x", "author_name": "a"},
                {"kind": "idea", "title": "x" * 101, "author_name": "a"},
                {"kind": "idea", "title": "x", "author_name": "a", "organization": "nowhere"},
                {"kind": "idea", "title": "x", "author_name": "a", "datasets": {"a": 1}},
                {"kind": "idea", "title": "x"}):
        response = app.post("/api/3/action/regionaliot_idea_create", json=bad, status=409)
        assert response.json["success"] is False
    # PostgreSQL cannot store NUL: the action drops it (the HTTP layer may refuse it first).
    nul = act("regionaliot_idea_create", kind="idea", title="NUL", body="a\x00b",
                      author_name="a")
    assert nul["body"] == "ab"
    assert app.get("/ideas?page=99999999999999999999&sort=bogus").status_code == 200
    # The filter form keeps what was chosen (the shared select_filter snippet).
    chosen = app.get("/ideas?kind=request&sort=new&organization=basin").body
    for option in ('value="request" selected', 'value="new" selected', 'value="basin" selected'):
        assert option in chosen
    assert app.get("/ideas/x%00y").status_code in (400, 404)  # the security plugin: 400


def test_markdown_and_names_come_out_inert(app):
    idea = act("regionaliot_idea_create", kind="idea", body=XSS_BODY,
                       title="<script>alert('title')</script>",
                       author_name="<img src=x onerror=alert('name')>")
    act("regionaliot_idea_comment", id=idea["id"], body=XSS_BODY,
                author_name="<svg onload=alert(1)>")
    html = app.get(f"/ideas/{idea['id']}").body
    assert "<strong>world</strong>" in html  # Markdown is rendered ...
    assert not LIVE.findall(html), LIVE.findall(html)  # ... and no attack is live markup
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in html  # shown as text
    assert "&lt;img src=x onerror=alert(&#39;name&#39;)&gt;" in html
    assert not LIVE.findall(app.get("/ideas").body)
    feed = app.get("/ideas/feed.atom")
    assert feed.headers["Content-Type"].startswith("application/atom+xml")
    assert "<script>" not in feed.body and "&lt;script&gt;" in feed.body


def test_one_vote_per_user_and_per_browser(app):
    idea = act("regionaliot_idea_create", kind="idea", title="バス停の時刻表",
                       author_name="市民")
    user = factories.User()
    assert as_user(user, "regionaliot_idea_vote", id=idea["id"])["vote_count"] == 1
    refused_on("id", user, "regionaliot_idea_vote", id=idea["id"])
    assert Idea.get(idea["id"]).vote_count == 1

    # Anonymous: once per browser (signed cookie), refused from the API without one.
    page = f"/ideas/{idea['id']}"
    vote = f"/ideas/{idea['id']}/vote"
    browser = app.test_client()
    post_form(browser, page, vote, {}, status=302)
    post_form(browser, page, vote, {}, status=302)
    model.Session.expire_all()
    assert Idea.get(idea["id"]).vote_count == 2
    assert 'data-voted="true"' in browser.get(page).body
    post_form(app.test_client(), page, vote, {}, status=302)  # another browser
    model.Session.expire_all()
    assert Idea.get(idea["id"]).vote_count == 3
    forged = app.test_client()
    forged.set_cookie("regionaliot_idea_voter", "forged-token")
    assert 'data-voted="false"' in forged.get(page).body
    api = app.post("/api/3/action/regionaliot_idea_vote", json={"id": idea["id"]}, status=403)
    assert api.json["success"] is False


def test_status_workflow_needs_staff_of_the_municipality_and_a_reply(app, municipalities):
    m = municipalities
    idea = act("regionaliot_idea_create", kind="request", title="AEDの設置場所",
                       organization="kurashiki", author_name="市民")
    step = {"id": idea["id"], "status": "reviewing", "reply": "検討します。"}
    for outsider in (m["other_editor"], factories.User()):
        with pytest.raises(tk.NotAuthorized):
            as_user(outsider, "regionaliot_idea_update_status", **step)
    response = app.post("/api/3/action/regionaliot_idea_update_status", json=step, status=403)
    assert response.json["success"] is False

    editor = m["editor"]
    refused_on("reply", editor, "regionaliot_idea_update_status", **dict(step, reply="  "))
    as_user(editor, "regionaliot_idea_update_status", **step)
    refused_on("expected_date", editor, "regionaliot_idea_update_status", id=idea["id"],
               status="planned", reply="来年度に公開予定です。")
    as_user(editor, "regionaliot_idea_update_status", id=idea["id"], status="planned",
            reply="来年度に公開予定です。", expected_date="2027-04-01")
    refused_on("answer", editor, "regionaliot_idea_update_status", id=idea["id"],
               status="published", reply="公開しました。", answer="javascript:alert(1)")
    done = as_user(editor, "regionaliot_idea_update_status", id=idea["id"],
                   status="published", reply="公開しました。", answer="kurashiki-aed")
    assert done["answer_dataset"]["name"] == "kurashiki-aed"
    refused_on("status", editor, "regionaliot_idea_update_status",  # published is final
               id=idea["id"], status="declined", reply="x", reason="y")

    shown = act("regionaliot_idea_show", id=idea["id"])
    assert [s["status"] for s in shown["timeline"]] == ["reviewing", "planned", "published"]
    assert [s["reply"] for s in shown["timeline"]][0] == "検討します。"
    html = app.get(f"/ideas/{idea['id']}").body
    assert html.index("検討します。") < html.index("来年度に公開予定です。") < html.index("公開しました。")
    assert "2027-04-01" in html
    figures = act("regionaliot_idea_list")["figures"]
    assert (figures["total"], figures["answered"], figures["closed"]) == (1, 1, 1)
    assert figures["median_seconds"] is not None
    # The dataset page lists the request it answered.
    assert "AEDの設置場所" in app.get("/dataset/kurashiki-aed").body


def test_forms_need_the_csrf_token(app):
    """A logged-in browser's POSTs need the form's token (CKAN 2.11 checks cookie sessions;
    an anonymous visitor has no session another site could ride on)."""
    idea = act("regionaliot_idea_create", kind="idea", title="CSRF", author_name="x")
    user = factories.User()
    browser = app.test_client()
    logged_in = {"REMOTE_USER": user["name"]}
    page = f"/ideas/{idea['id']}"
    for url, data in ((page + "/vote", {}), (page + "/comment", {"body": "forged"}),
                      ("/ideas/new", {"kind": "idea", "title": "forged"})):
        browser.post(url, data=data, environ_overrides=logged_in, status=400)
    assert Idea.get(idea["id"]).vote_count == 0
    assert model.Session.query(Idea).count() == 1
    token = csrf(browser.get(page, environ_overrides=logged_in).body)
    browser.post(page + "/vote", data=token, environ_overrides=logged_in,
                 follow_redirects=False, status=302)
    model.Session.expire_all()
    assert Idea.get(idea["id"]).vote_count == 1


def test_reports_hide_until_staff_decide_and_nothing_is_deleted(app, municipalities):
    m = municipalities
    idea = act("regionaliot_idea_create", kind="idea", title="広告です",
                       organization="kurashiki", author_name="spammer")
    first, second = factories.User(), factories.User()
    for reporter in (first, first, second):  # the same person twice counts once
        assert not as_user(reporter, "regionaliot_idea_report", id=idea["id"])["hidden"]
    assert act("regionaliot_idea_list")["count"] == 1
    assert as_user(factories.User(), "regionaliot_idea_report", id=idea["id"])["hidden"]
    assert act("regionaliot_idea_list")["count"] == 0
    with pytest.raises(tk.ObjectNotFound):
        act("regionaliot_idea_show", id=idea["id"])
    assert app.get(f"/ideas/{idea['id']}", status=404)
    assert act("regionaliot_idea_list", q="広告")["count"] == 0
    # Staff still see it, and decide, with a reason kept in the timeline.
    staff_view = as_user(m["editor"], "regionaliot_idea_show", id=idea["id"])
    assert staff_view["moderation"] == "reported"
    as_user(m["editor"], "regionaliot_idea_moderate", id=idea["id"], decision="spam",
            reason="宣伝のみ")
    assert as_user(m["editor"], "regionaliot_idea_list", moderation="spam")["count"] == 1
    with pytest.raises(tk.NotAuthorized):
        as_user(m["other_editor"], "regionaliot_idea_moderate", id=idea["id"],
                decision="visible", reason="x")
    assert Idea.get(idea["id"]) is not None  # never deleted


def test_rate_limit_per_address(app, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.regionaliot.ideas.rate_limit_posts", 2)
    client = {"REMOTE_ADDR": "192.0.2.7"}
    codes = [app.post("/api/3/action/regionaliot_idea_create", environ_base=client,
                      json={"kind": "idea", "title": f"idea {i}", "author_name": "x"}
                      ).status_code for i in range(3)]
    assert codes == [200, 200, 409]
    assert model.Session.query(Idea).count() == 2


class _SMTP(socketserver.StreamRequestHandler):
    """Just enough SMTP for CKAN's mailer; each message's text is kept in ``messages``."""
    messages: list[str] = []

    def handle(self):
        self.wfile.write(b"220 localhost\r\n")
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb == b"DATA":
                self.wfile.write(b"354 go\r\n")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk
                self.messages.append(data.decode("utf-8", "replace"))
                self.wfile.write(b"250 ok\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp_server(ckan_config, monkeypatch):
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTP)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _SMTP.messages = []
    monkeypatch.setitem(ckan_config, "smtp.server", f"127.0.0.1:{server.server_address[1]}")
    monkeypatch.setitem(ckan_config, "smtp.mail_from", "portal@example.org")
    yield _SMTP.messages
    server.shutdown()
    server.server_close()


def test_followers_get_an_email_on_a_status_change(app, municipalities, smtp_server):
    poster = factories.User(email="poster@example.org")
    follower = factories.User(email="follower@example.org")
    idea = as_user(poster, "regionaliot_idea_create", kind="request", title="<b>河川水位</b>",
                   organization="kurashiki")
    as_user(follower, "regionaliot_idea_follow", id=idea["id"])
    as_user(municipalities["editor"], "regionaliot_idea_update_status", id=idea["id"],
            status="declined", reply="<script>x</script>", reason="観測機器がありません")
    assert len(smtp_server) == 2
    assert all("poster@example.org" in m or "follower@example.org" in m for m in smtp_server)
    assert all("text/html" not in m for m in smtp_server)  # plain text only: inert
