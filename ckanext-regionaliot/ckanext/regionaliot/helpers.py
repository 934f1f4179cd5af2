"""Template helpers (registered by name via ITemplateHelpers)."""
from __future__ import annotations

__all__: list[str] = []
