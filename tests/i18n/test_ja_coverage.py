"""Complete Japanese, English available: every page type rendered in ja and en.

Renders each page a citizen, municipal staff member or hackathon participant sees, on the
seeded content, in both languages, through CKAN's own app with our plugins and the merged
catalogues (CKAN's ja catalogue, then each plugin's: ours translates core msgids CKAN's
own catalogue lacks). Instruments are in ja_coverage.py. The full report (coverage per
page, every untranslated string) is written to <test artifacts>/i18n-coverage.txt.

A page fails when it shows an untranslated string: a gettext msgid without a Japanese
translation whose text appears on the page, Latin-only interface text on a Japanese page,
or Japanese interface text on an English page, unless listed in ALLOWED below.
"""
from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest
from ja_coverage import (
    Content,
    Lookups,
    PageReport,
    RecordingCatalog,
    check_lookups,
    classify_segments,
    summary,
    visible_segments,
)

TOILET = "soja-public-toilet"
ORG = "soja"
GROUP = "shakaihosho-eisei"

# (page type, path; {rid} is the toilet CSV's resource id, {user} the staff member, who:
# None = anonymous citizen, "staff" = editor of the organization)
PAGES = [
    ("home", "/", None),
    ("search", "/dataset/?q=トイレ", None),
    ("dataset", f"/dataset/{TOILET}", None),
    ("resource", f"/dataset/{TOILET}/resource/{{rid}}", None),
    ("dataset-activity", f"/dataset/activity/{TOILET}", None),
    ("organizations", "/organization/", None),
    ("organization", f"/organization/{ORG}", None),
    ("organization-about", f"/organization/about/{ORG}", None),
    ("groups", "/group/", None),
    ("group", f"/group/{GROUP}", None),
    ("about", "/about", None),
    ("login", "/user/login", None),
    ("register", "/user/register", None),
    ("404", "/dataset/no-such-dataset", None),
    ("data-api-box", "/api/1/util/snippet/api_info.html?resource_id={rid}", None),
    ("validation-report", f"/dataset/{TOILET}/resource/{{rid}}/validation", None),
    ("validation-check", "/validate", None),
    ("dashboard", "/dashboard/", "staff"),
    ("dashboard-datasets", "/dashboard/datasets", "staff"),
    ("dataset-new", "/dataset/new", "staff"),
    ("dataset-edit", f"/dataset/edit/{TOILET}", "staff"),
    ("resource-edit", f"/dataset/{TOILET}/resource/{{rid}}/edit", "staff"),
    ("user", "/user/{user}", "staff"),
    ("user-edit", "/user/edit/{user}", "staff"),
    ("api-tokens", "/user/{user}/api-tokens", "staff"),
    # 「データから見えるもの」: the list, the three demo stories, the staff form.
    ("stories", "/stories", None),
    ("story-pyramid", "/stories/kasaoka-population", None),
    ("story-aed", "/stories/kurashiki-aed", None),
    ("story-matrix", "/stories/standard-datasets-by-member", None),
    ("story-new", "/stories/new", "staff"),
]
STATUS = {"404": 404}

# Text CKAN 2.11's templates hard-code in English (no gettext call, so no catalogue can
# translate it): each needs an override of that template in the core plugin's templates/.
# Keep it short; remove an entry once its template is overridden.
ALLOWED: dict[str, str] = {}


def artifacts_dir() -> Path:
    """The test artifacts folder (tests/conftest.py sets it; make test prints it)."""
    return Path(os.environ["REGIONALIOT_TEST_ARTIFACTS"])


class Recorder:
    lookups: Lookups | None = None


