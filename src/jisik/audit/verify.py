"""Checking the audit trail: every link, every bound redaction, the signed checkpoints.

One pass over the events in seq order (``Walk``); then each checkpoint (the
home's, and one an auditor exported) is compared with what the pass saw.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from jisik.audit.checkpoint import Checkpoint, CheckpointError, HomeAnchor, check
from jisik.audit.links import (
    ANCHOR_ACTION,
    GENESIS,
    REDACT_ACTION,
    link_hash,
    payload_hash,
    read_payload,
)

REDACTED_KEYS = frozenset({"redacted", "reason", "redaction_seq"})
MAX_PROBLEMS = 500  # a wholesale rewrite should not print a million lines
HOME_LABEL, EXPORTED_LABEL = "the home's checkpoint", "the exported checkpoint"


class Row(Protocol):
    seq: int
    at: float
    action: str
    actor: str
    trace_id: str
    payload_json: str
    salt: str
    payload_hash: str
    prev_hash: str
    hash: str
    redacted: bool


@dataclass(frozen=True, slots=True)
class ChainCheck:
    ok: bool
    events: int
    problems: tuple[str, ...]
    head: str  # hash of the last event
    checkpoint_seq: int | None = None  # the event the home's checkpoint signed
    unanchored: int = 0  # events after it (the next append signs them)


class Walk:
    """What one pass over the events (in seq order) found."""

    def __init__(self, watch: Iterable[int] = ()) -> None:
        self.watch = frozenset(watch)  # seqs whose hash a checkpoint will be compared with
        self.problems: list[str] = []
        self.count = 0
        self.last_seq = 0
        self.head = GENESIS
        self.anchored = False
        self.hashes: dict[int, str] = {}
        # Redacted events whose redaction event is still ahead: seq -> (redaction seq,
        # payload hash, hash). Old events are redacted by much later events, so most
        # redacted events wait here until the end: about 300 bytes each.
        self._pending: dict[int, tuple[int | None, str, str]] = {}
        self._redactions: set[int] = set()

    def add(self, row: Row) -> None:
        self.count += 1
        if row.seq != self.last_seq + 1:
            self.problems.append(f"event {self.last_seq + 1} is missing (next is {row.seq})")
        if row.prev_hash != self.head:
            self.problems.append(f"event {row.seq} does not follow the event before it")
        self.problems.extend(_content_problems(row))
        if link_hash(row.prev_hash, row.seq, row.at, row.action, row.payload_hash) != row.hash:
            self.problems.append(
                f"event {row.seq}: its hash does not match its time, action and content"
            )
        if row.seq in self.watch:
            self.hashes[row.seq] = row.hash
        if row.action == ANCHOR_ACTION:
            self.anchored = True
        if row.redacted:
            by = (read_payload(row.payload_json) or {}).get("redaction_seq")
            by = by if isinstance(by, int) and not isinstance(by, bool) else None
            self._pending[row.seq] = (by, row.payload_hash, row.hash)
        elif row.action == REDACT_ACTION:
            self._redactions.add(row.seq)
            self._bind(row)
        self.last_seq, self.head = row.seq, row.hash

    def _bind(self, redaction: Row) -> None:
        """Each event a redaction lists must be redacted by it and be what it blanked."""
        entries = (read_payload(redaction.payload_json) or {}).get("events")
        if not isinstance(entries, list) or not all(map(_entry_ok, entries)):
            self.problems.append(f"event {redaction.seq}: its list of redacted events is malformed")
            return
        for entry in entries:
            seq = entry["seq"]
            waiting = self._pending.get(seq)
            if waiting is None or waiting[0] != redaction.seq:
                self.problems.append(
                    f"redaction event {redaction.seq} lists event {seq}, which is not redacted "
                    "by it (restored from a backup, or the list was edited)"
                )
                continue
            del self._pending[seq]
            if waiting[1:] != (entry["payload_hash"], entry["hash"]):
                self.problems.append(
                    f"event {seq} is not the event redaction {redaction.seq} blanked: "
                    "its content hash or link was changed since"
                )

    def finish(self) -> None:
        for seq, (by, _, _) in self._pending.items():
            if by is None:
                self.problems.append(
                    f"event {seq}: marked redacted without a redaction event (forged, or "
                    "redacted before jisik bound redactions to the trail)"
                )
            elif by in self._redactions:
                self.problems.append(
                    f"event {seq}: marked redacted, but redaction event {by} does not list it"
                )
            else:
                self.problems.append(
                    f"event {seq}: marked redacted by event {by}, which is not a redaction"
                )
        self._pending.clear()


def verify_trail(
    read_rows: Callable[[], Iterable[Row]],
    anchor: HomeAnchor | None,
    exported: object | None = None,
    public_key: Ed25519PublicKey | None = None,
) -> ChainCheck:
    """The chain, its redactions, the home's checkpoint (when ``anchor``) and an
    exported checkpoint (when given), signatures checked against ``public_key`` or
    else the home's own key."""
    problems: list[str] = []
    key = public_key or (anchor.public_key() if anchor else None)
    # The home's checkpoint is read before the events: it is written only after its
    # event committed, so the pass below sees that event even while others append.
    home, home_missing = None, False
    if anchor is not None:
        try:
            document = anchor.read()
            home_missing = document is None
            home = None if home_missing else _checked(document, key)
        except CheckpointError as exc:
            problems.append(f"{HOME_LABEL}: {exc}")
    theirs = None
    if exported is not None:
        try:
            theirs = _checked(exported, key)
        except CheckpointError as exc:
            problems.append(f"{EXPORTED_LABEL}: {exc}")

    walk = Walk(cp.seq for cp in (home, theirs) if cp)
    for row in read_rows():
        walk.add(row)
    walk.finish()
    for label, checkpoint in ((HOME_LABEL, home), (EXPORTED_LABEL, theirs)):
        if checkpoint is not None:
            problems.extend(compare(label, checkpoint, walk))
    if home and theirs and theirs.seq > home.seq:
        problems.append(
            f"{HOME_LABEL} (event {home.seq}) is older than the exported one "
            f"(event {theirs.seq}): it was rolled back"
        )
    if home_missing and walk.anchored:
        problems.append(
            f"{HOME_LABEL} is missing: restore audit-checkpoint.json from a backup, or "
            "re-anchor the trail as it is now with `jisik audit checkpoint --reanchor` "
            "(recorded in the trail)"
        )
    chain = walk.problems
    if len(chain) > MAX_PROBLEMS:
        chain = [*chain[:MAX_PROBLEMS], f"... and {len(chain) - MAX_PROBLEMS} more problems"]
    problems = chain + problems
    unanchored = 0 if anchor is None else walk.last_seq - (home.seq if home else 0)
    return ChainCheck(
        not problems,
        walk.count,
        tuple(problems),
        walk.head,
        home.seq if home else None,
        max(unanchored, 0),
    )


