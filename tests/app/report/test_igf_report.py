"""The report of a scripted session (igf_support.py), field by field and number by number,
in every format: JSON, Markdown, HTML, CSV, the IGF form view and the server's PDF."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from datetime import datetime
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pypdf
import pytest

from app.domains import default_registry
from app.report.builder import build_report
from app.report.charts import COLOURS
from app.report.formats import render

from .igf_support import OPEN_ANSWERS, scripted_session

# The scripted session's numbers, worked out from the script (not from the report).
# Real questions: z1 z2 (Zoom chat), m1 m2 (Mastodon), a1 and the two open-poll answers
# (audience page), r1 (audience page, "I'm in the room": onsite). s1 is simulated.
# m2 was declined as off-topic.
NONE: dict[str, int] = {}
CHANNELS = {
    "Audience page": {"asked": 3, "forwarded": 1, "answered": 0, "merged": 0, "declined": 0},
    "Audience page (in the room)": {
        "asked": 1,
        "forwarded": 0,
        "answered": 0,
        "merged": 0,
        "declined": 0,
    },
    "Mastodon": {"asked": 2, "forwarded": 0, "answered": 0, "merged": 0, "declined": 1},
    "Zoom chat": {"asked": 2, "forwarded": 1, "answered": 1, "merged": 1, "declined": 0},
}
REMOTE = {name: name != "Audience page (in the room)" for name in CHANNELS}
REASONS = {name: {"off_topic": 1} if name == "Mastodon" else NONE for name in CHANNELS}
FILLED = {
    "title": "Hubs and data: an IGF workshop",
    "organisers": ["Data for Good Network", "City of Lyon"],
    "chair": "Mia Chen, Data for Good Network",
    "rapporteur": "Sam Ortiz, City of Lyon",
    "speakers": ["Mia Chen, Opening", "Ana Lima (Civil society), Data trusts"],
    "key_issues": ["Remote hubs lack funding."],
    "discussion": "Participants compared funding models for hubs.",
    "way_forward": ["Publish a template data-sharing agreement"],
    "key_takeaways": ["Hubs need stable funding", "Impact needs shared measures"],
    "participants_onsite": 40,
    "participants_online": 25,
    "women_participants": 30,
    "speakers_women": 2,
    "speakers_men": 0,
}
MISSING = {
    "venue",
    "online_moderator",
    "policy_recommendations",
    "commitments",
    "hubs",
    "women_stakeholders",
    "gender_analysis",
    "interventions",  # the floor (issue 15) was not used in this session
}
CHANNEL_LINES = [
    f"{name} ({'remote' if REMOTE[name] else 'onsite'}): {c['asked']} asked, "
    f"{c['forwarded']} forwarded to the stage, "
    f"{c['answered']} answered, {c['merged']} merged, {c['declined']} declined"
    + (" (off-topic: 1)" if REASONS[name] else "")
    for name, c in CHANNELS.items()
]
#: What every format must say, word for word.
KEY_TEXT = [
    "Hubs and data: an IGF workshop",
    "Workshop organisers",
    "Chairperson/Moderator",
    "Mia Chen, Data for Good Network",
    "Rapporteur/Note taker",
    "Sam Ortiz, City of Lyon",
    "List of speakers and their institutional affiliations",
    "Ana Lima (Civil society), Data trusts",
    "Key issues raised",
    "Remote hubs lack funding.",
    "Data trusts (Ana Lima): Ana presented three trust models.",
    "Participants compared funding models for hubs.",
    "Publish a template data-sharing agreement",
    "Hubs need stable funding",
    "Policy recommendations",
    "Voluntary commitments",
    "Participants onsite",
    "Women speakers",
    "To what extent the session included a gendered analysis",
    "18 of 26 fields filled; 8 missing.",
    *CHANNEL_LINES,
]


def _flat(text: str) -> str:
    return " ".join(text.split())


class _Text(HTMLParser):
    """The HTML's text content, as a reader (or a PDF) sees it: no tags, no <style>."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        self.skip += tag in ("style", "title")
        self.parts.append(" ")

    def handle_endtag(self, tag):
        self.skip -= tag in ("style", "title")
        self.parts.append(" ")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def html_text(html: str) -> str:
    p = _Text()
    p.feed(html)
    return _flat("".join(p.parts))


