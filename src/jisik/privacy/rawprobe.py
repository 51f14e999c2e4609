"""Counting a person's identifiers in the raw bytes of files — from a child process.

SQLite guards its database with POSIX advisory locks, and those belong to a process,
not to a descriptor: closing *any* descriptor of the database file, even one opened
with a plain ``open()`` just to read it, silently drops every lock the process holds
on it. A CLI process on the same home may then take the database for its own and
delete ``jisik.db-shm`` under the running server. So a process that holds SQLite
connections never opens the live database files itself: it asks a short-lived child
process, which holds no locks to lose, to read them.

The child reads each file in blocks (free pages and the write-ahead log included),
decodes it as UTF-8 and, for binary containers, also as UTF-16 (OLE property sets and
HWP records hold UTF-16 text); for zip containers (Office, HWPX) it reads every member
inflated, bounded. Identifiers are matched with the same normaliser as everywhere else.
The identifiers travel on stdin, never on the command line (``ps`` would show them).
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from jisik.errors import JisikError
from jisik.privacy.subject import Subject

BLOCK_BYTES = 16 << 20
OVERLAP_BYTES = 2048  # longer than any identifier, in UTF-8 or UTF-16
MAX_MEMBER_BYTES = 256 << 20  # inflated, per zip member: a bomb is read only this far
PROBE_TIMEOUT_S = 3600.0


def probe(subject: Subject, paths: Iterable[Path]) -> dict[str, int]:
    """Occurrences of ``subject`` in each file (path -> count, only files with any),
    counted by a child process."""
    request = {"identifiers": subject.as_json(), "paths": [str(p) for p in paths]}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "jisik.privacy.rawprobe"],
            input=json.dumps(request, ensure_ascii=False),
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=PROBE_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise JisikError(f"could not probe the home's files for the person: {exc}") from exc
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise JisikError(f"the probe of the home's files failed: {last}")
    return json.loads(done.stdout)["counts"]


def count_in_file(subject: Subject, path: Path) -> int:
    """Occurrences in one file (run in the child)."""
    with open(path, "rb") as handle:
        head = handle.read(4)
        handle.seek(0)
        total = _count_blocks(subject, _blocks(handle), binary=head != b"SQLi")
    if head == b"PK\x03\x04":
        total += _count_zip_members(subject, path)
    return total


def _count_zip_members(subject: Subject, path: Path) -> int:
    total = 0
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.is_dir() or info.flag_bits & 0x1:
                    continue
                with archive.open(info) as member:
                    total += _count_blocks(subject, _blocks(member, MAX_MEMBER_BYTES), True)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, ValueError):
        pass  # a damaged archive: its raw bytes were still searched
    return total


def _blocks(handle, limit: int | None = None) -> Iterator[bytes]:
    read = 0
    while block := handle.read(BLOCK_BYTES):
        yield block
        read += len(block)
        if limit is not None and read >= limit:
            return


def _count_blocks(subject: Subject, blocks: Iterator[bytes], binary: bool) -> int:
    """Matches in a stream of blocks, each counted once even where it straddles two."""
    encodings = ("utf-8", "utf-16-le") if binary else ("utf-8",)
    total = 0
    tail = b""
    for block in blocks:
        window = tail + block
        for encoding in encodings:
            total += _count_new(subject, window, len(tail), encoding)
        tail = window[-OVERLAP_BYTES:]
    return total


def _count_new(subject: Subject, window: bytes, carried: int, encoding: str) -> int:
    """Matches in ``window`` that end after its first ``carried`` bytes (those were
    searched with the block before)."""
    count = 0
    offsets = (0, 1) if encoding == "utf-16-le" else (0,)  # either byte alignment
    for offset in offsets:
        text = window[offset:].decode(encoding, errors="ignore")
        seen = len(window[offset:carried].decode(encoding, errors="ignore")) if carried else 0
        count += sum(1 for _, end in subject.spans(text) if end > seen)
    return count


def main() -> int:
    request = json.loads(sys.stdin.read())
    subject = Subject.from_json(request["identifiers"])
    counts = {}
    for name in request["paths"]:
        path = Path(name)
        try:
            found = count_in_file(subject, path)
        except FileNotFoundError:
            continue  # removed meanwhile
        if found:
            counts[name] = found
    sys.stdout.write(json.dumps({"counts": counts}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
