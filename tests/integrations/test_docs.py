"""Keep docs/connectors.md honest: every registered connector and each of its settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from integrations.registry import CONNECTORS, config_model

DOC = (Path(__file__).resolve().parents[2] / "docs" / "connectors.md").read_text()


@pytest.mark.parametrize("channel", sorted(CONNECTORS))
def test_every_connector_and_setting_is_documented(channel: str) -> None:
    section = DOC.split(f"### `{channel}`", 1)
    assert len(section) == 2, f"docs/connectors.md has no section for {channel}"
    body = section[1].split("\n### ", 1)[0]
    missing = [f for f in config_model(channel).model_fields if f"`{f}`" not in body]
    assert not missing, f"{channel} settings missing from the docs: {missing}"
