"""The scheming schemas and `ckan regionaliot seed` against the real stack
(PostgreSQL, Solr, Redis), with the plugins and settings of test.ini."""
from __future__ import annotations

import json

import ckan.model as model
import pytest
from ckan.lib import uploader
from ckan.logic import ValidationError
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.regionaliot import seed

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

MEMBER_CODES = {"332020", "332054", "332071", "332089", "332097",
                "332101", "332160", "334235", "334456", "334618"}


@pytest.fixture
def storage(monkeypatch, ckan_config, tmp_path):
    monkeypatch.setitem(ckan_config, "ckan.storage_path", str(tmp_path))
    return tmp_path


@pytest.fixture
def sysadmin_name():
    return call_action("get_site_user", {"ignore_auth": True})["name"]


def _run_seed(app, user, demo=True):
    # The CLI runs seed inside a request context; do the same.
    with app.flask_app.test_request_context():
        return seed.run(user, demo=demo)


# --- organizations ---------------------------------------------------------------

def test_organization_with_wrong_check_digit_is_refused_with_the_expected_code():
    with pytest.raises(ValidationError) as e:
        factories.Organization(name="kurashiki-bad", title="倉敷市", lg_code="332021",
                               prefecture="33")
    errors = e.value.error_dict
    assert "lg_code" in errors
    assert "332020" in errors["lg_code"][0] and "33202" in errors["lg_code"][0]


def test_organization_with_valid_code_is_stored():
    org = factories.Organization(name="kurashiki-ok", title="倉敷市", lg_code="332020",
                                 prefecture="33", title_kana="クラシキシ",
                                 title_en="Kurashiki City",
                                 website="https://www.city.kurashiki.okayama.jp/")
    shown = call_action("organization_show", id=org["id"])
    assert shown["lg_code"] == "332020"
    assert shown["title_kana"] == "クラシキシ"
    assert shown["body_type"] == "municipality"


def test_full_width_code_is_normalised():
    org = factories.Organization(lg_code="３３２０７１", prefecture="33")
    assert call_action("organization_show", id=org["id"])["lg_code"] == "332071"


def test_code_of_another_prefecture_is_refused():
    with pytest.raises(ValidationError) as e:
        factories.Organization(lg_code="332020", prefecture="34")
    assert "lg_code" in e.value.error_dict


def test_duplicate_code_is_refused():
    factories.Organization(lg_code="332020")
    with pytest.raises(ValidationError) as e:
        factories.Organization(lg_code="332020")
    assert "lg_code" in e.value.error_dict


def test_plain_organization_still_works():
    # Other features' tests create organizations without any of our fields.
    org = factories.Organization()
    assert call_action("organization_show", id=org["id"])["body_type"] == "municipality"


# --- datasets -------------------------------------------------------------------

def test_dataset_defaults_to_cc_by_4_and_not_standard():
    ds = factories.Dataset(owner_org=factories.Organization()["id"])
    assert ds["license_id"] == "cc-by-4.0"
    assert ds["standard_dataset"] == "none"


@pytest.mark.parametrize(("field", "value"), [
    ("license_id", "cc-by"),            # CKAN's stock id, not in licenses.json
    ("license_id", "not-a-licence"),
    ("category", "disaster"),           # not one of the 17 分類
    ("category", "国土・気象"),          # the label, not the value
    ("standard_dataset", "toilets"),
    ("spatial", '{"type": "Point", "coordinates": [34.58, 133.77]}'),  # swapped
    ("contact_email", "not-an-email"),
])
def test_dataset_with_invalid_value_is_refused(field, value):
    org = factories.Organization()
    with pytest.raises(ValidationError) as e:
        factories.Dataset(owner_org=org["id"], **{field: value})
    assert set(e.value.error_dict) == {field}


@pytest.mark.parametrize(("field", "value"), [
    ("license_id", "pdl-1.0"), ("license_id", "cc0-1.0"), ("license_id", "gsl-2.0"),
    ("license_id", "cc-by-2.1-jp"), ("category", "kokudo-kisho"),
    ("standard_dataset", "public_toilet"), ("contact_email", "opendata@example.jp"),
])
def test_dataset_with_valid_value_is_accepted(field, value):
    ds = factories.Dataset(owner_org=factories.Organization()["id"], **{field: value})
    assert call_action("package_show", id=ds["id"])[field] == value


def test_dataset_with_full_metadata_round_trips():
    org = factories.Organization(lg_code="332020")
    box = {"type": "Polygon", "coordinates": [[[133.7, 34.5], [133.85, 34.5], [133.85, 34.65],
                                               [133.7, 34.65], [133.7, 34.5]]]}
    # Private: a public dataset with an unvalidated standard-schema file is refused
    # (resource validation's publish block).
    ds = factories.Dataset(
        owner_org=org["id"], private=True, title="指定緊急避難場所一覧", title_en="Evacuation sites",
        category="shiho-anzen-kankyo", standard_dataset="evacuation_space",
        license_id="pdl-1.0", spatial=json.dumps(box),
        frequency="http://publications.europa.eu/resource/authority/frequency/ANNUAL",
        temporal_start="2025-04-01", temporal_end="2026-03-31",
        contact_name="危機管理課", contact_email="bousai@example.jp",
        resources=[{"url": "https://example.jp/a.csv", "format": "CSV",
                    "encoding": "cp932", "standard_schema": "evacuation_space"}],
    )
    shown = call_action("package_show", id=ds["id"])
    assert shown["category"] == "shiho-anzen-kankyo"
    assert shown["license_id"] == "pdl-1.0"
    assert json.loads(shown["spatial"]) == box
    assert shown["temporal_end"] == "2026-03-31"
    assert shown["resources"][0]["encoding"] == "cp932"
    # ckanext-spatial indexed the extent: a bbox search over 倉敷 finds it.
    found = call_action("package_search", include_private=True,
                        extras={"ext_bbox": "133.6,34.4,133.9,34.7"})
    assert ds["name"] in {d["name"] for d in found["results"]}


