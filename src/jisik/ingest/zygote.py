"""The process ingest workers are forked from: it loads the Kiwi model once.

Started by the writer as ``python -m jisik.ingest.zygote FD CONFIG`` (never forked
from the writer, which has threads). It loads the analyzer and the parsers'
libraries, says ready, and then answers two requests on its control socket:

* ``fork MB``: fork a worker (``worker_main.serve`` with a MB memory budget) and
  hand the writer the worker's end of a new socket, with a pidfd of the worker
  where the system has them (signals then reach exactly that process);
* ``status PID``: how that worker ended (exit code, or minus the signal number).

Forked workers share the model's pages copy-on-write, start in milliseconds, and
die with the zygote, which exits when the writer's end of its control socket
closes (the writer exited, or was killed).
Unlike multiprocessing's fork server, nothing of the writer's ``__main__`` module
is ever run here.
"""

from __future__ import annotations

import dataclasses
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path

from jisik.errors import JisikError
from jisik.ingest import worker_main
from jisik.text.analyzer import AnalyzerConfig, shared_analyzer

STATUS_WAIT_S = 2.0
MAX_STATUSES = 1024
START_TIMEOUT_S = 180.0  # loading Kiwi takes seconds, more on a busy machine
REPLY_TIMEOUT_S = 30.0

# --- the writer's side -------------------------------------------------------------


class Zygote:
    """The writer's handle on a zygote (``zygote.py``): the process workers are
    forked from, one per analyzer configuration, started on first use."""

    def __init__(self, config: AnalyzerConfig) -> None:
        ours, theirs = socket.socketpair()
        # The zygote must import this very package, wherever it was imported from.
        package_root = str(Path(__file__).resolve().parents[2])
        path = os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jisik.ingest.zygote",
                str(theirs.fileno()),
                _config_json(config),
            ],
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": path},
        )
        theirs.close()
        self._socket = ours
        self._lock = threading.Lock()
        try:
            self._read(START_TIMEOUT_S)
        except JisikError:
            self.close()
            raise

    def fork(self, memory_mb: int) -> tuple[Connection, int, int | None]:
        """A new worker: its connection, pid and pidfd (None where there are none)."""
        with self._lock:
            self._socket.sendall(f"fork {memory_mb}\n".encode("ascii"))
            reply, fds = self._read(REPLY_TIMEOUT_S)
        pidfd = fds[1] if reply.get("pidfd") and len(fds) > 1 else None
        return Connection(fds[0]), int(reply["pid"]), pidfd

    def status(self, pid: int) -> int | None:
        """How worker ``pid`` ended: its exit code, or minus the signal that ended it."""
        try:
            with self._lock:
                self._socket.sendall(f"status {pid}\n".encode("ascii"))
                reply, _fds = self._read(REPLY_TIMEOUT_S)
        except (JisikError, OSError):
            return None
        return reply.get("status")

    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        self._socket.close()  # the zygote exits on end of file, its workers with it
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def _read(self, timeout: float) -> tuple[dict, list[int]]:
        self._socket.settimeout(timeout)
        data, fds = b"", []
        try:
            while not data.endswith(b"\n"):
                chunk, received, _flags, _address = socket.recv_fds(self._socket, 4096, 4)
                if not chunk:
                    raise JisikError(
                        "the ingest zygote exited (it could not load the analyzer?); "
                        "see the messages above for why"
                    )
                data, fds = data + chunk, fds + received
        except TimeoutError as exc:
            raise JisikError(
                f"the ingest zygote did not answer within {timeout:g} s; is the machine "
                "out of memory?"
            ) from exc
        return json.loads(data), fds


def _config_json(config: AnalyzerConfig) -> str:
    return json.dumps(dataclasses.asdict(config))


_zygotes: dict[AnalyzerConfig, Zygote] = {}
_zygotes_lock = threading.Lock()


