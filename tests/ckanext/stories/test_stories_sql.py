"""Chart figures computed inside the DataStore (stories/sql.py) against the real DataStore:
the same figures as the pure path over the same rows for every aggregation, a private
table unreadable through the query for a reader who may not see it, and figures that
change when rows change through datastore_upsert alone."""
from __future__ import annotations

import random

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.regionaliot.lib.charts import aggregate
from ckanext.regionaliot.lib.charts.aggregate import AggregationError
from ckanext.regionaliot.stories import sql

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

# A quote and a space in a column name: identifiers are quoted, never pasted.
VALUE = "人数 (O'Brien)"
FIELDS = [{"id": "コード", "type": "int4"}, {"id": "地域名", "type": "text"},
          {"id": VALUE, "type": "text"}, {"id": "値", "type": "numeric"},
          {"id": "年", "type": "text"}, {"id": "0-4歳の男性", "type": "numeric"},
          {"id": "0-4歳の女性", "type": "text"}, {"id": "日", "type": "timestamp"}]
ROWS = [
    {"コード": 332054, "地域名": "笠岡", VALUE: "１，０００", "値": 1.5, "年": "2024",
     "0-4歳の男性": 10, "0-4歳の女性": "20", "日": "2024-04-01"},
    {"コード": 332054, "地域名": " 笠岡", VALUE: "不明", "値": None, "年": "2023",
     "0-4歳の男性": 1, "0-4歳の女性": "２", "日": "2024-04-01"},
    {"コード": 332020, "地域名": "倉敷", VALUE: " -2.5 ", "値": 4, "年": "2024",
     "0-4歳の男性": None, "0-4歳の女性": "x", "日": "2024-04-02"},
    {"コード": 332020, "地域名": "", VALUE: "1e999", "値": 2, "年": "2023",
     "0-4歳の男性": 5, "0-4歳の女性": "5", "日": None},
    {"コード": None, "地域名": "井原", VALUE: None, "値": None, "年": "２０２２",
     "0-4歳の男性": 3, "0-4歳の女性": None, "日": "2024-04-02"},
]
BLOCKS = [
    {"aggregation": "sum", "group": "地域名", "value": VALUE},
    {"aggregation": "sum", "group": "コード", "value": "値", "sort": "value"},
    {"aggregation": "count", "group": "日"},
    {"aggregation": "mean", "group": "地域名", "value": "値", "sort": "label"},
    {"aggregation": "timeseries", "group": "年", "value": VALUE},
    {"aggregation": "timeseries", "group": "年"},
    {"aggregation": "share", "group": "コード", "value": "0-4歳の女性"},
    {"aggregation": "share", "group": "地域名"},
    {"aggregation": "pyramid"},
    {"aggregation": "pyramid", "where_column": "コード", "where_value": "332054"},
]


def test_sql_figures_equal_the_pure_path_and_respect_privacy(test_request_context):
    admin, member, stranger = factories.Sysadmin(), factories.User(), factories.User()
    org = factories.Organization(users=[{"name": member["name"], "capacity": "member"}])
    dataset = factories.Dataset(owner_org=org["id"], private=True)
    with test_request_context():
        table = call_action("datastore_create", {"user": admin["name"]},
                            resource={"package_id": dataset["id"], "name": "表"},
                            fields=FIELDS, records=ROWS, force=True)
        res = call_action("resource_show", id=table["resource_id"])
        reader = {"user": member["name"], "ignore_auth": False}
        found = call_action("datastore_search", dict(reader),
                            resource_id=res["id"], limit=100, sort="_id")
        header = [f["id"] for f in found["fields"] if f["id"] != "_id"]
        rows = found["records"]
        for block in BLOCKS:
            by_sql = sql.chart(dict(reader), block, res)
            assert by_sql is not None, block  # answered by the query, not the fallback
            assert by_sql.to_dict() == aggregate.compute(block, rows, header).to_dict(), block

        # Hand-checked: 笠岡 1000 (「不明」 skipped, " 笠岡" is 笠岡), 倉敷 -2.5, "" nothing
        # (1e999 is not a number), 井原 nothing (None).
        summed = sql.chart(dict(reader), BLOCKS[0], res)
        assert [(k, v) for k, v in summed.rows] == [("笠岡", [1000.0]), ("倉敷", [-2.5]),
                                                    ("", [0.0]), ("井原", [0.0])]
        assert summed.skipped == 3
        population = sql.population(dict(reader), res, "コード", "値")
        assert population == {"332054": 1.5, "332020": 6.0, "": 0.0}

        # The per-member map: raw keys mapped, then added up as one group.
        mapped = sql.chart(dict(reader), {"aggregation": "count"}, res,
                           key=lambda k: "33" if k.startswith("33") else "", group="コード")
        assert [(k, v) for k, v in mapped.rows] == [("33", [4.0]), ("", [1.0])]

        # A column that does not exist is named; nothing reaches SQL.
        with pytest.raises(AggregationError) as missing:
            sql.chart(dict(reader), {"aggregation": "sum", "group": 'x" FROM pg_user --',
                                     "value": "値"}, res)
        assert missing.value.msgid == "Column not found: {column}"

        # Private: neither the query nor the columns for a reader who may not see it.
        query = sql.query(res["id"], {"値": "numeric"}, None, ["値"])
        for outsider in ({"user": stranger["name"], "ignore_auth": False},
                         {"user": "", "ignore_auth": False}):
            with pytest.raises(AggregationError) as refused:
                sql.run(dict(outsider), res["id"], query)
            assert refused.value.msgid == "Resource not found: {id}"
            with pytest.raises(AggregationError):
                sql.chart(dict(outsider), BLOCKS[1], res)
        assert sql.run(dict(reader), res["id"], query)[0]["s0"] == 7.5