def pdf_forms(reader: pypdf.PdfReader) -> list[bytes]:
    """The content of every form XObject (WeasyPrint draws each inline SVG as one)."""
    out, seen = [], set()

    def walk(obj):
        res = obj.get("/Resources")
        xobjects = res.get_object().get("/XObject") if res else None
        for _, ref in xobjects.get_object().items() if xobjects else []:
            if ref.idnum in seen:
                continue
            seen.add(ref.idnum)
            form = ref.get_object()
            if form.get("/Subtype") == "/Form":
                out.append(form.get_data())
                walk(form)

    for page in reader.pages:
        walk(page)
    return out


async def test_the_igf_report_of_a_scripted_session_in_every_format(store):
    sc = await scripted_session(store)
    sections = default_registry().sections
    report = await store.read(lambda db: build_report(db, sc.session_id, sections))

    # Session, date and time in the session's time zone, not raw UTC.
    s = report["session"]
    assert s["time_zone"] == "Europe/Paris"
    start = datetime.fromisoformat(s["started_at"].replace("Z", "+00:00"))
    paris = start.astimezone(ZoneInfo("Europe/Paris"))
    assert s["date"] == f"{paris:%A} {paris.day} {paris:%B %Y}"
    assert s["time"].startswith(f"{paris:%H:%M}") and s["time"].endswith("(Europe/Paris)")

    # Every IGF field, filled or missing as scripted.
    fields = {f["key"]: f for f in report["igf"]}
    assert len(fields) == 26
    assert {k for k, f in fields.items() if not f["filled"]} == MISSING
    for key, value in FILLED.items():
        assert fields[key]["filled"] and fields[key]["value"] == value, key
    assert fields["date"]["value"] == s["date"] and fields["time"]["value"] == s["time"]
    assert fields["speakers"]["source"] == "record" and fields["chair"]["source"] == "rapporteur"
    assert fields["presentations"]["value"] == [
        {
            "segment": "Data trusts",
            "speaker": "Ana Lima",
            "summary": "Ana presented three trust models.",
        }
    ]
    stats = {r["channel"]: r for r in fields["questions"]["value"]}
    assert stats == {
        name: {"channel": name, "remote": REMOTE[name], **c, "declined_by_reason": REASONS[name]}
        for name, c in CHANNELS.items()
    }

    # Honest numbers: the simulated question is out and said so; the audience page is remote
    # unless the person said they were in the room.
    q = report["questions"]
    assert q["total"] == 8 and q["simulated_excluded"] == 1
    assert q["by_state"] == {
        "inbox": 3,
        "queued": 1,
        "on_stage": 1,
        "answered": 1,
        "dismissed": 1,
        "merged": 1,
    }
    assert q["votes"] == 3
    assert report["balance"]["remote"]["received"] == 7
    assert report["balance"]["onsite"]["received"] == 1
    assert [r["simulated"] for r in report["all_questions"]].count(True) == 1

    # Polls: the draft left out, the open answers in.
    polls = report["sections"]["polls"]["data"]
    assert [p["question"] for p in polls["polls"]] == [
        "Is open data enough?",
        "Which topics matter?",
        "What builds trust?",
    ]
    assert polls["drafts_left_out"] == 1
    assert polls["polls"][2]["answers"] == list(OPEN_ANSWERS)
    assert [o["count"] for o in polls["polls"][0]["results"]["options"]] == [2, 1]

    # The audit trail: moves are not edits, a merge counts once, in words.
    m = report["moderation"]
    assert m["by_action"]["reorder"] == 1 and "edit" not in m["by_action"]
    assert m["by_action"]["merge"] == 1 and "merged_in" not in m["by_action"]
    assert m["by_action"]["approve"] == 3  # the simulated one's approval is left out
    assert m["by_action"]["poll.create"] == 3  # the draft poll is not part of the session
    sentences = [t["text"] for t in m["trail"]]
    z1, z2, m1 = sc.ids["z1"], sc.ids["z2"], sc.ids["m1"]
    assert f"Merged #{z2} into #{z1}" in sentences
    assert f"Declined #{sc.ids['m2']} (off-topic)" in sentences
    assert f"Moved #{m1} to place 1 in the queue" in sentences
    assert "Hid poll results on the screen" in sentences
    assert "Reordered the agenda" in sentences

    # The draft: highlighted questions per segment, candidate key issues, nothing invented.
    draft = report["draft"]
    assert [i["text"] for i in draft["candidate_key_issues"]] == [
        "How do remote hubs get funding?",
        "How do we measure impact?",
    ]
    assert draft["candidate_key_issues"][0] == {
        "text": "How do remote hubs get funding?",
        "votes": 2,
        "merged": 1,
    }
    segs = {d["segment"]: d for d in draft["segments"]}
    assert segs["Data trusts"]["notes"] == "Ana presented three trust models."

    md = render(report, "md")
    html = render(report, "html")
    form = render(report, "form")
    pdf = render(report, "pdf")
    text = html_text(html)
    for needle in KEY_TEXT:
        assert needle in md, needle
        assert needle in text, needle
        assert needle in form, needle
    for raw in ("merged_in", "poll.hide_screen", "1 votes", "T00:", "Z)", "Never asked?"):
        assert raw not in md and raw not in text and raw not in form, raw
    assert "1 simulated item excluded from the statistics" in md
    assert "1 simulated item excluded from the statistics" in text
    assert "1 draft poll that never opened left out." in md
    for answer in OPEN_ANSWERS:
        assert answer in md and answer in text
    assert "1 vote, 0 merged questions" in md and "2 votes, 1 merged question" in md
    for key in MISSING:
        assert f'<dt data-field="{key}">' in html
    assert html.count('class="status missing"') == len(MISSING)
    # The IGF form view lays the fields out in the form's order.
    labels = [f["label"] for f in report["igf"]]
    places = [form.index(f"\n{label}:\n") for label in labels]
    assert places == sorted(places)
    assert form.count("[missing]") == len(MISSING)

    # CSV: every question, the simulated one labelled.
    rows = list(csv.DictReader(io.StringIO(render(report, "csv"))))
    assert len(rows) == 9
    assert [r["simulated"] for r in rows].count("True") == 1
    assert {r["channel_label"] for r in rows if r["simulated"] == "True"} == {
        "Mastodon (simulated)"
    }

    # PDF: valid, the same text as the HTML for the key fields, and the charts drawn.
    assert pdf.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    pdf_text = _flat(" ".join(page.extract_text() for page in reader.pages))
    for needle in KEY_TEXT:
        assert needle in pdf_text, needle
    charts = html.count("<svg")
    assert charts >= 5  # per channel asked / answered, balance, two poll charts
    # Each chart's first bar is #0b5cd5, filled as a vector path (rounded: curves, then f).
    streams = pdf_forms(reader) + [page.get_contents().get_data() for page in reader.pages]
    bar = re.compile(rb"0\.043137 0\.360784 0\.835294 rg\n(?:[^\n]*\n){0,12}?[^\n]* c\n")
    # (A first bar of 0, e.g. no answers on the audience page, draws nothing.)
    first_bars = re.findall(r'<svg.*?<rect [^>]*width="([\d.]+)"', html)
    drawn = sum(float(w) > 0 for w in first_bars)
    assert len(first_bars) == charts and drawn >= 4
    assert sum(len(bar.findall(stream)) for stream in streams) >= drawn
    assert "Questions asked per channel" in pdf_text


