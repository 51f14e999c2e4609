"""The child side of the ingest workers: read one file, send back what the writer stores.

A worker does everything ``prepare`` does for one file at a time (parse, normalise,
PII guard, chunk and analyse) and answers with JSON (``wire``). It never touches
the home: the parent sends the PII policy and the pseudonym key with each file.
It caps its own address space a little above the memory budget, so even an
allocation spike between two of the parent's checks fails here with MemoryError
instead of taking the machine's memory; the parent kills it for the rest.
"""

from __future__ import annotations

import logging
import os
import resource
import signal
import sys
import traceback
from dataclasses import replace
from multiprocessing.connection import Connection
from pathlib import Path

from jisik.errors import ParseError
from jisik.ingest import wire
from jisik.ingest.prepare import PreparedFile, prepare, prepare_text
from jisik.text.analyzer import Analyzer, AnalyzerConfig, shared_analyzer
from jisik.types import Section

# The address space a worker may add on top of its budget before malloc fails:
# room for the reply and for what Python and the libraries reserve but never use.
ADDRESS_SLACK_MB = 512
MAX_LOG_RECORDS = 50  # per file: a damaged PDF can warn once per page
PR_SET_PDEATHSIG = 1


def worker_config(config: AnalyzerConfig) -> AnalyzerConfig:
    """The analyzer a worker uses: the writer's, on one thread (workers are
    already one per core, and a model without threads can be forked)."""
    return replace(config, workers=1)


def serve(conn: Connection, config: AnalyzerConfig, memory_mb: int) -> None:
    """Answer requests on ``conn`` until it closes or says stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # ^C is the parent's to handle
    die_with_parent()
    analyzer = shared_analyzer(worker_config(config))
    analyzer.kiwi  # noqa: B018 - load the model before saying ready (preloaded: no-op)
    baseline_kb = rss_kb(os.getpid()) or 0
    limit = _cap_address_space(memory_mb)
    conn.send_bytes(wire.encode({"ready": True, "rss_kb": baseline_kb}))
    while True:
        try:
            request = wire.decode(conn.recv_bytes())
        except (EOFError, OSError):
            return
        if request.get("op") == "stop":
            return
        reply = run_task(request, analyzer, limit)
        grown_kb = (rss_kb(os.getpid()) or 0) - baseline_kb
        # Python keeps freed memory for reuse; a worker swollen by one big file
        # would start the next with less of its budget, so it makes way for a fresh one.
        reply["retire"] = bool(reply.get("memory")) or grown_kb > memory_mb * 1024 // 2
        try:
            conn.send_bytes(wire.encode(reply))
        except (OSError, ValueError):
            return
        if reply["retire"]:
            return


def run_task(request: dict, analyzer: Analyzer, limit_bytes: int = 0) -> dict:
    """One request to one reply; every failure becomes a reason, none escapes."""
    records = _LogCollector()
    root = logging.getLogger()
    root.addHandler(records)
    try:
        prepared = _prepare(request, analyzer)
        return {"ok": wire.prepared_json(prepared), "logs": records.logs}
    except MemoryError:
        return {"error": "", "memory": True, "logs": records.logs}
    except ParseError as exc:
        return {"error": str(exc), "logs": records.logs}
    except Exception as exc:  # noqa: BLE001 - one file must not stop a batch
        if limit_bytes and _near_limit(limit_bytes):
            # lxml and Kiwi report a failed allocation as their own errors
            return {"error": "", "memory": True, "logs": records.logs}
        return {
            "error": (
                f"unexpected error while reading the file ({type(exc).__name__}: {exc}); "
                "the rest was ingested — please report this file"
            ),
            "traceback": traceback.format_exc(limit=-12),
            "logs": records.logs,
        }
    finally:
        root.removeHandler(records)


def _prepare(request: dict, analyzer: Analyzer) -> PreparedFile:
    chunking = wire.chunking_from(request["chunking"])
    protect = _protector(request.get("guard"))
    if request["op"] == "file":
        facts = wire.facts_from(request["facts"])
        prepared = prepare(Path(request["path"]), facts, analyzer, chunking, protect)
    elif request["op"] == "text":
        prepared = prepare_text(
            request["source"], request["title"], request["text"], analyzer, chunking, protect
        )
    else:
        raise ValueError(f"unknown ingest request {request['op']!r}")
    headings = dict.fromkeys(c.heading for c in prepared.chunked.chunks)
    queries = [f"{prepared.title}\n{heading}" for heading in headings]
    return replace(
        prepared, title_terms=tuple((q, tuple(analyzer.query_terms(q))) for q in queries)
    )


_redactors: dict[bytes, object] = {}


def _protector(guard: dict | None):
    if guard is None:
        return None
    from jisik.privacy.detect import default_detector
    from jisik.privacy.guard import guard_document
    from jisik.privacy.redact import Redactor

    policy, key = wire.guard_from(guard)
    if key not in _redactors:
        _redactors.clear()  # one home per worker at a time, in practice
        _redactors[key] = Redactor(default_detector(), key)
    redactor = _redactors[key]

    def protect(title: str, sections: tuple[Section, ...]):
        guarded = guard_document(redactor, policy, title, sections)  # type: ignore[arg-type]
        return guarded.title, guarded.sections, guarded.pii

    return protect


class _LogCollector(logging.Handler):
    """What the libraries log while reading a file, for the parent to log again."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.logs: list[list] = []
        self.dropped = 0

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.logs) >= MAX_LOG_RECORDS:
            self.dropped += 1
            if self.dropped == 1:
                self.logs.append([record.name, logging.WARNING, "(further messages dropped)"])
            return
        try:
            self.logs.append([record.name, record.levelno, record.getMessage()[:2000]])
        except Exception:  # noqa: BLE001 - a broken log call must not fail the file
            self.handleError(record)


def rss_kb(pid: int) -> int | None:
    """Resident memory of ``pid`` in kB, None where /proc is not available."""
    return _status_kb(pid, "VmRSS:")


def _status_kb(pid: int | str, field: str) -> int | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith(field):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def _cap_address_space(memory_mb: int) -> int:
    size_kb = _status_kb("self", "VmSize:")
    if size_kb is None:
        return 0
    limit = (size_kb + (memory_mb + ADDRESS_SLACK_MB) * 1024) * 1024
    try:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):
        return 0
    return limit


def _near_limit(limit_bytes: int) -> bool:
    """Whether this process came within half the slack of its address-space cap."""
    peak_kb = _status_kb("self", "VmPeak:")
    return peak_kb is not None and peak_kb * 1024 > limit_bytes - (ADDRESS_SLACK_MB << 19)


def die_with_parent() -> None:
    """Linux: be killed when the process that started us dies (a worker must not
    go on reading a hostile file for nobody)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