def zygote_for(config: AnalyzerConfig) -> Zygote:
    with _zygotes_lock:
        zygote = _zygotes.get(config)
        if zygote is None or not zygote.alive():
            zygote = _zygotes[config] = Zygote(config)
        return zygote


def close_zygotes() -> None:
    with _zygotes_lock:
        zygotes = list(_zygotes.values())
        _zygotes.clear()
    for zygote in zygotes:
        zygote.close()


# --- the zygote process -------------------------------------------------------------


def main(argv: list[str]) -> None:
    control = socket.socket(fileno=int(argv[0]))
    config = AnalyzerConfig(**json.loads(argv[1]))
    # ^C is the writer's to handle. No parent-death signal here: it would fire when
    # the writer's thread that started us ends; the closed control socket says more.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _preload(config)
    _reply(control, {"ready": True})
    statuses: dict[int, int] = {}
    while True:
        _reap(statuses)
        readable, _, _ = select.select([control], [], [], 1.0)
        if not readable:
            continue
        request = _request(control)
        if request is None:
            return  # the writer is gone: workers die with us
        verb, _, argument = request.partition(" ")
        if verb == "fork":
            _fork(control, config, int(argument))
        elif verb == "status":
            pid = int(argument)
            deadline = time.monotonic() + STATUS_WAIT_S
            while pid not in statuses and time.monotonic() < deadline:
                _reap(statuses)
                time.sleep(0.01)
            _reply(control, {"status": statuses.pop(pid, None)})


def _preload(config: AnalyzerConfig) -> None:
    """Everything a worker needs, imported and loaded once, before forking."""
    import importlib

    from jisik.ingest import parsers
    from jisik.privacy.detect import default_detector

    for module in sorted(set(parsers._REGISTRY.values())):
        importlib.import_module(f"{parsers.__name__}.{module}")
    analyzer = shared_analyzer(worker_main.worker_config(config))
    # Kiwi builds part of its model on first use: do it here, once, so that workers
    # share it rather than each spend (and be charged) a hundred MB for it.
    sample = "연차휴가는 입사 첫해에 15일이 부여됩니다. Leave: 15 days, 010-1234-5678."
    analyzer.analyze(sample)
    analyzer.query_terms(sample)
    default_detector().detect(sample)


def _fork(control: socket.socket, config: AnalyzerConfig, memory_mb: int) -> None:
    ours, theirs = socket.socketpair()
    pid = os.fork()
    if pid == 0:  # the worker
        code = 0
        try:
            control.close()
            ours.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            worker_main.serve(Connection(theirs.detach()), config, memory_mb)
        except BaseException:  # noqa: BLE001 - a worker must never return into this loop
            code = 1
        finally:
            os._exit(code)
    theirs.close()
    fds = [ours.fileno()]
    pidfd = _pidfd(pid)
    if pidfd is not None:
        fds.append(pidfd)
    try:
        _reply(control, {"pid": pid, "pidfd": pidfd is not None}, fds)
    finally:
        ours.close()
        if pidfd is not None:
            os.close(pidfd)


def _pidfd(pid: int) -> int | None:
    try:
        return os.pidfd_open(pid)  # type: ignore[attr-defined]
    except (AttributeError, OSError):  # not Linux 5.3+
        return None


def _reap(statuses: dict[int, int]) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if len(statuses) >= MAX_STATUSES:
            statuses.pop(next(iter(statuses)))
        statuses[pid] = os.waitstatus_to_exitcode(status)


def _request(control: socket.socket) -> str | None:
    data = b""
    while not data.endswith(b"\n"):
        chunk = control.recv(256)
        if not chunk:
            return None
        data += chunk
    return data.decode("ascii").strip()


def _reply(control: socket.socket, message: dict, fds: list[int] | None = None) -> None:
    payload = json.dumps(message).encode("ascii") + b"\n"
    if fds:
        socket.send_fds(control, [payload], fds)
    else:
        control.sendall(payload)


if __name__ == "__main__":
    main(sys.argv[1:])
