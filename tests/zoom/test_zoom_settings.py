"""Zoom settings: read from the environment, secrets kept out of repr, all documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.channels.zoom import ZoomSettings

DOC = (Path(__file__).parents[2] / "docs" / "zoom.md").read_text(encoding="utf-8")


def test_every_zoom_setting_is_documented() -> None:
    names = [f"FLOORBRIDGE_ZOOM_{name.upper()}" for name in ZoomSettings.model_fields]
    assert [n for n in names if n not in DOC] == []
    assert "FLOORBRIDGE_ZOOM_SECRET_TOKEN" in DOC


def test_api_credentials_come_from_the_environment_and_stay_out_of_repr(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert ZoomSettings(_env_file=None).credentials() is None
    monkeypatch.setenv("FLOORBRIDGE_ZOOM_ACCOUNT_ID", "acct")
    monkeypatch.setenv("FLOORBRIDGE_ZOOM_CLIENT_ID", "cid")
    monkeypatch.setenv("FLOORBRIDGE_ZOOM_CLIENT_SECRET", "very-secret-value")
    monkeypatch.setenv("FLOORBRIDGE_ZOOM_PUBLIC_ONLY", "true")
    settings = ZoomSettings(_env_file=None)
    creds = settings.credentials()
    assert creds is not None
    assert (creds.account_id, creds.client_id, creds.client_secret) == (
        "acct",
        "cid",
        "very-secret-value",
    )
    assert settings.public_only is True
    assert "very-secret-value" not in repr(settings) + repr(creds)