#: A list item's marker (• or "3."): drawn by CSS, not text of the HTML. WeasyPrint draws an
#: outside marker as a positioned box after the page's flow, so its place in the PDF's text
#: is not its place on the page; the markers are counted instead.
MARKER = re.compile(r"^(?:•|\d+\.)$")
#: Arabic is left out: pypdf gives a right-to-left line in visual order (mirrored
#: brackets, numbers first), which is how it is drawn, not a different text.
PDF_LANGS = ("en", "fr", "es", "ru", "zh")


def word_differences(html_words: list[str], pdf_words: list[str]) -> list[str]:
    """Where the PDF's words stop being the HTML's, in order. A word the PDF wrapped over two
    lines ("(Europe/" "Paris)", or anywhere in a Chinese word) is still the same word."""
    i = j = 0
    while i < len(html_words) and j < len(pdf_words):
        word, got = html_words[i], pdf_words[j]
        while got != word and word.startswith(got) and j + 1 < len(pdf_words):
            j += 1
            got += pdf_words[j]
        if got != word:
            return [
                f"word {i}: HTML {' '.join(html_words[max(0, i - 8) : i + 8])!r}",
                f"         PDF  {' '.join(pdf_words[max(0, j - 8) : j + 8])!r}",
            ]
        i, j = i + 1, j + 1
    if i < len(html_words) or j < len(pdf_words):
        return [f"HTML left: {html_words[i:][:20]}", f"PDF left: {pdf_words[j:][:20]}"]
    return []


