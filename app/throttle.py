"""Token buckets per key: in this process, or shared by every worker through Redis.

A check names one or more (rule, key) pairs, e.g. (votes per id, the id) and (votes per
address, the address); it passes only when every bucket has a token, and then takes one
from each. It answers 0.0 (go) or the seconds until it would pass (for Retry-After).

Why not the `limits` library (measured on this 2-core machine, see docs/limits.md): its
async memory storage cost 10-18 us a hit against ~1 us for a dict of buckets, and its
Redis storage one round trip per key, ~130 us of this process's CPU each; a vote checks
two keys, and the whole vote costs less than that. So with Redis, checks that arrive
together go in one EVALSHA of a small Lua token-bucket script (one round trip and one
command for hundreds of checks, as the vote batcher does for commits), and Redis's own
clock is the one clock of every worker. If Redis does not answer, each worker falls back
to its own buckets (limits N times looser for a while, never an outage).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

log = logging.getLogger(__name__)
MAX_KEYS = 200_000  # local buckets kept before the full ones are forgotten
MAX_CHECKS_PER_CALL = 500
REDIS_TIMEOUT = 0.5


@dataclass(frozen=True, slots=True)
class Rule:
    """`per_minute` tokens a minute, in bursts of up to `burst`; per_minute <= 0 is off."""

    name: str
    per_minute: float
    burst: float

    @property
    def rate(self) -> float:
        return self.per_minute / 60.0

    @property
    def on(self) -> bool:
        return self.per_minute > 0


Check = Sequence[tuple[Rule, str]]


def address_key(ip: str | None) -> str:
    """The client's address as a limit key; an IPv6 host gets a whole /64, so that is one."""
    if not ip:
        return "-"
    if ":" not in ip:
        return ip
    try:
        return str(ipaddress.IPv6Network(f"{ip}/64", strict=False).network_address) + "/64"
    except ValueError:
        return ip


class LocalBuckets:
    """Buckets in this process's memory: exact for one worker."""

    def __init__(self) -> None:
        self._state: dict[tuple[str, str], tuple[float, float]] = {}

    async def take(self, checks: Check) -> float:
        return self.take_now(checks)

    def take_now(self, checks: Check, now: float | None = None) -> float:
        now = time.monotonic() if now is None else now
        state = self._state
        wait = 0.0
        seen: list[tuple[tuple[str, str], float, float]] = []
        for rule, key in checks:
            if rule.per_minute <= 0:
                continue
            k = (rule.name, key)
            burst = max(1.0, rule.burst)
            rate = rule.per_minute / 60.0
            tokens, at = state.get(k, (burst, now))
            tokens = min(burst, tokens + (now - at) * rate)
            if tokens < 1.0:
                wait = max(wait, (1.0 - tokens) / rate)
            seen.append((k, tokens, burst / rate))
        if wait:
            return wait
        for k, tokens, _ in seen:
            state[k] = (tokens - 1.0, now)
        if len(state) > MAX_KEYS:
            self._prune(now, max((s[2] for s in seen), default=60.0))
        return 0.0

    def _prune(self, now: float, full_after: float) -> None:
        """Forget buckets idle long enough to be full: they equal new ones."""
        self._state = {k: v for k, v in self._state.items() if now - v[1] < full_after}

    async def close(self) -> None:
        return None


# KEYS: every bucket, check after check. ARGV: the number of checks, then per check its
# number of buckets followed by (rate per second, burst) for each. One answer per check:
# "0" (taken) or the seconds to wait (as a string: Redis truncates Lua numbers).
TOKEN_BUCKETS_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local out = {}
local k = 1
local a = 2
for c = 1, tonumber(ARGV[1]) do
  local n = tonumber(ARGV[a]); a = a + 1
  local tokens = {}
  local wait = 0
  for i = 0, n - 1 do
    local rate = tonumber(ARGV[a + 2 * i]); local burst = tonumber(ARGV[a + 2 * i + 1])
    local st = redis.call('HMGET', KEYS[k + i], 't', 'at')
    local tk = tonumber(st[1]); local at = tonumber(st[2])
    if tk == nil or at == nil then tk = burst; at = now end
    tk = math.min(burst, tk + math.max(0, now - at) * rate)
    tokens[i] = tk
    if tk < 1 then wait = math.max(wait, (1 - tk) / rate) end
  end
  if wait == 0 then
    for i = 0, n - 1 do
      local rate = tonumber(ARGV[a + 2 * i]); local burst = tonumber(ARGV[a + 2 * i + 1])
      redis.call('HSET', KEYS[k + i], 't', tostring(tokens[i] - 1), 'at', tostring(now))
      redis.call('PEXPIRE', KEYS[k + i], math.ceil(burst / rate * 1000) + 1000)
    end
  end
  out[c] = tostring(wait)
  k = k + n; a = a + 2 * n
end
return out
"""


class RedisBuckets:
    """The same buckets in Redis, shared by every worker; concurrent checks go together."""

    def __init__(self, url: str) -> None:
        import redis.asyncio as aioredis

        from app.live.redis_bus import split_url

        plain, prefix = split_url(url)
        self.prefix = f"{prefix}:rl:"
        self.redis = aioredis.Redis.from_url(plain, socket_timeout=REDIS_TIMEOUT)
        self.script = self.redis.register_script(TOKEN_BUCKETS_LUA)
        self.fallback = LocalBuckets()
        self._waiting: list[tuple[Check, asyncio.Future[float]]] = []
        self._task: asyncio.Task[None] | None = None
        self._warned = 0.0
        self._rule_args: dict[Rule, tuple[str, str]] = {}
        self.calls = 0

    async def take(self, checks: Check) -> float:
        checks = [(r, k) for r, k in checks if r.per_minute > 0]
        if not checks:
            return 0.0
        fut: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiting.append((checks, fut))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain())
        return await fut

    async def _drain(self) -> None:
        while self._waiting:
            batch = self._waiting[:MAX_CHECKS_PER_CALL]
            del self._waiting[:MAX_CHECKS_PER_CALL]
            keys: list[str] = []
            args: list[str | int] = [len(batch)]
            for checks, _ in batch:
                args.append(len(checks))
                for rule, key in checks:
                    keys.append(f"{self.prefix}{rule.name}:{key}")
                    args += self._args(rule)
            self.calls += 1
            try:
                answer = await asyncio.wait_for(
                    self.script(keys=keys, args=args), REDIS_TIMEOUT * 2
                )
                waits = [float(w) for w in answer]
            except Exception as exc:  # noqa: BLE001 - Redis away: limit locally meanwhile
                self._warn(exc)
                waits = [self.fallback.take_now(checks) for checks, _ in batch]
            for (_, fut), wait in zip(batch, waits, strict=True):
                if not fut.done():
                    fut.set_result(wait)

    def _args(self, rule: Rule) -> tuple[str, str]:
        found = self._rule_args.get(rule)
        if found is None:
            found = self._rule_args[rule] = (repr(rule.rate), repr(max(1.0, rule.burst)))
        return found

    def _warn(self, exc: BaseException) -> None:
        now = time.monotonic()
        if now - self._warned > 10:
            self._warned = now
            log.warning("rate limits: Redis did not answer (%r); limiting per worker", exc)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
        await self.redis.aclose()


def make_buckets(bus_url: str) -> LocalBuckets | RedisBuckets:
    """Redis when the workers share a Redis bus (their limits must be shared too)."""
    if bus_url.startswith(("redis://", "rediss://", "unix://")):
        return RedisBuckets(bus_url)
    return LocalBuckets()
