"""The session index's scoring rules on hand-made unit vectors (no model needed)."""

from __future__ import annotations

import numpy as np

from app.triage import Scoring, SessionIndex


def unit(*xs: float) -> np.ndarray:
    v = np.zeros(8, dtype=np.float32)
    v[: len(xs)] = xs
    return v / np.linalg.norm(v)


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b)


def test_plain_scoring_is_the_cosine():
    index = SessionIndex(dim=8, threshold=0.5, scoring=Scoring.plain())
    a, q = unit(1, 0.3), unit(1, 0.6)
    index.add(1, a, "en", "What happens to the data in 2024?")
    [s] = index.suggest(q, "en", "What happens to the data in 2020?")
    assert s.id == 1 and abs(s.score - cosine(a, q)) < 1e-4


def test_same_language_numbers_and_pair_offsets_lower_the_score():
    scoring = Scoring(number_penalty=0.15, same_language_penalty=0.1, cluster_weight=0.0,
                      pair_offsets=(("en", "fr", 0.05),))
    a, q = unit(1, 0.3), unit(1, 0.5)
    c = cosine(a, q)
    index = SessionIndex(dim=8, threshold=0.0, scoring=scoring)
    index.add(1, a, "en", "since 2024")
    assert abs(index.suggest(q, "en", "since 2024")[0].score - (c - 0.1)) < 1e-4
    assert abs(index.suggest(q, "en", "since 2020")[0].score - (c - 0.25)) < 1e-4
    assert abs(index.suggest(q, "fr", "depuis 2024")[0].score - (c - 0.05)) < 1e-4
    assert abs(index.suggest(q, "ru", "since 2024")[0].score - c) < 1e-4  # no offset known


def test_a_cluster_gives_one_suggestion_scored_by_all_its_members():
    scoring = Scoring(number_penalty=0.0, same_language_penalty=0.0, cluster_weight=0.5,
                      pair_offsets=())
    index = SessionIndex(dim=8, threshold=0.3, scoring=scoring)
    near, far, q = unit(1, 0.1), unit(1, 1.5), unit(1, 0.2)
    index.add(1, near, "en", "")
    index.add(2, far, "fr", "", joins=1)
    [s] = index.suggest(q, "es", "")
    expected = 0.5 * cosine(near, q) + 0.5 * (cosine(near, q) + cosine(far, q)) / 2
    assert s.id == 1 and abs(s.score - expected) < 1e-4
    index.unlink(2)
    assert [x.id for x in index.suggest(q, "es", "")] == [1, 2]
    index.link(2, 1)
    assert [x.id for x in index.suggest(q, "es", "")] == [1]


def test_below_the_threshold_nothing_is_suggested_and_at_most_three():
    index = SessionIndex(dim=8, threshold=0.9, scoring=Scoring.plain())
    for i in range(5):
        index.add(i, unit(1, 0.01 * i), "en", "")
    index.add(9, unit(0, 1), "en", "")
    found = index.suggest(unit(1), "fr", "")
    assert [s.id for s in found] == [0, 1, 2]
    assert index.suggest(unit(0, 0, 1), "fr", "") == []


def test_a_merged_question_is_suggested_as_the_one_it_went_into_with_its_sources():
    index = SessionIndex(dim=8, threshold=0.5, scoring=Scoring.plain())
    index.add(1, unit(0, 1), "en", "")  # A: far from the new question
    index.add(2, unit(1, 0.1), "en", "")  # B: its twin
    index.add(3, unit(1, 0.2), "en", "")  # C: merged into B before B went into A
    q = unit(1, 0.15)
    index.link(3, 2)
    assert [s.id for s in index.suggest(q, "en", "")] == [2]  # B and C: one card, B
    index.link(2, 1)
    assert [s.id for s in index.suggest(q, "en", "")] == [1]  # A's cluster, named A
    index.unlink(2)  # B comes back with C, which is still merged into it
    assert [s.id for s in index.suggest(q, "en", "")] == [2]
    index.unlink(3)
    assert sorted(s.id for s in index.suggest(q, "en", "")) == [2, 3]


def test_merged_into_a_question_the_index_never_held_it_is_named_once():
    index = SessionIndex(dim=8, threshold=0.5, scoring=Scoring.plain())
    index.add(2, unit(1, 0.1), "en", "")
    index.add(3, unit(1, 0.2), "en", "")
    index.link(2, 9)  # 9: a comment, never indexed
    index.link(3, 9)
    assert [s.id for s in index.suggest(unit(1, 0.15), "en", "")] == [9]
