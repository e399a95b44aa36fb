"""The session's own language and captions link, and the report in a chosen language.

An organiser sets the session's language (at creation or later with
PUT /api/sessions/{slug}/settings); pages opened without ?lang= then open in it before the
browser's Accept-Language, and the HTML/PDF report comes in it unless ?lang= asks for
another. Bad values are a 422 that says why.
"""

from __future__ import annotations

import re

import httpx
import pytest

from app import i18n


def _client(live_server, created, role: str | None = "moderator") -> httpx.Client:
    headers = {"Authorization": f"Bearer {created['keys'][role]}"} if role else {}
    return httpx.Client(base_url=f"{live_server.url}/api/sessions/{created['slug']}",
                        headers=headers, timeout=15)


def html_lang(text: str) -> tuple[str, str | None]:
    m = re.search(r'<html lang="(\w+)"(?: dir="(\w+)")?', text)
    assert m, text[:200]
    return m.group(1), m.group(2)


def test_session_language_is_the_pages_default(live_server):
    created = live_server.create_session("Séance en français", lang="fr")
    audience = f"{live_server.url}/s/{created['slug']}"
    english_phone = {"Accept-Language": "en-US,en;q=0.9"}
    assert html_lang(httpx.get(audience, headers=english_phone).text)[0] == "fr"
    # ?lang= (a link an organiser hands out) still wins.
    assert html_lang(httpx.get(audience + "?lang=ar", headers=english_phone).text) == ("ar", "rtl")

    with _client(live_server, created) as mod:
        r = mod.put("/settings", json={"lang": "zh"})
        assert r.status_code == 200, r.text
        assert r.json() == {"lang": "zh", "captions_url": None}
        info = httpx.get(f"{live_server.url}/api/sessions/{created['slug']}", timeout=5)
        assert info.json()["lang"] == "zh"
        assert html_lang(httpx.get(audience, headers=english_phone).text)[0] == "zh"
        # None: back to the browser's language.
        assert mod.put("/settings", json={"lang": None}).json()["lang"] is None
    assert html_lang(httpx.get(audience, headers={"Accept-Language": "ru"}).text)[0] == "ru"


def test_settings_refuse_bad_values_and_other_roles(live_server):
    created = live_server.create_session("Settings checks")
    with _client(live_server, created) as mod:
        bad = mod.put("/settings", json={"lang": "pt-XX"})
        assert bad.status_code == 422 and "lang must be one of" in bad.json()["detail"]
        bad = mod.put("/settings", json={"captions_url": "javascript:alert(1)"})
        assert bad.status_code == 422 and "http(s)" in bad.json()["detail"]
        ok = mod.put("/settings", json={"captions_url": "https://captions.example/live/42"})
        assert ok.json()["captions_url"] == "https://captions.example/live/42"
        # Only the field that was sent changes.
        assert mod.put("/settings", json={"lang": "es"}).json() == {
            "lang": "es", "captions_url": "https://captions.example/live/42"}
        snap = mod.get("/snapshot").json()
        assert snap["data"]["session"]["captions_url"] == "https://captions.example/live/42"
    with _client(live_server, created, "stage") as stage:
        assert stage.put("/settings", json={"lang": "fr"}).status_code == 403
    # No credentials at all is a 401, as on every organiser route (app/admin.py).
    anonymous = httpx.put(f"{live_server.url}/api/sessions/{created['slug']}/settings",
                          json={"lang": "fr"}, timeout=10)
    assert anonymous.status_code == 401
    admin = httpx.put(f"{live_server.url}/api/sessions/{created['slug']}/settings",
                      json={"lang": "ar"}, timeout=10,
                      headers={"Authorization": f"Bearer {live_server.admin_token}"})
    assert admin.status_code == 200 and admin.json()["lang"] == "ar"
    created_bad = httpx.post(f"{live_server.url}/api/sessions", json={"title": "x", "lang": "xx"},
                             headers={"Authorization": f"Bearer {live_server.admin_token}"})
    assert created_bad.status_code == 422


REPORT_HEADINGS = re.compile(r"<(h1|h2|h3|th|dt)[^>]*>([^<]+)")


def headings(html: str) -> list[str]:
    return [m.group(2).strip() for m in REPORT_HEADINGS.finditer(html)]


