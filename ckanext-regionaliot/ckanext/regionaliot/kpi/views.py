"""The dashboard /kpi and its CSV download /kpi.csv."""
from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, Response
from flask_babel import pgettext
from regionaliot.harvesters import kpi

from . import chart, snapshots, texts

__all__ = ["kpi_pages"]

_ = tk._

kpi_pages = Blueprint("regionaliot_kpi", __name__)


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name, "auth_user_obj": tk.current_user}


def _day(value: str) -> datetime.date:
    return datetime.date.fromisoformat(value[:10])


def _chart(figures: dict[str, Any], history: dict[str, Any]) -> chart.Chart:
    """Basin, prefecture and national rates and the mean score over time; today's live
    figures end each line."""
    today = snapshots.today()
    snaps = [s for s in history["snapshots"] if _day(s["day"]) < today]
    national = {_day(n["as_of"]): n["rate"] for n in history["national_lists"]}
    national.update({_day(s["day"]): s["national_rate"] for s in snaps
                     if s["national_rate"] is not None})
    basin = [(_day(s["day"]), s["consortium_rate"]) for s in snaps]
    prefecture = [(_day(s["day"]), s["prefecture_rate"]) for s in snaps
                  if s["prefecture_rate"] is not None]
    score = [(_day(s["day"]), s["mean_score"]) for s in snaps]
    basin.append((today, figures["consortium"]["rate"]))
    score.append((today, figures["consortium"]["mean_score"]))
    if figures["prefecture"]:
        prefecture.append((today, figures["prefecture"]["rate"]))
    if figures["national"]:
        national[today] = figures["national"]["rate"]
    pref_name = texts.label({"ja": (figures["prefecture"] or {}).get("name"),
                             "en": (figures["prefecture"] or {}).get("name_en")}) or _("Prefecture")
    return chart.layout([
        chart.Series("basin", _("The basin"), basin),
        chart.Series("prefecture", pref_name, prefecture),
        chart.Series("national", _("Japan"), sorted(national.items())),
        chart.Series("score", _("Mean score of the members"), score),
    ])


def index():
    figures = tk.get_action("regionaliot_kpi_show")(_context(), {})
    history = tk.get_action("regionaliot_kpi_history")(_context(), {})
    return tk.render("regionaliot/kpi/index.html", {
        "kpi": figures, "chart": _chart(figures, history),
        "states": kpi.STATES, "totals": {"national": kpi.NATIONAL_TOTAL},
    })


def download():
    figures = tk.get_action("regionaliot_kpi_show")(_context(), {})
    kinds = figures["standard_datasets"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_("Local government code"), pgettext("consortium", "Name"), _("Engaged"), _("Rule"),
                     _("Reason"), _("URL"), _("On the national list"), _("Open datasets"),
                     _("Standard datasets published"), _("Standard datasets validated"),
                     _("Score"), *[texts.label(k["label"]) for k in kinds]])
    for m in figures["members"]:
        writer.writerow([m["code"], m["title"], _("Yes") if m["engaged"] else _("No"),
                         texts.rule_label(m["rule"]), m["reason"], m["url"],
                         _("Yes") if m["on_national_list"] else _("No"), m["datasets"],
                         m["standard_datasets"], m["validated"], m["score"],
                         *[texts.state_label(m["coverage"][k["name"]]) for k in kinds]])
    day = snapshots.day_of(figures["computed"]).isoformat()
    # With a BOM: Excel (the usual reader in municipal offices) then opens it as UTF-8.
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition":
                             f'attachment; filename="regionaliot-kpi-{day}.csv"'})


kpi_pages.add_url_rule("/kpi", view_func=index, endpoint="index")
kpi_pages.add_url_rule("/kpi.csv", view_func=download, endpoint="download")
