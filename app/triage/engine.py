"""The triage engine: one call per batch of messages, and a worker thread that feeds it.

`Triage.analyse(index, batch)` is pure computation over the session's index: language,
question or comment, flags, and (for questions, when a model is loaded) the nearest
earlier questions. `TriageWorker` runs it on its own thread with a bounded queue that
sheds the oldest messages under a burst, so neither the database writer nor the event
loop ever waits for it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from .abuse import AbuseLexicon
from .duplicates import DEFAULT_THRESHOLD, Scoring, SessionIndex, Similar
from .embedder import Embedder, EmbedderLoad, load_embedder
from .kind import Kind, classify_kind
from .language import DEFAULT_LANGUAGES, UNDETERMINED, LanguageDetector, load_detector
from .personal import find_personal_data
from .pump import Pump


@dataclass(frozen=True)
class Message:
    """What the engine needs of an incoming item: its id and text (channel is for display)."""

    id: int
    text: str
    channel: str = ""


@dataclass(frozen=True)
class Link:
    """A moderator merged `id` into `into` (None: unmerged it). Queued with the messages,
    so it reaches the index in commit order, on the thread that owns the index."""

    id: int
    into: int | None
    #: The queue sheds messages under a burst, never a link (the index would stay wrong).
    never_shed: ClassVar[bool] = True


@dataclass(frozen=True)
class Analysis:
    """What the moderator's card shows for one message."""

    id: int
    lang: str
    kind: Kind
    flags: tuple[str, ...]
    similar: tuple[Similar, ...] = ()


@dataclass(frozen=True)
class Features:
    """Which features are on, and why one is off (shown to the moderator)."""

    duplicates: bool
    language: bool
    reasons: tuple[str, ...] = ()


class Triage:
    """Language, kind, flags and duplicate suggestions; the model is optional."""

    def __init__(self, embedder: Embedder | None, detector: LanguageDetector | None,
                 languages: tuple[str, ...] = DEFAULT_LANGUAGES,
                 reasons: Sequence[str] = ()) -> None:
        self.embedder = embedder
        self.detector = detector
        self.languages = languages
        self.abuse = AbuseLexicon(languages)
        self.features = Features(duplicates=embedder is not None,
                                 language=detector is not None, reasons=tuple(reasons))

    @classmethod
    def load(cls, languages: tuple[str, ...] = DEFAULT_LANGUAGES,
             embedder_load: EmbedderLoad | None = None) -> Triage:
        """Load the model and language id once; whatever is missing turns its feature off."""
        loaded = embedder_load or load_embedder()
        detector, why = load_detector(languages)
        reasons = [r for r in (loaded.reason, why) if r != "ok"]
        return cls(loaded.embedder, detector, languages, reasons)

    def new_index(self, threshold: float = DEFAULT_THRESHOLD, capacity: int = 5000,
                  scoring: Scoring | None = None) -> SessionIndex:
        return SessionIndex(capacity=capacity, threshold=threshold, scoring=scoring)

    def _lang(self, text: str) -> str:
        return self.detector.detect(text) if self.detector else UNDETERMINED

    def analyse(self, index: SessionIndex | None, batch: Sequence[Message]) -> list[Analysis]:
        """Analyse messages in arrival order; questions join `index` for later ones."""
        langs = [self._lang(m.text) for m in batch]
        kinds = [classify_kind(m.text, lang) for m, lang in zip(batch, langs, strict=True)]
        flags = [self._flags(m.text) for m in batch]
        similar: list[tuple[Similar, ...]] = [()] * len(batch)
        questions = [i for i, k in enumerate(kinds) if k == "question"]
        if self.embedder is not None and index is not None and questions:
            vectors = self.embedder.embed([batch[i].text for i in questions])
            for row, i in enumerate(questions):
                m = batch[i]
                found = tuple(index.suggest(vectors[row], langs[i], m.text))
                index.add(m.id, vectors[row], langs[i], m.text,
                          joins=found[0].id if found else None)
                similar[i] = found
        return [Analysis(m.id, lang, kind, flag, sim)
                for m, lang, kind, flag, sim in zip(batch, langs, kinds, flags, similar,
                                                    strict=True)]

    def process(self, index: SessionIndex | None,
                items: Sequence[Message | Link]) -> list[Analysis]:
        """Messages and links in arrival order: a link applies between its neighbours."""
        out: list[Analysis] = []
        run: list[Message] = []
        for item in items:
            if isinstance(item, Message):
                run.append(item)
                continue
            out += self.analyse(index, run) if run else []
            run = []
            if index is not None:
                if item.into is None:
                    index.unlink(item.id)
                else:
                    index.link(item.id, item.into)
        return out + (self.analyse(index, run) if run else [])

    def _flags(self, text: str) -> tuple[str, ...]:
        flags = [f"personal:{kind}" for kind in find_personal_data(text)]
        if self.abuse.is_abusive(text):
            flags.append("abuse")
        return tuple(flags)


class TriageWorker(Pump):
    """A thread that analyses submitted messages in batches; the queue sheds oldest-first.

    `submit()` never blocks: when `max_pending` messages wait, the oldest is dropped (a
    stale suggestion is worth less than a fresh one) and counted in `stats.shed`.
    `on_result(session, analyses)` is called on the worker thread: hand it to the event
    loop with `loop.call_soon_threadsafe`.
    """

    def __init__(self, triage: Triage, on_result: Callable[[str, list[Analysis]], None],
                 max_pending: int = 2000, batch_size: int = 32,
                 threshold: float = DEFAULT_THRESHOLD, index_capacity: int = 5000) -> None:
        super().__init__(max_pending, batch_size, name="triage")
        self.triage = triage
        self.on_result = on_result
        self.default_threshold = threshold
        self.index_capacity = index_capacity
        self._indexes: dict[str, SessionIndex] = {}
        self._start()

    def index(self, session: str) -> SessionIndex:
        with self._cond:
            if session not in self._indexes:
                self._indexes[session] = self.triage.new_index(
                    self.default_threshold, self.index_capacity)
            return self._indexes[session]

    def set_threshold(self, session: str, threshold: float) -> None:
        self.index(session).threshold = threshold

    def forget(self, session: str) -> None:
        with self._cond:
            self._indexes.pop(session, None)

    def _analyse(self, batch: list[tuple[str, Message | Link]]) -> None:
        by_session: dict[str, list[Message | Link]] = {}
        for session, message in batch:
            by_session.setdefault(session, []).append(message)
        for session, items in by_session.items():
            results = self.triage.process(self.index(session), items)
            self.stats.analysed += len(results)
            if results:
                self.on_result(session, results)
