"""Untrusted text in, clean plain text out. Rendering as text is the pages' job.

`strip_invisible` and `one_line` live in `ports.text` (the channels share them).
"""

from __future__ import annotations

import re

from app.errors import Invalid
from ports.text import one_line, strip_invisible

MAX_TEXT = 2000
MAX_NAME = 80
CUT_MARK = " […]"
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def clean_text(value: str, limit: int = MAX_TEXT) -> str:
    """NFC, controls removed, whitespace folded, empty rejected, capped with a visible cut."""
    if not isinstance(value, str):
        raise Invalid("text must be a string")
    value = strip_invisible(value).replace("\t", " ")
    lines = [_SPACES.sub(" ", line).strip() for line in value.split("\n")]
    value = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    if not value:
        raise Invalid("text is empty")
    if len(value) > limit:
        value = value[: limit - len(CUT_MARK)].rstrip() + CUT_MARK
    return value


def clean_name(value: str | None) -> str | None:
    if value is None:
        return None
    return one_line(value)[:MAX_NAME] or None


def initials(name: str) -> str:
    """'Ana María Pérez' -> 'A. M. P.'"""
    parts = [p for p in re.split(r"[\s\-_.]+", name) if p]
    return " ".join(f"{p[0].upper()}." for p in parts[:3])
