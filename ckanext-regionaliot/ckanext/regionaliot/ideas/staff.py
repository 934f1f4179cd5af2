"""Who is staff for an idea: sysadmins, and the editors and admins of the municipality
(organization) concerned; for an idea about the whole basin, those of the consortium's
organization (setting ``ckanext.regionaliot.ideas.basin_organization``)."""
from __future__ import annotations

import ckan.authz as authz
import ckan.model as model

from ckanext.regionaliot.lib import config

STAFF_ROLES = ("editor", "admin")


def basin_organization_id() -> str | None:
    name = config.get_str("ckanext.regionaliot.ideas.basin_organization")
    group = model.Group.get(name) if name else None
    return group.id if group is not None and group.state == "active" else None


def is_staff(user_name: str | None, organization_id: str | None) -> bool:
    """May this user move and moderate ideas about this organization (None: the basin)?"""
    if not user_name:
        return False
    if authz.is_sysadmin(user_name):
        return True
    org_id = organization_id or basin_organization_id()
    if not org_id:
        return False
    return authz.users_role_for_group_or_org(org_id, user_name) in STAFF_ROLES


def staff_organizations(user_name: str | None) -> list[str] | None:
    """The organizations whose ideas this user handles; None means all (a sysadmin).
    The basin's own ideas are listed under the basin organization's id."""
    if not user_name:
        return []
    if authz.is_sysadmin(user_name):
        return None
    user = model.User.get(user_name)
    if user is None:
        return []
    rows = (model.Session.query(model.Member.group_id)
            .filter(model.Member.table_name == "user", model.Member.table_id == user.id,
                    model.Member.state == "active", model.Member.capacity.in_(STAFF_ROLES))
            .all())
    return [row[0] for row in rows]
