"""The floor domain's registration (one speaking queue for the room, Zoom and remote hubs)."""

from __future__ import annotations

from app.core.domain import Domain, PrivacyHooks, View
from app.floor import endpoints, models, privacy, report, views, zoom

FLOOR = Domain(
    name="floor",
    router=endpoints.router,
    views=(View("floor.", views.floor_filter, "floor", views.floor_part),),
    report_section=report.report_section,
    privacy=PrivacyHooks(purge=privacy.purge, access=privacy.export, erase=privacy.erase),
    intercept=zoom.zoom_hand,
    models=(models.FloorRequest, models.FloorSettings),
)
