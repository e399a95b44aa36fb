"""Under 10,000 sockets: the moderator path, a reconnect storm, slow consumers. One server
process (SQLite, as `floorbridge serve`), one crowd, three phases in order:

    python -m bench.scale [--clients 10000] [--procs 2] [--quick]

1. moderator path: while the item on stage changes every 1.5 s (each change fans out to
   every socket), questions arrive by Zoom webhook (or the audience API when the Zoom
   router is not mounted) and we time each until the moderator's console socket has it.
   The same client posts the same signed body to the bare HTTP ceiling (`bench.ceiling`,
   uvicorn with the same options, its own process) right after: ratios to its ack.
2. reconnect storm: the server is restarted under every client; each reconnects with
   jittered back-off and resumes from its last seq. Time until 99% and 100% have resynced.
3. slow consumers: one client in 20 stops reading (TCP paused: no frames, no pongs) while
   the stage keeps changing; the others' delivery p99, the server's memory, and how long
   until the server has closed every stalled socket.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import threading
import time
from typing import Any

import httpx
import orjson
from websockets.asyncio.client import connect

from bench.ceiling import ceiling, ratio
from bench.common import audience_cookie, emit, percentiles, raise_fd_limit, server
from bench.crowd import Crowd
from bench.fanout import collect

ZOOM_SECRET = "bench-zoom-secret"
STALL_EVERY = 20  # 5%
STAGE_EVERY = 1.5  # seconds between stage changes (each one fans out to every socket)
TARGETS = {"moderator_p99_ms": 250, "storm_99pct_s": 20, "stall_close_s": 40, "stall_kib": 64}


class Stage:
    """Keeps the stage changing (push, answer, next question) from a thread."""

    def __init__(self, base: str, mod: dict[str, str], qids: list[int]) -> None:
        self.base, self.mod, self.qids = base, mod, qids
        self.stop = threading.Event()
        self.pushed: list[tuple[int, float]] = []
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Stage:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop.set()
        self._thread.join(30)

    def _run(self) -> None:
        with httpx.Client(headers=self.mod, timeout=30) as http:
            for qid in self.qids:
                if self.stop.is_set():
                    return
                t0 = time.time()
                http.post(f"{self.base}/questions/{qid}/actions/push").raise_for_status()
                self.pushed.append((qid, t0))
                self.stop.wait(STAGE_EVERY)
                http.post(f"{self.base}/questions/{qid}/actions/answer").raise_for_status()


def prepare(srv: Any, questions: int) -> dict[str, Any]:
    from bench.ingest import ZOOM_ID

    s = srv.create_session("Scale benchmark", zoom_ids=[ZOOM_ID])
    mod = {"Authorization": f"Bearer {s['keys']['moderator']}"}
    base = f"{srv.url}/api/sessions/{s['slug']}"
    qids = []
    with httpx.Client(headers=mod, timeout=30) as http:
        for i in range(questions):
            phone = {"cookie": audience_cookie(srv.url, s["slug"])}  # one id per question
            qid = http.post(
                f"{base}/questions", json={"text": f"Stage item {i}?"}, headers=phone
            ).json()["id"]
            http.post(f"{base}/questions/{qid}/actions/approve").raise_for_status()
            qids.append(qid)
    return {"session": s, "mod": mod, "base": base, "qids": qids,
            "live": f"{srv.ws_url}/s/{s['slug']}/live"}


async def moderator_path(
    srv: Any, ctx: dict[str, Any], count: int, bare: Any = None
) -> dict[str, Any]:
    """Questions in, timed to the moderator's socket, while the fan-out runs."""
    from bench.ingest import chat_body
    from integrations.zoom_send import signed_headers

    key = ctx["session"]["keys"]["moderator"]
    seen: dict[str, float] = {}
    ws = await connect(f"{ctx['live']}?key={key}", compression=None, max_queue=None)
    await ws.send('{"type":"resume","after":null}')

    async def read() -> None:
        async for raw in ws:
            q = (orjson.loads(raw).get("data") or {}).get("question") or {}
            m = re.match(r"^Bench question (\S+)\?$", q.get("text") or "")
            if m and q.get("state") == "inbox":
                seen.setdefault(m.group(1), time.time())

    reader = asyncio.create_task(read())
    sent: dict[str, float] = {}
    acks: list[float] = []
    bare_acks: list[float] = []
    via = "zoom_webhook"
    async with httpx.AsyncClient(base_url=srv.url, timeout=30) as http:
        for i in range(count):
            mid = f"m{i}"
            body = chat_body(mid)
            headers = signed_headers(ZOOM_SECRET, body)
            sent[mid] = time.time()
            if via == "zoom_webhook":
                r = await http.post("/integrations/zoom/webhook", content=body, headers=headers)
                if r.status_code == 404:
                    via = "audience_api (Zoom router not mounted in the app)"
            if via != "zoom_webhook":
                path = f"/api/sessions/{ctx['session']['slug']}/questions"
                r = await http.post(path, json={"text": f"Bench question {mid}?"})
            r.raise_for_status()
            acks.append((time.time() - sent[mid]) * 1000)
            if bare is not None:  # the same request to the bare endpoint, same client
                t0 = time.time()
                r = await http.post(f"{bare.url}/integrations/zoom/webhook", content=body,
                                    headers=headers)
                r.raise_for_status()
                bare_acks.append((time.time() - t0) * 1000)
            await asyncio.sleep(0.2)
    deadline = time.monotonic() + 30
    while len(seen) < count and time.monotonic() < deadline:  # noqa: ASYNC110 - bounded poll
        await asyncio.sleep(0.1)
    reader.cancel()
    await ws.close()
    lat = [(seen[m] - t) * 1000 for m, t in sent.items() if m in seen]
    ours, ceiling, ack = percentiles(lat), percentiles(bare_acks), percentiles(acks)
    return {"via": via, "sent": count, "received": len(lat), "latency_ms": ours,
            "ack_ms": ack, "ceiling_ack_ms": ceiling,
            # How many bare round trips our webhook's ack, and its way to the console, cost.
            "ack_p50_ratio": ratio(ack["p50"], ceiling["p50"]),
            "ack_p99_ratio": ratio(ack["p99"], ceiling["p99"]),
            "socket_p50_ratio": ratio(ours["p50"], ceiling["p50"]),
            "socket_p99_ratio": ratio(ours["p99"], ceiling["p99"])}


