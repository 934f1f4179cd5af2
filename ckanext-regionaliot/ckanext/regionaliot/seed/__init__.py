"""The consortium's content, loaded idempotently by ``ckan regionaliot seed``.

- organizations.json: the ten members of 高梁川流域連携中枢都市圏 and the consortium;
- the 17 分類 groups: the choices of the ``regionaliot_category`` preset
  (schemas/ckan/presets.yaml), so groups and the dataset field cannot drift apart;
- datasets.json + demo/*.csv: demo datasets (tag ``demo``, ``is_demo``), whose CSVs
  are uploaded to the filestore so they are real files;
- ideas.json: demo ideas of the アイデアボックス with votes, comments and staff replies,
  when the plugin regionaliot_ideas is on (written by its ideas/demo.py).

Each object is looked up by name; it is created when missing, patched when one of
the seeded fields differs, and left alone otherwise, so a second run changes nothing.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk

SEED_DIR = Path(__file__).parent
DEMO_DIR = SEED_DIR / "demo"
DEMO_TAG = "demo"

_ = tk._


class SeedError(Exception):
    pass


@dataclass(frozen=True)
class Change:
    kind: str  # organization | group | dataset | resource | idea
    name: str
    action: str  # created | updated | unchanged


# --- content -----------------------------------------------------------------

def _read_json(name: str) -> dict:
    return json.loads((SEED_DIR / name).read_text(encoding="utf-8"))


def organizations() -> list[dict]:
    data = _read_json("organizations.json")
    defaults = data.get("defaults", {})
    out = []
    for org in data["organizations"]:
        d = {k: v for k, v in org.items() if k != "center"}
        for key, value in defaults.items():
            d.setdefault(key, value)
        out.append(d)
    return out


def member_centers() -> dict[str, tuple[float, float]]:
    return {o["name"]: tuple(o["center"]) for o in _read_json("organizations.json")["organizations"]
            if "center" in o}


def _presets() -> list[dict]:
    import regionaliot.schemas
    import yaml

    path = Path(regionaliot.schemas.__file__).parent / "ckan" / "presets.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))["presets"]


def categories() -> list[dict]:
    """The 17 分類 as group dicts, from the regionaliot_category preset."""
    preset = next(p for p in _presets() if p["preset_name"] == "regionaliot_category")
    return [
        {"name": c["value"], "title": c["label"]["ja"], "title_en": c["label"]["en"]}
        for c in preset["values"]["choices"]
    ]


def _bbox_polygon(lon: float, lat: float, half: float = 0.1) -> str:
    ring = [[lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half],
            [lon - half, lat + half], [lon - half, lat - half]]
    ring = [[round(x, 4), round(y, 4)] for x, y in ring]
    return json.dumps({"type": "Polygon", "coordinates": [ring]}, separators=(",", ":"))


def demo_datasets() -> list[dict]:
    """Dataset dicts (owner_org by name) with their resource spec under ``_resource``."""
    data = _read_json("datasets.json")
    common = data.get("common", {})
    orgs = {o["name"]: o for o in organizations()}
    centers = member_centers()
    out = []
    for spec in data["datasets"]:
        org = orgs[spec["owner_org"]]
        fill = {"org": org["title"], "org_name": org["name"]}
        d = {k: spec[k] for k in ("name", "title", "title_en", "notes", "notes_en", "owner_org",
                                  "category", "standard_dataset", "frequency") if k in spec}
        d.update({
            "license_id": common.get("license_id", "cc-by-4.0"),
            "temporal_start": common.get("temporal_start"),
            "temporal_end": common.get("temporal_end"),
            "contact_name": common["contact_name"].format(**fill),
            "contact_email": common["contact_email"].format(**fill),
            "spatial": _bbox_polygon(*centers[org["name"]]),
            "tags": [{"name": t} for t in [*spec.get("tags", []), DEMO_TAG]],
            "groups": [{"name": spec["category"]}],
            "is_demo": True,
        })
        d["_resource"] = dict(spec["resource"], standard_schema=spec["standard_dataset"])
        out.append(d)
    return out


def demo_ideas() -> list[dict]:
    """The demo ideas' records (see ideas.json's comment)."""
    return _read_json("ideas.json")["ideas"]


# --- loading -----------------------------------------------------------------

def _same(key: str, current: Any, wanted: Any) -> bool:
    if key in ("tags", "groups"):
        return {t["name"] for t in current or []} == {t["name"] for t in wanted or []}
    if key == "spatial":
        try:
            return json.loads(current) == json.loads(wanted)
        except (TypeError, ValueError):
            return False
    if isinstance(wanted, bool):
        return tk.asbool(current) == wanted
    return (current or None) == (wanted or None)


def _differs(current: dict, wanted: dict) -> list[str]:
    return [k for k, v in wanted.items() if not _same(k, current.get(k), v)]


class Seeder:
    def __init__(self, user: str, echo: Callable[[str], Any] | None = None):
        self.user = user
        self.echo = echo or (lambda msg: None)
        self.changes: list[Change] = []

    def context(self) -> dict:
        # A fresh context per call: actions mutate it (e.g. "package", "schema").
        return {"user": self.user}

    def _record(self, kind: str, name: str, action: str) -> None:
        self.changes.append(Change(kind, name, action))
        labels = {"organization": _("organization"), "group": _("group"),
                  "dataset": _("dataset"), "resource": _("resource"), "idea": _("idea")}
        actions = {"created": _("created"), "updated": _("updated"), "unchanged": _("unchanged")}
        if action != "unchanged":
            self.echo(_("{kind} {name}: {action}").format(
                kind=labels[kind], name=name, action=actions[action]))

    def _upsert(self, kind: str, prefix: str, wanted: dict) -> dict:
        try:
            current = tk.get_action(f"{prefix}_show")(self.context(), {"id": wanted["name"]})
        except tk.ObjectNotFound:
            current = None
        if current is None:
            result = tk.get_action(f"{prefix}_create")(self.context(), dict(wanted))
            self._record(kind, wanted["name"], "created")
            return result
        changed = _differs(current, wanted)
        if current.get("state") != "active":
            wanted = dict(wanted, state="active")
            changed.append("state")
        if not changed:
            self._record(kind, wanted["name"], "unchanged")
            return current
        result = tk.get_action(f"{prefix}_patch")(
            self.context(), dict(wanted, id=current["id"]))
        self._record(kind, wanted["name"], "updated")
        return result

    def organizations(self) -> dict[str, dict]:
        return {o["name"]: self._upsert("organization", "organization", o)
                for o in organizations()}

    def groups(self) -> dict[str, dict]:
        return {g["name"]: self._upsert("group", "group", g) for g in categories()}

    def datasets(self, orgs: dict[str, dict]) -> None:
        from ckan.lib import uploader

        if not uploader.get_storage_path():
            raise SeedError(_("ckan.storage_path is not set, so the demo CSVs cannot be "
                              "uploaded. Set it or run with --no-demo."))
        for d in demo_datasets():
            res_spec = d.pop("_resource")
            d["owner_org"] = orgs[d["owner_org"]]["id"]
            pkg = self._upsert("dataset", "package", d)
            self._resource(pkg, res_spec)

    def _resource(self, pkg: dict, spec: dict) -> None:
        from werkzeug.datastructures import FileStorage

        content = (DEMO_DIR / spec["file"]).read_bytes()
        md5 = hashlib.md5(content).hexdigest()
        wanted = {"name": spec["name"], "format": "CSV",
                  "encoding": spec.get("encoding", "utf-8-sig"),
                  "standard_schema": spec["standard_schema"]}
        current = next((r for r in pkg.get("resources", []) if r.get("name") == spec["name"]), None)
        if current and not _differs(current, wanted) and self._stored_file_matches(current, md5):
            self._record("resource", f"{pkg['name']}/{spec['file']}", "unchanged")
            return
        # No `hash` here: ckanext-xloader skips a file whose hash is already recorded,
        # and the demo data must reach the DataStore.
        data = dict(wanted, url=spec["file"], package_id=pkg["id"],
                    upload=FileStorage(stream=io.BytesIO(content), filename=spec["file"],
                                       content_type="text/csv"))
        if current:
            tk.get_action("resource_patch")(self.context(), dict(data, id=current["id"]))
            self._record("resource", f"{pkg['name']}/{spec['file']}", "updated")
        else:
            tk.get_action("resource_create")(self.context(), data)
            self._record("resource", f"{pkg['name']}/{spec['file']}", "created")

    def ideas(self) -> None:
        """The demo ideas, when the idea box is on (its tables exist only then)."""
        import ckan.plugins as p

        if not p.plugin_loaded("regionaliot_ideas"):
            return
        from ckanext.regionaliot.ideas import demo as idea_demo

        for title, action in idea_demo.load(demo_ideas()):
            self._record("idea", title, action)

    def stories(self) -> None:
        """The demo stories (stories.json), when regionaliot_stories is on (its table
        exists only then); written through the plugin's actions (seed/stories.py)."""
        import ckan.plugins as p

        if not p.plugin_loaded("regionaliot_stories"):
            return
        from . import stories

        for name, action in stories.load(self.context):
            self.changes.append(Change("story", name, action))
            if action != "unchanged":
                self.echo(_("story {name}: {action}").format(name=name, action=_(action)))

    @staticmethod
    def _stored_file_matches(resource: dict, md5: str) -> bool:
        """True when the filestore holds exactly this content (not just the metadata)."""
        from ckan.lib import uploader

        if resource.get("url_type") != "upload":
            return False
        upload = uploader.get_resource_uploader(resource)
        get_path = getattr(upload, "get_path", None)
        if get_path is None:  # a non-filesystem uploader: cannot compare, so upload again
            return False
        path = get_path(resource["id"])
        if not os.path.exists(path):
            return False
        with open(path, "rb") as f:
            return hashlib.md5(f.read()).hexdigest() == md5


def run(user: str, demo: bool = True, echo: Callable[[str], Any] | None = None) -> list[Change]:
    """Seed organizations and groups, plus the demo datasets unless ``demo`` is False."""
    seeder = Seeder(user, echo)
    orgs = seeder.organizations()
    seeder.groups()
    if demo:
        seeder.datasets(orgs)
        seeder.ideas()
        seeder.stories()
    return seeder.changes
