"""Chained actions closing holes in stock actions (registered by name via IActions)."""
from __future__ import annotations

import logging
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk


class _Exports(list):
    """``__all__``: CKAN's blanket reads it each time it collects the actions (after every
    plugin is loaded), and refuses a chained action whose parent is missing. So a chain of
    another plugin's action is exported only while that plugin is loaded."""

    needs = {"harvest_job_create": "harvest"}

    def __iter__(self):
        for name in list(super().__iter__()):
            plugin = self.needs.get(name)
            if plugin is None or p.plugin_loaded(plugin):
                yield name


__all__: list[str] = _Exports()

log = logging.getLogger(__name__)
_ = tk._


# --- harvest_job_create: "a job is already queued" is the user's answer, not a 500 -------
# ckanext-harvest 1.6.3 raises HarvestJobExists / HarvestSourceInactiveError, plain
# Exceptions, which the Action API turns into 500 (not reported upstream as of 1.6.3).
# Re-raised as a ValidationError (API: 409) that is still the harvest exception, so
# harvest's own callers (the Refresh view, the CLI) keep catching it.


def _harvest_refusal(exception_class: type, field: str, message: str) -> Exception:
    class Refused(tk.ValidationError, exception_class):  # type: ignore[misc,valid-type]
        pass

    return Refused({field: [message]})


@tk.chained_action
def harvest_job_create(up_func, context: Any, data_dict: dict[str, Any]):
    from ckanext.harvest.logic import HarvestJobExists, HarvestSourceInactiveError

    if not isinstance(data_dict, dict) or not data_dict.get("source_id"):
        raise tk.ValidationError({"source_id": [_("Missing value")]})
    try:
        return up_func(context, data_dict)
    except tk.ValidationError:
        raise
    except HarvestJobExists:
        raise _harvest_refusal(HarvestJobExists, "source_id", _(
            "A harvest job is already waiting or running for this source; "
            "wait for it to finish.")) from None
    except HarvestSourceInactiveError:
        raise _harvest_refusal(HarvestSourceInactiveError, "source_id", _(
            "This harvest source is inactive: make it active before harvesting.")) from None


__all__.append("harvest_job_create")  # only while harvest is loaded (_Exports)
