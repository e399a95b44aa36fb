"""Hostile input at a live event (issue 12): an attack on the server while 500 honest
phones vote and ask; prints JSON.

    .venv/bin/python -m bench.hostile [--seconds 60] [--phones 500] [--nat-phones 2000]
        [--nat-window 60] [--upload-mb 200] [--upload-mbps 10] [--attacker-nice 0] [--quick]

One `floorbridge serve` (SQLite, default limits) in a subprocess. The load generators are
processes of their own, so that the attacker's CPU does not starve the loop that times the
honest phones (in one process, the attacker's 10 s of CPU inflated the honest p99 whatever
the server did): the honest phones in one, the body attacks (uploads, stalled bodies) in
another, the identity attacks (minting script, looping id) in a third. All three are
started before the baseline and kept for the whole run, with the same niceness and CPU
affinity in both phases (recorded in the JSON; `--attacker-nice` lowers the attackers'
priority, 0 by default: on a shared 2-core machine a niced attacker barely runs). Each
kind of client has its own loopback address (127.0.0.0/8 is all ours), as they would
have their own on the Internet: the honest phones 127.0.1.1-250 (two a address), the
attacker 127.0.0.66-68, a room behind one NAT 127.0.0.77.

1. Baseline: the honest phones alone for `--seconds`: each opened the audience page once
   (its id), then every ~5 s votes (changing its vote), upvotes or asks.
2. Attack: the same honest load for `--seconds`, plus at once:
   - 20 concurrent chunked uploads of `--upload-mb` MB to the question endpoint, at
     `--upload-mbps` MB/s each, started again at once when answered (bounded);
   - 50 stalled bodies: headers and a few bytes of a declared body, then nothing;
   - a script minting audience ids (page loads without a cookie, as fast as it goes),
     voting and upvoting one question with every id it gets;
   - one id voting and upvoting in a loop.
   A guard stops the uploads if the server's RSS grows by more than 1.5 GB (a server that
   buffers whole bodies would otherwise take the machine down): reported, never hidden.
3. A room of `--nat-phones` phones behind one address, each loading the page once within
   `--nat-window` seconds, then voting: all must get an id and vote.

Reports: server RSS before/peak/after the attack (target: peak under 300 MB over idle);
the voters and upvotes the script obtained, next to the allowance of new ids for one
address over the attack (625 + 2,500 a minute by default, whatever its request rate);
the one id's counted votes; the room's ids and votes; the honest phones' ack p99 during
the attack next to the baseline (target ratio <= 2); each process's CPU in each phase
(server, honest, attackers); the machine (cores, CPU model, load average before, between
the phases and after: other work on a shared machine skews every figure). `--quick`:
15 s phases, 200 honest phones, the room within 20 s. Every loop is bounded in count and
time. Written to bench/results/hostile.json too.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing as mp
import os
import random
import socket
import struct
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import Server, emit, percentiles, raise_fd_limit, rss_of  # noqa: E402

MB = 1024 * 1024
REQUEST_TIMEOUT = 30.0
RSS_GUARD = 1536 * MB  # growth over idle at which the uploads stop
SCRIPT = "127.0.0.66"
LOOPER = "127.0.0.67"
BODIES = "127.0.0.68"  # uploads and stalled bodies
NAT = "127.0.0.77"
PERIOD = 5.0  # seconds between two actions of one honest phone, on average


# ------------------------------------------------------------------ tiny HTTP client


#: Linux's SO_TIMESTAMPNS (= SCM_TIMESTAMPNS); Python's socket module does not name it.
SO_TIMESTAMPNS = 35
_TIMESPEC = struct.Struct("@qq")


class Conn:
    """One keep-alive HTTP/1.1 connection from a chosen local address, one request at a
    time; answers (status, lower-case headers, body). Bodies have a Content-Length (every
    answer of ours does).

    Each answer also carries when its last bytes reached this socket, by the kernel's
    clock (SO_TIMESTAMPNS), so `kernel_ms` is the server's round trip without the time
    this process then waited for a core: on a 2-core machine shared with the attacker's
    processes, that wait is the load generator's, not the server's (both are reported).
    """

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = bytearray()
        self.waiter: asyncio.Future[tuple[int, dict[str, str], bytes]] | None = None
        self.closed = False
        self.sent_ns = 0
        self.arrived_ns = 0
        self.kernel_ms = 0.0
        self._loop = asyncio.get_running_loop()

    @classmethod
    async def open(cls, port: int, local: str) -> Conn:
        loop = asyncio.get_running_loop()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
            sock.bind((local, 0))
            await loop.sock_connect(sock, ("127.0.0.1", port))
        except BaseException:
            sock.close()
            raise
        conn = cls(sock)
        loop.add_reader(sock.fileno(), conn._readable)
        return conn

    def _readable(self) -> None:
        while True:
            try:
                data, ancdata, _flags, _addr = self.sock.recvmsg(
                    65536, socket.CMSG_SPACE(_TIMESPEC.size))
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                self._lost(exc)
                return
            if not data:
                self._lost(None)
                return
            for level, kind, value in ancdata:
                if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                    sec, nsec = _TIMESPEC.unpack(value[: _TIMESPEC.size])
                    self.arrived_ns = sec * 1_000_000_000 + nsec
            self._received(data)

    def _received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0 or self.waiter is None or self.waiter.done():
            return
        lines = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers.setdefault(name.strip().lower(), value.strip())
        length = int(headers.get("content-length", "0"))
        if len(self.buffer) < end + 4 + length:
            return
        body = bytes(self.buffer[end + 4 : end + 4 + length])
        del self.buffer[: end + 4 + length]
        self.kernel_ms = (self.arrived_ns - self.sent_ns) / 1e6
        self.waiter.set_result((int(lines[0][9:12]), headers, body))

    def _lost(self, exc: Exception | None) -> None:
        self.close()
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError("the server closed the connection"))

    async def request(self, raw: bytes) -> tuple[int, dict[str, str], bytes]:
        if self.closed:
            raise ConnectionError("the server closed the connection")
        self.waiter = self._loop.create_future()
        self.sent_ns = time.time_ns()
        try:
            sent = self.sock.send(raw)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError as exc:
            self._lost(exc)
            sent = len(raw)
        if sent < len(raw):
            await self._loop.sock_sendall(self.sock, raw[sent:])
        return await asyncio.wait_for(self.waiter, REQUEST_TIMEOUT)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            with contextlib.suppress(Exception):
                self._loop.remove_reader(self.sock.fileno())
            self.sock.close()


class Client:
    """A connection that reopens itself after the server closed it."""

    def __init__(self, port: int, local: str) -> None:
        self.port, self.local = port, local
        self.conn: Conn | None = None

    async def send(self, raw: bytes) -> tuple[int, dict[str, str], bytes]:
        reused = self.conn is not None and not self.conn.closed
        if not reused:
            self.conn = await Conn.open(self.port, self.local)
        try:
            return await self.conn.request(raw)
        except ConnectionError:
            # The server closed an idle keep-alive connection as we sent: a browser sends
            # again on a new one, once.
            self.conn.close()
            self.conn = None
            if not reused:
                raise
            return await self.send(raw)
        except TimeoutError:
            self.conn.close()
            self.conn = None
            raise

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


def get(path: str, cookie: str | None = None) -> bytes:
    extra = f"Cookie: {cookie}\r\n" if cookie else ""
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}\r\n".encode()


def post(path: str, body: Any, cookie: str | None) -> bytes:
    data = json.dumps(body).encode() if body is not None else b""
    extra = f"Cookie: {cookie}\r\n" if cookie else ""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"{extra}Content-Length: {len(data)}\r\n\r\n"
    )
    return head.encode() + data


def id_of(headers: dict[str, str]) -> str | None:
    cookie = headers.get("set-cookie", "")
    return cookie.split(";")[0] if cookie.startswith("fb_aud=") else None


# ------------------------------------------------------------------ the event


class Event:
    """The session under attack: an open poll, the question the script pushes, one the
    honest phones upvote. Plain attributes, so it travels to the load generators."""

    def __init__(self, server: Server) -> None:
        import httpx

        self.url = server.url
        s = server.create_session("Hostile input")
        self.slug = s["slug"]
        self.mod = {"Authorization": f"Bearer {s['keys']['moderator']}"}
        self.api = f"/api/sessions/{self.slug}"
        base = f"{server.url}{self.api}"
        with httpx.Client(timeout=30, headers=self.mod) as http:
            r = http.post(f"{base}/polls", json={"question": "Which first?", "kind": "single",
                                                 "options": ["Health", "Climate", "Schools"]})
            self.poll = r.json()["id"]
            http.post(f"{base}/polls/{self.poll}/actions/open").raise_for_status()
            self.target, self.honest_q = (self._question(http, base, t) for t in
                                          ("Push me to the top?", "A question people like?"))

    def _question(self, http: Any, base: str, text: str) -> int:
        page = http.get(f"{self.url}/s/{self.slug}", headers={})
        cookie = f"fb_aud={page.cookies['fb_aud']}"
        http.cookies.clear()
        qid = http.post(f"{base}/questions", json={"text": text}, headers={"cookie": cookie}
                        ).json()["id"]
        http.post(f"{base}/questions/{qid}/actions/approve").raise_for_status()
        return qid

    def counts(self) -> dict[str, int]:
        import httpx

        base = f"{self.url}{self.api}"
        res = httpx.get(f"{base}/polls/{self.poll}/results", headers=self.mod, timeout=30).json()
        qs = httpx.get(f"{base}/questions", headers=self.mod, timeout=30).json()
        votes = {q["id"]: q["votes"] for q in qs}
        return {"poll_ballots": res["total"], "target_upvotes": votes.get(self.target, 0),
                "questions": len(qs)}


# ------------------------------------------------------------------ honest phones


class Honest:
    def __init__(self, ev: Event, port: int, n: int) -> None:
        self.ev, self.port, self.n = ev, port, n
        self.clients = [Client(port, f"127.0.1.{i % 250 + 1}") for i in range(n)]
        self.cookies: list[str | None] = [None] * n

    async def join(self) -> int:
        """Each phone opens the audience page once (its id) and votes; a few at a time.
        (So the ballots that appear during the attack are the attacker's.)"""
        sem = asyncio.Semaphore(32)
        ev = self.ev

        async def one(i: int) -> None:
            async with sem:
                _, headers, _ = await self.clients[i].send(get(f"/s/{ev.slug}"))
                self.cookies[i] = id_of(headers)
                vote = post(f"{ev.api}/polls/{ev.poll}/votes", {"choices": [i % 3]},
                            self.cookies[i])
                status, _, body = await self.clients[i].send(vote)
                assert status == 201, (status, body)

        await asyncio.gather(*(one(i) for i in range(self.n)))
        return sum(c is not None for c in self.cookies)

    async def run(self, seconds: float, deadline: float) -> dict[str, Any]:
        latencies: list[float] = []
        kernel: list[float] = []  # the same answers, timed to their arrival at the socket
        windows: dict[int, list[float]] = {}  # 10 s windows: is the tail a burst or steady?
        statuses: dict[str, int] = {}
        cpu = time.process_time()  # this process's own CPU: the honest phones' only
        ev = self.ev
        start = time.monotonic()

        async def phone(i: int) -> None:
            rnd = random.Random(i)
            await asyncio.sleep(rnd.uniform(0, PERIOD))
            for n in range(int(seconds / PERIOD * 3) + 2):  # bounded, and by the deadline
                if time.monotonic() >= deadline:
                    return
                roll = rnd.random()
                if roll < 0.6:
                    raw = post(f"{ev.api}/polls/{ev.poll}/votes", {"choices": [n % 3]},
                               self.cookies[i])
                elif roll < 0.85:
                    raw = post(f"{ev.api}/questions/{ev.honest_q}/upvote", None, self.cookies[i])
                else:
                    raw = post(f"{ev.api}/questions", {"text": f"Phone {i} asks {n}?"},
                               self.cookies[i])
                sent = time.perf_counter()
                try:
                    status, _, _ = await self.clients[i].send(raw)
                    key = str(status)
                except (ConnectionError, TimeoutError, OSError) as exc:
                    status, key = 0, type(exc).__name__
                statuses[key] = statuses.get(key, 0) + 1
                if status and status < 300:
                    ms = (time.perf_counter() - sent) * 1000
                    latencies.append(ms)
                    conn = self.clients[i].conn
                    if conn is not None and conn.arrived_ns:
                        kernel.append(conn.kernel_ms)
                    windows.setdefault(int((time.monotonic() - start) // 10), []).append(ms)
                await asyncio.sleep(rnd.uniform(0.5 * PERIOD, 1.5 * PERIOD))

        await asyncio.gather(*(phone(i) for i in range(self.n)))
        ok = sum(v for k, v in statuses.items() if k.isdigit() and int(k) < 300)
        return {"requests": sum(statuses.values()), "acknowledged": ok,
                "statuses": dict(sorted(statuses.items())), "ack_ms": percentiles(latencies),
                "ack_ms_at_socket": percentiles(kernel),
                "p99_ms_by_10s": [percentiles(windows[k])["p99"] for k in sorted(windows)],
                "honest_process_cpu_s": round(time.process_time() - cpu, 2)}

    def close(self) -> None:
        for c in self.clients:
            c.close()


# ------------------------------------------------------------------ the attack


async def upload(port: int, ev: Event, cookie: str, size: int, rate: float, deadline: float,
                 stop: asyncio.Event, out: dict[str, Any]) -> None:
    """Chunked bodies of `size` bytes at `rate` bytes/s, again whenever one is answered."""
    chunk = b"x" * (256 * 1024)
    frame = b"%x\r\n" % len(chunk) + chunk + b"\r\n"
    head = (f"POST {ev.api}/questions HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n"
            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n").encode()
    for _ in range(200_000):  # bounded: by count, the deadline and the RSS guard
        if time.monotonic() >= deadline or stop.is_set():
            return
        out["started"] += 1
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port,
                                                           local_addr=(BODIES, 0))
        except OSError as exc:
            out["errors"][type(exc).__name__] = out["errors"].get(type(exc).__name__, 0) + 1
            await asyncio.sleep(0.5)
            continue
        answer = asyncio.create_task(reader.readline())
        began, sent = time.monotonic(), 0
        status = "unanswered"
        try:
            writer.write(head)
            opening = b'%x\r\n{"text": "\r\n' % len(b'{"text": "')
            writer.write(opening)
            while sent < size and not answer.done():
                if time.monotonic() >= deadline or stop.is_set():
                    status = "stopped by deadline" if not stop.is_set() else "stopped by guard"
                    break
                writer.write(frame)
                sent += len(chunk)
                await writer.drain()
                wait = began + sent / rate - time.monotonic()
                if wait > 0:
                    await asyncio.wait([answer], timeout=wait)
            if not answer.done() and sent >= size:
                writer.write(b'2\r\n"}\r\n0\r\n\r\n')
                await writer.drain()
                await asyncio.wait([answer], timeout=REQUEST_TIMEOUT)
            if answer.done() and not answer.cancelled():
                if answer.exception() is None:
                    line = answer.result()
                    status = line[9:12].decode() if line else "closed"
                else:
                    status = "reset"
        except (ConnectionError, OSError):
            status = "closed"
            # Refused while it was still writing (the server stops reading a refused
            # upload and answers after its refusal delay): the answer may be in already.
            await asyncio.wait([answer], timeout=1.0)
            if answer.done() and not answer.cancelled() and answer.exception() is None:
                line = answer.result()
                status = line[9:12].decode() if line else "closed"
        finally:
            answer.cancel()
            writer.close()
        out["mb_sent"] += sent / MB
        out["answers"][status] = out["answers"].get(status, 0) + 1
        if status.isdigit():
            out["answered_after_mb"].append(round(sent / MB, 1))


async def stall(port: int, ev: Event, cookie: str, deadline: float, out: dict[str, Any]) -> None:
    """Headers, a declared 10 KB body (a length an anonymous write may have, so the body
    deadline is what must end it), ten bytes of it, then nothing until the deadline."""
    began = time.monotonic()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(BODIES, 0))
    except OSError as exc:
        out["errors"][type(exc).__name__] = out["errors"].get(type(exc).__name__, 0) + 1
        return
    out["opened"] += 1
    writer.write((f"POST {ev.api}/questions HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n"
                  "Content-Type: application/json\r\nContent-Length: 10000\r\n\r\n"
                  '{"text": "').encode())
    try:
        await writer.drain()
        left = deadline - time.monotonic()
        got = await asyncio.wait_for(reader.read(4096), max(0.1, left))
        out["closed_by_server_after_s"].append(round(time.monotonic() - began, 1))
        status = got[9:12].decode() if got.startswith(b"HTTP/") else "closed"
        out["answers"][status] = out["answers"].get(status, 0) + 1
    except TimeoutError:
        out["still_open_at_end"] += 1
    except (ConnectionError, OSError):
        out["closed_by_server_after_s"].append(round(time.monotonic() - began, 1))
    finally:
        writer.close()


async def id_script(port: int, ev: Event, deadline: float, out: dict[str, Any]) -> None:
    """Mint ids as fast as it goes (6 connections); 4 more vote and upvote with each."""
    ids: asyncio.Queue[str] = asyncio.Queue()
    minting_done = asyncio.Event()

    async def mint() -> None:
        client = Client(port, SCRIPT)
        try:
            for _ in range(1_000_000):  # bounded: by count and the deadline
                if time.monotonic() >= deadline:
                    return
                try:
                    status, headers, _ = await client.send(get(f"/s/{ev.slug}"))
                except (ConnectionError, TimeoutError, OSError):
                    out["errors"] += 1
                    continue
                out["page_loads"] += 1
                found = id_of(headers)
                if found:
                    out["ids_obtained"] += 1
                    ids.put_nowait(found)
                else:
                    out["refused"][str(status)] = out["refused"].get(str(status), 0) + 1
        finally:
            client.close()

    async def use() -> None:
        client = Client(port, SCRIPT)
        try:
            while not (minting_done.is_set() and ids.empty()):
                try:
                    cookie = await asyncio.wait_for(ids.get(), 0.2)
                except TimeoutError:
                    continue
                try:
                    s, _, _ = await client.send(
                        post(f"{ev.api}/polls/{ev.poll}/votes", {"choices": [0]}, cookie))
                    out["votes_counted"] += s == 201
                    s, _, _ = await client.send(
                        post(f"{ev.api}/questions/{ev.target}/upvote", None, cookie))
                    out["upvotes_counted"] += s == 200
                except (ConnectionError, TimeoutError, OSError):
                    out["errors"] += 1
        finally:
            client.close()

    users = [asyncio.create_task(use()) for _ in range(4)]
    began = time.monotonic()
    await asyncio.gather(*(mint() for _ in range(6)))
    out["minting_seconds"] = round(time.monotonic() - began, 1)
    minting_done.set()
    await asyncio.wait_for(asyncio.gather(*users), REQUEST_TIMEOUT * 2)


async def one_id_loop(port: int, ev: Event, deadline: float, out: dict[str, Any]) -> None:
    """One id votes and upvotes as fast as the server answers."""
    client = Client(port, LOOPER)
    try:
        _, headers, _ = await client.send(get(f"/s/{ev.slug}"))
        cookie = id_of(headers)
        for n in range(1_000_000):  # bounded: by count and the deadline
            if time.monotonic() >= deadline:
                return
            try:
                s, h, _ = await client.send(
                    post(f"{ev.api}/polls/{ev.poll}/votes", {"choices": [n % 3]}, cookie))
                out["votes"][str(s)] = out["votes"].get(str(s), 0) + 1
                if s == 429 and "retry-after" in h:
                    out["retry_after_s"].add(h["retry-after"])
                s, _, _ = await client.send(
                    post(f"{ev.api}/questions/{ev.target}/upvote", None, cookie))
                out["upvotes"][str(s)] = out["upvotes"].get(str(s), 0) + 1
            except (ConnectionError, TimeoutError, OSError):
                out["errors"] += 1
    finally:
        client.close()


# ------------------------------------------------------------------ the processes


def _stop_watch(flag: Any, stop: asyncio.Event) -> asyncio.Task[None]:
    """The main process's RSS guard (a multiprocessing Event) as an asyncio Event here."""

    async def watch() -> None:
        while not stop.is_set():
            if flag.is_set():
                stop.set()
            await asyncio.sleep(0.25)

    return asyncio.create_task(watch())


async def bodies_attack(port: int, ev: Event, args: argparse.Namespace, deadline: float,
                        flag: Any) -> dict[str, Any]:
    """20 chunked uploads and 50 stalled bodies until `deadline` (or the RSS guard)."""
    attacker = Client(port, BODIES)
    _, headers, _ = await attacker.send(get(f"/s/{ev.slug}"))
    cookie = id_of(headers) or ""
    attacker.close()
    uploads: dict[str, Any] = {"count": 20, "started": 0, "mb_sent": 0.0, "answers": {},
                               "answered_after_mb": [], "errors": {}}
    stalled: dict[str, Any] = {"count": 50, "opened": 0, "closed_by_server_after_s": [],
                               "still_open_at_end": 0, "answers": {}, "errors": {}}
    guard = asyncio.Event()
    watcher = _stop_watch(flag, guard)
    results = await asyncio.gather(
        *(upload(port, ev, cookie, args.upload_mb * MB, args.upload_mbps * MB, deadline,
                 guard, uploads) for _ in range(20)),
        *(stall(port, ev, cookie, deadline, stalled) for _ in range(50)),
        return_exceptions=True,
    )
    guard.set()
    await watcher
    uploads["mb_sent"] = round(uploads["mb_sent"], 1)
    uploads["guard_tripped"] = flag.is_set()
    after = uploads.pop("answered_after_mb")
    uploads["answered_after_mb"] = {  # thousands of answers: their spread, not each one
        "n": len(after), "min": min(after, default=None), "max": max(after, default=None)}
    return {"uploads": uploads, "stalled": stalled,
            "failures": [repr(r) for r in results if isinstance(r, BaseException)]}


async def identity_attack(port: int, ev: Event, deadline: float) -> dict[str, Any]:
    script: dict[str, Any] = {"page_loads": 0, "ids_obtained": 0, "refused": {},
                              "minting_seconds": 0.0,
                              "votes_counted": 0, "upvotes_counted": 0, "errors": 0}
    looper: dict[str, Any] = {"votes": {}, "upvotes": {}, "retry_after_s": set(), "errors": 0}
    results = await asyncio.gather(id_script(port, ev, deadline, script),
                                   one_id_loop(port, ev, deadline, looper),
                                   return_exceptions=True)
    looper["retry_after_s"] = sorted(looper["retry_after_s"])
    return {"script": script, "one_id": looper,
            "failures": [repr(r) for r in results if isinstance(r, BaseException)]}


def worker(role: str, port: int, ev: Event, args: argparse.Namespace, conn: Any,
           flag: Any) -> None:
    """A load generator process: waits for ("join") / ("run", deadline) / ("stop") and
    answers each with a dict (its result and its own CPU for that step)."""
    if role != "honest" and args.attacker_nice:
        os.nice(args.attacker_nice)
    raise_fd_limit()

    async def serve() -> None:
        loop = asyncio.get_running_loop()
        honest = Honest(ev, port, args.phones) if role == "honest" else None
        while True:
            command = await loop.run_in_executor(None, conn.recv)
            if command[0] == "stop":
                if honest is not None:
                    honest.close()
                return
            cpu = time.process_time()
            try:
                if command[0] == "join":
                    assert honest is not None
                    out: dict[str, Any] = {"joined": await honest.join()}
                elif role == "honest":
                    assert honest is not None
                    out = await honest.run(args.seconds, command[1])
                elif role == "bodies":
                    out = await bodies_attack(port, ev, args, command[1], flag)
                else:
                    out = await identity_attack(port, ev, command[1])
            except Exception as exc:  # reported in the JSON, never hidden
                out = {"error": repr(exc)}
            out["process_cpu_s"] = round(time.process_time() - cpu, 2)
            conn.send(out)

    asyncio.run(serve())


class Generators:
    """The three load generator processes (spawned: nothing of this process is shared)."""

    ROLES = ("honest", "bodies", "identity")

    def __init__(self, port: int, ev: Event, args: argparse.Namespace) -> None:
        ctx = mp.get_context("spawn")
        self.flag = ctx.Event()  # the RSS guard, set by this process's watcher
        self.pipes: dict[str, Any] = {}
        self.procs: dict[str, Any] = {}
        for role in self.ROLES:
            here, there = ctx.Pipe()
            proc = ctx.Process(target=worker, args=(role, port, ev, args, there, self.flag),
                               name=f"hostile-{role}", daemon=True)
            proc.start()
            self.pipes[role], self.procs[role] = here, proc

    def layout(self) -> dict[str, Any]:
        """Each process's niceness and CPU affinity: the same in both phases."""
        out = {}
        for role, proc in self.procs.items():
            out[role] = {"nice": os.getpriority(os.PRIO_PROCESS, proc.pid),
                         "cpus": sorted(os.sched_getaffinity(proc.pid))}
        return out

    def ask(self, roles: tuple[str, ...], command: tuple, watch: Any = None) -> dict[str, Any]:
        for role in roles:
            self.pipes[role].send(command)
        answers: dict[str, Any] = {}
        while len(answers) < len(roles):
            for role in roles:
                if role not in answers and self.pipes[role].poll(0.05):
                    answers[role] = self.pipes[role].recv()
            if watch is not None:
                watch()
        return answers

    def stop(self) -> None:
        for role, pipe in self.pipes.items():
            with contextlib.suppress(OSError):
                pipe.send(("stop",))
            self.procs[role].join(10)
            if self.procs[role].is_alive():
                self.procs[role].terminate()


def cpu_of(pid: int) -> tuple[float, float]:
    """A process's (user, system) CPU seconds so far, all its threads (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


class RssWatch:
    """Samples the server's RSS every 0.25 s (called from the main loop) and trips the
    guard past RSS_GUARD over idle."""

    def __init__(self, pid: int, idle: int, flag: Any) -> None:
        self.pid, self.idle, self.flag = pid, idle, flag
        self.samples: list[int] = []
        self.next = 0.0

    def __call__(self) -> None:
        now = time.monotonic()
        if now < self.next:
            return
        self.next = now + 0.25
        rss = rss_of(self.pid)
        self.samples.append(rss)
        if rss - self.idle > RSS_GUARD:
            self.flag.set()


async def nat_room(port: int, ev: Event, phones: int, window: float) -> dict[str, Any]:
    """`phones` new phones behind one address, arriving evenly over `window` seconds, each
    loading the page once and voting with the id it got."""
    pool: asyncio.Queue[Client] = asyncio.Queue()
    for _ in range(64):
        pool.put_nowait(Client(port, NAT))
    out = {"phones": phones, "window_s": window, "got_id": 0, "voted": 0, "page_statuses": {},
           "vote_statuses": {}}
    start = time.monotonic()

    async def phone(i: int) -> None:
        await asyncio.sleep(max(0.0, start + i * window / phones - time.monotonic()))
        client = await pool.get()
        try:
            s, headers, _ = await client.send(get(f"/s/{ev.slug}"))
            out["page_statuses"][str(s)] = out["page_statuses"].get(str(s), 0) + 1
            cookie = id_of(headers)
            if cookie is None:
                return
            out["got_id"] += 1
            s, _, _ = await client.send(
                post(f"{ev.api}/polls/{ev.poll}/votes", {"choices": [i % 3]}, cookie))
            out["vote_statuses"][str(s)] = out["vote_statuses"].get(str(s), 0) + 1
            out["voted"] += s == 201
        except (ConnectionError, TimeoutError, OSError) as exc:
            key = type(exc).__name__
            out["page_statuses"][key] = out["page_statuses"].get(key, 0) + 1
        finally:
            pool.put_nowait(client)

    await asyncio.wait_for(asyncio.gather(*(phone(i) for i in range(phones))),
                           window + REQUEST_TIMEOUT * 4)
    out["seconds"] = round(time.monotonic() - start, 1)
    out["all_voted"] = out["voted"] == phones
    while not pool.empty():
        pool.get_nowait().close()
    return out


# ------------------------------------------------------------------ main


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def mb(n: int) -> float:
    return round(n / MB, 1)


def phase(gen: Generators, server: Server, roles: tuple[str, ...], seconds: float,
          watch: RssWatch | None = None) -> tuple[dict[str, Any], dict[str, float], float]:
    """Run one phase in `roles`' processes at once; (answers, server CPU s, wall s)."""
    (user, system), began = cpu_of(server.proc.pid), time.monotonic()
    deadline = began + 0.5 + seconds  # the same clock in every process (CLOCK_MONOTONIC)
    answers = gen.ask(roles, ("run", deadline), watch)
    user2, system2 = cpu_of(server.proc.pid)
    cpu = {"user": round(user2 - user, 2), "system": round(system2 - system, 2)}
    return answers, cpu, time.monotonic() - began


def main(args: argparse.Namespace) -> dict[str, Any]:
    raise_fd_limit()
    load_before = os.getloadavg()
    server = Server().start()  # the default limits: what is deployed is what is measured
    gen: Generators | None = None
    try:
        ev = Event(server)
        gen = Generators(server.port, ev, args)
        layout = gen.layout()
        joined = gen.ask(("honest",), ("join",))["honest"]
        time.sleep(1)
        idle = rss_of(server.proc.pid)
        base, base_server_cpu, _ = phase(gen, server, ("honest",), args.seconds)
        load_between = os.getloadavg()
        before_attack = ev.counts()
        watch = RssWatch(server.proc.pid, idle, gen.flag)
        rss_before = rss_of(server.proc.pid)
        print(f"attack phase: server pid {server.proc.pid} (py-spy it here)", file=sys.stderr,
              flush=True)
        roles = tuple(r for r in Generators.ROLES if r != "bodies" or "bodies" not in args.skip)
        hit, hit_server_cpu, elapsed = phase(gen, server, roles, args.seconds, watch)
        end = time.monotonic() + 2  # let the server settle before "after"
        while time.monotonic() < end:
            watch()
            time.sleep(0.05)
        rss_after = rss_of(server.proc.pid)
        after_attack = ev.counts()
        gen.stop()
        gen = None
        room = asyncio.run(nat_room(server.port, ev, args.nat_phones, args.nat_window))
    finally:
        if gen is not None:
            gen.stop()
        server.stop()
    load_after = os.getloadavg()
    for role in Generators.ROLES:
        if "error" in hit.get(role, {}) or "error" in base.get(role, {}):
            raise RuntimeError(f"the {role} process failed: {hit.get(role)} {base.get(role)}")
    baseline, attacked = base["honest"], hit["honest"]
    identity = hit["identity"]
    bodies = hit.get("bodies") or {  # skipped
        "uploads": {"count": 0, "guard_tripped": False}, "process_cpu_s": 0.0, "failures": [],
        "stalled": {"count": 0, "closed_by_server_after_s": []}}
    rss_peak = max(watch.samples or [0])

    per_min = 2500.0  # FLOORBRIDGE_AUDIENCE_IDS_PER_IP_MINUTE's default, a quarter at once
    script = identity["script"]
    allowance = int(per_min / 4 + per_min * script["minting_seconds"] / 60)
    ratio = socket_ratio = None
    b99, a99 = baseline["ack_ms"]["p99"], attacked["ack_ms"]["p99"]
    if b99 and a99:
        ratio = round(a99 / b99, 2)
    k99, ka99 = baseline["ack_ms_at_socket"]["p99"], attacked["ack_ms_at_socket"]["p99"]
    if k99 and ka99:
        socket_ratio = round(ka99 / k99, 2)
    new_ballots = after_attack["poll_ballots"] - before_attack["poll_ballots"]
    one_id = identity["one_id"]
    looper_votes = one_id["votes"].get("201", 0)
    return {
        "seconds": args.seconds,
        "attack_wall_s": round(elapsed, 1),
        "skipped": args.skip or None,
        "machine_detail": {
            "cores": os.cpu_count(),
            "cpu_model": cpu_model(),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after_baseline": [round(x, 2) for x in load_between],
            "load_average_after": [round(x, 2) for x in load_after],
        },
        "load_generators": {
            "processes": layout,  # nice and CPU set, the same for the baseline and the attack
            "note": "honest phones, body attacks and identity attacks each in a process of "
            "their own; the server in another",
            "cpu_s": {
                "server": {"baseline": base_server_cpu, "attack": hit_server_cpu},
                "honest": {"baseline": baseline["process_cpu_s"],
                           "attack": attacked["process_cpu_s"]},
                "attack_bodies": bodies["process_cpu_s"],
                "attack_identity": identity["process_cpu_s"],
            },
        },
        "server_rss_mb": {
            "idle": mb(idle),
            "before_attack": mb(rss_before),
            "peak": mb(rss_peak),
            "after_attack": mb(rss_after),
            "peak_over_idle": mb(rss_peak - idle),
            "target_peak_over_idle": 300,
            "met": rss_peak - idle < 300 * MB and not bodies["uploads"]["guard_tripped"],
        },
        "uploads": bodies["uploads"],
        "stalled_bodies": {**bodies["stalled"], "closed_by_server": len(
            bodies["stalled"]["closed_by_server_after_s"])},
        "id_script": {
            **script,
            "page_loads_per_s": round(script["page_loads"] / max(script["minting_seconds"], 0.1),
                                      1),
            "throttle_engaged": bool(script["refused"]),  # the script outran the allowance
            "effective_voters": script["votes_counted"],
            "effective_upvotes": script["upvotes_counted"],
            "allowance_new_ids_one_address": allowance,
            "within_allowance": script["ids_obtained"] <= allowance
            and script["votes_counted"] <= allowance and script["upvotes_counted"] <= allowance,
        },
        "one_id_loop": {
            **one_id,
            "effective_voters": 1 if looper_votes else 0,  # its ballot, replaced each time
            "refused_429": one_id["votes"].get("429", 0) + one_id["upvotes"].get("429", 0),
        },
        "server_counts": {
            "before_attack": before_attack,
            "after_attack": after_attack,
            # Each id holds one ballot: new ballots = the script's voters (+ the loop's id).
            "new_ballots_during_attack": new_ballots,
            "new_ballots_explained": new_ballots <= script["votes_counted"] + (looper_votes > 0),
            "target_upvotes_explained": after_attack["target_upvotes"]
            <= script["upvotes_counted"] + 1,
        },
        "honest": {
            "phones": args.phones,
            "joined_with_an_id": joined["joined"],
            "baseline": baseline,
            "attack": attacked,
            "p99_ratio_attack_over_baseline": ratio,
            # The same answers timed to their arrival at the phone's socket (kernel clock):
            # without the load generator's own wait for a core once it had arrived.
            "p99_ratio_at_socket": socket_ratio,
            "target_ratio": 2,
            "met": ratio is not None and ratio <= 2,
        },
        "nat_room": room,
        "hostile_task_failures": bodies["failures"] + identity["failures"],
        "notes": "a figure marked met: false is not met on this run; uploads to the "
        "question endpoint are refused at the headers (411, chunked on an anonymous write; "
        "app/limits_net.py), stalled bodies by the body deadline",
    }


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, default=60.0, help="each phase (baseline, attack)")
    p.add_argument("--phones", type=int, default=500)
    p.add_argument("--nat-phones", type=int, default=2000)
    p.add_argument("--nat-window", type=float, default=60.0)
    p.add_argument("--upload-mb", type=int, default=200)
    p.add_argument("--upload-mbps", type=float, default=10.0, help="per upload")
    p.add_argument("--attacker-nice", type=int, default=0,
                   help="niceness added to the two attacker processes (both phases)")
    p.add_argument("--skip", default="", help="'bodies': no uploads nor stalled bodies (to "
                   "see the identity figures alone)")
    p.add_argument("--quick", action="store_true", help="15 s phases, 200 phones, room in 20 s")
    args = p.parse_args(argv)
    if args.quick:
        args.seconds, args.phones, args.nat_window = 15.0, 200, 20.0
    return args


if __name__ == "__main__":
    emit("hostile", main(parse()))