# Cells at the edges of the query's number reading (stories/sql.py: numeric sums, one
# regular expression, the range check only for long cells and exponents) and of the
# pyramid's prefilter (a substring of the area column narrows the rows; the label decides).
EDGE_FIELDS = [{"id": "地区", "type": "text"}, {"id": "番号", "type": "int4"},
               {"id": "文", "type": "text"}, {"id": "値", "type": "numeric"},
               {"id": "浮", "type": "float8"}, {"id": "0-4歳の男性", "type": "numeric"},
               {"id": "0-4歳の女性", "type": "text"}]
EDGE_CELLS = [
    # 文 (text), 値 (numeric), 浮 (float8)
    ("1.5e3", "1e400", "NaN"), ("1" + "0" * 400, "-1e400", "Infinity"),
    ("9" * 300, "NaN", "-Infinity"), ("+.5", "Infinity", 1.25), ("１２３．５", "0.25", 2),
    ("1e-5", "0.5", -0.5), ("-0", "7.5", None), ("1,234,567", "4096", 3),
    ("e5", "-3", 0.1), ("1e99999", "1e-400", 0.2), ("1e308", "2", 1e300),
    ("2e308", "3", 4), (" ", None, 5), ("不明", "12", 6),
]
EDGE_AREAS = ["332054", " 332054", "x332054", "3320540", "332020", None, "332054\u3000"]


def _edge_rows():
    rows = []
    for i, (text, numeric, floating) in enumerate(EDGE_CELLS):
        rows.append({"地区": EDGE_AREAS[i % len(EDGE_AREAS)], "番号": 332054 + i % 3,
                     "文": text, "値": numeric, "浮": floating, "0-4歳の男性": numeric,
                     "0-4歳の女性": text})
    return rows


def test_sql_figures_equal_the_pure_path_at_the_edges_of_numbers_and_areas(
        test_request_context):
    admin = factories.Sysadmin()
    dataset = factories.Dataset(owner_org=factories.Organization()["id"])
    with test_request_context():
        table = call_action("datastore_create", {"user": admin["name"]},
                            resource={"package_id": dataset["id"], "name": "端"},
                            fields=EDGE_FIELDS, records=_edge_rows(), force=True)
        res = call_action("resource_show", id=table["resource_id"])
        context = {"user": admin["name"]}
        found = call_action("datastore_search", dict(context), resource_id=res["id"],
                            limit=100, sort="_id")
        header = [f["id"] for f in found["fields"] if f["id"] != "_id"]
        rows = found["records"]
        charts = [{"aggregation": kind, "group": group, "value": value}
                  for kind in ("sum", "mean") for group in ("地区", "番号")
                  for value in ("文", "値", "浮")]
        charts += [{"aggregation": "pyramid", "where_column": column, "where_value": area}
                   for column, area in (("地区", "332054"), ("地区", "x332054"),
                                        ("地区", ""), ("番号", "332055"), ("番号", "3320"))]
        for block in charts:
            by_sql = sql.chart(dict(context), block, res)
            assert by_sql is not None, block
            assert by_sql.to_dict() == aggregate.compute(block, rows, header).to_dict(), block
        figures = [{"aggregation": kind, "value": value, "where_column": column,
                    "where_value": area}
                   for kind in ("sum", "count", "mean") for value in ("文", "値")
                   for column, area in (("地区", "332054"), ("番号", "332056"))]
        for block in figures:
            by_sql = sql.figure(dict(context), block, res)
            assert by_sql is not None, block
            assert by_sql.to_dict() == aggregate.figure(block, rows, header).to_dict(), block

        # Hand-checked: the pyramid of 332054 reads the rows of "332054" and " 332054"
        # (the label is stripped) and not "x332054", "3320540" nor "332054\u3000"... which
        # Python's strip() does strip: the full-width space is whitespace to str.strip.
        pyramid = sql.chart(dict(context), charts[-5], res)
        areas = [row["地区"] for row in rows]
        kept = [i for i, area in enumerate(areas)
                if aggregate.label(area) == "332054"]
        assert sorted({areas[i] for i in kept}) == [" 332054", "332054", "332054\u3000"]
        men = sum(aggregate.number(rows[i]["0-4歳の男性"]) or 0.0 for i in kept)
        assert pyramid.rows == [("0-4歳", [men, pyramid.rows[0][1][1]])]


