"""Conversations in one home: follow-ups read against the earlier turns, turns kept for
their owner only, answers hidden once their sources are not readable, and conversations
covered by erasure and retention like the question log."""

from __future__ import annotations

import sqlite3
import time

import pytest

from jisik.chat.assistant import WITHHELD
from jisik.errors import InvalidInputError, NotFoundError
from jisik.privacy.subject import Subject
from jisik.service import Jisik
from jisik.settings import load_settings
from jisik.types import Requester

FACILITIES = [
    (
        "library",
        "본사 도서실 안내",
        "본사 도서실의 운영 시간은 평일 오전 9시부터 오후 6시까지입니다. "
        "본사 도서실의 휴관일은 매월 첫째 월요일입니다. 대출은 한 번에 다섯 권까지 됩니다.",
    ),
    (
        "gym",
        "연구소 체력단련실 안내",
        "연구소 체력단련실의 운영 시간은 매일 오전 6시부터 오후 10시까지입니다. "
        "연구소 체력단련실의 휴관일은 매주 일요일입니다. 수건은 입구에서 받습니다.",
    ),
    (
        "parking",
        "주차 안내",
        "본사 주차장은 방문객에게 두 시간까지 무료입니다. 정기 주차는 총무팀에 신청합니다.",
    ),
    (
        "meals",
        "구내식당",
        "구내식당은 점심 11시 30분부터 1시 30분까지 엽니다. 식권은 1층에서 삽니다.",
    ),
]

ALICE = Requester("user:alice", frozenset({"*", "staff"}), full_paths=False)
BOB = Requester("user:bob", frozenset({"*", "staff"}), full_paths=False)


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    settings = load_settings(tmp_path_factory.mktemp("chat") / "home", embedder="none")
    with Jisik(settings) as jisik:
        jisik.add_texts(FACILITIES, groups=["staff"])
        yield jisik


def _answer(turn):
    from jisik.answer.events import final_answer

    return final_answer(turn.events)


def test_a_follow_up_carries_the_subject_of_the_previous_question(home):
    chats = home.conversations
    conversation = chats.create(ALICE)
    first = chats.ask(
        ALICE, "본사 도서실의 운영 시간은 언제인가요?", conversation_id=conversation.id
    )
    assert not first.standalone.rewritten and "9시" in _answer(first).text
    follow = chats.ask(ALICE, "그럼 휴관일은?", conversation_id=conversation.id)
    assert follow.standalone.rewritten and follow.standalone.method == "subject"
    assert "도서실" in follow.standalone.question
    answer = _answer(follow)
    assert "첫째 월요일" in answer.text and "일요일" not in answer.text
    # A question that names its own subject is not rewritten; the chain moves to it.
    other = chats.ask(ALICE, "연구소 체력단련실의 휴관일은?", conversation_id=conversation.id)
    assert not other.standalone.rewritten and "일요일" in _answer(other).text
    again = chats.ask(ALICE, "그럼 운영 시간은?", conversation_id=conversation.id)
    assert "체력단련실" in again.standalone.question and "6시" in _answer(again).text

    _, turns = chats.read(ALICE, conversation.id)
    assert [t["role"] for t in turns] == ["user", "assistant"] * 4
    assert turns[2]["text"] == "그럼 휴관일은?"
    assert "도서실" in turns[2]["standalone_question"]
    assert turns[3]["citations"] and turns[3]["trace_id"]
    listed = chats.list(ALICE)
    assert listed[0].id == conversation.id and listed[0].turns == 8
    assert listed[0].title.startswith("본사 도서실의 운영 시간")


def test_a_conversation_is_its_owners_alone(home):
    chats = home.conversations
    mine = chats.create(ALICE, "내 대화")
    chats.ask(ALICE, "본사 도서실은 몇 시까지 하나요?", conversation_id=mine.id)
    for attempt in (
        lambda: chats.read(BOB, mine.id),
        lambda: chats.ask(BOB, "그럼 휴관일은?", conversation_id=mine.id),
        lambda: chats.rename(BOB, mine.id, "빼앗긴 대화"),
        lambda: chats.delete(BOB, mine.id),
    ):
        with pytest.raises(NotFoundError, match="no conversation with id"):
            attempt()
    assert all(c.id != mine.id for c in chats.list(BOB))
    with pytest.raises(InvalidInputError):
        chats.rename(ALICE, mine.id, "   ")
    assert chats.rename(ALICE, mine.id, "도서실 문의").title == "도서실 문의"
    chats.delete(ALICE, mine.id)
    with pytest.raises(NotFoundError):
        chats.read(ALICE, mine.id)
    deleted = [e for e in home.audit.events(actions=("conversation.delete",))]
    assert deleted and deleted[-1].actor == "user:alice"


def test_an_answer_whose_source_is_no_longer_readable_is_hidden(tmp_path):
    settings = load_settings(tmp_path / "home", embedder="none")
    with Jisik(settings) as jisik:
        jisik.add_texts(FACILITIES, groups=["staff"])
        chats = jisik.conversations
        conversation = chats.create(ALICE)
        _answer(chats.ask(ALICE, "본사 도서실의 휴관일은?", conversation_id=conversation.id))
        _, before = chats.read(ALICE, conversation.id)
        assert "월요일" in before[1]["text"] and before[1]["citations"]
        library = next(d.doc_id for d in jisik.documents() if d.source == "library")
        jisik.set_groups(library, ["finance"])  # alice is not in finance
        _, after = chats.read(ALICE, conversation.id)
        assert after[1]["text"] == WITHHELD and after[1]["citations"] == []
        assert after[1]["withheld"] is True
        assert after[0]["text"] == "본사 도서실의 휴관일은?"  # her own question stays


def test_erasure_and_retention_reach_conversations(tmp_path):
    settings = load_settings(tmp_path / "home", embedder="none")
    with Jisik(settings) as jisik:
        jisik.add_texts(FACILITIES, groups=["staff"])
        chats = jisik.conversations
        named = chats.create(ALICE)
        _answer(
            chats.ask(
                ALICE,
                "김서윤 사원은 본사 도서실을 몇 시까지 쓸 수 있나요?",
                conversation_id=named.id,
            )
        )
        subject = Subject.of(name=["김서윤"])
        found = jisik.privacy_find(subject)
        assert found["conversation_entries"] >= 2  # the turn and the title
        erased = jisik.privacy_erase(subject, actor="cli:dpo")
        assert erased.receipt["removed"]["conversation_replacements"] >= 2
        assert erased.receipt["probe_after"]["conversation_entries"] == 0
        _, turns = chats.read(ALICE, named.id)
        assert "김서윤" not in turns[0]["text"] and "[삭제됨]" in turns[0]["text"]
        assert "김서윤" not in chats.store.get("user:alice", named.id).title

        old = chats.create(ALICE)
        _answer(chats.ask(ALICE, "연구소 체력단련실의 휴관일은?", conversation_id=old.id))
        long_ago = time.time() - 400 * 86_400
        with sqlite3.connect(settings.home / "jisik.db") as db:
            db.execute(
                "UPDATE conversation_turns SET at = ? WHERE conversation_id = ?", (long_ago, old.id)
            )
            db.execute("UPDATE conversations SET updated_at = ? WHERE id = ?", (long_ago, old.id))
        from jisik.audit.retention import prune

        result = prune(jisik.audit, jisik.answers, 365, 30, "cli:dpo", chats.store)
        assert result["conversation_turns_deleted"] == 2 and result["conversations_deleted"] == 1
        with pytest.raises(NotFoundError):
            chats.read(ALICE, old.id)
        assert chats.read(ALICE, named.id)[1]  # the recent one stays
