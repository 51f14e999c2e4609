"""The Answerer protocol: turn a question and retrieved passages into a cited answer."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

from jisik.answer.events import AnswerEvent
from jisik.types import Answer, Hit

ABSTAIN_MESSAGE = "근거 문서를 찾지 못했습니다. (No supporting document found.)"


class Answerer(Protocol):
    """Extractive and generative answerers share this, so callers never change.

    ``stream`` is the primitive (``jisik.answer.events``); ``answer`` is its final
    event. ``method`` names the answering method or model; it is reported with answers.
    """

    method: str

    def stream(self, question: str, hits: Sequence[Hit]) -> Iterator[AnswerEvent]: ...

    def answer(self, question: str, hits: Sequence[Hit]) -> Answer: ...
