"""The assistant's worker, fed by ingest and writing back through the one writer.

Why a separate worker and a bounded queue: ingest's after-store hook runs on the writer
thread inside its transaction, so it only hands (id, text) to the worker's `submit` (a
deque append that never blocks; a burst sheds the oldest, counted in /metrics). The
worker (a child process as served, app/triage_live/process.py) analyses in batches off
the event loop and off the writer, then queues one
`store.write` per batch that stores the results and emits a moderator-only
`triage.updated` event. Results of questions gone meanwhile (a rolled-back batch) are
skipped. A moderator's merge or unmerge reaches the index the same way, once committed
(`on_committed`, after the writer's commit, on the event loop): queued behind the
messages before it, so the index is only ever touched by the thread that owns it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from app.deps import AppState
from app.events import emit
from app.models import LiveSession, Question
from app.triage import (
    DEFAULT_THRESHOLD,
    Analysis,
    Features,
    Link,
    Message,
    Triage,
    TriageWorker,
)
from app.triage_live.models import TriageResult, TriageSetting

log = logging.getLogger("floorbridge.triage")
EVENT = "triage.updated"
#: Earlier questions of a session indexed again when this process first sees it.
SEED_MAX = 1000

#: The runtime of each app, found from a database session's engine (the ingest hook and
#: the snapshot part get only a `Session`; tests run several apps in one process).


class TriageRuntime:
    def __init__(self, state: AppState, triage: Triage | None = None, why_off: str = "",
                 child: Any = None) -> None:
        """`child` (app/triage_live/process.py `shared_child`, called on the worker's own
        thread): the engine in its own process, as served;
        `triage`: in a thread of this process (lighter, but it shares the GIL)."""
        self.state = state
        self.why_off = why_off
        self.loop = asyncio.get_running_loop()
        self.tasks: set[asyncio.Task[Any]] = set()
        self.known: set[int] = set()
        self.seeding: set[int] = set()  # ids indexed again after a restart, not re-stored
        self.worker: Any = None
        self._features: Features | None = None
        if child is not None:
            from app.triage_live.process import ProcessWorker

            self.worker = ProcessWorker(child, self._on_result)
        elif triage is not None:
            self.worker = TriageWorker(triage, self._on_result)
            self._features = triage.features
            _lower_priority(self.worker)

    # -- what the moderator is told ------------------------------------------------------
    def features(self) -> dict[str, Any]:
        f = self._features or getattr(self.worker, "features", None)
        if f is None:
            failed = getattr(self.worker, "failed", "")
            if self.worker is not None and not failed:
                return {"enabled": True, "loading": True, "duplicates": False,
                        "language": False, "reasons": ["the model is loading"]}
            return {"enabled": False, "duplicates": False, "language": False,
                    "reasons": [failed or self.why_off]}
        return {"enabled": True, "duplicates": f.duplicates, "language": f.language,
                "reasons": list(f.reasons)}

    # -- ingest side (writer thread) -----------------------------------------------------
    def submit(self, db: Session, session: LiveSession, stored: list[tuple[Any, Any]]) -> None:
        if self.worker is None or session.id is None:
            return
        sid = session.id
        if sid not in self.known:  # once per session and process: threshold, earlier questions
            setting = db.get(TriageSetting, sid)
            self.worker.set_threshold(str(sid), setting.threshold if setting else DEFAULT_THRESHOLD)
            self.known.add(sid)
            self._seed(db, sid, min(q.id for q, _ in stored))
        for question, msg in stored:
            # The message as it arrived (held in memory only): the stored text has its
            # e-mail addresses cut already, and the moderator should know there was one.
            text = getattr(msg, "text", None) or question.text
            self.worker.submit(str(sid), Message(question.id, text, question.channel))

    def _seed(self, db: Session, sid: int, before: int) -> None:
        """After a restart the index is empty: the session's latest earlier questions go
        through the worker first (indexed, their results not stored again)."""
        rows = db.exec(
            select(Question.id, Question.text, Question.channel, Question.merged_into_id)
            .where(Question.session_id == sid, col(Question.id) < before)
            .order_by(col(Question.id).desc())
            .limit(SEED_MAX)
        ).all()
        # cast: a primary key read back from the database is never NULL.
        seeded = list(reversed(cast("Sequence[tuple[int, str, str, int | None]]", rows)))
        for qid, text, channel, _into in seeded:
            self.seeding.add(qid)
            self.worker.submit(str(sid), Message(qid, text, channel))
        for qid, _text, _channel, into in seeded:  # the merges made before the restart
            if into is not None:
                self.worker.submit(str(sid), Link(qid, into))

    # -- moderator side (event loop, after the commit) -----------------------------------
    def on_committed(self, events: Sequence[Any]) -> None:
        """A committed merge joins the two clusters of the index, an unmerge splits them.

        A session this process has not indexed yet is skipped: its first ingest seeds the
        index with the merges the database holds by then."""
        if self.worker is None:
            return
        for e in events:
            if e.type != "question.updated" or e.session_id not in self.known:
                continue
            action, q = e.data.get("action"), e.data["question"]
            if action == "merge" and q.get("merged_into") is not None:
                self.worker.submit(str(e.session_id), Link(q["id"], q["merged_into"]))
            elif action == "unmerge":
                self.worker.submit(str(e.session_id), Link(q["id"], None))

    def set_threshold(self, session_id: int, threshold: float) -> None:
        if self.worker is not None:
            self.worker.set_threshold(str(session_id), threshold)
            self.known.add(session_id)

    # -- worker side -----------------------------------------------------------------------
    def _on_result(self, session: str, analyses: list[Analysis]) -> None:
        """On the worker thread: hand the batch to the event loop, which queues the write."""
        if self.seeding:
            seeded = {a.id for a in analyses} & self.seeding
            self.seeding -= seeded
            analyses = [a for a in analyses if a.id not in seeded]
            if not analyses:
                return
        # RuntimeError: the loop closed (shutting down), nothing to store into.
        with contextlib.suppress(RuntimeError):
            self.loop.call_soon_threadsafe(self._store, int(session), analyses)

    def _store(self, session_id: int, analyses: list[Analysis]) -> None:
        task = self.loop.create_task(
            self.state.store.write(lambda db: save_results(db, session_id, analyses))
        )
        self.tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("triage results not stored: %s", task.exception())

    async def stop(self) -> None:
        if self.worker is not None:
            await asyncio.to_thread(self.worker.wait_idle, 5.0)
            self.worker.stop()
        if self.tasks:
            await asyncio.wait(list(self.tasks), timeout=5)

    async def idle(self, seconds: float = 10.0) -> bool:
        """Everything submitted so far is analysed and stored (tests, benchmarks)."""
        if self.worker is not None and not await asyncio.to_thread(self.worker.wait_idle, seconds):
            return False
        while self.tasks:
            await asyncio.wait(list(self.tasks), timeout=seconds)
        return True


def _lower_priority(worker: TriageWorker) -> None:
    """Linux schedules threads one by one: the worker yields the cores to ingest and the
    sockets whenever both want them (a suggestion may wait, an acknowledgement may not)."""
    native = getattr(worker._thread, "native_id", None)
    if native is not None and hasattr(os, "setpriority"):
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, native, 19)


def runtime_of(db: Session) -> TriageRuntime | None:
    """The runtime of the app whose store opened `db` (`Store.app`), if it started one."""
    return getattr(db.info.get("app"), "triage", None)


def result_view(row: TriageResult) -> dict[str, Any]:
    return {"id": row.question_id, "lang": row.lang, "kind": row.kind,
            "flags": list(row.flags), "similar": list(row.similar)}


_RESULTS = TriageResult.__table__  # type: ignore[attr-defined]
_QUESTIONS = Question.__table__  # type: ignore[attr-defined]
_CHANNELS = (
    _QUESTIONS.select().with_only_columns(_QUESTIONS.c.id, _QUESTIONS.c.channel)
    .where(_QUESTIONS.c.session_id == bindparam("sid"),
           _QUESTIONS.c.id.in_(bindparam("ids", expanding=True)))
)
_STORED = _RESULTS.select().with_only_columns(
    _RESULTS.c.question_id, _RESULTS.c.lang, _RESULTS.c.rejected
).where(_RESULTS.c.question_id.in_(bindparam("ids", expanding=True)))
_INSERT = _RESULTS.insert()
_UPDATE = (
    _RESULTS.update().where(_RESULTS.c.question_id == bindparam("qid"))
    .values(lang=bindparam("lang"), kind=bindparam("kind"), flags=bindparam("flags"),
            similar=bindparam("similar"))
)


def save_results(db: Session, session_id: int, analyses: list[Analysis]) -> int:
    """Store one analysed batch and tell the moderators (one event). Returns rows stored.

    Core statements built once: per result, the ORM's load, model construction and flush
    cost the writer more than the question's own ingest did.
    """
    conn = db.connection()
    ids = sorted({a.id for a in analyses} | {s.id for a in analyses for s in a.similar})
    channels = dict(conn.execute(_CHANNELS, {"sid": session_id, "ids": ids}).all())
    stored = {row[0]: row for row in conn.execute(_STORED, {"ids": ids})}
    langs = {qid: row[1] for qid, row in stored.items()} | {a.id: a.lang for a in analyses}
    out, fresh, changed = [], [], []
    for a in analyses:
        if a.id not in channels:  # its batch was rolled back, or it was erased meanwhile
            continue
        rejected = stored[a.id][2] if a.id in stored else []
        similar = [
            {"id": s.id, "score": round(float(s.score), 3),
             "channel": channels[s.id], "lang": langs.get(s.id, "und")}
            for s in a.similar if s.id in channels and s.id != a.id and s.id not in rejected
        ]
        values = {"lang": a.lang, "kind": a.kind, "flags": list(a.flags), "similar": similar}
        if a.id in stored:
            changed.append({"qid": a.id, **values})
        else:
            fresh.append({"question_id": a.id, "session_id": session_id, "rejected": [],
                          **values})
        out.append({"id": a.id, **values})
    if fresh:
        conn.execute(_INSERT, fresh)
    if changed:
        conn.execute(_UPDATE, changed)
    if out:
        emit(db, session_id, "triage.updated", {"questions": out})
    return len(out)
