"""「データから見えるもの」 against PostgreSQL, the DataStore and the filestore: the actions
and who may write and read (drafts hidden, withdrawn kept), a story page whose charts, map,
table and key figure are computed from an uploaded CSV and a DataStore table, the figures
as CSV and through regionaliot_chart_data, a block naming a missing column or resource as
a message (never a 500), Markdown and titles inert, the staff form with CSRF and Japanese
messages, and the home page's featured stories."""
from __future__ import annotations

import io
import json
import re

import ckan.plugins.toolkit as tk
import pytest
from ckan.lib.redis import connect_to_redis
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.regionaliot.stories.cache import PREFIX
from ckanext.regionaliot.stories.model import Story
from werkzeug.datastructures import FileStorage

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

# Live markup of an attack: a script element, an event handler, a javascript: link.
LIVE = re.compile(r"<script>alert|<(?:img|svg|a|body)\b[^>]*\son(?:error|load)=alert|"
                  r"href=\"?javascript:",
                  re.IGNORECASE)
XSS_BODY = ("Hello **world**\n\n<script>alert('body')</script>\n\n"
            "[click](javascript:alert('link'))\n\n<img src=x onerror=alert('img')>")

# Two areas of 笠岡市 and one of 倉敷市: hand-checked sums below.
POPULATION_CSV = (
    "\ufeff都道府県コード又は市区町村コード,地域名,総人口,0-4歳の男性,0-4歳の女性,"
    "5-9歳の男性,5-9歳の女性\r\n"
    "332054,笠岡地区,100,10,20,30,40\r\n"
    "332054,富岡地区,50,1,2,3,不明\r\n"
    "332020,阿知,300,5,5,5,5\r\n").encode()

_REQUEST = {}


@pytest.fixture(autouse=True)
def request_for_actions(test_request_context):
    _REQUEST["context"] = test_request_context


def act(action, context=None, **data):
    with _REQUEST["context"]():
        return call_action(action, context, **data)


def as_user(user, action, **data):
    return act(action, {"user": user["name"] if user else "", "ignore_auth": False}, **data)


def csrf(body: str) -> dict[str, str]:
    match = re.search(r'name="(_csrf_token)" value="([^"]+)"', body)
    assert match, "the form has no CSRF field"
    return {match.group(1): match.group(2)}


@pytest.fixture
def basin():
    """倉敷市 and 笠岡市 with an editor each, a category, a sysadmin, a plain user, a dataset
    with an uploaded population CSV and a DataStore table of AEDs."""
    editor, other, plain = factories.User(), factories.User(), factories.User()
    admin = factories.Sysadmin()
    kasaoka = factories.Organization(name="kasaoka", title="笠岡市",
                                     users=[{"name": editor["name"], "capacity": "editor"}])
    kurashiki = factories.Organization(name="kurashiki", title="倉敷市",
                                       users=[{"name": other["name"], "capacity": "editor"}])
    factories.Group(name="jinko-setai", title="人口・世帯")
    dataset = factories.Dataset(owner_org=kasaoka["id"], name="kasaoka-population",
                                title="地域・年齢別人口")
    population = act("resource_create", {"user": admin["name"]}, package_id=dataset["id"],
                     name="人口CSV", format="CSV", url="population.csv",
                     upload=FileStorage(io.BytesIO(POPULATION_CSV), "population.csv",
                                        content_type="text/csv"))
    aed_dataset = factories.Dataset(owner_org=kurashiki["id"], name="kurashiki-aed")
    aeds = act("datastore_create", {"user": admin["name"]},
               resource={"package_id": aed_dataset["id"], "name": "AED"},
               fields=[{"id": "市区町村コード", "type": "text"}, {"id": "名称", "type": "text"},
                       {"id": "緯度", "type": "numeric"}, {"id": "経度", "type": "numeric"}],
               records=[{"市区町村コード": "332054", "名称": "A", "緯度": 34.5, "経度": 133.5},
                        {"市区町村コード": "332054", "名称": "B", "緯度": 34.51, "経度": 133.51},
                        {"市区町村コード": "332020", "名称": "C", "緯度": 34.6, "経度": 133.75}],
               force=True)
    return {"editor": editor, "other": other, "plain": plain, "admin": admin,
            "kasaoka": kasaoka, "kurashiki": kurashiki, "population": population,
            "aeds": aeds["resource_id"]}


