"""The core plugin's routes.

``POST /_tracking``: CKAN's ``tracking`` plugin counts a page view in an after-request
hook (ckanext/tracking/middleware.py) but registers no view for the URL its script posts
to, so the request fell through to the static-files route (GET only) and every page
logged a 405 in the browser's console. This view answers 204 No Content and the hook
records the view. The hook reads the raw body and fails (a 500) on anything but
``key=value&...`` or without a User-Agent, so the body is checked here first and a malformed one is refused with
a 400 that the hook never sees. Exempt from CSRF: the tracking script sends no token, and
a page-view count is nothing a visitor owns.
"""
from __future__ import annotations

import io
from urllib.parse import unquote

from ckan.config.middleware.flask_app import csrf
from flask import Blueprint, request

tracking = Blueprint("regionaliot_tracking", __name__)

MAX_BODY = 4096


def well_formed(body: bytes) -> bool:
    """What the tracking hook can store: UTF-8 ``k=v`` pairs, no NUL once unquoted."""
    if not body or len(body) > MAX_BODY:
        return False
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    pairs = [part.split("=") for part in text.split("&")]
    return all(len(pair) == 2 and "\x00" not in unquote(pair[1]) for pair in pairs)


@csrf.exempt
def page_view():
    body = request.get_data(cache=False)
    if not well_formed(body):
        # The hook acts on POST only: it leaves this request alone.
        request.environ["REQUEST_METHOD"] = "POST-refused"
        return "", 400
    request.environ["wsgi.input"] = io.BytesIO(body)  # read once more, by the hook
    # The hook's visitor key needs both (a KeyError, a 500, for a client without them).
    request.environ.setdefault("HTTP_USER_AGENT", "")
    request.environ.setdefault("REMOTE_ADDR", "")
    return "", 204


tracking.add_url_rule("/_tracking", view_func=page_view, methods=["POST"])

__all__ = ["tracking"]
