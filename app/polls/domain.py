"""The polls domain's registration (prepared polls, phone votes, coalesced results)."""

from __future__ import annotations

from app.core.domain import Domain, HotRoute, PrivacyHooks, View
from app.polls import endpoints, live, models, privacy, views, voting, zoom
from app.report.adapters import polls_section

#: The vote: thousands a second, answered below FastAPI's routing (app/hot_paths.py).
VOTE_PATH = "/api/sessions/{slug}/polls/{poll_id:int}/votes"

POLLS = Domain(
    name="polls",
    router=endpoints.router,
    hot_routes=(HotRoute(VOTE_PATH, voting.post_vote, name="poll_vote"),),
    views=(
        View("poll.", views.poll_event_for, "polls", views.polls_part),
        View("poll_access.", views.access_event_for, "poll_access", views.access_part),
    ),
    report_section=polls_section,
    privacy=PrivacyHooks(purge=privacy.purge, access=privacy.export, erase=privacy.erase),
    intercept=zoom.zoom_vote,
    startup=live.start,
    shutdown=live.stop,
    models=(models.Poll, models.Ballot, models.PollAccess),
)
