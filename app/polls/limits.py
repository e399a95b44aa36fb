"""Per-voter and per-address vote rate limits: token buckets in memory (one process).

A room on one conference Wi-Fi shares an address, so the per-address limit is generous;
0 turns a limit off (the vote benchmark sends ten thousand voters from 127.0.0.1).
"""

from __future__ import annotations

import time

from app.errors import DomainError

MAX_KEYS = 200_000


class TooMany(DomainError):
    status = 429


class Buckets:
    """`per_minute` tokens a minute, bursts of up to `burst`."""

    def __init__(self, per_minute: float, burst: float) -> None:
        self.rate = per_minute / 60.0
        self.burst = max(1.0, burst)
        self._state: dict[str, tuple[float, float]] = {}

    def allow(self, key: str, now: float | None = None) -> bool:
        if self.rate <= 0:
            return True
        now = time.monotonic() if now is None else now
        tokens, at = self._state.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - at) * self.rate)
        if tokens < 1.0:
            self._state[key] = (tokens, now)
            return False
        self._state[key] = (tokens - 1.0, now)
        if len(self._state) > MAX_KEYS:
            self._prune(now)
        return True

    def _prune(self, now: float) -> None:
        """Forget keys whose bucket has refilled: they are indistinguishable from new ones."""
        full_after = self.burst / self.rate
        self._state = {k: v for k, v in self._state.items() if now - v[1] < full_after}


class VoteLimits:
    def __init__(self, per_voter_minute: float, per_ip_minute: float) -> None:
        self.voter = Buckets(per_voter_minute, burst=max(3.0, per_voter_minute / 6))
        self.ip = Buckets(per_ip_minute, burst=max(10.0, per_ip_minute / 6))

    def check(self, voter: str, ip: str | None) -> None:
        if not self.voter.allow(voter):
            raise TooMany("too many votes from this device; wait a few seconds and try again")
        if ip and not self.ip.allow(ip):
            raise TooMany("too many votes from this network right now; try again in a moment")
