"""Who writes stories: sysadmins, and the editors and admins of a municipality the story
concerns. Drafts are read by the same people and the author only."""
from __future__ import annotations

from collections.abc import Iterable

import ckan.authz as authz
import ckan.model as model

from .model import PUBLISHED, Story

STAFF_ROLES = ("editor", "admin")


def is_sysadmin(user_name: str | None) -> bool:
    return bool(user_name) and authz.is_sysadmin(user_name)


def staff_of_any(user_name: str | None, organization_ids: Iterable[str]) -> bool:
    """Sysadmin, or editor/admin of at least one of these organizations."""
    if not user_name:
        return False
    if authz.is_sysadmin(user_name):
        return True
    return any(authz.users_role_for_group_or_org(org_id, user_name) in STAFF_ROLES
               for org_id in organization_ids)


def is_staff_somewhere(user_name: str | None) -> bool:
    """May this user write a story at all (editor or admin of some municipality)?"""
    if not user_name:
        return False
    if authz.is_sysadmin(user_name):
        return True
    user = model.User.get(user_name)
    if user is None:
        return False
    return model.Session.query(model.Member.id).filter(
        model.Member.table_name == "user", model.Member.table_id == user.id,
        model.Member.state == "active", model.Member.capacity.in_(STAFF_ROLES)).first() is not None


def may_edit(user_name: str | None, story: Story) -> bool:
    return staff_of_any(user_name, story.organizations or [])


def may_read(user_name: str | None, story: Story) -> bool:
    if story.state == PUBLISHED:
        return True
    if not user_name:
        return False
    user = model.User.get(user_name)
    if user is not None and story.user_id == user.id:
        return True
    return may_edit(user_name, story)