# Generated text cells for the query's reading of a raw cell (stories/sql.py: regular
# expressions over the cell as written; only numbers are normalised): full-width digits,
# signs, points and exponents, commas anywhere, blanks around and inside, long numbers.
SPACES = [" ", "\u3000", "\t", "\n", "\r\n", "  "]


def _generated_cell(rng: random.Random) -> str:
    if rng.random() < 0.3:  # anything of these characters, at most six
        return "".join(rng.choice("0123456789０９,，.．+-＋－eEｅＥ \u3000\t\nx不_")
                       for _ in range(rng.randint(0, 6)))
    cell = rng.choice(["", "+", "-", "＋", "－"])
    cell += "".join(rng.choice("0123456789０９") for _ in range(rng.randint(0, 5)))
    if rng.random() < 0.5:
        cell += rng.choice(".．") + "".join(rng.choice("05９") for _ in range(rng.randint(0, 3)))
    if rng.random() < 0.3:  # at most four exponent digits (aggregate.number reads more)
        cell += rng.choice("eEｅＥ") + rng.choice(["", "+", "-", "－"])
        cell += "".join(rng.choice("0123９") for _ in range(rng.randint(0, 4)))
    chars = list(cell)
    for _ in range(rng.randint(0, 3)):
        chars.insert(rng.randint(0, len(chars)), rng.choice(",，"))
    if rng.random() < 0.3:
        chars.insert(0, rng.choice(SPACES))
    if rng.random() < 0.3:
        chars.append(rng.choice(SPACES))
    if rng.random() < 0.05:
        chars.insert(rng.randint(0, len(chars)), rng.choice(["x", "不", " ", "_"]))
    if rng.random() < 0.03:  # around PLAIN_LENGTH and float's range
        chars = list("9" * rng.randint(296, 312)) + chars
    return "".join(chars)


def test_each_generated_text_cell_is_the_number_the_pure_path_reads(test_request_context):
    admin = factories.Sysadmin()
    dataset = factories.Dataset(owner_org=factories.Organization()["id"])
    rng = random.Random(9)
    cells = [_generated_cell(rng) for _ in range(3000)] + [None, "", "１，２３４", "不明"]
    with test_request_context():
        table = call_action("datastore_create", {"user": admin["name"]},
                            resource={"package_id": dataset["id"], "name": "文"},
                            fields=[{"id": "文", "type": "text"}],
                            records=[{"文": cell} for cell in cells], force=True)
        rid = table["resource_id"]
        records = sql.run({"user": admin["name"]}, rid,
                          f'SELECT "_id" AS o, {sql.number_sql("文", "text")} AS x '
                          f"FROM {sql.ident(rid)}")
    read = [None if r["x"] is None else float(r["x"]) for r in records]
    expected = [aggregate.number(cell) for cell in cells]
    assert len([x for x in expected if x is not None]) > 1500  # mostly numbers
    assert [(cell, got) for cell, got, want in zip(cells, read, expected, strict=True)
            if got != want] == []


