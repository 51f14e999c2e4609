"""Signed erasure receipts: Ed25519 over the canonical JSON of the receipt."""

from __future__ import annotations

import hashlib
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from jisik.audit.canonical import canonical_json
from jisik.errors import InvalidInputError
from jisik.keys import public_key_hex
from jisik.privacy.subject import Subject

ALGORITHM = "Ed25519"


def identifier_hashes(subject: Subject, salt: str) -> list[dict]:
    """What a receipt says about whom it concerns: salted hashes, never the values."""
    return [
        {
            "kind": i.kind,
            "sha256": hashlib.sha256(f"{salt}:{i.kind}:{i.normal}".encode()).hexdigest(),
        }
        for i in subject.identifiers
    ]


def sign(receipt: dict, key: Ed25519PrivateKey) -> dict:
    body = {k: v for k, v in receipt.items() if k != "signature"}
    signature = key.sign(canonical_json(body).encode("utf-8"))
    return {
        **body,
        "signature": {
            "algorithm": ALGORITHM,
            "public_key": public_key_hex(key.public_key()),
            "value": signature.hex(),
        },
    }


def signature_valid(receipt: dict) -> bool:
    signature = receipt.get("signature") if isinstance(receipt, dict) else None
    if not isinstance(signature, dict) or signature.get("algorithm") != ALGORITHM:
        return False
    body = {k: v for k, v in receipt.items() if k != "signature"}
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(signature["public_key"]))
        key.verify(bytes.fromhex(signature["value"]), canonical_json(body).encode("utf-8"))
    except (InvalidSignature, ValueError, KeyError, TypeError):
        return False
    return True


def matches(receipt: dict, subject: Subject) -> bool:
    """Whether the given identifiers are exactly the ones the receipt was issued for."""
    request = receipt.get("request") if isinstance(receipt, dict) else None
    if not isinstance(request, dict) or not isinstance(request.get("identifiers"), list):
        return False
    salt = str(request.get("salt", ""))
    given = sorted(h["sha256"] for h in identifier_hashes(subject, salt))
    issued = sorted(str(h.get("sha256")) for h in request["identifiers"] if isinstance(h, dict))
    return given == issued


def load(path: Path) -> dict:
    import json

    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInputError(f"cannot read the receipt {path}: {exc}") from exc
