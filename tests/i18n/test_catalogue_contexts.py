"""A feature's narrower meaning of a word stays on its own page (gettext contexts).

The merged catalogue gives one translation per (context, msgid) for the whole site
(tests/unit/test_catalogue_collisions.py checks the catalogues). This renders the pages: the
KPI page calls the consortium's members 構成団体 while CKAN's organization page keeps メンバー.
"""
from __future__ import annotations

import pytest
from ckan.tests import factories

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


def test_kpi_members_heading_does_not_rename_ckans_members_page(app):
    sysadmin = factories.Sysadmin()
    org = factories.Organization(name="kurashiki", title="倉敷市", lg_code="332020",
                                 prefecture="33")
    staff = {"REMOTE_USER": sysadmin["name"]}

    kpi = app.get("/kpi", status=200).body
    assert "<h2>構成団体</h2>" in kpi
    assert "<h2>Members</h2>" in app.get("/en/kpi", status=200).body

    members = app.get(f"/organization/members/{org['name']}", extra_environ=staff,
                      status=200).body
    assert "メンバー" in members
    assert "構成団体" not in members
