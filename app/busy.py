"""Which moments the server is answering a request: a counter and the ASGI layer that keeps it.

Why: work that may wait (the triage assistant's model, in a process of its own) slows an
acknowledgement even on an idle core: measured at 20 webhooks/s, ack p99 on/off 1.26 with
the model computing beside the server, 1.02 with it only sleeping as long. So such work
holds back while a request is being answered. A request counts from its start to the end
of its handler, except while the handler waits on the client for its body (a stalled
upload is not work). Gates (`hold`/`release`, called on the event loop) are told when the
count leaves and comes back to zero; a gate decides what to pause.
"""

from __future__ import annotations

from typing import Protocol

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class Gate(Protocol):
    def hold(self) -> None:
        """The server started answering (the count left zero)."""

    def release(self) -> None:
        """Nothing is being answered any more (the count is back at zero)."""


class Busy:
    """The count of requests being answered, and the gates told when it leaves zero."""

    def __init__(self) -> None:
        self.count = 0
        self.gates: list[Gate] = []

    def add(self, gate: Gate) -> None:
        self.gates.append(gate)

    def remove(self, gate: Gate) -> None:
        if gate in self.gates:
            self.gates.remove(gate)

    def enter(self) -> None:
        self.count += 1
        if self.count == 1:
            for gate in self.gates:
                gate.hold()

    def leave(self) -> None:
        self.count -= 1
        if self.count == 0:
            for gate in self.gates:
                gate.release()


class BusyWhileAnswering:
    """Pure ASGI, outermost: HTTP requests enter `busy` for as long as their handler runs."""

    def __init__(self, app: ASGIApp, busy: Busy) -> None:
        self.app = app
        self.busy = busy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        busy = self.busy
        if scope["type"] != "http" or not busy.gates:
            await self.app(scope, receive, send)
            return

        async def client_paced(  # waiting for the client's bytes is not work
        ) -> Message:
            busy.leave()
            try:
                return await receive()
            finally:
                busy.enter()

        busy.enter()
        try:
            await self.app(scope, client_paced, send)
        finally:
            busy.leave()
