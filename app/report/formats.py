"""One entry point for the text formats, shared by the API and the CLI."""

from __future__ import annotations

import json
from typing import Any

from app.errors import Invalid
from app.report.html import to_html
from app.report.render import to_csv, to_markdown

FORMATS = ("md", "html", "json", "csv")


def render(report: dict[str, Any], fmt: str) -> str:
    if fmt == "md":
        return to_markdown(report)
    if fmt == "html":
        return to_html(report)
    if fmt == "csv":
        return to_csv(report)
    if fmt == "json":
        return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    raise Invalid("format must be md, html, json or csv")
