"""The moderator's triage API: features and threshold, a question's suggestions, and
accepting (the ordinary merge, so unmerge undoes it) or rejecting one (audited)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlmodel import Session, col, select

from app.deps import ModeratorDep, ReaderDep, SessionDep, StateDep
from app.errors import NotFound
from app.events import audit, emit
from app.inputs import Id
from app.models import Question, require_id
from app.questions import service as queue
from app.questions.schemas import QuestionPublic
from app.rows import session_object_or_404
from app.triage import DEFAULT_THRESHOLD
from app.triage_live.models import TriageResult, TriageSetting
from app.triage_live.runtime import TriageRuntime, result_view
from app.triage_live.schemas import ThresholdIn, TriagePublic, TriageResultPublic

router = APIRouter(prefix="/api", tags=["triage"])


def _runtime(state: Any) -> TriageRuntime | None:
    return state.triage


def _features(state: Any) -> dict[str, Any]:
    rt = _runtime(state)
    if rt is None:
        return {"enabled": False, "duplicates": False, "language": False,
                "reasons": ["the triage assistant has not started"]}
    return rt.features()


def _threshold(db: Session, session_id: int) -> float:
    setting = db.get(TriageSetting, session_id)
    return setting.threshold if setting else DEFAULT_THRESHOLD


@router.get(
    "/sessions/{slug}/triage", response_model=TriagePublic, response_model_exclude_unset=True
)
async def get_triage(session: SessionDep, state: StateDep, _: ReaderDep) -> dict[str, Any]:
    threshold = await state.store.read(lambda db: _threshold(db, require_id(session)))
    return {"features": _features(state), "threshold": threshold}


@router.put(
    "/sessions/{slug}/triage", response_model=TriagePublic, response_model_exclude_unset=True
)
async def put_triage(
    body: ThresholdIn, session: SessionDep, state: StateDep, principal: ModeratorDep
) -> dict[str, Any]:
    def change(db: Session) -> float:
        setting = db.get(TriageSetting, session.id) or TriageSetting(
            session_id=require_id(session), threshold=body.threshold
        )
        setting.threshold = body.threshold
        db.add(setting)
        audit(db, require_id(session), "triage.threshold", principal.role, threshold=body.threshold)
        return body.threshold

    threshold = await state.store.write(change)
    rt = _runtime(state)
    if rt is not None:
        rt.set_threshold(require_id(session), threshold)
    return {"features": _features(state), "threshold": threshold}


def _question(db: Session, session_id: int, question_id: int) -> Question:
    return session_object_or_404(db, Question, session_id, question_id, "question")


# No response_model: an unanalysed question answers other keys, in another order.
@router.get("/sessions/{slug}/questions/{question_id}/similar")
async def get_similar(
    question_id: Id, session: SessionDep, state: StateDep, _: ModeratorDep
) -> dict[str, Any]:
    """The suggestions of one question, with the channel, language and text of each."""

    def read(db: Session) -> dict[str, Any]:
        _question(db, require_id(session), question_id)
        row = db.get(TriageResult, question_id)
        if row is None:
            return {"id": question_id, "analysed": False, "similar": []}
        ids = [s["id"] for s in row.similar]
        texts = {
            q.id: q for q in db.exec(select(Question).where(col(Question.id).in_(ids))).all()
        }
        similar = [
            {**s, "text": texts[s["id"]].text, "state": texts[s["id"]].state}
            for s in row.similar if s["id"] in texts
        ]
        return {**result_view(row), "analysed": True, "similar": similar}

    return {**await state.store.read(read), "features": _features(state)}


def _suggested(db: Session, session_id: int, question_id: int, other: int) -> TriageResult:
    _question(db, session_id, question_id)
    row = db.get(TriageResult, question_id)
    if row is None or all(s["id"] != other for s in row.similar):
        raise NotFound(f"question {other} is not a suggestion for question {question_id}")
    return row


@router.post(
    "/sessions/{slug}/questions/{question_id}/similar/{other}/accept",
    response_model=QuestionPublic,
)
async def accept_similar(
    question_id: Id, other: Id, session: SessionDep, state: StateDep, principal: ModeratorDep
) -> dict[str, Any]:
    """The ordinary merge of this question into the suggested earlier one (every source
    kept, unmerge splits it back), audited as an accepted suggestion."""

    def change(db: Session) -> dict[str, Any]:
        row = _suggested(db, require_id(session), question_id, other)
        score = next(s["score"] for s in row.similar if s["id"] == other)
        merged = queue.merge(db, require_id(session), question_id, other, principal.role)
        audit(db, require_id(session), "triage.accepted", principal.role, question_id,
              into=other, score=score)
        return merged

    return await state.store.write(change)


@router.post(
    "/sessions/{slug}/questions/{question_id}/similar/{other}/reject",
    response_model=TriageResultPublic,
)
async def reject_similar(
    question_id: Id, other: Id, session: SessionDep, state: StateDep, principal: ModeratorDep
) -> dict[str, Any]:
    """Not the same question: the suggestion leaves the card for good, audited."""

    def change(db: Session) -> dict[str, Any]:
        row = _suggested(db, require_id(session), question_id, other)
        score = next(s["score"] for s in row.similar if s["id"] == other)
        row.similar = [s for s in row.similar if s["id"] != other]
        row.rejected = [*row.rejected, other]
        db.add(row)
        audit(db, require_id(session), "triage.rejected", principal.role, question_id,
              of=other, score=score)
        view = result_view(row)
        emit(db, require_id(session), "triage.updated", {"questions": [view]})
        return view

    return await state.store.write(change)
