"""The provenance of a harvested dataset survives a staff edit: the dataset form has no
provenance fields (hidden scheming fields), so a form edit must keep the stored ones, and
only the harvest import may change them (issue 11)."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.regionaliot.harvest.logic.action import HARVESTER

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

PROVENANCE = {"harvest_url": "https://odcs.bodik.jp/332020/dataset/aed",
              "harvest_identifier": "remote-00042", "harvest_withdrawn": "2026-11-30"}


def form_fields(body: str) -> dict[str, str]:
    """What a browser submits for the dataset edit form, unchanged."""
    form = BeautifulSoup(body, "html.parser").find("form", id="dataset-edit")
    assert form is not None, "no dataset edit form"
    data: dict[str, str] = {}
    for field in form.find_all(["input", "textarea", "select"]):
        name = field.get("name")
        if not name or field.get("type") in ("submit", "button", "file"):
            continue
        if field.get("type") in ("checkbox", "radio") and not field.has_attr("checked"):
            continue
        if field.name == "textarea":
            data[name] = field.text
        elif field.name == "select":
            chosen = field.find("option", selected=True)
            data[name] = chosen.get("value", chosen.text) if chosen else ""
        else:
            data[name] = field.get("value", "")
    return data


@pytest.fixture
def harvested():
    editor = factories.UserWithToken()
    org = factories.Organization(users=[{"name": editor["name"], "capacity": "editor"}])
    admin = factories.Sysadmin()
    dataset = call_action("package_create", {"user": admin["name"], HARVESTER: True},
                          name="kurashiki-aed", title="AED設置箇所一覧", owner_org=org["id"],
                          notes="収集", **PROVENANCE)
    return editor, dataset


def test_a_staff_edit_through_the_form_keeps_the_provenance(app, harvested):
    editor, dataset = harvested
    assert {k: dataset.get(k) for k in PROVENANCE} == PROVENANCE
    headers = {"Authorization": editor["token"]}
    url = f"/dataset/edit/{dataset['name']}"
    data = form_fields(app.get(url, headers=headers, status=200).body)
    assert not set(PROVENANCE) & set(data), "provenance fields are not on the form"
    data.update(title="AED設置箇所一覧（職員が修正）", save="")
    app.post(url, data=data, headers=headers, follow_redirects=False, status=302)

    edited = call_action("package_show", id=dataset["id"])
    assert edited["title"] == "AED設置箇所一覧（職員が修正）"
    assert {k: edited.get(k) for k in PROVENANCE} == PROVENANCE


def test_only_the_harvest_import_changes_the_provenance(harvested):
    editor, dataset = harvested
    call_action("package_patch", {"user": editor["name"], "ignore_auth": False},
                id=dataset["id"], harvest_identifier="forged", harvest_url="")
    kept = call_action("package_show", id=dataset["id"])
    assert {k: kept.get(k) for k in PROVENANCE} == PROVENANCE

    call_action("package_patch", {"user": editor["name"], HARVESTER: True},
                id=dataset["id"], harvest_identifier="remote-00043", harvest_withdrawn="")
    moved = call_action("package_show", id=dataset["id"])
    assert moved["harvest_identifier"] == "remote-00043" and not moved.get("harvest_withdrawn")

    made = call_action("package_create", {"user": editor["name"]}, name="hand-made",
                       owner_org=dataset["owner_org"], harvest_identifier="forged")
    assert not made.get("harvest_identifier")
