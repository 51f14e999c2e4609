"""The signed checkpoint of the audit trail's head: what makes a removed tail visible.

The hash chain proves that no event between the first and the last was edited,
inserted or reordered, but deleting the *last* events leaves a shorter chain that
still verifies, and so does rewriting the tail with every hash recomputed. So the
home signs its trail's head (last seq, its hash, the number of events) with its
Ed25519 key after every committed append, and keeps the signed document in
``<home>/audit-checkpoint.json``, outside the database. Whoever can write the
database but not read the home's key can then no longer shorten, rewrite or
re-redact the trail unseen.

Whoever holds the whole home (files and key) can still roll back both together.
Against that an auditor keeps an exported checkpoint (``jisik audit checkpoint
--out``) and the public key somewhere else and verifies against those
(``jisik audit verify --checkpoint FILE --public-key FILE``).

Writing: the file is one signed JSON object padded to 512 bytes and rewritten
in place (one ``pwrite`` at offset 0, so the size never changes) under an
exclusive ``flock`` that readers share. A temporary file and ``os.replace`` is
the usual atomic swap, but on ext4 a rename over an existing file forces the new
file's data out to disk (``auto_da_alloc``) and cost 150–400 µs per append here,
more than the append itself; the in-place write costs about 1 µs. Readers never
see half a file (they take the lock), and a 512-byte write lies in one disk
sector, which drives write whole, so a crash leaves the old or the new document.

Durability: no fsync per append (it costs milliseconds, on every question). That
is the database's own level (WAL, ``synchronous=NORMAL``, no fsync per commit
either): after a power loss either may lack the last moments. If the checkpoint
survived and the database lost its last events, ``verify`` reports them as
removed (they are): check, then re-anchor.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import secrets
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from jisik.audit.canonical import canonical_json
from jisik.errors import JisikError
from jisik.keys import SIGNING_ALGORITHM, HomeSecrets, public_key_hex

CHECKPOINT_FILE = "audit-checkpoint.json"
KIND = "jisik audit checkpoint"  # keeps a checkpoint signature from passing as a receipt's
VERSION = 1
# jisik.keys keeps the signing key under this name; verify must not create one.
SIGNING_KEY_FILE = "receipt-signing.key"
SLOT = 512  # bytes: one disk sector, see the module doc


class CheckpointError(JisikError):
    """A checkpoint that cannot be trusted or cannot be kept (the message says which)."""


@dataclass(frozen=True, slots=True)
class Checkpoint:
    seq: int  # the last event it signed
    hash: str  # that event's hash
    events: int  # how many events the trail held then
    at: str  # when it was signed (UTC, ISO 8601)

    def body(self) -> dict:
        return {
            "checkpoint": KIND,
            "version": VERSION,
            "seq": self.seq,
            "hash": self.hash,
            "events": self.events,
            "at": self.at,
        }


def key_id(key: Ed25519PublicKey) -> str:
    """A short fingerprint, for a person to see which key signed; never trusted."""
    return hashlib.sha256(bytes.fromhex(public_key_hex(key))).hexdigest()[:16]


def sign(checkpoint: Checkpoint, key: Ed25519PrivateKey) -> dict:
    body = checkpoint.body()
    value = key.sign(canonical_json(body).encode("utf-8")).hex()
    return {
        **body,
        "signature": {
            "algorithm": SIGNING_ALGORITHM,
            "key_id": key_id(key.public_key()),
            "value": value,
        },
    }


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def check(document: object, key: Ed25519PublicKey) -> Checkpoint:
    """The checkpoint ``document`` holds, if ``key`` signed exactly it; else CheckpointError."""
    checkpoint = parse(document)
    signature = document.get("signature")  # type: ignore[union-attr]  # parse checked the dict
    if not isinstance(signature, dict) or signature.get("algorithm") != SIGNING_ALGORITHM:
        raise CheckpointError(f"it carries no {SIGNING_ALGORITHM} signature")
    try:
        value = bytes.fromhex(str(signature.get("value", "")))
        key.verify(value, canonical_json(checkpoint.body()).encode("utf-8"))
    except (ValueError, InvalidSignature):
        raise CheckpointError(
            "its signature does not verify against the public key: it was edited, "
            "or another key signed it"
        ) from None
    return checkpoint


def parse(document: object) -> Checkpoint:
    """The fields of a checkpoint document, unchecked; CheckpointError if it is not one."""
    if not isinstance(document, dict) or document.get("checkpoint") != KIND:
        raise CheckpointError(f"it is not a {KIND} (export one with `jisik audit checkpoint`)")
    seq, events = document.get("seq"), document.get("events")
    head, at = document.get("hash"), document.get("at")
    if (
        document.get("version") != VERSION
        or not all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in (seq, events))
        or not isinstance(head, str)
        or not isinstance(at, str)
    ):
        raise CheckpointError(f"it is a malformed {KIND} (version {VERSION} expected)")
    return Checkpoint(seq=seq, hash=head, events=events, at=at)  # type: ignore[arg-type]


class HomeAnchor:
    """The checkpoint file of one home, its lock and the home's signing key."""

    def __init__(self, home: Path) -> None:
        self.path = home / CHECKPOINT_FILE
        self.lock_path = home / (CHECKPOINT_FILE + ".lock")
        self.secrets = HomeSecrets(home / "secrets")
        self._signing_key: Ed25519PrivateKey | None = None
        # The bytes this process last wrote: while the file still holds exactly them,
        # the next append needs neither to parse it nor to check its signature again.
        self._mine: tuple[bytes, Checkpoint] | None = None
        self._lock_fd: int | None = None
        self._lock_pid = 0

    def signing_key(self) -> Ed25519PrivateKey:
        if self._signing_key is None:  # read once: it is needed on every append
            self._signing_key = self.secrets.signing_key()
        return self._signing_key

    def public_key(self) -> Ed25519PublicKey | None:
        """The home's public key, or None when the home has no signing key (an
        auditor's copy without ``secrets/``): checking must never create one."""
        if self._signing_key is None and not (self.secrets.directory / SIGNING_KEY_FILE).exists():
            return None
        return self.signing_key().public_key()

    def read(self) -> dict | None:
        """The stored document (unchecked), None if there is none, read under the
        shared lock so that no write is seen half done."""
        try:
            handle = open(self.lock_path, "rb")  # noqa: SIM115  # closed below
        except OSError:  # never written (or an auditor's read-only copy): nothing to wait for
            return self.load()
        with handle:
            fcntl.flock(handle, fcntl.LOCK_SH)
            return self.load()

    def load(self) -> dict | None:
        """Like ``read``, for a caller holding ``locked()``."""
        return _document(self._bytes(), self.path)

    def current(self) -> Checkpoint | None:
        """The stored checkpoint, its signature checked (call it holding ``locked()``);
        None if there is none, CheckpointError if it cannot be trusted."""
        data = self._bytes()
        if data is None:
            return None
        if self._mine is not None and self._mine[0] == data:
            return self._mine[1]
        return check(_document(data, self.path), self.signing_key().public_key())

    def write(self, checkpoint: Checkpoint) -> dict:
        """Sign and store (call it holding ``locked()``); returns the document."""
        document = sign(checkpoint, self.signing_key())
        data = json.dumps(document, separators=(",", ":")).encode("utf-8")
        data = data.ljust(SLOT - 1) + b"\n"
        try:
            descriptor = os.open(self.path, os.O_WRONLY | os.O_NOFOLLOW)
        except FileNotFoundError:
            descriptor = None
        if descriptor is not None:
            try:
                if len(data) == SLOT and os.fstat(descriptor).st_size == SLOT:
                    os.pwrite(descriptor, data, 0)
                    self._mine = (data, checkpoint)
                    return document
            finally:
                os.close(descriptor)
        # The first checkpoint, or a file of another size (restored from a backup):
        # swap a whole new file in.
        partial = self.path.with_name(f".{CHECKPOINT_FILE}.{secrets.token_hex(4)}.partial")
        try:
            partial.write_bytes(data)
            os.replace(partial, self.path)
        finally:
            partial.unlink(missing_ok=True)
        self._mine = (data, checkpoint)
        return document

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Across processes (the server and a CLI): one reads-compares-writes at a time,
        so the checkpoint never moves back to an older head. A separate lock file,
        because a restored checkpoint file may be swapped in under a new inode. Its
        descriptor stays open (opening it cost more than the write); threads sharing
        it must hold the AuditLog's own lock, which serialises them."""
        if self._lock_fd is None or self._lock_pid != os.getpid():
            # A forked child shares its parent's descriptor, and flock would not keep
            # the two apart: each process opens its own.
            self._lock_fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            self._lock_pid = os.getpid()
            weakref.finalize(self, os.close, self._lock_fd)
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def _bytes(self) -> bytes | None:
        try:
            descriptor = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise CheckpointError(f"{self.path} cannot be opened: {exc}") from exc
        try:
            chunks = []
            while chunk := os.read(descriptor, 65536):
                chunks.append(chunk)
            return b"".join(chunks)
        except OSError as exc:
            raise CheckpointError(f"{self.path} cannot be read: {exc}") from exc
        finally:
            os.close(descriptor)


def _document(data: bytes | None, path: Path) -> dict | None:
    if data is None:
        return None
    try:
        return json.loads(data)
    except ValueError:
        raise CheckpointError(f"{path} is not JSON") from None
