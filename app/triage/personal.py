"""Personal data in a message: e-mail addresses and phone numbers, found and masked.

The rules live in `ports.personal` (pure, no model): the server masks every view other
than the moderator's with them whether or not this engine is installed; the engine uses
them for its `personal:email` and `personal:phone` flags.
"""

from __future__ import annotations

from ports.personal import EMAIL, EMAIL_MASK, PHONE_MASK, find_personal_data, mask_personal_data

__all__ = ["EMAIL", "EMAIL_MASK", "PHONE_MASK", "find_personal_data", "mask_personal_data"]
