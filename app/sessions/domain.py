"""The sessions domain's registration: its routes and its tables (the session row, the
role keys). Its events (`session.*`) are shaped by app.views.event_for itself."""

from __future__ import annotations

from app import models
from app.core.domain import Domain
from app.sessions import endpoints

SESSIONS = Domain(
    name="sessions",
    router=endpoints.router,
    models=(models.LiveSession, models.RoleKey),
)
