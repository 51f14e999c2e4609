"""Answer quality on a set with reference answers: quoted and generated side by side.

Every question with a reference answer is asked through ``Jisik.ask`` as a person would
ask it, once per method: ``extractive`` (quoted sentences) and, with a configured
language model, ``generative`` (written by the model, checked sentence by sentence).
Reported per method: exact match and character F1 (KorQuAD scoring), ROUGE-L, citation
precision — the share of the cited sentences the model wrote that their passage
supports (before the check removes the others; quoted sentences are checked the same
way) — the abstention and fallback rates, and the answer time.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from jisik.answer.grounding import check_all
from jisik.eval.answer_scores import char_f1, exact_match, rouge_l
from jisik.eval.dataset import Query

EXTRACTIVE, GENERATIVE = "extractive", "generative"
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class _Passage:
    text: str  # what ``grounding.check`` reads of a cited passage


def answer_methods(jisik) -> tuple[str, ...]:
    return (EXTRACTIVE, GENERATIVE) if jisik.generative is not None else (EXTRACTIVE,)


def evaluate_answers(
    jisik,
    queries: Sequence[Query],
    methods: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> dict[str, dict[str, float]]:
    """Metrics per method over the queries that have reference answers."""
    asked = [q for q in queries if any(a.strip() for a in q.answers)]
    out: dict[str, dict[str, float]] = {}
    for method in methods or answer_methods(jisik):
        rows = []
        for done, query in enumerate(asked, start=1):
            rows.append(_score(jisik, query, method))
            if progress:
                progress(f"answers: {method}", done, len(asked))
        out[method] = _summary(rows)
    return out


def _score(jisik, query: Query, method: str) -> dict:
    references = [a for a in query.answers if a.strip()]
    started = time.perf_counter()
    answer = jisik.ask(query.text, generate=method == GENERATIVE)
    elapsed_ms = (time.perf_counter() - started) * 1000
    supported, cited = _citation_support(jisik, answer)
    text = "" if answer.abstained else answer.text
    return {
        "em": exact_match(text, references) if text else 0.0,
        "f1": char_f1(text, references) if text else 0.0,
        "rouge_l": rouge_l(text, references) if text else 0.0,
        "supported": supported,
        "cited": cited,
        "abstained": answer.abstained,
        "fell_back": method == GENERATIVE and not answer.generated and not answer.abstained,
        "ms": elapsed_ms,
    }


def _citation_support(jisik, answer) -> tuple[int, int]:
    """Cited sentences supported by their passage, and cited sentences in all — those
    the check removed from a generated answer count as cited and unsupported."""
    if answer.abstained:
        return 0, 0
    passages = {c.n: _Passage(c.text) for c in answer.citations}
    analyzer = jisik.analyzer
    verdicts = check_all(
        answer.text,
        passages,
        analyzer.query_terms,
        lambda text: analyzer.proper_nouns([text])[0],
    )
    cited = [v for v in verdicts if v.sentence.cited]
    supported = sum(v.supported for v in cited)
    return supported, len(cited) + len(answer.unsupported)


def _summary(rows: list[dict]) -> dict[str, float]:
    if not rows:
        return {"questions": 0}
    n = len(rows)
    cited = sum(r["cited"] for r in rows)
    answered = [r for r in rows if not r["abstained"]]
    return {
        "questions": n,
        "exact_match": round(sum(r["em"] for r in rows) / n, 4),
        "char_f1": round(sum(r["f1"] for r in rows) / n, 4),
        "rouge_l": round(sum(r["rouge_l"] for r in rows) / n, 4),
        "citation_precision": round(sum(r["supported"] for r in rows) / cited, 4) if cited else 0.0,
        "abstention": round((n - len(answered)) / n, 4),
        "fallback": round(sum(r["fell_back"] for r in rows) / n, 4),
        "p50_ms": round(statistics.median(r["ms"] for r in rows), 1),
    }
