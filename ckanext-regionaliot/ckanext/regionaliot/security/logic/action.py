"""Chained actions closing holes in stock actions (registered by name via IActions)."""
from __future__ import annotations

__all__: list[str] = []
