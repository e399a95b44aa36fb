"""The Zoom console routes' answers (`GET …/zoom`, the Q&A import and CSV upload).

Field order is the order of the JSON the routes always produced (`LinkStatus.as_dict`,
`zoom_status`, `ImportReport.as_dict`). The import routes answer through `JSONResponse`
(their 409/413/415/422 come from the same function), so their model documents the 200
and validates nothing at run time; the status route's model shapes its answer."""

from __future__ import annotations

from pydantic import BaseModel


class ZoomLinkPublic(BaseModel):
    zoom_id: int
    kind: str | None
    live: bool | None
    changed_at: str | None
    last_event_at: str | None
    messages_received: int
    duplicates: int
    filtered_private: int
    qa_imported_at: str | None
    qa_error: str | None


class ZoomStatus(BaseModel):
    enabled: bool
    public_only: bool
    qa_api: bool
    qa_poll_seconds: float
    qa_note: str
    links: list[ZoomLinkPublic]
    signature_failures: int
    last_signature_failure_at: str | None
    last_signature_failure: str | None


class QAImportReport(BaseModel):
    fetched: int
    stored: int
    duplicates: int
    answered: int
    errors: list[str]
    note: str
