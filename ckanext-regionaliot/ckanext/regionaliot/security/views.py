"""The security blueprint: app-wide request/response hooks (registered via IBlueprint)."""
from __future__ import annotations

from flask import Blueprint

__all__ = ["security"]

security = Blueprint("regionaliot_security", __name__)


# --- Security headers, and uploads that cannot run script (headers.py) -----------------
def _register_headers() -> None:
    from . import headers

    security.after_app_request(headers.add_security_headers)


# --- CSRF: harvest's state-changing GET links become POST-only (csrf.py) ---------------
def _register_csrf() -> None:
    from . import csrf

    security.before_app_request(csrf.refuse_state_changing_get)
    security.add_url_rule("/harvest/<source>/job/<id>/abort", endpoint="harvest_job_abort",
                          view_func=csrf.harvest_job_abort, methods=["POST"])


# --- Malformed requests: 4xx with a reason, never 500 (guards.py) ----------------------
def _register_guards() -> None:
    import ckan.plugins.toolkit as tk
    from ckan.lib.navl.dictization_functions import DataError

    from . import guards

    security.before_app_request(guards.reject_malformed_input)
    security.before_app_request(guards.refuse_unlinkable_download)
    security.app_errorhandler(tk.NotAuthorized)(guards.not_authorized)
    security.app_errorhandler(tk.ObjectNotFound)(guards.not_found)
    security.app_errorhandler(DataError)(guards.bad_form)


_register_headers()
_register_csrf()
_register_guards()
