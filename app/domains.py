"""DOMAINS: the one list of what the server is made of (the composition root reads it).

A new domain is one `Domain(...)` in its own `app/<domain>/domain.py` and one line here
(docs/architecture.md, "How a domain plugs in"). The order is the order of routers,
report sections and start-up hooks (shut-down runs in reverse); the pages stay last,
their catch-all route must be mounted after every other.
"""

from __future__ import annotations

from functools import cache

from app.agenda.domain import AGENDA
from app.channels.domain import CHANNELS, WEBHOOKS
from app.connectors.domain import CONNECTORS
from app.core.domain import Domain, Registry
from app.floor.domain import FLOOR
from app.i18n.domain import I18N
from app.polls.domain import POLLS
from app.privacy.domain import PRIVACY
from app.questions.domain import HEALTH, LIVE, MY_QUESTIONS, PAGES, QUESTIONS
from app.report.domain import REPORT
from app.sessions.domain import SESSIONS
from app.triage_live.domain import TRIAGE

DOMAINS: tuple[Domain, ...] = (
    SESSIONS,
    QUESTIONS,
    CHANNELS,
    LIVE,
    HEALTH,
    CONNECTORS,
    WEBHOOKS,
    AGENDA,
    POLLS,
    FLOOR,
    REPORT,
    MY_QUESTIONS,
    PRIVACY,
    TRIAGE,
    I18N,
    PAGES,
)


@cache
def default_registry() -> Registry:
    """The registry of DOMAINS, for code that runs without an app (the CLI, scripts)."""
    return Registry(DOMAINS)
