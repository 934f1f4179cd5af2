"""The KPI figures from what the portal holds today: organizations (lg_code, open-data terms
and catalogue URLs), public datasets with a ``standard_dataset``, the validation status of
their files (through the validation plugin's action only), and the imported national list.

Everything returned is plain JSON without translated text (snapshots store it as is);
texts.py words it in the reader's language.
"""
from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from typing import Any

import ckan.plugins.toolkit as tk
from regionaliot.harvesters import kpi

from ckanext.regionaliot.lib import config

from .model import NationalList

log = logging.getLogger(__name__)

# Why a member counts as engaged (取組済), in the order they are tried.
RULE_NATIONAL_LIST = "national_list"  # on デジタル庁's list
RULE_TERMS = "terms_of_use"  # 「オープンデータとしての利用規約を適用し、データを公開」
RULE_CATALOGUE = "catalogue"  # 「オープンデータであることを表示し、データの公開先を提示」
RULE_NONE = "none"
RULES = (RULE_NATIONAL_LIST, RULE_TERMS, RULE_CATALOGUE, RULE_NONE)

PAGE = 1000  # package_search rows per request


def _context() -> dict[str, Any]:
    return {"ignore_auth": True}


def prefecture_code() -> str:
    return config.get_str("ckanext.regionaliot.kpi.prefecture").strip() or "33"


def standard_kinds() -> list[dict[str, Any]]:
    """The standard datasets counted: the dataset schema's ``standard_dataset`` choices
    (less ``none``), or those named in ``ckanext.regionaliot.kpi.standard_datasets``."""
    try:
        schema = tk.get_action("scheming_dataset_schema_show")(_context(), {"type": "dataset"})
        field = next(f for f in schema["dataset_fields"] if f["field_name"] == "standard_dataset")
        choices = [{"name": c["value"], "label": c["label"]} for c in field.get("choices", [])
                   if c["value"] != "none"]
    except (KeyError, StopIteration, tk.ObjectNotFound):
        choices = []
    wanted = config.get_str("ckanext.regionaliot.kpi.standard_datasets").split()
    if wanted:
        known = {c["name"]: c for c in choices}
        choices = [known.get(name, {"name": name, "label": name}) for name in wanted]
    return choices


def _organizations() -> list[dict[str, Any]]:
    names = tk.get_action("organization_list")(_context(), {"all_fields": False})
    return [tk.get_action("organization_show")(_context(), {"id": name, "include_datasets": False,
                                                            "include_users": False})
            for name in names]


def _open_dataset_counts() -> dict[str, int]:
    """Public, active datasets per organization id (package_search sees only those)."""
    result = tk.get_action("package_search")(_context(), {
        "q": "*:*", "rows": 0, "facet.field": ["owner_org"], "facet.limit": -1,
        "include_private": False})
    items = result.get("search_facets", {}).get("owner_org", {}).get("items", [])
    return {item["name"]: int(item["count"]) for item in items}


def _standard_datasets(kinds: list[str]) -> list[dict[str, Any]]:
    if not kinds:
        return []
    fq = "standard_dataset:({})".format(" OR ".join(f'"{k}"' for k in kinds))
    found, start = [], 0
    while True:
        page = tk.get_action("package_search")(_context(), {
            "q": "*:*", "fq": fq, "rows": PAGE, "start": start, "sort": "id asc",
            "include_private": False})
        found.extend(page["results"])
        start += PAGE
        if start >= page["count"] or not page["results"]:
            return [d for d in found if d.get("standard_dataset") in kinds]


def _validation_statuses(dataset: dict[str, Any], show: Any) -> list[str]:
    """The statuses of the dataset's validated files (files never validated are left out)."""
    statuses = []
    for resource in dataset.get("resources") or []:
        try:
            record = show(_context(), {"id": resource["id"], "include_report": False})
        except (tk.ObjectNotFound, tk.ValidationError):
            continue
        statuses.append(record["status"])
    return statuses


def _validation_action() -> Any:
    try:
        return tk.get_action("resource_validation_show")
    except KeyError:  # regionaliot_validation is not loaded: nothing is validated
        return None


def _rule(org: dict[str, Any], entry: Any, open_datasets: int) -> tuple[str, str]:
    if entry is not None:
        return RULE_NATIONAL_LIST, entry.url
    if org.get("opendata_terms_url") and open_datasets:
        return RULE_TERMS, org["opendata_terms_url"]
    if org.get("opendata_catalog_url"):
        return RULE_CATALOGUE, org["opendata_catalog_url"]
    return RULE_NONE, ""


def compute() -> dict[str, Any]:
    """Everything regionaliot_kpi_show returns, untranslated."""
    kinds = standard_kinds()
    kind_names = [k["name"] for k in kinds]
    orgs = _organizations()
    counts = _open_dataset_counts()
    show = _validation_action()
    national_list = NationalList.latest()

    states: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for dataset in _standard_datasets(kind_names):
        statuses = _validation_statuses(dataset, show) if show else []
        states[dataset["owner_org"]][dataset["standard_dataset"]].append(
            kpi.dataset_state(statuses))

    members_orgs = [o for o in orgs if o.get("lg_code") and o.get("body_type") != "consortium"]
    consortium_org = next((o for o in orgs if o.get("body_type") == "consortium"), None)
    entries = national_list.entries([o["lg_code"] for o in members_orgs]) if national_list else {}

    members = []
    for org in sorted(members_orgs, key=lambda o: o["lg_code"]):
        open_datasets = counts.get(org["id"], 0)
        coverage = {name: kpi.best_state(states[org["id"]][name]) for name in kind_names}
        entry = entries.get(org["lg_code"])
        rule, url = _rule(org, entry, open_datasets)
        engaged = rule != RULE_NONE
        members.append({
            "name": org["name"], "title": org.get("title") or org["name"],
            "title_en": org.get("title_en") or "", "code": org["lg_code"],
            "engaged": engaged, "rule": rule, "url": url,
            "on_national_list": entry is not None,
            "datasets": open_datasets,
            "standard_datasets": sum(1 for s in coverage.values() if s in kpi.PUBLISHED),
            "validated": sum(1 for s in coverage.values() if s == kpi.VALIDATED),
            "coverage": coverage,
            "score": kpi.score(engaged, coverage, len(kind_names)),
        })

    consortium = kpi.consortium_figures(members)
    if consortium_org is not None:
        consortium.update(name=consortium_org["name"], title=consortium_org.get("title"),
                          title_en=consortium_org.get("title_en") or "")
        consortium["datasets"] += counts.get(consortium_org["id"], 0)

    national = None
    prefecture = None
    if national_list is not None:
        national = kpi.national_figures(national_list.codes())
        national.update(as_of=national_list.as_of.isoformat(), source=national_list.source,
                        imported=national_list.imported.isoformat(),
                        encoding=national_list.encoding)
        prefecture = next((p for p in national["prefectures"]
                           if p["code"] == prefecture_code()), None)

    return {
        "computed": datetime.datetime.utcnow().replace(microsecond=0).isoformat(),
        "standard_datasets": kinds,
        "members": members,
        "consortium": consortium,
        "prefecture": prefecture,
        "national": national,
        "formula": {"engaged_points": kpi.ENGAGED_POINTS,
                    "coverage_points": kpi.COVERAGE_POINTS,
                    "published_weight": float(kpi.PUBLISHED_WEIGHT),
                    "kinds": len(kind_names)},
    }
