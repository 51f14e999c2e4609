"""The append-only, hash-chained audit trail.

Each event stores its payload (who, what, which sources, versions …) as
canonical JSON with a random salt, and two hashes (``jisik.audit.links``):
``payload_hash``, a commitment to the content, and ``hash``, the link to the
event before. The actor and trace id are part of the payload (the ``actor``/
``trace_id`` columns are copies for querying, checked against it), because a
user can also be a data subject whose name must be erasable.

``verify`` recomputes both for every event, so an edited, inserted or reordered
event breaks the chain at that point. Two things the chain alone cannot show:

* a removed or rewritten *tail*: with a home, every append also moves the home's
  signed checkpoint of the head (``jisik.audit.checkpoint``), which verify compares;
* a forged redaction. Erasure (GDPR art. 17, PIPA) and retention must remove
  personal data from old events: they *redact* an event, blanking its payload
  and salt and keeping ``payload_hash``, so the chain still verifies and, without
  the salt, the kept hash cannot confirm a guessed question. Each redaction is
  itself an ``audit.redact`` event, written in the same transaction, listing the
  ``payload_hash`` and ``hash`` of every event it blanked; a blanked event names
  it (``redaction_seq``). A row blanked by hand has no such event and is reported.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Connection, Engine, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from jisik.audit.canonical import canonical_json
from jisik.audit.checkpoint import Checkpoint, CheckpointError, HomeAnchor, now
from jisik.audit.links import (
    ANCHOR_ACTION,
    GENESIS,
    REDACT_ACTION,
    SYSTEM_ACTOR,
    link_hash,
    payload_hash,
    read_payload,
)
from jisik.audit.verify import ChainCheck, verify_trail
from jisik.errors import JisikError
from jisik.store.database import LIKE_ESCAPE, contains_pattern
from jisik.store.schema import AuditRow

__all__ = ["GENESIS", "AuditEvent", "AuditLog", "ChainCheck", "link_hash", "payload_hash"]

logger = logging.getLogger(__name__)
T = TypeVar("T")
REDACT_BATCH = 500  # events per redaction event (its payload lists each one)
RETRIES = 20
CONTRADICTED = "the trail no longer holds the event the checkpoint signed; see `jisik audit verify`"


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
class Link:
    """An event just inserted, and the one it follows."""

    seq: int
    hash: str
    prev_seq: int
    prev_hash: str


_LAST_SQL = "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1"
_INSERT_SQL = (
    "INSERT INTO audit_events (seq, at, action, actor, trace_id, payload_json, salt,"
    " payload_hash, prev_hash, hash, redacted) VALUES ({})".format(", ".join(["{0}"] * 11))
)


class _Raced(Exception):
    """Another writer changed the rows this transaction read: roll back, read again."""


class AuditLog:
    def __init__(self, engine: Engine, home: Path | None = None) -> None:
        self.engine = engine
        # With a home, every committed append also signs the new head into the home's
        # checkpoint; without one (unit tests, tools on a bare database) the chain
        # stands alone and verify cannot see a removed tail.
        self.anchor = HomeAnchor(home) if home is not None else None
        self._lock = threading.Lock()
        # (seq, hash) of the last event this process committed; None: read it.
        self._head: tuple[int, str] | None = None
        self._pending_head: tuple[int, str] | None = None
        self._warned: set[str] = set()
        self._anchored = False

    def append(self, action: str, actor: str, trace_id: str = "", /, **payload: object) -> int:
        """Add an event at the end of the chain; returns its sequence number."""
        return self._record(action, actor, trace_id, payload)[0].seq

    def _record(
        self, action: str, actor: str, trace_id: str, payload: dict
    ) -> tuple[Link, str | None]:
        actor = actor[:80]
        body = canonical_json({**payload, "actor": actor, "trace_id": trace_id})
        with self._lock:
            link = self._commit(lambda c: self._insert(c, action, actor, trace_id, body))
            return link, self._advance(link)

    def _commit(self, work: Callable[[Connection], T]) -> T:
        for _ in range(RETRIES):
            self._pending_head = None
            try:
                with self.engine.begin() as connection:
                    done = work(connection)
            except (IntegrityError, _Raced):
                # Another process appended after the same predecessor (the unique
                # prev_hash refused ours) or redacted the same rows: read again.
                self._head = None
                continue
            except BaseException:
                self._head = None
                raise
            if self._pending_head is not None:
                self._head = self._pending_head
            return done
        raise JisikError("could not write to the audit trail: too many concurrent writers")

    def _insert(
        self, connection: Connection, action: str, actor: str, trace_id: str, body: str
    ) -> Link:
        # Plain SQL with placeholders, the head kept from this process's last append:
        # this runs on every question, where building and compiling statements cost
        # more than the insert. Another process appending after the same head is
        # refused by the unique ``prev_hash`` (or ``seq``); ``_commit`` retries after
        # forgetting the head, so the next try reads it.
        head = self._head
        if head is None:
            last = connection.exec_driver_sql(_LAST_SQL).first()
            head = (last[0], last[1]) if last else (0, GENESIS)
        prev_seq, prev_hash = head
        seq, at, salt = prev_seq + 1, round(time.time(), 6), secrets.token_hex(16)
        committed = payload_hash(salt, body)
        link = link_hash(prev_hash, seq, at, action, committed)
        marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        connection.exec_driver_sql(
            _INSERT_SQL.format(marker),
            (seq, at, action, actor, trace_id, body, salt, committed, prev_hash, link, False),
        )
        self._pending_head = (seq, link)
        return Link(seq, link, prev_seq, prev_hash)

    # --- the checkpoint -------------------------------------------------------

    def _advance(self, link: Link) -> str | None:
        """Sign ``link`` as the new head; returns why not, when it was not moved."""
        if self.anchor is None:
            return None
        try:
            with self.anchor.locked():
                refusal = self._advance_locked(self.anchor, link)
        except (OSError, CheckpointError) as exc:
            refusal = f"the checkpoint cannot be used ({exc})"
        if refusal and refusal not in self._warned:  # once per process, not per question
            self._warned.add(refusal)
            logger.warning("audit checkpoint not moved to event %s: %s", link.seq, refusal)
        return refusal

    def _advance_locked(self, anchor: HomeAnchor, link: Link) -> str | None:
        current = anchor.current()
        if current is None:
            if self._anchored_before():
                # Recreating it would hide whatever was done while it was gone.
                return "the checkpoint file is missing; see `jisik audit verify`"
            first = self._commit(
                lambda c: self._insert(
                    c,
                    ANCHOR_ACTION,
                    SYSTEM_ACTOR,
                    "",
                    canonical_json(
                        {"reason": "first checkpoint", "actor": SYSTEM_ACTOR, "trace_id": ""}
                    ),
                )
            )
            anchor.write(Checkpoint(first.seq, first.hash, self._count_through(first.seq), now()))
            self._anchored = True
            return None
        if current.seq >= link.seq:
            # Another process signed a later head (fine), or the trail was cut back
            # below the signed head and grew again (the evidence stays).
            signed = link.hash if current.seq == link.seq else self._hash_at(current.seq)
            return None if signed == current.hash else CONTRADICTED
        signed = link.prev_hash if current.seq == link.prev_seq else self._hash_at(current.seq)
        if signed != current.hash:
            return CONTRADICTED  # signing now would launder a rewrite: leave the evidence
        anchor.write(
            Checkpoint(link.seq, link.hash, current.events + link.seq - current.seq, now())
        )
        return None

    def _anchored_before(self) -> bool:
        if not self._anchored:
            table = AuditRow.__table__
            query = select(table.c.seq).where(table.c.action == ANCHOR_ACTION).limit(1)
            with self.engine.connect() as connection:
                self._anchored = connection.execute(query).first() is not None
        return self._anchored

    def _count_through(self, seq: int) -> int:
        """Events up to ``seq``: others may have appended after it by now."""
        table = AuditRow.__table__
        query = select(func.count()).select_from(table).where(table.c.seq <= seq)
        with self.engine.connect() as connection:
            return connection.execute(query).scalar() or 0

    def _hash_at(self, seq: int) -> str | None:
        table = AuditRow.__table__
        with self.engine.connect() as connection:
            return connection.execute(select(table.c.hash).where(table.c.seq == seq)).scalar()

    def export_checkpoint(self, actor: str, out: str | None = None) -> dict:
        """Record the export (``audit.checkpoint``), then return the signed checkpoint of
        the head, which is that record: for an auditor to keep away from this home."""
        anchor = self._require_anchor()
        _, refusal = self._record("audit.checkpoint", actor, "", {"out": out})
        if refusal:
            raise CheckpointError(
                f"{refusal}; if you accept the trail as it is now, re-anchor it with "
                "`jisik audit checkpoint --reanchor`"
            )
        with self._lock, anchor.locked():
            document = anchor.load()
        if document is None:  # removed since our append signed it
            raise CheckpointError("the checkpoint file vanished; see `jisik audit verify`")
        return document

    def reanchor(self, actor: str) -> dict:
        """Sign the head as it is now, whatever the home's checkpoint said (missing,
        rolled back, contradicted): the way on after a restore or an incident. It is an
        ``audit.anchor`` event naming the checkpoint it replaced and what verify saw,
        and an auditor's exported checkpoint still shows what was lost before it."""
        anchor = self._require_anchor()
        before = self.verify()
        with self._lock, anchor.locked():
            try:
                previous: object = anchor.load() or "missing"
            except CheckpointError as exc:
                previous = f"unreadable: {exc}"
            body = canonical_json(
                {
                    "reason": "reanchor",
                    "previous": previous,
                    "events_before": before.events,
                    "problems": list(before.problems[:20]),
                    "problems_total": len(before.problems),
                    "actor": actor[:80],
                    "trace_id": "",
                }
            )
            link = self._commit(lambda c: self._insert(c, ANCHOR_ACTION, actor[:80], "", body))
            self._anchored = True
            return anchor.write(
                Checkpoint(link.seq, link.hash, self._count_through(link.seq), now())
            )

    def _require_anchor(self) -> HomeAnchor:
        if self.anchor is None:
            raise JisikError("this audit log was opened without its home: it has no checkpoint")
        return self.anchor

    # --- reading --------------------------------------------------------------

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

    def verify(
        self, checkpoint: object | None = None, public_key: Ed25519PublicKey | None = None
    ) -> ChainCheck:
        """The chain, its redactions and (with a home) the home's checkpoint; also an
        exported ``checkpoint`` when given. Signatures are checked against
        ``public_key`` if given, else the home's own key; nothing is written."""

        def rows() -> Iterator[AuditRow]:
            with Session(self.engine) as session:
                yield from session.scalars(select(AuditRow).order_by(AuditRow.seq)).yield_per(1000)

        return verify_trail(rows, self.anchor, checkpoint, public_key)

    def find(self, needles: Iterable[str]) -> list[AuditEvent]:
        """Unredacted events whose payload or actor contains any of the strings
        (found by SQL, not by reading the whole trail). Redaction events hold only
        hashes and sequence numbers and are never returned."""
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
            .where(AuditRow.redacted.is_(False), AuditRow.action != REDACT_ACTION, or_(*matches))
            .order_by(AuditRow.seq)
        )
        with Session(self.engine) as session:
            return [_event(row) for row in session.scalars(query)]

    # --- redaction ------------------------------------------------------------

    def redact(self, seqs: Iterable[int], reason: str) -> int:
        """Blank the payloads of events, bound to the trail (see the module doc); returns
        how many were blanked. Redaction events themselves are never redacted."""
        wanted = sorted(set(seqs))
        blanked = 0
        with self._lock:
            for start in range(0, len(wanted), REDACT_BATCH):
                batch = wanted[start : start + REDACT_BATCH]
                done = self._commit(lambda c, batch=batch: self._redact(c, batch, reason))
                if done is not None:
                    blanked += done[1]
                    self._advance(done[0])
        return blanked

    def _redact(self, connection: Connection, batch: list[int], reason: str):
        table = AuditRow.__table__
        rows = connection.execute(
            select(table.c.seq, table.c.payload_hash, table.c.hash)
            .where(
                table.c.seq.in_(batch),
                table.c.redacted.is_(False),
                table.c.action != REDACT_ACTION,
            )
            .order_by(table.c.seq)
        ).all()
        if not rows:
            return None
        listed = [{"seq": r.seq, "payload_hash": r.payload_hash, "hash": r.hash} for r in rows]
        body = canonical_json(
            {"reason": reason, "events": listed, "actor": SYSTEM_ACTOR, "trace_id": ""}
        )
        link = self._insert(connection, REDACT_ACTION, SYSTEM_ACTOR, "", body)
        blank = canonical_json({"redacted": True, "reason": reason, "redaction_seq": link.seq})
        result = connection.execute(
            update(table)
            .where(table.c.seq.in_([r.seq for r in rows]), table.c.redacted.is_(False))
            .values(payload_json=blank, salt="", redacted=True, actor="", trace_id="")
        )
        if result.rowcount != len(rows):
            raise _Raced  # some were redacted by another process since we read them
        return link, len(rows)


def _event(row: AuditRow) -> AuditEvent:
    return AuditEvent(
        seq=row.seq,
        at=row.at,
        action=row.action,
        actor=row.actor,
        trace_id=row.trace_id,
        payload=read_payload(row.payload_json) or {},  # unreadable: verify reports it
        redacted=row.redacted,
        hash=row.hash,
    )
