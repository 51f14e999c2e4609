"""Answerers by name. The composition root (``jisik.compose``) builds the configured
one from the parts every answerer may use; a new answering method registers here and
nothing else changes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from jisik.answer.base import Answerer
from jisik.embed.base import Embedder
from jisik.errors import ConfigError
from jisik.text.analyzer import Analyzer
from jisik.text.lexicon import QueryExpander


@dataclass(frozen=True, slots=True)
class AnswererParts:
    analyzer: Analyzer
    document_frequencies: Callable[[Sequence[str]], tuple[int, dict[str, int]]]
    embedder: Embedder | None
    expander: QueryExpander | None
    threshold: float
    max_sentences: int


def _extractive(parts: AnswererParts) -> Answerer:
    from jisik.answer.extractive import ExtractiveAnswerer

    return ExtractiveAnswerer(
        parts.analyzer,
        parts.document_frequencies,
        parts.embedder,
        threshold=parts.threshold,
        max_sentences=parts.max_sentences,
        expander=parts.expander,
    )


_FACTORIES: dict[str, Callable[[AnswererParts], Answerer]] = {"extractive": _extractive}


def answerer_names() -> tuple[str, ...]:
    return tuple(_FACTORIES)


def register_answerer(name: str, factory: Callable[[AnswererParts], Answerer]) -> None:
    _FACTORIES[name] = factory


def make_answerer(name: str, parts: AnswererParts) -> Answerer:
    try:
        factory = _FACTORIES[name]
    except KeyError:
        raise ConfigError(
            f"unknown answerer '{name}'; choose one of: {', '.join(answerer_names())}"
        ) from None
    return factory(parts)
