"""Every action the audit trail can record is said in words in the report: no internal
code (`merged_in`, `poll.hide_screen`, `timer.jump`) reaches a reader."""

from __future__ import annotations

from app.agenda.service import ACTIONS as TIMER_ACTIONS
from app.polls.service import ACTIONS as POLL_ACTIONS
from app.questions.service import TRANSITIONS
from app.report.words import ACTION_WORDS, action_sentence, audit_kind

RECORDED = {
    *TRANSITIONS,
    "edit",
    "merge",
    "unmerge",
    "next",
    "upvote",
    *(f"timer.{a}" for a in TIMER_ACTIONS),
    "timer.settings",
    *(f"agenda.{a}" for a in ("add", "edit", "remove", "reorder")),
    *(f"poll.{a}" for a in (*POLL_ACTIONS, "create")),
    "poll.join_code",
    "connector.pause",
    "connector.resume",
}


def test_every_recorded_action_has_words():
    missing = sorted(a for a in RECORDED if a not in ACTION_WORDS)
    assert missing == []


def test_twins_are_not_counted_and_sentences_have_no_codes():
    assert audit_kind("merged_in", {"source": 3}) is None
    assert audit_kind("unmerged_out", {"source": 3}) is None
    assert audit_kind("edit", {"position": 2}) == "reorder"
    assert audit_kind("edit", {"text": "new"}) == "edit"
    assert action_sentence("connector.pause", None, {"channel": "mastodon"}) == (
        "Paused the mastodon channel"
    )
    assert action_sentence("dismiss", 4, {"reason": "duplicate"}) == "Declined #4 (duplicate)"
    for kind in ACTION_WORDS:
        sentence = action_sentence(kind, 1, {"poll_id": 2, "title": "T", "channel": "x"})
        assert "{" not in sentence and "_" not in sentence and "." not in sentence, kind
