"""Letter-spaced words (issue 10, forms and spacing): "접 수 기 간: 5월 1일" in a notice
and "사 내 식 당" in a question are analysed as the words they spell, while ordinary
prose with one-letter words is left alone and every span stays exact."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jisik.text.analyzer import join_letter_spaced, shared_analyzer


@pytest.mark.parametrize(
    ("line", "joined"),
    [
        ("접 수 기 간: 2026. 5. 1. ~ 5. 15.", "접수기간: 2026. 5. 1. ~ 5. 15."),
        ("□ 사 업 비 : 금 50,000,000원", "□ 사업비 : 금 50,000,000원"),
        ("사 업 명 | 스마트공장 | 담 당 자 | 김민수", "사업명 | 스마트공장 | 담당자 | 김민수"),
        ("1. 목 적: 이 규정은", "1. 목적: 이 규정은"),
        ("성 명   홍길동", "성명   홍길동"),
        ("사 내 식 당", "사내식당"),
        ("사 내 식 당 운영 시간은?", "사내식당 운영 시간은?"),
        # Prose: one-letter words that are not a key stay as they are.
        ("그 외 사항은 따로 정한다", "그 외 사항은 따로 정한다"),
        ("신청 기 간 안내", "신청 기 간 안내"),
        ("나 는 간다", "나 는 간다"),
        ("제 1 조", "제 1 조"),
    ],
)
def test_which_runs_are_joined(line, joined):
    assert join_letter_spaced(line)[0] == joined


def test_a_spaced_key_is_found_by_the_word_it_spells():
    analyzer = shared_analyzer()
    document = analyzer.analyze("접 수 기 간: 2026. 5. 1. ~ 5. 15.\n사 업 비 : 금 5천만 원")
    terms = set(document.terms)
    assert {"접수", "기간", "접수기간", "사업비"} <= terms
    assert set(analyzer.query_terms("접수기간은 언제인가요?")) & terms >= {"접수기간"}
    assert analyzer.query_terms("사 내 식 당") == analyzer.query_terms("사내식당")


def test_spans_are_those_of_the_stored_text():
    text = "안내\n접 수 기 간: 5월 1일부터. 사 업 비 : 금 5천만 원"
    for sentence in shared_analyzer().analyze(text).sentences:
        span = text[sentence.start : sentence.end]
        assert span == span.strip() and "\n" not in span
    spans = [text[s.start : s.end] for s in shared_analyzer().analyze(text).sentences]
    assert spans[1].startswith("접 수 기 간: 5월 1일부터.")
    assert spans[-1].endswith("5천만 원")


_PIECES = st.sampled_from(["가", "나", "접", " ", "  ", ":", "|", "1.", "사업", "a", "\t", "□"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=20).map("".join))
def test_the_map_points_at_the_same_characters_and_only_spaces_are_dropped(line):
    joined, where = join_letter_spaced(line)
    if where is None:
        assert joined == line
        return
    assert len(where) == len(joined)
    assert all(joined[i] == line[where[i]] for i in range(len(joined)))
    assert where == sorted(set(where))
    dropped = set(range(len(line))) - set(where)
    assert dropped and all(line[i] == " " for i in dropped)