def story_data(basin, **extra):
    data = {"name": "kasaoka-population", "title": "笠岡市の人口", "title_en": "Kasaoka",
            "lead": "地区別の人口", "body": "はじめに\n\n[[block:2]]\n\nおわりに",
            "organizations": ["kasaoka"], "categories": ["jinko-setai"],
            "blocks": [
                {"type": "chart", "title": "地区別人口", "resource": basin["population"]["id"],
                 "aggregation": "sum", "group": "地域名", "value": "総人口"},
                {"type": "chart", "title": "人口ピラミッド", "aggregation": "pyramid",
                 "resource": basin["population"]["id"], "where_column":
                     "都道府県コード又は市区町村コード", "where_value": "332054"},
                {"type": "map", "title": "1万人あたりAED", "resource": basin["aeds"],
                 "member_column": "市区町村コード", "aggregation": "rate",
                 "population_resource": basin["population"]["id"],
                 "population_group": "都道府県コード又は市区町村コード",
                 "population_value": "総人口"},
                {"type": "table", "resource": basin["population"]["id"],
                 "columns": ["地域名", "総人口"], "limit": 2},
                {"type": "figure", "label": "総人口", "value": "450", "unit": "人",
                 "change": "前年比 -1.2%"},
                {"type": "chart", "title": "列なし", "resource": basin["population"]["id"],
                 "aggregation": "mean", "group": "地域名", "value": "人口密度"},
                {"type": "map", "mode": "points", "resource": basin["aeds"], "lat": "緯度",
                 "lon": "経度", "name": "名称"},
                {"type": "figure", "label": "総人口(計算)", "resource": basin["population"]["id"],
                 "aggregation": "sum", "value": "総人口"},
                {"type": "matrix", "title": "推奨データセット"},
            ]}
    data.update(extra)
    return data


def test_actions_and_who_may_write_and_read(app, basin):
    editor, other, plain = basin["editor"], basin["other"], basin["plain"]
    with pytest.raises(tk.NotAuthorized):
        as_user(plain, "regionaliot_story_create", **story_data(basin))
    # An editor of 倉敷市 cannot write a story in 笠岡市's name only.
    with pytest.raises(tk.ValidationError) as refused:
        as_user(other, "regionaliot_story_create", **story_data(basin))
    assert "organizations" in refused.value.error_dict
    story = as_user(editor, "regionaliot_story_create", **story_data(basin))
    assert story["state"] == "draft" and story["organizations"][0]["name"] == "kasaoka"
    assert len(story["blocks"]) == 9 and story["resources"][0] == basin["population"]["id"]

    # A draft: its author and staff see it; anyone else is told it does not exist.
    for reader in (None, plain, other):
        with pytest.raises(tk.ObjectNotFound):
            as_user(reader, "regionaliot_story_show", id=story["name"])
    assert as_user(basin["admin"], "regionaliot_story_show", id=story["id"])["can_edit"]
    assert act("regionaliot_story_list")["count"] == 0
    assert app.get("/stories/kasaoka-population", status=404)
    with pytest.raises(tk.NotAuthorized):
        as_user(other, "regionaliot_story_update", id=story["id"], title="乗っ取り")
    assert as_user(editor, "regionaliot_story_list", state="draft")["count"] == 1
    assert as_user(plain, "regionaliot_story_list", state="draft")["count"] == 0

    # Published: everyone reads it; filters by municipality and category.
    as_user(editor, "regionaliot_story_update", id=story["id"], state="published")
    assert as_user(None, "regionaliot_story_show", id=story["name"])["published"]
    assert act("regionaliot_story_list", organization="kasaoka")["count"] == 1
    assert act("regionaliot_story_list", organization="kurashiki")["count"] == 0
    assert act("regionaliot_story_list", category="jinko-setai")["count"] == 1
    assert act("regionaliot_story_list", resource=basin["aeds"])["count"] == 1

    # Bad input is a clear refusal (409 from the API), never a 500.
    for bad in ({"name": "x", "title": "t", "organizations": ["nowhere"]},
                {"name": "kasaoka-population", "title": "t", "organizations": ["kasaoka"]},
                {"name": "Bad Name!", "title": "t", "organizations": ["kasaoka"]},
                {"name": "y", "title": "t", "organizations": ["kasaoka"], "blocks": "{no"},
                {"name": "y", "title": "t", "organizations": ["kasaoka"],
                 "blocks": [{"type": "chart", "resource": "missing", "aggregation": "count",
                             "group": "a"}]},
                {"name": "y", "title": "t", "organizations": ["kasaoka"],
                 "cover_url": "javascript:alert(1)"}):
        response = app.post("/api/3/action/regionaliot_story_create", json=bad,
                            headers={"Authorization": _token(editor)}, status=409)
        assert response.json["success"] is False, bad

    # Delete withdraws: readers no longer see it, the row stays.
    with pytest.raises(tk.NotAuthorized):
        as_user(plain, "regionaliot_story_delete", id=story["id"])
    as_user(editor, "regionaliot_story_delete", id=story["id"])
    with pytest.raises(tk.ObjectNotFound):
        as_user(None, "regionaliot_story_show", id=story["id"])
    assert act("regionaliot_story_list")["count"] == 0
    assert Story.get(story["id"]).state == "withdrawn"
    assert as_user(basin["admin"], "regionaliot_story_list", state="all")["count"] == 1


