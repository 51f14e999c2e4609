"""API keys: made here, shown once, stored only as a hash."""

from __future__ import annotations

import hashlib
import secrets

KEY_PREFIX = "jsk_"
DISPLAY_CHARS = 8
MAX_KEY_CHARS = 128  # real keys are 47 characters; anything far longer is not one


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    # A plain SHA-256 is enough: keys carry 256 random bits, so there is nothing to
    # brute-force and no need for a slow password hash (which would also cost every
    # request). Looking keys up by this hash leaks no useful timing either: an
    # attacker cannot choose inputs that approach a stored hash.
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def display_prefix(key: str) -> str:
    """The non-secret start of a key, to tell keys apart in listings."""
    return key[:DISPLAY_CHARS]


def looks_like_key(credential: str) -> bool:
    return credential.startswith(KEY_PREFIX) and len(credential) <= MAX_KEY_CHARS
