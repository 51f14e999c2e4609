"""The query-side lexicon: reading groups, finding phrases, expanding queries."""

from pathlib import Path

import pytest

from jisik.errors import ConfigError
from jisik.text.lexicon import (
    EXPANSION_WEIGHT,
    QueryExpander,
    lexicon_groups,
    read_groups,
)


def split_terms(text: str) -> list[str]:
    # A stand-in analyzer: the tests are about matching, not morphology.
    return text.lower().split()


def expander(*lines: str) -> QueryExpander:
    return QueryExpander(read_groups("\n".join(lines), "test"), split_terms)


def test_bundled_lexicon_loads_and_has_every_class():
    groups = lexicon_groups()
    phrases = {p for g in groups for p in g}
    # One phrase of each class the lexicon is for: kinship, death, units,
    # abbreviations, Latin/Hangul names, translations.
    for phrase in ("장모", "별세", "1개월", "과기정통부", "samsung", "annual leave"):
        assert phrase in phrases


def test_off_means_no_groups_and_user_file_adds(tmp_path: Path):
    assert lexicon_groups("off") == []
    extra = tmp_path / "mine.txt"
    extra.write_text("# ours\n사내카페 = 한빛카페 = cafe\n", encoding="utf-8")
    groups = lexicon_groups(str(extra))
    assert ("사내카페", "한빛카페", "cafe") in groups
    assert len(groups) == len(lexicon_groups()) + 1


@pytest.mark.parametrize(
    "line", ["연봉", "연봉 = ", "a = 급여", "연봉 = 급 "], ids=["one", "empty", "short", "short2"]
)
def test_bad_lines_name_the_line(line: str):
    with pytest.raises(ConfigError, match=r"test:2: expected two or more phrases"):
        read_groups(f"급여 = 연봉\n{line}", "test")


def test_unreadable_user_file_is_a_config_error(tmp_path: Path):
    with pytest.raises(ConfigError, match="cannot read lexicon"):
        lexicon_groups(str(tmp_path / "missing.txt"))


def test_hangul_phrases_match_ignoring_spaces_latin_as_whole_words():
    e = expander("한 달 = 1개월", "ms = microsoft")
    assert [x.phrase for x in e.expand("재택은 한달에 몇 번?")] == ["한 달"]
    assert [x.phrase for x in e.expand("MS 계정")] == ["ms"]
    assert e.expand("search terms") == []  # "ms" inside a word is not the phrase


def test_a_number_phrase_is_not_found_inside_a_longer_number():
    e = expander("1일 = 하루")
    assert e.expand("11일 휴가") == []
    assert e.expand("2,1일") == []
    assert [x.phrase for x in e.expand("휴가 1일 더")] == ["1일"]


def test_alternatives_share_the_weight_and_skip_what_the_question_has():
    e = expander("배우자 부모 = 장모 = in laws")
    groups = e.alternatives("장모 상", ["장모", "상"])
    assert len(groups) == 1
    ways = dict((tuple(t for t, _ in way), way) for way in groups[0])
    assert set(ways) == {("배우자", "부모"), ("in", "laws")}
    assert all(w == pytest.approx(EXPANSION_WEIGHT / 2) for _, w in ways[("배우자", "부모")])
    # Every alternative already in the question: nothing to add.
    assert expander("연봉 = 급여").alternatives("연봉 급여", ["연봉", "급여"]) == ()


def test_a_phrase_in_two_groups_expands_to_both():
    e = expander("배우자 부모 = 장모", "배우자 부모 = 시부모")
    (found,) = e.expand("배우자 부모")
    assert set(found.alternatives) == {("장모",), ("시부모",)}
