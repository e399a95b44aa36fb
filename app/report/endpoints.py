"""Report API: the session report in four formats, the rapporteur's notes and highlights."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from app import i18n
from app.deps import ReaderDep, SessionDep, StateDep
from app.errors import Invalid
from app.inputs import Id
from app.report.builder import build_report
from app.report.formats import FORMATS, MEDIA, file_name, render
from app.report.notes import highlights_of, notes_of, save_note, set_highlight
from app.report.schemas import (
    HighlightPublic,
    HighlightUpdate,
    NotePublic,
    NotesPublic,
    NoteUpdate,
)

router = APIRouter(prefix="/api/sessions/{slug}")


@router.get("/report", responses={200: {"content": {m: {} for m in MEDIA.values()}}})
async def get_report(
    session: SessionDep,
    state: StateDep,
    _: ReaderDep,
    fmt: str = Query("json", alias="format"),
    lang: str | None = Query(None, description="ar zh en fr ru es; default the session's"),
) -> Response:
    """HTML and PDF come in `lang`, else the session's language, else English."""
    if fmt not in FORMATS:
        raise Invalid("format must be " + ", ".join(FORMATS))
    if lang is not None and lang not in i18n.LANGS:
        raise Invalid("lang must be one of " + ", ".join(i18n.LANGS))
    lang = lang or session.lang or i18n.DEFAULT
    sections = state.registry.sections
    report = await state.store.read(lambda db: build_report(db, session.id, sections))
    if fmt == "json":
        return JSONResponse(report)
    headers = {"Content-Disposition": f'attachment; filename="{file_name(session.slug, fmt)}"'}
    if fmt == "pdf":  # seconds of CPU: off the event loop
        body = await run_in_threadpool(render, report, fmt, lang)
    else:
        body = render(report, fmt, lang)
    return Response(body, media_type=MEDIA[fmt], headers=headers)


@router.get("/report/notes", response_model=NotesPublic)
async def get_notes(session: SessionDep, state: StateDep, _: ReaderDep) -> dict[str, Any]:
    def read(db):
        return {"notes": notes_of(db, session.id), "highlights": highlights_of(db, session.id)}

    return await state.store.read(read)


@router.put("/report/notes/{section}", response_model=NotePublic)
async def put_note(
    section: str, body: NoteUpdate, session: SessionDep, state: StateDep, _: ReaderDep
) -> dict[str, Any]:
    return await state.store.write(lambda db: save_note(db, session.id, section, body.text))


@router.put("/report/highlights/{question_id}", response_model=HighlightPublic)
async def put_highlight(
    question_id: Id, body: HighlightUpdate, session: SessionDep, state: StateDep, _: ReaderDep
) -> dict[str, Any]:
    return await state.store.write(
        lambda db: set_highlight(db, session.id, question_id, body.highlighted)
    )
