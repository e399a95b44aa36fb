"""The connectors domain's registration (social channels run inside the server)."""

from __future__ import annotations

from app.connectors import endpoints, lifecycle, models, privacy, service, views
from app.core.domain import Domain, PrivacyHooks, View
from app.ownership import WorkJob, WorkLease

CONNECTORS = Domain(
    name="connectors",
    router=endpoints.router,
    views=(View("connector.", views.event_filter, "connectors", views.snapshot_part),),
    privacy=PrivacyHooks(purge=privacy.purge, access=privacy.export, erase=privacy.erase),
    after_store_many=service.flag_crossposts,
    startup=lifecycle.start_connectors,
    shutdown=lifecycle.stop_connectors,
    models=(models.ConnectorConfig, models.ConnectorCursor, models.Crosspost, models.TextPrint,
            WorkLease, WorkJob),
)
