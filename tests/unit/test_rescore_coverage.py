"""The fast best-sentence coverage agrees with the plain definition: split into
sentences, then sum the weights of the terms each sentence contains."""

from hypothesis import given, settings
from hypothesis import strategies as st

from jisik.search.rescore import _SENTENCE_BREAK, best_sentence_coverage

LETTERS = "가나다라 .!?\nab"


def by_definition(text: str, weights: dict[str, float]) -> float:
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    return max(
        sum(w for term, w in weights.items() if term in sentence)
        for sentence in _SENTENCE_BREAK.split(text.lower())
    ) / total


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet=LETTERS, max_size=60),
    st.dictionaries(
        st.text(alphabet="가나다라ab. !\n", min_size=1, max_size=3),
        st.floats(min_value=0.01, max_value=5),
        max_size=5,
    ),
)
def test_coverage_matches_its_definition(text, weights):
    assert abs(best_sentence_coverage(text, weights) - by_definition(text, weights)) < 1e-9


def test_a_term_across_a_sentence_break_does_not_count():
    assert best_sentence_coverage("연차는 15일. 휴가는", {"15일. 휴가": 1.0}) == 0.0
    assert best_sentence_coverage("연차는 15일. 휴가는", {"연차": 1.0, "휴가": 1.0}) == 0.5
