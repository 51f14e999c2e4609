"""The Generator protocol: what a generative answerer needs of a language model.

A generator streams: text deltas, then one ``Finished`` with the token usage (from the
model, or estimated and marked so). Everything that goes wrong — unreachable, refused,
too slow, a broken stream — is a ``GeneratorError`` whose message names the cause; the
answerer then falls back to the extractive answer with that notice, never to silence.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from jisik.errors import ProviderError


@dataclass(frozen=True, slots=True)
class Message:
    role: str  # "system" | "user" | "assistant"
    content: str


@dataclass(frozen=True, slots=True)
class Usage:
    prompt_tokens: int
    completion_tokens: int
    estimated: bool = False  # the model reported none: counted by ``estimate_tokens``

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True, slots=True)
class TextDelta:
    text: str


@dataclass(frozen=True, slots=True)
class Finished:
    usage: Usage
    finish_reason: str  # "stop", "length", …
    model: str  # the model that answered, as it names itself


GenerationEvent = TextDelta | Finished


@dataclass(frozen=True, slots=True)
class GenerationParams:
    max_tokens: int = 512
    temperature: float = 0.0  # grounded answers: the most likely wording, reproducible


class GeneratorError(ProviderError):
    """The model could not give an answer; the message says why, for the notice."""


class Generator(Protocol):
    """A chat model. ``id`` names it exactly; it is recorded with every answer.
    ``max_context_tokens`` is the budget a prompt and its answer must fit in."""

    id: str
    max_context_tokens: int

    def stream(
        self, messages: Sequence[Message], params: GenerationParams
    ) -> Iterator[GenerationEvent]: ...


def generate(
    generator: Generator, messages: Sequence[Message], params: GenerationParams
) -> tuple[str, Finished]:
    """The whole reply and how it finished (the stream, consumed)."""
    parts: list[str] = []
    finished: Finished | None = None
    for event in generator.stream(messages, params):
        if isinstance(event, TextDelta):
            parts.append(event.text)
        else:
            finished = event
    text = "".join(parts)
    if finished is None:
        raise GeneratorError(f"{generator.id}: the reply ended without finishing")
    return text, finished


def estimate_tokens(text: str) -> int:
    """A rough count where the model reports none: about one token per Hangul syllable
    and per four Latin characters (the common tokenizers; marked as estimated)."""
    hangul = sum(1 for ch in text if "\uac00" <= ch <= "\ud7a3")
    return max(1, hangul + math.ceil((len(text) - hangul) / 4)) if text else 0
