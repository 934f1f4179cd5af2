"""Issue 15, item 6: the ``schema`` parameter of the public check is a name, never a path.

Before: any existing server file ending in .json was read and its title and field names
appeared in the report, and a missing file answered differently from a non-schema file.
"""
from __future__ import annotations

import io
from pathlib import Path

import pytest

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

SAMPLE = Path(__file__).resolve().parents[1] / "schemas" / "samples" / "legacy" / "aed.csv"
REAL_SCHEMA = (Path(__file__).resolve().parents[2] / "schemas" / "tableschema" / "legacy"
               / "aed.json")


def check(app, schema):
    return app.post("/api/3/action/regionaliot_validate_upload",
                    data={"schema": schema,
                          "upload": (io.BytesIO(SAMPLE.read_bytes()), "aed.csv")},
                    expect_errors=True)


@pytest.mark.parametrize("schema", [
    str(REAL_SCHEMA),                       # an existing schema file, absolute
    "../../schemas/tableschema/legacy/aed.json",
    "/etc/hostname.json",                   # missing
    "/usr/lib/python3/dist-packages/../../../etc/passwd",
    str(Path(__file__).resolve().parents[2] / "schemas" / "tableschema" / "aliases.json"),
    "no_such_dataset",
])
def test_paths_and_unknown_names_get_one_and_the_same_answer(app, schema):
    response = check(app, schema)
    assert response.status_code == 409
    assert response.json["error"] == check(app, "no_such_name_at_all").json["error"]
    assert set(response.json["error"]) == {"__type", "schema"}
    assert "AED" not in response.body and "json" not in response.json["error"]["schema"][0]


def test_a_known_name_is_used(app):
    response = check(app, "aed")
    assert response.status_code == 200
    assert response.json["result"]["schema"] == "aed"
