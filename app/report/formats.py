"""One entry point for every format, shared by the API, the CLI and the example script."""

from __future__ import annotations

import json
from typing import Any

from app.errors import Invalid
from app.report.html import to_html
from app.report.render import to_csv, to_form_text, to_markdown

FORMATS = ("md", "html", "json", "csv", "pdf", "form")
MEDIA = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "pdf": "application/pdf",
    "form": "text/plain; charset=utf-8",
}


def file_name(slug: str, fmt: str) -> str:
    """`{slug}-report.md`, …; the form view is `{slug}-igf-form.txt`."""
    return f"{slug}-igf-form.txt" if fmt == "form" else f"{slug}-report.{fmt}"


def render(report: dict[str, Any], fmt: str, lang: str = "en") -> str | bytes:
    """Text for every format but PDF, which is bytes. HTML and PDF come in `lang`."""
    if fmt == "md":
        return to_markdown(report)
    if fmt == "html":
        return to_html(report, lang)
    if fmt == "csv":
        return to_csv(report)
    if fmt == "json":
        return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    if fmt == "form":
        return to_form_text(report)
    if fmt == "pdf":
        from app.report.pdf import to_pdf

        return to_pdf(report, lang)
    raise Invalid("format must be " + ", ".join(FORMATS))
