"""Cached answers of ``regionaliot_chart_data`` for anonymous readers, before CKAN's
request handling (issue 9: cached p95 ≤ 50 ms; a cached answer spent most of its time in
CKAN's per-request work, not in the figures).

A WSGI wrapper around the Flask application (IMiddleware): a GET of
``/api/3/action/regionaliot_chart_data?id=…&block=…`` with no credentials (no
Authorization or API-key header, no user's session or remember-me cookie) is answered from Redis
(a session cookie holding only the CSRF token every page leaves an anonymous reader is
not a credential: session_without_user) when the same answer was given before, after two
checks against the database:

- the story is published (a draft or withdrawn story is never answered here);
- every resource the block reads is active in an active public dataset (a private one
  is never answered here).

The key holds the story, the block, the versions of its resources (data.version, with the
rows token: rows changed means a new key) and the language. Only an answer that CKAN's
whole path gave (its auth functions, the action) with 200 to a request without
credentials is kept, with its headers (the security headers included). Everything else,
and every miss, goes on to CKAN unchanged.

A story's page (``GET /stories/<name>``, no query string, no credentials) is kept the same
way, for ``ckanext.regionaliot.stories.page_seconds``: with its blocks cached, most of its
time was CKAN's page work (bench/stories). Same checks (published; every resource of its
blocks public); the key also holds the story's last change and each source dataset's last
change (the page lists their titles). A story with a matrix block is not kept (its counts
come from the catalogue, which has no version to key on). What the key does not hold (the
municipalities' and the author's names, the site's header) shows after at most
page_seconds. A kept page is replayed without its Set-Cookie: the CSRF token in its
<meta> belongs to no reader's session (an anonymous reader has no form to post on it).
"""
from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
import zlib
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

import ckan.model as model
from ckan.lib.redis import connect_to_redis

from ckanext.regionaliot.lib import config

from . import blocks as story_blocks
from . import data
from .model import PUBLISHED, Story

log = logging.getLogger(__name__)
PATHS = ("/api/3/action/regionaliot_chart_data", "/api/action/regionaliot_chart_data")
PREFIX = "regionaliot:stories:answer:"
PAGE_PREFIX = "regionaliot:stories:page:"
STORY_PAGE = re.compile(r"^/stories/(?P<name>[^/]+)$")
NOT_STORIES = frozenset({"new"})  # /stories/new is the staff's form
KINDS = ("chart", "map", "figure")
# Headers of the stored answer not replayed: they belong to that one response.
DROPPED = frozenset({"set-cookie", "date", "content-length"})
CREDENTIAL_HEADERS = ("HTTP_AUTHORIZATION", "HTTP_X_CKAN_API_KEY")
CREDENTIAL_COOKIES = ("ckan", "remember_token", "auth_tkt", "session")
SESSION_COOKIE = "ckan"
# What an anonymous reader's cookie session holds: the CSRF token CKAN's pages put there,
# and Flask-Login's "_fresh": false, which it adds to a session without a user after a
# few requests (a reader's third page was no longer served from the kept answers).
ANONYMOUS_SESSION_KEYS = frozenset({"_csrf_token", "_permanent", "_fresh"})


def credentials(conf: Any) -> tuple[frozenset[str], frozenset[str], str]:
    """(WSGI header keys, cookie names that may carry a user, the session cookie's name):
    CKAN's defaults and the names this site configured."""
    header = str(conf.get("apitoken_header_name") or "Authorization")
    headers = {*CREDENTIAL_HEADERS, "HTTP_" + header.upper().replace("-", "_")}
    session = str(conf.get("SESSION_COOKIE_NAME") or SESSION_COOKIE)
    cookies = {*CREDENTIAL_COOKIES, session,
               str(conf.get("REMEMBER_COOKIE_NAME") or "remember_token")}
    return frozenset(headers), frozenset(cookies), session


def session_without_user(value: str) -> bool:
    """Whether a cookie session (Flask's: base64 JSON, zlib-compressed when it starts with
    ".", then timestamp and signature) holds nothing but the CSRF token (and Flask-Login's
    ``_fresh: false``), as CKAN's pages leave it for an anonymous reader. The signature is not checked: this only
    decides whether an answer everyone may have (a published story on public data) is
    served from Redis; a user's session (``_user_id``), a pending flash message, a
    server-side session's id or anything unreadable goes to CKAN."""
    compressed = value.startswith(".")
    payload = (value[1:] if compressed else value).split(".", 1)[0]
    try:
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        doc = json.loads(zlib.decompress(raw) if compressed else raw)
    except (ValueError, zlib.error):
        return False
    return (isinstance(doc, dict) and set(doc) <= ANONYMOUS_SESSION_KEYS
            and doc.get("_fresh", False) is False)


Credentials = tuple[frozenset[str], frozenset[str], str]
DEFAULT_CREDENTIALS: Credentials = (frozenset(CREDENTIAL_HEADERS),
                                    frozenset(CREDENTIAL_COOKIES), SESSION_COOKIE)


def anonymous_get(environ: dict[str, Any], creds: Credentials = DEFAULT_CREDENTIALS) -> bool:
    """A GET with no credentials of any kind (header, remember-me cookie, a session
    cookie holding more than an anonymous reader's CSRF token)."""
    if environ.get("REQUEST_METHOD") != "GET":
        return False
    if any(environ.get(name) for name in creds[0]):
        return False
    for part in (environ.get("HTTP_COOKIE") or "").split(";"):
        name, _eq, value = part.strip().partition("=")
        if name in creds[1] and not (name == creds[2] and session_without_user(value)):
            return False
    return True


