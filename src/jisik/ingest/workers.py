"""Ingest workers: each file is read in a separate process with a time and memory budget.

Parsing, PII scanning and Kiwi are C code a thread cannot interrupt, and one
hostile file (a zip bomb, a 3 MB line) could otherwise hold the single writer for
minutes or take gigabytes. So every file is prepared in a worker process; the
writer sends one file at a time to each worker, watches its wall time and resident
memory, and kills and replaces a worker that goes over budget or dies. That file
is reported failed with the reason; the rest of the batch goes on.

Workers are forked from a zygote (``zygote.py``) that loaded the Kiwi model once
(about 0.5 GB, shared copy-on-write), never from the writer itself, which has
threads. The pool is process-wide (``shared_pool``): every ``Jisik`` of a process
reuses warm workers, and they are stopped at exit. Results come back in the order
the files were given, whatever order the workers finish in, so reports and
commits stay deterministic. POSIX only (fork, Unix sockets); memory is watched
where /proc exists (Linux) and capped with RLIMIT_AS everywhere.
"""

from __future__ import annotations

import atexit
import logging
import os
import select
import signal
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Generic, TypeVar

from jisik.errors import JisikError
from jisik.ingest import wire
from jisik.ingest.prepare import PreparedFile
from jisik.ingest.worker_main import rss_kb
from jisik.ingest.zygote import Zygote, close_zygotes, zygote_for
from jisik.text.analyzer import AnalyzerConfig

log = logging.getLogger(__name__)

P = TypeVar("P")
POLL_S = 0.05  # how often busy workers' memory and time are checked
START_TIMEOUT_S = 180.0  # the zygote loads Kiwi: seconds, more on a busy machine


def default_workers() -> int:
    """One worker per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True, slots=True)
class Budget:
    timeout_s: float
    memory_mb: int

    def timeout_reason(self) -> str:
        return (
            f"took longer than {self.timeout_s:g} s to read, so it was stopped; if the file is "
            "sound, raise ingest_file_timeout_s (JISIK_INGEST_FILE_TIMEOUT_S)"
        )

    def memory_reason(self) -> str:
        return (
            f"needed more than {self.memory_mb} MB of memory to read, so it was stopped; if the "
            "file is sound, raise ingest_file_memory_mb (JISIK_INGEST_FILE_MEMORY_MB)"
        )


@dataclass(frozen=True, slots=True)
class Outcome:
    """A worker's answer for one file: what to store, or why not."""

    prepared: PreparedFile | None = None
    error: str = ""


@dataclass(slots=True)
class _Slot(Generic[P]):
    payload: P
    request: dict | None
    outcome: Outcome | None = None
    done: bool = False


@dataclass(slots=True)
class _Worker:
    conn: Connection
    pid: int
    pidfd: int | None
    zygote: Zygote
    baseline_kb: int = 0
    slot: _Slot | None = None
    deadline: float = 0.0
    kill_reason: str = ""
    retiring: bool = False

    def kill(self) -> None:
        try:
            if self.pidfd is not None:
                signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)  # type: ignore[attr-defined]
            else:
                os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def exited(self) -> bool:
        """True once the process has ended (its pidfd becomes readable)."""
        if self.pidfd is None:
            return False  # seen as end of file on the connection instead
        return bool(select.select([self.pidfd], [], [], 0)[0])

    def release(self) -> None:
        self.conn.close()
        if self.pidfd is not None:
            os.close(self.pidfd)
            self.pidfd = None


