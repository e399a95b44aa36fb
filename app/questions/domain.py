"""The questions domain's registration: the core API, the live socket, health, the pages.

Its events (`question.*`, `queue.*`, `session.*`) are shaped by app.views.event_for itself,
so it declares no view.
"""

from __future__ import annotations

from app import audience_limits, health, models, my_questions, pages
from app.core.domain import Domain, HotRoute
from app.live import socket
from app.questions import endpoints, upvoting

QUESTIONS = Domain(
    name="questions",
    router=endpoints.router,
    hot_routes=(HotRoute(upvoting.UPVOTE_PATH, upvoting.post_upvote, name="upvote_hot"),),
    models=(
        models.Segment,
        models.Message,
        models.Question,
        models.Upvote,
        models.Event,
        models.AuditEntry,
        models.MergeRecord,
    ),
    shutdown=audience_limits.close,
)
MY_QUESTIONS = Domain(name="my_questions", router=my_questions.router)
LIVE = Domain(name="live", router=socket.router)
HEALTH = Domain(name="health", router=health.router, startup=health.count_events)
#: The pages' catch-all `/s/{slug}/{page}`: its router must be the last one mounted.
PAGES = Domain(name="pages", router=pages.router)
