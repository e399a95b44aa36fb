"""Untrusted text in, clean plain text out. Rendering as text is the pages' job."""

from __future__ import annotations

import re
import unicodedata

from app.errors import Invalid

MAX_TEXT = 2000
MAX_NAME = 80
CUT_MARK = " […]"
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")


# ASCII's control characters but newline and tab (a table for str.translate).
_ASCII_CONTROLS = dict.fromkeys([*range(0x20), 0x7F])
del _ASCII_CONTROLS[ord("\n")], _ASCII_CONTROLS[ord("\t")]


def _strip_controls(value: str) -> str:
    # Keep newlines and tabs; drop other control and format chars (bidi overrides, NUL...).
    if value.isascii():  # most chat: one C-level pass instead of a lookup per character
        return value.translate(_ASCII_CONTROLS)
    return "".join(
        ch
        for ch in value
        if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co")
    )


def clean_text(value: str, limit: int = MAX_TEXT) -> str:
    """NFC, controls removed, whitespace folded, empty rejected, capped with a visible cut."""
    if not isinstance(value, str):
        raise Invalid("text must be a string")
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    value = _strip_controls(value).replace("\t", " ")
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
    value = " ".join(_strip_controls(unicodedata.normalize("NFC", value)).split())
    return value[:MAX_NAME] or None


def initials(name: str) -> str:
    """'Ana María Pérez' -> 'A. M. P.'"""
    parts = [p for p in re.split(r"[\s\-_.]+", name) if p]
    return " ".join(f"{p[0].upper()}." for p in parts[:3])
