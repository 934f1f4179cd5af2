"""The アイデアボックス's pages beyond the box itself: its slot on the home page (the most
voted open ideas and the latest answers, public only) and the staff's moderation page
(the hidden, reported and spam queue, with reasons and decisions that are kept)."""
from __future__ import annotations

import re

import ckan.model as model
import pytest
from ckan.lib.redis import connect_to_redis
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.regionaliot.ideas.model import Idea, IdeaComment, IdeaEvent
from ckanext.regionaliot.ideas.ratelimit import PREFIX
from ckanext.regionaliot.security import throttle

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

_REQUEST = {}


@pytest.fixture(autouse=True)
def fresh_rate_limits(test_request_context):
    redis = connect_to_redis()
    for key in redis.scan_iter(PREFIX + "*"):
        redis.delete(key)
    _REQUEST["context"] = test_request_context


def act(action, context=None, **data):
    with _REQUEST["context"]():
        return call_action(action, context, **data)


def csrf(body: str) -> dict[str, str]:
    match = re.search(r'name="(_csrf_token)" value="([^"]+)"', body)
    assert match, "the form has no CSRF field"
    return {match.group(1): match.group(2)}


def section(html: str, start: str) -> str:
    """The part of the page from the element with id ``start`` to the end of its list."""
    begin = html.index(f'id="{start}"')
    return html[begin:html.index("</ul>", begin)] if "</ul>" in html[begin:] else html[begin:]


def test_home_page_shows_voted_and_answered_ideas_but_never_hidden_ones(app):
    def idea(title, votes=0):
        made = act("regionaliot_idea_create", kind="idea", title=title, author_name="市民")
        model.Session.query(Idea).filter(Idea.id == made["id"]).update({"vote_count": votes})
        model.Session.commit()
        return made

    top = idea("人気のアイデア", votes=9)
    idea("静かなアイデア", votes=1)
    hidden = idea("隠されたアイデア", votes=50)
    answered = idea("回答済みのアイデア", votes=3)
    sysadmin = factories.Sysadmin()
    act("regionaliot_idea_moderate", {"user": sysadmin["name"]}, id=hidden["id"],
        decision="hidden", reason="個人情報")
    act("regionaliot_idea_update_status", {"user": sysadmin["name"]}, id=answered["id"],
        status="declined", reply="今年度は見送ります。", reason="予算")

    html = app.get("/", extra_environ={"HTTP_ACCEPT_LANGUAGE": "ja"}).body
    assert 'id="regionaliot-ideas-title"' in html, "the home page has no idea box slot"
    voted = section(html, "regionaliot-ideas-voted")
    assert voted.index("人気のアイデア") < voted.index("静かなアイデア")
    assert "回答済みのアイデア" not in voted  # closed: not among the open ideas
    assert "回答済みのアイデア" in section(html, "regionaliot-ideas-answered")
    assert "隠されたアイデア" not in html
    assert f"/ideas/{top['id']}" in html


def test_rate_limit_counts_the_client_behind_a_trusted_proxy(app, ckan_config, monkeypatch):
    """Behind nginx every request comes from the proxy: the limit counts the forwarded
    client, as the login throttle does, and a client cannot dodge it by forging the header
    when it talks to the portal directly."""
    monkeypatch.setitem(ckan_config, "ckanext.regionaliot.ideas.rate_limit_posts", 2)
    monkeypatch.setitem(ckan_config, "ckanext.regionaliot.trusted_proxies", "10.9.0.0/16")

    def post(remote, forwarded, n):
        environ = {"REMOTE_ADDR": remote, "HTTP_X_FORWARDED_FOR": forwarded}
        return [app.post("/api/3/action/regionaliot_idea_create", environ_base=environ,
                         json={"kind": "idea", "title": f"{forwarded} {i}", "author_name": "x"}
                         ).status_code for i in range(n)]

    # Two citizens behind the same proxy: each has a limit of their own.
    assert post("10.9.0.2", "203.0.113.1", 3) == [200, 200, 409]
    assert post("10.9.0.2", "spoofed, 203.0.113.2", 2) == [200, 200]
    # The same citizen through another proxy hop is still the same citizen.
    assert post("10.9.0.3", "203.0.113.1, 10.9.0.2", 1) == [409]
    # Direct from an untrusted address: the forged header does not give a fresh limit.
    assert post("198.51.100.7", "203.0.113.50", 2) == [200, 200]
    assert post("198.51.100.7", "203.0.113.51", 1) == [409]
    # The login throttle counts the same address for the same request.
    environ = {"REMOTE_ADDR": "10.9.0.2", "HTTP_X_FORWARDED_FOR": "spoofed, 203.0.113.2"}
    assert throttle.client_address(environ) == "203.0.113.2"


