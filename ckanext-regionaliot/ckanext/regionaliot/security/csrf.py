"""CSRF: state-changing harvest links become POST-only.

With ``ckan.csrf_protection.ignore_extensions = false`` (deploy/ckan.ini.template) CKAN
checks the token of every cookie-authenticated POST, the extensions' blueprints included;
requests authenticated by an API token are exempt (CKAN's own rule). A token check never
applies to GET, and ckanext-harvest 1.6.3 changes state on GET:

* ``/harvest/refresh/<id>`` and ``/harvest/clear/<id>`` accept GET and POST (harvest PR #452),
* ``/harvest/delete/<id>`` (GET) deletes the source, since the harvester blueprint's GET rule
  shadows the dataset confirmation page of the same URL,
* ``/harvest/<source>/job/<id>/abort`` is GET only, linked from a plain ``<a>``.

So an ``<img src=…>`` on any site could run, clear, delete or stop a harvest source as a
logged-in administrator. Here GET (and HEAD) on those endpoints answers 405, the abort gets a
POST rule of our own (calling harvest's own view), and templates/source/admin_base.html
turns "Stop" into CKAN's confirm-action button, which POSTs with the token. Reharvest,
Clear and Delete are already confirm-action buttons and POST to rules that exist.
"""
from __future__ import annotations

import ckan.plugins as plugins
import ckan.plugins.toolkit as tk
from flask import make_response

_ = tk._

# harvester.delete: its POST goes to the harvest dataset type's delete view (CSRF-checked).
GET_REFUSED = frozenset({
    "harvester.refresh", "harvester.clear", "harvester.delete", "harvester.job_abort",
})


def refuse_state_changing_get():
    """``before_app_request``: 405 for GET/HEAD on the harvest actions above."""
    request = tk.request
    if request.method not in ("GET", "HEAD") or request.endpoint not in GET_REFUSED:
        return None
    message = _("This action changes data: use its button on the harvest source's page "
                "(it is sent by POST, with the form's security token).")
    body = tk.render("error_document_template.html", {
        "code": 405, "name": "Method Not Allowed", "content": message,
    })
    response = make_response(body, 405)
    response.headers["Allow"] = "POST"
    return response


def harvest_job_abort(source: str, id: str):
    """POST ``/harvest/<source>/job/<id>/abort``: harvest's own view, CSRF-checked."""
    if not plugins.plugin_loaded("harvest"):
        return tk.abort(404)
    from ckanext.harvest import utils as harvest_utils

    return harvest_utils.job_abort_view(source, id)
