"""/openapi.json declares the errors the server sends: `{"detail": string}`, never an array."""

from __future__ import annotations

import httpx

from app.openapi import ERRORS
from tests.servers import LiveServer


def test_every_operation_declares_its_errors_as_one_detail_string(live_server: LiveServer) -> None:
    doc = httpx.get(f"{live_server.url}/openapi.json").json()
    schemas = doc["components"]["schemas"]
    assert schemas["ErrorOut"]["properties"]["detail"]["type"] == "string"
    assert "HTTPValidationError" not in schemas and "ValidationError" not in schemas
    ops = [op for item in doc["paths"].values() for op in item.values()]
    assert len(ops) > 30
    for op in ops:
        for status in ERRORS:
            content = op["responses"][str(status)]["content"]
            ref = content["application/json"]["schema"]["$ref"]
            assert ref == "#/components/schemas/ErrorOut", (op["operationId"], status)


def test_a_422_really_is_one_detail_string(live_server: LiveServer) -> None:
    r = httpx.post(
        f"{live_server.url}/api/sessions",
        json={"title": 5, "agenda": "no"},
        headers={"Authorization": f"Bearer {live_server.admin_token}"},
    )
    assert r.status_code == 422
    assert list(r.json()) == ["detail"] and isinstance(r.json()["detail"], str)
    assert "title" in r.json()["detail"] and "agenda" in r.json()["detail"]
