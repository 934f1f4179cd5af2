"""regionaliot.harvesters.ckan_api and .common without CKAN: config, endpoints of both
dialects, paging that survives a remote changing during the run, mapping onto our schema."""
from __future__ import annotations

import pytest
from regionaliot.harvesters import ckan_api, common
from regionaliot.harvesters.ckan_api import Config, Endpoint


def ds(i: int, modified: str, **extra):
    return {"id": f"id-{i:05d}", "name": f"ds-{i}", "title": f"データ{i}",
            "metadata_modified": modified, "license_id": "cc-by-4.0", "resources": [], **extra}


class FakeCKAN:
    """package_search over a list that the test may change between pages."""

    def __init__(self, datasets, on_page=None):
        self.datasets = datasets
        self.on_page = on_page
        self.calls = []

    def __call__(self, url, params):
        self.calls.append((url, dict(params)))
        if self.on_page:
            self.on_page(len(self.calls), self)
        items = sorted(self.datasets, key=lambda d: (d["metadata_modified"], d["id"]))
        fq = params.get("fq", "")
        if fq.startswith("metadata_modified:["):
            low = fq.split("[", 1)[1].split(" TO", 1)[0].rstrip("Z")
            items = [d for d in items if (d["metadata_modified"] + ".000")[:23] >= low]
        start, rows = int(params["start"]), int(params["rows"])
        return {"success": True, "result": {"count": len(items), "results": items[start:start + rows]}}


def listing(fake, page_size=3):
    endpoint = Endpoint.of("https://ckan.example.jp/")
    return [d["id"] for d in ckan_api.iter_datasets(endpoint, Config(page_size=page_size), fake)]


def test_pages_every_dataset_once():
    data = [ds(i, f"2024-01-{i + 1:02d}T00:00:00.000000") for i in range(10)]
    fake = FakeCKAN(data)
    assert listing(fake) == [d["id"] for d in data]
    assert fake.calls[0][0] == "https://ckan.example.jp/api/3/action/package_search"
    assert fake.calls[0][1]["sort"] == "metadata_modified asc, id asc"


def test_many_datasets_with_one_timestamp_are_paged_by_offset_within_it():
    data = [ds(i, "2024-01-01T00:00:00.000000") for i in range(8)] + [ds(8, "2024-02-01T00:00:00")]
    assert listing(FakeCKAN(data)) == [d["id"] for d in data]


def test_deletion_during_the_run_skips_nothing():
    data = [ds(i, f"2024-01-{i + 1:02d}T00:00:00") for i in range(9)]

    def delete_first(call, fake):
        if call == 2:  # after the first page: offset paging would now skip id-00003
            fake.datasets = [d for d in fake.datasets if d["id"] != "id-00000"]

    assert listing(FakeCKAN(list(data), delete_first)) == [d["id"] for d in data]


def test_modified_during_the_run_comes_once():
    data = [ds(i, f"2024-01-{i + 1:02d}T00:00:00") for i in range(6)]

    def touch(call, fake):
        if call == 2:
            fake.datasets[0] = dict(fake.datasets[0], metadata_modified="2025-01-01T00:00:00")
            fake.datasets.append(ds(99, "2025-01-02T00:00:00"))

    ids = listing(FakeCKAN([dict(d) for d in data], touch))
    assert sorted(ids) == sorted([d["id"] for d in data] + ["id-00099"])
    assert len(ids) == len(set(ids))


def test_not_an_api_answer_is_a_source_error():
    endpoint = Endpoint.of("https://ckan.example.jp/")
    with pytest.raises(ckan_api.SourceError):
        list(ckan_api.iter_datasets(endpoint, Config(), lambda url, params: {"result": "x"}))
    with pytest.raises(ckan_api.SourceError):
        list(ckan_api.iter_datasets(endpoint, Config(), lambda url, params: {"success": False}))


def test_dataeye_dialect_lists_then_shows_by_number():
    endpoint = Endpoint.of("https://city.dataeye.jp/ckan_api/")
    assert endpoint.dialect == "dataeye"
    assert endpoint.action_url("package_list") == "https://city.dataeye.jp/ckan_api/package_list"
    shown = {}

    def get(url, params):
        if url.endswith("package_list"):
            return {"success": True, "result": [12, 15, 12]}
        shown[params["id"]] = url
        return {"success": True, "result": {"id": int(params["id"]), "title": "t"}}

    ids = [d["id"] for d in ckan_api.iter_datasets(endpoint, Config(), get)]
    assert ids == [12, 15]
    assert set(shown) == {"12", "15"}


