"""How an audit event commits to its content and to the event before it.

* ``payload_hash = sha256(salt + payload)``: a commitment to the content;
* ``hash = sha256(prev_hash | seq | at | action | payload_hash)``: the link.
"""

from __future__ import annotations

import json

from jisik.audit.canonical import sha256_hex

GENESIS = "0" * 64
# Written by the trail itself: a redaction, binding what it blanked (payload hash and
# link of each event) into the chain; and a (re)anchoring of the signed checkpoint.
REDACT_ACTION = "audit.redact"
ANCHOR_ACTION = "audit.anchor"
SYSTEM_ACTOR = "system:audit"  # a redaction names its cause in the event after it


def link_hash(prev_hash: str, seq: int, at: float, action: str, payload_hash: str) -> str:
    return sha256_hex(f"{prev_hash}|{seq}|{at:.6f}|{action}|{payload_hash}")


def payload_hash(salt: str, payload_json: str) -> str:
    return sha256_hex(salt + payload_json)


def read_payload(payload_json: str) -> dict | None:
    """The stored payload, or None when it is not a JSON object (a tampered row)."""
    try:
        payload = json.loads(payload_json)
    except (TypeError, ValueError):
        return None
    return payload if isinstance(payload, dict) else None
