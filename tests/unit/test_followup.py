"""Follow-up questions made standalone: by rule (the previous question's subject carried
over) and by a model (a real local server speaking the OpenAI API), with the rule as the
fallback when the model fails or answers with something that is not a question."""

from __future__ import annotations

import pytest

from jisik.chat.assistant import history_from_messages
from jisik.chat.followup import MODEL, NONE, SUBJECT, PastTurn, carry_subject, standalone_question
from jisik.llm.openai_chat import OpenAIChatGenerator
from jisik.text.analyzer import shared_analyzer
from tests.llm_server import FakeChatServer, Reply


@pytest.fixture(scope="module")
def analyzer():
    return shared_analyzer()


@pytest.mark.parametrize(
    ("previous", "asked", "expected"),
    [
        # An opener and no subject of its own: the subject goes in front.
        ("서울시립도서관의 운영 시간은 언제야?", "그럼 휴관일은?", "서울시립도서관 휴관일은?"),
        ("출장비 정산 기한은?", "증빙은?", "출장비 정산 기한 증빙은?"),
        # A demonstrative is replaced, its particle fitted to the subject.
        ("연차 휴가는 며칠이야?", "그건 누가 승인해?", "연차 휴가는 누가 승인해?"),
        ("본사 사옥은 어디에 있어?", "거기 주차는 돼?", "본사 사옥 주차는 돼?"),
        (
            "What are the opening hours of the Seoul library?",
            "When was it founded?",
            "When was the Seoul library founded?",
        ),
        (
            "What are the opening hours of the Seoul library?",
            "and on weekends?",
            "What are the opening hours of the Seoul library on weekends?",
        ),
    ],
)
def test_the_previous_subject_is_carried_over(analyzer, previous, asked, expected):
    assert carry_subject(asked, previous, analyzer) == expected


@pytest.mark.parametrize(
    ("previous", "asked"),
    [
        ("연차 휴가는 며칠이야?", "신입사원 교육 일정 알려줘"),  # its own subject
        ("연차 휴가는 며칠이야?", "연차 휴가 이월은 돼?"),  # already names the subject
        ("Who approves annual leave?", "How do I reset my VPN password quickly?"),
    ],
)
def test_a_question_with_its_own_subject_is_left_alone(analyzer, previous, asked):
    assert carry_subject(asked, previous, analyzer) == asked


def test_without_history_nothing_is_rewritten(analyzer):
    result = standalone_question("그럼 휴관일은?", [], analyzer)
    assert result.question == "그럼 휴관일은?" and result.method == NONE
    assert not result.rewritten


def test_a_chain_of_follow_ups_keeps_the_first_subject(analyzer):
    past = history_from_messages(
        [("본사 도서실의 운영 시간은?", "평일 9시부터입니다."), ("그럼 휴관일은?", "")], analyzer
    )
    assert past[1].question == "본사 도서실 휴관일은?"
    third = standalone_question("그럼 대출은 몇 권까지?", past, analyzer)
    assert third.method == SUBJECT and third.question.startswith("본사 도서실")


@pytest.fixture
def model():
    server = FakeChatServer().start()
    yield server, OpenAIChatGenerator(server.url, server.model, timeout_s=3)
    server.stop()


def test_the_model_rewrites_with_the_conversation_in_view(analyzer, model):
    server, generator = model
    server.replies.append(Reply("질문: 본사 도서실의 휴관일은 언제인가요?\n(설명 없음)"))
    history = [PastTurn("본사 도서실의 운영 시간은?", "평일 오전 9시부터 오후 6시까지입니다.")]
    result = standalone_question("그럼 휴관일은?", history, analyzer, generator)
    assert result.method == MODEL and result.question == "본사 도서실의 휴관일은 언제인가요?"
    sent = server.requests[-1]["body"]["messages"]
    assert sent[0]["role"] == "system" and "standalone" in sent[0]["content"]
    assert "본사 도서실의 운영 시간은?" in sent[1]["content"]
    assert "그럼 휴관일은?" in sent[1]["content"]


@pytest.mark.parametrize(
    "reply",
    [
        Reply(status=503, error="overloaded"),  # down (after its retries)
        Reply(""),  # nothing
        Reply("가" * 2000),  # an essay, not a question
    ],
)
def test_the_rule_takes_over_when_the_model_fails(analyzer, model, reply):
    server, generator = model
    server.replies.extend([reply] * 4)
    history = [PastTurn("본사 도서실의 운영 시간은?")]
    result = standalone_question("그럼 휴관일은?", history, analyzer, generator)
    assert result.method == SUBJECT and result.question == "본사 도서실 휴관일은?"
