"""The demo stories of 「データから見えるもの」 (stories.json), through the plugin's actions
(the core imports nothing of the feature): created when missing, updated when a seeded
field differs, left alone otherwise."""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk

SEED_DIR = Path(__file__).parent
FIELDS = ("title", "title_en", "lead", "lead_en", "body", "body_en", "categories", "state")


def specs() -> list[dict[str, Any]]:
    return json.loads((SEED_DIR / "stories.json").read_text(encoding="utf-8"))["stories"]


def _first_resource(context: Callable[[], dict], dataset: str) -> dict[str, Any]:
    package = tk.get_action("package_show")(context(), {"id": dataset})
    if not package.get("resources"):
        raise tk.ObjectNotFound(dataset)
    return package["resources"][0]


def wanted(context: Callable[[], dict], spec: dict[str, Any]) -> dict[str, Any]:
    """The story's fields with the demo datasets' names replaced by resource ids."""
    blocks = []
    for block in spec["blocks"]:
        block = dict(block)
        for key in ("resource", "population_resource"):
            if block.get(key):
                block[key] = _first_resource(context, block[key])["id"]
        blocks.append(block)
    return {**{k: spec[k] for k in FIELDS if k in spec}, "name": spec["name"],
            "organizations": spec["organizations"], "blocks": blocks}


def load(context: Callable[[], dict]) -> list[tuple[str, str]]:
    """(name, created | updated | unchanged) of each demo story (key figures are computed
    from their resource when the page is shown, not stored)."""
    out = []
    for spec in specs():
        data = wanted(context, spec)
        try:
            current = tk.get_action("regionaliot_story_show")(context(), {"id": data["name"]})
        except tk.ObjectNotFound:
            tk.get_action("regionaliot_story_create")(context(), data)
            out.append((data["name"], "created"))
            continue
        same = all(current.get(k) == data.get(k) for k in (*FIELDS, "blocks")) and \
            [o["name"] for o in current["organizations"]] == data["organizations"]
        if same:
            out.append((data["name"], "unchanged"))
        else:
            tk.get_action("regionaliot_story_update")(context(), dict(data, id=current["id"]))
            out.append((data["name"], "updated"))
    return out
