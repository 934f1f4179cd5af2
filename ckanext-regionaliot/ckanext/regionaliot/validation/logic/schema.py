"""Schemas of the validation actions."""
from __future__ import annotations

from ckan.logic.schema import validator_args


@validator_args
def resource_validation_show_schema(not_empty, unicode_safe, boolean_validator, ignore_missing):
    # unicode_safe first: boolean_validator calls .lower() and fails on a JSON number.
    return {"id": [not_empty, unicode_safe],
            "include_report": [ignore_missing, unicode_safe, boolean_validator]}


@validator_args
def resource_validation_run_schema(not_empty, unicode_safe):
    return {"id": [not_empty, unicode_safe]}


@validator_args
def validate_upload_schema(not_empty, ignore_missing, unicode_safe, boolean_validator):
    return {"upload": [not_empty],
            "schema": [ignore_missing, unicode_safe],
            "lang": [ignore_missing, unicode_safe],
            "corrected": [ignore_missing, unicode_safe, boolean_validator]}
