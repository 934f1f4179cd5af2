"""The security blueprint: app-wide request/response hooks (registered via IBlueprint)."""
from __future__ import annotations

from flask import Blueprint

__all__ = ["security"]

security = Blueprint("regionaliot_security", __name__)
