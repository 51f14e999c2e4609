from jisik.answer.answer_types import asks_for_name, expected_kinds, kind_factor


def test_number_must_be_new():
    question = "300승 이상 한 투수는 몇 명인가?"
    kinds = expected_kinds(question)
    assert (
        kind_factor(kinds, "300 승 클럽에는 300 승 이상을 올린 투수들이 가입되어 있다.", question)
        < 1
    )
    assert kind_factor(kinds, "지금까지 24명의 투수가 이 기록을 달성했다.", question) == 1


def test_model_name_is_not_a_number():
    question = "갤럭시 S8의 해상도는 몇인가?"
    kinds = expected_kinds(question)
    assert kind_factor(kinds, "배터리 효율은 전작인 갤럭시 S7보다 개선되었다.", question) < 1
    assert kind_factor(kinds, "2960 x 1440 해상도를 지원한다.", question) == 1


def test_year_question_wants_a_date():
    kinds = expected_kinds("출전 정지를 받게 된 년도는 몇 년도인가?")
    assert "date" in [k.name for k in kinds]


def test_name_questions():
    assert asks_for_name("가장 격분한 아들은 누구인가?")
    assert asks_for_name("영화의 배경은 어디였나?")
    assert not asks_for_name("캐나다 대륙횡단철도가 현재 쓰이는 용도는?")


def test_topic_noun_asks_for_a_kind():
    # No question word: the noun the question ends on says what is asked.
    assert "date" in [k.name for k in expected_kinds("강정호가 신인상을 수상한 해는?")]
    assert "number" in [k.name for k in expected_kinds("소토마요르의 당시 나이는?")]
    # Only the whole noun, and only as the question's topic.
    assert not expected_kinds("그 주장에 대한 이해는?")
    assert not expected_kinds("해외 진출의 계기는?")


def _names(question: str) -> list[str]:
    return [k.name for k in expected_kinds(question)]


def test_how_long_after_asks_for_a_number_not_money():
    # 얼마 뒤에 / 얼마 동안 is a duration: "12시간" answers it, and it is not an amount.
    for question in ("VPN을 켜 두면 얼마 뒤에 끊기나요?", "얼마 동안 잠기나요?", "얼마 만에 나와요?"):
        assert "amount" not in _names(question) and "number" in _names(question)
        assert kind_factor(expected_kinds(question), "12시간이 지나면 끊깁니다.", question) == 1
    assert "amount" in _names("경조금은 얼마예요?")


def test_a_date_field_named_in_the_question():
    assert _names("제안서 제출 일시는?") == ["date"]
    assert _names("입찰 공고 일자는?") == ["date"]


def test_why_asks_for_a_reason():
    question = "구세 조례를 왜 개정해?"
    assert _names(question) == ["reason"]
    kinds = expected_kinds(question)
    assert kind_factor(kinds, "지방세법 개정에 따라 이를 반영하고자 함", question) == 1
    assert kind_factor(kinds, "개정조례안 및 신·구조문대비표: 따로 붙임", question) < 1


def test_a_table_header_row_is_known_by_the_row_below_it():
    from jisik.answer.extractive import _is_table_header

    header = "분류 | 예시 | 금지 이유"
    assert _is_table_header(header, "분류: P2P 파일 공유 | 예시: 토렌트 | 금지 이유: 저작권 침해")
    # A form laid out as cells holds values: the line after it is not keyed by them.
    assert not _is_table_header("담당 부서 | 체육국 | 책임자 | 과장", "(진천선수촌) | 체육정책과")
    assert not _is_table_header("한 문장입니다.", "한 문장입니다: 그렇다")
