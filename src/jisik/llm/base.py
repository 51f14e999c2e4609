"""The Generator protocol: what a generative answerer needs of a language model."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Message:
    role: str  # "system" | "user" | "assistant"
    content: str


class Generator(Protocol):
    """A chat model. ``id`` names it exactly; it is recorded with every answer."""

    id: str

    def generate(self, messages: Sequence[Message], max_tokens: int = 512) -> str: ...

    def stream(self, messages: Sequence[Message], max_tokens: int = 512) -> Iterator[str]: ...
