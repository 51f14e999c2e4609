"""Peak memory of a process tree, sampled from /proc (Linux).

Workers are forked from the zygote and share the Kiwi model with it, so summing
their resident sizes would count the model once per process; the proportional set
size (PSS: each shared page split between the processes that map it) adds up to
what the tree really holds."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Self

PROC = Path("/proc")
TICKS = os.sysconf("SC_CLK_TCK")


def available() -> bool:
    return (PROC / "self" / "smaps_rollup").exists()


def tree(root: int) -> list[int]:
    """``root`` and every process descended from it."""
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(_children(pid))
    return found


def tree_cpu_s(root: int) -> float:
    """CPU seconds of ``root``'s live tree, and of the children its processes reaped."""
    total = 0
    for pid in tree(root):
        try:
            fields = (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(fields[i]) for i in (11, 12, 13, 14))  # utime stime cutime cstime
    return total / TICKS


def _children(pid: int) -> list[int]:
    """From /proc/PID/task/*/children where the kernel has it, else a scan of /proc."""
    tasks = PROC / str(pid) / "task"
    try:
        listed = [t / "children" for t in tasks.iterdir()]
        if listed and listed[0].exists():
            return [int(c) for f in listed for c in f.read_text().split()]
    except OSError:
        return []
    children = []
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                children.append(int(entry.name))
    return children


def pss_kb(pid: int) -> int:
    try:
        for line in (PROC / str(pid) / "smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class PeakSampler:
    """Samples the tree's total PSS every ``interval`` seconds until stopped."""

    def __init__(self, root: int | None = None, interval: float = 0.05) -> None:
        self.root = root or os.getpid()
        self.interval = interval
        self.peak_mb = 0.0
        self.baseline_mb = 0.0  # the root process alone, when sampling began
        self.processes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Self:
        self.baseline_mb = pss_kb(self.root) / 1024
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()

    def sample(self) -> float:
        pids = tree(self.root)
        self.processes = max(self.processes, len(pids))
        total = sum(pss_kb(pid) for pid in pids) / 1024
        self.peak_mb = max(self.peak_mb, total)
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)