def test_figures_change_when_rows_change_through_upsert_alone(app, test_request_context):
    admin = factories.Sysadmin()
    org = factories.Organization()
    dataset = factories.Dataset(owner_org=org["id"])
    context = {"user": admin["name"]}
    with test_request_context():
        table = call_action("datastore_create", dict(context),
                            resource={"package_id": dataset["id"], "name": "件数"},
                            fields=[{"id": "区分", "type": "text"}],
                            records=[{"区分": "A"}, {"区分": "B"}], force=True)
        story = call_action("regionaliot_story_create", dict(context), name="upsert",
                            title="件数", organizations=[org["name"]], state="published",
                            blocks=[{"type": "chart", "resource": table["resource_id"],
                                     "aggregation": "count", "group": "区分"}])
        before = call_action("regionaliot_chart_data", {}, id=story["id"], block=1)
        metadata = call_action("resource_show", id=table["resource_id"])["metadata_modified"]
        call_action("datastore_upsert", dict(context), resource_id=table["resource_id"],
                    method="insert", records=[{"区分": "A"}], force=True)
        # The resource's metadata did not move: only the rows token tells the change.
        assert call_action("resource_show",
                           id=table["resource_id"])["metadata_modified"] == metadata
        after = call_action("regionaliot_chart_data", {}, id=story["id"], block=1)
    assert before["rows"] == [["A", 1.0], ["B", 1.0]]
    assert after["rows"] == [["A", 2.0], ["B", 1.0]]


def test_an_xloader_load_changes_the_figures_and_the_job_computes_them(
        app, test_request_context, monkeypatch):
    """xloader writes rows by COPY, outside every DataStore action: only its after-load
    hook (xloader_hook → IXloader.after_upload → the IDatastoreRows signal) tells. The
    signal queues one refresh job, which computes the story's figures before any reader."""
    import sqlalchemy as sa
    from ckan.lib import jobs as ckan_jobs
    from ckan.plugins import toolkit as tk
    from ckanext.regionaliot.stories import data, jobs

    admin = factories.Sysadmin()
    org = factories.Organization()
    dataset = factories.Dataset(owner_org=org["id"])
    context = {"user": admin["name"]}
    with test_request_context():
        table = call_action("datastore_create", dict(context),
                            resource={"package_id": dataset["id"], "name": "件数"},
                            fields=[{"id": "区分", "type": "text"}],
                            records=[{"区分": "A"}, {"区分": "B"}], force=True)
        rid = table["resource_id"]
        story = call_action("regionaliot_story_create", dict(context), name="xloader",
                            title="件数", organizations=[org["name"]], state="published",
                            blocks=[{"type": "chart", "resource": rid,
                                     "aggregation": "count", "group": "区分"}])
        before = call_action("regionaliot_chart_data", {}, id=story["id"], block=1)
        ckan_jobs.get_queue().empty()
        # xloader's COPY: straight into the table with the write role, no action.
        engine = sa.create_engine(tk.config["ckan.datastore.write_url"])
        with engine.begin() as conn:
            conn.execute(sa.text(f'INSERT INTO "{rid}" ("区分") VALUES (\'A\'), (\'C\')'))
        engine.dispose()
        call_action("task_status_update", dict(context), entity_id=rid,
                    entity_type="resource", task_type="xloader", key="xloader",
                    value="{}", state="running")
        call_action("xloader_hook", dict(context), metadata={"resource_id": rid},
                    status="complete")
        queued = [job.args for job in ckan_jobs.get_queue().jobs]
        assert queued == [[rid]]
        assert jobs.refresh(rid) == 1
        # Served from the cache the job filled: reading rows or querying would fail now.

        def no_reading(*args, **kwargs):
            raise AssertionError("computed by the reader")

        monkeypatch.setattr(sql, "chart", no_reading)
        monkeypatch.setattr(data, "rows_of", no_reading)
        after = call_action("regionaliot_chart_data", {}, id=story["id"], block=1)
    assert before["rows"] == [["A", 1.0], ["B", 1.0]]
    assert after["rows"] == [["A", 2.0], ["B", 1.0], ["C", 1.0]]


