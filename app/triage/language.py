"""Which language a message is in, among the few the session expects.

py3langid ships its model in the wheel. Restricting it to the session's languages makes
short messages far more reliable; the script alone settles Arabic, Chinese and Russian.
"""

from __future__ import annotations

import re

#: The six UN languages and Portuguese.
DEFAULT_LANGUAGES: tuple[str, ...] = ("ar", "zh", "en", "fr", "ru", "es", "pt")
UNDETERMINED = "und"

_ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")
_HAN = re.compile(r"[\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF]")
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_LETTER = re.compile(r"[^\W\d_]")


def _script_language(text: str, languages: tuple[str, ...]) -> str | None:
    """A language the script alone decides, when the session expects only one such."""
    letters = len(_LETTER.findall(text)) or 1
    for pattern, lang in ((_ARABIC, "ar"), (_HAN, "zh"), (_CYRILLIC, "ru")):
        if lang in languages and len(pattern.findall(text)) / letters > 0.3:
            return lang
    return None


class LanguageDetector:
    """Language id restricted to `languages`; `und` when a text is too short to tell."""

    def __init__(self, languages: tuple[str, ...] = DEFAULT_LANGUAGES,
                 min_confidence: float = 0.5) -> None:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier  # the extra `triage`

        self.languages = tuple(languages)
        self.min_confidence = min_confidence
        self._identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        self._identifier.set_languages(list(self.languages))

    def detect(self, text: str) -> str:
        scripted = _script_language(text, self.languages)
        if scripted:
            return scripted
        if not _LETTER.search(text):
            return UNDETERMINED
        lang, confidence = self._identifier.classify(text)
        if confidence < self.min_confidence and len(text.split()) < 3:
            return UNDETERMINED
        return str(lang)


def load_detector(languages: tuple[str, ...] = DEFAULT_LANGUAGES) -> tuple[
        LanguageDetector | None, str]:
    """The detector, or None and why (py3langid missing): language tags are then off."""
    try:
        return LanguageDetector(languages), "ok"
    except ImportError as exc:
        return None, f"language id not installed ({exc.name or exc})"
    except Exception as exc:
        return None, f"language id failed to load: {type(exc).__name__}: {exc}"