def test_endpoint_from_api_urls():
    assert Endpoint.of("https://x.jp/api/3/action/").api == "https://x.jp/api/3/action/"
    assert Endpoint.of("https://x.jp/portal").base == "https://x.jp/portal/"
    with pytest.raises(ckan_api.ConfigError):
        Endpoint.of("file:///etc/passwd")


@pytest.mark.parametrize("text, problem", [
    ("{", "JSON"), ("[]", "object"), ('{"dialect": "soap"}', "dialect"),
    ('{"page_size": 0}', "page_size"), ('{"colour": 1}', "Unknown"),
    ('{"organizations": []}', "organizations"), ('{"open_licences_only": "yes"}', "true"),
])
def test_bad_config_is_named(text, problem):
    with pytest.raises(ckan_api.ConfigError, match=problem):
        Config.parse(text)


BODIK = {
    "id": "0b1e", "name": "332020_aed", "title": "AED設置箇所一覧", "notes": "倉敷市のAED",
    "license_id": "CC-BY-4.0", "metadata_modified": "2024-01-01T00:00:00",
    "organization": {"name": "332020", "title": "倉敷市"},
    "tags": [{"name": "自治体標準ODS"}, {"name": "AED"}],
    "groups": [{"name": "g1", "title": "社会保障・衛生"}],
    "resources": [{"url": "https://ckan.example.jp/dataset/0b1e/resource/1/download/aed.csv",
                   "name": "AED", "format": "csv"},
                  {"url": "javascript:alert(1)", "name": "bad"}],
}


def test_map_bodik_dataset():
    endpoint = Endpoint.of("https://ckan.example.jp/")
    mapped = ckan_api.map_dataset(BODIK, endpoint, Config())
    assert mapped.skip is None
    assert mapped.guid == "0b1e"
    assert mapped.url == "https://ckan.example.jp/dataset/332020_aed"
    assert mapped.org_keys[:2] == ["332020", "倉敷市"]
    package = mapped.package
    assert package["standard_dataset"] == "aed"
    assert package["license_id"] == "cc-by-4.0"
    assert package["category"] == "shakaihosho-eisei"
    assert [r["url"] for r in package["resources"]] == [BODIK["resources"][0]["url"]]
    assert package["resources"][0]["format"] == "CSV"


def test_map_dataeye_dataset_relative_download_and_resource_licence():
    endpoint = Endpoint.of("https://city.dataeye.jp/ckan_api/")
    remote = {"id": 15, "name": "15", "title": "公衆トイレ一覧",
              "resources": [{"url": "/resource_download/88", "name": "トイレ",
                             "resource_license_id": "pdl"}]}
    mapped = ckan_api.map_dataset(remote, endpoint, Config())
    assert mapped.package["license_id"] == "pdl-1.0"
    assert mapped.package["resources"][0]["url"] == "https://city.dataeye.jp/resource_download/88"
    assert mapped.package["standard_dataset"] == "public_toilet"
    assert mapped.url == "https://city.dataeye.jp/ckan_api/package_show?id=15"
    assert mapped.package["name"] != "15"


def test_licence_filter_and_organization_filter():
    endpoint = Endpoint.of("https://ckan.example.jp/")
    closed = dict(BODIK, license_id="other-closed", license_title="All rights reserved")
    assert ckan_api.map_dataset(closed, endpoint, Config()).skip == "licence"
    assert ckan_api.map_dataset(closed, endpoint, Config(open_licences_only=False)).skip is None
    other = Config(only_organizations=["332054"])
    assert ckan_api.map_dataset(BODIK, endpoint, other).skip == "organization"


def test_category_mapping_of_the_source_wins():
    assert common.category(["bousai"], {"bousai": "司法・安全・環境"}) == "shiho-anzen-kankyo"
    assert common.category(["unknown"]) is None


@pytest.mark.parametrize("kwargs, expected", [
    ({"title": "指定緊急避難場所一覧"}, "evacuation_space"),
    ({"title": "AED設置箇所"}, "aed"),
    ({"name": "332054_public_toilet"}, "public_toilet"),
    ({"tags": ["自治体標準ODS"], "title": "統計書"}, "none"),
    ({"hint": "population", "title": "x"}, "population"),
])
def test_standard_dataset_detection(kwargs, expected):
    assert common.standard_dataset(**kwargs) == expected


def test_content_hash_ignores_key_order_and_sees_changes():
    a = {"title": "x", "resources": [{"url": "u"}]}
    assert common.content_hash(a) == common.content_hash({"resources": [{"url": "u"}], "title": "x"})
    assert common.content_hash(a) != common.content_hash(dict(a, title="y"))
