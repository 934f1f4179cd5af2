"""Template helpers of the sensor feeds (registered by name via ITemplateHelpers)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
from flask_babel import pgettext

from ckanext.regionaliot.lib.i18n import N_, current_lang
from ckanext.regionaliot.lib.memo import Memo

from . import overview, service

__all__ = ["regionaliot_feed_state_label", "regionaliot_feed_sensor_name",
           "regionaliot_feed_state_labels", "regionaliot_feed_age", "regionaliot_feed_days_ago",
           "regionaliot_feed_water_levels"]

# A sensor's state has words of its own ("Warning" is 注意 here, 警告 for a validation
# finding), hence the gettext context. The words people use: a river's 氾濫注意水位 / 氾濫危険水位, an underpass's 冠水注意 / 冠水.
STATE_CONTEXT = "sensor state"
STATE_MSGIDS = {
    ("warning", "river_level"): N_("Flood warning level (氾濫注意)"),
    ("danger", "river_level"): N_("Flood danger level (氾濫危険)"),
    ("warning", "underpass"): N_("Flooding caution (冠水注意)"),
    ("danger", "underpass"): N_("Flooded, closed (冠水)"),
    ("warning", "other"): N_("Warning"),
    ("danger", "other"): N_("Danger"),
    ("normal", "other"): N_("Normal"),
    ("no_data", "other"): N_("No data"),
}


def regionaliot_feed_state_label(state: str, kind: str | None = None) -> str:
    msgid = STATE_MSGIDS.get((state, kind or "other")) or STATE_MSGIDS.get((state, "other"), state)
    return pgettext(STATE_CONTEXT, msgid)


def regionaliot_feed_state_labels() -> dict[str, dict[str, str]]:
    """Every label by kind and state, for the page's script (it relabels without reload)."""
    kinds = ("river_level", "underpass", "other")
    return {kind: {state: regionaliot_feed_state_label(state, kind)
                   for state in ("normal", "warning", "danger", "no_data")} for kind in kinds}


def regionaliot_feed_sensor_name(sensor: dict[str, Any]) -> str:
    if current_lang() == "en" and sensor.get("name_en"):
        return sensor["name_en"]
    return sensor.get("name") or sensor.get("sensor_id") or ""


def regionaliot_feed_age(seconds: int | None) -> str:
    if seconds is None:
        return tk._("No data")
    if seconds < 120:
        return tk._("%d seconds ago") % seconds
    if seconds < 7200:
        return tk._("%d minutes ago") % (seconds // 60)
    return tk._("%d hours ago") % (seconds // 3600)


def regionaliot_feed_days_ago(days: int) -> str:
    """The start of a link's time range (ISO 8601, UTC)."""
    start = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=days)
    return start.replace(microsecond=0).isoformat()


# The anonymous panel's latest values, kept briefly: every home page view read them afresh.
# Keyed by the feeds the search found and their versions (an edited or new feed shows at
# once); new observations show within PANEL_SECONDS. Signed-in readers are never served it.
PANEL_SECONDS = 15
_panel = Memo(maxsize=16, ttl=PANEL_SECONDS)


def regionaliot_feed_water_levels() -> dict[str, Any]:
    """The home page's 「今の水位」 panel (overview.water_levels), with ``unavailable``
    when the values could not be read: one search, then one query for every feed's
    latest values (the search's datasets are used as they are)."""
    anonymous = not tk.current_user.is_authenticated
    packages = service.search_feeds({"user": "" if anonymous else tk.current_user.name})
    if packages is None:
        return dict(overview.water_levels([]), unavailable=True)

    def compute() -> tuple[list[dict[str, Any]], bool]:
        return service.latest_of_found(packages)

    if anonymous:
        key = tuple((p["id"], p.get("metadata_modified")) for p in packages)
        # A failed read is not kept: the next view tries again.
        latest, unavailable = _panel.get(key, compute, keep=lambda value: not value[1])
    else:
        latest, unavailable = compute()
    panel = overview.water_levels(latest)
    panel["unavailable"] = unavailable
    return panel