def _token(user) -> str:
    return act("api_token_create", {"user": user["name"]}, user=user["name"],
               name="t")["token"]


def test_story_page_computes_every_block(app, basin):
    story = act("regionaliot_story_create", {"user": basin["editor"]["name"]},
                **story_data(basin, state="published"))
    html = app.get("/stories/kasaoka-population", headers={"Accept-Language": "ja"}).body
    # The body places block 2 (the pyramid) between its paragraphs; the others follow.
    assert html.index("はじめに") < html.index("人口ピラミッド") < html.index("おわりに") \
        < html.index("地区別人口")
    assert html.count('role="img"') == 4  # bar, pyramid, map, points
    # Bar chart's table: 笠岡地区 100, 富岡地区 50, 阿知 300 (file order).
    assert re.search(r'<th scope="row">笠岡地区</th><td class="text-end">100</td>', html)
    # Pyramid of 332054 only: 0-4歳 men 10 + 1 = 11, women 20 + 2 = 22; 5-9歳 women 40
    # (「不明」 not counted, and said so).
    assert re.search(r'0-4歳</th><td class="text-end">11</td><td class="text-end">22</td>', html)
    assert re.search(r'5-9歳</th><td class="text-end">33</td><td class="text-end">40</td>', html)
    # Map: AEDs per 10,000 people: 笠岡市 2 / 150 → 133.3, 倉敷市 1 / 300 → 33.3.
    assert "笠岡市</th><td class=\"text-end\">2</td><td class=\"text-end\">150</td>" \
        "<td class=\"text-end\">133.3</td>" in html
    assert "regionaliot-story-shade-5" in html
    assert "前年比 -1.2%" in html and "地域・年齢別人口" in html  # figure; sources list
    # The dataset page lists the stories that use it; the header has the tab.
    dataset = app.get("/dataset/kasaoka-population").body
    assert "/stories/kasaoka-population" in dataset
    assert 'href="/stories"' in html
    # The block naming a column the resource lacks: a message, the page still whole.
    assert "人口密度" in html and "regionaliot-story-block-error" in html

    csv = app.get("/stories/kasaoka-population/blocks/1.csv")
    assert csv.headers["Content-Type"].startswith("text/csv")
    assert csv.body.lstrip("\ufeff").splitlines() == [
        "地域名,総人口", "笠岡地区,100", "富岡地区,50", "阿知,300"]
    figures = act("regionaliot_chart_data", id=story["id"], block=3)
    assert figures["rows"][0][0] == "笠岡市"
    assert figures["rows"][0][3] == pytest.approx(133.333, abs=1e-3)
    with pytest.raises(tk.ValidationError):
        act("regionaliot_chart_data", id=story["id"], block=6)  # the missing column
    assert app.get("/stories/kasaoka-population/blocks/6.csv", status=400)
    # The computed key figure and the matrix have their numbers as CSV too, linked.
    assert "/stories/kasaoka-population/blocks/8.csv" in html
    assert "/stories/kasaoka-population/blocks/9.csv" in html
    assert app.get("/stories/kasaoka-population/blocks/8.csv").body.lstrip(
        "\ufeff").splitlines() == ["主な数値,総人口", "総人口(計算),450"]
    matrix = app.get("/stories/kasaoka-population/blocks/9.csv").body.lstrip("\ufeff")
    assert matrix.splitlines()[0].startswith("市町")
    assert act("regionaliot_chart_data", id=story["id"], block=9)["source"] is None
    assert app.get("/stories/kasaoka-population/blocks/99.csv", status=404)

    # Figures are kept in Redis per resource version: a new upload is computed afresh.
    assert list(connect_to_redis().scan_iter(PREFIX + "*"))
    act("resource_patch", {"user": basin["admin"]["name"]}, id=basin["population"]["id"],
        upload=FileStorage(io.BytesIO(POPULATION_CSV.replace(b",100,", b",1000,")),
                           "population.csv", content_type="text/csv"))
    html = app.get("/stories/kasaoka-population").body
    assert re.search(r'<th scope="row">笠岡地区</th><td class="text-end">1,000</td>', html)

    # The resource goes away: its blocks say so, the page still answers 200.
    act("resource_delete", {"user": basin["admin"]["name"]}, id=basin["aeds"])
    html = app.get("/stories/kasaoka-population").body
    assert html.count("regionaliot-story-block-error") == 3


