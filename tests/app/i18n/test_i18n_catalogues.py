"""The pages' message catalogues: complete in every language, plurals right, served as JSON.

Read through Babel, as the server does (app/i18n): a key missing in Russian, an empty
Arabic string or a lost {placeholder} would show up on a page as a key or a hole.
"""

from __future__ import annotations

import gettext
import re

import httpx
import pytest
from babel import Locale

from app import i18n

OTHERS = [lang for lang in i18n.LANGS if lang != "en"]
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def entries(lang: str) -> dict[str, object]:
    return {m.id if isinstance(m.id, str) else m.id[0]: m for m in i18n.read(lang) if m.id}


def strings(message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple | list) else [message.string]


def test_the_six_un_languages_are_there():
    assert {"ar", "zh", "en", "fr", "ru", "es"} <= set(i18n.LANGS)
    for lang in i18n.LANGS:
        assert i18n.po_path(lang).is_file(), lang


@pytest.mark.parametrize("lang", OTHERS)
def test_every_catalogue_has_every_english_key_and_no_empty_string(lang):
    english, other = entries("en"), entries(lang)
    assert len(english) > 200  # the console, stage, screen and landing pages
    assert set(other) == set(english), (set(english) ^ set(other))
    for key, message in other.items():
        assert not message.fuzzy, (lang, key)
        assert english[key].pluralizable == message.pluralizable, (lang, key)
        for text in strings(message):
            assert text.strip(), f"{lang}: empty translation of {key}"


@pytest.mark.parametrize("lang", OTHERS)
def test_translations_keep_the_placeholders(lang):
    english, other = entries("en"), entries(lang)
    for key, message in english.items():
        wanted = set(PLACEHOLDER.findall(" ".join(strings(message))))
        for text in strings(other[key]):
            got = set(PLACEHOLDER.findall(text))
            # A plural form may spell a number out ("صوتان", two votes): never add one.
            assert got <= wanted and (got == wanted or message.pluralizable), (lang, key, text)


@pytest.mark.parametrize("lang", OTHERS)
def test_a_translation_is_not_the_english_left_in(lang):
    english, other = entries("en"), entries(lang)
    words = lambda m: PLACEHOLDER.sub("", " ".join(strings(m)))  # noqa: E731
    same = [k for k, m in english.items()
            if len(re.sub(r"\W", "", words(m))) > 8 and words(m) == words(other[k])]
    assert same == [], f"{lang}: copied from English: {same}"


def votes_by_gettext(lang: str, n: int) -> str:
    """What gettext's own rule (the .po header's Plural-Forms) picks for n votes."""
    catalogue = i18n.read(lang)
    index = gettext.c2py(catalogue.plural_expr)(n)
    return strings(entries(lang)["poll.votes"])[index].replace("{n}", str(n))


def votes_by_json(lang: str, n: int) -> str:
    """What the page picks: the CLDR category (Intl.PluralRules) in the served JSON."""
    forms = i18n.catalogue(lang)["messages"]["poll.votes"]
    category = Locale.parse(i18n.LANGS[lang]).plural_form(n)
    return forms.get(category, forms["other"]).replace("{n}", str(n))


ARABIC = {
    0: "لا أصوات",
    1: "صوت واحد",
    2: "صوتان",
    3: "3 أصوات",  # 3-10: plural
    5: "5 أصوات",
    11: "11 صوتًا",  # 11-99: accusative singular
    21: "21 صوتًا",
    100: "100 صوت",  # hundreds: genitive singular
    101: "101 صوت",
}
RUSSIAN = {
    0: "0 голосов",
    1: "1 голос",
    2: "2 голоса",
    3: "3 голоса",
    5: "5 голосов",
    11: "11 голосов",  # not "голос": 11 is no 1
    21: "21 голос",
    100: "100 голосов",
    101: "101 голос",
}


@pytest.mark.parametrize(("lang", "expected"), [("ar", ARABIC), ("ru", RUSSIAN)])
def test_plurals_follow_the_language(lang, expected):
    for n, text in expected.items():
        assert votes_by_gettext(lang, n) == text, (lang, n)
        assert votes_by_json(lang, n) == text, (lang, n)


