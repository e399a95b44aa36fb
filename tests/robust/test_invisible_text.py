"""What `strip_invisible` keeps and drops (app/text.py), and that every input type uses it."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from app.inputs import MAX_ID, CleanJson, CleanLine, CleanText, Id, Title
from app.text import clean_name, clean_text, strip_invisible

KEPT = [
    "حوار حول البيانات",  # Arabic
    "שאלה מהקהל",  # Hebrew
    "می\u200cخواهم",  # Persian: ZWNJ between letters
    "👩\u200d💻 👨\u200d👩\u200d👧 ❤\ufe0f\u200d🔥",  # emoji ZWJ sequences
    "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",  # Scotland's flag
    "Café\tau lait\nnext",
]


@pytest.mark.parametrize("text", KEPT)
def test_real_text_in_every_script_is_kept_as_it_is(text: str) -> None:
    assert strip_invisible(text) == text


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("abc\u202edef\u202c", "abcdef"),  # right-to-left override ("Trojan Source")
        ("\u202a\u202b\u202d x", " x"),  # embeddings, left-to-right override
        ("\u2066a\u2067b\u2068c\u2069", "abc"),  # isolates
        ("a\u200bb\u2060c\ufeffd", "abcd"),  # zero-width space, word joiner, BOM
        ("\u200eleft\u200f\u061c", "left"),  # bidi marks
        ("a\u200db", "ab"),  # ZWJ between letters joins no emoji
        ("a\u200c", "a"),  # ZWNJ at the end joins nothing
        ("👋🏽\u200d", "👋🏽"),
        ("hi\U000e0041\U000e0042", "hi"),  # tag characters outside a flag (smuggled text)
        ("nul\x00 bel\x07 esc\x1b del\x7f", "nul bel esc del"),
        ("soft\u00adhyphen", "softhyphen"),
        ("lone \ud800 surrogate", "lone  surrogate"),
    ],
)
def test_hiding_and_reordering_characters_are_dropped(raw: str, shown: str) -> None:
    assert strip_invisible(raw) == shown


def test_clean_text_and_names_use_the_same_rules() -> None:
    assert clean_text("  a\u202eb\u200b c ") == "ab c"
    assert clean_name("Ana\u2066 Pérez\x00") == "Ana Pérez"
    assert clean_name("می\u200cخواهم") == "می\u200cخواهم"


class Everything(BaseModel):
    title: Title
    line: CleanLine | None = None
    text: CleanText | None = None
    settings: CleanJson = {}
    id: Id = 1


def test_the_input_types_clean_and_bound_at_the_edge() -> None:
    m = Everything(
        title=" Round\u202e  table ",
        line="a\nb\x00",
        text="one\r\ntwo\u200b",
        settings={"key\x00": ["v\u202e", {"deep": "x\u2066"}], "n": 3},
        id=MAX_ID,
    )
    assert (m.title, m.line, m.text) == ("Round table", "a b", "one\ntwo")
    assert m.settings == {"key": ["v", {"deep": "x"}], "n": 3}
    bad_ones = [{"title": "\u200b"}, {"title": "t", "id": MAX_ID + 1}, {"title": "t", "id": 0}]
    for bad in bad_ones:
        with pytest.raises(ValidationError):
            Everything(**bad)
