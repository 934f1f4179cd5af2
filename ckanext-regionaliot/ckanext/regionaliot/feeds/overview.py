"""What the /feeds index and the home page's 「今の水位」 panel show, from the latest values
of every feed (the results of regionaliot_feed_latest), without CKAN.

A river gauge shows its level and state (氾濫注意水位 / 氾濫危険水位); an underpass is
listed only when it is flooded or about to be (冠水注意 / 冠水). A stale value (older than
three observation intervals) keeps its state but is marked, and never raises the panel's
overall state: an alarm from yesterday's reading is not today's.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .observations import DANGER, NO_DATA, STATE_ORDER, WARNING

__all__ = ["water_levels", "sensors", "RIVER", "UNDERPASS"]

RIVER = "river_level"
UNDERPASS = "underpass"
# The panel shows at most this many gauges (alerts first); the rest are on /feeds.
MAX_GAUGES = 12


def _rank(sensor: Mapping[str, Any]) -> int:
    """Current alerts first (danger, then warning); the rest keep their feed's order
    (upstream to downstream for the demo's gauges)."""
    state = sensor.get("state", NO_DATA)
    if sensor.get("stale") or state not in (WARNING, DANGER):
        return 0
    return STATE_ORDER.index(state)


def sensors(feeds: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Every sensor of every feed with its feed's name and title (for links and the map)."""
    out = []
    for feed in feeds:
        for sensor in feed.get("sensors") or []:
            out.append(dict(sensor, feed=feed.get("feed"), feed_title=feed.get("title")))
    return out


def water_levels(feeds: Iterable[Mapping[str, Any]], max_gauges: int = MAX_GAUGES) -> dict[str, Any]:
    """The panel: river gauges (alerts first, then in feed order), flooded underpasses,
    how many underpasses report, and the overall state of what is current."""
    every = sensors(feeds)
    gauges = [s for s in every if s.get("kind") == RIVER]
    underpasses = [s for s in every if s.get("kind") == UNDERPASS]
    flooded = [s for s in underpasses if s.get("state") in (WARNING, DANGER)]
    current = [s.get("state", NO_DATA) for s in gauges + underpasses if not s.get("stale")]
    ordered = sorted(enumerate(gauges), key=lambda pair: (-_rank(pair[1]), pair[0]))
    reporting = [s for s in underpasses if s.get("state") != NO_DATA and not s.get("stale")]
    return {
        "gauges": [s for _index, s in ordered[:max_gauges]],
        "more_gauges": max(len(gauges) - max_gauges, 0),
        "flooded": sorted(flooded, key=lambda s: -_rank(s)),
        "underpasses": len(underpasses),
        "underpasses_reporting": len(reporting),
        "state": max(current, key=STATE_ORDER.index, default=NO_DATA),
        "stale": sum(1 for s in gauges + underpasses if s.get("stale")),
        "empty": not gauges and not underpasses,
    }

