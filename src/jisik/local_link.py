"""How the CLI finds a ``jisik serve`` running on the same home, and proves it is local.

A running server writes ``serve.json`` into the home: its address, its process id and a
random token, readable by the home's owner only (0600, like the database beside it).
Whoever can read that file can already open the home's database directly, so the
server accepts the token as the local operator: the CLI then answers through the
server, whose models are loaded, instead of loading Kiwi and the embedder for one
question. The file is removed when the server stops; one left by a killed server is
ignored because its process is gone.
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

LINK_FILE = "serve.json"
TOKEN_PREFIX = "jisik-local-"
LOCAL_ACTOR_HEADER = "x-jisik-local-actor"  # the CLI's audit identity, "cli:LOGIN"


@dataclass(frozen=True, slots=True)
class LocalLink:
    url: str  # http://127.0.0.1:8000
    pid: int
    token: str


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def is_local_token(credential: str, token: str | None) -> bool:
    return bool(token) and hmac.compare_digest(credential.encode(), token.encode())


def client_url(host: str, port: int) -> str:
    """Where a client on this machine reaches a server bound to ``host``."""
    if host in ("0.0.0.0", "", "::"):
        host = "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def write_link(root: Path, link: LocalLink) -> Path:
    """Write the link atomically, owner-only from its first byte."""
    path = root / LINK_FILE
    fd, temporary = tempfile.mkstemp(prefix=".serve-", dir=root)  # created 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump({"url": link.url, "pid": link.pid, "token": link.token}, out)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def remove_link(root: Path, token: str) -> None:
    """Remove the link if it is still this server's (a newer server may have replaced it)."""
    found = _read(root / LINK_FILE)
    if found is not None and found.token == token:
        (root / LINK_FILE).unlink(missing_ok=True)


def read_link(root: Path) -> LocalLink | None:
    """The running server's link, or None (no file, unreadable, or its process is gone)."""
    found = _read(root / LINK_FILE)
    if found is None or not _alive(found.pid):
        return None
    return found


def _read(path: Path) -> LocalLink | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        link = LocalLink(str(data["url"]), int(data["pid"]), str(data["token"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not link.url.startswith("http://") or not link.token.startswith(TOKEN_PREFIX):
        return None
    return link


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive, but not ours to use
        return False
    return True
