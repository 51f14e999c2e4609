"""Key–value fields in a sentence: form lines and table rows.

Notices and forms state their facts as fields (``접 수 기 간: 2025. 5. 1. ~ 5. 15.``,
``□ 장소 : 본사 3층``), and the parsers render a table row as ``column: value``
pairs joined by ``" | "``. A question asks for a kind of value (when, where, how
much, who, how many, contact); the field whose *key* means that kind holds the
answer, even when the title line repeats more of the question's words. The value
is also what a UI marks inside the cited sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from jisik.answer.answer_types import Kind, new_value

CELL_SEPARATOR = " | "
# A key: a few words before a colon, after an optional bullet or number
# ("□", "○", "-", "1.", "가.", "(1)"); the value runs to the next cell or the end.
_BULLET = r"(?:[□■○●◦·•▶▷◎※\-–*]|\(?\d{1,2}[.)]|\(?[가-하][.)])?"
_FIELD = re.compile(rf"^\s*{_BULLET}\s*(?P<key>[^:：|]{{1,24}}?)\s*[:：]\s*(?P<value>\S.*?)\s*$")
FREE_FORM = ("place", "person")  # kinds whose values have no pattern to check
MAX_KEY_WORDS = 6
# A cell that reads as a key: a few letters, no digits or sentence punctuation.
_KEY_CELL = re.compile(
    r"^\s*[가-힣A-Za-z][가-힣A-Za-z ()·/]{0,14}\s*$"
)  # a longer "key" is a sentence with a colon in it


@dataclass(frozen=True, slots=True)
class Field:
    key: str  # as written, letter spacing included
    value_start: int  # span of the value within the sentence
    value_end: int

    @property
    def compact_key(self) -> str:
        return "".join(self.key.split())


def fields(sentence: str) -> list[Field]:
    """The key–value fields of a sentence: one per "key: value" cell or form line;
    in a row of plain cells (a form laid out as a table, "보도일시 | 2018. 9. 4."),
    each short key-like cell keys the cell after it."""
    out = []
    cells: list[tuple[int, str]] = []
    offset = 0
    for cell in sentence.split(CELL_SEPARATOR):
        cells.append((offset, cell))
        match = _FIELD.match(cell)
        if match and len(match.group("key").split()) <= _max_words(match.group("key")):
            out.append(
                Field(
                    match.group("key"), offset + match.start("value"), offset + match.end("value")
                )
            )
        offset += len(cell) + len(CELL_SEPARATOR)
    if out or len(cells) < 2:
        return out
    for (_, key), (start, value) in zip(cells, cells[1:]):
        if _KEY_CELL.match(key) and value.strip():
            lead = len(value) - len(value.lstrip())
            out.append(Field(key.strip(), start + lead, start + len(value.rstrip())))
    return out


def _max_words(key: str) -> int:
    # Letter-spaced keys ("접 수 기 간") are one word per letter.
    letters = key.split()
    if letters and all(len(w) == 1 for w in letters):
        return 12
    return MAX_KEY_WORDS


def field_value(
    kinds: Sequence[Kind], sentence: str, question: str
) -> tuple[tuple[int, int], bool] | None:
    """The span of the value asked for, and whether a field's key vouches for it.

    A field whose key means an asked kind wins, with its whole value ("2025. 5. 1.
    ~ 5. 15." is one answer), when the value holds that kind or the kind has no fixed
    form (a place, a person); else the value of a field the question names by its
    key; else the first new value of an asked kind anywhere in the sentence. None
    when the sentence holds none of these.
    """
    found = fields(sentence)
    for kind in kinds:
        for field in found:
            if kind.keys.search(field.compact_key):
                value = sentence[field.value_start : field.value_end]
                if kind.name in FREE_FORM or new_value(kind, value, question) is not None:
                    return (field.value_start, field.value_end), True
    # A field the question names by its key ("계약 기간은?" and "③계약기간 : 2025년 …",
    # "자녀 결혼 경조금"): that field's value, whatever kind was guessed.
    asked = "".join(question.split()).lower()
    for field in found:
        key = field.compact_key.lower()
        value = sentence[field.value_start : field.value_end]
        if len(key) >= 2 and key in asked and "".join(value.split()).lower() not in asked:
            return (field.value_start, field.value_end), True
    for kind in kinds:
        span = new_value(kind, sentence, question)
        if span is not None:
            return span, False
    return None
