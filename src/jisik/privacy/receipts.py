"""Signed erasure receipts: Ed25519 over the canonical JSON of the receipt.

A receipt is checked against the home's own public key (or a public key file an auditor
exported with ``jisik privacy public-key``), never against a key written inside the
receipt: anyone can generate a key pair and re-sign an edited receipt with it.

Whom a receipt concerns is recorded as keyed hashes — HMAC-SHA256 under a key kept in
the home, over the receipt id, the kind and the identifier's canonical form — so the
receipt alone reveals nothing, not even by trying every phone number, and two receipts
for the same person cannot be linked without the key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from jisik.audit.canonical import canonical_json
from jisik.errors import InvalidInputError
from jisik.keys import SIGNING_ALGORITHM, keyed_hash, public_key_hex
from jisik.privacy.subject import Subject

RECEIPT_VERSION = 2
IDENTIFIER_HASH = "HMAC-SHA256"


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    valid: bool
    reason: str  # why not, for a person; "" when valid


def identifier_hashes(subject: Subject, key: bytes, receipt_id: str) -> list[dict]:
    """What a receipt says about whom it concerns: keyed hashes, never the values."""
    return [
        {"kind": i.kind, "hmac": keyed_hash(key, f"{receipt_id}:{i.kind}:{i.normal}")}
        for i in subject.identifiers
    ]


def sign(receipt: dict, key: Ed25519PrivateKey) -> dict:
    body = {k: v for k, v in receipt.items() if k != "signature"}
    signature = key.sign(canonical_json(body).encode("utf-8"))
    return {
        **body,
        "signature": {
            "algorithm": SIGNING_ALGORITHM,
            # Which key signed it, for a person to see; verification never trusts it.
            "key_id": key_id(key.public_key()),
            "value": signature.hex(),
        },
    }


def key_id(key: Ed25519PublicKey) -> str:
    """A short fingerprint of a public key."""
    return hashlib.sha256(bytes.fromhex(public_key_hex(key))).hexdigest()[:16]


def check_signature(receipt: object, key: Ed25519PublicKey) -> SignatureCheck:
    """Whether ``receipt`` was signed, unchanged, by ``key`` (the home's public key)."""
    if not isinstance(receipt, dict):
        return SignatureCheck(False, "not a receipt (expected a JSON object)")
    signature = receipt.get("signature")
    if not isinstance(signature, dict) or signature.get("algorithm") != SIGNING_ALGORITHM:
        return SignatureCheck(False, f"no {SIGNING_ALGORITHM} signature")
    body = {k: v for k, v in receipt.items() if k != "signature"}
    try:
        value = bytes.fromhex(str(signature.get("value", "")))
        key.verify(value, canonical_json(body).encode("utf-8"))
    except (InvalidSignature, ValueError, TypeError):
        claimed = str(signature.get("key_id") or signature.get("public_key") or "")
        if claimed and claimed not in (key_id(key), public_key_hex(key)):
            return SignatureCheck(
                False,
                f"signed by another key ({claimed[:16]}), not this home's ({key_id(key)})",
            )
        return SignatureCheck(False, "the signature does not match: the receipt was changed")
    return SignatureCheck(True, "")


def matches(receipt: object, subject: Subject, key: bytes) -> bool:
    """Whether the given identifiers are exactly the ones the receipt was issued for."""
    request = receipt.get("request") if isinstance(receipt, dict) else None
    if not isinstance(request, dict) or not isinstance(request.get("identifiers"), list):
        return False
    if receipt.get("version") == 1:  # issued before keyed hashes: salted SHA-256
        salt = str(request.get("salt", ""))
        field = "sha256"
        given = sorted(
            hashlib.sha256(f"{salt}:{i.kind}:{_legacy_normal(i)}".encode()).hexdigest()
            for i in subject.identifiers
        )
    else:
        field = "hmac"
        receipt_id = str(receipt.get("receipt_id", ""))
        given = sorted(h["hmac"] for h in identifier_hashes(subject, key, receipt_id))
    issued = sorted(str(h.get(field)) for h in request["identifiers"] if isinstance(h, dict))
    return len(issued) == len(given) and all(
        hmac.compare_digest(a, b) for a, b in zip(issued, given, strict=True)
    )


def _legacy_normal(identifier) -> str:
    """The canonical form version 1 receipts hashed."""
    if identifier.kind in ("name", "value"):
        return identifier.value
    return identifier.normal


def load(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInputError(f"cannot read the receipt {path}: {exc}") from exc
