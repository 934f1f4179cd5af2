"""Issue 16, item 7: a file whose standard cannot be determined is shown as unchecked on
the public check page and in its API, never with a pass badge. Real services."""
from __future__ import annotations

import io

import pytest

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

OWN_LIST = "番号,店名,メモ\r\n1,さくら堂,\r\n".encode()


def test_an_undetermined_file_is_unchecked_on_the_page_and_in_the_api(app):
    page = app.post("/validate", data={"upload": (io.BytesIO(OWN_LIST), "list.csv")},
                    headers={"Accept-Language": "ja"})
    assert page.status_code == 200
    badge = page.body.split('class="lead"', 1)[1].split("</p>", 1)[0]
    assert "bg-secondary" in badge and "bg-success" not in badge
    result = app.post("/api/3/action/regionaliot_validate_upload",
                      data={"upload": (io.BytesIO(OWN_LIST), "list.csv")}).json["result"]
    assert result["valid"] is False and result["checked"] is False
    assert result["counts"]["errors"] == 0 and result["summary_key"] == "unchecked"
