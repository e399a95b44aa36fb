"""A read still running when the store stops does not leave its connection open.

At shut-down a socket handler or a request can be halfway through a read in a thread when
`Store.stop()` disposes the pools. Its connection then went back to a pool nobody held and
stayed open until the garbage collector found it, when psycopg warned "deleted while still
open" inside whichever test or request happened to run then (a CI run failed that way).
"""

from __future__ import annotations

import threading

from sqlalchemy import text

from app.db import Store
from app.migrate import upgrade


def test_a_read_in_flight_at_stop_closes_its_connection(pg_url: str) -> None:
    upgrade(pg_url)
    store = Store(pg_url)
    store.start()
    reading, release = threading.Event(), threading.Event()
    held: dict[str, object] = {}

    def slow_read() -> None:
        with store.engine.connect() as conn:
            held["raw"] = conn.connection.dbapi_connection
            conn.execute(text("SELECT 1"))
            reading.set()
            release.wait(10)

    reader = threading.Thread(target=slow_read)
    reader.start()
    assert reading.wait(10)
    store.stop()  # the server shuts down while the read runs
    release.set()
    reader.join(10)
    assert held["raw"].closed  # type: ignore[attr-defined]


def test_a_stopped_store_can_start_again_and_read(pg_url: str) -> None:
    upgrade(pg_url)
    store = Store(pg_url)
    store.start()
    store.stop()
    store.start()
    try:
        assert store.read_sync(lambda db: db.exec(text("SELECT 1")).scalar()) == 1  # type: ignore[call-overload]
    finally:
        store.stop()
