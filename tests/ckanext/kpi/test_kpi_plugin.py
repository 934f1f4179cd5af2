"""The KPI plugin against PostgreSQL, Solr and Redis: figures from real organizations,
datasets and validations; the national list by CLI and from a local HTTP server; the /kpi
page in Japanese and English; the CSV; snapshots, history and the home-page ribbon."""
from __future__ import annotations

import csv
import http.server
import io
import threading
from pathlib import Path

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

SAMPLE = Path(__file__).resolve().parents[2] / "schemas" / "samples" / "legacy" / "aed.csv"

NATIONAL_2026 = ("\ufeff団体コード,団体名,自治体サイトのオープンデータページURL,"
                 "オープンデータ掲載サイトのURL1,オープンデータ掲載サイトのURL2,"
                 "オープンデータ掲載サイトのURL3\r\n"
                 "330001,岡山県,https://www.pref.okayama.jp/page/opendata.html,,,\r\n"
                 "332054,岡山県笠岡市,,https://takahashi-riv.dataeye.jp/,,\r\n")
TERMS = "https://takahashi-riv.dataeye.jp/pages/opendata.html"


def invalid_aed() -> str:
    rows = list(csv.reader(io.StringIO(SAMPLE.read_text(encoding="utf-8"))))
    rows[1][0] = "332021"  # wrong check digit
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


@pytest.fixture
def sysadmin():
    return factories.SysadminWithToken()


@pytest.fixture
def portal(sysadmin, create_with_upload, tmp_path):
    """倉敷市 (terms URL, a validated AED), 笠岡市 (on the national list, a failing AED),
    the consortium, and the 2026-06-30 national list."""
    admin = [{"name": sysadmin["name"], "capacity": "admin"}]
    kurashiki = factories.Organization(name="kurashiki", title="倉敷市", title_en="Kurashiki City",
                                       lg_code="332020", prefecture="33", users=admin,
                                       opendata_terms_url=TERMS)
    kasaoka = factories.Organization(name="kasaoka", title="笠岡市", lg_code="332054",
                                     prefecture="33", users=admin)
    factories.Organization(name="ryuiki", title="高梁川流域連携中枢都市圏", body_type="consortium",
                           users=admin)
    context = {"user": sysadmin["name"]}
    for org, content in ((kurashiki, SAMPLE.read_text(encoding="utf-8")), (kasaoka, invalid_aed())):
        # Public first, then the file: a file uploaded to a public dataset is validated and
        # shown, even when it fails (the publish block applies to publishing only).
        dataset = factories.Dataset(owner_org=org["id"], private=False, standard_dataset="aed",
                                    name=f"{org['name']}-aed", user={"name": sysadmin["name"]})
        create_with_upload(content, "aed.csv", context=dict(context), package_id=dataset["id"],
                           url="aed.csv", format="CSV", name="AED設置箇所一覧")
    factories.Dataset(owner_org=kurashiki["id"], private=True, name="kurashiki-draft",
                      user={"name": sysadmin["name"]})
    factories.Dataset(owner_org=kurashiki["id"], private=False, name="kurashiki-budget",
                      user={"name": sysadmin["name"]})
    path = tmp_path / "20260630_resources_opendata_lg_list_02.csv"
    path.write_bytes(NATIONAL_2026.encode("utf-8"))
    from ckanext.regionaliot.kpi import national

    national.import_sources([str(path)])
    return {"kurashiki": kurashiki, "kasaoka": kasaoka}


