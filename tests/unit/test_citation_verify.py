"""A citation is valid only where its span of the stored text is exactly its text.

The spans here are literal offsets into a literal text (counted by hand and checked
with ``str.index``), never produced by ``cite``.
"""

from __future__ import annotations

import pytest

from jisik.answer.citations import CitationError, cite, verify
from jisik.types import Citation, Hit

TEXT = "연차휴가 규정\n쓰지 않은 연차는 다음 해로 이월되지 않으며, 연말에 수당으로 정산합니다.\n"
SENTENCE = "쓰지 않은 연차는 다음 해로 이월되지 않으며, 연말에 수당으로 정산합니다."
START = 8  # "연차휴가 규정" is 7 characters, then the line break
END = START + len(SENTENCE)
assert TEXT.index(SENTENCE) == START and END == 49  # the sentence is 41 characters


def _citation(start: int = START, end: int = END, text: str = SENTENCE, version: int = 1):
    return Citation(1, "doc1", version, "연차휴가 규정", "hr/leave.md", "", start, end, text)


def _texts(versions: dict[int, str]):
    """Like the service's lookup: the text of the cited version, "" for any other."""
    return lambda citation: versions.get(citation.version, "")


def _rejected(citation: Citation, versions: dict[int, str] | None = None) -> bool:
    try:
        verify(citation, _texts(versions or {1: TEXT}))
    except CitationError:
        return True
    return False


def test_the_exact_span_verifies():
    assert not _rejected(_citation())
    assert not _rejected(_citation(0, 7, "연차휴가 규정"))
    assert not _rejected(_citation(END - 6, END - 1, "정산합니다"))


def test_same_length_different_characters_is_rejected():
    for forged in (
        SENTENCE.replace("이월되지 않으며", "이월되어 쌓이며"),  # same length, other words
        SENTENCE.replace("않", "안"),  # one syllable
        SENTENCE[:-1] + "!",  # last character
        "X" + SENTENCE[1:],  # first character
        SENTENCE[::-1],  # same characters, other order
    ):
        assert len(forged) == len(SENTENCE) and forged != SENTENCE
        assert _rejected(_citation(text=forged)), forged


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (START + 1, END + 1),  # the span shifted right by one
        (START - 1, END - 1),  # … and left by one
        (START, END + 1),  # one character too long
        (START + 1, END),  # one too short
        (START - 1, END),
        (START, END - 1),
    ],
)
def test_a_span_off_by_one_is_rejected(start, end):
    assert _rejected(_citation(start, end))


def test_a_span_outside_the_document_is_rejected():
    tail = TEXT[-5:]
    length = len(TEXT)
    assert not _rejected(_citation(length - 5, length, tail))
    # Python slices clamp and count from the end: these would read the right characters
    # from spans the document does not have.
    assert _rejected(_citation(length - 5, length + 3, tail))
    assert _rejected(_citation(-5, length, tail))
    assert _rejected(_citation(-5, 0, ""))
    assert _rejected(_citation(length + 10, length + 20, ""))
    assert _rejected(_citation(END, START, ""))  # reversed


def test_an_empty_or_blank_citation_is_rejected():
    assert _rejected(_citation(START, START, ""))
    assert _rejected(_citation(7, 8, "\n"))  # the line break between title and text
    assert _rejected(_citation(START + 2, START + 3, " "))


def test_a_citation_of_another_version_is_rejected():
    versions = {1: TEXT, 2: "새 규정\n" + SENTENCE.replace("않으며", "않고") + "\n"}
    assert not _rejected(_citation(version=1), versions)
    assert _rejected(_citation(version=2), versions)  # the span of v1 read in v2
    assert _rejected(_citation(version=3), versions)  # no such version: no text


def test_cite_offsets_a_passage_span_by_the_passage_start():
    hit = Hit(7, "doc1", 3, "연차휴가 규정", "hr/leave.md", "p. 2", START, END, SENTENCE, 1.0)
    citation = cite(2, hit, 6, 9)  # "연차는"
    assert citation == Citation(
        2, "doc1", 3, "연차휴가 규정", "hr/leave.md", "p. 2", 14, 17, "연차는"
    )
    assert TEXT[14:17] == "연차는"
    verify(citation, _texts({3: TEXT}))


def test_the_error_names_the_citation_and_its_span():
    with pytest.raises(CitationError) as error:
        verify(_citation(START + 1, END + 1), _texts({1: TEXT}))
    assert str(error.value) == "citation [1] span 9:50 of doc1 does not match its text"
