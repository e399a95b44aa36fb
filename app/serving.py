"""How uvicorn runs the app: one set of socket options for `floorbridge serve`, the tests
and the benchmarks, so what is measured and tested is what is deployed."""

from __future__ import annotations

import gc
from typing import Any

from app.limits_net import EdgeHttp
from app.live.direct_write import WebSocketProtocol

# A ping every 15 s, a peer that does not answer within 15 s is dropped: a stalled phone
# is gone within 30 s, well inside the 40 s it may cost us. (10,000 sockets: 667 pings/s.)
WS_PING_INTERVAL = 15.0
WS_PING_TIMEOUT = 15.0


def uvicorn_options() -> dict[str, Any]:
    return dict(
        # uvicorn's httptools protocol plus what uvicorn lacks (app.limits_net): deadlines
        # for request headers and bodies, a header size cap, per-address connection caps.
        # (uvicorn's h11 limits apply to its h11 protocol only, not used here.) Bodies are
        # capped in ASGI (SecurityHeaders), so every server and test client gets that.
        http=EdgeHttp,
        # 5 s is uvicorn's default too; said here because it bounds how long an idle
        # keep-alive connection counts against its address's cap.
        timeout_keep_alive=5,
        # uvicorn's websockets protocol plus pre-framed fan-out writes (direct_write.py).
        ws=WebSocketProtocol,
        # Compression would cost CPU per socket per frame and defeat one frame for all.
        ws_per_message_deflate=False,
        ws_ping_interval=WS_PING_INTERVAL,
        ws_ping_timeout=WS_PING_TIMEOUT,
    )


def tune_gc() -> None:
    """Fewer, cheaper garbage collections for a process holding thousands of sockets.

    With CPython's defaults, a connect storm of 10,000 sockets triggered about a dozen full
    collections, the last ones 0.5-0.7 s each, during which no socket was served. A larger
    young generation lets short-lived cycles (per request and per frame) die young, and full
    collections become rare. What start-up loaded (modules, routes) is frozen out of the
    collector's sight for good. Called by `floorbridge serve`, not by `create_app`: tests
    build many apps in one process.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def create_worker_app() -> Any:
    """The app factory each of `serve --workers N`'s processes runs."""
    from app.main import create_app

    app = create_app()
    tune_gc()
    return app
