"""The hackathon page (/hackathon): the API, its limits, the licences and one worked
example built from a table that this portal really serves (its id, a Japanese word and a
filter from its first row), so the example runs as it is shown."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.datastore.helpers import datastore_search_sql_enabled
from ckanext.regionaliot.lib import config

from . import counting, helpers, total

# A table whose examples read well: a standard dataset's first, then any loaded table
# (datastore_active is not an indexed field: the newest datasets are looked through).
_EXAMPLE_QUERIES = ("standard_dataset:[* TO *]", "")


def example_resource() -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(dataset, resource) of a public table in the DataStore, or None."""
    search = tk.get_action("package_search")
    for fq in _EXAMPLE_QUERIES:
        try:
            found = search({}, {"fq": fq, "rows": 50, "sort": "metadata_modified desc"})
        except (tk.ValidationError, tk.NotAuthorized):
            continue
        for dataset in found["results"]:
            if dataset.get("private"):
                continue
            for resource in dataset.get("resources", []):
                if resource.get("datastore_active"):
                    return dataset, resource
    return None


def limits() -> list[dict[str, Any]]:
    """The limits in force, read from the configuration (CKAN's defaults otherwise)."""
    get = tk.config.get
    items = [
        {"name": tk._("Rows per datastore_search call (default)"),
         "value": get("ckan.datastore.search.rows_default", 100)},
        {"name": tk._("Rows per datastore_search call (largest limit)"),
         "value": get("ckan.datastore.search.rows_max", 32000)},
        {"name": tk._("Datasets per package_search call (largest rows)"),
         "value": get("ckan.search.rows_max", 1000)},
    ]
    threshold = counting.threshold(None, config.get_int(total.SETTING))
    if threshold:
        items.append({"name": tk._("Matching rows counted exactly in a search's total "
                                   "(above: an estimate)"), "value": threshold})
    if datastore_search_sql_enabled():
        items.append({"name": tk._("Rows per datastore_search_sql answer"),
                      "value": get("ckan.datastore.search.rows_max", 32000)})
    return items


def script(site: str, resource_id: str, word: str | None, filt: tuple[str, str] | None,
           dataset_name: str) -> str:
    """The worked example: a complete Python program (ckanapi) against this portal."""
    lines = [
        "# pip install ckanapi",
        "import csv",
        "import sys",
        "",
        "from ckanapi import RemoteCKAN",
        "",
        f"ckan = RemoteCKAN({site!r}, user_agent='hackathon-example/1.0')",
        "",
        "# 1. The dataset and its resources",
        f"dataset = ckan.action.package_show(id={dataset_name!r})",
        "print(dataset['title'], '/', dataset['organization']['title'])",
        "",
        "# 2. The table's columns and their types",
        f"table = ckan.action.datastore_search(resource_id={resource_id!r}, limit=0)",
        "print([(f['id'], f['type']) for f in table['fields']])",
        "",
    ]
    if word:
        lines += [f"# 3. Rows with 「{word}」 anywhere in them (part of a word is enough)",
                  f"found = ckan.action.datastore_search(resource_id={resource_id!r}, "
                  f"q={word!r}, limit=100)"]
    elif filt:
        lines += [f"# 3. Rows whose 「{filt[0]}」 is 「{filt[1]}」",
                  f"found = ckan.action.datastore_search(resource_id={resource_id!r}, "
                  f"filters={{{filt[0]!r}: {filt[1]!r}}}, limit=100)"]
    else:
        lines += ["# 3. The first 100 rows",
                  f"found = ckan.action.datastore_search(resource_id={resource_id!r}, "
                  "limit=100)"]
    lines += [
        "print(found['total'], 'rows (estimate)' if found['total_was_estimated'] else 'rows')",
        "",
        "# 4. Written as CSV (UTF-8 with BOM, so Excel opens it in Japanese)",
        "columns = [f['id'] for f in found['fields'] if f['id'] != '_id']",
        "out = csv.DictWriter(sys.stdout, fieldnames=columns, extrasaction='ignore')",
        "sys.stdout.write('\\ufeff')",
        "out.writeheader()",
        "out.writerows(found['records'])",
    ]
    return "\n".join(lines) + "\n"


def page() -> dict[str, Any]:
    site = tk.h.url_for("home.index", _external=True).rstrip("/")
    if site.endswith(("/ja", "/en")):
        site = site[:-3]
    api = tk.h.url_for("api.action", ver=3, logic_function="package_search", _external=True)
    example = None
    found = example_resource()
    if found:
        dataset, resource = found
        box = helpers.regionaliot_datastore_api(resource["id"])
        if box:
            first = tk.get_action("datastore_search")({}, {"resource_id": resource["id"],
                                                           "limit": 1})
            fields = [f for f in first["fields"] if f["id"] != "_id"]
            row = (first.get("records") or [{}])[0]
            word = helpers.japanese_word(row, fields)
            filt = helpers.filter_example(row, fields)
            example = {"dataset": dataset, "resource": resource, "box": box,
                       "script": script(box["site"], resource["id"], word, filt,
                                        dataset["name"])}
    try:
        licenses = tk.get_action("license_list")({}, {})
    except tk.NotAuthorized:
        licenses = []
    return {"site": site, "api_base": api.split("/package_search")[0], "example": example,
            "limits": limits(), "licenses": licenses,
            "total_threshold": counting.threshold(None, config.get_int(total.SETTING)),
            "sql_enabled": datastore_search_sql_enabled()}
