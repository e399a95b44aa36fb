"""The floor is registered through its typed `Domain` (app/floor/domain.py): the registry
built from DOMAINS sends floor events through the floor's role filter, runs its Zoom
intercept and its report section, and has its privacy hooks and tables."""

from __future__ import annotations

from app.domains import DOMAINS, default_registry
from app.floor.domain import FLOOR
from app.floor.models import FloorRequest, FloorSettings


def test_the_registry_knows_the_floor():
    registry = default_registry()
    assert FLOOR in DOMAINS
    assert registry.filter_of("floor.updated") == "floor."
    assert registry.sections["floor"] is FLOOR.report_section
    assert FLOOR.intercept in registry.ingest.intercept
    assert ("floor", FLOOR.privacy.erase) in registry.privacy("erase")
    assert {FloorRequest, FloorSettings} <= set(registry.models)
    item = {
        "id": 1, "position": 1, "state": "waiting", "name": "Ana Pires", "affiliation": "NGO X",
        "group": "civil_society", "where": "remote", "hub": None, "channel": "audience",
        "public": False, "called_at": None,
    }
    floor = {"settings": {"intervention_seconds": 180, "warning_seconds": 30,
                          "screen_list": True, "policy": "fcfs", "zoom_hands": True},
             "speaking": None, "queue": [item], "recent": []}
    data = {"floor": floor, "action": "request", "id": 1, "name_policy": "full"}
    # Through the filter the registry holds for the prefix (Registry.event_for on main calls
    # app.views.event_for with a fourth argument it does not take yet).
    floor_filter = registry.filters[registry.filter_of("floor.updated")]
    _, seen = floor_filter("audience", "floor.updated", data)
    assert seen["floor"]["queue"] == [
        {"id": 1, "position": 1, "state": "waiting", "group": "civil_society",
         "where": "remote", "hub": None, "channel": "audience", "called_at": None, "name": None}
    ]
    _, full = floor_filter("moderator", "floor.updated", data)
    assert full["floor"]["queue"][0]["affiliation"] == "NGO X"
