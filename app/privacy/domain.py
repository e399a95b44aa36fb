"""The privacy domain's registration (retention purge, access, erasure, privacy settings)."""

from __future__ import annotations

from app.core.domain import Domain
from app.privacy import endpoints, models, scheduler

PRIVACY = Domain(
    name="privacy",
    router=endpoints.router,
    startup=scheduler.start_daily_purge,
    models=(models.SessionPrivacy,),
)
