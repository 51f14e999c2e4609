"""Generated sentences checked against the passages they cite."""

from __future__ import annotations

import pytest

from jisik.answer.grounding import check_all, cited_sentences, kept_text
from jisik.text.analyzer import AnalyzerConfig, shared_analyzer
from jisik.types import Hit

ANALYZER = shared_analyzer(AnalyzerConfig(workers=1))


def _hit(n: int, text: str) -> Hit:
    return Hit(n, f"doc{n}", 1, f"문서 {n}", f"/d/{n}.md", "p.1", 0, len(text), text, 1.0)


def _names(text: str) -> frozenset[str]:
    return ANALYZER.proper_nouns([text])[0]


PASSAGES = {
    1: _hit(
        1,
        "신입사원은 입사 첫해에 한 달 개근할 때마다 1일의 유급휴가를 받습니다. 2년차부터는 연 15일이 부여됩니다.",
    ),
    2: _hit(
        2,
        "출장 숙박비는 1박에 120,000원까지 실비로 지급합니다. 문의는 인사팀 김민준 과장에게 합니다.",
    ),
}


def _verdicts(text: str):
    return check_all(text, PASSAGES, ANALYZER.query_terms, _names)


def test_sentences_carry_the_markers_that_follow_them():
    found = cited_sentences(
        "연차는 15일입니다. [1] 숙박비는 12만 원까지입니다 [2].\n다음과 같습니다"
    )
    assert [s.cited for s in found] == [(1,), (2,), ()]
    assert found[0].text == "연차는 15일입니다. [1]"


def test_supported_sentences_are_kept():
    verdicts = _verdicts(
        "2년차부터는 연 15일의 연차가 부여됩니다 [1]. 숙박비는 1박에 120,000원까지 지급합니다 [2]."
    )
    assert all(v.supported for v in verdicts), [v.reason for v in verdicts]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2년차부터는 연 20일이 부여됩니다 [1].", "the number 20"),
        ("숙박비는 1박에 120,000원까지 지급합니다 [3].", "cites [3]"),
        ("문의는 인사팀 박서연 과장에게 합니다 [2].", "the name 박서연"),
        ("연차는 15일이며 출장 숙박비는 150,000원입니다.", "cites no passage"),
        ("회사 주차장은 지하 3층에 있고 방문객 차량 등록이 필요합니다 [1].", "the number 3"),
        ("회사 주차장 방문객 차량 등록은 경비실에서 받습니다 [1].", "of its words"),
    ],
)
def test_unsupported_sentences_are_removed_with_the_reason(text, reason):
    (verdict,) = _verdicts(text)
    assert not verdict.supported and reason in verdict.reason


def test_a_connective_sentence_without_a_claim_may_stand_uncited():
    verdicts = _verdicts("다음과 같습니다. 2년차부터는 연 15일이 부여됩니다 [1].")
    assert [v.supported for v in verdicts] == [True, True]
    assert kept_text(verdicts).startswith("다음과 같습니다.")
