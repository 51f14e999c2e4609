"""Generative answers: a language model writes from numbered passages, and every sentence
is checked against what it cites before anyone sees it.

Retrieval decides first: when the extractive answerer abstains (the passages do not
hold an answer), so does this one, without asking the model. The reply streams by
sentence: a sentence is passed on once it is complete and supported
(``answer.grounding``); one that is not is dropped and listed as unsupported. If the
model is down, slow or misconfigured, or nothing it wrote survives the check, the
extractive answer comes back with a notice saying why — never silence, never an
unchecked sentence.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Sequence

from jisik.answer.base import ABSTAIN_MESSAGE, Answerer
from jisik.answer.citations import cite
from jisik.answer.events import AnswerEvent, CitationsEvent, DeltaEvent, FinalEvent, events_of
from jisik.answer.grounding import Verdict, check, cited_sentences
from jisik.answer.labels import GENERATED
from jisik.answer.prompt import ABSTAIN_REPLY, build_messages
from jisik.audit.canonical import canonical_json, sha256_hex
from jisik.llm.base import (
    Finished,
    GenerationParams,
    Generator,
    GeneratorError,
    Message,
)
from jisik.text.analyzer import Analyzer
from jisik.types import Answer, Hit

MAX_PASSAGES = 6
_BREAK = re.compile(r"(?<=[.!?。？！])(?:\s*\[\d{1,3}\])*\s+|\n+")


class GenerativeAnswerer:
    method = "generative-v1"

    def __init__(
        self,
        generator: Generator,
        fallback: Answerer,
        analyzer: Analyzer,
        params: GenerationParams = GenerationParams(),
        max_passages: int = MAX_PASSAGES,
    ) -> None:
        self.generator = generator
        self.fallback = fallback
        self.analyzer = analyzer
        self.params = params
        self.max_passages = max_passages

    def answer(self, question: str, hits: Sequence[Hit]) -> Answer:
        from jisik.answer.events import final_answer

        return final_answer(self.stream(question, hits))

    def stream(
        self, question: str, hits: Sequence[Hit], history: Sequence[Message] = ()
    ) -> Iterator[AnswerEvent]:
        quoted = self.fallback.answer(question, hits)
        if quoted.abstained:
            yield from events_of(quoted)
            return
        messages, used = build_messages(
            question,
            list(hits)[: self.max_passages],
            self.generator.max_context_tokens,
            self.params.max_tokens,
            history,
        )
        if not used:
            yield from events_of(
                _fallback(
                    quoted, "the passages do not fit the model's context (llm_max_context_tokens)"
                )
            )
            return
        passages = {n: hit for n, hit in enumerate(used, start=1)}
        prompt_hash = sha256_hex(canonical_json([[m.role, m.content] for m in messages]))
        verdicts: list[Verdict] = []
        finished: Finished | None = None
        pending = ""
        shown: list[str] = []
        try:
            for event in self.generator.stream(messages, self.params):
                if isinstance(event, Finished):
                    finished = event
                    continue
                complete, pending = _split_complete(pending + event.text)
                for verdict in self._checked(complete, passages):
                    verdicts.append(verdict)
                    if verdict.supported:
                        shown.append(verdict.sentence.text)
                        yield DeltaEvent(("" if len(shown) == 1 else " ") + verdict.sentence.text)
            for verdict in self._checked(pending, passages):
                verdicts.append(verdict)
                if verdict.supported:
                    shown.append(verdict.sentence.text)
                    yield DeltaEvent(("" if len(shown) == 1 else " ") + verdict.sentence.text)
        except GeneratorError as exc:
            yield from events_of(_fallback(quoted, str(exc), len(shown)))
            return
        for event in self._final(question, quoted, verdicts, passages, finished):
            if isinstance(event, FinalEvent) and event.answer.generated:
                event = FinalEvent(dataclasses.replace(event.answer, prompt_sha256=prompt_hash))
            yield event

    def _checked(self, text: str, passages: dict[int, Hit]) -> list[Verdict]:
        return [
            check(sentence, passages, self.analyzer.query_terms, self._names)
            for sentence in cited_sentences(text)
            if not _is_abstention(sentence.text)
        ]

    def _names(self, text: str) -> frozenset[str]:
        return self.analyzer.proper_nouns([text])[0]

    def _final(self, question, quoted, verdicts, passages, finished) -> Iterator[AnswerEvent]:
        kept = [v for v in verdicts if v.supported and v.sentence.cited]
        unsupported = tuple(v.sentence.text for v in verdicts if not v.supported)
        usage = (
            None
            if finished is None
            else (
                finished.usage.prompt_tokens,
                finished.usage.completion_tokens,
                finished.usage.estimated,
            )
        )
        if not kept:
            if not verdicts:  # the model said the passages hold no answer
                yield FinalEvent(
                    Answer(
                        question,
                        ABSTAIN_MESSAGE,
                        True,
                        (),
                        self.method,
                        digital_source_type=GENERATED,
                        model=self.generator.id,
                        generated=True,
                        usage=usage,
                    )
                )
                return
            yield from events_of(
                _fallback(quoted, "no sentence of the model's answer was supported by its passages")
            )
            return
        order = list(dict.fromkeys(n for v in kept for n in v.sentence.cited))
        citations = tuple(cite(n, passages[n], 0, len(passages[n].text)) for n in order)
        text = " ".join(v.sentence.text for v in verdicts if v.supported)
        yield CitationsEvent(citations)
        yield FinalEvent(
            Answer(
                question,
                text,
                False,
                citations,
                self.method,
                digital_source_type=GENERATED,
                model=self.generator.id,
                generated=True,
                unsupported=unsupported,
                usage=usage,
            )
        )


def _split_complete(text: str) -> tuple[str, str]:
    """(the complete sentences, the rest). A sentence is complete when something other
    than its citation markers follows it: "…입니다." may still get its "[1]"."""
    cut = 0
    for match in _BREAK.finditer(text):
        rest = text[match.end() :]
        if rest.strip() and not rest.lstrip().startswith("["):
            cut = match.end()
    return text[:cut], text[cut:]


def _is_abstention(sentence: str) -> bool:
    return ABSTAIN_REPLY.rstrip(".") in sentence or "No supporting document" in sentence


def _fallback(quoted: Answer, reason: str, streamed: int = 0) -> Answer:
    """The extractive answer, saying why it is not a generated one."""
    notice = f"생성형 답변을 만들지 못해 문서 문장을 그대로 인용했습니다 (the generated answer fell back to quoted sentences): {reason}"
    if streamed:
        notice += f"; {streamed} sentence(s) already shown are replaced by this answer"
    return dataclasses.replace(quoted, notice=notice)
