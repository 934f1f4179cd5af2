"""KPI actions: the figures, their history, and (sysadmins) importing the national list
from a URL and taking today's snapshot."""
from __future__ import annotations

import datetime
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.regionaliot.lib import config

from .. import figures, national, snapshots, texts
from . import schema as schemas

__all__ = ["regionaliot_kpi_show", "regionaliot_kpi_history",
           "regionaliot_kpi_import_national", "regionaliot_kpi_snapshot"]


def _validate(data_dict: dict[str, Any], schema: dict[str, Any], context: Any) -> dict[str, Any]:
    data, errors = tk.navl_validate(data_dict, schema, context)
    if errors:
        raise tk.ValidationError(errors)
    return data


@tk.side_effect_free
def regionaliot_kpi_show(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """The KPI today, from public datasets and the latest imported national list.

    :returns: ``members`` (name, title, ``code``, ``engaged``, ``rule`` — national_list,
        terms_of_use, catalogue or none —, ``reason``, ``url``, on_national_list,
        ``datasets`` (public datasets), standard_datasets, validated, ``coverage``
        {standard dataset: validated|pending|errors|unchecked|missing}, ``score`` 0–100),
        ``consortium`` (members, engaged, ``rate`` %, on_national_list, national_list_rate,
        datasets, mean_score), ``prefecture`` and ``national`` (engaged, total, rate,
        prefectures and municipalities, per-prefecture rates; null before a list is
        imported), ``standard_datasets`` and the score's ``formula``.
    """
    tk.check_access("regionaliot_kpi_show", context, data_dict)
    return texts.localise(figures.compute())


@tk.side_effect_free
def regionaliot_kpi_history(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Daily snapshots (oldest first) and the imported national lists.

    :param since: first day (YYYY-MM-DD), optional
    :param limit: most recent snapshots to return (default and maximum: the setting
        ckanext.regionaliot.kpi.history_max)
    :returns: ``snapshots`` (day, consortium_rate, prefecture_rate, national_rate,
        mean_score, scores by member code) and ``national_lists`` (as_of, engaged, rate)
    """
    tk.check_access("regionaliot_kpi_history", context, data_dict)
    data = _validate(data_dict, schemas.kpi_history_schema(), context)
    most = config.get_int("ckanext.regionaliot.kpi.history_max")
    limit = min(data.get("limit") or most, most)
    since = data.get("since")
    if isinstance(since, datetime.datetime):
        since = since.date()
    return snapshots.history(since, limit)


def regionaliot_kpi_import_national(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Import デジタル庁's list of engaged local governments from a URL (fetched through the
    portal's guarded fetch). Sysadmins only; the CLI also reads files.

    :param url: the list's CSV (UTF-8 with or without BOM, or Shift_JIS)
    :param as_of: the list's date (default: the date in its file name, else today)
    :returns: as_of, engaged, rows, encoding, problems (rows left out), replaced
    """
    tk.check_access("regionaliot_kpi_import_national", context, data_dict)
    data = _validate(data_dict, schemas.kpi_import_national_schema(), context)
    as_of = data.get("as_of")
    if isinstance(as_of, datetime.datetime):
        as_of = as_of.date()
    try:
        imported = national.import_sources([data["url"]], as_of)
    except national.ImportRefused as exc:
        raise tk.ValidationError({"url": [exc.text()]}) from None
    return national.summary(imported)


def regionaliot_kpi_snapshot(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Take today's snapshot now (replacing one taken earlier today). Sysadmins only.

    :returns: the snapshot (day, rates, mean_score)
    """
    tk.check_access("regionaliot_kpi_snapshot", context, data_dict)
    return snapshots.take().as_dict()
