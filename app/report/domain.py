"""The report domain's registration (rapporteur notes and highlights, the session report)."""

from __future__ import annotations

from app.core.domain import Domain, View
from app.report import endpoints, models, views

REPORT = Domain(
    name="report",
    router=endpoints.router,
    views=(View("report.", views.report_event, "report", views.report_part),),
    models=(models.ReportNote, models.ReportHighlight),
)
