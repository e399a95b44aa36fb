"""Which base URL links and QR codes use: never a Host header nobody vouched for.

Why: the `Host` header is the client's word. Built into links it let anyone put their own
address into the room's QR code (cached 300 s), `audience_url` and new sessions' links.
Links come from `FLOORBRIDGE_PUBLIC_URL`; else from the request's Host when the organiser
listed it in `FLOORBRIDGE_ALLOWED_HOSTS`; else from the address the request reached
(the socket's own: on a LAN that is the address the phone used), which no header changes.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Mapping
from typing import Any

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


#: What a Host header may look like to be used at all: a DNS name or IPv4, or [IPv6],
#: and an optional port (no '/', '@', '?' or spaces to smuggle a path into a link).
#: Unambiguous (each repetition starts with a dot), so a hostile 64 KiB header cannot make
#: it backtrack.
HOST_RE = re.compile(r"(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*\.?|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?")


def host_allowed(host: str, allowed: list[str]) -> bool:
    """`host` (a Host header: name[:port]) matches an entry: `name`, `name:port`, `*.domain`."""
    host = host.lower()
    if len(host) > 260 or not HOST_RE.fullmatch(host):
        return False
    name, _port = split_host(host)
    if not name:
        return False
    for entry in allowed:
        if entry in (host, name):
            return True
        if entry.startswith("*.") and name.endswith(entry[1:]) and len(name) >= len(entry):
            return True
    return False


def split_host(host: str) -> tuple[str, str | None]:
    if host.startswith("["):  # [v6]:port
        name, _, rest = host[1:].partition("]")
        return name, rest[1:] if rest.startswith(":") else None
    name, sep, port = host.rpartition(":")
    if not sep or not port.isdigit():
        return host, None
    return name, port


def netloc(address: tuple[str, int] | None) -> str:
    """`host:port` of a socket address (IPv6 in brackets); loopback when unknown."""
    if not address:
        return "127.0.0.1"
    host, port = address[0], address[1]
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{port}" if port else host


def base_url(settings: Any, scope: Mapping[str, Any], host_header: str | None) -> str:
    if settings.public_url:
        return settings.public_url.rstrip("/")
    scheme = {"ws": "http", "wss": "https"}.get(scope.get("scheme", "http"), scope.get("scheme"))
    if host_header and host_allowed(host_header, settings.allowed_host_list()):
        return f"{scheme}://{host_header.lower()}"
    return f"{scheme}://{netloc(scope.get('server'))}"


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def exposure_warning(host: str, settings: Any) -> str | None:
    """What `serve` prints at start when reachable beyond this machine with no public URL."""
    if is_loopback(host) or settings.public_url or settings.allowed_hosts:
        return None
    return (
        f"WARNING: serving on {host} with neither FLOORBRIDGE_PUBLIC_URL nor "
        "FLOORBRIDGE_ALLOWED_HOSTS set: links and QR codes will use the address each "
        "request reached (the Host header is ignored). Behind a proxy or under a domain "
        "name, set FLOORBRIDGE_PUBLIC_URL=https://your.host so phones get the right address."
    )


def lan_address() -> str:
    """This machine's address on its LAN: the local end of a UDP socket 'connected' to a
    private address (connect on UDP only picks a route; nothing is sent). Loopback when
    there is no network."""
    for probe in ("10.255.255.255", "192.168.255.255", "172.31.255.255"):
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.connect((probe, 9))
                address = s.getsockname()[0]
        except OSError:
            continue
        if address and not address.startswith(("127.", "0.")):
            return address
    return "127.0.0.1"


def demo_base_url(host: str, port: int) -> str:
    """Links the demo prints: ones a phone on the same network can open when bound to all
    interfaces (the LAN address), else the address it is bound to."""
    if host in ("0.0.0.0", "::", ""):
        host = lan_address()
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"