def test_markdown_and_titles_come_out_inert(app, basin):
    act("regionaliot_story_create", {"user": basin["editor"]["name"]}, name="xss",
        title="<script>alert('title')</script>", lead="<img src=x onerror=alert('lead')>",
        body=XSS_BODY, organizations=["kasaoka"], state="published",
        blocks=[{"type": "text", "body": XSS_BODY},
                {"type": "figure", "label": "<script>alert(1)</script>", "value": "1"}])
    for url in ("/stories/xss", "/stories", "/"):
        html = app.get(url).body
        assert not LIVE.findall(html), (url, LIVE.findall(html))
    html = app.get("/stories/xss").body
    assert "<strong>world</strong>" in html
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in html


def test_staff_form_csrf_validation_preview_and_save(app, basin):
    browser = app.test_client()
    assert app.get("/stories/new", status=403)
    staff = {"REMOTE_USER": basin["editor"]["name"]}
    form = browser.get("/stories/new", environ_overrides=staff,
                       headers={"Accept-Language": "ja"})
    assert form.status_code == 200 and 'name="blocks"' in form.body
    fields = {"name": "new-story", "title": "新しい物語", "organizations": "kasaoka",
              "blocks": "[{\"type\": \"chart\"}]", "state": "draft"}
    # Without the token: refused, nothing saved.
    browser.post("/stories/new", data=fields, environ_overrides=staff, status=400)
    token = csrf(form.body)
    # Bad blocks: the form again, with the checks' messages in Japanese.
    bad = browser.post("/stories/new", data={**token, **fields}, environ_overrides=staff)
    assert bad.status_code == 200
    assert "ブロック1" in bad.body and Story.get("new-story") is None
    # Preview of a block with a missing column: a message, nothing saved.
    blocks = json.dumps([{"type": "chart", "resource": basin["population"]["id"],
                          "aggregation": "sum", "group": "地域名", "value": "無い列"}])
    preview = browser.post("/stories/new", data={**token, **fields, "blocks": blocks,
                                                 "preview": "1"}, environ_overrides=staff)
    assert preview.status_code == 200 and "無い列" in preview.body
    assert "regionaliot-story-block-error" in preview.body and Story.get("new-story") is None
    saved = browser.post("/stories/new", data={**token, **fields, "blocks": blocks},
                         environ_overrides=staff, follow_redirects=False)
    assert saved.status_code == 302 and Story.get("new-story") is not None


def test_home_and_index_list_published_stories(app, basin):
    act("regionaliot_story_create", {"user": basin["editor"]["name"]},
        **story_data(basin, state="published", title="笠岡市の人口ピラミッド"))
    act("regionaliot_story_create", {"user": basin["editor"]["name"]},
        **story_data(basin, name="draft-story", title="下書きの物語"))
    home = app.get("/").body
    assert "笠岡市の人口ピラミッド" in home and "下書きの物語" not in home
    assert "regionaliot-stories-featured" in home
    index = app.get("/stories?organization=kasaoka").body
    assert "笠岡市の人口ピラミッド" in index and "下書きの物語" not in index
    assert '<option value="kasaoka" selected>' in index  # the filter keeps its choice
    assert "笠岡市の人口ピラミッド" not in app.get("/stories?organization=kurashiki").body
    assert app.get("/stories?page=99999999999999999999&category=bogus").status_code == 200
    # English pages show the stored English title and texts where present.
    english = app.get("/en/stories/kasaoka-population").body
    assert "<h1 class=\"page-heading\">Kasaoka</h1>" in english
    assert "What the data shows" in english and "Population" in english
    assert "データから見えるもの" in app.get("/stories/kasaoka-population").body
