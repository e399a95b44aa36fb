"""Audience ids are issued without a system call that releases the GIL on the event loop,
and stay what they were: unique, unguessable, in the cookie format phones already hold."""

from __future__ import annotations

import os
import zlib

from itsdangerous import URLSafeSerializer

from app.auth import Signer


def test_an_id_is_issued_without_zlib_and_reads_back(monkeypatch):
    signer = Signer("cookie-key")

    def refuse(*_a, **_kw):
        raise AssertionError("zlib releases the GIL: not on the event loop")

    monkeypatch.setattr(zlib, "compress", refuse)
    aid, value = signer.new_audience_id()
    assert signer.read_audience(value) == aid
    assert len(aid) == 16 and aid.replace("-", "").replace("_", "").isalnum()


def test_cookies_issued_before_still_read_and_the_format_is_the_same():
    old = URLSafeSerializer("cookie-key", salt="fb-audience")
    signer = Signer("cookie-key")
    assert signer.read_audience(old.dumps("AbCdEfGhIjKlMnOp")) == "AbCdEfGhIjKlMnOp"
    aid, value = signer.new_audience_id()
    assert value == old.dumps(aid)  # byte for byte what the compressing serializer wrote
    assert Signer("another-key").read_audience(value) is None


def test_ids_never_repeat_and_one_random_read_serves_many(monkeypatch):
    calls: list[int] = []
    real = os.urandom
    monkeypatch.setattr(os, "urandom", lambda n: calls.append(n) or real(n))
    signer = Signer("cookie-key")
    ids = {signer.new_audience_id()[0] for _ in range(1000)}
    assert len(ids) == 1000
    assert len(calls) <= 4  # 256 ids per call, not one system call per page load


def test_a_forked_worker_does_not_hand_out_its_parent_s_ids():
    signer = Signer("cookie-key")
    signer.new_audience_id()  # the parent's buffer is filled
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: one id, to the parent, then out
        os.write(write, signer.new_audience_id()[0].encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    child_id = os.read(read, 64).decode()
    os.close(read)
    assert child_id and child_id != signer.new_audience_id()[0]
