"""Validators used by the scheming YAML in schemas/ckan/ (registered by name via IValidators).

Messages are English msgids wrapped in toolkit._; the Japanese text lives in
i18n/ja/LC_MESSAGES/ckanext-regionaliot.po.
"""
from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

import ckan.plugins.toolkit as tk
from regionaliot.validation import lgcode

__all__ = [
    "regionaliot_lg_code",
    "regionaliot_lg_code_prefecture",
    "regionaliot_lg_code_unique",
    "regionaliot_katakana",
    "regionaliot_license_id",
    "regionaliot_geojson",
    "regionaliot_temporal_end",
]

_ = tk._
Invalid = tk.Invalid
missing = tk.missing

_GEOMETRY_TYPES = {
    "Point", "MultiPoint", "LineString", "MultiLineString",
    "Polygon", "MultiPolygon", "GeometryCollection",
}
# Full-width katakana, the prolonged sound mark, middle dot and spaces.
_KATAKANA = re.compile(r"^[\u30A1-\u30FA\u30FC\u30FB\u3000 ]+$")


def _empty(value: Any) -> bool:
    return value is missing or value is None or value == ""


def regionaliot_lg_code(value: Any, context: Any = None) -> Any:
    """全国地方公共団体コード: 6 ASCII digits whose last digit is the mod-11 check digit.

    Full-width digits (common in hand-typed Japanese forms) are normalised first.
    The message names the correct code, so users can fix a typo at once.
    """
    if _empty(value):
        return value
    code = unicodedata.normalize("NFKC", str(value)).strip()
    if not (code.isascii() and code.isdigit()):
        raise Invalid(_("The local government code must be 6 digits."))
    if len(code) == 5:
        raise Invalid(
            _("This is a 5-digit code without its check digit: for {five} the local "
              "government code is {expected}.").format(
                five=code, expected=lgcode.with_check_digit(code))
        )
    if len(code) != 6:
        raise Invalid(_("The local government code must be 6 digits."))
    if not lgcode.is_valid(code):
        raise Invalid(
            _("The check digit of the local government code is "
              "wrong: for {five} the code is {expected}.").format(
                five=code[:5], expected=lgcode.expected_code(code))
        )
    return code


def regionaliot_lg_code_prefecture(key, data, errors, context):
    """The first two digits of the code are the prefecture's JIS code."""
    code = data.get(key)
    prefecture = data.get(("prefecture",))
    if errors.get(key) or _empty(code) or _empty(prefecture):
        return
    if str(code)[:2] != str(prefecture):
        errors[key].append(
            _("The local government code {code} does not belong to the selected "
              "prefecture (its first two digits must be {prefecture}).").format(
                code=code, prefecture=prefecture)
        )


def regionaliot_lg_code_unique(key, data, errors, context):
    """Two organizations must not claim the same 全国地方公共団体コード."""
    code = data.get(key)
    if errors.get(key) or _empty(code):
        return
    model = context["model"]
    session = context["session"]
    own = context.get("group")
    own_id = getattr(own, "id", None) or data.get(("id",))
    query = (
        session.query(model.Group.name)
        .join(model.GroupExtra, model.GroupExtra.group_id == model.Group.id)
        .filter(model.GroupExtra.key == key[-1])
        .filter(model.GroupExtra.value == code)
        .filter(model.GroupExtra.state == "active")
        .filter(model.Group.state == "active")
    )
    if own_id and own_id is not missing:
        query = query.filter(model.Group.id != own_id)
    other = query.first()
    if other:
        errors[key].append(
            _("The local government code {code} is already used by organization "
              "{name}.").format(code=code, name=other[0])
        )


def regionaliot_katakana(value: Any, context: Any = None) -> Any:
    """Reading in full-width katakana (名称_カナ); half-width kana are widened."""
    if _empty(value):
        return value
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not _KATAKANA.match(text):
        raise Invalid(_("Use full-width katakana only (e.g. クラシキシ)."))
    return text


