"""Schemathesis against a real server: no 5xx, and every answer as the OpenAPI says.

Driven by /openapi.json, not by a route list: a route added later is tested too. Two
engines (SQLite, PostgreSQL) x two callers (the admin token; the moderator key of a
session created first, whose slug every path keeps so requests reach past the lookup).
Per operation: schema-valid requests (positive) and schema-breaking ones (negative);
then the stateful phase chains operations through the links schemathesis infers.
Bounded: a few examples per operation, no shrinking, no deadline per example.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.servers import LiveServer, audience_cookies

pytestmark = pytest.mark.timeout(600)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = {GenerationMode.POSITIVE: 5, GenerationMode.NEGATIVE: 5}
KNOWN_IDS = 5
#: Operations that would make the server call out of this machine: a configured social
#: connector starts a real client against the URL or API key it was given.
OUTBOUND = re.compile(r"^PUT /api/sessions/\{slug\}/connectors/\{channel\}$")
AGENDA = [
    {"title": "Opening", "minutes": 5, "kind": "opening"},
    {"title": "Debate", "minutes": 30, "kind": "debate", "speaker": "Ana Pérez"},
]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One server per engine; each caller gets a session of its own."""
    url = "" if request.param == "sqlite" else request.getfixturevalue("pg_schema_url")
    srv = LiveServer(tmp_path_factory.mktemp("schemathesis"), database_url=url).start()
    try:
        yield srv
    finally:
        srv.stop()


@dataclass
class Seeded:
    """A session with an agenda, a question, a poll and a note, and their ids."""

    slug: str
    key: str
    ids: dict[str, int]


def _seeded_session(server: LiveServer) -> Seeded:
    made = server.create_session("Schemathesis round table", agenda=AGENDA)
    slug, key = made["slug"], made["keys"]["moderator"]
    auth = {"Authorization": f"Bearer {key}"}
    base = f"{server.url}/api/sessions/{slug}"
    phone = audience_cookies(server.url, slug)  # asking needs the id the audience page issues
    with httpx.Client(headers=auth, cookies=phone, timeout=10) as c:
        question = c.post(f"{base}/questions", json={"text": "What about data?"}).json()
        poll = {"question": "Which?", "kind": "single", "options": ["a", "b"]}
        poll_id = c.post(f"{base}/polls", json=poll).json()["id"]
        note_id = c.post(f"{base}/notes", json={"kind": "wrap_up"}).json()["id"]
        segment_id = c.get(f"{base}/timer").json()["agenda"][0]["id"]
    ids = {
        "question_id": question["id"],
        "poll_id": poll_id,
        "note_id": note_id,
        "segment_id": segment_id,
    }
    return Seeded(slug, key, ids)


def _failures(server: LiveServer, headers: dict[str, str], seeded: Seeded) -> list[str]:
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    found: list[str] = []
    for result in schema.get_all_operations():
        op = result.ok()
        label = f"{op.method.upper()} {op.path}"
        if OUTBOUND.match(label):
            continue
        names = set(re.findall(r"\{(\w+)\}", op.path))
        fixed = {"slug": seeded.slug} if "slug" in names else None
        for mode, count in EXAMPLES.items():
            strategy = op.as_strategy(generation_mode=mode, path_parameters=fixed)
            _explore(strategy, count, f"{label} [{mode.value}]", server.url, headers, found)
        known = {k: v for k, v in seeded.ids.items() if k in names}
        if known:  # and with the ids of real rows, so the handler's own logic runs
            strategy = op.as_strategy(path_parameters={**(fixed or {}), **known})
            _explore(strategy, KNOWN_IDS, f"{label} [known ids]", server.url, headers, found)
    found += _stateful(schema, server, headers, seeded.slug)
    return found


def _explore(
    strategy: Any, count: int, label: str, url: str, headers: dict[str, str], found: list[str]
) -> None:
    """`count` generated requests; every failed check is collected (no shrinking)."""

    @settings(
        max_examples=count,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def run(case: Any) -> None:
        response = case.call(base_url=url, headers=headers, timeout=10)
        try:
            case.validate_response(response, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collected, all reported
            found.append(f"{label} {response.status_code}: {exc}\n  {case.as_curl_command()}")

    with contextlib.suppress(Unsatisfiable):  # negative mode: no input there to break
        run()


def _stateful(schema: Any, server: LiveServer, headers: dict[str, str], slug: str) -> list[str]:
    """Sequences of calls along the links schemathesis infers (ids from earlier answers)."""
    found: list[str] = []
    base = schema.as_state_machine()

    class Machine(base):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            if "slug" in (case.path_parameters or {}):
                case.path_parameters["slug"] = slug
            return {"base_url": server.url, "headers": headers, "timeout": 10}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            label = f"{case.operation.method.upper()} {case.operation.path}"
            try:
                case.validate_response(response, checks=CHECKS)
            except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collected
                found.append(f"{label} [stateful] {response.status_code}: {exc}")

        def call(self, case: Any, **kwargs: Any) -> Any:
            label = f"{case.operation.method.upper()} {case.operation.path}"
            if OUTBOUND.match(label):
                case.path_parameters["channel"] = "not-called"  # answered without a client
            return case.call(**kwargs)

    Machine.run(
        settings=settings(
            max_examples=10,
            stateful_step_count=5,
            deadline=None,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
    )
    return found


def test_admin_token_gets_no_5xx_and_only_documented_answers(server: LiveServer) -> None:
    seeded = _seeded_session(server)
    found = _failures(server, {"Authorization": f"Bearer {server.admin_token}"}, seeded)
    assert not found, f"{len(found)} findings:\n" + "\n".join(found[:40])


def test_moderator_key_gets_no_5xx_and_only_documented_answers(server: LiveServer) -> None:
    seeded = _seeded_session(server)
    found = _failures(server, {"Authorization": f"Bearer {seeded.key}"}, seeded)
    assert not found, f"{len(found)} findings:\n" + "\n".join(found[:40])
