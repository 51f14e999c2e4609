"""Labels that say an answer came from an AI system (AI Basic Act, EU AI Act art. 50).

Digital source types are URIs of the IPTC NewsCodes vocabulary
(http://cv.iptc.org/newscodes/digitalsourcetype/):

* ``algorithmicMedia`` for extractive answers: an algorithm selected and arranged
  sentences quoted verbatim from the company's documents; no generative model
  wrote any of the words;
* ``trainedAlgorithmicMedia`` for answers written by a generative model;
* ``compositeWithTrainedAlgorithmicMedia`` for generated text mixed with quotes.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from jisik import __version__
from jisik.types import Answer

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
EXTRACTIVE = IPTC + "algorithmicMedia"
GENERATED = IPTC + "trainedAlgorithmicMedia"
GENERATED_WITH_QUOTES = IPTC + "compositeWithTrainedAlgorithmicMedia"

CLI_LABEL = "AI 생성 답변 · AI-generated"


def source_type_of(method: str) -> str:
    return EXTRACTIVE if method.startswith("extractive") else GENERATED


def label(answer: Answer, trace_id: str, now: datetime | None = None) -> Answer:
    """The answer with every label set."""
    when = (now or datetime.now(UTC)).isoformat(timespec="seconds").replace("+00:00", "Z")
    return dataclasses.replace(
        answer,
        ai_generated=True,
        digital_source_type=answer.digital_source_type or source_type_of(answer.method),
        model=answer.model or f"jisik/{__version__} {answer.method}",
        generated_at=when,
        trace_id=trace_id,
    )


def disclosure_header(answer: Answer) -> str:
    """An ``AI-Disclosure`` HTTP header value (structured-field dictionary, after the
    IETF AI Content Disclosure Header draft)."""
    mode = "ai-originated" if answer.digital_source_type != EXTRACTIVE else "machine-generated"
    return (
        f'mode={mode}, model="{answer.model}", provider="jisik", '
        f'source-type="{answer.digital_source_type}", date="{answer.generated_at}"'
    )
