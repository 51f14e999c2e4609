"""Sign-in attempts, limited per user name and per client address.

After ``MAX_FAILURES`` wrong passwords within ``WINDOW_S`` for one name (or five times
that from one address, which may be a shared office gateway), sign-in is refused until
the oldest failure leaves the window. A success clears the name's failures. In memory:
a restart forgets them, which costs an attacker a restart they cannot cause.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque

MAX_FAILURES = 5
WINDOW_S = 300.0
ADDRESS_FACTOR = 5


class SignInThrottle:
    def __init__(self, max_failures: int = MAX_FAILURES, window_s: float = WINDOW_S) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def wait_s(self, name: str, address: str) -> float:
        """Seconds until ``name`` may try again from ``address`` (0: now)."""
        now = time.monotonic()
        with self._lock:
            return max(
                self._wait(f"name:{name.casefold()}", self.max_failures, now),
                self._wait(f"addr:{address}", self.max_failures * ADDRESS_FACTOR, now),
            )

    def failed(self, name: str, address: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in (f"name:{name.casefold()}", f"addr:{address}"):
                self._failures[key].append(now)

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop(f"name:{name.casefold()}", None)

    def _wait(self, key: str, limit: int, now: float) -> float:
        times = self._failures.get(key)
        if not times:
            return 0.0
        while times and now - times[0] > self.window_s:
            times.popleft()
        if len(times) < limit:
            return 0.0
        return self.window_s - (now - times[0])
