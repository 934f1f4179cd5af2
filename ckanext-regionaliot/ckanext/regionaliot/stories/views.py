"""Pages of 「データから見えるもの」: /stories (filters, pages), a story's page (its blocks
computed on the server, sources, the figures of each chart as CSV), and the staff's form
with a preview.

Every page calls the actions; every form is a POST with CKAN's CSRF token (CKAN's
CSRFProtect refuses a POST without it).
"""
from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.helpers import Page
from flask import Blueprint, make_response

from ckanext.regionaliot.lib import config
from ckanext.regionaliot.lib.i18n import current_lang

from ..lib.charts import aggregate, svg
from . import blocks, render
from . import data as story_data

__all__ = ["stories"]

_ = tk._

stories = Blueprint("regionaliot_stories", __name__)

FILTERS = ("organization", "category")
# What a chart picked from lists can be (a per-10,000 rate needs its population columns:
# written by hand).
PICKER_AGGREGATIONS = ("sum", "count", "mean", "timeseries", "share", "pyramid")
FORM_FIELDS = ("name", "title", "title_en", "lead", "lead_en", "body", "body_en", "cover_url",
               "cover_alt", "blocks", "state")


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name, "auth_user_obj": tk.current_user}


def _int(value: str | None, default: int) -> int:
    try:
        return max(1, int(value or default))
    except ValueError:
        return default


def index():
    args = tk.request.args
    params = {key: args.get(key, "") for key in FILTERS if args.get(key)}
    page = min(_int(args.get("page"), 1), 50_000)
    limit = config.get_int("ckanext.regionaliot.stories.page_size")
    try:
        result = tk.get_action("regionaliot_story_list")(
            _context(), dict(params, limit=limit, offset=(page - 1) * limit))
    except tk.ValidationError:
        params, result = {}, tk.get_action("regionaliot_story_list")(_context(), {})

    def pager_url(q: Any = None, page: int = 1) -> str:
        return tk.h.url_for("regionaliot_stories.index", page=page, **params)

    pager = Page(collection=result["results"], page=page, url=pager_url,
                 item_count=result["count"], items_per_page=limit, presliced_list=True)
    try:
        tk.check_access("regionaliot_story_create", _context(), {})
        can_write = True
    except tk.NotAuthorized:
        can_write = False
    return tk.render("regionaliot/stories/index.html", {
        "result": result, "params": params, "page": pager, "can_write": can_write})


def _layout(story: dict[str, Any]) -> list[tuple[str, Any]]:
    lang = current_lang()
    body = story.get("body_en") if lang == "en" and story.get("body_en") else story.get("body")
    return blocks.layout(body or "", len(story.get("blocks") or []))


def read(name: str):
    try:
        story = tk.get_action("regionaliot_story_show")(_context(), {"id": name})
    except (tk.ObjectNotFound, tk.ValidationError):
        return tk.abort(404, _("Story not found"))
    computed = render.blocks(_context(), story, current_lang())
    return tk.render("regionaliot/stories/read.html", {
        "story": story, "computed": computed, "layout": _layout(story),
        "sources": _sources(computed)})


