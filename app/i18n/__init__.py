"""The pages' message catalogues: gettext .po files per language, read with Babel.

The browser never parses .po: `catalogue(lang)` turns one into the JSON the pages load
(`GET /i18n/<lang>.json`), plural entries keyed by CLDR category (zero, one, two, few,
many, other) so `Intl.PluralRules` in the browser picks the form. `negotiate()` chooses
a language from an Accept-Language header with Babel's `negotiate_locale`.
"""

from __future__ import annotations

import gettext
import hashlib
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


def po_path(lang: str) -> Path:
    return LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def read(lang: str):
    """The Babel Catalog of one language (cached: the files ship with the code)."""
    with po_path(lang).open("rb") as f:
        return read_po(f, locale=LANGS[lang], domain=DOMAIN)


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
