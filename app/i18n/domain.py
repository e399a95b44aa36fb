"""The languages domain's registration: the session's language and captions link settings."""

from __future__ import annotations

from app.core.domain import Domain
from app.i18n import settings

I18N = Domain(name="i18n", router=settings.router)
