"""Conversations as records: each user's questions and the answers they were given.

Only the owner reads, renames or deletes a conversation (an admin is no exception:
what someone asked is theirs); erasure redacts a person in every conversation, and
retention deletes turns older than the answer-log period, like the question log.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from jisik.audit.actors import new_trace_id
from jisik.errors import InvalidInputError, NotFoundError
from jisik.store.json_strings import json_strings, transform_strings
from jisik.store.schema import ConversationRow, TurnRow

USER, ASSISTANT = "user", "assistant"
MAX_TITLE_CHARS = 120
TITLE_FROM_QUESTION_CHARS = 60


@dataclass(frozen=True, slots=True)
class Conversation:
    id: str
    owner: str
    title: str
    created_at: float
    updated_at: float
    turns: int

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "turns": self.turns,
        }


@dataclass(frozen=True, slots=True)
class Turn:
    role: str  # USER or ASSISTANT
    text: str
    standalone: str = ""  # a question as it was understood (rewritten follow-up)
    trace_id: str = ""
    details: dict = field(default_factory=dict)  # an answer's citations and labels
    seq: int = 0
    at: float = 0.0

    def as_json(self) -> dict:
        out = {"seq": self.seq, "role": self.role, "text": self.text, "at": self.at}
        if self.role == USER:
            out["standalone_question"] = self.standalone or self.text
        else:
            out.update(trace_id=self.trace_id, **self.details)
        return out


class ConversationStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(self, owner: str, title: str = "") -> Conversation:
        now, conversation_id, title = time.time(), new_trace_id(), _title(title)
        with Session(self.engine) as session, session.begin():
            session.add(
                ConversationRow(
                    id=conversation_id, owner=owner, title=title, created_at=now, updated_at=now
                )
            )
        return Conversation(conversation_id, owner, title, now, now, 0)

    def list(self, owner: str, limit: int = 50, offset: int = 0) -> list[Conversation]:
        """The owner's conversations, the most recently used first."""
        turns = (
            select(TurnRow.conversation_id, func.count().label("n"))
            .group_by(TurnRow.conversation_id)
            .subquery()
        )
        query = (
            select(ConversationRow, func.coalesce(turns.c.n, 0))
            .outerjoin(turns, turns.c.conversation_id == ConversationRow.id)
            .where(ConversationRow.owner == owner)
            .order_by(ConversationRow.updated_at.desc(), ConversationRow.id)
            .limit(limit)
            .offset(offset)
        )
        with Session(self.engine) as session:
            return [_conversation(row, n) for row, n in session.execute(query)]

    def count(self, owner: str) -> int:
        with Session(self.engine) as session:
            query = select(func.count()).where(ConversationRow.owner == owner)
            return session.scalar(query.select_from(ConversationRow)) or 0

    def get(self, owner: str, conversation_id: str) -> Conversation:
        with Session(self.engine) as session:
            row = _owned(session, owner, conversation_id)
            n = session.scalar(
                select(func.count()).where(TurnRow.conversation_id == row.id)
            )
            return _conversation(row, n or 0)

    def turns(self, owner: str, conversation_id: str, last: int | None = None) -> list[Turn]:
        """The conversation's turns in order (the ``last`` ones only, when given)."""
        with Session(self.engine) as session:
            _owned(session, owner, conversation_id)
            query = select(TurnRow).where(TurnRow.conversation_id == conversation_id)
            if last is not None:
                query = query.order_by(TurnRow.seq.desc()).limit(last)
                rows = list(session.scalars(query))[::-1]
            else:
                rows = list(session.scalars(query.order_by(TurnRow.seq)))
            return [_turn(row) for row in rows]

    def append(self, owner: str, conversation_id: str, turns: Sequence[Turn]) -> None:
        """Add turns at the end, in one transaction; an untitled conversation is named
        after its first question."""
        now = time.time()
        with Session(self.engine) as session, session.begin():
            row = _owned(session, owner, conversation_id)
            last = session.scalar(
                select(func.max(TurnRow.seq)).where(TurnRow.conversation_id == row.id)
            )
            for offset, turn in enumerate(turns, start=1):
                session.add(
                    TurnRow(
                        conversation_id=row.id,
                        seq=(last or 0) + offset,
                        role=turn.role,
                        text=turn.text,
                        standalone=turn.standalone,
                        trace_id=turn.trace_id,
                        details_json=json.dumps(turn.details, ensure_ascii=False),
                        at=now,
                    )
                )
            if not row.title:
                first = next((t for t in turns if t.role == USER), None)
                if first is not None:
                    row.title = _title(first.text[:TITLE_FROM_QUESTION_CHARS])
            row.updated_at = now

    def rename(self, owner: str, conversation_id: str, title: str) -> Conversation:
        if not title.strip():
            raise InvalidInputError("a conversation's title cannot be empty; type a name")
        with Session(self.engine) as session, session.begin():
            row = _owned(session, owner, conversation_id)
            row.title = _title(title)
        return self.get(owner, conversation_id)

    def delete(self, owner: str, conversation_id: str) -> None:
        with Session(self.engine) as session, session.begin():
            row = _owned(session, owner, conversation_id)
            session.execute(delete(TurnRow).where(TurnRow.conversation_id == row.id))
            session.delete(row)

    # --- erasure and retention ------------------------------------------------

    def count_matching(self, matches: Callable[[str], bool]) -> int:
        """Turns and titles in which ``matches`` finds something (every owner's)."""
        with Session(self.engine) as session:
            turns = sum(
                1
                for text, standalone, details in session.execute(
                    select(TurnRow.text, TurnRow.standalone, TurnRow.details_json)
                )
                if matches(text)
                or matches(standalone)
                or any(matches(s) for s in json_strings(json.loads(details)))
            )
            titles = sum(1 for t in session.scalars(select(ConversationRow.title)) if matches(t))
        return turns + titles

    def redact(self, transform: Callable[[str], tuple[str, int]]) -> int:
        """Apply ``transform`` to every turn and title; returns the replacements made."""
        total = 0
        with Session(self.engine) as session, session.begin():
            for row in session.scalars(select(TurnRow)):
                for column in ("text", "standalone"):
                    value, count = transform(getattr(row, column))
                    if count:
                        setattr(row, column, value)
                        total += count
                details, count = transform_strings(json.loads(row.details_json), transform)
                if count:
                    row.details_json = json.dumps(details, ensure_ascii=False)
                    total += count
            for row in session.scalars(select(ConversationRow)):
                title, count = transform(row.title)
                if count:
                    row.title = title
                    total += count
        return total

    def prune(self, cutoff: float) -> dict[str, int]:
        """Delete turns from before ``cutoff``, and conversations left with none."""
        with Session(self.engine) as session, session.begin():
            turns = session.execute(delete(TurnRow).where(TurnRow.at < cutoff)).rowcount
            remaining = select(TurnRow.conversation_id).distinct()
            emptied = session.execute(
                delete(ConversationRow).where(
                    ConversationRow.updated_at < cutoff, ConversationRow.id.not_in(remaining)
                )
            ).rowcount
        return {"conversation_turns_deleted": turns, "conversations_deleted": emptied}


def _owned(session: Session, owner: str, conversation_id: str) -> ConversationRow:
    row = session.get(ConversationRow, conversation_id)
    if row is None or row.owner != owner:
        # Someone else's conversation is reported exactly like a missing one.
        raise NotFoundError(
            f"no conversation with id '{conversation_id}'; list yours with GET /v1/conversations"
        )
    return row


def _conversation(row: ConversationRow, turns: int) -> Conversation:
    return Conversation(row.id, row.owner, row.title, row.created_at, row.updated_at, turns)


def _turn(row: TurnRow) -> Turn:
    return Turn(
        row.role,
        row.text,
        row.standalone,
        row.trace_id,
        json.loads(row.details_json),
        row.seq,
        row.at,
    )


def _title(text: str) -> str:
    return " ".join(text.split())[:MAX_TITLE_CHARS]
