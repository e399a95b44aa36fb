"""The OpenAPI document says what the server really answers on errors.

FastAPI documents a 422 as its own `HTTPValidationError` (an array of details) and no other
error; the app answers every error as `{"detail": "<sentence>"}` (app.main's handlers), and
also 400 (malformed JSON), 401/403 (keys), 404, 409 (state), 411/413 (body cap), 429 (rate
limits), and what the connection layer answers on any route (408 slow, 431 headers, 503
connection cap). A route's own extra error (415 on the CSV upload) is declared on it.
Generated clients and schemathesis read this document, so it must be exact.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from app.errors import ErrorOut

ERRORS = {
    400: "Malformed request (the body is not valid JSON)",
    401: "A key, cookie or admin token is missing or not valid",
    403: "This role may not do this",
    404: "No such session, item or page",
    409: "Not allowed in the item's current state",
    411: "A chunked body where a Content-Length is required (anonymous writes)",
    413: "Request body too large",
    422: "A value is missing, out of range or not valid",
    429: "Too many requests: slow down",
    # Answered by the connection layer (app.limits_net) before any route, so on every one:
    408: "The request's headers or body arrived too slowly",
    431: "Request headers too large",
    503: "Too many connections from this address, or the server is not ready",
}
_REF = {"$ref": "#/components/schemas/ErrorOut"}
_FASTAPI_ERRORS = ("HTTPValidationError", "ValidationError")


def _page_types(op: dict[str, Any]) -> set[str]:
    """The media types of an operation whose success is not JSON (an HTML page, the README
    as text): its errors may come in that type too. Empty for a JSON operation."""
    types: set[str] = set()
    for status, response in op.get("responses", {}).items():
        if str(status).startswith("2"):
            content = response.get("content") or {}
            if content and "application/json" not in content:
                types |= set(content)
    return types


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the `ErrorOut` answers to every operation; drop FastAPI's array-shaped 422."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name in _FASTAPI_ERRORS:
        components.pop(name, None)
    components["ErrorOut"] = ErrorOut.model_json_schema()
    for item in schema.get("paths", {}).values():
        for op in item.values():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            responses = op["responses"]
            content: dict[str, Any] = {"application/json": {"schema": _REF}}
            if page := _page_types(op):
                for media in page | {"text/html"}:
                    content[media] = {"schema": {"type": "string"}}
            for status, description in ERRORS.items():
                responses[str(status)] = {"description": description, "content": content}
    return schema


def install(app: FastAPI) -> None:
    """`app.openapi()` (and /openapi.json) serve the corrected document, built once."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_errors(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
