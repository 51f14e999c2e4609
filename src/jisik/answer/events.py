"""What an answerer streams: the passages it cites, the answer's text in pieces, then
the whole answer.

``Answerer.stream`` is the primitive and ``answer`` is derived from it, so an answerer
that produces text as it goes (a language model) and one that composes the whole answer
at once (the extractive one) look the same to the service, the CLI and the server.
The final event is authoritative: it carries the text and citations after every check.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from jisik.errors import JisikError
from jisik.types import Answer, Citation


@dataclass(frozen=True, slots=True)
class CitationsEvent:
    """The passages the answer cites (before its text, when they are known first)."""

    citations: tuple[Citation, ...]


@dataclass(frozen=True, slots=True)
class DeltaEvent:
    """A piece of the answer's text; the pieces join to the final text."""

    text: str


@dataclass(frozen=True, slots=True)
class FinalEvent:
    answer: Answer


AnswerEvent = CitationsEvent | DeltaEvent | FinalEvent


def final_answer(events: Iterable[AnswerEvent]) -> Answer:
    """The answer a stream ends with (the stream is consumed)."""
    last: Answer | None = None
    for event in events:
        if isinstance(event, FinalEvent):
            last = event.answer
    if last is None:
        raise JisikError("the answerer's stream ended without an answer; this is a bug")
    return last


def events_of(answer: Answer) -> Iterator[AnswerEvent]:
    """A composed answer as a stream: its citations, its text by sentence, itself."""
    yield CitationsEvent(answer.citations)
    for piece in sentence_pieces(answer.text):
        yield DeltaEvent(piece)
    yield FinalEvent(answer)


def sentence_pieces(text: str) -> list[str]:
    """The text cut after sentence ends and newlines; the pieces join back to it exactly."""
    pieces, start = [], 0
    for i, ch in enumerate(text):
        if ch == "\n" or (ch in ".?!" and (i + 1 == len(text) or text[i + 1] == " ")):
            pieces.append(text[start : i + 1])
            start = i + 1
    if start < len(text):
        pieces.append(text[start:])
    return pieces