def _sources(computed: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The datasets behind the blocks, once each, with their titles."""
    seen: dict[str, dict[str, Any]] = {}
    for block in computed:
        src = block.get("source")
        if not src or not src.get("package_id") or src["package_id"] in seen:
            continue
        try:
            package = tk.get_action("package_show")(_context(), {"id": src["package_id"]})
        except (tk.ObjectNotFound, tk.NotAuthorized):
            continue
        seen[src["package_id"]] = package
    return list(seen.values())


def csv_download(name: str, block: int):
    try:
        figures = tk.get_action("regionaliot_chart_data")(_context(),
                                                         {"id": name, "block": block})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, _("Story not found"))
    except tk.ValidationError as e:
        return tk.abort(400, " ".join(str(m) for msgs in e.error_dict.values() for m in msgs))
    result = aggregate.Result("csv", figures["headers"][0], figures["headers"][1:],
                              [(row[0], row[1:]) for row in figures["rows"]])
    text = aggregate.to_csv(result, figures["headers"])
    response = make_response("\ufeff" + text)  # BOM: spreadsheet programs read UTF-8
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = \
        f'attachment; filename="{_safe_filename(name)}-{block}.csv"'
    return response


def _safe_filename(name: str) -> str:
    return "".join(c for c in name if c.isalnum() or c in "-_") or "story"


def _form_data() -> dict[str, Any]:
    form = tk.request.form
    data = {key: form.get(key, "") for key in FORM_FIELDS}
    data["organizations"] = form.getlist("organizations")
    data["categories"] = form.getlist("categories")
    return data


def _preview(data: dict[str, Any]) -> dict[str, Any]:
    """The story as it would look, without saving (blocks that do not pass their
    checks are listed as errors, the others computed)."""
    parsed, errors = blocks.parse(data.get("blocks"))
    story = dict(data, blocks=parsed if not errors else [])
    computed = render.blocks(_context(), story, current_lang())
    return {"story": story, "computed": computed, "layout": _layout(story),
            "errors": [render.message(m, p) for m, p in errors]}


PICKER_ROWS = 200  # datasets listed in the picker (the editor's own first)


def _picker_resources(context: dict[str, Any]) -> list[tuple[str, str]]:
    """(resource id, "dataset / resource") the editor may read that a chart can use (in
    the DataStore, or an uploaded CSV), through the Action API as the editor."""
    try:
        found = tk.get_action("package_search")(dict(context), {
            "rows": PICKER_ROWS, "include_private": True, "sort": "title_string asc"})
    except (tk.ValidationError, tk.NotAuthorized):
        return []
    out = []
    for package in found["results"]:
        for res in package.get("resources") or []:
            usable = res.get("datastore_active") or (
                res.get("url_type") == "upload" and (res.get("format") or "").upper() == "CSV")
            if usable:
                out.append((res["id"], f"{package.get('title') or package['name']} / "
                                       f"{res.get('name') or res['id']}"))
    return out


def _picker_columns(context: dict[str, Any], resource_id: str) -> list[str]:
    """The resource's columns, as the editor (DataStore fields, or a CSV's header)."""
    if not resource_id:
        return []
    try:
        info = tk.get_action("datastore_search")(dict(context), {
            "resource_id": resource_id, "limit": 0, "include_total": False})
        return [f["id"] for f in info.get("fields", []) if f["id"] != "_id"]
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
        pass
    try:
        return story_data.rows(dict(context), resource_id)[0]
    except aggregate.AggregationError:
        return []


def _pick(form: Any) -> dict[str, str]:
    return {key: form.get(f"pick_{key}", "") for key in blocks.PICK_FIELDS}


def _form_values(story: dict[str, Any]) -> dict[str, Any]:
    data = {key: story.get(key) or "" for key in FORM_FIELDS}
    data["blocks"] = json.dumps(story.get("blocks") or [], ensure_ascii=False, indent=2)
    data["organizations"] = [o["name"] for o in story.get("organizations") or []]
    data["categories"] = story.get("categories") or []
    return data


def _edit(story: dict[str, Any] | None):
    context = _context()
    try:
        if story is None:
            tk.check_access("regionaliot_story_create", context, {})
        else:
            tk.check_access("regionaliot_story_update", context, {"id": story["id"]})
    except tk.NotAuthorized as e:
        return tk.abort(403, str(e) or _("Not authorized"))
    data = _form_values(story) if story else {"state": "draft", "blocks": "[]",
                                              "organizations": [], "categories": []}
    errors: dict[str, Any] = {}
    preview = None
    pick: dict[str, str] = {}
    if tk.request.method == "POST":
        data = _form_data()
        pick = _pick(tk.request.form)
        if "add_block" in tk.request.form:
            # The picker without JavaScript: the block joins the JSON, the preview shows it.
            data["blocks"], messages = blocks.add_chart(data["blocks"], pick)
            if messages:
                errors = {"blocks": [render.message(m, p) for m, p in messages]}
            else:
                pick = {}
            preview = _preview(data)
        elif "pick" in tk.request.form or "preview" in tk.request.form:
            preview = _preview(data)
        else:
            try:
                if story is None:
                    saved = tk.get_action("regionaliot_story_create")(context, dict(data))
                else:
                    saved = tk.get_action("regionaliot_story_update")(
                        context, dict(data, id=story["id"]))
            except tk.NotAuthorized as e:
                return tk.abort(403, str(e) or _("Not authorized"))
            except tk.ValidationError as e:
                errors = e.error_dict
            else:
                tk.h.flash_success(_("The story was saved."))
                return tk.redirect_to("regionaliot_stories.read", name=saved["name"])
    return tk.render("regionaliot/stories/edit.html", {
        "data": data, "errors": errors, "preview": preview, "story": story, "pick": pick,
        "picker_resources": _picker_resources(context),
        "picker_columns": _picker_columns(context, pick.get("resource", "")),
        "aggregations": PICKER_AGGREGATIONS, "charts": svg.CHART_TYPES[:2]})


def new():
    return _edit(None)


def edit(name: str):
    try:
        story = tk.get_action("regionaliot_story_show")(_context(), {"id": name})
    except (tk.ObjectNotFound, tk.ValidationError):
        return tk.abort(404, _("Story not found"))
    return _edit(story)


def withdraw(name: str):
    try:
        tk.get_action("regionaliot_story_delete")(_context(), {"id": name})
    except tk.ObjectNotFound:
        return tk.abort(404, _("Story not found"))
    except tk.NotAuthorized as e:
        return tk.abort(403, str(e) or _("Not authorized"))
    tk.h.flash_success(_("The story was withdrawn: readers no longer see it."))
    return tk.redirect_to("regionaliot_stories.index")


stories.add_url_rule("/stories", view_func=index)
stories.add_url_rule("/stories/new", view_func=new, methods=["GET", "POST"])
stories.add_url_rule("/stories/<name>", view_func=read)
stories.add_url_rule("/stories/<name>/edit", view_func=edit, methods=["GET", "POST"])
stories.add_url_rule("/stories/<name>/withdraw", view_func=withdraw, methods=["POST"])
stories.add_url_rule("/stories/<name>/blocks/<int:block>.csv", view_func=csv_download)
