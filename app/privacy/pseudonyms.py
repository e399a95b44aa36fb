"""Pseudonymisation: what of a remote author we keep, and how their name is shown."""

from __future__ import annotations

import hmac

from app.models import AuthorDisplay
from app.text import clean_name, initials


def author_hash(secret: str, channel: str, author_id: str | None) -> str | None:
    """An HMAC of the external id: the same person maps to the same value, unreadably."""
    if not author_id:
        return None
    # hmac.digest: OpenSSL's one-shot HMAC, the same value as hmac.new(...) without its
    # Python-level object (it runs per stored message, in the writer thread).
    return hmac.digest(secret.encode(), f"{channel}\x00{author_id}".encode(), "sha256").hex()


def display_name(policy: str, name: str | None) -> str | None:
    """Apply the session's policy at ingest, so a name we won't show is never stored."""
    name = clean_name(name)
    if not name or policy == AuthorDisplay.anonymous:
        return None
    if policy == AuthorDisplay.initials:
        return initials(name) or None
    return name