def test_moderation_page_queue_decisions_and_audit(app):
    editor, other, sysadmin = factories.User(fullname="倉敷市 広報課"), factories.User(), \
        factories.Sysadmin()
    factories.Organization(name="kurashiki", users=[{"name": editor["name"], "capacity": "editor"}])
    factories.Organization(name="kasaoka", users=[{"name": other["name"], "capacity": "editor"}])
    spam = act("regionaliot_idea_create", kind="idea", title="格安の広告", organization="kurashiki",
               author_name="業者")
    for n in range(3):  # three people report it: hidden until staff decide
        act("regionaliot_idea_report", {"user": factories.User()["name"], "ignore_auth": False},
            id=spam["id"], reason=f"宣伝です {n}")
    elsewhere = act("regionaliot_idea_create", kind="idea", title="笠岡の話",
                    organization="kasaoka", author_name="市民")
    act("regionaliot_idea_moderate", {"user": sysadmin["name"]}, id=elsewhere["id"],
        decision="hidden", reason="個人情報")
    talk = act("regionaliot_idea_create", kind="idea", title="公園のベンチ",
               organization="kurashiki", author_name="市民")
    comment = act("regionaliot_idea_comment", id=talk["id"], body="言い過ぎのコメント",
                  author_name="通りすがり")
    act("regionaliot_idea_report", {"user": factories.User()["name"], "ignore_auth": False},
        id=talk["id"], comment_id=comment["id"], reason="乱暴な言葉")

    app.get("/ideas/moderation", status=403)
    app.get("/ideas/moderation", extra_environ={"REMOTE_USER": factories.User()["name"]},
            status=403)
    as_editor = {"REMOTE_USER": editor["name"]}
    browser = app.test_client()
    page = browser.get("/ideas/moderation", environ_overrides=as_editor).body
    assert "格安の広告" in page and "宣伝です 2" in page  # reported, with the reasons
    assert "言い過ぎのコメント" in page and "乱暴な言葉" in page  # a reported comment
    assert "笠岡の話" not in page  # another municipality's ...
    every = browser.get("/ideas/moderation?state=all", environ_overrides=as_editor).body
    assert "格安の広告" in every and "笠岡の話" not in every  # ... in no view
    assert 'href="/ideas/moderation"' in browser.get("/ideas", environ_overrides=as_editor).body

    def decide(data):
        response = browser.post(f"/ideas/{data.pop('idea')}/moderate",
                                data={**csrf(page), "return_to": "moderation", **data},
                                environ_overrides=as_editor, follow_redirects=False)
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/ideas/moderation")

    decide({"idea": spam["id"], "decision": "spam", "reason": "業者の宣伝"})
    decide({"idea": talk["id"], "comment_id": comment["id"], "decision": "visible",
            "reason": "批判の範囲内"})
    model.Session.expire_all()
    assert Idea.get(spam["id"]).moderation == "spam"  # marked, never deleted
    assert model.Session.get(IdeaComment, comment["id"]).moderation == "visible"
    decisions = model.Session.query(IdeaEvent).filter(IdeaEvent.event == "moderation",
                                                      IdeaEvent.user_id == editor["id"]).all()
    assert sorted(e.reason for e in decisions) == ["批判の範囲内", "業者の宣伝"]

    after = browser.get("/ideas/moderation", environ_overrides=as_editor).body
    assert "格安の広告" not in after and "言い過ぎのコメント" not in after  # decided
    log = browser.get("/ideas/moderation?state=spam", environ_overrides=as_editor).body
    assert "格安の広告" in log and "業者の宣伝" in log and "倉敷市 広報課" in log
    assert "reports: 3" in log  # the automatic hiding is in the log too
    # Another municipality's editor cannot decide about it.
    outsider = app.test_client()
    token = csrf(outsider.get("/ideas", environ_overrides={"REMOTE_USER": other["name"]}).body)
    outsider.post(f"/ideas/{spam['id']}/moderate", data={**token, "decision": "visible",
                                                         "reason": "x"},
                  environ_overrides={"REMOTE_USER": other["name"]}, status=403)


def test_demo_ideas_load_once_with_votes_comments_and_replies(app):
    from ckanext.regionaliot import seed
    from ckanext.regionaliot.ideas import demo

    records = seed.demo_ideas()
    factories.Organization(name="kurashiki")  # the others are missing: the whole basin
    first = demo.load(records)
    assert [action for _title, action in first] == ["created"] * len(records)
    assert {action for _title, action in demo.load(records)} == {"unchanged"}
    assert model.Session.query(Idea).count() == len(records)
    aed = model.Session.query(Idea).filter(Idea.title.like("AED%")).one()
    assert (aed.status, aed.vote_count, aed.comment_count) == ("published", 42, 2)
    assert aed.answer_url == "/dataset/kurashiki-aed"  # the dataset is not loaded here
    assert aed.first_answered < aed.modified and aed.created < aed.first_answered
    shown = act("regionaliot_idea_show", id=aed.id)
    assert [s["status"] for s in shown["timeline"]] == ["reviewing", "planned", "published"]
    assert len(shown["comments"]) == 2 and shown["organization"]["name"] == "kurashiki"
    page = app.get("/ideas", extra_environ={"HTTP_ACCEPT_LANGUAGE": "ja"}).body
    assert page.count("regionaliot-idea-item") == len(records)
    # The idea box's 公開済, not the core catalogue's 公開しているもの for the same msgid.
    assert "公開済" in page and "公開しているもの" not in page
