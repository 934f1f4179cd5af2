"""Tables of the regionaliot extension (created by migration/regionaliot)."""
from __future__ import annotations

from .validation import STATUSES, ResourceValidation

__all__ = ["STATUSES", "ResourceValidation"]
