"""Validators of the feed schema's sensor subfields (schemas/ckan/feed.yaml)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

__all__ = ["regionaliot_feeds_latitude", "regionaliot_feeds_longitude", "regionaliot_feeds_number"]


def _float(value: Any) -> float:
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        raise tk.Invalid(tk._("Enter a number, e.g. 34.6 or 2.5.")) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise tk.Invalid(tk._("Enter a number, e.g. 34.6 or 2.5."))
    return number


def regionaliot_feeds_number(value: Any) -> Any:
    if value in (None, ""):
        return value
    return str(_float(value))


def regionaliot_feeds_latitude(value: Any) -> str:
    number = _float(value)
    if not -90 <= number <= 90:
        raise tk.Invalid(tk._("A latitude is between -90 and 90."))
    return str(number)


def regionaliot_feeds_longitude(value: Any) -> str:
    number = _float(value)
    if not -180 <= number <= 180:
        raise tk.Invalid(tk._("A longitude is between -180 and 180."))
    return str(number)
