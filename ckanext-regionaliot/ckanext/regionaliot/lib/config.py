"""Typed access to settings declared in the features' config_declaration.yaml.

CKAN converts declared settings to their type when it loads the ini file, but a value set
at run time (``ckan_config`` in tests, ``config_option_update``) may still be a string:
these readers accept both, so a feature never compares "0" with 0.
"""
from __future__ import annotations

import ckan.plugins.toolkit as tk


def get_int(key: str) -> int:
    return int(tk.config.get(key))


def get_float(key: str) -> float:
    return float(tk.config.get(key))


def get_bool(key: str) -> bool:
    return tk.asbool(tk.config.get(key))


def get_str(key: str) -> str:
    value = tk.config.get(key)
    return "" if value is None else str(value)
