from jisik.text.analyzer import Analyzer, normalize
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
