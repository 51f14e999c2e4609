from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from jisik.text.analyzer import (
    MAX_WINDOW_CHARS,
    Analyzer,
    AnalyzerConfig,
    normalize,
    shared_analyzer,
    windows,
)
from jisik.text.terms import Morph, morph_terms


def test_content_morphemes_compounds_and_units():
    terms = Analyzer().query_terms("신입사원의 연차휴가는 15일입니다")
    assert {"신입", "사원", "신입사원", "연차", "휴가", "연차휴가", "15", "15일"} <= set(terms)
    assert "의" not in terms and "는" not in terms


def test_question_words_are_not_terms():
    terms = Analyzer().query_terms("비밀번호는 언제 무엇을 어떻게 바꾸나요?")
    assert "비밀번호" in terms
    assert not {"언제", "무엇", "어떻"} & set(terms)


def test_english_is_lowercased_and_stemmed_like_documents():
    analyzer = Analyzer()
    assert "run" in analyzer.query_terms("Running VPN tests")
    assert analyzer.query_terms("VPN") == analyzer.query_terms("vpn")


def test_numbers_lose_thousands_separators():
    assert "12000원" in Analyzer().query_terms("식대는 12,000원까지")


def test_identifiers_glued_to_particles_are_found():
    terms = Analyzer().query_terms("security@hanbit.example로 메일을 보내세요")
    assert "security@hanbit.example" in terms


def test_hanja_is_kept():
    assert "人工知能" in Analyzer().query_terms("人工知能 연구")


def test_newlines_are_sentence_boundaries_with_exact_spans():
    text = "식대 | 12000원\n숙박비 | 100000원. 둘째 문장입니다."
    analysis = Analyzer().analyze(text)
    spans = [text[s.start : s.end] for s in analysis.sentences]
    assert spans[0] == "식대 | 12000원"
    assert all("\n" not in span for span in spans)
    assert len(spans) == 3


def test_normalize_composes_hangul_and_newlines():
    decomposed = "\u1112\u1161\u11ab\u1100\u1173\u11af\r\n"  # 한글 in NFD + CRLF
    assert normalize(decomposed) == "한글\n"


def test_morph_terms_rules_are_pure():
    morphs = [Morph("보안", "NNG", 0, 2), Morph("규정", "NNG", 2, 4), Morph("을", "JKO", 4, 5)]
    assert morph_terms(morphs) == ["보안", "규정", "보안규정"]
    assert morph_terms(morphs, compounds=False) == ["보안", "규정"]


def test_bundled_workplace_words_fix_question_misreadings():
    # Without the bundled entry Kiwi reads "내선" in this question as a verb.
    assert "내선" in Analyzer().query_terms("헬프데스크에 전화하려면 내선 몇 번으로 걸어야 하나요?")


