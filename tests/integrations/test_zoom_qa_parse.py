"""Q&A report (API JSON and CSV export) → questions with answered state and answer text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from integrations.zoom_qa import parse_qa_csv, parse_report

from .zoom_support import payload_json

# Mirrors the export from Zoom's web portal (Reports > Webinar > Q&A Report); Zoom publishes
# no schema, so this follows the layout seen in exports: a preamble, then one row per question.
CSV = (
    "\ufeffQuestion and Answer Report\r\n"
    'Report Generated:,"Nov 14, 2023 11:30 PM"\r\n'
    "Topic,Webinar ID,Actual Start Time,Actual Duration (minutes),# Question\r\n"
    '"Hybrid round table","857 4606 5432","Nov 14, 2023 10:00 PM",60,4\r\n'
    "\r\n"
    "Question Details\r\n"
    "#,Question,Asker Name,Asker Email,Answer(s)\r\n"
    '1,"Will the slides be shared after the session?",Jill Chill,jchill@example.com,'
    '"Yes, by email."\r\n'
    '2,"Can we, ""the remote people"", vote too?",Ana P,,\r\n'
    '3,"A question\nover two lines?",Bo,bo@example.org,First answer,Second answer\r\n'
    '4,"Can we, ""the remote people"", vote too?",Ana P,,\r\n'
)


def test_report_sample_gives_the_question_its_asker_and_its_answer() -> None:
    (question,) = parse_report(payload_json("zoom-webinar-qa-report.json"))
    msg = question.message
    assert msg.channel == "zoom_qa"
    assert msg.text == "Will the slides be shared after the session?"
    assert msg.author_name == "Jill Chill"
    assert msg.author_id == "jchill@example.com"
    assert msg.sent_at == datetime(2023, 11, 14, 22, 10, 5, tzinfo=UTC)
    assert question.answered is True
    assert question.answer_text == "Yes, by email."  # not repeated from `answer`
    assert question.status == "QUESTION_STATUS_PLACEHOLDER"


def test_unanswered_and_deleted_questions() -> None:
    report = {
        "questions": [
            {
                "name": "Ana P",
                "email": "",
                "question_details": [
                    {"question": "Open one?", "question_status": "open", "answer": ""},
                    {"question": "Gone?", "question_status": "deleted"},
                    {"question": "Answered live?", "question_status": "answered"},
                    {"question": "   "},
                ],
            },
            "not an object",
        ]
    }
    got = [(q.message.text, q.answered, q.answer_text) for q in parse_report(report)]
    assert got == [("Open one?", False, None), ("Answered live?", True, None)]


def test_csv_export_is_read_with_its_preamble_quotes_and_line_breaks() -> None:
    questions = parse_qa_csv(CSV.encode("utf-8"))
    assert [q.message.text for q in questions] == [
        "Will the slides be shared after the session?",
        'Can we, "the remote people", vote too?',
        "A question\nover two lines?",
        'Can we, "the remote people", vote too?',
    ]
    first, second, third, fourth = questions
    assert (first.answered, first.answer_text) == (True, "Yes, by email.")
    assert first.message.author_id == "jchill@example.com"
    assert (second.answered, second.answer_text, second.message.author_id) == (False, None, None)
    assert third.answer_text == "First answer\n\nSecond answer"
    # The same person asking the same thing twice is two questions, each with a stable id.
    assert second.message.external_id != fourth.message.external_id
    assert all(q.message.channel == "zoom_qa" for q in questions)


def test_csv_and_api_give_the_same_id_so_imports_do_not_duplicate() -> None:
    from_api = parse_report(payload_json("zoom-webinar-qa-report.json"))
    from_csv = parse_qa_csv(CSV)
    assert from_api[0].message.external_id == from_csv[0].message.external_id
    again = parse_qa_csv(CSV)
    assert [q.message.external_id for q in again] == [q.message.external_id for q in from_csv]


def test_csv_headers_match_case_insensitively_in_any_order() -> None:
    csv_text = "ANSWER(S),asker email,Asker  Name,question\nSure,,Kim,Is it recorded?\n"
    (question,) = parse_qa_csv(csv_text)
    assert (question.message.text, question.message.author_name) == ("Is it recorded?", "Kim")
    assert question.answer_text == "Sure"


def test_csv_in_windows_encoding_is_read() -> None:
    text = "#,Question,Asker Name,Asker Email,Answer(s)\r\n1,Café ouvert ?,Zoé,,\r\n"
    (question,) = parse_qa_csv(text.encode("cp1252"))
    assert (question.message.text, question.message.author_name) == ("Café ouvert ?", "Zoé")


@pytest.mark.parametrize(
    "data",
    [b"", b"name,email\nAna,ana@example.org\n", "Topic,Webinar ID\nX,1\n", b"\x00\x01\x02"],
)
def test_a_file_that_is_not_a_qa_report_is_refused_clearly(data: bytes | str) -> None:
    with pytest.raises(ValueError, match="not a Zoom Q&A report"):
        parse_qa_csv(data)
