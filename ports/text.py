"""Invisible and control characters out of untrusted text, shared by the app's input types
and the channels' payload models (`ports.inputs`). Pure: no app import."""

from __future__ import annotations

import unicodedata

# ASCII's control characters but newline and tab (a table for str.translate).
_ASCII_CONTROLS = dict.fromkeys([*range(0x20), 0x7F])
del _ASCII_CONTROLS[ord("\n")], _ASCII_CONTROLS[ord("\t")]
_DROPPED = ("Cc", "Cf", "Cs", "Co")  # controls, format (invisible), surrogates, private use
_ZWJ, _ZWNJ, _BLACK_FLAG = "\u200d", "\u200c", "\U0001f3f4"


def _pictographic(ch: str) -> bool:
    """An emoji, or what sits inside an emoji sequence (VS16, skin tones)."""
    cp = ord(ch)
    return 0x1F000 <= cp <= 0x1FAFF or cp == 0xFE0F or unicodedata.category(ch) == "So"


def _joiner_kept(prev: str, ch: str, nxt: str) -> bool:
    """Format characters that are part of the text, not a way to hide or reorder it.

    `prev` is the last character kept, `nxt` the next one in the input.
    Kept: ZWJ between two emoji (👩‍💻, 👨‍👩‍👧), ZWNJ between two letters (Persian
    `می‌خواهم`, Indic scripts), the tag characters of a subdivision flag (🏴 + tags).
    Dropped: every other format character, i.e. bidi overrides, embeddings and isolates
    (U+202A-202E, U+2066-2069), the bidi marks (U+200E/F, U+061C: plain Arabic and Hebrew
    text needs none of them), zero-width space and no-break (U+200B, U+2060, U+FEFF), soft
    hyphens, and tags anywhere else (invisible "ASCII smuggling").
    """
    if ch == _ZWJ:
        return bool(prev and nxt) and _pictographic(prev) and _pictographic(nxt)
    if ch == _ZWNJ:
        return bool(prev and nxt) and prev.isalpha() and (nxt.isalpha() or _is_mark(nxt))
    if 0xE0020 <= ord(ch) <= 0xE007F:
        return prev == _BLACK_FLAG or (prev != "" and 0xE0020 <= ord(prev) <= 0xE007E)
    return False


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch).startswith("M")


def _strip_controls(value: str) -> str:
    # Keep newlines and tabs; drop other control and format chars (bidi overrides, NUL...).
    if value.isascii():  # most chat: one C-level pass instead of a lookup per character
        return value.translate(_ASCII_CONTROLS)
    out: list[str] = []
    last = len(value) - 1
    for i, ch in enumerate(value):
        cat = unicodedata.category(ch)
        kept = cat not in _DROPPED or ch in "\n\t"
        if not kept and cat == "Cf":
            kept = _joiner_kept(out[-1] if out else "", ch, value[i + 1] if i < last else "")
        if kept:
            out.append(ch)
    return "".join(out)


def strip_invisible(value: str) -> str:
    """NFC, line ends as `\n`, every control and invisible character but newline and tab
    removed: what a database cannot store (NUL) and what hides or reorders text (bidi)."""
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    return _strip_controls(value)


def one_line(value: str) -> str:
    """`strip_invisible`, then every run of whitespace (newlines too) as one space."""
    return " ".join(strip_invisible(value).split())
