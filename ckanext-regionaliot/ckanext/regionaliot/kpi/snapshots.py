"""Daily snapshots of the figures (the history and the chart)."""
from __future__ import annotations

import datetime
import json
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from regionaliot.harvesters import kpi

from ckanext.regionaliot.lib import clock

from . import figures
from .model import NationalList, Snapshot


def take(day: datetime.date | None = None) -> Snapshot:
    """Compute the figures and keep them as the ``day``'s (today's) snapshot; a second
    snapshot the same day replaces the first, so the cron line may run more than once."""
    day = day or today()
    data = figures.compute()
    row = Snapshot.get(day) or Snapshot(day=day)
    row.taken = datetime.datetime.utcnow()
    row.consortium_rate = data["consortium"]["rate"]
    row.mean_score = data["consortium"]["mean_score"]
    row.prefecture_rate = (data["prefecture"] or {}).get("rate")
    row.national_rate = (data["national"] or {}).get("rate")
    row.figures = json.dumps(data, ensure_ascii=False)
    model.Session.add(row)
    model.Session.commit()
    return row


def today() -> datetime.date:
    """The portal's day (ckan.display_timezone, Asia/Tokyo in our ini), not the server's
    UTC one: a snapshot taken at 08:00 JST is that day's, not yesterday's."""
    return clock.today(tk.h.get_display_timezone())


def day_of(instant: datetime.datetime | str) -> datetime.date:
    """The portal's day of a stored (UTC) time or its ISO text."""
    if isinstance(instant, str):
        instant = datetime.datetime.fromisoformat(instant)
    return clock.local_day(instant, tk.h.get_display_timezone())


def history(since: datetime.date | None = None, limit: int = 400) -> dict[str, Any]:
    """The snapshots (oldest first) and every imported national list (the national series
    reaches back before the first snapshot)."""
    return {
        "snapshots": [s.as_dict() for s in Snapshot.between(since, limit)],
        "national_lists": [{
            "as_of": n.as_of.isoformat(), "engaged": n.engaged,
            "rate": _rate(n.engaged), "source": n.source, "imported": n.imported.isoformat(),
        } for n in NationalList.all()],
    }


def _rate(engaged: int) -> float:
    return kpi.percent(engaged, kpi.NATIONAL_TOTAL)
