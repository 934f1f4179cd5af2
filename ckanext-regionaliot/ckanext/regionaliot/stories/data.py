"""The rows a block reads: from the DataStore (``datastore_search``, as the reader: a
private resource stays private) or, for an uploaded CSV not yet in the DataStore, from the
file. Rows are kept per resource and version (its last modification) in this process, so a
changed resource is read again.
"""
from __future__ import annotations

import os
import threading
from collections import OrderedDict
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.regionaliot.lib import config

from ..lib.charts.aggregate import AggregationError, read_csv
from . import cache

PAGE = 32000  # rows per datastore_search call
CACHE_ENTRIES = 32
_cache: OrderedDict[tuple, tuple[list[str], list[dict[str, Any]]]] = OrderedDict()
_lock = threading.Lock()


def max_rows() -> int:
    return config.get_int("ckanext.regionaliot.stories.max_rows")


def resource(context: dict[str, Any], resource_id: str) -> dict[str, Any]:
    """The resource, or AggregationError when it does not exist or the reader may not
    see it (the same message: a private resource's existence is not revealed).

    CKAN's own resource_show authorisation, without the action itself: resource_show
    builds the whole dataset (package_show, a Solr request), which was most of a cached
    chart's time (bench/stories)."""
    found = model.Resource.get(resource_id) if resource_id else None
    if found is None or found.state != "active" or found.package is None \
            or found.package.state != "active":
        raise AggregationError("Resource not found: {id}", id=resource_id)
    try:
        tk.check_access("resource_show", dict(context), {"id": found.id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        raise AggregationError("Resource not found: {id}", id=resource_id) from None
    return as_dict(found)


def public(resource_id: str) -> dict[str, Any] | None:
    """The resource when everyone may read it (active, in an active public dataset), else
    None; the cached answers' check for anonymous readers (answers.py)."""
    found = model.Resource.get(resource_id) if resource_id else None
    if found is None or found.state != "active" or found.package is None \
            or found.package.state != "active" or found.package.private:
        return None
    return as_dict(found)


def as_dict(found: model.Resource) -> dict[str, Any]:
    extras = found.extras or {}
    return {"id": found.id, "package_id": found.package_id, "name": found.name,
            "url": found.url, "url_type": found.url_type, "format": found.format,
            "last_modified": found.last_modified.isoformat() if found.last_modified else None,
            "metadata_modified": found.metadata_modified.isoformat()
            if found.metadata_modified else None,
            "datastore_active": tk.asbool(extras.get("datastore_active", False)),
            # not part of version(): a dataset's edit does not make figures stale
            "package_modified": found.package.metadata_modified.isoformat()
            if found.package is not None and found.package.metadata_modified else None}


def version(res: dict[str, Any]) -> tuple[str, str, bool, str]:
    """What changes when the resource's data changes: a new upload or DataStore load
    moves last_modified / metadata_modified; rows written through the DataStore actions
    alone replace the rows token (cache.rows_token)."""
    active = bool(res.get("datastore_active"))
    return (res["id"], str(res.get("last_modified") or res.get("metadata_modified")),
            active, cache.rows_token(res["id"]) if active else "")


def rows(context: dict[str, Any], resource_id: str) -> tuple[list[str], list[dict[str, Any]],
                                                             dict[str, Any]]:
    """(header, rows, resource) of a resource."""
    return rows_of(context, resource(context, resource_id))


def rows_of(context: dict[str, Any], res: dict[str, Any]
            ) -> tuple[list[str], list[dict[str, Any]], dict[str, Any]]:
    """(header, rows, resource) of a resource already looked up (as the reader)."""
    version_key = version(res)
    with _lock:
        hit = _cache.get(version_key)
        if hit is not None:
            _cache.move_to_end(version_key)
            return hit[0], hit[1], res
    if res.get("datastore_active"):
        header, data = _datastore(context, res["id"])
    elif res.get("url_type") == "upload" and (res.get("format") or "").upper() in ("CSV", ""):
        header, data = _upload(res)
    else:
        raise AggregationError(
            "The resource {name} is not in the DataStore and is not an uploaded CSV file.",
            name=res.get("name") or res["id"])
    with _lock:
        _cache[version_key] = (header, data)
        while len(_cache) > CACHE_ENTRIES:
            _cache.popitem(last=False)
    return header, data, res


def _datastore(context: dict[str, Any], resource_id: str
               ) -> tuple[list[str], list[dict[str, Any]]]:
    limit = max_rows()
    header: list[str] = []
    out: list[dict[str, Any]] = []
    while len(out) < limit:
        try:
            page = tk.get_action("datastore_search")(dict(context), {
                "resource_id": resource_id, "limit": min(PAGE, limit - len(out)),
                "offset": len(out), "include_total": False, "sort": "_id"})
        except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
            raise AggregationError("Resource not found: {id}", id=resource_id) from None
        if not header:
            header = [f["id"] for f in page.get("fields", []) if f["id"] != "_id"]
        records = page.get("records") or []
        out.extend(records)
        if len(records) < PAGE:
            break
    return header, out


def _upload(res: dict[str, Any]) -> tuple[list[str], list[dict[str, Any]]]:
    from ckan.lib import uploader

    upload = uploader.get_resource_uploader(res)
    get_path = getattr(upload, "get_path", None)
    path = get_path(res["id"]) if get_path else None
    if not path or not os.path.exists(path):
        raise AggregationError("The file of the resource {name} could not be read.",
                               name=res.get("name") or res["id"])
    # A file larger than this is left to the DataStore (xloader) rather than read here.
    if os.path.getsize(path) > config.get_int("ckanext.regionaliot.stories.max_file_bytes"):
        raise AggregationError(
            "The resource {name} is too large to read without the DataStore.",
            name=res.get("name") or res["id"])
    with open(path, "rb") as f:
        return read_csv(f.read(), max_rows())
