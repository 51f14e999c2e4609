"""Answer scores: KorQuAD's exact match and character F1, ROUGE-L over characters."""

from __future__ import annotations

import pytest

from jisik.eval.answer_scores import char_f1, exact_match, normalise_answer, rouge_l


def test_normalisation_drops_marks_case_spacing_and_citations():
    assert normalise_answer("  《한빛테크》는  2009년. [1]") == "한빛테크는 2009년"
    assert normalise_answer("“MFA”  Auth!") == "mfa auth"


def test_exact_match_takes_the_best_reference():
    assert exact_match("2009년", ["2010년", "2009년"]) == 1.0
    assert exact_match("2009년에", ["2009년"]) == 0.0
    assert exact_match("", ["2009년"]) == 0.0


def test_character_f1_gives_credit_for_particles_and_spacing():
    # "서울에서" against "서울": 2 of 4 predicted characters, both gold ones.
    assert char_f1("서울에서", ["서울"]) == pytest.approx(2 * 0.5 * 1.0 / 1.5)
    assert char_f1("12 자", ["12자"]) == 1.0  # spaces do not count
    assert char_f1("전혀 다른 말", ["2009년"]) == 0.0
    assert char_f1("2009년", ["2009", "2009년"]) == 1.0


def test_rouge_l_rewards_order_as_well_as_overlap():
    reference = "최저자본금은 시중은행이 천억원이다"
    assert rouge_l(reference, [reference]) == 1.0
    shuffled = "천억원이다 시중은행이 최저자본금은"
    assert char_f1(shuffled, [reference]) == 1.0  # the same characters …
    assert rouge_l(shuffled, [reference]) < 0.5  # … in another order
    assert rouge_l("", [reference]) == 0.0
