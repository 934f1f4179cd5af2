"""The anonymous visitor's identity for votes and reports: a random token in a cookie
signed with the site's secret (itsdangerous), so one browser votes once per idea and a
forged or edited cookie counts as none. Clearing cookies gives a new identity: the
per-address rate limit (ratelimit.py) bounds what that buys."""
from __future__ import annotations

import re
import secrets

import ckan.plugins.toolkit as tk
from flask import after_this_request, current_app
from itsdangerous import BadSignature, URLSafeSerializer

COOKIE = "regionaliot_idea_voter"
_SALT = "regionaliot-ideas-voter"
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
_MAX_AGE = 365 * 86400


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def read() -> str | None:
    """The browser's token, if its cookie carries a valid signature."""
    raw = tk.request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        token = _serializer().loads(raw)
    except BadSignature:
        return None
    return token if isinstance(token, str) and _TOKEN.match(token) else None


def ensure() -> str:
    """The browser's token; a new one is set in a cookie with this response."""
    token = read()
    if token:
        return token
    token = secrets.token_hex(16)
    signed = _serializer().dumps(token)

    @after_this_request
    def _set(response):
        response.set_cookie(COOKIE, signed, max_age=_MAX_AGE, httponly=True, samesite="Lax",
                            secure=tk.request.scheme == "https", path="/")
        return response

    return token
