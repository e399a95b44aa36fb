"""The bare HTTP ceiling: what uvicorn alone answers on this machine, in this run.

A plain ASGI app that reads the request body and answers a fixed small JSON, served by
uvicorn exactly as `floorbridge serve` serves ours (app.serving's options, access log
off, its own process). Benchmarks offer it the same requests from the same client and
report their figures as ratios to it: absolute rates move with the machine and its load,
a ratio to the same run's ceiling means the same thing on any machine.

    python -m bench.ceiling PORT   # serve it (what `Ceiling` runs in a subprocess)
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import Server  # noqa: E402

BODY = b'{"status":"ok"}'
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Any path: read the whole body (as a webhook must before checking it), answer 200."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False) and message["type"] == "http.request"
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})


def serve(port: int) -> None:
    """uvicorn with `floorbridge serve`'s options (app.cli.run_server, one worker)."""
    import resource

    import uvicorn

    from app.serving import tune_gc, uvicorn_options

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    tune_gc()
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        **uvicorn_options(),
        proxy_headers=True,
        log_level="warning",
        access_log=False,
    )


class Ceiling(Server):
    """The bare endpoint in its own process, started and stopped like our server."""

    def command(self) -> list[str]:
        return [sys.executable, "-m", "bench.ceiling", str(self.port)]

    def start(self) -> Ceiling:
        self.env["PYTHONPATH"] = str(ROOT)
        super().start()  # waits for GET /healthz: any path answers 200
        return self


@contextmanager
def ceiling() -> Iterator[Ceiling]:
    bare = Ceiling().start()
    try:
        yield bare
    finally:
        bare.stop()


def ratio(ours: float | None, ceiling: float | None) -> float | None:
    """ours / ceiling, rounded; None when either is missing or the ceiling is 0."""
    if ours is None or not ceiling:
        return None
    return round(ours / ceiling, 3)


def target(value: float | None, op: str, bound: float) -> dict[str, Any]:
    """One stated target and whether this run met it: {"target", "value", "met"}."""
    met = value is not None and (value >= bound if op == ">=" else value < bound)
    return {"target": f"{op} {bound:g}", "value": value, "met": bool(met)}


if __name__ == "__main__":
    serve(int(sys.argv[1]))
