"""Nearest earlier questions of a session by meaning, across channels and languages.

A bounded in-memory index per session (one float32 matrix; when full, the oldest rows
are overwritten) scored by cosine, then adjusted where cosine alone misleads, each
adjustment measured in `bench/triage.py` against plain cosine on the evaluation set:

- questions that name different numbers (years, counts) rarely ask the same thing;
- two questions in the same language share words even when they ask different things
  (cosine of same-language hard negatives is inflated), so they need a higher score;
- language pairs differ in scale: Spanish and Portuguese paraphrases score higher than
  Arabic and Russian ones, so each pair's score is shifted by its offset (the pair's mean
  twin cosine minus the mean over all pairs, fitted by `bench/triage.py --fit-offsets`
  for the default model);
- earlier questions already linked as one (a suggestion taken, a moderator's merge)
  form a cluster, scored by its best member blended with the mean of all its members: a
  true twin resembles the whole cluster, a hard negative only one wording. A suggestion
  names the question a merged one went into: the merged one has no card to merge into.
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


#: Per language pair, subtracted from the cosine (the default model's, fitted on the
#: evaluation set with `python -m bench.triage --fit-offsets`; another model needs its own).
DEFAULT_PAIR_OFFSETS: tuple[tuple[str, str, float], ...] = (
    ("ar", "en", -0.013), ("ar", "es", -0.02), ("ar", "fr", -0.017), ("ar", "pt", -0.007),
    ("ar", "ru", -0.062), ("ar", "zh", -0.02), ("en", "es", 0.02), ("en", "fr", 0.027),
    ("en", "pt", 0.042), ("en", "ru", -0.017), ("en", "zh", 0.01), ("es", "fr", 0.039),
    ("es", "pt", 0.101), ("es", "ru", -0.036), ("es", "zh", -0.033), ("fr", "pt", 0.058),
    ("fr", "ru", -0.017), ("fr", "zh", -0.013), ("pt", "ru", 0.0), ("pt", "zh", -0.001),
    ("ru", "zh", -0.047),
)


@dataclass(frozen=True)
class Scoring:
    """How cosine is adjusted; `Scoring.plain()` is the cosine alone."""

    number_penalty: float = 0.15
    same_language_penalty: float = 0.10
    cluster_weight: float = 0.5
    pair_offsets: tuple[tuple[str, str, float], ...] = DEFAULT_PAIR_OFFSETS

    @classmethod
    def plain(cls) -> Scoring:
        return cls(number_penalty=0.0, same_language_penalty=0.0, cluster_weight=0.0,
                   pair_offsets=())

    def offsets(self) -> dict[tuple[str, str], float]:
        """Both orders of every pair, plus the same-language penalty on the diagonal."""
        table: dict[tuple[str, str], float] = {}
        for a, b, offset in self.pair_offsets:
            table[(a, b)] = table[(b, a)] = offset
        return table


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def numbers_in(text: str) -> frozenset[str]:
    """The numbers a text names, written without separators (2,000 == 2000)."""
    return frozenset(n.replace(",", "").replace(".", "") for n in _NUMBER.findall(text))


class SessionIndex:
    """The questions of one session so far; not thread-safe (one worker owns it)."""

    def __init__(self, dim: int = 512, capacity: int = 5000,
                 threshold: float = DEFAULT_THRESHOLD, scoring: Scoring | None = None) -> None:
        self.capacity = capacity
        self.threshold = threshold
        self.scoring = scoring or Scoring()
        self._vectors = np.zeros((capacity, dim), dtype=np.float32)
        self._ids = np.zeros(capacity, dtype=np.int64)
        self._clusters = np.zeros(capacity, dtype=np.int64)  # the id a cluster is named by
        self._lang_codes = np.zeros(capacity, dtype=np.int16)
        self._codes: dict[str, int] = {}
        self._adjust_by_lang: dict[str, np.ndarray] = {}
        self._pair_table = self.scoring.offsets()
        self._numbers: list[frozenset[str]] = [frozenset()] * capacity
        self._rows: dict[int, int] = {}
        self._into: dict[int, int] = {}  # a moderator's merges: id -> the id it went into
        self._count = 0  # rows ever added; the next row is count % capacity

    def __len__(self) -> int:
        return min(self._count, self.capacity)

    def __contains__(self, id: int) -> bool:
        return id in self._rows

    def add(self, id: int, vector: np.ndarray, lang: str, text: str,
            joins: int | None = None) -> None:
        """Index a question; `joins` puts it in the cluster of that earlier question."""
        row = self._count % self.capacity
        if self._count >= self.capacity:
            gone = int(self._ids[row])
            self._rows.pop(gone, None)
            self._into.pop(gone, None)
        cluster = id
        if joins is not None and joins in self._rows:
            cluster = int(self._clusters[self._rows[joins]])
        self._vectors[row] = vector
        self._ids[row] = id
        self._clusters[row] = cluster
        self._lang_codes[row] = self._code(lang)
        self._numbers[row] = numbers_in(text)
        self._rows[id] = row
        self._count += 1

    def link(self, id: int, into: int) -> None:
        """A moderator merged `id` into `into`: one cluster from now on (with whatever was
        merged into `id` before), suggested as `into`."""
        if id == into:
            return
        self._into[id] = into
        if into in self._rows:
            self._move(id, int(self._clusters[self._rows[into]]))

    def unlink(self, id: int) -> None:
        """A moderator split `id` out again, with what was merged into it."""
        self._into.pop(id, None)
        self._move(id, id)

    def _move(self, id: int, cluster: int) -> None:
        """`id` and every question merged into it, directly or not, join `cluster`."""
        moving = {id}
        while grown := {k for k, v in self._into.items() if v in moving} - moving:
            moving |= grown
        for member in moving:
            if member in self._rows:
                self._clusters[self._rows[member]] = cluster

    def named(self, id: int) -> int:
        """The question a suggestion of `id` names: the one it was merged into, up the
        chain (bounded: a cycle cannot hang the worker)."""
        for _ in range(len(self._into)):
            if id not in self._into:
                break
            id = self._into[id]
        return id

    def _code(self, lang: str) -> int:
        if lang not in self._codes:
            self._codes[lang] = len(self._codes)
            self._adjust_by_lang.clear()
        return self._codes[lang]

    def _adjustments(self, lang: str) -> np.ndarray:
        """What is subtracted from the cosine with a row of each language code."""
        if lang not in self._adjust_by_lang:
            table = np.zeros(max(len(self._codes), 1), dtype=np.float32)
            for other, code in self._codes.items():
                if other == lang:
                    table[code] = self.scoring.same_language_penalty
                else:
                    table[code] = self._pair_table.get((lang, other), 0.0)
            self._adjust_by_lang[lang] = table
        return self._adjust_by_lang[lang]

    def suggest(self, vector: np.ndarray, lang: str, text: str,
                limit: int = MAX_SUGGESTIONS) -> list[Similar]:
        """Up to `limit` earlier questions (one per cluster) at or above the threshold."""
        n = len(self)
        if n == 0:
            return []
        s = self.scoring
        scores = self._vectors[:n] @ vector.astype(np.float32)
        scores = scores - self._adjustments(lang)[self._lang_codes[:n]]
        # Penalties only lower a score, and a cluster never scores above its best member:
        # only clusters with a member already at the threshold can be suggested.
        candidates = np.flatnonzero(scores >= self.threshold)
        if candidates.size == 0:
            return []
        mine = numbers_in(text)
        clusters = self._clusters[:n]
        ranked: list[tuple[float, int]] = []
        for cluster in np.unique(clusters[candidates]).tolist():
            rows = np.flatnonzero(clusters == cluster)
            member = scores[rows].astype(np.float64)
            if s.number_penalty and mine:
                for k, row in enumerate(rows.tolist()):
                    theirs = self._numbers[row]
                    if theirs and theirs != mine:
                        member[k] -= s.number_penalty
            k = int(member.argmax())
            score = float(member[k])
            if score < self.threshold:
                continue
            if s.cluster_weight:
                score = (1 - s.cluster_weight) * score + s.cluster_weight * float(member.mean())
            if score >= self.threshold:
                ranked.append((score, int(rows[k])))
        ranked.sort(reverse=True)
        out: list[Similar] = []
        for score, row in ranked:  # clusters merged into one absent question name it once
            name = self.named(int(self._ids[row]))
            if all(x.id != name for x in out):
                out.append(Similar(name, round(min(score, 1.0), 4)))
            if len(out) == limit:
                break
        return out
