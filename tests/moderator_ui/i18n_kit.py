"""Helpers for the language and accessibility browser tests: a busy session, a page opened
in a given browser language, and the English catalogue's strings to look for."""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx
from playwright.sync_api import Browser, expect

from app import i18n

from .uikit import DEVICES, RolePage, SessionClient, open_watched

AGENDA = [
    {"title": "افتتاح الجلسة", "minutes": 5, "kind": "opening"},
    {"title": "数据与城市", "minutes": 10, "kind": "speaker", "speaker": "Ana Pires"},
]
# Untrusted content in the pages' languages and one English name: the pages must isolate
# it (dir=auto, <bdi>) and the "no English left" check must not count it.
QUESTIONS = [
    ("كيف يمكن للمدن حماية بيانات السكان؟", "ليلى حسن"),
    ("城市如何保护居民的数据？", "王芳"),
    ("Who pays for the sensors?", "Ana Pereira"),
    ("Как города защищают данные жителей?", "Иван Петров"),
]
POLL = {"question": "ما الأولوية؟", "kind": "single", "options": ["الصحة", "المناخ", "التعليم"]}
NOTE = "الميكروفون الثاني لا يعمل"


@dataclass
class Busy:
    client: SessionClient
    poll_id: int
    untrusted: list[str]


def busy_session(live_server, title: str = "مدن بعد السيارات") -> Busy:
    """Questions in the inbox, the queue and on stage, a running timer, a note, an open poll."""
    created = live_server.create_session(
        title=title, agenda=AGENDA, privacy={"author_display": "full"}
    )
    client = SessionClient(live_server.url, created)
    ids = [client.ask(text, name) for text, name in QUESTIONS]
    client.act(ids[0], "approve")
    client.act(ids[0], "push")
    client.act(ids[1], "approve")
    mod = client.moderator
    mod.post(f"{client.prefix}/timer/start").raise_for_status()
    mod.post(f"{client.prefix}/notes", json={"kind": "text", "text": NOTE}).raise_for_status()
    mod.post(f"{client.prefix}/notes", json={"kind": "wrap_up"}).raise_for_status()
    poll = mod.post(f"{client.prefix}/polls", json=POLL)
    assert poll.status_code == 201, poll.text
    pid = poll.json()["id"]
    for action in ("open", "show_screen"):
        mod.post(f"{client.prefix}/polls/{pid}/actions/{action}").raise_for_status()
    untrusted = [title, NOTE, POLL["question"], *POLL["options"], "Ana Pires"]
    untrusted += [part for pair in QUESTIONS for part in pair]
    untrusted += [s["title"] for s in AGENDA]
    return Busy(client, pid, untrusted)


def open_in(browser: Browser, contexts: list, name: str, url: str, locale: str,
            size: tuple[int, int] | None = None) -> RolePage:
    """Open a role's page with the browser set to `locale` (its Accept-Language)."""
    device = dict(DEVICES.get(name, DEVICES["console"]))  # the rapporteur: a laptop
    if size:
        device["viewport"] = {"width": size[0], "height": size[1]}
    return open_watched(browser, contexts, name, url, **device, locale=locale)


def wait_ready(role: RolePage, lang: str) -> None:
    """The catalogue is applied (html lang set by i18n.js) and, on session pages, live."""
    expect(role.page.locator("html")).to_have_attribute("lang", lang)
    if role.name != "landing":
        role.wait_live()


def english_fragments() -> list[str]:
    """The English catalogue's text, cut at {placeholders}, that no translation shares.

    A fragment that also occurs in the Arabic or Chinese catalogue (Zoom, Shift+Enter,
    HTTPS) is a name, not an untranslated string, and is left out.
    """
    english = i18n.catalogue("en")["messages"]
    foreign = " ".join(
        v if isinstance(v, str) else " ".join(v.values())
        for lang in ("ar", "zh")
        for v in i18n.catalogue(lang)["messages"].values()
    )
    fragments = set()
    for value in english.values():
        for text in [value] if isinstance(value, str) else value.values():
            for part in re.split(r"\{\w+\}", text):
                part = part.strip(" :·()“”.,;#")
                if len(part) > 3 and part not in foreign:
                    fragments.add(part)
    return sorted(fragments, key=len, reverse=True)


def visible_text(role: RolePage, untrusted: list[str]) -> str:
    """document.body.innerText without the untrusted content (questions, names, titles)."""
    text = role.page.evaluate("document.body.innerText")
    for item in sorted(untrusted, key=len, reverse=True):
        text = text.replace(item, " ")
    return text


def english_left(role: RolePage, untrusted: list[str]) -> list[str]:
    text = visible_text(role, untrusted)
    return [f for f in english_fragments() if re.search(rf"(?<!\w){re.escape(f)}(?!\w)", text)]


def catalogue_json(base_url: str, lang: str) -> dict:
    return httpx.get(f"{base_url}/i18n/{lang}.json", timeout=5).json()
