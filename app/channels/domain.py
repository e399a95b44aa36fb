"""The push channels as domains: the Zoom webhook (its hot route below routing) and the
generic webhook; moved here from app/domains.py with their app side (issue 16 step 4)."""

from __future__ import annotations

from app.channels import webhook, zoom
from app.core.domain import Domain, HotRoute

CHANNELS = Domain(
    name="channels",
    router=zoom.router,
    hot_routes=(HotRoute(zoom.WEBHOOK_PATH, zoom.webhook_app),),
    jobs={zoom.QA_JOB: zoom.qa_job},
)
WEBHOOKS = Domain(name="webhooks", router=webhook.router)
