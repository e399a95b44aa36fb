"""Duplicate suggestions with the real model: across languages, and not for a hard negative."""

from __future__ import annotations

import numpy as np
import pytest

from app.triage import Embedder, Message, SessionIndex, Triage, load_embedder


@pytest.fixture(scope="module")
def triage() -> Triage:
    loaded = load_embedder()
    assert loaded.embedder is not None, loaded.reason
    return Triage.load(embedder_load=loaded)


def test_the_default_model_fits_the_protocol_and_normalises(triage: Triage):
    assert isinstance(triage.embedder, Embedder)
    vectors = triage.embedder.embed(["How will the data be protected?", "数据将如何得到保护？"])
    assert vectors.shape == (2, 512) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_a_french_question_finds_its_english_twin_not_the_hard_negative(triage: Triage):
    index = triage.new_index()
    first = triage.analyse(index, [
        Message(1, "Who funds data-for-good initiatives like the ones presented today?", "zoom"),
        Message(2, "How much did the initiatives presented today cost?", "mastodon"),
        Message(3, "Great panel, thank you all.", "zoom"),
    ])
    assert [a.kind for a in first] == ["question", "question", "comment"]
    assert first[1].similar == ()  # same topic, asks something else
    [fr] = triage.analyse(index, [Message(
        4, "Qui finance les initiatives de données pour le bien commun comme celles "
           "présentées aujourd'hui ?", "zoom")])
    assert fr.lang == "fr" and fr.kind == "question"
    assert [s.id for s in fr.similar] == [1]
    assert fr.similar[0].score >= index.threshold


@pytest.mark.parametrize(("earlier", "later"), [
    ("What happens to the data once the project is over?", "项目结束后，这些数据会怎么处理？"),
    ("¿Cómo miden el impacto de un proyecto de datos para el bien común?",
     "كيف تقيسون أثر مشروع البيانات من أجل الصالح العام؟"),
    ("Как вы получаете согласие людей, чьи данные используются?",
     "Como vocês obtêm o consentimento das pessoas cujos dados são usados?"),
])
def test_cross_language_twins(triage: Triage, earlier: str, later: str):
    index = triage.new_index()
    triage.analyse(index, [Message(10, earlier)])
    [result] = triage.analyse(index, [Message(11, later)])
    assert [s.id for s in result.similar] == [10]


def test_different_numbers_make_a_different_question(triage: Triage):
    index = triage.new_index()
    triage.analyse(index, [Message(1, "How many countries have joined the framework since 2024?")])
    [other_year] = triage.analyse(index, [
        Message(2, "How many countries had joined the framework by 2020?")])
    [same] = triage.analyse(index, [
        Message(3, "Combien de pays ont rejoint le cadre depuis 2024 ?")])
    assert other_year.similar == ()
    assert [s.id for s in same.similar] == [1]


def test_the_index_is_bounded_and_forgets_the_oldest(triage: Triage):
    index = SessionIndex(capacity=2, threshold=triage.new_index().threshold)
    triage.analyse(index, [
        Message(1, "Where can we find the slides and the report of this session?"),
        Message(2, "How can young people take part in shaping data governance at the IGF?"),
        Message(3, "What exactly is a data trust and how does it work?"),
    ])
    assert len(index) == 2 and 1 not in index and 3 in index
    [late] = triage.analyse(index, [
        Message(4, "Où peut-on trouver les diapositives et le compte rendu de cette session ?")])
    assert late.similar == ()  # its twin was the oldest row, overwritten


def test_one_suggestion_per_cluster_and_at_most_three(triage: Triage):
    index = triage.new_index()
    triage.analyse(index, [
        Message(1, "How will personal data be protected when it is shared for these projects?"),
        Message(2, "Comment les données personnelles seront-elles protégées lorsqu'elles "
                   "sont partagées pour ces projets ?"),
        Message(3, "¿Cómo se protegerán los datos personales cuando se compartan para "
                   "estos proyectos?"),
    ])
    [pt] = triage.analyse(index, [Message(4, "Como os dados pessoais serão protegidos "
                                            "quando forem compartilhados para esses projetos?")])
    # 2 and 3 joined 1's cluster when their suggestions were made: one card, one suggestion.
    assert len(pt.similar) == 1 and pt.similar[0].id in {1, 2, 3}
