"""Form fields and table cells: the field whose key names the asked kind answers."""

import pytest

from jisik.answer.answer_types import expected_kinds
from jisik.answer.fields import field_value, fields


def value_of(sentence: str, question: str) -> tuple[str, bool] | None:
    found = field_value(expected_kinds(question), sentence, question)
    if found is None:
        return None
    (start, end), vouched = found
    return sentence[start:end], vouched


@pytest.mark.parametrize(
    ("sentence", "question", "value"),
    [
        ("□ 접 수 기 간: 2025. 5. 1.(목) ~ 5. 15.(목)", "접수 언제까지야", "2025. 5. 1.(목) ~ 5. 15.(목)"),
        ("구분: 본인 결혼 | 경조금: 50만 원 | 휴가: 5일", "결혼하면 얼마 받아?", "50만 원"),
        ("장    소: 본사 3층 대회의실", "장소가 어디예요", "본사 3층 대회의실"),
        ("○ 문 의 처: 인사팀(내선 1234)", "문의는 어디로 해요?", "인사팀(내선 1234)"),
        ("사 업 비: 금 30,000,000원", "사업비는 얼마", "금 30,000,000원"),
        ("Venue: Main office, 3rd floor", "Where is it held?", "Main office, 3rd floor"),
        ("모집 인원: 40명 | 참가비: 무료", "몇 명 뽑아요?", "40명"),
        ("담당자: 김한빛 책임", "담당자가 누구야", "김한빛 책임"),
    ],
)
def test_the_field_named_for_the_kind_gives_its_value(sentence, question, value):
    assert value_of(sentence, question) == (value, True)


def test_a_key_for_another_kind_is_not_vouched_for():
    # 휴가 일수 is a count of days, not money: no amount there to mark.
    assert value_of("휴가 일수: 5일", "경조금은 얼마?") is None


def test_a_plain_sentence_gives_its_first_new_value():
    sentence = "연차는 입사 첫해에 11일, 다음 해부터 15일입니다."
    assert value_of(sentence, "첫해 연차 며칠?") == ("11일", False)
    # A value the question already holds is not the answer.
    assert value_of("연차 15일은 다음 해부터입니다.", "연차 15일은 언제부터?") is None


def test_a_colon_inside_a_long_sentence_is_not_a_field():
    assert fields("이 규정은 다음과 같은 원칙을 따르며 예외는 인정하지 않는다: 공정성") == []


def test_cell_offsets_point_into_the_sentence():
    row = "이름: 홍길동 | 부서: 인사팀 | 내선: 1234"
    for field in fields(row):
        assert row[field.value_start : field.value_end] in ("홍길동", "인사팀", "1234")


def test_a_form_laid_out_as_table_cells_keys_the_next_cell():
    row = "담당과장 | 장인숙(02-0000-2430) | 담 당 자 | 용사무 사무관(02-0000-2428)"
    assert value_of(row, "담당자가 누구예요?") == ("장인숙(02-0000-2430)", True)
    # Asked for a contact: the phone number, found by its form.
    assert value_of(row, "연락처가 뭐예요?") == ("02-0000-2430", False)
    assert value_of("보도일시 | 2018. 9. 4.(화) 조간", "보도 언제 나가?") == (
        "2018. 9. 4.(화) 조간",
        True,
    )


def test_a_column_named_in_the_question_gives_its_cell():
    row = "구분: 결혼 | 대상: 자녀 | 경조금: 30만 원 | 휴가 일수: 1일"
    assert value_of(row, "자녀 결혼 경조금") == ("30만 원", True)
    assert value_of(row, "자녀 결혼 휴가 일수는") == ("1일", True)
