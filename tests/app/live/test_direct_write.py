"""Pre-framed fan-out writes: same bytes as a normal send, and never out of order.

The hub writes one serialised frame straight to each idle socket and falls back to the
socket's queue (and the ordinary ASGI send) when the socket is busy or its buffer is full.
A phone must still see every event once and in order, whichever path each one took.
"""

from __future__ import annotations

import asyncio
import json
import random

import httpx
from websockets.frames import Frame, Opcode
from websockets.streams import StreamReader

from app.live.direct_write import text_frame
from app.live.frames import encode
from app.live.outbox import Client
from tests.servers import audience_header


def _parse_frames(data: bytes) -> list[str]:
    """Read frames back with the websockets library's own parser."""
    reader = StreamReader()
    reader.feed_data(data)
    out = []
    while reader.buffer:
        parser = Frame.parse(reader.read_exact, mask=False)
        try:
            next(parser)
        except StopIteration as done:
            out.append(done.value.data.decode())
        else:
            raise AssertionError("incomplete frame")
    return out


def test_a_text_frame_reads_back_as_the_same_text_at_every_length_class():
    texts = ["", "é", "x" * 125, "y" * 126, "z" * 65_535, "w" * 65_536 + "ü"]
    data = b"".join(text_frame(t) for t in texts)
    assert _parse_frames(data) == texts
    assert text_frame("hi")[0] == 0x80 | Opcode.TEXT.value  # FIN set, unmasked text


async def test_frames_leave_in_order_when_direct_writes_and_the_queue_interleave():
    """The socket's buffer fills and drains at random; every frame arrives once, in order."""
    rng = random.Random(7)
    wire: list[str] = []  # what the phone receives, in the order it was written
    writable = True

    def direct(frame: bytes) -> bool:
        if not writable:
            return False
        wire.extend(_parse_frames(frame))
        return True

    async def send(text: str) -> None:
        await asyncio.sleep(0)  # the ASGI path yields, as a real send does
        wire.append(text)

    async def close(code: int, reason: str) -> None:
        return None

    client = Client("audience", send, close, buffer=10_000, direct=direct)
    client.start([], 0)
    await asyncio.sleep(0)
    direct_used = 0
    for seq in range(1, 2001):
        writable = rng.random() > 0.3
        before = len(wire)
        assert client.offer(seq, encode({"seq": seq}))
        direct_used += len(wire) > before
        for _ in range(rng.choice((0, 0, 1, 4))):
            await asyncio.sleep(0)  # let the pump run now and then
    for _ in range(20_000):
        if len(wire) == 2001:  # the 2,000 events and the "synced" frame
            break
        await asyncio.sleep(0)
    seqs = [json.loads(f)["seq"] for f in wire if '"synced"' not in f]
    assert seqs == list(range(1, 2001))
    assert direct_used > 100  # the fast path was taken, not only the queue
    await client.shut(1000, "bye")


async def test_a_burst_reaches_a_live_socket_complete_and_in_order(make_server):
    """Through the real server (which offers direct writes) a burst of 300 questions (from
    one address, past its limit: that limit is tested in
    tests/app/audience_limits/test_audience_identity.py)."""
    from websockets.asyncio.client import connect

    server = make_server(questions_per_ip_minute=0)
    session = server.create_session("Burst")
    mkey = session["keys"]["moderator"]
    url = f"{server.ws_url}/s/{session['slug']}/live?key={mkey}"
    # 300 phones that opened the audience page (before the socket: these calls block).
    phones = [audience_header(server.url, session["slug"]) for _ in range(300)]
    async with connect(url, compression=None) as ws:
        await ws.send(json.dumps({"type": "resume", "after": None}))
        got: list[dict] = []

        async def read() -> None:
            async for raw in ws:
                got.append(json.loads(raw))

        reader = asyncio.create_task(read())
        api = f"{server.url}/api/sessions/{session['slug']}/questions"
        async with httpx.AsyncClient() as c:
            for start in range(0, 300, 50):
                rs = await asyncio.gather(
                    *(
                        c.post(api, json={"text": f"question {n}"}, headers=phones[n])
                        for n in range(start, start + 50)
                    )
                )
                assert all(r.status_code == 201 for r in rs)
        for _ in range(200):
            if sum(f.get("type") == "question.created" for f in got) == 300:
                break
            await asyncio.sleep(0.05)
        reader.cancel()
    seqs = [f["seq"] for f in got if f.get("type") not in ("synced", "snapshot")]
    assert sum(f.get("type") == "question.created" for f in got) == 300
    assert seqs == sorted(seqs) and len(seqs) == len(set(seqs))
    hubs = server._server.config.app.state.fb.hubs
    assert hubs.stats.direct_frames > 0  # the server took the pre-framed path


async def test_events_committed_together_reach_an_idle_phone_in_one_write():
    """A push commits two events (reorder, then the item on stage): one write, both frames."""
    from app.db import CommittedEvent
    from app.live.bus import MemoryBus
    from app.live.hub import SessionHub

    bus = MemoryBus()
    hub = SessionHub(1, store=None, bus=bus)  # type: ignore[arg-type]
    writes: list[list[str]] = []

    def direct(frame: bytes) -> bool:
        writes.append(_parse_frames(frame))
        return True

    async def send(text: str) -> None:
        writes.append([text])

    async def close(code: int, reason: str) -> None:
        return None

    phones = [Client("audience", send, close, 64, direct=direct) for _ in range(3)]
    for phone in phones:
        hub.add(phone)
        phone.start([], 0)
    hub._task = asyncio.create_task(hub._run())
    hub._crowd_task = asyncio.create_task(hub._run_crowd())
    await asyncio.sleep(0.01)
    writes.clear()  # the "synced" frames
    question = {
        "id": 5,
        "text": "Who pays for the commons?",
        "state": "on_stage",
        "channel": "room",
        "votes": 0,
        "position": None,
        "created_at": "2026-11-23T17:00:00Z",
        "simulated": False,
    }
    bus.publish(
        [
            CommittedEvent(1, 1, "queue.reordered", {"order": [5]}),
            CommittedEvent(1, 2, "question.updated", {"question": question}),
        ]
    )
    for _ in range(100):
        if len(writes) >= 3:
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)
    assert len(writes) == 3  # one write per phone
    for frames in writes:
        assert [json.loads(f)["seq"] for f in frames] == [1, 2]
    assert all(p.last_sent == 2 for p in phones)
    await hub.stop()
