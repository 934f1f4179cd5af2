"""Frictionless Table Schemas of Japan's standard open datasets (pure, no CKAN)."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import frictionless
import pytest

REPO = Path(__file__).resolve().parents[2]
TABLESCHEMA = REPO / "schemas" / "tableschema"
SAMPLES = Path(__file__).resolve().parent / "samples"
GENERATIONS = ("legacy", "standard")
X_CHECKS = {
    "lgcode", "latitude", "longitude", "date", "time", "phone", "flag", "id",
    "kana", "url", "postal_code", "email",
}

SCHEMA_PATHS = sorted(p for g in GENERATIONS for p in (TABLESCHEMA / g).glob("*.json"))
SCHEMA_IDS = [f"{p.parent.name}/{p.stem}" for p in SCHEMA_PATHS]


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def sample_for(path: Path) -> Path:
    return SAMPLES / path.parent.name / f"{path.stem}.csv"


def read_header(path: Path, encoding: str = "utf-8-sig") -> list[str]:
    with path.open(encoding=encoding, newline="") as fh:
        return next(csv.reader(fh))


@pytest.mark.parametrize("path", SCHEMA_PATHS, ids=SCHEMA_IDS)
def test_schema_loads(path):
    schema = frictionless.Schema.from_descriptor(load(path))
    assert schema.fields


@pytest.mark.parametrize("path", SCHEMA_PATHS, ids=SCHEMA_IDS)
def test_sample_validates(path):
    sample = sample_for(path)
    assert sample.is_file(), f"missing sample {sample}"
    schema = frictionless.Schema.from_descriptor(load(path))
    resource = frictionless.Resource(
        path=sample.name, basepath=str(sample.parent), schema=schema, encoding="utf-8"
    )
    report = frictionless.validate(resource)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
