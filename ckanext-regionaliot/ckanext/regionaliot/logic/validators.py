"""Validators used by the scheming YAML in schemas/ckan/ (registered by name via IValidators)."""
from __future__ import annotations

__all__: list[str] = []
