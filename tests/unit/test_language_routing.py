"""A question in another script than the passages found is routed to dense search."""

from jisik.search.language import HANGUL, LATIN, other_language, script


def test_script_of_a_text():
    assert script("연차는 며칠인가요?") == HANGUL
    assert script("How many days of annual leave?") == LATIN
    assert script("VPN 접속 방법") == HANGUL  # a Latin acronym in a Korean question
    assert script("123 456") is None


def test_other_language_needs_most_passages_in_the_other_script():
    korean = ["연차휴가는 입사 첫해에 11일입니다.", "재택근무는 주 2회까지 가능합니다."]
    english = ["Travel must be approved in advance.", "Hotels up to 150 dollars a night."]
    assert other_language("How many days of annual leave?", korean)
    assert other_language("출장 승인은 누가 해요?", english)
    assert not other_language("연차 며칠?", korean)
    assert not other_language("How many days?", [*korean[:1], *english])  # one of three
    assert not other_language("12345", korean)
    assert not other_language("연차 며칠?", [])
