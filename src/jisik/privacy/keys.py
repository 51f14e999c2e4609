"""The home's secrets: the pseudonymization key and the receipt signing key.

Both live in ``<home>/secrets/`` (mode 0600), are created on first use and never
leave the machine. Losing the signing key does not invalidate old receipts:
each receipt carries the public key it was signed with.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


class HomeSecrets:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _secret(self, name: str, size: int) -> bytes:
        path = self.directory / name
        if not path.exists():
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            partial = path.with_suffix(".partial")
            descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(secrets.token_bytes(size))
            try:
                os.link(partial, path)  # fails if another process created it meanwhile
            except FileExistsError:
                pass
            partial.unlink(missing_ok=True)
        return path.read_bytes()

    def pseudonym_key(self) -> bytes:
        return self._secret("pseudonym.key", 32)

    def signing_key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self._secret("receipt-signing.key", 32))


def public_key_hex(key: Ed25519PublicKey) -> str:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