class IngestPool:
    """Warm workers for one analyzer configuration and memory budget."""

    def __init__(self, config: AnalyzerConfig, memory_mb: int, size: int) -> None:
        self.config = config
        self.memory_mb = memory_mb
        self.size = max(1, size)
        self._idle: list[_Worker] = []
        self._busy: set[int] = set()  # pids of workers reading a file now
        self._lock = threading.Lock()

    # --- the one public verb ------------------------------------------------

    def run(
        self, jobs: Iterable[tuple[P, dict | None]], budget: Budget
    ) -> Iterator[tuple[P, Outcome | None]]:
        """Prepare each ``(payload, request)``; yields ``(payload, outcome)`` in the
        order given. A job without a request passes through with outcome None (the
        caller already knows what to do with it). ``jobs`` is read lazily, a few
        ahead of the results, so the caller may write between two results."""
        mine: list[_Worker] = []
        window: deque[_Slot] = deque()
        source = iter(jobs)
        exhausted = False
        try:
            while True:
                while not exhausted and len(window) < 2 * self.size:
                    if sum(1 for w in mine if w.slot is not None) >= self.size:
                        break
                    try:
                        payload, request = next(source)
                    except StopIteration:
                        exhausted = True
                        break
                    slot = _Slot(payload, request)
                    window.append(slot)
                    if request is None:
                        slot.done = True
                    else:
                        self._dispatch(slot, mine, budget)
                while window and window[0].done:
                    slot = window.popleft()
                    yield slot.payload, slot.outcome
                if exhausted and not window:
                    return
                if window and not window[0].done:
                    self._wait(mine, budget)
        finally:
            self._give_back(mine)

    # --- workers --------------------------------------------------------------

    def _dispatch(self, slot: _Slot, mine: list[_Worker], budget: Budget) -> None:
        for _attempt in range(2):  # an idle worker may have died meanwhile
            worker = next((w for w in mine if w.slot is None and not w.retiring), None)
            if worker is None:
                worker = self._take_idle() or self._start()
                mine.append(worker)
            try:
                worker.conn.send_bytes(wire.encode(slot.request or {}))
            except (OSError, ValueError):
                self._discard(worker, mine)
                continue
            worker.slot, worker.deadline = slot, time.monotonic() + budget.timeout_s
            with self._lock:
                self._busy.add(worker.pid)
            return
        raise JisikError("the ingest workers keep dying on start; see the log for why")

    def _wait(self, mine: list[_Worker], budget: Budget) -> None:
        busy = [w for w in mine if w.slot is not None]
        pidfds = [w.pidfd for w in busy if w.pidfd is not None]
        wait([w.conn for w in busy] + pidfds, POLL_S)
        now = time.monotonic()
        for worker in busy:
            if worker.conn.poll():  # an answer, or end of file if it died
                self._receive(worker, mine, budget)
            elif worker.exited():
                self._died(worker, mine)
            elif now > worker.deadline:
                self._kill(worker, budget.timeout_reason(), mine)
            else:
                rss = rss_kb(worker.pid)
                if rss is not None and rss - worker.baseline_kb > budget.memory_mb * 1024:
                    self._kill(worker, budget.memory_reason(), mine)

    def _receive(self, worker: _Worker, mine: list[_Worker], budget: Budget) -> None:
        slot = worker.slot
        assert slot is not None
        try:
            reply = wire.decode(worker.conn.recv_bytes())
        except (EOFError, OSError):
            self._died(worker, mine)
            return
        except (ValueError, TypeError) as exc:  # not our JSON: the worker is broken
            log.error("ingest worker sent a malformed reply: %s", exc)
            self._kill(worker, "the reader sent back a malformed result", mine)
            return
        for name, level, message in reply.get("logs", []):
            logging.getLogger(str(name)).log(int(level), "%s", message)
        if "ok" in reply:
            slot.outcome = Outcome(prepared=wire.prepared_from(reply["ok"]))
        elif reply.get("memory"):
            slot.outcome = Outcome(error=budget.memory_reason())
        else:
            if reply.get("traceback"):
                log.error("unexpected error while reading a file:\n%s", reply["traceback"])
            slot.outcome = Outcome(error=str(reply.get("error") or "the reader failed"))
        slot.done, worker.slot = True, None
        self._not_busy(worker)
        if reply.get("retire"):
            worker.retiring = True
            self._discard(worker, mine)

    def _died(self, worker: _Worker, mine: list[_Worker]) -> None:
        reason = worker.kill_reason
        if not reason:
            code = worker.zygote.status(worker.pid)
            reason = _crash_reason(code)
            log.error("ingest worker %s exited (%s) while reading a file", worker.pid, code)
        if worker.slot is not None:
            worker.slot.outcome, worker.slot.done = Outcome(error=reason), True
            worker.slot = None
        self._not_busy(worker)
        self._discard(worker, mine)

    def _not_busy(self, worker: _Worker) -> None:
        with self._lock:
            self._busy.discard(worker.pid)

    def busy(self) -> list[int]:
        """The process ids of the workers reading a file right now."""
        with self._lock:
            return sorted(self._busy)

    def _kill(self, worker: _Worker, reason: str, mine: list[_Worker]) -> None:
        log.warning("stopping ingest worker %s: the file %s", worker.pid, reason)
        worker.kill_reason = reason
        worker.kill()
        self._died(worker, mine)

    def _discard(self, worker: _Worker, mine: list[_Worker]) -> None:
        if worker in mine:
            mine.remove(worker)
        _stop(worker)

    def _start(self) -> _Worker:
        conn, pid, pidfd = zygote_for(self.config).fork(self.memory_mb)
        worker = _Worker(conn, pid, pidfd, zygote_for(self.config))
        try:
            if not conn.poll(START_TIMEOUT_S):
                raise JisikError(
                    f"an ingest worker did not start within {START_TIMEOUT_S:g} s; "
                    "is the machine out of memory?"
                )
            hello = wire.decode(conn.recv_bytes())
        except (EOFError, OSError) as exc:
            _stop(worker)
            raise JisikError(
                "an ingest worker failed to start; see the messages above for why"
            ) from exc
        except JisikError:
            _stop(worker)
            raise
        worker.baseline_kb = int(hello.get("rss_kb") or 0)
        return worker

    def _take_idle(self) -> _Worker | None:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.zygote.alive() and not worker.exited() and not worker.conn.poll():
                    return worker
                _stop(worker)
        return None

    def _give_back(self, mine: list[_Worker]) -> None:
        """Busy workers (the caller stopped reading) are killed, idle ones kept."""
        for worker in list(mine):
            self._not_busy(worker)
            if worker.slot is not None or worker.retiring or worker.exited():
                _stop(worker)  # a busy one's answer would never be read
                continue
            with self._lock:
                if len(self._idle) < self.size:
                    self._idle.append(worker)
                    continue
            _stop(worker)
        mine.clear()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            _stop(worker)


