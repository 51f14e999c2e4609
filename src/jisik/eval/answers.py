"""Which gold answers are scored, and whether a text contains one."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable

from jisik.eval.dataset import Query

# In a dataset, longer gold answers are reference answers written in prose
# (autorag-ko: 14 to 1,000+ characters), not spans of a passage (KorQuAD's are at
# most 43): scoring them by containment would only measure noise. A user's own
# answers are all scored: they are written to be found verbatim.
SPAN_ANSWER_MAX_CHARS = 40


# Which of a query's gold answers are scored by containment.
AnswersOf = Callable[[Query], tuple[str, ...]]


def span_answers(query: Query) -> tuple[str, ...]:
    """The gold answers short enough to be expected verbatim in a passage."""
    return tuple(a for a in query.answers if a.strip() and len(a) <= SPAN_ANSWER_MAX_CHARS)


def all_answers(query: Query) -> tuple[str, ...]:
    return tuple(a for a in query.answers if a.strip())


def _fold(text: str) -> str:
    # Case, Unicode form and spacing differences are not answer differences.
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def contains_answer(text: str, answers: Iterable[str]) -> bool:
    folded = _fold(text)
    return any(_fold(a) and _fold(a) in folded for a in answers)