def phase_moderator(
    srv: Any, crowd: Crowd, ctx: dict[str, Any], count: int, held: int, bare: Any = None
) -> dict[str, Any]:
    with Stage(ctx["base"], ctx["mod"], ctx["qids"][: len(ctx["qids"]) // 3]) as stage:
        time.sleep(1.0)
        mod = asyncio.run(moderator_path(srv, ctx, count, bare))
    fan = []
    for qid, t0 in stage.pushed:
        fan += collect(crowd, qid, held, t0)
    return {"moderator_path": mod, "fanouts_during": len(stage.pushed),
            "fanout_delivery_ms": percentiles(fan)}


def phase_storm(srv: Any, crowd: Crowd, clients: int) -> dict[str, Any]:
    crowd.call("set_reconnect", True)
    crowd.call("forget_sync")
    t_kill = time.time()
    assert srv.proc is not None
    srv.proc.terminate()
    srv.proc.wait(60)
    down_s = time.time() - t_kill
    srv.start()
    t_ready = time.time()
    deadline = time.monotonic() + 120
    synced: list[float] = []
    while time.monotonic() < deadline:
        synced = [t for part in crowd.call("status") for t in part["synced_at"] if t]
        if len(synced) >= clients:
            break
        time.sleep(0.5)
    synced.sort()

    def at(frac: float) -> float | None:
        need = max(1, int(frac * clients + 0.999999))
        return round(synced[need - 1] - t_kill, 2) if len(synced) >= need else None

    dups = sum(part["dups"] for part in crowd.call("status"))
    return {"clients": clients, "resynced": len(synced), "shutdown_seconds": round(down_s, 2),
            "restart_ready_after_kill_s": round(t_ready - t_kill, 2),
            "resynced_99pct_s": at(0.99), "resynced_100pct_s": at(1.0),
            "duplicate_frames": dups}


def audience_sockets(srv: Any) -> int:
    text = httpx.get(f"{srv.url}/metrics", timeout=10).text
    m = re.search(r'^floorbridge_sockets\{role="audience"\} (\S+)$', text, re.M)
    return int(float(m.group(1))) if m else -1


def phase_slow(srv: Any, crowd: Crowd, ctx: dict[str, Any], seconds: float) -> dict[str, Any]:
    crowd.call("set_reconnect", False)
    before = audience_sockets(srv)
    rss_before = srv.rss_bytes()
    stalled = sum(crowd.call("stall", STALL_EVERY))
    t_stall = time.time()
    healthy = before - stalled
    qids = ctx["qids"][2 * len(ctx["qids"]) // 3 :]
    closed_at = None
    rss_peak = rss_before
    with Stage(ctx["base"], ctx["mod"], qids) as stage:
        while time.time() - t_stall < seconds:
            rss_peak = max(rss_peak, srv.rss_bytes())
            if closed_at is None and audience_sockets(srv) <= healthy:
                closed_at = time.time()
            time.sleep(0.25)
        rss_end = srv.rss_bytes()
    lat = []
    for qid, t0 in stage.pushed:
        lat += collect(crowd, qid, healthy, t0)
    return {"stalled": stalled, "others": healthy, "pushes": len(stage.pushed),
            "others_delivery_ms": percentiles(lat),
            "stalled_all_closed_after_s": round(closed_at - t_stall, 1) if closed_at else None,
            "server_rss_mb_before": round(rss_before / 2**20, 1),
            "server_rss_mb_peak": round(rss_peak / 2**20, 1),
            "server_rss_mb_end": round(rss_end / 2**20, 1),
            "kib_per_stalled_client_peak": round((rss_peak - rss_before) / 1024 / max(1, stalled),
                                                 1)}


def run(clients: int, procs: int, questions: int, slow_seconds: float) -> dict[str, Any]:
    raise_fd_limit()
    env = {"FLOORBRIDGE_ZOOM_SECRET_TOKEN": ZOOM_SECRET}
    with server(env=env) as srv, Crowd(procs) as crowd, ceiling() as bare:
        ctx = prepare(srv, 90)
        rss0 = srv.rss_bytes()
        t0 = time.monotonic()
        held = crowd.open([ctx["live"]], clients)
        out: dict[str, Any] = {"clients": clients, "client_processes": procs,
                               "connections_held": held,
                               "connect_seconds": round(time.monotonic() - t0, 1),
                               "server_rss_mb_idle": round(rss0 / 2**20, 1),
                               "server_rss_mb_held": round(srv.rss_bytes() / 2**20, 1)}
        out["moderator_under_fanout"] = phase_moderator(srv, crowd, ctx, questions, held, bare)
        out["reconnect_storm"] = phase_storm(srv, crowd, held)
        out["slow_consumers"] = phase_slow(srv, crowd, ctx, slow_seconds)
    m, s, c = out["moderator_under_fanout"], out["reconnect_storm"], out["slow_consumers"]
    out["targets"] = {**TARGETS, "met": {
        "moderator_p99": (m["moderator_path"]["latency_ms"]["p99"] or 1e9)
        < TARGETS["moderator_p99_ms"],
        "storm_99pct": (s["resynced_99pct_s"] or 1e9) <= TARGETS["storm_99pct_s"],
        "stall_closed": (c["stalled_all_closed_after_s"] or 1e9) <= TARGETS["stall_close_s"],
        "stall_cost": c["kib_per_stalled_client_peak"] < TARGETS["stall_kib"],
    }}
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--clients", type=int, default=10_000)
    p.add_argument("--procs", type=int, default=2, help="client worker processes")
    p.add_argument("--questions", type=int, default=50, help="moderator-path samples")
    p.add_argument("--slow-seconds", type=float, default=50, help="phase 3 duration")
    p.add_argument("--quick", action="store_true", help="500 clients, short phases (CI)")
    args = p.parse_args(argv)
    if args.quick:
        args.clients, args.questions, args.slow_seconds = 500, 20, 45
    if not 20 <= args.clients <= 10_000:
        p.error("--clients must be between 20 and 10,000")
    result = run(args.clients, max(1, args.procs), args.questions, args.slow_seconds)
    args_used = sys.argv[1:] if argv is None else argv
    result["command"] = " ".join(["python -m bench.scale", *args_used])
    return emit("scale", result)


if __name__ == "__main__":
    main()
