"""The KPI's words in the reader's language (figures.py stays untranslated)."""
from __future__ import annotations

import copy
from typing import Any

import ckan.plugins.toolkit as tk
from regionaliot.harvesters import kpi

from ckanext.regionaliot.lib.i18n import N_, current_lang

from . import figures as f

STATE_LABELS = {
    kpi.VALIDATED: N_("Validated"),
    kpi.PENDING: N_("Waiting for validation"),
    kpi.ERRORS: N_("Published with errors"),
    kpi.UNCHECKED: N_("Published, not validated"),
    kpi.MISSING: N_("Missing"),
}

RULE_LABELS = {
    f.RULE_NATIONAL_LIST: N_("On the national list"),
    f.RULE_TERMS: N_("Publishes data under open-data terms of use"),
    f.RULE_CATALOGUE: N_("Shows where its open data is published"),
    f.RULE_NONE: N_("Not engaged"),
}


def state_label(state: str) -> str:
    return tk._(STATE_LABELS.get(state, state))


def rule_label(rule: str) -> str:
    return tk._(RULE_LABELS.get(rule, rule))


def reason(member: dict[str, Any], national: dict[str, Any] | None) -> str:
    """Why the member counts as engaged (取組済) or not, with the URL that shows it."""
    rule, url = member["rule"], member.get("url") or ""
    if rule == f.RULE_NATIONAL_LIST:
        text = tk._("On デジタル庁's list of local governments engaged in open data "
                    "(as of {date}).").format(date=(national or {}).get("as_of", ""))
    elif rule == f.RULE_TERMS:
        text = tk._("Not on the imported national list, but publishes {count} open datasets "
                    "here under the open-data terms of use recorded on its organization "
                    "(「オープンデータとしての利用規約を適用し、データを公開」).").format(
            count=member["datasets"])
    elif rule == f.RULE_CATALOGUE:
        text = tk._("Not on the imported national list, but its organization records where "
                    "its open data is published (「オープンデータであることを表示し、"
                    "データの公開先を提示」).")
    else:
        return tk._("Not on the imported national list, and its organization records neither "
                    "open-data terms of use with published data nor where its open data is "
                    "published.")
    return f"{text} {url}".strip()


def label(value: Any, lang: str | None = None) -> str:
    """A scheming label ({ja, en} or a string) in the reader's language."""
    if isinstance(value, dict):
        lang = lang or current_lang()
        return value.get(lang) or value.get("ja") or next(iter(value.values()), "")
    return str(value or "")


def localise(figures: dict[str, Any]) -> dict[str, Any]:
    """The figures with each member's ``reason`` worded for the reader."""
    out = copy.deepcopy(figures)
    for member in out["members"]:
        member["reason"] = reason(member, out.get("national"))
    return out
