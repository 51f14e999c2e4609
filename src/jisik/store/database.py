"""Opening the SQLite system of record and bringing its schema up to date."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event

_MIGRATIONS = Path(__file__).with_name("migrations")


def open_engine(url: str) -> Engine:
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL: readers are never blocked by the one writer. FULL: every commit syncs the
    # log before it returns, so an audit event is on disk before the answer it
    # records goes out, even across a power cut (NORMAL would only survive a crash
    # of the process). It costs one fsync per commit, about 0.2 ms on this ext4.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # Deleted rows are overwritten with zeros, not left in free pages: erasure
    # must not leave personal data readable in the file.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def migrate(engine: Engine) -> None:
    """Apply every migration not yet applied (idempotent)."""
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def compact(engine: Engine) -> None:
    """Rewrite the database file and empty the write-ahead log (after an erasure)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM")
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def storage_failure(exc: BaseException) -> str | None:
    """What a failure to write the home means for a person, or None if it is not one.

    A full disk or an I/O error surfaces as an OSError from a file write or as
    SQLite's "database or disk is full" / "disk I/O error"; either way the write was
    rolled back and what was committed before is intact."""
    import errno

    from sqlalchemy.exc import OperationalError

    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            return f"the disk is full ({exc.strerror})"
        return f"cannot write to the home: {exc.strerror or exc}"
    if isinstance(exc, OperationalError):
        message = str(exc.orig or exc)
        if "full" in message or "disk I/O" in message or "readonly" in message:
            return f"the database could not be written ({message}); the disk may be full"
    return None


LIKE_ESCAPE = "\\"


def contains_pattern(probe: str) -> str:
    """A LIKE pattern for "contains ``probe`` literally" (use with ``escape=LIKE_ESCAPE``)."""
    escaped = probe.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
