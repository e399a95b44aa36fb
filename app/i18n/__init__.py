"""The pages' message catalogues: gettext .po files per language, read with Babel.

The browser never parses .po: `catalogue(lang)` turns one into the JSON the pages load
(`GET /i18n/<lang>.json`), plural entries keyed by CLDR category (zero, one, two, few,
many, other) so `Intl.PluralRules` in the browser picks the form. `negotiate()` chooses
a language from an Accept-Language header with Babel's `negotiate_locale`.
"""

from __future__ import annotations

import gettext
import hashlib
import re
from functools import cache
from pathlib import Path

from babel import Locale, negotiate_locale
from babel.messages.pofile import read_po

LOCALES = Path(__file__).parent / "locales"
DOMAIN = "pages"
#: Page language code -> Babel locale. "zh" is simplified Chinese.
LANGS = {
    "en": "en",
    "ar": "ar",
    "zh": "zh_Hans",
    "fr": "fr",
    "ru": "ru",
    "es": "es",
}
DEFAULT = "en"
CLDR_ORDER = ("zero", "one", "two", "few", "many", "other")
# Integers enough to meet every category of these languages (Arabic's "many" is 11-99).
_SAMPLES = [*range(0, 1200), 1_000_000, 2_000_000]


#: The report's own domain: English text as msgid (the server's documents, app/report).
REPORT = "report"


def po_path(lang: str, domain: str = DOMAIN) -> Path:
    return LOCALES / lang / "LC_MESSAGES" / f"{domain}.po"


@cache
def read(lang: str, domain: str = DOMAIN):
    """The Babel Catalog of one language (cached: the files ship with the code)."""
    with po_path(lang, domain).open("rb") as f:
        return read_po(f, locale=LANGS[lang], domain=domain)


class Translator:
    """gettext for the server's documents in one language: `_("Notes")`, `_.n(...)`.

    Messages are filled with str.format-style {names} after the lookup; a message not in
    the catalogue stays English (a report never fails over a missing word).
    """

    def __init__(self, lang: str, domain: str = REPORT) -> None:
        self.lang = lang if lang in LANGS else DEFAULT
        self.locale = Locale.parse(LANGS[self.lang])
        self.dir = direction(self.lang)
        cat = read(self.lang, domain)
        self._plural = gettext.c2py(cat.plural_expr)
        self._messages = {(m.id[0] if m.pluralizable else m.id): m for m in cat if m.id}

    def __call__(self, text: str, **params: object) -> str:
        m = self._messages.get(text)
        found = m.string if m is not None and not m.pluralizable and m.string else text
        return _fill(found, params)

    def n(self, singular: str, plural: str, n: int, **params: object) -> str:
        m = self._messages.get(singular)
        forms = list(m.string) if m is not None and m.pluralizable else [singular, plural]
        index = self._plural(n) if m is not None else int(n != 1)
        form = forms[min(index, len(forms) - 1)] or (singular if n == 1 else plural)
        return _fill(form, {"n": n, **params})


def _fill(template: str, params: dict[str, object]) -> str:
    """{name} -> value; braces not naming a parameter stay as they are."""
    if not params:
        return template
    return re.sub(r"\{(\w+)\}", lambda m: str(params.get(m.group(1), m.group(0))), template)


def plural_map(lang: str) -> dict[str, int]:
    """CLDR category -> index of msgstr[] in this language's gettext plural forms."""
    cat = read(lang)
    locale = Locale.parse(LANGS[lang])
    index_of = gettext.c2py(cat.plural_expr)
    found: dict[str, int] = {}
    for n in _SAMPLES:
        found.setdefault(locale.plural_form(n), index_of(n))
    # "other" only for fractions in some languages (Russian): the last form then.
    found.setdefault("other", cat.num_plurals - 1)
    return {c: found[c] for c in CLDR_ORDER if c in found}


@cache
def catalogue(lang: str) -> dict:
    """What /i18n/<lang>.json serves: direction, plural categories, every message."""
    cat = read(lang)
    forms = plural_map(lang)
    messages: dict[str, str | dict[str, str]] = {}
    for m in cat:
        if not m.id:
            continue
        if m.pluralizable:
            strings = m.string if isinstance(m.string, tuple | list) else (m.string,)
            messages[m.id[0]] = {c: strings[i] for c, i in forms.items() if i < len(strings)}
        else:
            messages[m.id] = m.string
    locale = Locale.parse(LANGS[lang])
    return {
        "lang": lang,
        "dir": "rtl" if locale.text_direction == "rtl" else "ltr",
        "name": locale.get_display_name(locale),
        "plurals": list(forms),
        "messages": messages,
    }


@cache
def etag(lang: str) -> str:
    """A validator for the JSON: changes whenever the .po file does."""
    return hashlib.sha256(po_path(lang).read_bytes()).hexdigest()[:16]


def direction(lang: str) -> str:
    return "rtl" if Locale.parse(LANGS[lang]).text_direction == "rtl" else "ltr"


def parse_accept_language(header: str | None) -> list[str]:
    """'fr-CH, fr;q=0.9, en;q=0.8' -> ['fr-CH', 'fr', 'en'], best first."""
    ranked = []
    for i, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if tag and tag != "*" and q > 0:
            ranked.append((-q, i, tag.strip()))
    return [tag for _, _, tag in sorted(ranked)]


def negotiate(header: str | None, default: str = DEFAULT) -> str:
    """The page language for this Accept-Language header (zh-CN, zh-Hans, zh -> zh)."""
    for tag in parse_accept_language(header):
        # Script and region subtags beyond the language fall back to the language.
        got = negotiate_locale([tag], list(LANGS), sep="-")
        if got:
            return got
    return default
