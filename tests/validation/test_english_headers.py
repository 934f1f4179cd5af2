"""English column names (高松市's published standard datasets): aliases.json "english".

A close English name of a standard column is that column, with one rename finding, and the
data under it is checked; generic English names must not make an own list a standard.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

from regionaliot.validation.engine import validate_file
from regionaliot.validation.headers import label_key

TABLESCHEMA = Path(__file__).resolve().parents[2] / "schemas" / "tableschema"

TOILET = ["#property", "latitude", "longitude", "prefCode", "identification", "pref", "city", "name",
          "fullNameInKana", "fullNameInRomaji", "address", "katagaki", "installationPosition",
          "totalMensRestroom", "smallMensRestroom", "japaneseMensRestroom", "westernMensRestroom",
          "totalWomanRestroom", "japaneseWomanRestroom", "westernWomanRestroom", "sharedRestroom",
          "japaneseSharedRestroom", "westernSharedRestroom", "multifunctionalRestroom",
          "wheelchairRestroom", "anInfantRestroom", "ostomateRestroom", "startTime", "endTime",
          "availableDateNote", "image", "iamgeLicense", "note"]


def write(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def toilet_row(number, latitude="34.34551"):
    cells = dict.fromkeys(TOILET, "")
    cells.update({"#property": str(number), "latitude": latitude, "longitude": "134.05267",
                  "prefCode": "372013", "identification": str(number), "pref": "香川県", "city": "高松市",
                  "name": f"公衆便所{number}", "fullNameInKana": "コウシュウベンジョ",
                  "address": "香川県高松市片原町9番地9", "installationPosition": "商店街",
                  "multifunctionalRestroom": "1", "wheelchairRestroom": "有", "anInfantRestroom": "無",
                  "ostomateRestroom": "無", "startTime": "00:00", "endTime": "24:00"})
    return [cells[name] for name in TOILET]


def test_english_toilet_header_is_the_standard_with_one_rename_each(tmp_path):
    path = write(tmp_path / "toilet.csv", TOILET, [toilet_row(1), toilet_row(2, latitude="北緯34"),
                                                   toilet_row(3)])
    report = validate_file(path, max_findings=None)
    assert report.schema == "public_toilet"
    renames = [f for f in report.findings() if f["code"] == "header-alias"]
    assert len(renames) == len({f["column"] for f in renames}) >= 25
    by_cell = {f["cell"]: f["fix"] for f in renames}
    assert by_cell["latitude"] == "緯度" and by_cell["iamgeLicense"] == "画像_ライセンス"
    # the data under an English column is checked as the standard column's
    bad = [f for f in report.findings() if f["row"] == 3 and f["field"] == "緯度"]
    assert bad and bad[0]["cell"] == "北緯34"


def test_generic_english_names_leave_an_own_list_undetected(tmp_path):
    # 高松市's 環境施設 list: every column a close name of some standard's, none of one dataset
    header = ["#property", "name", "address", "telephoneNumber", "referenceObject", "note", "location",
              "availableDate", "startTime", "endTime", "availableDateNote"]
    path = write(tmp_path / "own.csv", header, [[str(i), f"施設{i}", "高松市", "087-000-0000", "", "", "",
                                                  "月火", "09:00", "17:00", ""] for i in range(1, 4)])
    report = validate_file(path)
    assert report.schema is None and report.to_dict()["checked"] is False


def test_english_aliases_lead_to_one_field_of_any_schema():
    data = json.loads((TABLESCHEMA / "aliases.json").read_text(encoding="utf-8"))
    fields = {path: {field["name"] for field in json.loads(path.read_text(encoding="utf-8"))["fields"]}
              for path in TABLESCHEMA.glob("*/*.json")}
    every = set().union(*fields.values())
    every_key = {label_key(name) for name in every}
    assert len(data["english"]) >= 40
    for alias, canonical in data["english"].items():
        targets = [canonical] if isinstance(canonical, str) else canonical
        assert set(targets) <= every, alias
        assert label_key(alias) not in every_key, alias  # exact names match first anyway
        for path, names in fields.items():
            assert len(names & set(targets)) <= 1, (path.stem, alias)
