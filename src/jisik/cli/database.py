"""Opening just a home's database, for commands that need neither Kiwi nor the index."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine

from jisik.compose import database_url
from jisik.home import HomeLayout, HomeMissingError
from jisik.settings import Settings, load_settings
from jisik.store.database import migrate, open_engine


@contextmanager
def home_database(home: Path | None, *, create: bool = False) -> Iterator[tuple[Settings, Engine]]:
    """The settings and database engine of a home; ``create`` makes a missing home first."""
    settings = load_settings(home)
    layout = HomeLayout(settings.home)
    if not layout.exists():
        if not create:
            raise HomeMissingError(
                f"no jisik home at {settings.home}; add documents or a user first, or point "
                "--home / JISIK_HOME at an existing home"
            )
        # Only the service knows the whole manifest; opening it once writes it the
        # way `jisik add` would (the analyzer model itself is loaded lazily, not here).
        from jisik.service import Jisik

        Jisik(settings, create=True).close()
    engine = open_engine(database_url(layout))
    try:
        migrate(engine)
        yield settings, engine
    finally:
        engine.dispose()