def list_markers(html: str) -> Counter[str]:
    """The markers a reader sees: "1." … "n." in each <ol>, a bullet for every other <li>."""
    ordered = re.findall(r"<ol\b.*?</ol>", html, flags=re.S)
    numbers = [f"{k}." for ol in ordered for k in range(1, ol.count("<li") + 1)]
    return Counter(numbers) + Counter({"•": html.count("<li") - len(numbers)})


def chart_fills(streams: list[bytes], colour: str) -> int:
    """How many shapes the PDF fills with `colour` (#rrggbb): WeasyPrint writes r g b rg."""
    rgb = " ".join(f"{int(colour[k : k + 2], 16) / 255:.6f}".rstrip("0").rstrip(".")
                   for k in (1, 3, 5))
    return sum(s.count(f"{rgb} rg\n".encode()) for s in streams)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # about drawing, not storage
async def test_the_pdf_says_what_the_html_says_word_for_word(store):
    """A rapporteur may hand on either file: the PDF must not lose, add or reorder a word
    of the HTML, charts' labels and values included, in each language it reads well in."""
    sc = await scripted_session(store)
    sections = default_registry().sections
    report = await store.read(lambda db: build_report(db, sc.session_id, sections))
    for lang in PDF_LANGS:
        html = render(report, "html", lang)
        pdf = render(report, "pdf", lang)
        assert isinstance(html, str) and isinstance(pdf, bytes) and pdf.startswith(b"%PDF")
        reader = pypdf.PdfReader(io.BytesIO(pdf))
        html_words = html_text(html).split()
        pdf_words = " ".join(page.extract_text() for page in reader.pages).split()
        assert len(html_words) > 800, lang

        # The markers: every list item's, and nothing else marker-shaped added or lost.
        markers = Counter(w for w in pdf_words if MARKER.match(w))
        in_html = Counter(w for w in html_words if MARKER.match(w))
        assert markers == in_html + list_markers(html), lang
        differences = word_differences(
            [w for w in html_words if not MARKER.match(w)],
            [w for w in pdf_words if not MARKER.match(w)],
        )
        assert differences == [], "\n".join([lang, *differences])

        # The charts are there, drawn where the HTML has them: each label with its value in
        # place (the comparison above), and every bar filled in its colour.
        pdf_flat = _flat(" ".join(pdf_words))
        asked = " ".join(f"{name} {c['asked']}" for name, c in CHANNELS.items())
        if lang == "en":
            assert f"{asked} Questions asked per channel" in pdf_flat
            assert "Remote, received 87.5% Onsite, received 12.5%" in pdf_flat
        streams = pdf_forms(reader) + [page.get_contents().get_data() for page in reader.pages]
        assert html.count("<svg") >= 5, lang
        for colour in COLOURS:
            bars = len(re.findall(rf'<rect [^>]*fill="{colour}"', html))
            assert chart_fills(streams, colour) == bars, (lang, colour)
        assert sum(chart_fills(streams, c) for c in COLOURS) >= 15, lang
