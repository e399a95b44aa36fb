"""Keep docs/report.md and docs/privacy.md honest: every setting, route and command."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import RetentionSettings
from app.privacy.endpoints import router as privacy_router
from app.report.endpoints import router as report_router

DOCS = Path(__file__).resolve().parents[3] / "docs"
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
        "floorbridge report SLUG --format md|html|json|csv|pdf|form",
        "floorbridge purge",
        "floorbridge privacy export",
        "floorbridge privacy erase",
        "--older-than 30d",
    ):
        assert command in REPORT + PRIVACY, command


def test_every_igf_field_key_is_documented():
    from app.report.igf import PEOPLE_FIELDS

    for key in PEOPLE_FIELDS:
        assert f"`{key}`" in REPORT, key


def test_the_rapporteur_page_offers_every_igf_field_with_the_reports_label():
    """One list of labels (app/report/igf.py): the page shows the report's own words."""
    from app import i18n
    from app.report.igf import PEOPLE_FIELDS

    page = (DOCS.parent / "moderator_ui" / "static" / "report.html").read_text()
    english = i18n.catalogue("en")["messages"]
    for key, (label, _, _) in PEOPLE_FIELDS.items():
        assert f'data-section="{key}"' in page, key
        # The label is translated under the field's own key (docs/i18n.md): same English.
        assert f'<span data-i18n="{key}">{label}</span>' in page, label
        assert english[key] == label, key
