"""`GET /api/sessions/{slug}/my-questions`: the caller's own audience questions and their fate.

A question from the audience page stores the HMAC of (channel, audience id) as its
`author_hash` (app/privacy/pseudonyms.py), so the caller's signed audience cookie finds exactly
their questions and nobody else's. The answer carries no author and no other person's
item; a dismissed question is only "not selected", and a merged one points to the
question it joined only when the audience may see that one.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlmodel import Session, col, select

from app.clock import iso
from app.deps import AudienceDep, SessionDep, StateDep
from app.models import LiveSession, QState, Question, require_id
from app.privacy.pseudonyms import author_hash
from app.questions.schemas import MyQuestionPublic
from app.views import AUDIENCE_STATES
from ports.personal import mask_personal_data

router = APIRouter(prefix="/api/sessions/{slug}")
CHANNEL = "audience"
#: How many of their own questions a phone is shown (newest first).
LIMIT = 50
#: What the asker is told, per queue state: no moderation detail beyond this.
STATUS = {
    QState.inbox: "pending",
    QState.queued: "approved",
    QState.on_stage: "on_stage",
    QState.answered: "answered",
    QState.merged: "merged",
    QState.dismissed: "not_selected",
}


def my_questions(db: Session, session_id: int, audience_id: str) -> list[dict[str, Any]]:
    session = db.get(LiveSession, session_id)
    assert session is not None  # resolved by the request's dependency in this request
    secret = session.hmac_secret
    mine = author_hash(secret, CHANNEL, audience_id)
    rows = db.exec(
        select(Question)
        .where(
            Question.session_id == session_id,
            Question.channel == CHANNEL,
            Question.author_hash == mine,
        )
        .order_by(col(Question.id).desc())
        .limit(LIMIT)
    ).all()
    targets = {q.merged_into_id for q in rows if q.merged_into_id is not None}
    visible = set()
    if targets:
        visible = set(
            db.exec(
                select(Question.id).where(
                    col(Question.id).in_(targets),
                    col(Question.state).in_([s.value for s in AUDIENCE_STATES]),
                )
            ).all()
        )
    return [
        {
            "id": q.id,
            # Masked as in every audience view: the phone is shown on a shared screen too.
            "text": mask_personal_data(q.text),
            "status": STATUS[QState(q.state)],
            "votes": q.votes,
            "created_at": iso(q.created_at),
            "merged_into": q.merged_into_id if q.merged_into_id in visible else None,
        }
        for q in rows
    ]


@router.get("/my-questions", response_model=list[MyQuestionPublic])
async def get_my_questions(
    session: SessionDep, state: StateDep, audience: AudienceDep
) -> list[dict[str, Any]]:
    return await state.store.read(lambda db: my_questions(db, require_id(session), audience))
