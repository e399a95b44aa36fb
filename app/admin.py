"""The organiser's dependencies: one `AdminDep`, one `OrganiserDep`, one rule for 401/403.

- `AdminDep`: the admin token as `Authorization: Bearer`, or 401. A role key is not the
  admin token, so it is a 401 too (the caller must bring other credentials, not ask again).
- `OrganiserDep`: the admin token, or the moderator's key/cookie. No valid credentials
  (the audience, a rotated link) is 401; a valid key of another role is 403, as for every
  role check (`app.deps.require`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.auth import check_admin
from app.deps import SessionDep, StateDep, get_principal, require
from app.errors import Unauthorized
from app.models import Role

ADMIN_NEEDED = "this needs the admin token: 'Authorization: Bearer <admin token>'"
ORGANISER_NEEDED = "this needs the admin token or the moderator link"
_moderator = require(Role.moderator).dependency


async def admin(request: Request, state: StateDep) -> None:
    if not check_admin(request, state.admin_token):
        raise Unauthorized(ADMIN_NEEDED)


async def organiser(request: Request, state: StateDep, session: SessionDep) -> str:
    """"admin", or "moderator" for the session's moderator."""
    if check_admin(request, state.admin_token):
        return "admin"
    principal = await get_principal(request, state, session)
    assert _moderator is not None
    try:
        return (await _moderator(principal)).role
    except Unauthorized:
        if principal.replaced:
            raise
        raise Unauthorized(ORGANISER_NEEDED) from None


AdminDep = Annotated[None, Depends(admin)]
OrganiserDep = Annotated[str, Depends(organiser)]
