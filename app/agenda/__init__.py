"""Agenda and segment timer, planned vs actual, notes to the onsite moderator (issue 6).

Registered in app/agenda/domain.py (views, report section, the wrap-up checker).
"""

from __future__ import annotations

