"""Schemas of the KPI actions."""
from __future__ import annotations

from ckan.logic.schema import validator_args


@validator_args
def kpi_history_schema(ignore_missing, isodate, int_validator, natural_number_validator,
                       unicode_safe):
    return {"since": [ignore_missing, unicode_safe, isodate],
            "limit": [ignore_missing, int_validator, natural_number_validator]}


@validator_args
def kpi_import_national_schema(not_empty, ignore_missing, unicode_safe, isodate):
    return {"url": [not_empty, unicode_safe],
            "as_of": [ignore_missing, unicode_safe, isodate]}
