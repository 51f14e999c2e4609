"""A small thread-safe least-recently-used map, for what the question path reuses:
analysed questions and passages, passages as a PII policy shows them."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LruCache(Generic[K, V]):
    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def get_many(self, keys: Sequence[K], compute: Callable[[list[K]], Sequence[V]]) -> list[V]:
        """Values of ``keys``; the missing ones computed in one call of ``compute``."""
        found = [self.get(k) for k in keys]
        missing = list(dict.fromkeys(k for k, v in zip(keys, found, strict=True) if v is None))
        if missing:
            computed = dict(zip(missing, compute(missing), strict=True))
            for key, value in computed.items():
                self.put(key, value)
            found = [computed[k] if v is None else v for k, v in zip(keys, found, strict=True)]
        return found  # type: ignore[return-value]

    def clear(self) -> None:
        """Forget everything (after an erasure: no erased text stays in memory)."""
        with self._lock:
            self._items.clear()
