"""Untrusted text becomes clean plain text; names follow the session's privacy policy."""

import pytest

from app.errors import Invalid
from app.privacy.pseudonyms import author_hash, display_name
from app.text import CUT_MARK, MAX_TEXT, clean_text, initials


def test_text_is_normalised_and_folded():
    assert (
        clean_text("  Cafe\u0301 \t  au\u200b  lait\x00 \r\n\r\n\r\n\r\nnext  ")
        == "Café au lait\n\nnext"
    )


def test_html_stays_literal_text():
    raw = "<img src=x onerror=alert(1)> <script>alert(1)</script>"
    assert clean_text(raw) == raw


@pytest.mark.parametrize("empty", ["", "   ", "\n\t\u200b\x07"])
def test_empty_text_is_rejected(empty):
    with pytest.raises(Invalid, match="empty"):
        clean_text(empty)


def test_long_text_is_cut_visibly():
    out = clean_text("word " * 1000)
    assert len(out) <= MAX_TEXT and out.endswith(CUT_MARK)


def test_initials_and_policies():
    assert initials("Ana María Pérez") == "A. M. P."
    assert display_name("full", " Ana\u202e  Pérez ") == "Ana Pérez"
    assert display_name("initials", "jill chill") == "J. C."
    assert display_name("anonymous", "Jill Chill") is None


def test_author_hash_is_stable_per_session_and_hides_the_id():
    a = author_hash("secret-1", "zoom_chat", "jchill@example.com")
    assert a == author_hash("secret-1", "zoom_chat", "jchill@example.com")
    assert a != author_hash("secret-2", "zoom_chat", "jchill@example.com")
    assert "jchill" not in a and len(a) == 64


@pytest.mark.parametrize("extra", ["", "é", "\u202e"])  # all-ASCII text, and text that is not
def test_every_control_character_but_newline_and_tab_is_dropped(extra):
    every = "".join(chr(c) for c in range(128))
    out = clean_text("a" + every + extra + "z")
    assert not any(ord(ch) < 0x20 and ch != "\n" for ch in out)
    assert "\x7f" not in out and "\u202e" not in out  # DEL; a bidi override
    printable = "".join(chr(c) for c in range(0x21, 0x7F))
    assert printable in out  # and nothing else was lost
