"""The dataset page's schema.org JSON-LD: what ckanext-dcat's ``h.structured_data`` writes,
made cheaper in two ways (bench/web, issue 7).

- Kept per dataset version (metadata_modified changes with every edit of the dataset or its
  resources) and language, for anonymous readers of public datasets only: a signed-in
  reader may see fields or datasets others may not. An organization renamed shows in it
  within the TTL.
- A miss serialises with an RDF serializer made once per thread. Making one loads its
  profiles through ``importlib.metadata.entry_points()``, which reads the metadata of every
  installed distribution (about 3,400 files here): 27 of a miss's 41 ms in bench/web's
  profile of the dataset page, paid on every page of a dataset not seen for five minutes.
"""
from __future__ import annotations

import threading
from typing import Any

import ckan.plugins.toolkit as tk
import simplejson

from ckanext.dcat.processors import RDFSerializer
from ckanext.regionaliot.lib.i18n import current_lang
from ckanext.regionaliot.lib.memo import Memo

KEPT_SECONDS = 300
kept = Memo(maxsize=512, ttl=KEPT_SECONDS)

_serializers = threading.local()


def dataset_jsonld(dataset_dict: dict[str, Any]) -> str:
    if (tk.current_user.is_authenticated or dataset_dict.get("private")
            or not dataset_dict.get("id") or not dataset_dict.get("metadata_modified")):
        return serialize(dataset_dict)
    key = (dataset_dict["id"], dataset_dict["metadata_modified"], current_lang())
    return kept.get(key, lambda: serialize(dataset_dict))


def serialize(dataset_dict: dict[str, Any]) -> str:
    """The text ckanext-dcat's structured_data helper returns for this dataset."""
    profiles = _profiles()
    by_profiles = _serializers.__dict__.setdefault("by_profiles", {})
    serializer = by_profiles.get(profiles)
    if serializer is None:
        serializer = by_profiles[profiles] = RDFSerializer(profiles=list(profiles))
    # The profiles add their triples to serializer.g (its documented graph): a fresh one per
    # dataset, of the class the serializer made, or one dataset's triples join the next's.
    serializer.g = type(serializer.g)()
    output = serializer.serialize_dataset(dataset_dict, _format="jsonld")
    try:
        document = simplejson.loads(output)
    except ValueError:
        return output
    # As ckanext-dcat formats it: sorted, indented, and safe inside <script> (<, >, & escaped).
    return simplejson.dumps(document, sort_keys=True, indent=4, separators=(",", ": "),
                            cls=simplejson.JSONEncoderForHTML)


def _profiles() -> tuple[str, ...]:
    configured = tk.config.get("ckanext.dcat.structured_data.profiles") or ["schemaorg"]
    if isinstance(configured, str):
        configured = configured.split()
    return tuple(configured)
