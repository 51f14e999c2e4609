"""Which texts this system produced: hashes of every answer and of its sentences.

``jisik audit lookup TEXT`` answers "did jisik write this?" (AI Basic Act, EU AI
Act art. 50) without keeping answer texts: only normalised hashes are stored,
linked to the trace id of the audit event that produced them.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session

from jisik.audit.canonical import sha256_hex
from jisik.store.schema import AnswerHashRow, AuditRow

_SPACE = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"(?<=[.?!。])\s+|\n+")
MIN_SENTENCE_CHARS = 12  # shorter pieces ("예.", "12일") say nothing about origin


@dataclass(frozen=True, slots=True)
class Produced:
    trace_id: str
    at: float
    whole: bool  # the whole answer matched, not just one sentence of it


def normalise(text: str) -> str:
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def sentences(text: str) -> list[str]:
    return [
        s for s in (normalise(p) for p in _SENTENCE_END.split(text)) if len(s) >= MIN_SENTENCE_CHARS
    ]


class AnswerRegistry:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def register(self, text: str, trace_id: str) -> None:
        now = time.time()
        rows = [
            {"hash": sha256_hex(normalise(text)), "trace_id": trace_id, "at": now, "whole": True}
        ]
        rows += [
            {"hash": sha256_hex(s), "trace_id": trace_id, "at": now, "whole": False}
            for s in sentences(text)
        ]
        with Session(self.engine) as session, session.begin():
            session.execute(insert(AnswerHashRow).values(rows).on_conflict_do_nothing())

    def lookup(self, text: str, produced_for: str | None = None) -> list[Produced]:
        """Answers that were exactly this text, else that contained one of its sentences.

        ``produced_for`` (an actor, "user:NAME") limits the search to answers given to
        that caller: otherwise anyone could test whether a guessed sentence was ever an
        answer, i.e. whether a document they may not read contains it."""
        whole = self._find([sha256_hex(normalise(text))], True, produced_for)
        if whole:
            return whole
        return self._find([sha256_hex(s) for s in sentences(text)], False, produced_for)

    def _find(self, hashes: list[str], whole: bool, produced_for: str | None) -> list[Produced]:
        if not hashes:
            return []
        query = (
            select(AnswerHashRow.trace_id, AnswerHashRow.at)
            .where(AnswerHashRow.hash.in_(hashes), AnswerHashRow.whole.is_(whole))
            .order_by(AnswerHashRow.at)
        )
        if produced_for is not None:
            asked_by = select(AuditRow.trace_id).where(
                AuditRow.action == "ask", AuditRow.actor == produced_for
            )
            query = query.where(AnswerHashRow.trace_id.in_(asked_by))
        with Session(self.engine) as session:
            seen: dict[str, Produced] = {}
            for row in session.execute(query):
                seen.setdefault(row.trace_id, Produced(row.trace_id, row.at, whole))
            return list(seen.values())

    def count(self, trace_ids: Iterable[str]) -> int:
        """How many hashes these answers left in the registry."""
        trace_ids = list(set(trace_ids))
        if not trace_ids:
            return 0
        with Session(self.engine) as session:
            return (
                session.scalar(
                    select(func.count())
                    .select_from(AnswerHashRow)
                    .where(AnswerHashRow.trace_id.in_(trace_ids))
                )
                or 0
            )

    def forget(self, trace_ids: Iterable[str]) -> int:
        trace_ids = list(set(trace_ids))
        if not trace_ids:
            return 0
        with Session(self.engine) as session, session.begin():
            result = session.execute(
                delete(AnswerHashRow).where(AnswerHashRow.trace_id.in_(trace_ids))
            )
            return result.rowcount or 0