def test_user_dictionary_adds_words_and_changes_the_description(tmp_path):
    import pytest

    from jisik.errors import ConfigError
    from jisik.text.analyzer import AnalyzerConfig

    words = tmp_path / "words.txt"
    words.write_text("# 우리 회사 용어\n빛누리시스템 NNP\n", encoding="utf-8")
    custom = Analyzer(AnalyzerConfig(user_dictionary=str(words)))
    assert "빛누리시스템" in custom.query_terms("빛누리시스템에 로그인")
    assert custom.describe()["dictionary"] != Analyzer().describe()["dictionary"]
    words.write_text("빛누리시스템\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="words.txt:1"):
        Analyzer(AnalyzerConfig(user_dictionary=str(words))).describe()


def test_english_stemming_is_safe_across_threads():
    # A shared snowball stemmer raised IndexError under a loaded server.
    from concurrent.futures import ThreadPoolExecutor

    from jisik.text.terms import _latin_term

    words = ["running", "connections", "configurations", "authenticated", "reporting"] * 400
    with ThreadPoolExecutor(8) as pool:
        stems = list(pool.map(_latin_term, words))
    assert stems == [_latin_term(w) for w in words]


# --- bounded analysis (issue 9, defect 8) ---------------------------------------
# Kiwi's time grows with the square of a line's length; lines over MAX_WINDOW_CHARS
# are analysed in windows. Timing is measured in benchmarks/analyzer_lines.py.

_PIECES = [
    "직원은",
    "연차를",
    "신청한다.",
    "휴가",
    "15일",
    "VPN",
    " ",
    " ",
    "\n",
    "!",
    "...",
    "x" * 300,
]


def test_a_short_line_is_one_window():
    line = "가" * MAX_WINDOW_CHARS
    assert list(windows(line)) == [(0, len(line))]
    assert list(windows("")) == []


def test_a_long_line_is_cut_after_a_sentence_then_at_a_space_then_anywhere():
    sentences = "직원은 연차를 신청한다. " * 400  # ~5,600 characters, sentence ends every 14
    cuts = [b for _, b in windows(sentences)][:-1]
    assert cuts and all(sentences[c - 2 : c] == ". " for c in cuts)
    words = "가나다라 " * 1000  # no sentence end: cut after a space
    assert all(words[c - 1] == " " for _, c in list(windows(words))[:-1])
    token = "x" * 5000  # one token: hard cuts at the bound
    assert list(windows(token)) == [(0, 2000), (2000, 4000), (4000, 5000)]


def test_a_hard_cut_never_separates_a_letter_from_its_combining_mark():
    line = "e\u0301" * 3000  # e + combining acute, no spaces
    for start, end in windows(line):
        assert line[start] != "\u0301" and end - start <= MAX_WINDOW_CHARS


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_PIECES + ["가", ".", "\u0301"]), max_size=600))
def test_windows_cover_a_line_exactly_and_are_bounded(pieces):
    line = "".join(pieces).replace("\n", " ")
    spans = list(windows(line))
    assert "".join(line[a:b] for a, b in spans) == line
    assert all(0 < b - a <= MAX_WINDOW_CHARS for a, b in spans)
    assert all(b == a2 for (_, b), (a2, _) in pairwise(spans))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=900))
def test_analysis_spans_stay_inside_the_text_and_never_cross_a_line_or_window(pieces):
    text = "".join(pieces)
    analysis = shared_analyzer().analyze(text)
    boundaries = set()
    offset = 0
    for line in text.split("\n"):
        boundaries |= {offset + b for _, b in windows(line)}
        offset += len(line) + 1
    previous_end = 0
    for sentence in analysis.sentences:
        assert previous_end <= sentence.start < sentence.end <= len(text)
        span = text[sentence.start : sentence.end]
        assert span.strip() and "\n" not in span
        assert not any(sentence.start < b < sentence.end for b in boundaries)
        previous_end = sentence.end


def test_a_long_line_analyses_like_its_windows_each_alone():
    analyzer = shared_analyzer()
    line = "직원은 매년 연차를 신청하고 팀장이 승인한다. " * 200
    whole = analyzer.analyze(line)
    pieces = [(a, analyzer.analyze(line[a:b])) for a, b in windows(line)]
    expected = [(a + s.start, a + s.end, s.terms) for a, p in pieces for s in p.sentences]
    assert [(s.start, s.end, s.terms) for s in whole.sentences] == expected


def test_one_thread_analyses_exactly_like_all_threads():
    text = "신입사원의 연차휴가는 15일입니다.\n식대 | 12,000원\n" + "보안 규정을 지킨다. " * 300
    single = shared_analyzer(AnalyzerConfig(workers=1)).analyze_many([text, "VPN 접속"])
    assert single == shared_analyzer().analyze_many([text, "VPN 접속"])


def test_query_terms_worked_out_elsewhere_are_remembered():
    analyzer = Analyzer()  # no Kiwi is loaded for a remembered query
    analyzer.remember_query_terms("연차\n신입", ["연차", "신입"])
    assert analyzer.query_terms("연차\n신입") == ["연차", "신입"]
    assert analyzer._kiwi is None
