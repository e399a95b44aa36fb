"""Where a request's CPU goes: each outer layer of our HTTP stack removed in turn.

    .venv/bin/python -m bench.stack [--requests 10000] [--connections 256] [--rounds 2]

In one run, with bench.votes' own client (closed loop, the same keep-alive connections):
the bare ceiling (bench.ceiling), then our server built as `floorbridge serve` builds it
(`full`) and once per variant without one layer. For each: requests/s of the hot vote
path (every request a distinct voter's first vote on a fresh server) and of `GET /healthz`
(routed by FastAPI, no work behind it), and the server's CPU per request. Rounds
alternate the servers so a load change on this shared machine touches them alike; the
best round of each counts. Reports every figure as a ratio to the ceiling.

A variant is built here, in the benchmark's own server process (`serve`), by taking the
named middleware out of the app `create_app` returned before it first runs (or serving
with uvicorn's plain httptools protocol instead of app.limits_net.EdgeHttp): the app
itself has no switch to weaken, so nothing here can leak into a deployment.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.ceiling import Ceiling, ratio  # noqa: E402
from bench.common import Server, emit, raise_fd_limit  # noqa: E402
from bench.votes import (  # noqa: E402
    HEALTHZ,
    OPTIONS,
    SECRET,
    api,
    process_tree_cpu,
    run_wave,
    vote_request,
)

#: Variant name -> the middleware class names it removes ("edgehttp": the protocol).
VARIANTS: dict[str, tuple[str, ...]] = {
    "full": (),
    "no_security_headers": ("SecurityHeaders",),
    "no_same_origin": ("SameOrigin",),
    "no_timing": ("Timing",),
    "no_edge_http": ("edgehttp",),
    "no_outer_layers": ("SecurityHeaders", "SameOrigin", "Timing", "edgehttp"),
}


def serve(port: int, without: list[str]) -> None:
    """Our app as `floorbridge serve` runs it, minus the named layers (benchmark only)."""
    import resource

    from app.cli import _serve_one
    from app.main import create_app
    from app.serving import tune_gc, uvicorn_options

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    app = create_app()
    names = set(without)
    app.user_middleware = [m for m in app.user_middleware if m.cls.__name__ not in names]
    options = uvicorn_options()
    if "edgehttp" in names:
        options["http"] = "httptools"
    tune_gc()
    config = dict(host="127.0.0.1", port=port, **options, proxy_headers=True,
                  log_level="warning", access_log=False)
    _serve_one(app, config, None)


class Variant(Server):
    def __init__(self, without: tuple[str, ...], **kw: Any) -> None:
        super().__init__(**kw)
        self.without = without

    def command(self) -> list[str]:
        without = ",".join(self.without)
        return [sys.executable, "-m", "bench.stack", "serve", str(self.port), without]

    def start(self) -> Variant:
        self.env["PYTHONPATH"] = str(ROOT)
        super().start()
        return self


async def measure(server: Server, requests: list[bytes], connections: int,
                  label: str) -> dict[str, Any]:
    cpu = process_tree_cpu(server.proc.pid)  # type: ignore[union-attr]
    wave = await run_wave(server.port, requests, connections)
    used = process_tree_cpu(server.proc.pid) - cpu  # type: ignore[union-attr]
    ok = wave["statuses"].get("201" if label == "vote" else "200", 0)
    return {
        "requests_per_second": round(len(requests) / wave["wall_seconds"], 1),
        "ok": ok == len(requests),
        "statuses": wave["statuses"],
        "server_cpu_us_per_request": round(used * 1e6 / len(requests), 1),
        "p99_ms": wave["ack_ms"]["p99"],
    }


async def one_variant(without: tuple[str, ...], n: int, connections: int) -> dict[str, Any]:
    from itsdangerous import URLSafeSerializer

    env = {"FLOORBRIDGE_SECRET_KEY": SECRET, "FLOORBRIDGE_POLL_VOTES_PER_IP_MINUTE": "0"}
    server = Variant(without, env=env).start()
    try:
        session = server.create_session("Stack benchmark")
        slug, keys = session["slug"], session["keys"]
        body = {"question": "Which?", "kind": "single", "options": OPTIONS}
        pid = api(server, "POST", f"{slug}/polls", keys["moderator"], body)["id"]
        api(server, "POST", f"{slug}/polls/{pid}/actions/open", keys["moderator"])
        signer = URLSafeSerializer(SECRET, salt="fb-audience")
        votes = [
            vote_request(slug, pid, signer.dumps(f"stack-voter-{i:06d}"), i % len(OPTIONS))
            for i in range(n)
        ]
        healthz = await measure(server, [HEALTHZ] * n, connections, "healthz")
        vote = await measure(server, votes, connections, "vote")
        return {"vote": vote, "healthz": healthz}
    finally:
        server.stop()


async def one_ceiling(n: int, connections: int) -> dict[str, Any]:
    bare = Ceiling().start()
    try:
        # The same vote bytes (the ceiling reads the body and answers any path).
        votes = [vote_request("x", 1, f"c{i}", 0) for i in range(n)]
        return {
            "vote": await measure(bare, votes, connections, "healthz"),
            "healthz": await measure(bare, [HEALTHZ] * n, connections, "healthz"),
        }
    finally:
        bare.stop()


def best(runs: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    return max((r[kind] for r in runs), key=lambda m: m["requests_per_second"])


async def main(args: argparse.Namespace) -> dict[str, Any]:
    raise_fd_limit()
    names = args.variants.split(",") if args.variants else list(VARIANTS)
    rounds: dict[str, list[dict[str, Any]]] = {"ceiling": [], **{v: [] for v in names}}
    for _ in range(args.rounds):
        rounds["ceiling"].append(await one_ceiling(args.requests, args.connections))
        for v in names:
            rounds[v].append(await one_variant(VARIANTS[v], args.requests, args.connections))
    bare_vote = best(rounds["ceiling"], "vote")
    bare_health = best(rounds["ceiling"], "healthz")
    table: dict[str, Any] = {}
    for name, runs in rounds.items():
        vote, health = best(runs, "vote"), best(runs, "healthz")
        table[name] = {
            "removed": list(VARIANTS.get(name, ())),
            "vote": vote,
            "healthz": health,
            "vote_ratio": ratio(vote["requests_per_second"], bare_vote["requests_per_second"]),
            "healthz_ratio": ratio(
                health["requests_per_second"], bare_health["requests_per_second"]
            ),
            "all_rounds_rps": {
                "vote": [r["vote"]["requests_per_second"] for r in runs],
                "healthz": [r["healthz"]["requests_per_second"] for r in runs],
            },
        }
    full = table.get("full")
    if full:
        for name, row in table.items():
            if name not in ("ceiling", "full"):
                row["vote_cpu_us_saved"] = round(
                    full["vote"]["server_cpu_us_per_request"]
                    - row["vote"]["server_cpu_us_per_request"], 1)
                row["healthz_cpu_us_saved"] = round(
                    full["healthz"]["server_cpu_us_per_request"]
                    - row["healthz"]["server_cpu_us_per_request"], 1)
    return {
        "requests_per_variant": args.requests,
        "connections": args.connections,
        "rounds": args.rounds,
        "client": "bench.votes' bare HTTP/1.1 Protocol client, closed loop, this process",
        "note": "vote: each request a new voter's first vote on a fresh server (hot path, "
        "SQLite); the ceiling gets the same bytes. Best round of each; ratios to the ceiling",
        "variants": table,
        "pass": {"every_request_ok": all(
            r[k]["ok"] for runs in rounds.values() for r in runs for k in ("vote", "healthz"))},
    }


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        serve(int(sys.argv[2]), [w for w in sys.argv[3].split(",") if w] if len(sys.argv) > 3
              else [])
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--connections", type=int, default=256)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--variants", default="", help="comma-separated subset of VARIANTS")
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    args = parser.parse_args()
    out = emit("stack", asyncio.run(main(args)))
    sys.exit(0 if all(out["pass"].values()) else 1)
