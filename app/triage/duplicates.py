"""Nearest earlier questions of a session by meaning, across channels and languages.

A bounded in-memory index per session (one float32 matrix, oldest rows overwritten when
full) scored by cosine, then adjusted where cosine is known to mislead: two questions
that name different numbers (years, counts, amounts) are rarely the same question, and
two in the same language that share few words are less likely to be rewordings.
Every adjustment is measured in `bench/triage.py` (`plain` against `engine`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

DEFAULT_THRESHOLD = 0.65
MAX_SUGGESTIONS = 3


@dataclass(frozen=True)
class Similar:
    """An earlier question suggested as the same, with the adjusted score."""

    id: int
    score: float


@dataclass(frozen=True)
class Scoring:
    """How cosine is adjusted; `Scoring.plain()` is the cosine alone."""

    number_penalty: float = 0.15
    lexical_weight: float = 0.0
    lexical_centre: float = 0.5
    cross_language_bonus: float = 0.0

    @classmethod
    def plain(cls) -> Scoring:
        return cls(number_penalty=0.0, lexical_weight=0.0, cross_language_bonus=0.0)


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def numbers_in(text: str) -> frozenset[str]:
    """The numbers a text names, written without separators (2,000 == 2000)."""
    return frozenset(n.replace(",", "").replace(".", "") for n in _NUMBER.findall(text))


def _lexical(a: str, b: str) -> float:
    from rapidfuzz import fuzz

    return fuzz.token_set_ratio(a.casefold(), b.casefold()) / 100.0


class SessionIndex:
    """The questions of one session so far: vectors, ids, languages, texts, numbers."""

    def __init__(self, dim: int = 512, capacity: int = 5000,
                 threshold: float = DEFAULT_THRESHOLD, scoring: Scoring | None = None) -> None:
        self.capacity = capacity
        self.threshold = threshold
        self.scoring = scoring or Scoring()
        self._vectors = np.zeros((capacity, dim), dtype=np.float32)
        self._ids: list[int] = [0] * capacity
        self._langs: list[str] = [""] * capacity
        self._texts: list[str] = [""] * capacity
        self._numbers: list[frozenset[str]] = [frozenset()] * capacity
        self._count = 0  # rows ever added; row = count % capacity

    def __len__(self) -> int:
        return min(self._count, self.capacity)

    def add(self, id: int, vector: np.ndarray, lang: str, text: str) -> None:
        row = self._count % self.capacity
        self._vectors[row] = vector
        self._ids[row] = id
        self._langs[row] = lang
        self._texts[row] = text
        self._numbers[row] = numbers_in(text)
        self._count += 1

    def suggest(self, vector: np.ndarray, lang: str, text: str,
                limit: int = MAX_SUGGESTIONS) -> list[Similar]:
        """Up to `limit` earlier questions scoring at least the threshold, best first."""
        n = len(self)
        if n == 0:
            return []
        scores = self._vectors[:n] @ vector.astype(np.float32)
        s = self.scoring
        # Only rows cosine already puts near the threshold can cross it after adjusting.
        floor = self.threshold - max(s.cross_language_bonus, 0.0) - abs(s.lexical_weight)
        candidates = np.flatnonzero(scores >= floor)
        if candidates.size == 0:
            return []
        mine = numbers_in(text)
        adjusted: list[tuple[float, int]] = []
        for row in candidates.tolist():
            score = float(scores[row])
            theirs = self._numbers[row]
            if s.number_penalty and mine and theirs and mine != theirs:
                score -= s.number_penalty
            if self._langs[row] == lang:
                if s.lexical_weight:
                    score += s.lexical_weight * (_lexical(text, self._texts[row])
                                                 - s.lexical_centre)
            else:
                score += s.cross_language_bonus
            if score >= self.threshold:
                adjusted.append((score, row))
        adjusted.sort(reverse=True)
        return [Similar(self._ids[row], round(min(score, 1.0), 4))
                for score, row in adjusted[:limit]]
