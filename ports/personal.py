"""Personal data in a message: e-mail addresses and phone numbers, found and masked.

A participant who types their e-mail or phone number into a Zoom chat means it for the
moderator, not for the room screen: every view other than the moderator's shows the
masked text. Plain regular expressions (no model, no app import), so the masking holds
whether or not the triage assistant is installed; the engine (`app.triage.personal`)
re-exports these for its `personal:*` flags.
"""

from __future__ import annotations

import re

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Digits with spaces, dots, dashes or brackets between them; the count is checked below.
# Not followed by ":" and a digit: "2025-06-23 14:05" is a date and a time.
_PHONE_CANDIDATE = re.compile(r"(?<![\w+])(?:\+|00)?\(?\d[\d\s().-]{6,22}\d(?![\w]|:\d)")
_THOUSANDS = re.compile(r"^\d{1,3}(?:[.,\s]\d{3})+$")
_YEAR_RANGE = re.compile(r"^(?:19|20)\d\d\s*[-–]\s*(?:19|20)\d\d$")
# A date inside the run: 2025-06-23, 2025/6/23, 23.06.2025, 23/06/2025.
_DATE = re.compile(
    r"(?<!\d)(?:(?:19|20)\d\d[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.](?:19|20)\d\d)(?!\d)"
)
_YEAR = re.compile(r"^(?:19|20)\d\d$")

EMAIL_MASK = "[e-mail]"
PHONE_MASK = "[phone]"


def _is_phone(candidate: str) -> bool:
    digits = sum(c.isdigit() for c in candidate)
    plain = candidate.strip()
    if _THOUSANDS.match(plain) or _YEAR_RANGE.match(plain) or _DATE.search(plain):
        return False
    groups = re.findall(r"\d+", plain)
    if len(groups) > 1 and all(_YEAR.match(g) for g in groups):  # "2024 2025 2026"
        return False
    if plain.startswith(("+", "00")):
        return 8 <= digits <= 15
    return 9 <= digits <= 15


def find_personal_data(text: str) -> list[str]:
    """Which kinds of personal data the text holds: a subset of ["email", "phone"]."""
    kinds = []
    if EMAIL.search(text):
        kinds.append("email")
    without_email = EMAIL.sub(" ", text)
    if any(_is_phone(m.group(0)) for m in _PHONE_CANDIDATE.finditer(without_email)):
        kinds.append("phone")
    return kinds


def mask_personal_data(text: str) -> str:
    """The text with every e-mail address and phone number replaced by a placeholder."""
    masked = EMAIL.sub(EMAIL_MASK, text) if "@" in text else text

    def phone(m: re.Match[str]) -> str:
        return PHONE_MASK if _is_phone(m.group(0)) else m.group(0)

    return _PHONE_CANDIDATE.sub(phone, masked)
