"""One row per resource: the latest validation of its file against a standard schema."""
from __future__ import annotations

import datetime
from typing import Any

import ckan.model as model
import ckan.model.types as _types
from ckan.model.base import BaseModel
from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, types

# pending: queued for the background worker; running: being validated;
# success: no errors (warnings allowed); failure: errors found;
# error: could not be validated (file missing, link unreachable or refused).
STATUSES = ("pending", "running", "success", "failure", "error")


class ResourceValidation(BaseModel):  # type: ignore[valid-type,misc]
    __tablename__ = "regionaliot_resource_validation"

    resource_id = Column(types.UnicodeText,
                         ForeignKey("resource.id", ondelete="CASCADE"), primary_key=True)
    package_id = Column(types.UnicodeText, nullable=False)
    status = Column(types.UnicodeText, nullable=False)
    # The schema we asked for (resource's standard_schema or the dataset's standard_dataset).
    schema_requested = Column(types.UnicodeText)
    # What the engine validated against (e.g. "aed") and its generation (legacy/standard).
    schema_name = Column(types.UnicodeText)
    generation = Column(types.UnicodeText)
    # The file that was validated: "unchanged" means same sha256 and same requested schema.
    file_sha256 = Column(types.UnicodeText)
    file_size = Column(types.BigInteger)
    url = Column(types.UnicodeText)
    encoding = Column(types.UnicodeText)
    rows = Column(types.Integer)
    error_count = Column(types.Integer, nullable=False, default=0)
    warning_count = Column(types.Integer, nullable=False, default=0)
    # Engine report (to_dict), findings truncated to validation.max_findings.
    report = Column(_types.JsonDictType)
    # Why status is "error" (shown to staff; never a traceback).
    message = Column(types.UnicodeText)
    runs = Column(types.Integer, nullable=False, default=0)
    # The background job of the current file: when it was queued, and how often it was
    # queued again after dying (jobs.py recovers such jobs; then gives up with an error).
    queued = Column(types.DateTime)
    attempts = Column(types.Integer, nullable=False, default=0)
    created = Column(types.DateTime, default=datetime.datetime.utcnow)
    started = Column(types.DateTime)
    finished = Column(types.DateTime)

    __table_args__ = (
        Index("idx_regionaliot_resource_validation_package", "package_id"),
        CheckConstraint("status IN ({})".format(", ".join(f"'{s}'" for s in STATUSES)),
                        name="regionaliot_resource_validation_status_check"),
    )

    @classmethod
    def get(cls, resource_id: str) -> ResourceValidation | None:
        return model.Session.get(cls, resource_id)

    @classmethod
    def for_package(cls, package_id: str) -> list[ResourceValidation]:
        return model.Session.query(cls).filter(cls.package_id == package_id).all()

    @classmethod
    def query_for(cls, resource_ids: list[str]) -> Any:
        return model.Session.query(cls).filter(cls.resource_id.in_(resource_ids))

    def as_dict(self, with_report: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "resource_id": self.resource_id,
            "package_id": self.package_id,
            "status": self.status,
            "schema_requested": self.schema_requested,
            "schema": self.schema_name,
            "generation": self.generation,
            "file_sha256": self.file_sha256,
            "file_size": self.file_size,
            "url": self.url,
            "encoding": self.encoding,
            "rows": self.rows,
            "error_count": self.error_count or 0,
            "warning_count": self.warning_count or 0,
            "message": self.message,
            "runs": self.runs or 0,
            "created": _iso(self.created),
            "started": _iso(self.started),
            "finished": _iso(self.finished),
        }
        if with_report:
            data["report"] = self.report
        return data


def _iso(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value else None