def _stop(worker: _Worker) -> None:
    """Ask an idle worker to exit (a busy one is killed), then let go of it."""
    if worker.slot is None and not worker.exited():
        try:
            worker.conn.send_bytes(wire.encode({"op": "stop"}))
            worker.conn.poll(2)  # end of file once it has exited
        except (OSError, ValueError):
            pass
    if not worker.exited():
        worker.kill()
    worker.release()


def _crash_reason(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        how = f"killed by {name}"
    else:
        how = f"exit code {code}"
    return (
        f"the reader crashed on this file ({how}); the file may be damaged, or it needed "
        "more memory than the machine had"
    )


_pools: dict[tuple[AnalyzerConfig, int], IngestPool] = {}
_pools_lock = threading.Lock()


def shared_pool(config: AnalyzerConfig, memory_mb: int, size: int) -> IngestPool:
    """The process's pool for this configuration (created on first use)."""
    with _pools_lock:
        pool = _pools.get((config, memory_mb))
        if pool is None:
            pool = _pools[(config, memory_mb)] = IngestPool(config, memory_mb, size)
        pool.size = max(1, size)
        return pool


@atexit.register
def close_pools() -> None:
    """Stop every idle worker and zygote (at exit; tests may call it too)."""
    with _pools_lock:
        pools = list(_pools.values())
        _pools.clear()
    for pool in pools:
        pool.close()
    close_zygotes()
