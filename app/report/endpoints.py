"""Report API: the session report in four formats, the rapporteur's notes and highlights."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from app.deps import ReaderDep, SessionDep, StateDep
from app.errors import Invalid
from app.inputs import CleanText, Id
from app.report import views  # noqa: F401 - registers the report's role views
from app.report.builder import build_report
from app.report.formats import render
from app.report.notes import MAX_NOTE, highlights_of, notes_of, save_note, set_highlight

router = APIRouter(prefix="/api/sessions/{slug}")
MEDIA = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}


class NoteIn(BaseModel):
    text: CleanText = Field(max_length=MAX_NOTE)


class HighlightIn(BaseModel):
    highlighted: bool = True


@router.get("/report", responses={200: {"content": {m: {} for m in MEDIA.values()}}})
async def get_report(
    session: SessionDep, state: StateDep, _: ReaderDep, fmt: str = Query("json", alias="format")
) -> Response:
    if fmt not in MEDIA:
        raise Invalid("format must be md, html, json or csv")
    report = await state.store.read(lambda db: build_report(db, session.id))
    if fmt == "json":
        return JSONResponse(report)
    name = f"{session.slug}-report.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(render(report, fmt), media_type=MEDIA[fmt], headers=headers)


@router.get("/report/notes")
async def get_notes(session: SessionDep, state: StateDep, _: ReaderDep) -> dict[str, Any]:
    def read(db):
        return {"notes": notes_of(db, session.id), "highlights": highlights_of(db, session.id)}

    return await state.store.read(read)


@router.put("/report/notes/{section}")
async def put_note(
    section: str, body: NoteIn, session: SessionDep, state: StateDep, _: ReaderDep
) -> dict[str, Any]:
    return await state.store.write(lambda db: save_note(db, session.id, section, body.text))


@router.put("/report/highlights/{question_id}")
async def put_highlight(
    question_id: Id, body: HighlightIn, session: SessionDep, state: StateDep, _: ReaderDep
) -> dict[str, Any]:
    return await state.store.write(
        lambda db: set_highlight(db, session.id, question_id, body.highlighted)
    )