@pytest.mark.parametrize("lang", ["ar", "zh", "ru"])
def test_report_headings_in_the_chosen_language(live_server, lang):
    created = live_server.create_session("Cities after cars", agenda=[
        {"title": "Opening", "minutes": 5, "kind": "opening"}])
    english = {m.id for m in i18n.read("en", i18n.REPORT) if m.id and isinstance(m.id, str)}
    english |= {"Venue", "Date", "Participation", "Gender report card"}
    with _client(live_server, created, "rapporteur") as rap:
        r = rap.get("/report", params={"format": "html", "lang": lang})
        assert r.status_code == 200, r.text
        html = r.text
        assert html_lang(html) == (lang, "rtl" if lang == "ar" else "ltr")
        shown = headings(html)
        assert len(shown) > 30
        left = [h for h in shown if h in english and h not in ("#", "Cities after cars")]
        assert left == [], f"report in {lang} keeps English headings: {left}"
        want = i18n.Translator(lang)
        assert want("Key takeaways") in shown and want("Data protection") in shown
        assert rap.get("/report", params={"format": "html", "lang": "xx"}).status_code == 422


def test_report_defaults_to_the_session_language_and_dates_follow_it(live_server):
    created = live_server.create_session("Сессия", lang="ru")
    with _client(live_server, created, "rapporteur") as rap:
        html = rap.get("/report", params={"format": "html"}).text
        assert html_lang(html)[0] == "ru"
        assert "Отчёт о сессии: Сессия" in html
        assert re.search(r"Создан [^;]*20\d\d", html)  # a Russian date (Babel, CLDR)
        english = rap.get("/report", params={"format": "html", "lang": "en"}).text
        assert "<h2>Key takeaways</h2>" in english and html_lang(english) == ("en", "ltr")


def test_report_plural_of_moderation_actions():
    ar, ru = i18n.Translator("ar"), i18n.Translator("ru")
    forms = ("{n} moderation action", "{n} moderation actions")
    assert [ar.n(*forms, n) for n in (0, 1, 2, 3, 11, 100)] == [
        "لا إجراءات إشراف", "إجراء إشراف واحد", "إجراءا إشراف", "3 إجراءات إشراف",
        "11 إجراءً إشرافيًا", "100 إجراء إشراف"]
    assert [ru.n(*forms, n) for n in (1, 3, 5, 21)] == [
        "1 действие модерации", "3 действия модерации", "5 действий модерации",
        "21 действие модерации"]


def test_the_server_written_pages_speak_the_language(live_server):
    """The 401 'link needed' page and the 503 'busy' page a phone may get."""
    from starlette.requests import Request

    from app import pages

    created = live_server.create_session("Lien requis")
    r = httpx.get(f"{live_server.url}/s/{created['slug']}/console",
                  headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert r.status_code == 401
    assert html_lang(r.text) == ("fr", "ltr")
    assert "Cette page demande le lien du modérateur" in r.text

    def request(accept: str) -> Request:
        return Request({"type": "http", "query_string": b"", "headers": [
            (b"accept-language", accept.encode())]})

    busy = pages._busy(1.0, request("ru")).body.decode()
    assert html_lang(busy) == ("ru", "ltr")
    seconds = int(re.search(r'content="(\d+)"', busy).group(1))
    forms = {2: "секунды", 3: "секунды", 4: "секунды", 5: "секунд", 6: "секунд"}
    assert f"через {seconds} {forms[seconds]}" in busy
    busy_ar = pages._busy(1.0, request("en"), "ar").body.decode()
    assert html_lang(busy_ar) == ("ar", "rtl") and "تعيد هذه الصفحة" in busy_ar


def test_report_pdf_in_arabic(live_server):
    """The PDF is drawn from the same HTML: in Arabic it renders (fonts, right to left)."""
    created = live_server.create_session("تقرير", lang="ar")
    with _client(live_server, created, "rapporteur") as rap:
        r = rap.get("/report", params={"format": "pdf"}, timeout=60)
        assert r.status_code == 200, r.text[:200]
        assert r.headers["content-type"] == "application/pdf"
        assert r.content.startswith(b"%PDF") and len(r.content) > 5000
