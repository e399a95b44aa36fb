"""Report sections from other domains (polls, agenda, ...), as the domains declare them.

A domain plugs in with `Domain(report_section=fn)` (app/core/domain.py); `fn(db, session)
-> dict | None` returns a dict (see docs/report.md) that is rendered generically:
`{"title", "paragraphs": [str], "tables": [{"caption", "columns", "rows"}],
  "charts": [{"caption", "bars": [{"label", "value"}]}], "data": <anything JSON>}`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from sqlmodel import Session

from app.core.domain import SectionFn
from app.models import LiveSession
from app.report.adapters import normalise

log = logging.getLogger(__name__)
NO_SECTIONS: Mapping[str, SectionFn] = MappingProxyType({})


def plugin_sections(
    db: Session, session: LiveSession, sections: Mapping[str, SectionFn] = NO_SECTIONS
) -> dict[str, dict[str, Any]]:
    """Every declared section (`Registry.sections`, name -> function, in domain order);
    one that fails is reported as such, never fails the report."""
    out: dict[str, dict[str, Any]] = {}
    for name, fn in sections.items():
        try:
            section = fn(db, session)
        except Exception:  # noqa: BLE001 - a broken plugin must not cost the whole report
            log.exception("report section %s failed", name)
            section = {"title": name.title(), "paragraphs": ["This section could not be built."]}
        section = normalise(name, section) if section else None
        if section:
            out[name] = section
    return out
