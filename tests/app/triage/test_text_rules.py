"""Language, question or comment, personal data and abuse flags on a few cases per language."""

from __future__ import annotations

import pytest

from app.triage import LanguageDetector, classify_kind, find_personal_data, mask_personal_data
from app.triage.abuse import AbuseLexicon


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector()


CASES = [
    # (lang, text, kind)
    ("en", "How will the data be protected?", "question"),
    ("en", "Please explain how consent is collected from these people", "question"),
    ("en", "What a great initiative!", "comment"),
    ("en", "Totally agree with the last speaker on consent.", "comment"),
    ("fr", "Comment les données seront-elles protégées ?", "question"),
    ("fr", "Pourriez-vous préciser qui finance ce projet", "question"),
    ("fr", "Merci pour cette présentation très claire.", "comment"),
    ("es", "¿Cómo se protegerán los datos personales?", "question"),
    ("es", "Me gustaría saber quién financia estas iniciativas", "question"),
    ("es", "Hay que proteger los datos de las personas más vulnerables.", "comment"),
    ("pt", "Quem financia as iniciativas de dados para o bem comum", "question"),
    ("pt", "Muito interessante o caso do Quênia, parabéns.", "comment"),
    ("ru", "Как будут защищены персональные данные", "question"),
    ("ru", "Будет ли запись доступна на других языках", "question"),
    ("ru", "Спасибо за интересный доклад, коллеги.", "comment"),
    ("ru", "Как интересно!", "comment"),
    ("ar", "كيف ستتم حماية البيانات الشخصية؟", "question"),
    ("ar", "هل سيكون التسجيل متاحاً بلغات أخرى", "question"),
    ("ar", "شكرا على العرض الرائع والمفيد جدا.", "comment"),
    ("zh", "数据将如何得到保护？", "question"),
    ("zh", "本次会议的录像会提供其他语言版本吗", "question"),
    ("zh", "非常精彩的发言，谢谢！", "comment"),
]


@pytest.mark.parametrize(("lang", "text", "kind"), CASES)
def test_language_and_kind(detector: LanguageDetector, lang: str, text: str, kind: str):
    assert detector.detect(text) == lang
    assert classify_kind(text, lang) == kind


def test_question_marks_of_every_script_make_a_question():
    for text in ("Data retention", "Data retention¿", "الاحتفاظ بالبيانات؟", "数据保留？"):
        expected = "comment" if text == "Data retention" else "question"
        assert classify_kind(text, "und") == expected


def test_a_greeting_before_the_question_does_not_hide_it():
    assert classify_kind("Hi all, what happens to the data after the project", "en") == \
        "question"
    assert classify_kind("Bonjour à tous, qui finance ce projet", "fr") == "question"
    assert classify_kind("Hello everyone from Nairobi!", "en") == "comment"


def test_too_short_to_tell_is_undetermined(detector: LanguageDetector):
    assert detector.detect("ok") == "und"
    assert detector.detect("👍 +1") == "und"


def test_personal_data_is_found_and_masked():
    text = "Write to ana.silva@example.org or call +41 22 791 21 11 (office 022 791 2111)."
    assert find_personal_data(text) == ["email", "phone"]
    masked = mask_personal_data(text)
    assert "ana.silva" not in masked and "791" not in masked
    assert masked == "Write to [e-mail] or call [phone] (office [phone])."


def test_numbers_that_are_not_phones_stay():
    text = "Between 2023-2025, 1.000.000.000 people and 45 countries; see report 12345."
    assert find_personal_data(text) == []
    assert mask_personal_data(text) == text


def test_abuse_flag_per_language_and_policy_words_are_not_abuse():
    lexicon = AbuseLexicon(("ar", "zh", "en", "fr", "ru", "es", "pt"))
    for text in ("You are all idiots", "Ferme-la, connard", "ты мудак", "这是狗屎",
                 "أنت غبي", "cállate, imbécil", "cala a boca, otário"):
        assert lexicon.is_abusive(text), text
    for text in ("Los datos sobre el asesinato de periodistas", "O debate sobre o aborto",
                 "How will the data be protected?", "Classic assessment of Scunthorpe data",
                 "数据将如何得到保护？"):
        assert not lexicon.is_abusive(text), text
