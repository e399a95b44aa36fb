"""The agenda domain's registration (segments, timer, stage notes, automatic wrap-up)."""

from __future__ import annotations

from app.agenda import autonote, endpoints, models, report, views
from app.core.domain import Domain, View

AGENDA = Domain(
    name="agenda",
    router=endpoints.router,
    views=(
        View("timer.", views.timer_filter, "timer", views.timer_part),
        View("note.", views.note_filter, "notes", views.notes_part),
    ),
    report_section=report.report_section,
    startup=autonote.start,
    models=(models.TimerState, models.SegmentRun, models.StageNote),
)
