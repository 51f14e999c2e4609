"""Wall and CPU seconds of the parts of one command, for ``--verbose``."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager


class Timings:
    def __init__(self) -> None:
        self.parts: list[tuple[str, float, float | None]] = []  # (part, wall s, CPU s)

    @contextmanager
    def part(self, name: str) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.parts.append((name, time.perf_counter() - wall, time.process_time() - cpu))

    def add(self, name: str, seconds: float) -> None:
        self.parts.append((name, seconds, None))

    def line(self) -> str:
        """One line: "open home 0.21 s · load analyzer 3.02 s · question 0.04 s (CPU 0.05 s)"."""
        shown = []
        for name, wall, cpu in self.parts:
            extra = f" (CPU {cpu:.3f} s)" if cpu is not None else ""
            shown.append(f"{name} {wall:.3f} s{extra}")
        total = sum(wall for _, wall, _ in self.parts)
        return " · ".join(shown) + f" · total {total:.3f} s / 소요 시간"