def test_temporal_end_before_start_is_refused():
    with pytest.raises(ValidationError) as e:
        factories.Dataset(owner_org=factories.Organization()["id"],
                          temporal_start="2025-04-01", temporal_end="2024-04-01")
    assert set(e.value.error_dict) == {"temporal_end"}


# --- seed -----------------------------------------------------------------------------

def _member_orgs():
    orgs = (call_action("organization_show", id=name)
            for name in call_action("organization_list", limit=1000))
    return [o for o in orgs if o.get("body_type") == "municipality"]


def _demo_datasets():
    return call_action("package_search", fq="tags:demo", rows=1000, include_private=True)


def test_seed_creates_members_groups_and_demo_datasets_once(app, storage, sysadmin_name):
    changes = _run_seed(app, sysadmin_name)
    created = {(c.kind, c.name) for c in changes if c.action == "created"}

    members = _member_orgs()
    assert {o["lg_code"] for o in members} == MEMBER_CODES
    groups = call_action("group_list", all_fields=True)
    assert len(groups) == 17
    assert {"kokudo-kisho", "jinko-setai", "sonota"} <= {g["name"] for g in groups}
    assert "国土・気象" in {g["title"] for g in groups}

    demo = _demo_datasets()
    titles = {d["title"] for d in demo["results"]}
    assert {"指定緊急避難場所一覧", "公衆トイレ一覧", "地域・年齢別人口",
            "Public Wi-Fi access points"} <= titles
    assert demo["count"] == len(seed.demo_datasets()) >= 12
    assert len({d["organization"]["name"] for d in demo["results"]}) >= 5
    for d in demo["results"]:
        assert d["is_demo"] is True
        assert d["groups"] and d["groups"][0]["name"] == d["category"]
        (res,) = d["resources"]
        assert res["url_type"] == "upload" and res["format"] == "CSV"
        # A real file in the filestore, byte-identical to the shipped CSV.
        path = uploader.get_resource_uploader(res).get_path(res["id"])
        expected = seed.DEMO_DIR / next(
            s["_resource"]["file"] for s in seed.demo_datasets() if s["name"] == d["name"])
        with open(path, "rb") as f:
            assert f.read() == expected.read_bytes()
    assert ("resource", "kurashiki-aed/332020_aed.csv") in created

    counts = (model.Session.query(model.Group).count(),
              model.Session.query(model.Package).count(),
              model.Session.query(model.Resource).count())
    again = _run_seed(app, sysadmin_name)
    assert [c for c in again if c.action != "unchanged"] == []
    assert (model.Session.query(model.Group).count(),
            model.Session.query(model.Package).count(),
            model.Session.query(model.Resource).count()) == counts


def test_seed_updates_in_place(app, storage, sysadmin_name):
    _run_seed(app, sysadmin_name)
    # activity needs a real user in the context
    call_action("organization_patch", {"user": sysadmin_name}, id="kasaoka", title_en="changed")
    call_action("package_patch", {"user": sysadmin_name}, id="soja-public-toilet",
                category="sonota")
    changes = {(c.kind, c.name): c.action for c in _run_seed(app, sysadmin_name)}
    assert changes[("organization", "kasaoka")] == "updated"
    assert changes[("dataset", "soja-public-toilet")] == "updated"
    assert changes[("organization", "kurashiki")] == "unchanged"
    assert call_action("organization_show", id="kasaoka")["title_en"] == "Kasaoka City"
    assert call_action("package_show", id="soja-public-toilet")["category"] == "shakaihosho-eisei"


def test_seed_no_demo_loads_only_organizations_and_groups(app, sysadmin_name):
    _run_seed(app, sysadmin_name, demo=False)
    assert len(_member_orgs()) == 10
    assert len(call_action("group_list")) == 17
    assert _demo_datasets()["count"] == 0
    assert model.Session.query(model.Package).count() == 0


def test_seed_command_is_wired(cli):
    from ckan.cli.cli import ckan

    result = cli.invoke(ckan, ["regionaliot", "seed", "--no-demo"])
    assert result.exit_code == 0, result.output
    assert "kurashiki" in result.output and "kokudo-kisho" in result.output
    assert len(call_action("group_list")) == 17


# --- Japanese and English messages ------------------------------------------------------

@pytest.mark.parametrize(("lang", "message"), [
    ("ja", "全国地方公共団体コードのチェックディジットが正しくありません。33202 の場合は 332020 です"),
    ("en", "The check digit of the local government code is wrong: for 33202 the code is 332020."),
])
def test_check_digit_message_in_both_languages(app, lang, message):
    # ja needs the compiled i18n/ja/LC_MESSAGES/ckanext-regionaliot.mo and the plugin's
    # ITranslation pointing at i18n/ (DefaultTranslation).
    with app.flask_app.test_request_context(environ_overrides={"CKAN_LANG": lang}):
        with pytest.raises(ValidationError) as e:
            factories.Organization(lg_code="332021")
    assert e.value.error_dict["lg_code"] == [message]
