"""Best-sentence rescoring (search/rescore.py): pure functions over hits."""

from __future__ import annotations

import pytest

from jisik.search.rescore import best_sentence_coverage, idf_weights, rescore, rescore_hits
from jisik.types import Hit


def _hit(chunk_id: int, text: str, score: float) -> Hit:
    return Hit(chunk_id, f"d{chunk_id}", 1, "제목", "src", "", 0, len(text), text, score)


WEIGHTS = {"연차": 2.0, "이월": 1.0, "신청": 1.0}


def test_coverage_is_the_best_single_sentence_share():
    text = "연차는 15일이다. 이월은 신청해야 한다.\n연차 이월 신청은 인사팀에 한다."
    assert best_sentence_coverage(text, WEIGHTS) == pytest.approx(1.0)
    spread = "연차는 15일이다. 이월은 다음 해까지 된다. 신청은 인사팀에 한다."
    assert best_sentence_coverage(spread, WEIGHTS) == pytest.approx(0.5)
    assert best_sentence_coverage("관계없는 문장.", WEIGHTS) == 0.0
    assert best_sentence_coverage("연차", {}) == 0.0


def test_a_passage_with_the_words_in_one_sentence_moves_up():
    spread = _hit(1, "연차는 15일이다. 이월은 다음 해까지. 신청은 인사팀에.", 10.0)
    together = _hit(2, "연차 이월은 인사팀에 신청한다. 다른 내용.", 9.0)
    ranked = rescore([spread, together], WEIGHTS, weight=0.8)
    assert [h.chunk_id for h in ranked] == [2, 1]
    # Scores keep describing the order, and none is lowered.
    assert ranked[0].score >= ranked[1].score
    assert ranked[1].score >= 10.0


def test_only_the_first_depth_hits_are_rescored_and_stay_above_the_rest():
    hits = [_hit(i, "무관한 문장." if i < 2 else "연차 이월 신청.", 10.0 - i) for i in range(4)]
    ranked = rescore(hits, WEIGHTS, depth=2, weight=0.8)
    assert [h.chunk_id for h in ranked] == [0, 1, 2, 3]
    assert ranked[2] is hits[2]


def test_weight_zero_or_no_terms_keeps_the_order():
    hits = [_hit(1, "가.", 2.0), _hit(2, "연차 이월 신청.", 1.0)]
    assert rescore(hits, WEIGHTS, weight=0.0) == hits
    assert rescore(hits, {}, weight=0.8) == hits
    assert rescore_hits([], hits, lambda terms: (10, {})) == hits


def test_idf_weights_favour_rare_terms_and_count_each_term_once():
    seen = []

    def frequencies(terms):
        seen.append(list(terms))
        return 100, {"연차": 50, "이월": 1}

    weights = idf_weights(["연차", "이월", "연차", "미지"], frequencies)
    assert seen == [["연차", "이월", "미지"]]
    assert weights["이월"] > weights["연차"] > 0
    assert weights["미지"] > weights["이월"]  # absent from the index: rarest
