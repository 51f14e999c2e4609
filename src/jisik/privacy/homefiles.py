"""The files of a home, as erasure sees them: every one is searched, leftovers removed.

Besides the database and the index, a home holds kept originals (uploaded files by
content hash), staged uploads of jobs not yet ingested, receipts, exports and settings.
Erasure searches all of them (through ``rawprobe``, in a child process, so the live
database files are never opened here) and removes what no record needs any more:
originals no version uses (left by failed or killed jobs) and the staging folders of
jobs that have ended. Staged files of waiting jobs that name the person are removed
too, so the job cannot bring them back after the erasure.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from jisik.home import HomeLayout
from jisik.privacy import rawprobe
from jisik.privacy.subject import Subject
from jisik.store.jobs import QUEUED, RUNNING

DATABASE_PREFIX = "jisik.db"


@dataclass(frozen=True, slots=True)
class HomeScan:
    database: int  # occurrences in the raw database files (live pages, free pages, log)
    files: dict[str, int]  # other files under the home naming the person -> occurrences
    orphaned_originals: tuple[Path, ...]  # kept originals no version uses
    stale_staging: tuple[Path, ...]  # staging folders of jobs that ended or never began


def scan(
    layout: HomeLayout,
    subject: Subject,
    used_hashes: set[str],
    job_states: dict[str, str],
    skip: tuple[Path, ...] = (),
) -> HomeScan:
    """Search every file under the home; ``skip`` lists files jisik keeps outside the
    person's data by design (kept originals are judged by their records instead)."""
    paths = [p for p in _files(layout.root) if p not in skip]
    counts = rawprobe.probe(subject, paths)
    database = sum(n for path, n in counts.items() if _is_database(layout, Path(path)))
    files = {
        str(Path(path).relative_to(layout.root)): n
        for path, n in counts.items()
        if not _is_database(layout, Path(path))
    }
    return HomeScan(
        database=database,
        files=files,
        orphaned_originals=tuple(_orphaned_originals(layout, used_hashes)),
        stale_staging=tuple(_stale_staging(layout, job_states)),
    )


def clean(layout: HomeLayout, found: HomeScan) -> dict[str, int]:
    """Remove what the scan found that no record needs, and files naming the person
    among kept originals and staged uploads. Returns counts for the receipt."""
    for path in found.orphaned_originals:
        path.unlink(missing_ok=True)
    for folder in found.stale_staging:
        shutil.rmtree(folder, ignore_errors=True)
    removed = 0
    for relative in found.files:
        path = layout.root / relative
        inside = _under(path, layout.originals) or _under(path, layout.uploads)
        if inside and path.is_file():
            # The document's text was redacted; the clear original must not be served
            # (a waiting upload naming the person would bring them back).
            path.unlink(missing_ok=True)
            removed += 1
    return {
        "orphaned_originals": len(found.orphaned_originals),
        "stale_staging_folders": len(found.stale_staging),
        "files_naming_the_person": removed,
    }


def _files(root: Path):
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path


def _is_database(layout: HomeLayout, path: Path) -> bool:
    return path.parent == layout.root and path.name.startswith(DATABASE_PREFIX)


def _under(path: Path, folder: Path) -> bool:
    return path.is_relative_to(folder)


def _orphaned_originals(layout: HomeLayout, used_hashes: set[str]):
    if not layout.originals.is_dir():
        return
    for path in sorted(layout.originals.glob("*/*")):
        if path.is_file() and path.name not in used_hashes:
            yield path


def _stale_staging(layout: HomeLayout, job_states: dict[str, str]):
    if not layout.uploads.is_dir():
        return
    for folder in sorted(layout.uploads.iterdir()):
        if job_states.get(folder.name) not in (QUEUED, RUNNING):
            yield folder
