"""The feeds' published files without CKAN (feeds/files.py): the sensors' GeoJSON and the
daily CSV in JST."""
from __future__ import annotations

import datetime as dt
import json

from ckanext.regionaliot.feeds import files

UTC = dt.timezone.utc


def latest(**sensor):
    base = {"sensor_id": "sakazu", "name": "高梁川 酒津", "name_en": "Sakazu", "kind": "river_level",
            "unit": "m", "latitude": 34.623, "longitude": 133.738, "value": 4.3,
            "observed_at": "2026-11-30T01:00:00+00:00", "state": "warning", "stale": False}
    return {"feed": "river", "state": "warning", "now": "2026-11-30T01:01:00+00:00",
            "sensors": [dict(base, **sensor)]}


def test_geojson_points_are_longitude_first_and_carry_the_latest_value_and_state():
    collection = files.sensors_geojson(latest())
    json.dumps(collection)  # serialisable as it is
    (feature,) = collection["features"]
    assert collection["type"] == "FeatureCollection" and collection["state"] == "warning"
    assert feature["geometry"] == {"type": "Point", "coordinates": [133.738, 34.623]}
    assert feature["id"] == "sakazu"
    assert {k: feature["properties"][k] for k in ("value", "state", "unit", "feed")} == {
        "value": 4.3, "state": "warning", "unit": "m", "feed": "river"}


def test_a_sensor_without_a_valid_place_is_published_without_geometry():
    for place in ({"latitude": None}, {"longitude": "133.7"}, {"latitude": 95.0}):
        (feature,) = files.sensors_geojson(latest(**place))["features"]
        assert feature["geometry"] is None and feature["properties"]["value"] == 4.3


def test_the_day_is_a_day_in_japan():
    start, end = files.jst_day(dt.date(2026, 11, 30))
    assert start.astimezone(UTC) == dt.datetime(2026, 11, 29, 15, tzinfo=UTC)
    assert end - start == dt.timedelta(days=1)
    # 23:30 UTC on the 30th is 08:30 on 1 December in Japan: yesterday is the 30th.
    assert files.yesterday_jst(dt.datetime(2026, 11, 30, 23, 30, tzinfo=UTC)) == dt.date(2026, 11, 30)
    assert files.yesterday_jst(dt.datetime(2026, 11, 30, 14, 59, tzinfo=UTC)) == dt.date(2026, 11, 29)


def test_daily_csv_has_a_bom_the_schema_columns_and_times_in_jst():
    body = files.daily_csv([
        {"sensor_id": "sakazu", "observed_at": "2026-11-29T15:00:00+00:00", "value": 4, "quality": "provisional"},
        {"sensor_id": "sakazu", "observed_at": dt.datetime(2026, 11, 30, 14, 59, 50, tzinfo=UTC),
         "value": 0.25, "quality": "confirmed"}])
    assert body.startswith("\ufeff".encode())
    lines = body.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "sensor_id,observed_at,value,quality"
    assert lines[1] == "sakazu,2026-11-30T00:00:00+09:00,4.0,provisional"
    assert lines[2] == "sakazu,2026-11-30T23:59:50+09:00,0.25,confirmed"
    assert files.daily_name(dt.date(2026, 11, 30)) == "observations-2026-11-30.csv"


def test_daily_csv_streams_tuples_into_a_spooled_file_left_open():
    import tempfile

    rows = ((f"s{i % 7}", dt.datetime(2026, 11, 29, 15, tzinfo=UTC) + dt.timedelta(seconds=i),
             i / 4, "provisional") for i in range(5000))
    with tempfile.SpooledTemporaryFile(max_size=4096) as out:
        assert files.write_daily_csv(rows, out) == 5000
        assert out._rolled  # past max_size: on disk, not in memory
        out.seek(0)  # still open after the writer is done with it
        lines = out.read().decode("utf-8-sig").split("\r\n")
    assert lines[0] == "sensor_id,observed_at,value,quality"
    assert lines[1] == "s0,2026-11-30T00:00:00+09:00,0.0,provisional"
    assert lines[5000] == "s1,2026-11-30T01:23:19+09:00,1249.75,provisional"
    assert lines[5001] == "" and len(lines) == 5002


def test_a_daily_file_name_gives_its_day_back():
    day = dt.date(2026, 11, 30)
    assert files.daily_day(files.daily_name(day)) == day
    for other in ("observations-2026-13-01.csv", "toilets.csv", "observations-.csv", ""):
        assert files.daily_day(other) is None


def test_accrual_periodicity_and_resolution_of_a_feed_interval():
    eu = "http://publications.europa.eu/resource/authority/frequency/"
    assert files.accrual_periodicity(600) == eu + "10MIN"
    assert files.accrual_periodicity(3600) == eu + "HOURLY"
    assert files.accrual_periodicity(10) == eu + "UPDATE_CONT"
    assert files.accrual_periodicity(120) == eu + "UPDATE_CONT"
    assert [files.duration(s) for s in (10, 600, 90, 3600, 86400, 90061, 0)] == [
        "PT10S", "PT10M", "PT1M30S", "PT1H", "P1D", "P1DT1H1M1S", "PT0S"]
