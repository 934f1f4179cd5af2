"""What public pages keep between requests (bench/web, issue 7): the dataset page's
schema.org JSON-LD (ckanext-dcat's structured_data) per dataset version and language, for
anonymous readers of public datasets only. An edit shows at once; a private dataset's
JSON-LD is never kept, so no cache can serve it."""
from __future__ import annotations

import json

import ckan.plugins.toolkit as tk
import pytest
import rdflib
from bs4 import BeautifulSoup
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.regionaliot import jsonld
from rdflib.compare import isomorphic

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


def names(app, url, status=200, **kwargs) -> list[str]:
    """The schema:name values of the page's JSON-LD."""
    body = app.get(url, status=status, **kwargs).body
    if status != 200:
        return []
    script = BeautifulSoup(body, "html.parser").select_one('script[type="application/ld+json"]')
    doc = json.loads(script.string)
    nodes = doc.get("@graph", [doc])
    return [n.get("schema:name") or n.get("name") for n in nodes
            if n.get("schema:name") or n.get("name")]


def kept() -> str:
    """Every JSON-LD document kept, as readable text (they are stored \\u-escaped)."""
    return json.dumps([json.loads(v) for v in jsonld.kept.values()],
                      ensure_ascii=False)


def test_json_ld_kept_per_version_and_never_for_a_private_dataset(app):
    jsonld.kept.clear()
    admin = factories.SysadminWithToken()
    org = factories.Organization(users=[{"name": admin["name"], "capacity": "admin"}])
    login = {"headers": {"Authorization": admin["token"]}}
    pkg = call_action("package_create", {"user": admin["name"]}, owner_org=org["id"],
                      name="hinanjo", title="避難所一覧", category="shiho-anzen-kankyo")

    assert "避難所一覧" in names(app, "/dataset/hinanjo")
    assert "避難所一覧" in kept()
    # An edit is a new version (metadata_modified): the next reader sees it at once.
    call_action("package_patch", {"user": admin["name"]}, id=pkg["id"], title="指定避難所一覧")
    assert "指定避難所一覧" in names(app, "/dataset/hinanjo")

    # Private now, with a title only its editors may read.
    call_action("package_patch", {"user": admin["name"]}, id=pkg["id"], private=True,
                title="非公開の避難計画")
    names(app, "/dataset/hinanjo", status=404)
    assert "非公開の避難計画" in names(app, "/dataset/hinanjo", **login)
    assert "非公開の避難計画" not in kept()
    # A signed-in reader's JSON-LD of a public dataset is not kept either.
    other = call_action("package_create", {"user": admin["name"]}, owner_org=org["id"],
                        name="aed", title="AED設置箇所", category="shakaihosho-eisei")
    assert "AED設置箇所" in names(app, "/dataset/aed", **login)
    assert "AED設置箇所" not in kept()
    assert other["id"] not in kept()


def test_the_dataset_page_blocks_read_the_current_rows_in_one_statement_each(app, test_request_context):
    """The validation badge, the stories using the dataset and the ideas it answered: one
    statement each, however many files (they were an action per file), and never a kept
    answer: a withdrawn story, a hidden idea or a file validated again shows at once."""
    import ckan.model as model
    from ckanext.regionaliot.ideas.model import Idea
    from ckanext.regionaliot.stories.model import Story
    from ckanext.regionaliot.validation.model import ResourceValidation
    from sqlalchemy import event

    org = factories.Organization()
    pkg = factories.Dataset(owner_org=org["id"], name="three-files",
                            resources=[{"url": f"https://example.org/{i}.csv"} for i in range(3)])
    ids = [r["id"] for r in pkg["resources"]]
    model.Session.add_all(
        [ResourceValidation(resource_id=ids[0], package_id=pkg["id"], status="success"),
         ResourceValidation(resource_id=ids[1], package_id=pkg["id"], status="failure",
                            error_count=4, report={"errors": ["big"] * 100}),
         Story(name="reads-file-3", title="三つ目を読む", state="published",
               blocks=json.dumps([{"resource": ids[2]}])),
         Story(name="withdrawn", title="取り下げ", state="withdrawn",
               blocks=json.dumps([{"resource": ids[0]}])),
         Idea(kind="request", title="回答された要望", author_name="a", answer_package_id=pkg["id"]),
         Idea(kind="idea", title="非表示", author_name="b", answer_package_id=pkg["id"],
              moderation="hidden")])
    model.Session.commit()

    statements = []
    engine = model.meta.engine
    count = lambda *args: statements.append(args[2])  # noqa: E731
    with test_request_context():
        shown = tk.get_action("package_show")({}, {"id": pkg["id"]})
        event.listen(engine, "before_cursor_execute", count)
        try:
            badge = tk.h.regionaliot_dataset_validation(shown)
            after_badge = len(statements)
            stories = tk.h.regionaliot_stories_using(ids)
            after_stories = len(statements)
            ideas = tk.h.regionaliot_ideas_answered_by(pkg["id"])
        finally:
            event.remove(engine, "before_cursor_execute", count)
    assert (badge["status"], badge["error_count"], badge["resource"]["id"]) == ("failure", 4, ids[1])
    assert [s["name"] for s in stories] == ["reads-file-3"]
    assert [i["title"] for i in ideas] == ["回答された要望"]
    assert (after_badge, after_stories - after_badge, len(statements) - after_stories) == (1, 1, 1)

    # Nothing is kept: the page shows the current rows.
    ResourceValidation.get(ids[1]).status = "success"
    Story.get("reads-file-3").state = "withdrawn"
    model.Session.commit()
    html = app.get("/dataset/three-files").body
    assert 'data-status="success"' in html and "三つ目を読む" not in html
    assert "回答された要望" in html and "非表示" not in html


def test_json_ld_is_what_dcat_writes_for_each_dataset_in_turn(test_request_context):
    """One serializer per thread serves every dataset: each gets exactly ckanext-dcat's own
    JSON-LD, with nothing of the dataset serialised before it."""
    admin = factories.Sysadmin()
    org = factories.Organization()
    made = [call_action("package_create", {"user": admin["name"]}, owner_org=org["id"],
                        name=name, title=title, category="shiho-anzen-kankyo")
            for name, title in (("hinanjo", "避難所一覧"), ("aed", "AED設置箇所"))]
    with test_request_context():
        for pkg in (*made, made[0]):
            shown = call_action("package_show", id=pkg["id"])
            ours, dcat = jsonld.serialize(shown), tk.h.structured_data(shown)
            # Equal graphs (blank nodes get fresh ids in each serialisation).
            assert isomorphic(graph(ours), graph(dcat)), pkg["title"]
            titles = {str(o) for o in graph(ours).objects(None, SDO_NAME)}
            assert ("AED設置箇所" in titles) == (pkg is made[1]), titles


SDO_NAME = rdflib.URIRef("http://schema.org/name")


def graph(text: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=text, format="json-ld")
