"""Connector settings are encrypted at rest (Fernet), with a key derived from the server's
secret key, so a copied database file does not hand out platform tokens."""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.errors import Invalid


class SettingsBox:
    """Seal and open a settings dict."""

    def __init__(self, secret_key: str) -> None:
        raw = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"floorbridge connector settings"
        ).derive(secret_key.encode())
        self._fernet = Fernet(base64.urlsafe_b64encode(raw))

    def seal(self, settings: dict[str, Any]) -> str:
        return self._fernet.encrypt(json.dumps(settings).encode()).decode()

    def open(self, token: str) -> dict[str, Any]:
        try:
            return json.loads(self._fernet.decrypt(token.encode()))
        except InvalidToken:
            raise Invalid(
                "stored connector settings cannot be decrypted: was FLOORBRIDGE_SECRET_KEY "
                "changed? Enter the channel's settings again"
            ) from None