def test_kpi_show_from_organizations_datasets_and_validation(portal):
    result = call_action("regionaliot_kpi_show")
    kinds = [k["name"] for k in result["standard_datasets"]]
    assert len(kinds) == 16 and "aed" in kinds and "none" not in kinds
    members = {m["code"]: m for m in result["members"]}
    assert set(members) == {"332020", "332054"}  # the consortium is not a member

    kurashiki = members["332020"]
    assert kurashiki["engaged"] is True and kurashiki["on_national_list"] is False
    assert kurashiki["rule"] == "terms_of_use" and kurashiki["url"] == TERMS
    assert "利用規約" in kurashiki["reason"] and TERMS in kurashiki["reason"]
    assert kurashiki["datasets"] == 2  # public only: the private draft is not counted
    assert kurashiki["coverage"]["aed"] == "validated"
    assert kurashiki["coverage"]["hospital"] == "missing"
    assert kurashiki["score"] == 25  # 20 + 80 × 1 / 16

    kasaoka = members["332054"]
    assert kasaoka["rule"] == "national_list" and kasaoka["engaged"] is True
    assert kasaoka["url"] == "https://takahashi-riv.dataeye.jp/"
    assert kasaoka["coverage"]["aed"] == "errors"  # public, but its file failed
    assert kasaoka["validated"] == 0 and kasaoka["standard_datasets"] == 1
    assert kasaoka["score"] == 23  # 20 + 80 × 0.5 / 16 = 22.5 → 23

    consortium = result["consortium"]
    assert consortium["rate"] == 100.0 and consortium["national_list_rate"] == 50.0
    assert consortium["mean_score"] == 24.0 and consortium["title"] == "高梁川流域連携中枢都市圏"
    assert result["national"]["engaged"] == 2 and result["national"]["rate"] == 0.1
    assert result["national"]["as_of"] == "2026-06-30"
    assert result["prefecture"]["code"] == "33" and result["prefecture"]["rate"] == 7.1  # 2 / 28


def test_a_member_without_any_rule_is_not_engaged(portal):
    factories.Organization(name="niimi", title="新見市", lg_code="332101", prefecture="33")
    niimi = next(m for m in call_action("regionaliot_kpi_show")["members"] if m["code"] == "332101")
    assert niimi["engaged"] is False and niimi["rule"] == "none" and niimi["score"] == 0
    assert niimi["reason"]


def test_import_national_by_cli_in_shift_jis_and_a_malformed_list(cli, tmp_path):
    from ckan.cli.cli import ckan

    path = tmp_path / "opendata_lg_list.csv"
    path.write_bytes("団体コード,団体名\r\n33202,倉敷市\r\n33000,岡山県\r\n99999,誤り\r\n"
                     .encode("cp932"))
    result = cli.invoke(ckan, ["regionaliot", "kpi", "import-national", str(path),
                               "--as-of", "2022-01-12"])
    assert result.exit_code == 0, result.output
    assert "2022-01-12" in result.output and "cp932" in result.output
    assert "'99999'" in result.output  # the row left out is named
    # Japanese first, then English, as the harvest parsers' messages (whatever the locale)
    assert ("'99999' は地方公共団体コード（検査数字が正しい6桁）ではありません。 / Line 4: '99999' "
            "is not a local government code") in result.output
    lists = call_action("regionaliot_kpi_history")["national_lists"]
    assert [(n["as_of"], n["engaged"]) for n in lists] == [("2022-01-12", 2)]

    broken = tmp_path / "broken.csv"
    broken.write_bytes(b"name,url\r\nfoo,bar\r\n")
    result = cli.invoke(ckan, ["regionaliot", "kpi", "import-national", str(broken)])
    assert result.exit_code == 1
    assert "団体コード" in result.output and "Traceback" not in result.output
    assert "「団体コード」列の見出し行がありません" in result.output  # the parser's message, whole,
    assert "broken.csv: No header row with a 団体コード column" in result.output  # in both


