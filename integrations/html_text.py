"""Mastodon-style HTML to plain text, with a real parser.

Status `content` is HTML from other servers: it is parsed (never regex-stripped, never
re-rendered), text inside `<script>`/`<style>` is dropped, entities are decoded, and
`<br>`, paragraphs and list items become line breaks. Link text is kept whole, including
Mastodon's "invisible" spans, so a shortened URL comes out as the full URL.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_DROP = {"script", "style", "template", "noscript", "head", "title", "iframe", "object"}
_BLOCK = {"p", "div", "blockquote", "ul", "ol", "pre", "h1", "h2", "h3", "h4", "h5", "h6"}
_SPACES = re.compile(r"[ \t\r\n\f]+")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.dropping: list[str] = []  # open elements whose content we drop
        self.pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP:
            self.dropping.append(tag)
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            if self.parts and not self.parts[-1].endswith("\n"):
                self.parts.append("\n")
        elif tag in _BLOCK:
            self.parts.append("\n\n")
            if tag == "pre":
                self.pre += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        # A self-closed <script/> opens nothing to drop.

    def handle_endtag(self, tag: str) -> None:
        if self.dropping:
            if tag in self.dropping:
                while self.dropping and self.dropping.pop() != tag:
                    pass
            return
        if tag in _BLOCK or tag == "li":
            self.parts.append("\n\n" if tag in _BLOCK else "\n")
            if tag == "pre" and self.pre:
                self.pre -= 1

    def handle_data(self, data: str) -> None:
        if self.dropping:
            return
        self.parts.append(data if self.pre else _SPACES.sub(" ", data))


def html_to_text(html: str) -> str:
    """Plain text of `html`: one `\\n` per `<br>`, a blank line between paragraphs."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    lines = [line.strip(" ") for line in text.split("\n")]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n")
