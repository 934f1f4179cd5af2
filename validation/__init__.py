"""Validation of municipal open-data files against Japan's standard datasets.

Installed as ``regionaliot.validation``; imports nothing from CKAN so it can be
used from the command line, in tests, and inside the portal alike.
"""

from .engine import validate_file
from .fixer import Corrected, NormalizeResult, correct, correct_bytes, normalize
from .reader import ReadError
from .registry import Registry, Schema, SchemaLoadError, SchemaNotFound
from .report import Report

__all__ = ["validate_file", "normalize", "NormalizeResult", "correct", "correct_bytes", "Corrected",
           "ReadError", "Registry", "Schema", "SchemaLoadError", "SchemaNotFound", "Report"]
