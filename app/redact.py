"""Role keys never reach a log line.

A role link and a script's live socket carry the key in the URL (`?key=K`), and uvicorn
logs URLs: every WebSocket handshake at INFO on `uvicorn.error` (on by default), every
request on `uvicorn.access` with --access-log. A filter on those loggers rewrites `key=K`
to `key=REDACTED` in the message and in any traceback before any handler sees the record,
whatever handlers uvicorn's logging config installs later.
"""

from __future__ import annotations

import logging
import re

KEY_IN_URL = re.compile(r"(?i)([?&;]key=)[^&;\s\"'#]+")
#: Where URLs are logged. (A logger's filters see only records made on it, not children's.)
LOGGERS = ("uvicorn.error", "uvicorn.access", "uvicorn.asgi", "floorbridge")


def redact(text: str) -> str:
    return KEY_IN_URL.sub(r"\1REDACTED", text) if "key=" in text.lower() else text


class RedactKeys(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


_FILTER = RedactKeys()


def install() -> None:
    """Idempotent: `create_app` calls it, and tests build many apps in one process."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
