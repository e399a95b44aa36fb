"""Agenda and segment timer, planned vs actual, notes to the onsite moderator (issue 6).

Importing the package registers how its events look to each role (views.py), so the live
socket filters notes even where the router is not mounted. `report_section(db, session)`
is the hook the session report calls.
"""

from __future__ import annotations

from typing import Any

from app.agenda import views as _views  # noqa: F401 - registers the view filters


def report_section(db: Any, session: Any) -> dict[str, Any]:
    """Planned vs actual per segment, for the session report (imported lazily)."""
    from app.agenda.report import report_section as section

    return section(db, session)
