"""The network edge's own cost per request: uvicorn's httptools protocol as it ships vs
`EdgeHttp` plus `SecurityHeaders`' body guard (app/limits_net.py), same run, same process.

    .venv/bin/python -m bench.edge [--requests 20000] [--rounds 7] [--quick]

One connection, a fake transport (nothing leaves the process) and a bare ASGI app that
reads the body and answers, fed a vote-sized keep-alive request (headers and body in one
read, as a phone sends it) again and again. CPU time per request is the best of the rounds
for each, so the machine's other load mostly cancels out. Target: the edge adds under
5 us a request (a vote costs the server about 250 us). Prints JSON with the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from app.limits_net import STATE_KEY, EdgeHttp, NetLimits, guard_body
from bench.common import emit

REQUEST = (
    b"POST /api/sessions/s/polls/1/votes HTTP/1.1\r\nHost: 192.0.2.10:8000\r\n"
    b"Cookie: fb_aud=abcdefghijklmnopqrstuvwxyz0123456789\r\nContent-Type: application/json\r\n"
    b"User-Agent: Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)\r\nAccept: */*\r\n"
    b"Origin: http://192.0.2.10:8000\r\nContent-Length: 15\r\n\r\n"
    b'{"choices":[1]}'
)


class Transport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.closing = False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("203.0.113.5", 5555), "sockname": ("192.0.2.10", 8000)}.get(
            name, default
        )

    def write(self, data: Any) -> None:
        pass

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


async def per_request_us(protocol: type, guarded: bool, requests: int) -> float:
    answered = 0

    async def app(scope: Any, receive: Any, send: Any) -> None:
        nonlocal answered
        if guarded:
            receive = guard_body(scope["headers"], receive)
        await receive()
        await send(
            {"type": "http.response.start", "status": 201, "headers": [(b"content-length", b"2")]}
        )
        await send({"type": "http.response.body", "body": b"{}"})
        answered += 1

    config = Config(app, proxy_headers=False, log_level="error")
    config.load()
    proto = protocol(
        config=config,
        server_state=ServerState(),
        app_state={STATE_KEY: NetLimits()},
        _loop=asyncio.get_running_loop(),
    )
    proto.connection_made(Transport())
    started = time.process_time()
    for i in range(requests):
        proto.data_received(REQUEST)
        while answered <= i:  # noqa: ASYNC110 - a bare yield: the request task runs
            await asyncio.sleep(0)
    return (time.process_time() - started) / requests * 1e6


async def main_async(requests: int, rounds: int) -> dict[str, Any]:
    plain, edge = [], []
    for _ in range(rounds):  # interleaved, so drift in machine load hits both alike
        plain.append(await per_request_us(HttpToolsProtocol, False, requests))
        edge.append(await per_request_us(EdgeHttp, True, requests))
    base, ours = min(plain), min(edge)
    return {
        "requests_per_round": requests,
        "rounds": rounds,
        "uvicorn_httptools_us_per_request": round(base, 2),
        "edge_us_per_request": round(ours, 2),
        "added_us_per_request": round(ours - base, 2),
        "ratio": round(ours / base, 3),
        "pass": {"added_under_5_us": ours - base < 5},
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--requests", type=int, default=20_000)
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--quick", action="store_true", help="5,000 requests, 5 rounds")
    args = p.parse_args()
    if args.quick:
        args.requests, args.rounds = 5_000, 5
    emit("edge", asyncio.run(main_async(args.requests, args.rounds)))


if __name__ == "__main__":
    main()
