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
from jisik.store.schema import AnswerHashRow

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

    def lookup(self, text: str) -> list[Produced]:
        """Answers that were exactly this text, else that contained one of its sentences."""
        whole = self._find([sha256_hex(normalise(text))], whole=True)
        if whole:
            return whole
        return self._find([sha256_hex(s) for s in sentences(text)], whole=False)

    def _find(self, hashes: list[str], whole: bool) -> list[Produced]:
        if not hashes:
            return []
        with Session(self.engine) as session:
            rows = session.execute(
                select(AnswerHashRow.trace_id, AnswerHashRow.at)
                .where(AnswerHashRow.hash.in_(hashes), AnswerHashRow.whole.is_(whole))
                .order_by(AnswerHashRow.at)
            )
            seen: dict[str, Produced] = {}
            for row in rows:
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
