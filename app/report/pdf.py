"""The PDF report, drawn on the server from the printable HTML by WeasyPrint.

The HTML carries its own styles and its charts as inline SVG, so the PDF is the same
document: same text, same charts (as vector paths), A4. WeasyPrint needs Pango from the
system (Debian: libpango-1.0-0, libpangoft2-1.0-0); without it the PDF format answers 503
with a message, and every other format still works.
"""

from __future__ import annotations

from typing import Any

from app.errors import DomainError
from app.report.html import to_html

# WeasyPrint makes an element with overflow other than visible a stacking context, drawn
# after the page's flow; its own stylesheet gives svg `overflow: hidden`. Visible keeps
# each chart (its labels and values) in its place in the PDF's text, as in the HTML; the
# bars and labels stay inside the chart's viewBox (app/report/charts.py).
PAGE_CSS = (
    "@page{size:A4;margin:16mm 14mm}body{margin:0;max-width:none;font-size:11pt}"
    "svg{overflow:visible}"
)


class PdfUnavailable(DomainError):
    status = 503


def to_pdf(report: dict[str, Any], lang: str = "en") -> bytes:
    try:
        from weasyprint import CSS, HTML
    except (ImportError, OSError) as exc:  # OSError: Pango missing
        raise PdfUnavailable(f"PDF export is not available on this server ({exc})") from exc
    document = HTML(string=to_html(report, lang), url_fetcher=_no_fetch)
    return document.write_pdf(stylesheets=[CSS(string=PAGE_CSS)])


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """The report is self-contained: nothing is ever fetched while it is drawn."""
    raise ValueError(f"the PDF report fetches nothing ({url[:80]})")
