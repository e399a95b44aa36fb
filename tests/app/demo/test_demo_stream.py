"""The demo simulator's stream looks like a real remote audience, not a loop of a dozen texts:
several UN languages, greetings and comments besides questions, and the same question asked
again on another channel (reworded or translated), which the moderator has to spot."""

from __future__ import annotations

import itertools
import re
from collections import Counter

from app.demo.stream import CHANNEL_DECK, content, remote_stream

SCRIPTS = {
    "ar": re.compile(r"[\u0600-\u06ff]"),
    "zh": re.compile(r"[\u4e00-\u9fff]"),
    "ru": re.compile(r"[\u0400-\u04ff]"),
}
QUESTION_MARKS = ("?", "？", "؟")


def _take(n: int, seed: int = 2023) -> list:
    return list(itertools.islice(remote_stream(seed), n))


def test_three_hundred_messages_rarely_repeat_and_mix_languages_and_kinds():
    msgs = _take(300)
    texts = [m.text for m in msgs]
    repeats = len(texts) - len(set(texts))
    assert repeats < 30, Counter(texts).most_common(5)
    langs = Counter(m.lang for m in msgs)
    assert len(langs) >= 5 and min(langs.values()) >= 10, langs
    for lang, script in SCRIPTS.items():  # what is labelled Arabic is written in Arabic
        assert all(script.search(m.text) for m in msgs if m.lang == lang), lang
    assert {m.channel for m in msgs} == set(CHANNEL_DECK)
    statements = [t for t in texts if not any(q in t for q in QUESTION_MARKS)]
    assert len(statements) >= 30, "comments, greetings, audio reports: not only questions"
    assert all(m.name and m.text.strip() for m in msgs)


def test_a_ninety_minute_session_at_the_default_pace_hardly_repeats():
    msgs = _take(90 * 60 // 7, seed=11)
    texts = [m.text for m in msgs]
    assert len(texts) - len(set(texts)) < len(texts) * 0.05


def test_the_same_question_comes_back_reworded_or_translated_on_another_channel():
    msgs = _take(300)
    phrasings = {  # each known phrasing of a recurring question -> that question
        p: theme
        for theme, langs in content()["themes"].items()
        for options in langs.values()
        for p in options
    }

    def asked(text: str) -> tuple[str, str] | None:
        return next(((t, p) for p, t in phrasings.items() if p in text), None)

    pairs = []
    for a, b in itertools.combinations(msgs, 2):
        qa, qb = asked(a.text), asked(b.text)
        if qa and qb and qa[0] == qb[0] and qa[1] != qb[1] and a.channel != b.channel:
            pairs.append((a, b))
    assert len(pairs) >= 10
    assert any(a.lang != b.lang for a, b in pairs), "translated"
    assert any(a.lang == b.lang for a, b in pairs), "reworded in the same language"
    assert all(a.name != b.name for a, b in pairs if a.lang != b.lang)


def test_the_stream_is_the_same_for_a_seed_and_differs_between_seeds():
    assert _take(50, seed=5) == _take(50, seed=5)
    assert [m.text for m in _take(50, seed=5)] != [m.text for m in _take(50, seed=6)]


def test_every_template_fills_in_every_language():
    # Thousands of draws reach every template; an unknown {slot} would raise here.
    msgs = _take(3000, seed=1)
    assert not any("{" in m.text or "}" in m.text for m in msgs)
    assert {m.kind for m in msgs} >= {"question", "comment", "greeting", "offtopic", "tech",
                                      "echo", "crosspost"}
