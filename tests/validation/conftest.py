"""Fixtures for the pure validation tests (no CKAN)."""
from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
MIN_SCHEMA = str(FIXTURES / "aed_min.json")
MIN_HEADER = ["都道府県コード又は市区町村コード", "NO", "名称", "名称_カナ", "緯度", "経度", "電話番号",
              "開始時間", "設置日", "小児対応設備の有無", "備考"]


def good_row(number: int = 1, **overrides: str) -> list[str]:
    row = {"都道府県コード又は市区町村コード": "332020", "NO": f"{number:04d}", "名称": f"倉敷市役所{number}",
           "名称_カナ": "クラシキシヤクショ", "緯度": "34.585", "経度": "133.772", "電話番号": "086-426-3030",
           "開始時間": "09:00", "設置日": "2020-04-01", "小児対応設備の有無": "有", "備考": ""}
    row.update(overrides)
    return [row[name] for name in MIN_HEADER]


@pytest.fixture(scope="session", autouse=True)
def validation_catalogues(tmp_path_factory) -> Path:
    """The engine's catalogues compiled from the committed .po into a temporary folder, for
    this process and the CLI's subprocesses: tests read the .po as it is in git, never a
    stale .mo (the install compiles them beside the .po)."""
    from regionaliot.validation import i18n

    directory = tmp_path_factory.mktemp("regionaliot-validation-i18n")
    assert i18n.compile_catalogues(directory), "no .po under validation/i18n"
    previous = os.environ.get(i18n.LOCALEDIR_ENV)
    os.environ[i18n.LOCALEDIR_ENV] = str(directory)
    yield directory
    if previous is None:
        os.environ.pop(i18n.LOCALEDIR_ENV, None)
    else:
        os.environ[i18n.LOCALEDIR_ENV] = previous


@pytest.fixture
def corpus_dir() -> Path:
    # Real municipal files, byte for byte (tests/corpus/municipal/README.md).
    path = Path(os.environ.get("REGIONALIOT_CORPUS", REPO / "tests" / "corpus" / "municipal"))
    assert path.is_dir(), f"municipal corpus not found at {path}"
    return path


@pytest.fixture
def write_csv(tmp_path):
    """write_csv(rows, name=..., encoding=..., delimiter=...) -> path"""

    def write(rows, name="data.csv", encoding="utf-8", delimiter=",", header=MIN_HEADER,
              lineterminator="\r\n", before: str = ""):
        path = tmp_path / name
        with open(path, "w", encoding=encoding, newline="") as handle:
            handle.write(before)
            writer = csv.writer(handle, delimiter=delimiter, lineterminator=lineterminator)
            if header is not None:
                writer.writerow(header)
            writer.writerows(rows)
        return path

    return write
