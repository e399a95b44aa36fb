"""Who is calling: the admin token, a role key (link, cookie or bearer), or the audience.

Role keys are stored only as hashes. A role link's key is exchanged once for an HttpOnly
cookie signed with itsdangerous (a well-kept, tiny signing library) that names the key by
its random public id (never a row id: SQLite reissues those after a rotation). Rotating
keys deletes the rows, so old cookies stop working at once, on every worker.
"""

from __future__ import annotations

import base64
import hmac
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass

from itsdangerous import BadSignature, Serializer, URLSafeSerializer
from itsdangerous.encoding import base64_encode
from starlette.requests import HTTPConnection

from app.db import Store
from app.models import LiveSession, Role, require_id
from app.sessions.service import key_exists, role_for_key

AUDIENCE_COOKIE = "fb_aud"
AUDIENCE_COOKIE_AGE = 60 * 60 * 24 * 30
#: Verified audience cookies kept per Signer (LRU): a phone sends the same one every time.
MAX_VERIFIED = 100_000


def role_cookie_name(slug: str, role: str) -> str:
    """One cookie per role, so one browser can hold the console and the stage side by side."""
    return f"fb_{role}_{slug}"


#: When several role cookies are valid and the caller does not say which, the widest wins.
PRECEDENCE = (Role.moderator, Role.rapporteur, Role.stage, Role.screen)


@dataclass(frozen=True, slots=True)
class Principal:
    role: str
    #: The public id of the role key this caller authenticated with (None: audience).
    key_id: str | None = None
    #: True when a key was offered and it is wrong: the caller should hear 401, not be demoted.
    bad_key: bool = False
    #: True when a role cookie was signed by us but its key was rotated away: "ask for the
    #: new link" rather than a silent demotion to the audience.
    replaced: bool = False


class _Uncompressed(URLSafeSerializer):
    """`URLSafeSerializer` that never tries zlib: its `dumps` compresses every payload to
    see whether it shrinks (a short id never does, so the output is the same), and zlib
    releases the GIL, on the event loop, at each page load that issues an id. Under an
    id-minting script the writer thread took the GIL there and the loop stalled 10-40 ms
    (a sampling probe under bench.hostile). Reading is unchanged: a compressed value
    still loads."""

    def dump_payload(self, obj: object) -> bytes:
        return base64_encode(Serializer.dump_payload(self, obj))


class _RandomIds:
    """URL-safe random ids cut from one `os.urandom` call per 256: every getrandom(2) on
    the event loop released the GIL to whichever thread wanted it (same probe, the
    largest stall left after the zlib one). The buffer is dropped in a forked child
    (`serve --workers N`): two processes never hand out the same bytes."""

    BATCH = 256

    def __init__(self, nbytes: int) -> None:
        self.nbytes = nbytes
        self._buf = b""
        self._pid = 0
        self._lock = threading.Lock()

    def next(self) -> str:
        with self._lock:
            if self._pid != os.getpid() or len(self._buf) < self.nbytes:
                self._buf, self._pid = os.urandom(self.nbytes * self.BATCH), os.getpid()
            raw, self._buf = self._buf[: self.nbytes], self._buf[self.nbytes :]
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


class Signer:
    def __init__(self, secret: str) -> None:
        self._roles = URLSafeSerializer(secret, salt="fb-role")
        self._audience = _Uncompressed(secret, salt="fb-audience")
        self._ids = _RandomIds(12)  # 16 characters, as secrets.token_urlsafe(12)
        self._verified: OrderedDict[str, str] = OrderedDict()

    def role_cookie(self, slug: str, role: str, key_id: str) -> str:
        return self._roles.dumps([slug, role, key_id])

    def read_role_cookie(self, slug: str, value: str) -> tuple[str, str] | None:
        """(role, key public id); None when forged, for another session, or of the old
        format that named a row id (those ids are reused, so such cookies are refused)."""
        try:
            c_slug, role, key_id = self._roles.loads(value)
        except (BadSignature, ValueError, TypeError):
            return None
        if c_slug != slug or role not in Role.__members__ or not isinstance(key_id, str):
            return None
        return role, key_id

    def new_audience_id(self) -> tuple[str, str]:
        """A fresh anonymous id and its signed cookie value; only the audience page asks
        for one (app.pages, throttled per address): API calls never mint ids."""
        aid = self._ids.next()
        return aid, self._audience.dumps(aid)

    def read_audience(self, value: str | None) -> str | None:
        """The id in a signed audience cookie, or None. Each cookie value is verified once:
        a hit means this secret signed exactly this value before; forgeries are not kept."""
        if not value:
            return None
        aid = self._verified.get(value)
        if aid is not None:
            self._verified.move_to_end(value)
            return aid
        try:
            aid = self._audience.loads(value)
        except BadSignature:
            return None
        if not (isinstance(aid, str) and 8 <= len(aid) <= 64):
            return None
        if len(self._verified) >= MAX_VERIFIED:
            self._verified.popitem(last=False)  # least recently used
        self._verified[value] = aid
        return aid


def check_admin(conn: HTTPConnection, admin_token: str) -> bool:
    given = bearer(conn)
    return given is not None and hmac.compare_digest(given.encode(), admin_token.encode())


def bearer(conn: HTTPConnection) -> str | None:
    header = conn.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


async def resolve(
    conn: HTTPConnection,
    store: Store,
    signer: Signer,
    session: LiveSession,
    *,
    allow_query: bool = False,
    want: str | None = None,
) -> Principal:
    """Bearer key, then `?key=` (sockets and role links), then the role cookies; else audience.

    `want` is the view a page asks for (`?as=stage` on its socket): granted when the caller
    holds that role or the moderator's, so the audience page in the moderator's browser
    still shows the audience view.
    """
    key = bearer(conn) or (conn.query_params.get("key") if allow_query else None)
    if key:
        found = await store.read(lambda db: role_for_key(db, require_id(session), key))
        if found is None:
            return Principal(Role.audience.value, bad_key=True)
        return Principal(found[0], found[1])
    if want == Role.audience:
        return Principal(Role.audience.value)
    held: dict[str, str] = {}
    for role in PRECEDENCE:
        value = conn.cookies.get(role_cookie_name(session.slug, role))
        parsed = signer.read_role_cookie(session.slug, value) if value else None
        if parsed is not None and parsed[0] == role:
            held[role] = parsed[1]
    if held:
        valid = await store.read(
            lambda db: {r: k for r, k in held.items() if key_exists(db, k, require_id(session), r)}
        )
        if want in valid:
            return Principal(want, valid[want])
        if want is not None and want in Role.__members__ and Role.moderator in valid:
            return Principal(want, valid[Role.moderator])
        for role in PRECEDENCE:
            if role in valid:
                return Principal(role.value, valid[role])
        return Principal(Role.audience.value, replaced=True)
    return Principal(Role.audience.value)
