"""The append-only, hash-chained audit trail.

Each event stores its payload (who, what, which sources, versions …) as
canonical JSON with a random salt, and two hashes:

* ``payload_hash = sha256(salt + payload)``: a commitment to the content;
* ``hash = sha256(prev_hash | seq | at | action | payload_hash)``: the link to
  the event before.

The actor and trace id are part of the payload (the ``actor``/``trace_id``
columns are copies for querying, checked against it), because a user can also
be a data subject whose name must be erasable.

``verify`` recomputes both for every event, so an edited, removed, inserted or
reordered event breaks the chain at that point. Erasure (GDPR art. 17, PIPA) and
retention must still be able to remove personal data from old events: they
*redact* an event — blank its payload and salt — and keep ``payload_hash``. The
chain still verifies; the content is gone; and without the salt the kept hash
cannot be used to confirm a guessed question.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import Engine, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from jisik.audit.canonical import canonical_json, sha256_hex
from jisik.errors import JisikError
from jisik.store.database import LIKE_ESCAPE, contains_pattern
from jisik.store.schema import AuditRow

GENESIS = "0" * 64
REDACTED = {"redacted": True}


@dataclass(frozen=True, slots=True)
class AuditEvent:
    seq: int
    at: float
    action: str
    actor: str
    trace_id: str
    payload: dict
    redacted: bool
    hash: str

    def as_json(self) -> dict:
        return {
            "seq": self.seq,
            "at": self.at,
            "action": self.action,
            "actor": self.actor,
            "trace_id": self.trace_id,
            "payload": self.payload,
            "redacted": self.redacted,
            "hash": self.hash,
        }


@dataclass(frozen=True, slots=True)
class ChainCheck:
    ok: bool
    events: int
    problems: tuple[str, ...]
    head: str  # hash of the last event: publish it to make later rewrites detectable


def link_hash(prev_hash: str, seq: int, at: float, action: str, payload_hash: str) -> str:
    return sha256_hex(f"{prev_hash}|{seq}|{at:.6f}|{action}|{payload_hash}")


def payload_hash(salt: str, payload_json: str) -> str:
    return sha256_hex(salt + payload_json)


class AuditLog:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()

    def append(self, action: str, actor: str, trace_id: str = "", /, **payload: object) -> int:
        """Add an event at the end of the chain; returns its sequence number."""
        actor = actor[:80]
        body = canonical_json({**payload, "actor": actor, "trace_id": trace_id})
        salt = secrets.token_hex(16)
        committed = payload_hash(salt, body)
        with self._lock:
            for _ in range(20):
                try:
                    return self._append(action, actor, trace_id, body, salt, committed)
                except IntegrityError:
                    # Another process appended after the same predecessor: the
                    # unique prev_hash refused ours; take the new end and retry.
                    continue
        raise JisikError("could not append to the audit trail: too many concurrent writers")

    def _append(
        self, action: str, actor: str, trace_id: str, body: str, salt: str, committed: str
    ) -> int:
        # SQLAlchemy Core, not the ORM: this runs on every question.
        table = AuditRow.__table__
        with self.engine.begin() as connection:
            last = connection.execute(
                select(table.c.seq, table.c.hash).order_by(table.c.seq.desc()).limit(1)
            ).first()
            prev_hash, seq = (last.hash, last.seq + 1) if last else (GENESIS, 1)
            at = round(time.time(), 6)
            connection.execute(
                insert(table).values(
                    seq=seq,
                    at=at,
                    action=action,
                    actor=actor,
                    trace_id=trace_id,
                    payload_json=body,
                    salt=salt,
                    payload_hash=committed,
                    prev_hash=prev_hash,
                    hash=link_hash(prev_hash, seq, at, action, committed),
                    redacted=False,
                )
            )
            return seq

    def events(
        self, since: float = 0.0, actions: Iterable[str] | None = None
    ) -> Iterator[AuditEvent]:
        query = select(AuditRow).where(AuditRow.at >= since).order_by(AuditRow.seq)
        if actions is not None:
            query = query.where(AuditRow.action.in_(list(actions)))
        with Session(self.engine) as session:
            for row in session.scalars(query).yield_per(1000):
                yield _event(row)

    def count(self) -> int:
        with Session(self.engine) as session:
            return session.scalar(select(func.count()).select_from(AuditRow)) or 0

    def verify(self) -> ChainCheck:
        problems: list[str] = []
        expected_prev, expected_seq, count = GENESIS, 1, 0
        with Session(self.engine) as session:
            for row in session.scalars(select(AuditRow).order_by(AuditRow.seq)).yield_per(1000):
                count += 1
                if row.seq != expected_seq:
                    problems.append(f"event {expected_seq} is missing (next is {row.seq})")
                if row.prev_hash != expected_prev:
                    problems.append(f"event {row.seq} does not follow the event before it")
                problems.extend(_content_problems(row))
                if (
                    link_hash(row.prev_hash, row.seq, row.at, row.action, row.payload_hash)
                    != row.hash
                ):
                    problems.append(f"event {row.seq}: its time or action was changed")
                expected_prev, expected_seq = row.hash, row.seq + 1
        return ChainCheck(not problems, count, tuple(problems), expected_prev)

    def redact(self, seqs: Iterable[int], reason: str) -> int:
        """Blank the payloads of events, keeping the chain verifiable (see the module doc)."""
        seqs = sorted(set(seqs))
        if not seqs:
            return 0
        body = canonical_json({**REDACTED, "reason": reason})
        with Session(self.engine) as session, session.begin():
            result = session.execute(
                update(AuditRow)
                .where(AuditRow.seq.in_(seqs), AuditRow.redacted.is_(False))
                .values(payload_json=body, salt="", redacted=True, actor="", trace_id="")
            )
            return result.rowcount or 0

    def find(self, needles: Iterable[str]) -> list[AuditEvent]:
        """Unredacted events whose payload or actor contains any of the strings
        (found by SQL, not by reading the whole trail)."""
        needles = [n for n in needles if n]
        if not needles:
            return []
        matches = [
            column.like(contains_pattern(n), escape=LIKE_ESCAPE)
            for n in needles
            for column in (AuditRow.payload_json, AuditRow.actor)
        ]
        query = (
            select(AuditRow)
            .where(AuditRow.redacted.is_(False), or_(*matches))
            .order_by(AuditRow.seq)
        )
        with Session(self.engine) as session:
            return [_event(row) for row in session.scalars(query)]


def _content_problems(row: AuditRow) -> list[str]:
    if row.redacted:
        if json.loads(row.payload_json).get("redacted") is not True or row.actor or row.salt:
            return [f"event {row.seq}: marked redacted but holds content"]
        return []
    if payload_hash(row.salt, row.payload_json) != row.payload_hash:
        return [f"event {row.seq}: the content was changed"]
    payload = json.loads(row.payload_json)
    if payload.get("actor") != row.actor or payload.get("trace_id") != row.trace_id:
        return [f"event {row.seq}: its user or trace id was changed"]
    return []


def _event(row: AuditRow) -> AuditEvent:
    return AuditEvent(
        seq=row.seq,
        at=row.at,
        action=row.action,
        actor=row.actor,
        trace_id=row.trace_id,
        payload=json.loads(row.payload_json),
        redacted=row.redacted,
        hash=row.hash,
    )