@pytest.fixture
def list_server():
    body = NATIONAL_2026.encode("utf-8")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_import_national_from_a_url_only_through_the_guard(list_server, sysadmin, ckan_config,
                                                          monkeypatch):
    url = f"http://127.0.0.1:{list_server}/20260630_resources_opendata_lg_list_02.csv"
    context = {"user": sysadmin["name"]}
    with pytest.raises(tk.ValidationError) as refused:  # loopback, not allowed
        call_action("regionaliot_kpi_import_national", dict(context), url=url)
    assert "private or local network" in str(refused.value.error_dict["url"])

    monkeypatch.setitem(ckan_config, "ckanext.regionaliot.security.fetch_allowed_hosts",
                        f"127.0.0.1:{list_server}")
    result = call_action("regionaliot_kpi_import_national", dict(context), url=url)
    assert result["as_of"] == "2026-06-30" and result["engaged"] == 2
    assert result["encoding"] == "utf-8-sig"

    with pytest.raises(tk.NotAuthorized):
        call_action("regionaliot_kpi_import_national",
                    {"user": factories.User()["name"], "ignore_auth": False}, url=url)


def test_kpi_page_in_japanese_and_english_and_the_csv(app, portal):
    page = app.get("/kpi", status=200).body
    assert "オープンデータ取組状況" in page and "100% への進捗" in page
    assert 'data-kind="aed" data-state="validated"' in page
    assert 'data-kind="aed" data-state="errors"' in page
    assert "<svg" in page and "regionaliot-kpi-line-basin" in page
    assert "7.1%" in page  # 岡山県

    english = app.get("/en/kpi", status=200).body
    assert "Open data progress" in english and "Kurashiki City" in english
    assert "Published with errors" in english

    response = app.get("/kpi.csv", status=200)
    assert response.headers["Content-Type"].startswith("text/csv")
    text = response.body
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["全国地方公共団体コード", "名称", "取組済"]
    kurashiki = next(r for r in rows if r[0] == "332020")
    # "Validated" is the core catalogue's word too (検証済): the same on every page.
    assert kurashiki[10] == "25" and "検証済" in kurashiki


def test_snapshot_history_and_ribbon(cli, app, portal):
    from ckan.cli.cli import ckan

    result = cli.invoke(ckan, ["regionaliot", "kpi", "snapshot"])
    assert result.exit_code == 0, result.output
    history = call_action("regionaliot_kpi_history")
    assert len(history["snapshots"]) == 1
    snap = history["snapshots"][0]
    assert snap["consortium_rate"] == 100.0 and snap["prefecture_rate"] == 7.1
    assert snap["scores"] == {"332020": 25, "332054": 23}
    call_action("regionaliot_kpi_snapshot", {"user": factories.Sysadmin()["name"]})
    assert len(call_action("regionaliot_kpi_history")["snapshots"]) == 1  # same day: replaced

    with app.flask_app.test_request_context():
        ribbon = tk.render_snippet("regionaliot/kpi/snippets/ribbon.html")
    assert "100.0%" in ribbon and "7.1%" in ribbon and "/kpi" in ribbon
    model.Session.remove()


def test_snapshot_day_and_csv_name_are_the_portal_day_not_utc(app, freezer):
    """At 00:30 JST on 1 December the UTC date is still 30 November: the snapshot and the
    CSV file carry the portal's day (ckan.display_timezone, Asia/Tokyo)."""
    freezer.move_to("2026-11-30T15:30:00Z")
    row = call_action("regionaliot_kpi_snapshot", {"user": factories.Sysadmin()["name"]})
    assert row["day"] == "2026-12-01"
    response = app.get("/kpi.csv", status=200)
    assert 'filename="regionaliot-kpi-2026-12-01.csv"' in response.headers["Content-Disposition"]
    # A national list whose file names no date is the portal's day's list too.
    from ckanext.regionaliot.kpi import national
    from regionaliot.harvesters import kpi as kpi_lists

    undated = kpi_lists.parse_national_list("団体コード,団体名\r\n33202,倉敷市\r\n".encode(), "list.csv")
    with app.flask_app.test_request_context():
        assert str(national.store(undated, ["list.csv"]).record.as_of) == "2026-12-01"
