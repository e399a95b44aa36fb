"""How uvicorn runs the app: one set of socket options for `floorbridge serve`, the tests
and the benchmarks, so what is measured and tested is what is deployed."""

from __future__ import annotations

from typing import Any

from app.live.direct_write import WebSocketProtocol

# Pings every 20 s, a dead peer dropped 20 s later: a stalled phone is gone within 40 s.
WS_PING_INTERVAL = 20.0
WS_PING_TIMEOUT = 20.0


def uvicorn_options() -> dict[str, Any]:
    return dict(
        # uvicorn's websockets protocol plus pre-framed fan-out writes (direct_write.py).
        ws=WebSocketProtocol,
        # Compression would cost CPU per socket per frame and defeat one frame for all.
        ws_per_message_deflate=False,
        ws_ping_interval=WS_PING_INTERVAL,
        ws_ping_timeout=WS_PING_TIMEOUT,
    )