def test_cached_answers_for_anonymous_readers_keep_drafts_and_private_data_hidden(
        app, test_request_context, monkeypatch):
    """answers.py serves an anonymous reader's second request before CKAN's request work;
    a story made a draft, or a dataset made private, is never answered from there."""
    from ckanext.regionaliot.stories import render

    admin = factories.Sysadmin()
    org = factories.Organization()
    dataset = factories.Dataset(owner_org=org["id"])
    context = {"user": admin["name"]}
    with test_request_context():
        table = call_action("datastore_create", dict(context),
                            resource={"package_id": dataset["id"], "name": "件数"},
                            fields=[{"id": "区分", "type": "text"}],
                            records=[{"区分": "A"}, {"区分": "B"}], force=True)
        story = call_action("regionaliot_story_create", dict(context), name="answers",
                            title="件数", organizations=[org["name"]], state="published",
                            blocks=[{"type": "chart", "resource": table["resource_id"],
                                     "aggregation": "count", "group": "区分"}])
    url = f"/api/3/action/regionaliot_chart_data?id={story['id']}&block=1"
    first = app.get(url)
    assert first.json["result"]["rows"] == [["A", 1.0], ["B", 1.0]]

    def computed(*args, **kwargs):
        raise AssertionError("CKAN's path was taken")

    monkeypatch.setattr(render, "figures", computed)
    second = app.get(url)  # from Redis, before CKAN: the action is not called
    assert second.json == first.json
    assert second.headers["Content-Type"] == first.headers["Content-Type"]
    monkeypatch.undo()

    with test_request_context():
        call_action("regionaliot_story_update", dict(context), id=story["id"], state="draft")
    assert app.get(url, status=404).json["success"] is False
    with test_request_context():
        call_action("regionaliot_story_update", dict(context), id=story["id"],
                    state="published")
        # bulk_update_private changes the dataset's row only: the resource's version (part
        # of the key) stays, so only the check of the dataset keeps it out.
        call_action("bulk_update_private", dict(context), datasets=[dataset["id"]],
                    org_id=org["id"])
    assert app.get(url, status=409).json["success"] is False


def test_story_pages_kept_for_anonymous_readers_and_shown_afresh_after_a_change(
        app, test_request_context, monkeypatch):
    """answers.py keeps a published story's page for anonymous readers: the second one is
    served before CKAN's request work; an edit of the story shows at once; a signed-in
    reader, a draft, a private dataset and a query string go through CKAN."""
    from ckanext.regionaliot.stories import render

    admin = factories.Sysadmin()
    org = factories.Organization()
    dataset = factories.Dataset(owner_org=org["id"])
    context = {"user": admin["name"]}
    with test_request_context():
        table = call_action("datastore_create", dict(context),
                            resource={"package_id": dataset["id"], "name": "件数"},
                            fields=[{"id": "区分", "type": "text"}],
                            records=[{"区分": "A"}, {"区分": "B"}], force=True)
        story = call_action("regionaliot_story_create", dict(context), name="kept-page",
                            title="区分の件数", organizations=[org["name"]],
                            state="published",
                            blocks=[{"type": "chart", "resource": table["resource_id"],
                                     "aggregation": "count", "group": "区分"}])
        token = call_action("api_token_create", dict(context), user=admin["name"],
                            name="page")["token"]
    url = f"/stories/{story['name']}"
    first = app.get(url)
    assert "区分の件数" in first.body and "<svg" in first.body

    computed = []
    real = render.blocks

    def counted(*args, **kwargs):
        computed.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(render, "blocks", counted)
    second = app.get(url)  # from Redis, before CKAN: the view does not run
    assert computed == []
    assert second.body == first.body
    assert second.headers["Content-Type"] == first.headers["Content-Type"]
    assert "Set-Cookie" not in second.headers
    # Any page CKAN renders leaves an anonymous reader a session with its CSRF token: with
    # it, the reader is still served from Redis.
    cookie = app.get("/stories").headers.get("Set-Cookie", "").split(";")[0]
    assert cookie.startswith("ckan=")
    assert app.get(url, headers={"Cookie": cookie}).body == first.body
    assert computed == []

    # Through CKAN: a signed-in reader, anything asked beyond the page itself.
    app.get(url, headers={"Authorization": token})
    app.get(url + "?x=1")
    assert len(computed) == 2

    with test_request_context():
        call_action("regionaliot_story_update", dict(context), id=story["id"],
                    title="区分ごとの件数")
    assert "区分ごとの件数" in app.get(url).body  # the edit shows at once
    assert len(computed) == 3

    with test_request_context():
        call_action("regionaliot_story_update", dict(context), id=story["id"], state="draft")
    app.get(url, status=404)
    with test_request_context():
        call_action("regionaliot_story_update", dict(context), id=story["id"],
                    state="published")
    app.get(url)
    app.get(url)  # kept again
    assert len(computed) == 4
    with test_request_context():
        call_action("bulk_update_private", dict(context), datasets=[dataset["id"]],
                    org_id=org["id"])
    app.get(url)
    app.get(url)  # a private dataset's story page is never kept
    assert len(computed) == 6
