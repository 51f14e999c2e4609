"""Feedback on answers: helpful or wrong, with an optional comment.

Only the person an answer was given to may judge it (its audit trace names them); a
second verdict replaces the first. A comment can name a person, so erasure redacts
feedback too, and retention deletes it with the question log.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from jisik.errors import InvalidInputError, NotFoundError
from jisik.store.schema import AuditRow, FeedbackRow

VERDICTS = ("helpful", "wrong")
MAX_COMMENT_CHARS = 2000


@dataclass(frozen=True, slots=True)
class Feedback:
    trace_id: str
    actor: str
    verdict: str
    comment: str
    at: float

    def as_json(self) -> dict:
        return {
            "trace_id": self.trace_id,
            "actor": self.actor,
            "verdict": self.verdict,
            "comment": self.comment,
            "at": self.at,
        }


class FeedbackStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def give(self, actor: str, trace_id: str, verdict: str, comment: str = "") -> Feedback:
        if verdict not in VERDICTS:
            raise InvalidInputError(
                f"verdict must be one of {', '.join(VERDICTS)}, not {verdict!r}"
            )
        if len(comment) > MAX_COMMENT_CHARS:
            raise InvalidInputError(f"a comment may have at most {MAX_COMMENT_CHARS} characters")
        now = time.time()
        with Session(self.engine) as session, session.begin():
            asked = session.scalar(
                select(func.count())
                .select_from(AuditRow)
                .where(
                    AuditRow.trace_id == trace_id,
                    AuditRow.action == "ask",
                    AuditRow.actor == actor,
                )
            )
            if not asked:
                # Someone else's answer is reported like one that does not exist.
                raise NotFoundError(f"no answer of yours with trace id '{trace_id}'")
            session.execute(
                delete(FeedbackRow).where(
                    FeedbackRow.trace_id == trace_id, FeedbackRow.actor == actor
                )
            )
            session.add(
                FeedbackRow(
                    trace_id=trace_id, actor=actor, verdict=verdict, comment=comment, at=now
                )
            )
        return Feedback(trace_id, actor, verdict, comment, now)

    def recent(self, limit: int = 100, offset: int = 0) -> tuple[list[Feedback], int]:
        with Session(self.engine) as session:
            rows = session.scalars(
                select(FeedbackRow).order_by(FeedbackRow.at.desc()).limit(limit).offset(offset)
            )
            found = [Feedback(r.trace_id, r.actor, r.verdict, r.comment, r.at) for r in rows]
            total = session.scalar(select(func.count()).select_from(FeedbackRow)) or 0
        return found, total

    # --- erasure and retention ------------------------------------------------

    def count_matching(self, matches: Callable[[str], bool]) -> int:
        with Session(self.engine) as session:
            return sum(1 for c in session.scalars(select(FeedbackRow.comment)) if matches(c))

    def redact(self, transform: Callable[[str], tuple[str, int]]) -> int:
        total = 0
        with Session(self.engine) as session, session.begin():
            for row in session.scalars(select(FeedbackRow)):
                comment, count = transform(row.comment)
                if count:
                    row.comment, total = comment, total + count
        return total

    def prune(self, cutoff: float) -> int:
        with Session(self.engine) as session, session.begin():
            return session.execute(delete(FeedbackRow).where(FeedbackRow.at < cutoff)).rowcount
