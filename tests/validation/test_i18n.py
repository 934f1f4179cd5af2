"""Messages in one system: English msgids in the code, one gettext catalogue per language,
and stored reports rendered again in the reader's language (issue 6, item 8)."""
from __future__ import annotations

import gettext
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MIN_HEADER, MIN_SCHEMA, good_row
from regionaliot.validation import checks, i18n, messages
from regionaliot.validation.engine import validate_file
from regionaliot.validation.i18n.__main__ import check
from regionaliot.validation.messages import render_report
from regionaliot.validation.reader import ReadError
from regionaliot.validation.report import unreadable_report

EVERY_PARAM = {"field": "F", "cell": "C", "column": 3, "type": "number/default", "constraint": "K",
               "hint": "H", "previous": "", "fix": "X", "expected": "E", "count": 2,
               "encoding": "cp932", "option1": "o1", "option2": "o2", "lat": "1", "lon": "2",
               "allowed": "A", "first": "=", "errors": 1, "warnings": 2, "limit": 3, "reason": "R",
               "declared": "utf-8", "byte": 1234, "actual": "cp932", "error": "E", "line": 5,
               "size": "300", "part": "xl/styles.xml", "ratio": 1000, "path": "p", "rows": 1,
               "changes": 2, "type_hint": "T", "schema": "S", "detail": "D", "type_name": "N",
               "key": "K", "range": "A1:B2", "formula": "SUM(A1)", "better": "B", "chosen": "C",
               "better_generation": "standard", "chosen_generation": "legacy", "better_matched": 9,
               "better_total": 10, "chosen_matched": 2, "chosen_total": 22, "old": "o", "new": "n",
               "parts": "P", "sum": 4, "unit": "U"}


def test_the_catalogue_translates_every_msgid_of_the_code():
    # Extraction (babel.cfg) against validation/i18n/ja/LC_MESSAGES/regionaliot-validation.po:
    # nothing missing, obsolete, fuzzy or untranslated.
    assert check() == []


def test_every_text_is_an_english_msgid_with_a_japanese_translation():
    for table in (messages.MESSAGES, checks.MESSAGES, messages.READ_ERRORS, messages.SUMMARY,
                  messages.TYPE_HINTS, messages.TYPE_NAMES, messages.GENERATION_NAMES, messages.CHANGES,
                  messages.TEXTS):
        for key, msgid in table.items():
            assert isinstance(msgid, str), key  # not a (ja, en) pair beside the catalogue
            ja = i18n.translate(msgid, "ja")
            assert ja != msgid, key
            for lang in ("ja", "en"):
                text = messages._fill(i18n.translate(msgid, lang), EVERY_PARAM)
                assert "{" not in text and "}" not in text, (key, lang, text)


def test_japanese_comes_from_the_compiled_catalogue(tmp_path, monkeypatch, caplog):
    assert messages.render("blank-row", "ja") == "空行があります。削除してください。"
    assert messages.render("blank-row", "en") == "Blank row. Delete it."
    assert messages.render("blank-row", "en_GB") == messages.render("blank-row", "en-US") == "Blank row. Delete it."
    # Without a compiled catalogue: English, and one warning that says how to compile it.
    monkeypatch.setenv(i18n.LOCALEDIR_ENV, str(tmp_path))
    # Under the full suite CKAN's logging.config.fileConfig (disable_existing_loggers) has
    # disabled every logger created before it; the portal imports the engine afterwards.
    monkeypatch.setattr(logging.getLogger("regionaliot.validation.i18n"), "disabled", False)
    with caplog.at_level(logging.WARNING, logger="regionaliot.validation.i18n"):
        assert messages.render("blank-row", "ja") == "Blank row. Delete it."
    assert "regionaliot.validation.i18n compile" in caplog.text


