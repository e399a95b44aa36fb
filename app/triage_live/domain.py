"""The triage domain's registration: worker started with the app, results for the
moderator and rapporteur only (personal-data flags and similar ids never reach stage,
screen or audience)."""

from __future__ import annotations

import logging
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from sqlmodel import Session, select

from app.core.domain import Domain, View
from app.deps import AppState
from app.models import LiveSession, Role
from app.triage import DEFAULT_THRESHOLD
from app.triage_live import endpoints
from app.triage_live.models import TriageResult, TriageSetting
from app.triage_live.process import ProcessWorker, shared_child
from app.triage_live.runtime import TriageRuntime, result_view, runtime_of

READERS = (Role.moderator, Role.rapporteur)
log = logging.getLogger("floorbridge.triage")


def event_filter(role: str, type_: str, data: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    return (type_, data) if role in READERS else None


def snapshot_part(db: Session, session: LiveSession, role: str) -> dict[str, Any] | None:
    if role not in READERS:
        return None
    rt = runtime_of(db)
    setting = db.get(TriageSetting, session.id)
    rows = db.exec(select(TriageResult).where(TriageResult.session_id == session.id)).all()
    return {
        "features": rt.features() if rt else {"enabled": False, "reasons": []},
        "threshold": setting.threshold if setting else DEFAULT_THRESHOLD,
        "questions": {str(r.question_id): result_view(r) for r in rows},
    }


def after_store_many(db: Session, session: LiveSession, stored: list[tuple[Any, Any]]) -> None:
    """On the writer thread, in its transaction: only hand the texts to the worker."""
    rt = runtime_of(db)
    if rt is not None and stored:
        rt.submit(db, session, stored)


class _Collector:
    def __init__(self, rt: TriageRuntime) -> None:
        self.rt = rt

    def describe(self) -> list[Any]:
        return []

    def collect(self) -> Any:
        w = self.rt.worker
        yield GaugeMetricFamily("floorbridge_triage_enabled", "The triage assistant runs",
                                value=1 if w else 0)
        yield GaugeMetricFamily("floorbridge_triage_pending", "Messages waiting for triage",
                                value=w.pending if w else 0)
        yield CounterMetricFamily("floorbridge_triage_shed",
                                  "Messages dropped unanalysed, oldest first, under a burst",
                                  value=w.stats.shed if w else 0)
        yield CounterMetricFamily("floorbridge_triage_analysed", "Messages analysed",
                                  value=w.stats.analysed if w else 0)
        child = getattr(w, "child", None)
        yield CounterMetricFamily("floorbridge_triage_pauses",
                                  "Times the model process was held back while a request "
                                  "was answered (app/busy.py)",
                                  value=child.gate.pauses if child is not None else 0)


def _follow_merges(state: AppState, rt: TriageRuntime) -> None:
    """Merges reach the index from the committed events (never inside the transaction:
    a rolled-back merge must not join clusters), after they are published."""
    publish = state.store.on_commit

    def on_commit(events: list[Any]) -> None:
        publish(events)
        try:
            rt.on_committed(events)
        except Exception:  # noqa: BLE001 - a suggestion may be off, the publish is done
            log.exception("triage: a merge did not reach the index")

    state.store.on_commit = on_commit


async def start(state: AppState) -> None:
    if state.settings.triage == "off":
        rt = TriageRuntime(state, None, "turned off (FLOORBRIDGE_TRIAGE=off)")
    else:
        rt = TriageRuntime(state, child=shared_child)  # the model loads on the worker's thread
    state.triage = rt
    if isinstance(rt.worker, ProcessWorker):  # its child holds back while we answer
        state.busy.add(rt.worker)
    _follow_merges(state, rt)
    metrics = state.metrics
    if metrics is not None:
        metrics.registry.register(_Collector(rt))


async def stop(state: AppState) -> None:
    rt = state.triage
    if rt is not None:
        if isinstance(rt.worker, ProcessWorker):
            state.busy.remove(rt.worker)
            rt.worker.release()
        await rt.stop()


TRIAGE = Domain(
    name="triage",
    router=endpoints.router,
    views=(View("triage.", event_filter, "triage", snapshot_part),),
    after_store_many=after_store_many,
    startup=start,
    shutdown=stop,
    models=(TriageResult, TriageSetting),
)
