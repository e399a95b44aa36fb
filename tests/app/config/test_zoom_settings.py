"""Zoom settings: read from the environment, secrets kept out of repr, all documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import Settings, ZoomSettings

DOC = (Path(__file__).parents[3] / "docs" / "zoom.md").read_text(encoding="utf-8")


def test_every_zoom_setting_is_documented() -> None:
    names = [f"FLOORBRIDGE_ZOOM_{name.upper()}" for name in ZoomSettings.model_fields]
    assert [n for n in names if n not in DOC] == []
    assert "FLOORBRIDGE_ZOOM_SECRET_TOKEN" in DOC


def test_api_credentials_come_from_the_environment_and_stay_out_of_repr(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Settings(_env_file=None).zoom.credentials() is None
    monkeypatch.setenv("FLOORBRIDGE_ZOOM_ACCOUNT_ID", "acct")
    monkeypatch.setenv("FLOORBRIDGE_ZOOM_CLIENT_ID", "cid")
    monkeypatch.setenv("FLOORBRIDGE_ZOOM_CLIENT_SECRET", "very-secret-value")
    monkeypatch.setenv("FLOORBRIDGE_ZOOM_PUBLIC_ONLY", "true")
    settings = Settings(_env_file=None).zoom  # the section keeps its flat names
    creds = settings.credentials()
    assert creds is not None
    assert (creds.account_id, creds.client_id, creds.client_secret) == (
        "acct",
        "cid",
        "very-secret-value",
    )
    assert settings.public_only is True
    assert "very-secret-value" not in repr(settings) + repr(creds)


def test_the_environment_wins_over_the_env_file_for_a_section(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As for the top-level settings: .env fills in, the environment decides."""
    env_file = tmp_path / ".env"
    env_file.write_text("FLOORBRIDGE_ZOOM_QA_POLL_SECONDS=30\nFLOORBRIDGE_ZOOM_CLIENT_ID=from-file\n")
    monkeypatch.setenv("FLOORBRIDGE_ZOOM_CLIENT_ID", "from-env")
    zoom = Settings(_env_file=env_file).zoom
    assert (zoom.qa_poll_seconds, zoom.client_id) == (30.0, "from-env")
    assert Settings(_env_file=None, zoom=ZoomSettings(public_only=True)).zoom.public_only
