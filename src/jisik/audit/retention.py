"""Retention of question and answer logs: blank old payloads, keep the chain; delete
conversation turns of the same age (they hold the same questions and answers)."""

from __future__ import annotations

import time

from jisik.audit.actors import new_trace_id
from jisik.audit.chain import AuditLog
from jisik.audit.registry import AnswerRegistry
from jisik.errors import InvalidInputError
from jisik.store.conversations import ConversationStore
from jisik.store.feedback import FeedbackStore

# Events that hold what people asked and what they were shown.
QUESTION_EVENTS = ("search", "ask", "document.read", "document.file")
DAY = 86_400.0


def prune(
    audit: AuditLog,
    answers: AnswerRegistry,
    older_than_days: int,
    floor_days: int,
    actor: str,
    conversations: ConversationStore | None = None,
    feedback: FeedbackStore | None = None,
) -> dict:
    """Redact question/answer events older than ``older_than_days`` (never under the floor)."""
    if older_than_days < floor_days:
        raise InvalidInputError(
            f"answer logs must be kept at least {floor_days} days (audit_retention_floor_days); "
            f"{older_than_days} is shorter"
        )
    cutoff = time.time() - older_than_days * DAY
    old = [e for e in audit.events(actions=QUESTION_EVENTS) if e.at < cutoff and not e.redacted]
    redacted = audit.redact([e.seq for e in old], "retention")
    forgotten = answers.forget(e.trace_id for e in old if e.trace_id)
    kept = conversations.prune(cutoff) if conversations is not None else {}
    if feedback is not None:
        kept = {**kept, "feedback_deleted": feedback.prune(cutoff)}
    audit.append(
        "audit.prune",
        actor,
        new_trace_id(),
        older_than_days=older_than_days,
        redacted_events=redacted,
        forgotten_answer_hashes=forgotten,
        **kept,
    )
    return {
        "redacted_events": redacted,
        "forgotten_answer_hashes": forgotten,
        **kept,
        "cutoff": cutoff,
    }
