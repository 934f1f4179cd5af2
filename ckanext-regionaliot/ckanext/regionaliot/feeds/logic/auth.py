"""Auth of the feeds' actions: reading follows the feed dataset (package_show); pushing
needs the feed's token or the right to edit the feed; tokens and dead letters are for
those who may edit it."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from .. import model

__all__ = ["regionaliot_feed_latest", "regionaliot_feed_query", "regionaliot_feed_push",
           "regionaliot_feed_token_create", "regionaliot_feed_deadletter_list"]


def _can(action: str, context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    try:
        tk.check_access(action, dict(context), {"id": data_dict.get("id")})
    except tk.NotAuthorized:
        return {"success": False, "msg": tk._("Not authorized to use this feed")}
    return {"success": True}


@tk.auth_allow_anonymous_access
def regionaliot_feed_latest(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    return _can("package_show", context, data_dict)


@tk.auth_allow_anonymous_access
def regionaliot_feed_query(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    return _can("package_show", context, data_dict)


@tk.auth_allow_anonymous_access
def regionaliot_feed_push(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    # A device has no CKAN user: the feed's push token is its credential.
    token = data_dict.get("token")
    if token:
        feed = model.token_feed(str(token))
        if feed is not None and feed == data_dict.get("feed_id"):
            return {"success": True}
        return {"success": False, "msg": tk._("The feed token is not valid for this feed")}
    return _can("package_update", context, data_dict)


def regionaliot_feed_token_create(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    return _can("package_update", context, data_dict)


def regionaliot_feed_deadletter_list(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    return _can("package_update", context, data_dict)
