"""Asking within a conversation: the follow-up made standalone, the answer streamed,
both turns kept for their owner.

A stored answer is shown again only while its reader may still read every document it
cites: a document removed, erased or regrouped away since takes the answer out of the
conversation (a notice says so), so a conversation is never a way around permissions.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from jisik.answer.events import AnswerEvent, FinalEvent
from jisik.chat.followup import PastTurn, Standalone, carry_subject, standalone_question
from jisik.shapes import citations_json
from jisik.store.conversations import ASSISTANT, USER, Conversation, ConversationStore, Turn
from jisik.types import Answer, Requester

HISTORY_TURNS = 6  # earlier questions a follow-up is read against
WITHHELD = (
    "이 답변의 출처 문서를 지금은 읽을 수 없어 답변을 숨겼습니다 (hidden: a document this "
    "answer cites is no longer readable to you)"
)


@dataclass(frozen=True, slots=True)
class ChatTurn:
    """A question asked in a conversation: how it was understood, and its answer's events
    (consumed by the caller; the turns are stored when the final answer comes)."""

    standalone: Standalone
    conversation_id: str | None
    events: Iterator[AnswerEvent]


class Conversations:
    def __init__(self, jisik) -> None:
        self.jisik = jisik
        self.store = ConversationStore(jisik.engine)

    # --- asking -------------------------------------------------------------

    def ask(
        self,
        who: Requester,
        asked: str,
        *,
        conversation_id: str | None = None,
        history: Sequence[PastTurn] | None = None,
        generate: bool | None = None,
        k: int = 5,
    ) -> ChatTurn:
        """Ask ``asked`` after ``history`` (given by the client), and/or within the stored
        conversation ``conversation_id``: this turn is added to it, and its turns are the
        history unless one is given."""
        who = self.jisik._who(who)
        if conversation_id is not None:
            stored = self._history(who, conversation_id)  # also: is it this user's?
            history = stored if history is None else history
        standalone = standalone_question(
            asked, history or (), self.jisik.analyzer, self.jisik.generator
        )
        events = self.jisik.ask_stream(standalone.question, k, who, generate, asked=asked)
        if conversation_id is not None:
            events = self._keeping(events, who, conversation_id, standalone)
        return ChatTurn(standalone, conversation_id, events)

    def _history(self, who: Requester, conversation_id: str) -> list[PastTurn]:
        turns = self.store.turns(who.actor, conversation_id, last=2 * HISTORY_TURNS)
        past: list[PastTurn] = []
        for turn in turns:
            if turn.role == USER:
                past.append(PastTurn(turn.standalone or turn.text))
            elif past and turn.role == ASSISTANT and not turn.details.get("abstained"):
                past[-1] = PastTurn(past[-1].question, turn.text)
        return past

    def _keeping(
        self, events: Iterator[AnswerEvent], who: Requester, conversation_id: str, standalone
    ) -> Iterator[AnswerEvent]:
        for event in events:
            if isinstance(event, FinalEvent):
                self.store.append(
                    who.actor,
                    conversation_id,
                    [
                        Turn(USER, standalone.asked, standalone.question),
                        _answer_turn(event.answer),
                    ],
                )
            yield event

    # --- the owner's conversations -----------------------------------------

    def create(self, who: Requester, title: str = "") -> Conversation:
        return self.store.create(who.actor, title)

    def list(self, who: Requester, limit: int = 50, offset: int = 0) -> list[Conversation]:
        return self.store.list(who.actor, limit, offset)

    def count(self, who: Requester) -> int:
        return self.store.count(who.actor)

    def read(self, who: Requester, conversation_id: str) -> tuple[Conversation, list[dict]]:
        """The conversation and its turns as ``who`` may see them now."""
        conversation = self.store.get(who.actor, conversation_id)
        turns = self.store.turns(who.actor, conversation_id)
        cited = {c["doc_id"] for t in turns for c in t.details.get("citations", ())}
        readable = self._readable(cited, who)
        return conversation, [_shown(turn, readable) for turn in turns]

    def rename(self, who: Requester, conversation_id: str, title: str) -> Conversation:
        return self.store.rename(who.actor, conversation_id, title)

    def delete(self, who: Requester, conversation_id: str) -> None:
        self.store.delete(who.actor, conversation_id)
        who = self.jisik._who(who)
        self.jisik.audit.append(
            "conversation.delete", who.actor, who.trace_id, conversation_id=conversation_id
        )

    def _readable(self, doc_ids: set[str], who: Requester) -> set[str]:
        existing = {d for d in doc_ids if self.jisik.exists(d)}
        if who.readers is None:
            return existing
        return set(self.jisik.records.readable(existing, who.readers))


def history_from_messages(pairs: Sequence[tuple[str, str]], analyzer) -> list[PastTurn]:
    """Earlier (question, answer) pairs a client sent, each question made standalone by
    the rule in turn (a third follow-up still knows the first question's subject)."""
    past: list[PastTurn] = []
    for question, answer in pairs:
        if past:
            question = carry_subject(question, past[-1].question, analyzer)
        past.append(PastTurn(question, answer))
    return past


def _answer_turn(answer: Answer) -> Turn:
    details = {
        "citations": citations_json(answer.citations),
        "abstained": answer.abstained,
        "generated": answer.generated,
        "method": answer.method,
        "model": answer.model,
        "digital_source_type": answer.digital_source_type,
        "generated_at": answer.generated_at,
        **({"notice": answer.notice} if answer.notice else {}),
    }
    return Turn(ASSISTANT, answer.text, trace_id=answer.trace_id, details=details)


def _shown(turn: Turn, readable: set[str]) -> dict:
    data = turn.as_json()
    if turn.role != ASSISTANT:
        return data
    cited = {c["doc_id"] for c in data.get("citations", ())}
    if cited - readable:
        data.update(text=WITHHELD, citations=[], withheld=True)
    return data
