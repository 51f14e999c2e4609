"""HTTP/1.1 by hand over a socket: for requests no client library will send (malformed
framing, huge declared sizes, endless chunked bodies, foreign Host headers)."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Self


@dataclass
class Reply:
    status: int
    headers: dict[str, str]  # names lower-cased
    body: bytes
    sent: int  # body bytes the client managed to send before the server hung up

    def json(self) -> dict:
        return json.loads(self.body)

    @property
    def problem(self) -> bool:
        return self.headers.get("content-type", "").startswith("application/problem+json")


def head(method: str, path: str, host: str, *headers: tuple[str, str] | tuple[bytes, bytes]):
    lines = [f"{method} {path} HTTP/1.1".encode(), b"Host: " + host.encode()]
    for name, value in headers:
        name = name.encode() if isinstance(name, str) else name
        value = value.encode() if isinstance(value, str) else value
        lines.append(name + b": " + value)
    return b"\r\n".join(lines) + b"\r\n\r\n"


def chunked(body: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        piece = body[start : start + size]
        yield f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    yield b"0\r\n\r\n"


def endless_chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    """A chunked body of ``total`` bytes of spaces, made as it is sent (never all in memory)."""
    piece = f"{size:x}\r\n".encode() + b" " * size + b"\r\n"
    for _ in range(total // size):
        yield piece
    yield b"0\r\n\r\n"


def exchange(port: int, request: bytes, body: Iterable[bytes] = (), timeout: float = 60.0) -> Reply:
    """Send ``request`` and then ``body`` (from a thread, so that a server answering early is
    heard at once) and read one response. The server may hang up mid-body: that is counted
    in ``sent``, not an error."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    sent = 0
    stop = threading.Event()

    def send() -> None:
        nonlocal sent
        try:
            sock.sendall(request)
            for piece in body:
                if stop.is_set():
                    return
                sock.sendall(piece)
                sent += len(piece)
        except OSError:  # the server answered and closed: expected for refusals
            pass

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    try:
        return _read_reply(sock, lambda: sent)
    finally:
        stop.set()
        sock.close()
        sender.join(timeout)


def _read_reply(sock: socket.socket, sent) -> Reply:
    data = b""
    while b"\r\n\r\n" not in data:
        piece = sock.recv(65536)
        if not piece:
            raise AssertionError(f"the server hung up without an answer: {data!r}")
        data += piece
    top, _, rest = data.partition(b"\r\n\r\n")
    status_line, *header_lines = top.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        piece = sock.recv(65536)
        if not piece:
            break
        rest += piece
    return Reply(int(status_line.split()[1]), headers, rest[:length], sent())


def rss_kb(pid: int) -> int:
    """Resident memory of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for process {pid}")


class PeakRss:
    """The highest resident memory of a process while the ``with`` block runs (sampled)."""

    def __init__(self, pid: int, every: float = 0.005) -> None:
        self.pid, self.every = pid, every
        self.peak = self.before = rss_kb(pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(self.every):
            self.peak = max(self.peak, rss_kb(self.pid))

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_kb(self.pid))

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.before) / 1024
