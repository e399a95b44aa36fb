"""A raised hand in the Zoom chat asks for the floor (Zoom's webhooks carry no raise-hand
event). Declared as the floor domain's ingest intercept (`FLOOR.intercept`), as the polls'
chat votes are: a chat message that starts with a raise-hand emoji or word becomes a floor request
under the participant's pseudonymous id, not a question. A second one while the person
waits or speaks changes nothing (and is not a question either).
"""

from __future__ import annotations

import re

from sqlmodel import Session

from app.clock import utc_now
from app.floor.service import request_from_zoom, settings_of
from app.models import LiveSession

CHANNELS = ("zoom_chat",)
#: Raised-hand emoji (any skin tone follows as a modifier), then words in the six UN
#: languages; the message must start with one, whatever follows.
_EMOJI = "\u270b\U0001f64b\U0001f590\U0001f91a\u261d"
_WORDS = (
    r"raise(?:s|d)?\s+(?:my\s+)?hand|hand\s+up|\(hand\)|/hand|/raise|hand\s*[.!]*\s*$"
    r"|(?:je\s+)?l[eè]ve\s+la\s+main|main\s+lev[ée]e|je\s+demande\s+la\s+parole"
    r"|levanto\s+la\s+mano|mano\s+alzada|pido\s+la\s+palabra"
    r"|поднимаю\s+руку|прошу\s+слова|рука\b"
    r"|举手|我要发言|请求发言"
    r"|أرفع\s+يدي|أطلب\s+الكلمة"
)
RAISE = re.compile(rf"^\s*(?:[{_EMOJI}]|(?:{_WORDS}))", re.IGNORECASE)


def is_raised_hand(text: str | None) -> bool:
    return bool(text) and RAISE.match(text or "") is not None


def zoom_hand(db: Session, session: LiveSession, msg) -> bool | str:
    if msg.channel not in CHANNELS or not msg.author_id or not is_raised_hand(msg.text):
        return False
    if not settings_of(db, session.id).zoom_hands:
        return False
    request_from_zoom(db, session.id, msg.author_id, msg.author_name, utc_now())
    return "counted as a floor request"
