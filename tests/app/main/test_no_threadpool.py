"""No route or dependency runs in the threadpool.

Why: FastAPI runs a plain `def` dependency or endpoint in a worker thread, and the
hand-off (a queue put, a wake-up, the GIL passed back) cost the event loop more than the
dependency did: under bench.hostile's attack, `get_state` alone, a one-line `def`, took
11% of the loop's CPU in thread hand-offs. Blocking work goes through the store's writer
or `store.read`, never through a synchronous dependency.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

from fastapi.routing import APIRoute

from tests.servers import LiveServer


def _synchronous(dependant: Any, found: set[str], path: str) -> None:
    call = dependant.call
    method = vars(type(call)).get("__call__")  # a callable instance's own method
    if call is not None and not (
        inspect.iscoroutinefunction(call) or inspect.iscoroutinefunction(method)
    ):
        found.add(f"{path}: {getattr(call, '__qualname__', call)!r}")
    for sub in dependant.dependencies:
        _synchronous(sub, found, path)


def _api_routes(routes: list[Any]) -> list[APIRoute]:
    """Every APIRoute, inside included routers too (FastAPI keeps those as one route)."""
    out: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            out.append(route)
        elif hasattr(route, "original_router"):
            out += _api_routes(route.original_router.routes)
    return out


def test_every_route_and_dependency_is_a_coroutine(tmp_path: Path) -> None:
    app = LiveServer(tmp_path).make_app()
    found: set[str] = set()
    routes = _api_routes(app.routes)
    for route in routes:
        _synchronous(route.dependant, found, route.path)
    assert len(routes) > 50  # the whole API was looked at
    assert not found, sorted(found)
