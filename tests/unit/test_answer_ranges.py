"""A number in the question picks the bracket row that holds it."""

from jisik.answer.ranges import asked_numbers, bracket_fit


def fit(question: str, sentence: str):
    return bracket_fit(asked_numbers(question), sentence)


def test_the_row_whose_bracket_holds_the_number():
    rows = {
        "근속 기간: 3년 이상 5년 미만 | 연차휴가 일수: 16일": False,
        "근속 기간: 5년 이상 7년 미만 | 연차휴가 일수: 17일": True,
        "근속 기간: 21년 이상 | 연차휴가 일수: 25일 (상한)": False,
    }
    for row, expected in rows.items():
        assert fit("근속 6년이면 연차 며칠?", row) is expected


def test_open_brackets_bounds_and_units():
    assert fit("근속 25년 연차", "근속 기간: 21년 이상 | 연차휴가 일수: 25일") is True
    assert fit("만 40살 검진 항목", "만 40세 이상 직원에게는 위내시경") is True
    assert fit("3만 원짜리 영수증", "간이영수증: 3만 원 이하 거래만 인정") is True
    assert fit("5만 원짜리 영수증", "간이영수증: 3만 원 이하 거래만 인정") is False
    # No number in the question, or no bracket in the question's unit: no verdict.
    assert fit("연차 며칠?", "3년 이상 5년 미만") is None
    assert fit("6년 차 연차", "30만 원 이하") is None
