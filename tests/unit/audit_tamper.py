"""Tampering with an audit trail the way an attacker would: raw SQL on the database file,
hashes recomputed with hashlib, checkpoints signed with the key read from disk.

Nothing here calls jisik's own hashing, canonical JSON or signing: the expected
values come from the format as documented (``jisik.audit.links``), so a bug there
cannot hide itself in a test.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from jisik.store.database import migrate, open_engine, sqlite_url

ZERO = "0" * 64
COLUMNS = (
    "seq, at, action, actor, trace_id, payload_json, salt, payload_hash, prev_hash, hash, redacted"
)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def canonical(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def link(prev: str, seq: int, at: float, action: str, content_hash: str) -> str:
    return sha(f"{prev}|{seq}|{at:.6f}|{action}|{content_hash}")


def new_home(root: Path) -> Path:
    """A home directory holding a migrated database (all the audit commands need)."""
    root.mkdir(parents=True, exist_ok=True)
    engine = open_engine(sqlite_url(root / "jisik.db"))
    migrate(engine)
    engine.dispose()
    (root / "manifest.json").write_text("{}", encoding="utf-8")
    return root


def rows(db: Path) -> list[dict]:
    with sqlite3.connect(db) as connection:
        connection.row_factory = sqlite3.Row
        found = connection.execute(f"SELECT {COLUMNS} FROM audit_events ORDER BY seq").fetchall()
    return [dict(r) for r in found]


def row(db: Path, seq: int) -> dict:
    return next(r for r in rows(db) if r["seq"] == seq)


def read_payload_of(r: dict) -> dict:
    return json.loads(r["payload_json"])


def sql(db: Path, statement: str, *args: object) -> None:
    with sqlite3.connect(db) as connection:
        connection.execute(statement, args)


def put(db: Path, seq: int, **columns: object) -> None:
    names = ", ".join(f"{name} = ?" for name in columns)
    sql(db, f"UPDATE audit_events SET {names} WHERE seq = ?", *columns.values(), seq)


def rehash(db: Path, seq: int, *, content: bool = True, own_link: bool = True) -> None:
    """Recompute an event's own hashes from its (edited) columns."""
    r = row(db, seq)
    if content:
        r["payload_hash"] = sha(r["salt"] + r["payload_json"])
    if own_link:
        r["hash"] = link(r["prev_hash"], r["seq"], r["at"], r["action"], r["payload_hash"])
    put(db, seq, payload_hash=r["payload_hash"], hash=r["hash"])


def rewrite_from(db: Path, seq: int) -> None:
    """Recompute every hash and link from ``seq`` to the end: a rewrite of the tail
    that the chain alone cannot see (prev_hash is unique, so clear them first)."""
    later = [r for r in rows(db) if r["seq"] >= seq]
    prev = next((r["hash"] for r in rows(db) if r["seq"] == seq - 1), ZERO)
    for r in later:
        put(db, r["seq"], prev_hash=f"tmp{r['seq']}")
    for r in later:
        content = r["payload_hash"] if r["redacted"] else sha(r["salt"] + r["payload_json"])
        new = link(prev, r["seq"], r["at"], r["action"], content)
        put(db, r["seq"], payload_hash=content, prev_hash=prev, hash=new)
        prev = new


def fake_redaction(db: Path, seq: int, **extra: object) -> None:
    """Blank an event as a redaction would, by hand: payload_hash and hash kept."""
    blank = canonical({"redacted": True, "reason": "erasure", **extra})
    put(db, seq, payload_json=blank, salt="", actor="", trace_id="", redacted=1)


def home_key(home: Path) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(
        (home / "secrets" / "receipt-signing.key").read_bytes()
    )


def signed(body: dict, key: Ed25519PrivateKey) -> dict:
    """A checkpoint document signed the documented way: Ed25519 over canonical JSON."""
    body = {k: v for k, v in body.items() if k != "signature"}
    value = key.sign(canonical(body).encode("utf-8")).hex()
    return {**body, "signature": {"algorithm": "Ed25519", "key_id": "test", "value": value}}


def checkpoint_file(home: Path) -> Path:
    return home / "audit-checkpoint.json"


def read_checkpoint(home: Path) -> dict:
    return json.loads(checkpoint_file(home).read_text(encoding="utf-8"))


def write_checkpoint(home: Path, document: dict) -> None:
    checkpoint_file(home).write_text(json.dumps(document), encoding="utf-8")
