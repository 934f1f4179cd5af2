"""Which chart-data requests the stories' cached answers may serve (answers.py): only a
GET for id and block with no credentials of any kind; everything else goes to CKAN."""
from __future__ import annotations

import base64
import json
import zlib

import pytest
from ckanext.regionaliot.stories.answers import anonymous_page, anonymous_query, credentials

PATH = "/api/3/action/regionaliot_chart_data"
CREDS = credentials({"apitoken_header_name": "X-CKAN-API-TOKEN",
                     "SESSION_COOKIE_NAME": "portal", "REMEMBER_COOKIE_NAME": "keep"})


def env(query="id=s&block=2", **extra):
    return {"REQUEST_METHOD": "GET", "PATH_INFO": PATH, "QUERY_STRING": query, **extra}


def test_a_plain_anonymous_get_is_served():
    assert anonymous_query(env(), CREDS) == ("s", 2)
    assert anonymous_query(env(HTTP_COOKIE="_ga=1; lang=ja"), CREDS) == ("s", 2)


@pytest.mark.parametrize("environ", [
    env(HTTP_AUTHORIZATION="token"),
    env(HTTP_X_CKAN_API_TOKEN="token"),  # the site's own header name
    env(HTTP_COOKIE="portal=abc"),  # the site's session cookie
    env(HTTP_COOKIE="a=1; keep=abc"),  # remember me
    env(HTTP_COOKIE="ckan=abc"),  # CKAN's default name, whatever the site set
    env(REQUEST_METHOD="POST"),
    env(PATH_INFO="/api/3/action/regionaliot_story_show"),
    env("id=s&block=2&callback=f"),  # JSONP and anything else: CKAN's own answer
    env("id=s&block=2&block=3"),
    env("id=s&block=x"), env("id=s&block=0"), env("id=&block=1"), env("id=s"),
])
def test_anything_else_goes_to_ckan(environ):
    assert anonymous_query(environ, CREDS) is None


def page(path="/stories/pyramid", query="", **extra):
    return {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, **extra}


def test_an_anonymous_story_page_is_served():
    assert anonymous_page(page(), CREDS) == "pyramid"
    assert anonymous_page(page(HTTP_COOKIE="_ga=1"), CREDS) == "pyramid"


@pytest.mark.parametrize("environ", [
    page(HTTP_AUTHORIZATION="token"), page(HTTP_COOKIE="portal=abc"),
    page(HTTP_COOKIE="keep=abc"), page(REQUEST_METHOD="POST"), page(REQUEST_METHOD="HEAD"),
    page(query="page=2"),  # anything asked beyond the page itself: CKAN's own answer
    page("/stories/new"),  # the staff's form
    page("/stories"), page("/stories/"), page("/stories/pyramid/edit"),
    page("/stories/pyramid/blocks/1.csv"), page("/dataset/pyramid"),
])
def test_any_other_page_goes_to_ckan(environ):
    assert anonymous_page(environ, CREDS) is None


def session(doc, compressed=False):
    """A cookie session as Flask writes it: payload.timestamp.signature."""
    raw = json.dumps(doc, separators=(",", ":")).encode()
    if compressed:
        raw = zlib.compress(raw)
    payload = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    return ("." if compressed else "") + payload + ".aw6D_w.SQxYV9uux7ItaVb_MiwGDGKApKw"


def test_a_session_holding_only_the_csrf_token_is_anonymous():
    """Every page CKAN renders leaves an anonymous reader a session with its CSRF token:
    the reader's next requests are still served."""
    for compressed in (False, True):
        cookie = f"portal={session({'_csrf_token': 'a' * 40}, compressed)}; _ga=1"
        assert anonymous_page(page(HTTP_COOKIE=cookie), CREDS) == "pyramid"
        assert anonymous_query(env(HTTP_COOKIE=cookie), CREDS) == ("s", 2)
    # As Flask-Login leaves it after a few requests of a reader who never signed in.
    after = session({"_csrf_token": "a" * 40, "_fresh": False, "_permanent": True}, True)
    assert anonymous_page(page(HTTP_COOKIE=f"portal={after}"), CREDS) == "pyramid"
    assert anonymous_query(env(HTTP_COOKIE=f"portal={after}"), CREDS) == ("s", 2)


@pytest.mark.parametrize("cookie", [
    "portal=" + session({"_csrf_token": "a", "_user_id": "u1", "_fresh": True}),
    "portal=" + session({"_csrf_token": "a", "_user_id": "u1"}, compressed=True),
    "portal=" + session({"_csrf_token": "a", "_fresh": True}),  # a fresh login's mark
    "portal=" + session({"_flashes": [["success", "Saved"]]}),  # a message to show
    "portal=" + session(["_csrf_token"]), "portal=abc", "portal=", "portal=.eJzz",
    "ckan=" + session({"_csrf_token": "a"}),  # not this site's session cookie
    "keep=" + session({"_csrf_token": "a"}),  # remember me
])
def test_a_session_with_anything_more_goes_to_ckan(cookie):
    assert anonymous_page(page(HTTP_COOKIE=cookie), CREDS) is None
    assert anonymous_query(env(HTTP_COOKIE=cookie), CREDS) is None
