"""What one audience member, and one address, may do a minute: new ids, votes, upvotes
and questions (settings in app.config, rationale in docs/limits.md).

An id costs something: the audience page issues it (per address, at a rate a room of
phones behind one NAT never reaches but a script does), never a refused API call. Every
audience write then counts against its id and its address. A refusal is a 429 with a
plain sentence and Retry-After, answered `refusal_delay` seconds late.

Why late: a script's loop retries the moment it is refused, so refusing fast only makes
it ask faster (one id voting in a loop drew ~300 refusals a second, and a minting script
500 page loads a second, which together saturated the event loop and multiplied honest
phones' p99 by 11). Held for a second, a refusal costs a timer, and a closed loop gets one
try per connection per second; connections per address are capped at the edge. An honest
phone that was refused waits out Retry-After anyway.
"""

from __future__ import annotations

import asyncio
import math
from typing import TYPE_CHECKING, Any

from app.errors import DomainError
from app.throttle import LocalBuckets, RedisBuckets, Rule, address_key, make_buckets

if TYPE_CHECKING:
    from app.deps import AppState


class TooMany(DomainError):
    status = 429

    def __init__(self, detail: str, retry_after: float) -> None:
        super().__init__(detail)
        self.retry_after = max(1, math.ceil(retry_after))
        self.headers = {"Retry-After": str(self.retry_after)}


def per_id(name: str, per_minute: float) -> Rule:
    """One person: short bursts (a sixth of the minute's allowance, at least 3)."""
    return Rule(name, per_minute, max(3.0, per_minute / 6))


def per_address(name: str, per_minute: float) -> Rule:
    """One address, maybe a whole room on one Wi-Fi: a third of the minute at once."""
    return Rule(name, per_minute, max(10.0, per_minute / 3))


class AudienceLimits:
    def __init__(self, settings: Any, buckets: LocalBuckets | RedisBuckets) -> None:
        s = settings
        self.buckets = buckets
        self.delay: float = s.refusal_delay
        self.local = buckets if isinstance(buckets, LocalBuckets) else None
        # A quarter of the minute at once, the rest as it refills: a room scanning the QR
        # code joins over tens of seconds (a refused phone reloads itself a few seconds
        # later), while a script's burst of ids is what spikes everyone else's latency.
        ids = s.audience_ids_per_ip_minute
        self.new_ids = Rule("ids-ip", ids, ids / 4)
        self.vote = (per_id("vote-id", s.poll_votes_per_voter_minute),
                     per_address("vote-ip", s.poll_votes_per_ip_minute))
        self.upvote = (per_id("upvote-id", s.upvotes_per_audience_minute),
                       per_address("upvote-ip", s.upvotes_per_ip_minute))
        self.question = (per_id("ask-id", s.questions_per_audience_minute),
                         per_address("ask-ip", s.questions_per_ip_minute))

    async def new_id(self, ip: str | None) -> float:
        """0.0 when this address may get a new audience id now, else seconds to wait."""
        if not ip:
            return 0.0  # no address to count by (see `_check`)
        wait = await self.buckets.take([(self.new_ids, address_key(ip))])
        if wait and self.delay:
            await asyncio.sleep(self.delay)
        return wait

    async def votes(self, aid: str, ip: str | None) -> None:
        await self._check(self.vote, aid, ip, "votes")

    async def upvotes(self, aid: str, ip: str | None) -> None:
        await self._check(self.upvote, aid, ip, "upvotes")

    async def questions(self, aid: str, ip: str | None) -> None:
        await self._check(self.question, aid, ip, "questions")

    async def _check(self, rules: tuple[Rule, Rule], aid: str, ip: str | None, what: str) -> None:
        mine, network = rules
        # No peer address (a Unix socket without proxy headers): only the id's limit.
        checks = ((mine, aid), (network, address_key(ip))) if ip else ((mine, aid),)
        # In one process, no await: the vote path is hot (thousands a second).
        local = self.local
        wait = local.take_now(checks) if local is not None else await self.buckets.take(checks)
        if wait:
            if self.delay:
                await asyncio.sleep(self.delay)
            raise TooMany(
                f"too many {what} from this device or network right now; "
                f"try again in {max(1, math.ceil(wait))} s",
                wait,
            )


def limits_of(state: AppState) -> AudienceLimits:
    found = state.audience_limits
    if found is None:
        found = state.audience_limits = AudienceLimits(
            state.settings, make_buckets(state.settings.bus_url)
        )
    return found


def client_ip(conn: Any) -> str | None:
    """The peer's address from an ASGI scope or a Starlette request (behind a proxy, what
    uvicorn's --proxy-headers made of X-Forwarded-For)."""
    client = conn.get("client") if isinstance(conn, dict) else conn.client
    return client[0] if client else None


async def close(state: AppState) -> None:
    """Shut-down hook (declared by the questions domain): the buckets' connection goes."""
    found, state.audience_limits = state.audience_limits, None
    if found is not None:
        await found.buckets.close()