def _license_ids() -> list[str]:
    import ckan.model as model

    return list(model.Package.get_license_register().keys())


def regionaliot_license_id(value: Any, context: Any = None) -> Any:
    """Only the licences of schemas/ckan/licenses.json (licenses_group_url).

    CKAN core accepts any string as license_id; an unknown id would show as a
    bare id and break the BODIK-style CC-BY/CC0 filters, so refuse it.
    """
    if _empty(value):
        return value
    known = _license_ids()
    if value not in known:
        raise Invalid(
            _("Unknown licence \"{value}\". Choose one of: {known}.").format(
                value=value, known=", ".join(known))
        )
    return value


def _coordinates(geometry: dict):
    if geometry["type"] == "GeometryCollection":
        for part in geometry.get("geometries", []):
            yield from _coordinates(part)
        return

    def walk(c):
        if c and isinstance(c[0], int | float):
            yield c
        else:
            for sub in c:
                yield from walk(sub)

    yield from walk(geometry.get("coordinates", []))


def regionaliot_geojson(value: Any, context: Any = None) -> Any:
    """A GeoJSON geometry (not a Feature) in WGS84 [longitude, latitude] order.

    ckanext-spatial indexes the "spatial" extra with Shapely, which only takes
    geometries; a bad value would otherwise fail only at indexing time.
    """
    if _empty(value):
        return value
    import geojson

    if isinstance(value, dict):
        obj = value
    else:
        try:
            obj = json.loads(value)
        except (TypeError, ValueError) as e:
            raise Invalid(_("Spatial coverage is not valid JSON: {error}").format(error=e)) from e
    if not isinstance(obj, dict) or obj.get("type") not in _GEOMETRY_TYPES:
        raise Invalid(
            _("Spatial coverage must be a GeoJSON geometry (Point, Polygon, "
              "MultiPolygon, ...), not a Feature or other object.")
        )
    try:
        geometry = geojson.GeoJSON.to_instance(obj, strict=True)
        valid = geometry.is_valid
    except (TypeError, ValueError, AttributeError, KeyError, IndexError):
        valid = False
    if not valid:
        raise Invalid(_("Spatial coverage is not a valid GeoJSON geometry."))
    points = list(_coordinates(obj))
    if not points or any(len(p) < 2 for p in points):
        raise Invalid(_("Spatial coverage is not a valid GeoJSON geometry."))
    # Japan lies at lon 122-154, lat 20-46: all points the other way round means swapped axes.
    if all(20 <= p[0] <= 46 and 122 <= p[1] <= 154 for p in points):
        raise Invalid(_("Spatial coverage seems to have latitude and longitude swapped: "
                        "GeoJSON uses [longitude, latitude]."))
    if any(not (-180 <= p[0] <= 180 and -90 <= p[1] <= 90) for p in points):
        raise Invalid(_("Spatial coverage has coordinates outside longitude -180..180 / "
                        "latitude -90..90."))
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _as_date_string(value: Any) -> str | None:
    if _empty(value):
        return None
    if hasattr(value, "date") and callable(value.date):  # datetime
        return value.date().isoformat()
    if hasattr(value, "isoformat"):  # date
        return value.isoformat()
    # navl runs keys in sorted order, so temporal_start may still be the raw input here.
    text = str(value)
    return text[:10] if _ISO_DATE.match(text) else None


def regionaliot_temporal_end(key, data, errors, context):
    """temporal_end must not be before temporal_start (ISO dates compare as strings)."""
    if errors.get(key) or errors.get(("temporal_start",)):
        return
    end = _as_date_string(data.get(key))
    start = _as_date_string(data.get(("temporal_start",)))
    if start and end and end < start:
        errors[key].append(
            _("The end of the temporal coverage ({end}) is before its start ({start}).").format(
                end=end, start=start)
        )
