"""E-mail addresses are never stored: cut from question text and names as they arrive."""

from __future__ import annotations

import re

EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
EMAIL_MARK = "[e-mail removed]"


def strip_emails(text: str) -> str:
    return EMAIL_RE.sub(EMAIL_MARK, text)


def name_without_email(name: str | None) -> str | None:
    """A display name that is (or holds) an e-mail address is not a name we keep."""
    return None if name and EMAIL_RE.search(name) else name
