"""Who may see and do what, in one place. Everything a user reaches goes through their
memberships; owners and admins ("managers") also change configuration; a few things are for
owners only. Feature apps (web, api, alerts, sourcemaps, attachments, assist, members, ...)
import this package and never each other for access; nothing here imports a feature app.

- `access.scope`: the querysets a user can see (`visible_projects`, `visible_issues`, ...).
- `access.roles`: role predicates (`role_of`, `can_manage`, `is_owner`, `may_change_membership`).
- `access.lookup`: `organization_for`, `project_for`, `issue_for`, ... that 404 or deny.
- `access.decorators`: the same lookups as view decorators (`project_view`).
- `access.scopes`: what a personal API token's scopes allow (`may_request`, `may_upload`).
- `access.permissions`: the DRF permissions (`ManagersWrite`, `TokenScopes`, `SessionOnly`).
"""

from access.decorators import organization_view, project_view
from access.lookup import (
    MANAGERS_ONLY,
    OWNERS_ONLY,
    issue_for,
    organization_for,
    owned_organization,
    project_by_id,
    project_for,
    require_manager,
)
from access.permissions import ManagersWrite, SessionOnly, TokenScopes
from access.roles import MANAGERS, can_manage, is_owner, may_change_membership, role_of
from access.scope import visible_issues, visible_organizations, visible_projects

__all__ = [
    "MANAGERS", "MANAGERS_ONLY", "OWNERS_ONLY", "ManagersWrite", "SessionOnly", "TokenScopes",
    "can_manage", "is_owner",
    "issue_for", "may_change_membership", "organization_for", "organization_view",
    "owned_organization", "project_by_id", "project_for", "project_view", "require_manager",
    "role_of", "visible_issues", "visible_organizations", "visible_projects",
]
