"""Short-lived downloads of corrected files made by the public check (/validate and the API
action ``regionaliot_validate_upload``): the page links to the file instead of carrying it
(a 10 MB upload made a 13 MB page as a data: link). Each file is kept in Redis under a
random token for TTL seconds, then Redis drops it; nothing goes to the filestore or the
database, and the token is the only way to it.
"""
from __future__ import annotations

import re
import secrets

from ckan.lib.redis import connect_to_redis

TTL = 600  # seconds: long enough to click the link, short enough to keep nothing
_PREFIX = "regionaliot:corrected:"
_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{32}")


def keep(content: bytes, name: str) -> str:
    """Keep ``content`` (downloaded as ``name``) for TTL seconds; returns its token."""
    token = secrets.token_urlsafe(24)
    redis = connect_to_redis()
    pipe = redis.pipeline()
    pipe.setex(_PREFIX + token, TTL, content)
    pipe.setex(_PREFIX + token + ":name", TTL, name.encode("utf-8"))
    pipe.execute()
    return token


def take(token: str) -> tuple[bytes, str] | None:
    """The file kept under ``token`` and its download name; None when unknown or expired."""
    if not isinstance(token, str) or not _TOKEN_RE.fullmatch(token):
        return None
    redis = connect_to_redis()
    content, name = redis.mget(_PREFIX + token, _PREFIX + token + ":name")
    if content is None:
        return None
    return content, (name or b"corrected.csv").decode("utf-8", "replace")
