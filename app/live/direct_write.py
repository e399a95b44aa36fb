"""Pre-framed writes to a live socket's transport, below the ASGI send path.

Why: one pushed item goes to 10,000 phones. Through ASGI each copy is a coroutine chain
per socket (Starlette's `send_text`, uvicorn's `send`, a frame serialised per socket); most
of the fan-out time went there. The frame is the same bytes for every socket of a role, so
the hub serialises it once (`text_frame`) and writes it straight to each transport.

`WebSocketProtocol` is uvicorn's own websockets (sans-I/O) protocol with one addition: the
ASGI scope of an accepted socket carries `scope["extensions"][EXTENSION]["write"]`, a
function that writes a whole frame and answers False (writing nothing) when the socket is
not open or its buffer is above the high-water mark. The caller then falls back to the
ordinary ASGI send, which waits for the socket to drain, so order and back-pressure stay
intact. Under any other server the extension is absent and everything goes through ASGI.

The write buffer's high-water mark is lowered so a stalled phone costs little memory here:
past it, frames wait in the hub's bounded per-socket queue (shared strings), and a socket
whose queue fills is closed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import Frame, Opcode

EXTENSION = "floorbridge.direct_write"
WRITE_BUFFER_HIGH = 16 * 1024

DirectWrite = Callable[[bytes], bool]


def text_frame(text: str) -> bytes:
    """One unmasked, unfragmented text frame, as a server sends it (RFC 6455 §5.2)."""
    return Frame(Opcode.TEXT, text.encode()).serialize(mask=False)


def direct_writer(scope: Mapping[str, Any]) -> DirectWrite | None:
    ext = (scope.get("extensions") or {}).get(EXTENSION)
    return ext.get("write") if ext else None


class WebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's protocol, plus `EXTENSION` in the scope of every upgraded socket."""

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        transport.set_write_buffer_limits(high=WRITE_BUFFER_HIGH)

    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        scope = getattr(self, "scope", None)
        if scope is not None and not self.close_sent:
            scope["extensions"][EXTENSION] = {"write": self.write_frame}

    def write_frame(self, frame: bytes) -> bool:
        if (
            not self.handshake_complete
            or self.close_sent
            or self.disconnected
            or not self.writable.is_set()
            or self.transport.is_closing()
        ):
            return False
        self.transport.write(frame)
        return True
