"""Keep docs/report.md and docs/privacy.md honest: every setting, route and command."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.report.endpoints import router as report_router
from app.retention.endpoints import router as privacy_router
from app.retention.settings import RetentionSettings

DOCS = Path(__file__).resolve().parents[2] / "docs"
REPORT = (DOCS / "report.md").read_text()
PRIVACY = (DOCS / "privacy.md").read_text()


@pytest.mark.parametrize("name", sorted(RetentionSettings.model_fields))
def test_every_retention_setting_is_documented(name):
    assert f"FLOORBRIDGE_{name.upper()}" in PRIVACY


@pytest.mark.parametrize(
    ("router", "doc"),
    [(report_router, REPORT), (privacy_router, PRIVACY)],
    ids=["report", "privacy"],
)
def test_every_route_is_documented(router, doc):
    for route in router.routes:
        assert route.path in doc, f"{route.path} is not in the docs"


def test_every_command_is_documented():
    for command in (
        "floorbridge report SLUG --format md|html|json|csv",
        "floorbridge purge",
        "floorbridge privacy export",
        "floorbridge privacy erase",
        "--older-than 30d",
    ):
        assert command in REPORT + PRIVACY, command
