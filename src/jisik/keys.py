"""The home's secrets: the pseudonymization key, the receipt HMAC key and the signing key.

They live in ``<home>/secrets/`` (mode 0600), are created on first use and never leave
the machine. The signing key (Ed25519) signs erasure receipts and audit checkpoints;
its public half is what an auditor verifies them against (``jisik privacy public-key``
exports it), never a key carried inside the signed document itself.
"""

from __future__ import annotations

import hmac
import os
import secrets
from hashlib import sha256
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from jisik.errors import InvalidInputError

SIGNING_ALGORITHM = "Ed25519"


class HomeSecrets:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _secret(self, name: str, size: int) -> bytes:
        path = self.directory / name
        if not path.exists():
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            partial = path.with_suffix(f".{secrets.token_hex(4)}.partial")
            descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(secrets.token_bytes(size))
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(partial, path)  # fails if another process created it meanwhile
            except FileExistsError:
                pass
            finally:
                partial.unlink(missing_ok=True)
        return path.read_bytes()

    def pseudonym_key(self) -> bytes:
        return self._secret("pseudonym.key", 32)

    def identifier_key(self) -> bytes:
        """Keys the identifier hashes in receipts: without it they cannot be brute-forced."""
        return self._secret("receipt-hmac.key", 32)

    def signing_key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self._secret("receipt-signing.key", 32))

    def public_key(self) -> Ed25519PublicKey:
        return self.signing_key().public_key()


def keyed_hash(key: bytes, message: str) -> str:
    return hmac.new(key, message.encode("utf-8"), sha256).hexdigest()


def public_key_hex(key: Ed25519PublicKey) -> str:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def public_key_file(key: Ed25519PublicKey) -> str:
    """The exported public key as a small text file an auditor can keep apart."""
    return f"jisik-public-key {SIGNING_ALGORITHM} {public_key_hex(key)}\n"


def read_public_key_file(path: Path) -> Ed25519PublicKey:
    """A key exported by ``public_key_file`` (or a bare hex key)."""
    try:
        words = path.read_text(encoding="utf-8").split()
    except OSError as exc:
        raise InvalidInputError(f"cannot read the public key file {path}: {exc}") from exc
    hex_key = words[-1] if words else ""
    try:
        return Ed25519PublicKey.from_public_bytes(bytes.fromhex(hex_key))
    except ValueError:
        raise InvalidInputError(
            f"{path} is not a jisik public key; export one with `jisik privacy public-key`"
        ) from None
