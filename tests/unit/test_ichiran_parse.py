"""The オープンデータ一覧 parser (regionaliot.harvesters.ichiran): pure, no CKAN."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from regionaliot.harvesters import ichiran

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path("/work/shared/corpus/municipal")

HEADER = ("都道府県コード又は市区町村コード,NO,都道府県名,市区町村名,データ名称,データ概要,データ形式,"
          "分類,更新頻度,URL,API対応有無,ライセンス,登録日,最終更新日,備考")
ROWS = [
    "332020,1,岡山県,倉敷市,AED設置箇所一覧,市内のAED,CSV,社会保障・衛生,随時,"
    "https://www.city.kurashiki.okayama.jp/aed.csv,無,CC BY 4.0,2020/4/1,令和6年4月1日,",
    "332020,2,岡山県,倉敷市,地域・年齢別人口,,\"CSV,XLSX\",人口・世帯,毎月,"
    "https://www.city.kurashiki.okayama.jp/pop.csv,有,公共データ利用規約(第1.0版),2020-04-01,2024-04-01,",
]


def write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "list.csv") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp932", "utf-16"])
def test_reads_the_encodings_the_validator_reads(tmp_path, encoding):
    path = write(tmp_path, "\r\n".join([HEADER, *ROWS]) + "\r\n", encoding)
    result = ichiran.parse_list(path)
    assert [e.title for e in result.entries] == ["AED設置箇所一覧", "地域・年齢別人口"]
    assert not result.problems
    first, second = result.entries
    assert first.lg_code == "332020" and first.number == "1"
    assert first.category == "shakaihosho-eisei" and second.category == "jinko-setai"
    assert first.license_id == "cc-by-4.0" and second.license_id == "pdl-1.0"
    assert first.updated == "2024-04-01" and first.registered == "2020-04-01"  # 令和 → ISO
    assert first.frequency.endswith("/UPDATE_CONT") and second.frequency.endswith("/MONTHLY")
    assert second.formats == ("CSV", "XLSX") and first.api is False and second.api is True
    assert first.guid == "ichiran:332020:1" and first.name == "332020-ichiran-1"


def test_metadata_lines_and_drifted_header(tmp_path):
    # A title line above the header, U+2015 instead of ー, a full-width space in a label.
    header = HEADER.replace("コード", "コ―ド").replace("データ名称", "データ　名称")
    path = write(tmp_path, "倉敷市オープンデータ一覧,,,\n" + "\n".join([header, *ROWS]))
    result = ichiran.parse_list(path)
    assert [e.number for e in result.entries] == ["1", "2"]
    assert result.entries[0].line == 3


def test_bad_rows_are_named_and_skipped(tmp_path):
    rows = [
        ROWS[0],
        "332021,3,岡山県,倉敷市,検査数字が違う,,CSV,その他,,https://x.example/a,,,,,",
        "332020,4,岡山県,倉敷市,,,CSV,その他,,https://x.example/a,,,,,",
        "332020,5,岡山県,倉敷市,FTP,,CSV,その他,,ftp://x.example/a,,,,,",
        "332020,1,岡山県,倉敷市,重複,,CSV,その他,,https://x.example/b,,,,,",
        "332020,6,岡山県,倉敷市,分類不明,,CSV,観光,,https://x.example/c,,CC BY-NC 4.0,,,",
        ",,,,,,,,,,,,,,",
    ]
    result = ichiran.parse_list(write(tmp_path, "\n".join([HEADER, *rows])))
    assert [e.number for e in result.entries] == ["1", "6"]
    assert [(p.line, p.msgid) for p in result.problems] == [
        (3, ichiran.MSG_BAD_CODE), (4, ichiran.MSG_NO_TITLE), (5, ichiran.MSG_BAD_URL),
        (6, ichiran.MSG_DUPLICATE), (7, ichiran.MSG_CATEGORY), (7, ichiran.MSG_LICENSE)]
    unknown = result.entries[1]
    assert unknown.category is None and unknown.license_id is None
    assert "Row 3" in str(result.problems[0]) and "332021" in str(result.problems[0])


def test_missing_code_takes_the_members_and_no_number_gets_a_stable_key(tmp_path):
    rows = [",,岡山県,倉敷市,番号なし,,CSV,その他,,https://x.example/a,,,,,"]
    path = write(tmp_path, "\n".join([HEADER, *rows]))
    with_default = ichiran.parse_list(path, lg_code="332020").entries
    assert with_default[0].lg_code == "332020"
    assert with_default[0].key.startswith("t") and with_default[0].key == \
        ichiran.parse_list(path, lg_code="332020").entries[0].key
    assert ichiran.parse_list(path).entries == []  # no code at all: skipped


def test_row_limit(tmp_path):
    rows = [f"332020,{n},岡山県,倉敷市,D{n},,CSV,その他,,https://x.example/{n},,,,," for n in range(5)]
    result = ichiran.parse_list(write(tmp_path, "\n".join([HEADER, *rows])), max_entries=3)
    assert len(result.entries) == 3
    assert result.problems[-1].msgid == ichiran.MSG_TOO_MANY


@pytest.mark.skipif(not CORPUS.is_dir(), reason="municipal corpus not present")
def test_a_real_aed_file_is_not_a_list():
    # 焼津市's AED file (a standard dataset, but not 14_オープンデータ一覧).
    with pytest.raises(ichiran.ListError) as caught:
        ichiran.parse_list(str(CORPUS / "yaizu-222127" / "222127_aed.csv"))
    assert caught.value.msgid == ichiran.MSG_NOT_A_LIST
    assert "データ名称" in str(caught.value)


def test_unreadable_files(tmp_path):
    for content in (b"", b"\x00\x01\x02" * 100, b"PK\x03\x04broken zip"):
        path = tmp_path / "x.csv"
        path.write_bytes(content)
        with pytest.raises(ichiran.ListError) as caught:
            ichiran.parse_list(str(path))
        assert caught.value.msgid == ichiran.MSG_UNREADABLE


@pytest.mark.parametrize(("text", "expected"), [
    ("CC BY 4.0", "cc-by-4.0"), ("CC-BY", "cc-by-4.0"), ("ＣＣ ＢＹ ４．０", "cc-by-4.0"),
    ("CC BY 4.0 国際", "cc-by-4.0"), ("CC BY 2.1 JP", "cc-by-2.1-jp"),
    ("CC0", "cc0-1.0"), ("公共データ利用規約 第1.0版", "pdl-1.0"), ("PDL1.0", "pdl-1.0"),
    ("政府標準利用規約（第2.0版）", "gsl-2.0"), ("CC BY-SA 4.0", None), ("CC BY-NC", None),
    ("CC BY 3.0", None), ("独自規約", None), ("", None),
])
def test_licences(text, expected):
    assert ichiran.license_id(text) == expected


def test_mappings_match_the_portal_schema():
    presets = yaml.safe_load((REPO / "schemas/ckan/presets.yaml").read_text(encoding="utf-8"))
    choices = {p["preset_name"]: p["values"]["choices"] for p in presets["presets"]
               if "choices" in p.get("values", {})}
    categories = {c["label"]["ja"]: c["value"] for c in choices["regionaliot_category"]}
    assert ichiran.CATEGORIES == categories
    frequencies = {c["value"] for c in choices["regionaliot_frequency"]}
    assert {ichiran.frequency(k) for k in ichiran.FREQUENCIES} <= frequencies
    licences = {item["id"] for item in
                yaml.safe_load((REPO / "schemas/ckan/licenses.json").read_text(encoding="utf-8"))}
    assert {ichiran.license_id(t) for t in ("CC BY", "CC0", "PDL", "政府標準利用規約",
                                             "CC BY 2.1")} <= licences


def test_titles_stay_as_written_codes_and_urls_are_normalised(tmp_path):
    row = ("３３２０２０,１,岡山県,倉敷市,観光パンフレット（改訂）,説明（英語版あり）,ＰＤＦ,運輸・観光,"
           "毎年,ｈｔｔｐｓ://data.example.jp/kanko.pdf,無,CC BY 4.0,,,")
    entry = ichiran.parse_list(write(tmp_path, "\n".join([HEADER, row]))).entries[0]
    assert entry.title == "観光パンフレット（改訂）" and entry.notes == "説明（英語版あり）"
    assert (entry.lg_code, entry.number, entry.formats) == ("332020", "1", ("PDF",))
    assert entry.url == "https://data.example.jp/kanko.pdf"
    assert entry.frequency.endswith("/ANNUAL")