def anonymous_page(environ: dict[str, Any], creds: Credentials = DEFAULT_CREDENTIALS
                   ) -> str | None:
    """The story (name or id) of an anonymous GET of its page without a query string, or
    None (then CKAN answers as always)."""
    found = STORY_PAGE.match(environ.get("PATH_INFO") or "")
    if found is None or found["name"] in NOT_STORIES or environ.get("QUERY_STRING"):
        return None
    return found["name"] if anonymous_get(environ, creds) else None


def anonymous_query(environ: dict[str, Any], creds: Credentials = DEFAULT_CREDENTIALS
                    ) -> tuple[str, int] | None:
    """(story, block number) of a GET without credentials asking only for id and block, or
    None (then CKAN answers as always)."""
    if environ.get("PATH_INFO") not in PATHS or not anonymous_get(environ, creds):
        return None
    query = parse_qs(environ.get("QUERY_STRING") or "", keep_blank_values=True)
    if set(query) != {"id", "block"} or any(len(v) != 1 for v in query.values()):
        return None
    try:
        number = int(query["block"][0])
    except ValueError:
        return None
    return (query["id"][0], number) if query["id"][0] and number >= 1 else None


def answer_key(story_id: str, number: int, block: dict[str, Any], versions: list[tuple],
               lang: str) -> str:
    text = json.dumps({"story": story_id, "block": number, "spec": block,
                       "versions": [list(v) for v in versions], "lang": lang},
                      sort_keys=True, ensure_ascii=False)
    return PREFIX + hashlib.sha256(text.encode("utf-8")).hexdigest()


def published_blocks(ref: str) -> tuple[Any, list[dict[str, Any]]]:
    """A published story and its blocks, or (None, []) when it is not published or its
    blocks cannot be read: nothing of it is kept then."""
    story = Story.get(ref)
    if story is None or story.state != PUBLISHED:
        return None, []
    try:
        return story, json.loads(story.blocks or "[]")
    except ValueError:
        return None, []


def key_for(ref: str, number: int, lang: str) -> str | None:
    """The key of a public answer, or None when the story or a resource is not public."""
    story, parsed = published_blocks(ref)
    if story is None:
        return None
    if not 1 <= number <= len(parsed) or parsed[number - 1].get("type") not in KINDS:
        return None
    block = parsed[number - 1]
    versions = []
    for resource_id in story_blocks.resources([block]):
        res = data.public(resource_id)
        if res is None:
            return None
        versions.append(data.version(res))
    if not versions:
        return None
    return answer_key(story.id, number, block, versions, lang)


def page_key(ref: str, lang: str) -> str | None:
    """The key of a public story page, or None when it is not to be kept (see above)."""
    story, parsed = published_blocks(ref)
    if story is None:
        return None
    if any(block.get("type") == "matrix" for block in parsed):
        return None
    versions = []
    for resource_id in story_blocks.resources(parsed):
        res = data.public(resource_id)
        if res is None:
            return None
        versions.append([*data.version(res), res.get("package_modified")])
    text = json.dumps({"story": story.id, "ref": ref, "modified": story.modified.isoformat()
                       if story.modified else None, "versions": versions, "lang": lang},
                      sort_keys=True, ensure_ascii=False)
    return PAGE_PREFIX + hashlib.sha256(text.encode("utf-8")).hexdigest()


class CachedAnswers:
    """The WSGI wrapper (see the module's docstring)."""

    def __init__(self, app: Callable[..., Iterable[bytes]], conf: Any):
        self.app = app
        self.creds = credentials(conf)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]):
        asked = anonymous_query(environ, self.creds)
        page = anonymous_page(environ, self.creds) if asked is None else None
        seconds = config.get_int("ckanext.regionaliot.stories.page_seconds" if page
                                 else "ckanext.regionaliot.stories.cache_seconds")
        if (asked is None and page is None) or seconds <= 0:
            return self.app(environ, start_response)
        lang = environ.get("CKAN_LANG") or ""
        try:
            key = page_key(page, lang) if page else key_for(asked[0], asked[1], lang)
            redis = connect_to_redis() if key else None
            hit = redis.get(key) if redis is not None and key else None
        except Exception as e:  # noqa: BLE001 (database or Redis trouble: CKAN answers)
            log.warning("stories answers: %s", e)
            key, hit = None, None
        finally:
            model.Session.remove()
        if key is None:
            return self.app(environ, start_response)
        if hit:
            stored = json.loads(hit)
            body = stored["body"].encode("utf-8")
            start_response("200 OK", [*(tuple(h) for h in stored["headers"]),
                                      ("Content-Length", str(len(body)))])
            return [body]
        return self._keep(environ, start_response, key, seconds)

    def _keep(self, environ, start_response, key: str, seconds: int):
        """CKAN answers; a 200 is kept for the next anonymous reader."""
        seen: dict[str, Any] = {}

        def capture(status, headers, exc_info=None):
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, exc_info)

        answer = self.app(environ, capture)
        try:
            chunks = list(answer)
        finally:  # WSGI: the server would have closed it; we read it, so we close it
            close = getattr(answer, "close", None)
            if close is not None:
                close()
        if str(seen.get("status", "")).startswith("200"):
            try:
                body = b"".join(chunks).decode("utf-8")
                headers = [[k, v] for k, v in seen["headers"] if k.lower() not in DROPPED]
                connect_to_redis().setex(key, seconds, json.dumps(
                    {"headers": headers, "body": body}, ensure_ascii=False))
            except Exception as e:  # noqa: BLE001
                log.warning("stories answers not kept: %s", e)
        return chunks
