"""Optional report sections from other domains (polls, agenda, ...), without importing them.

A domain plugs in either by calling `register_section(name, fn)` or by exposing a
`report_section(db, session) -> dict | None` function in `app.<name>.report` or
`app.<name>`. The dict it returns (see docs/report.md) is rendered generically:
`{"title", "paragraphs": [str], "tables": [{"caption", "columns", "rows"}],
  "charts": [{"caption", "bars": [{"label", "value"}]}], "data": <anything JSON>}`.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from app.models import LiveSession
from app.report.adapters import normalise, polls_section

log = logging.getLogger(__name__)
SectionFn = Callable[[Session, LiveSession], dict[str, Any] | None]
SECTIONS: dict[str, SectionFn] = {}
#: Domains looked for when they registered nothing themselves, in report order.
OPTIONAL = ("agenda", "polls", "floor")


def register_section(name: str, fn: SectionFn) -> None:
    SECTIONS[name] = fn


def _discover(name: str) -> SectionFn | None:
    for module in (f"app.{name}.report", f"app.{name}"):
        try:
            if importlib.util.find_spec(module) is None:
                continue
            fn = getattr(importlib.import_module(module), "report_section", None)
        except ImportError:
            continue
        if callable(fn):
            return fn
    return None


def _fallback(name: str) -> SectionFn | None:
    return polls_section if name == "polls" else None


def section_functions() -> dict[str, SectionFn]:
    found = {
        name: fn
        for name in OPTIONAL
        if (fn := SECTIONS.get(name) or _discover(name) or _fallback(name))
    }
    return found | {k: v for k, v in SECTIONS.items() if k not in found}


def plugin_sections(db: Session, session: LiveSession) -> dict[str, dict[str, Any]]:
    """Every available section; one that fails is reported as such, never fails the report."""
    out: dict[str, dict[str, Any]] = {}
    for name, fn in section_functions().items():
        try:
            section = fn(db, session)
        except Exception:  # noqa: BLE001 - a broken plugin must not cost the whole report
            log.exception("report section %s failed", name)
            section = {"title": name.title(), "paragraphs": ["This section could not be built."]}
        section = normalise(name, section) if section else None
        if section:
            out[name] = section
    return out
