"""Triage assistant engine: language, question or comment, flags, duplicate suggestions.

Computed on this machine only (models ship inside their wheels; nothing is fetched or
sent). A pure package: it imports nothing from the rest of `app`, so the server wires
it in through one registration (see docs/triage.md).
"""

from .abuse import AbuseLexicon
from .duplicates import DEFAULT_THRESHOLD, Scoring, SessionIndex, Similar
from .embedder import DEFAULT_MODEL, Embedder, EmbedderLoad, UseEmbedder, load_embedder
from .engine import Analysis, Features, Link, Message, Triage, TriageWorker
from .kind import QUESTION_MARKS, Kind, classify_kind
from .language import DEFAULT_LANGUAGES, UNDETERMINED, LanguageDetector, load_detector
from .personal import find_personal_data, mask_personal_data

__all__ = [
    "DEFAULT_LANGUAGES", "DEFAULT_MODEL", "DEFAULT_THRESHOLD", "QUESTION_MARKS",
    "UNDETERMINED", "AbuseLexicon", "Analysis", "Embedder", "EmbedderLoad", "Features",
    "Kind", "LanguageDetector", "Link", "Message", "Scoring", "SessionIndex", "Similar", "Triage",
    "TriageWorker", "UseEmbedder", "classify_kind", "find_personal_data", "load_detector",
    "load_embedder", "mask_personal_data",
]
