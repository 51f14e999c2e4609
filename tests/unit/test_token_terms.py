"""``token_terms`` (the ingest path, straight from Kiwi's tokens) must give exactly what
``morph_terms`` (the readable rules) gives, for any sequence of tokens."""

from __future__ import annotations

from typing import NamedTuple

from hypothesis import given
from hypothesis import strategies as st

from jisik.text.terms import Morph, morph_terms, token_terms

TAGS = [
    "NNG",
    "NNP",
    "NNB",
    "NR",
    "XR",
    "SN",
    "SL",
    "SH",
    "VV",
    "VA",
    "VV-R",
    "VA-I",
    "JKS",
    "EF",
    "SF",
    "W_URL",
    "W_EMAIL",
    "W_SERIAL",
    "MAG",
]
FORMS = [
    "연차",
    "휴가",
    "15",
    "3,000",
    "일",
    "원",
    "Policy",
    "the",
    "Running",
    "받",
    "것",
    "하",
    "http://a.kr",
    "A@B.KR",
    "年",
    "은",
    ".",
]


class Token(NamedTuple):
    form: str
    tag: str
    start: int
    len: int


@st.composite
def tokens(draw):
    out, position = [], 0
    for _ in range(draw(st.integers(0, 12))):
        position += draw(st.sampled_from([0, 0, 1, 2]))  # adjacent, or a gap
        form = draw(st.sampled_from(FORMS))
        length = draw(st.integers(1, len(form) + 1))
        out.append(Token(form, draw(st.sampled_from(TAGS)), position, length))
        position += length
    return out, max(1, position - draw(st.integers(0, 2)))  # a line may end inside one


@given(tokens(), st.booleans())
def test_token_terms_equal_morph_terms(case, compounds):
    found, line_length = case
    morphs = [Morph(t.form, t.tag, t.start, min(t.start + t.len, line_length)) for t in found]
    assert token_terms(found, line_length, compounds=compounds) == morph_terms(
        morphs, compounds=compounds
    )
