"""Generation counters: a cache of a table is valid while its counter has not moved.

The writer moves the counter in the transaction that changes the table, so a
reader that sees the new counter also sees the new rows, in this process or any
other (the CLI changing a policy while ``jisik serve`` runs)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from sqlalchemy import Connection, Engine, bindparam, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from jisik.store.schema import GenerationRow

T = TypeVar("T")
_TABLE = GenerationRow.__table__
_READ = select(_TABLE.c.value).where(_TABLE.c.name == bindparam("name"))


def current(connection: Connection, name: str) -> int:
    return connection.execute(_READ, {"name": name}).scalar() or 0


def bump(connection: Connection, name: str) -> None:
    """Move ``name``'s counter, inside the caller's transaction."""
    moved = connection.execute(
        update(_TABLE).where(_TABLE.c.name == name).values(value=_TABLE.c.value + 1)
    )
    if moved.rowcount:
        return
    if connection.dialect.name == "sqlite":
        connection.execute(sqlite_insert(_TABLE).values(name=name, value=1).on_conflict_do_nothing())
        return
    try:
        with connection.begin_nested():
            connection.execute(_TABLE.insert().values(name=name, value=1))
    except IntegrityError:  # another writer created it first
        connection.execute(
            update(_TABLE).where(_TABLE.c.name == name).values(value=_TABLE.c.value + 1)
        )


class CachedByGeneration(Generic[T]):
    """``load()``'s result, reloaded only when the counter ``name`` moved."""

    def __init__(self, engine: Engine, name: str, load: Callable[[Connection], T]) -> None:
        self.engine = engine
        self.name = name
        self.load = load
        self._lock = threading.Lock()
        self._value: tuple[int, T] | None = None

    def get(self) -> T:
        with self.engine.connect() as connection:
            # The counter first, then the rows: rows read after it are at least as new,
            # so at worst newer rows are kept under an older counter, and read again
            # at the next call. Never old rows under a new counter.
            generation = current(connection, self.name)
            cached = self._value
            if cached is not None and cached[0] == generation:
                return cached[1]
            value = self.load(connection)
            connection.rollback()  # nothing was written: end the read
        with self._lock:
            self._value = (generation, value)
        return value