@pytest.fixture(scope="module")
def reports(request, reset_db_with_plugins, reset_index):
    import ckan.plugins
    import ckan.plugins.toolkit as tk
    import flask_babel
    from ckan.tests import factories
    from ckan.tests.helpers import _get_test_app
    from ckanext.regionaliot import seed as content

    ckan.plugins.load_all()
    request.addfinalizer(ckan.plugins.unload_non_system_plugins)
    reset_db_with_plugins()
    reset_index()
    app = _get_test_app()
    with app.flask_app.test_request_context():
        site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
        content.run(site_user["name"], demo=True, echo=lambda *a, **k: None)
        staff = factories.User(name="staff-member", fullname="Staff Member")
        tk.get_action("organization_member_create")(
            {"user": site_user["name"]}, {"id": ORG, "username": staff["name"], "role": "editor"})
        token = factories.APIToken(user=staff["name"])["token"]
        ctx = {"user": site_user["name"]}
        rid = tk.get_action("package_show")(ctx, {"id": TOILET})["resources"][0]["id"]
        values: list = [tk.config.get(k) for k in (
            "ckan.site_title", "ckan.site_description", "ckan.site_about")]
        values += tk.get_action("package_search")(
            ctx, {"rows": 1000, "include_private": True})["results"]
        for kind in ("organization", "group"):
            # *_show: the schema's own fields too (title_en, title_kana).
            values += [tk.get_action(f"{kind}_show")(ctx, {"id": name})
                       for name in tk.get_action(f"{kind}_list")(ctx, {"limit": 1000})]
        values += tk.get_action("license_list")(ctx, {})
        # What people wrote in the idea box and the stories is shown as they wrote it.
        for action in ("regionaliot_idea_list", "regionaliot_story_list"):
            values.append(tk.get_action(action)(ctx, {"limit": 100}))
        # The data a story shows (a chart's labels, a table's cells) is the publishers' data,
        # shown as published: the demo CSVs' cells and the stories' computed figures.
        for story in values[-1]["results"]:
            for n, block in enumerate(story["blocks"], start=1):
                if block["type"] == "chart" or (block["type"] == "map"
                                                and block.get("mode") != "points"):
                    values.append(tk.get_action("regionaliot_chart_data")(
                        ctx, {"id": story["id"], "block": n}))
        for path in sorted(content.DEMO_DIR.glob("*.csv")):
            values.append(list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")))))
        values += [staff, site_user["name"]]
    known = Content.from_values(values)

    original = flask_babel.Domain.get_translations

    def recording_translations(self):
        translations = original(self)
        catalog = getattr(translations, "_catalog", None)
        if (catalog is not None and not isinstance(catalog, RecordingCatalog)
                and str(flask_babel.get_locale()) == "ja"):
            translations._catalog = RecordingCatalog(catalog, lambda: Recorder.lookups)
        return translations

    out: dict[tuple[str, str], PageReport] = {}
    bodies: dict[str, str] = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(flask_babel.Domain, "get_translations", recording_translations)
        for name, path, who in PAGES:
            url = path.format(rid=rid, user=staff["name"])
            headers = {"Authorization": token} if who else {}
            for lang in ("ja", "en"):
                Recorder.lookups = Lookups() if lang == "ja" else None
                prefix = "" if lang == "ja" else "/en"
                res = app.get(prefix + url, headers=headers, status=STATUS.get(name, 200))
                body = res.get_data(as_text=True)
                if (name, lang) == ("login", "ja"):
                    bodies["login-ja"] = body
                report = PageReport(page=name, lang=lang)
                classify_segments(visible_segments(body, lang), lang, known, report)
                if Recorder.lookups is not None:
                    check_lookups(Recorder.lookups, body, report)
                out[(name, lang)] = report
        Recorder.lookups = None

    folder = artifacts_dir()
    folder.mkdir(parents=True, exist_ok=True)
    text = summary(list(out.values()))
    (folder / "i18n-coverage.txt").write_text(text + "\n", encoding="utf-8")
    print("\n" + "\n".join(text.splitlines()[:3]))
    return out, bodies


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("page", [p[0] for p in PAGES])
def test_page_shows_no_untranslated_string(reports, page, lang):
    report = reports[0][(page, lang)]
    shown = [s for s in report.untranslated + report.missing_shown if s not in ALLOWED]
    fix = ("translate it in ckanext/regionaliot/i18n/ja/LC_MESSAGES/ckanext-regionaliot.po"
           if lang == "ja" else "give it an English msgid (tk._) and its ja translation")
    assert shown == [], (
        f"{page} ({lang}) shows untranslated text; {fix} "
        f"(report: {artifacts_dir() / 'i18n-coverage.txt'})")


def test_core_msgid_translated_by_our_catalogue_is_shown(reports):
    # "Username or Email" is a CKAN core msgid without a ja translation in CKAN's own
    # catalogue; ours (merged after CKAN's) supplies it.
    login = reports[1]["login-ja"]
    assert "Username or Email" not in login
    assert "ユーザー名またはメールアドレス" in login