def test_the_compile_command_writes_a_catalogue_gettext_reads(tmp_path):
    done = subprocess.run([sys.executable, "-m", "regionaliot.validation.i18n", "compile",
                           "--output-dir", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    mo = tmp_path / "ja" / "LC_MESSAGES" / "regionaliot-validation.mo"
    assert Path(done.stdout.strip()) == mo
    catalogue = gettext.translation(i18n.DOMAIN, str(tmp_path), languages=["ja"])
    assert catalogue.gettext("Blank row. Delete it.") == "空行があります。削除してください。"


def _mixed_file(tmp_path) -> Path:
    path = tmp_path / "mixed.csv"
    rows = [good_row(1, 名称="", 設置日="令和元年5月1日", 緯度="133.772", 経度="34.585"),
            good_row(2, 開始時間="9:00", 小児対応設備の有無="○", 電話番号="０８６-426-3030"),
            good_row(3, 都道府県コード又は市区町村コード="33202", 備考="=1+2"),
            [""] * len(MIN_HEADER)]
    with open(path, "w", encoding="cp932", newline="") as handle:
        handle.write("#title,AED\n" + ",".join(MIN_HEADER + ["余分"]) + "\n")
        for row in rows:
            handle.write(",".join(row + ["x"]) + "\n")
    return path


def _texts(data: dict) -> tuple:
    return (data["summary"], data["schema_title"],
            [(f["code"], f["row"], f["message"]) for f in data["errors"] + data["warnings"]])


@pytest.mark.parametrize("max_findings", [None, 3])
def test_a_stored_report_is_rendered_again_in_another_language(tmp_path, max_findings):
    path = _mixed_file(tmp_path)
    stored = json.loads(validate_file(path, MIN_SCHEMA, "ja", max_findings=max_findings).to_json("ja"))
    english = json.loads(validate_file(path, MIN_SCHEMA, "en", max_findings=max_findings).to_json("en"))
    assert len({f["code"] for f in stored["errors"] + stored["warnings"]}) >= (3 if max_findings else 10)
    assert _texts(stored) != _texts(english)

    assert _texts(render_report(stored, "en")) == _texts(english)
    assert _texts(render_report(english, "ja")) == _texts(stored)
    assert render_report(stored, "en")["lang"] == "en"
    assert _texts(stored) == _texts(json.loads(json.dumps(stored)))  # the input is not changed


def test_every_finding_carries_its_code_and_params(tmp_path):
    data = validate_file(_mixed_file(tmp_path), MIN_SCHEMA, "ja").to_dict()
    assert (data["summary_key"], set(data["summary_params"])) == ("invalid", {"errors", "warnings"})
    assert set(data["schema_titles"]) == {"ja", "en"} and data["schema_title"] == data["schema_titles"]["ja"]
    for finding in data["errors"] + data["warnings"]:
        assert messages.template(finding["code"]) is not None and isinstance(finding["params"], dict)
        assert not {"field", "cell", "column"} & set(finding["params"])
        again = messages.render(finding["code"], "ja", field=finding["field"], cell=finding["cell"],
                                column=finding["column"], **finding["params"])
        assert again == finding["message"]
    json.dumps(data)


def test_a_stored_report_of_an_unreadable_file_is_rendered_again(tmp_path):
    path = tmp_path / "late.csv"
    path.write_bytes(",".join(MIN_HEADER).encode() + b"\n" + b"a,b\n" * 20_000 + b"\xff\xfe\n")
    with pytest.raises(ReadError) as caught:
        validate_file(path, MIN_SCHEMA)
    stored = json.loads(json.dumps(unreadable_report(caught.value, "aed", "ja")))
    assert stored["errors"][0]["code"] == "file-encoding"
    assert stored["summary"] == stored["errors"][0]["message"] == caught.value.reason("ja")
    english = render_report(stored, "en")
    assert english["summary"] == english["errors"][0]["message"] == caught.value.reason("en")
    assert "line 20,002" in caught.value.reason("en")


def test_texts_without_keys_or_params_stay_as_they_were():
    # Reports stored before findings carried params, and ReadErrors raised with fixed texts.
    old = {"summary": "エラー 1 件", "errors": [{"code": "blank-row", "message": "空行"}], "warnings": []}
    assert render_report(old, "en")["errors"][0]["message"] == "空行"
    assert render_report(old, "en")["summary"] == "エラー 1 件"
    legacy = unreadable_report(ReadError("csv", "壊れています。", "it is broken."), None, "ja")
    assert render_report(legacy, "en")["errors"][0]["message"] == "壊れています。"
    assert ReadError("csv", "壊れています。", "it is broken.").reason("en") == "it is broken."


def test_read_errors_render_in_both_languages():
    error = ReadError("encoding", "file-encoding:mid-file-at", {"line": 3, "byte": 300_001, "offset": 300_000})
    assert error.reason("ja") == "途中で文字コードとして読めないバイトがあります（3行目、300,001 バイト目）。"
    assert error.reason("en") == str(error) == "undecodable bytes in the middle of the file (line 3, byte 300,001)."
    assert ReadError("empty").reason("ja") == "ファイルが空です。" and ReadError("empty").key == "file-empty"


def test_without_a_catalogue_the_command_line_still_prints_one_line(tmp_path, write_csv):
    # The fallback's warning goes to the portal's log, not to the CLI's stderr.
    env = {**os.environ, i18n.LOCALEDIR_ENV: str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "regionaliot.validation.cli", "validate",
                           str(write_csv([good_row(1)])), "--schema", "no_such_dataset", "--lang", "ja"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2
    assert done.stderr.splitlines() == ["regionaliot: unknown-schema: unknown schema: no_such_dataset"]
