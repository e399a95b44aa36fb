"""An abuse flag from word lists, per language, for the moderator's eyes only.

The lists are glin-profanity's (MIT, bundled in its wheel, read as data: its matcher
is slower and misses Cyrillic and Chinese insults) when it is installed, plus a small
supplement of our own for the gaps, minus words that are legitimate topics in a policy
debate (Spanish "asesinato", Portuguese "aborto"...). Without glin-profanity only the
supplement applies. It is a flag, never a block: the moderator decides.
"""

from __future__ import annotations

import json
import re
import unicodedata
from importlib import resources

_GLIN_FILES = {"ar": "arabic", "zh": "chinese", "en": "english", "fr": "french",
               "ru": "russian", "es": "spanish", "pt": "portuguese"}

#: Insults and threats the bundled lists lack (Cyrillic Russian, common Chinese insults).
SUPPLEMENT: dict[str, tuple[str, ...]] = {
    "en": ("idiot", "idiots", "moron", "morons", "stupid", "shut up", "kill yourself",
           "scum", "clown", "clowns", "liar", "liars", "bastard", "bastards"),
    "fr": ("connard", "connards", "connasse", "crétin", "crétins", "abruti", "abrutis",
           "ta gueule", "ferme-la", "salaud", "salauds", "imbécile", "imbéciles", "enculé"),
    "es": ("idiota", "idiotas", "imbécil", "imbéciles", "estúpido", "estúpidos", "cállate",
           "gilipollas", "pendejo", "pendejos", "cabrón", "mierda"),
    "pt": ("idiota", "idiotas", "imbecil", "imbecis", "estúpido", "otário", "otários",
           "cala a boca", "merda", "babaca", "babacas"),
    "ru": ("идиот", "идиоты", "дурак", "дураки", "мудак", "мудаки", "заткнись", "сволочь",
           "дебил", "дебилы", "урод", "уроды", "блять", "блядь", "сука", "говно", "хуй"),
    "ar": ("غبي", "أغبياء", "حمار", "حقير", "اخرس", "كلب", "تافه", "وسخ"),
    "zh": ("傻逼", "傻瓜", "白痴", "混蛋", "滚蛋", "狗屎", "去死", "王八蛋", "笨蛋", "他妈的"),
}

#: Entries of the bundled lists that are ordinary words or policy topics here.
EXCLUDED = frozenset({
    "asesinato", "aborto", "amador", "aranha", "ariano", "baiser", "13.", "13点",
    "suicide", "sex", "sexual", "gay", "lesbian", "drug", "drugs", "kill", "murder",
    "violence", "homosexual", "transsexual", "nude", "rape",
})

_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u9FFF]")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _bundled() -> tuple[dict[str, list[str]], str]:
    try:
        base = resources.files("glin_profanity") / "data" / "dictionaries"
    except ModuleNotFoundError:
        return {}, "built-in supplement only (glin-profanity not installed)"
    lists = {}
    for code, name in _GLIN_FILES.items():
        try:
            data = json.loads((base / f"{name}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        lists[code] = list(data["words"] if isinstance(data, dict) else data)
    return lists, "glin-profanity word lists + built-in supplement"


class AbuseLexicon:
    """Matches whole words (or, for Chinese, substrings) against the languages' lists."""

    def __init__(self, languages: tuple[str, ...]) -> None:
        bundled, self.source = _bundled()
        self.words: set[str] = set()
        self.phrases: list[str] = []
        self.cjk: list[str] = []
        excluded = {_fold(w) for w in EXCLUDED}
        for code in languages:
            for entry in [*bundled.get(code, ()), *SUPPLEMENT.get(code, ())]:
                folded = _fold(entry.strip())
                if not folded or folded in excluded or not any(c.isalpha() for c in folded):
                    continue
                if _CJK.search(folded):
                    self.cjk.append(folded)
                elif " " in folded:
                    self.phrases.append(f" {folded} ")
                else:
                    self.words.add(folded)

    def is_abusive(self, text: str) -> bool:
        folded = _fold(text)
        tokens = _WORD.findall(folded)
        if any(t in self.words for t in tokens):
            return True
        spaced = f" {' '.join(tokens)} "
        if any(p in spaced for p in self.phrases):
            return True
        return bool(_CJK.search(folded)) and any(w in folded for w in self.cjk)