def compare(label: str, checkpoint: Checkpoint, walk: Walk) -> list[str]:
    """Whether the trail still holds what ``checkpoint`` signed."""
    problems = []
    if walk.count < checkpoint.events:
        problems.append(
            f"{label} counted {checkpoint.events} events ({checkpoint.at}); the trail holds "
            f"{walk.count}: {_events(checkpoint.events - walk.count)} removed"
        )
    signed = walk.hashes.get(checkpoint.seq)
    if signed is None:
        gone = checkpoint.seq - walk.last_seq
        tail = f": {_events(gone)} removed from the end" if gone > 0 else ""
        problems.append(f"{label}: event {checkpoint.seq}, the head it signed, is missing{tail}")
    elif signed != checkpoint.hash:
        problems.append(
            f"{label}: event {checkpoint.seq} is not the event it signed: the trail was "
            "rewritten up to there"
        )
    return problems


def _events(n: int) -> str:
    return "1 event" if n == 1 else f"{n} events"


def _checked(document: object, key: Ed25519PublicKey | None) -> Checkpoint:
    if key is None:
        raise CheckpointError(
            "this home has no signing key to check it with; pass the home's exported "
            "public key (`--public-key FILE`, from `jisik privacy public-key`)"
        )
    return check(document, key)


def _content_problems(row: Row) -> list[str]:
    payload = read_payload(row.payload_json)
    if row.redacted:
        if (
            payload is None
            or payload.get("redacted") is not True
            or not set(payload) <= REDACTED_KEYS
            or row.actor
            or row.trace_id
            or row.salt
        ):
            return [f"event {row.seq}: marked redacted but holds content"]
        return []
    if payload_hash(row.salt, row.payload_json) != row.payload_hash:
        return [f"event {row.seq}: the content was changed"]
    if payload is None:
        return [f"event {row.seq}: its content is not a JSON object"]
    if payload.get("actor") != row.actor or payload.get("trace_id") != row.trace_id:
        return [f"event {row.seq}: its user or trace id was changed"]
    return []


def _entry_ok(entry: object) -> bool:
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("seq"), int)
        and isinstance(entry.get("payload_hash"), str)
        and isinstance(entry.get("hash"), str)
    )