def test_plural_categories_match_cldr():
    assert i18n.catalogue("ar")["plurals"] == ["zero", "one", "two", "few", "many", "other"]
    assert set(i18n.catalogue("ru")["plurals"]) >= {"one", "few", "many"}
    assert i18n.catalogue("zh")["plurals"] == ["other"]
    assert i18n.catalogue("en")["messages"]["poll.voters"] == {
        "one": "{n} voter", "other": "{n} voters"}


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("fr-CH, fr;q=0.9, en;q=0.8", "fr"),
        ("zh-CN,zh;q=0.9", "zh"),
        ("zh-Hans-CN", "zh"),
        ("ar-EG,ar;q=0.9,en;q=0.5", "ar"),
        ("de-DE, ru;q=0.7, en;q=0.3", "ru"),  # no German: the next one they read
        ("en;q=0.2, es;q=0.9", "es"),  # by quality, not by place
        ("de, nl", "en"),
        ("", "en"),
        (None, "en"),
        ("garbage;q=x, ;;", "en"),
    ],
)
def test_accept_language_negotiation(header, lang):
    assert i18n.negotiate(header) == lang


def test_catalogue_route_serves_json_with_cache_headers(live_server):
    with httpx.Client(base_url=live_server.url, timeout=5) as client:
        r = client.get("/i18n/ar.json")
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("application/json")
        assert "max-age" in r.headers["cache-control"]
        body = r.json()
        assert body["dir"] == "rtl" and body["lang"] == "ar"
        assert body["messages"]["stage.next"] == "التالي"
        again = client.get("/i18n/ar.json", headers={"If-None-Match": r.headers["etag"]})
        assert again.status_code == 304
        missing = client.get("/i18n/xx.json")
        assert missing.status_code == 404 and "xx" in missing.json()["detail"]


def test_pages_open_in_the_negotiated_language(live_server):
    session = live_server.create_session("Langues")
    with httpx.Client(base_url=live_server.url, timeout=5, follow_redirects=True) as client:
        r = client.get(session["links"]["stage"], headers={"Accept-Language": "ar,en;q=0.5"})
        assert r.status_code == 200 and '<html lang="ar" dir="rtl">' in r.text
        r = client.get(session["links"]["stage"], headers={"Accept-Language": "ru-RU"})
        assert '<html lang="ru" dir="ltr">' in r.text
        assert "accept-language" in r.headers["vary"].lower()
        r = client.get("/", headers={"Accept-Language": "zh-CN"})
        assert '<html lang="zh" dir="ltr">' in r.text
    # ?lang= wins over the browser (a link the organiser hands out in French).
    with httpx.Client(base_url=live_server.url, timeout=5, follow_redirects=True) as client:
        r = client.get(session["links"]["screen"] + "&lang=fr", headers={"Accept-Language": "ar"})
        assert '<html lang="fr" dir="ltr">' in r.text


@pytest.mark.parametrize("lang", OTHERS)
def test_the_report_catalogue_is_complete_too(lang):
    """The report's words (domain `report`, English msgids): every one, translated."""
    def report_entries(code):
        return {m.id if isinstance(m.id, str) else m.id[0]: m
                for m in i18n.read(code, i18n.REPORT) if m.id}

    english, other = report_entries("en"), report_entries(lang)
    assert len(english) > 80
    assert set(other) == set(english), set(english) ^ set(other)
    for key, message in other.items():
        assert not message.fuzzy, (lang, key)
        for text in strings(message):
            assert text.strip(), f"{lang}: empty translation of {key}"
            got = set(PLACEHOLDER.findall(text))
            wanted = set(PLACEHOLDER.findall(" ".join(strings(english[key]))))
            assert got <= wanted and (got == wanted or message.pluralizable), (lang, key, text)
    copied = [k for k in english if len(re.sub(r"\W", "", k)) > 8
              and not english[k].pluralizable and other[k].string == k]
    assert copied == [], f"{lang}: report words left in English: {copied}"
