"""Upload jobs: staged files ingested by one background writer, state in SQLite.

An upload is streamed to ``uploads/<job id>/`` and recorded as a ``queued`` job;
one worker thread ingests jobs in order (the home has one writer anyway). A
job's files stay staged until the job ends, so a job that a crash or restart
interrupted is resumed on the next start: ingest is idempotent (unchanged
files are skipped) and crash-safe, so resuming never duplicates or loses
anything that was committed.
"""

from __future__ import annotations

import logging
import queue
import shutil
import threading
from pathlib import Path

from jisik.access import Writer
from jisik.errors import NotFoundError
from jisik.identity.records import ADMIN, EDITOR, Principal
from jisik.identity.store import IdentityStore
from jisik.ingest.prepare import document_id
from jisik.originals import Originals
from jisik.service import Jisik
from jisik.store.jobs import DONE, FAILED, QUEUED, RUNNING, FileResult, JobStore

__all__ = ["JobRunner", "JobStore", "staged_path", "upload_source"]

log = logging.getLogger(__name__)

# The job writer waits for the home's lock as long as an erasure or a large CLI ingest
# may hold it, rather than failing the upload after a minute.
WRITER_LOCK_WAIT_S = 3600.0


def staged_path(job_dir: Path, position: int, name: str) -> Path:
    """Where the n-th file of a job waits: its own folder, its own base name (the
    parser goes by the extension)."""
    return job_dir / f"{position:05d}" / Path(name).name


def upload_source(name: str) -> str:
    """How an uploaded file is named as a document source (its id derives from it)."""
    return f"upload:{name}"


class JobRunner:
    """The single background writer that ingests uploads."""

    def __init__(self, jisik: Jisik, store: JobStore, staging: Path, originals: Originals) -> None:
        self.jisik = jisik
        self.identity = IdentityStore(jisik.engine, jisik.audit)
        self.store = store
        self.staging = staging
        self.originals = originals
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="jisik-jobs", daemon=True)

    def start(self) -> None:
        known = self.store.known()
        if self.staging.is_dir():
            for leftover in self.staging.iterdir():
                if leftover.name not in known:  # staged by a request that never finished
                    shutil.rmtree(leftover, ignore_errors=True)
        for job in self.store.unfinished():
            if (self.staging / job.id).is_dir():
                log.warning("resuming upload job %s interrupted by a restart", job.id)
                self.store.update(job.id, state=QUEUED)
                self._queue.put(job.id)
            else:
                self.store.update(
                    job.id, state=FAILED, error="the server stopped and the staged files are gone"
                )
        self._thread.start()

    def submit(self, job_id: str) -> None:
        self._queue.put(job_id)

    def stop(self, timeout: float) -> None:
        """Finish the job in hand (up to ``timeout``); queued ones resume on next start."""
        self._queue.put(None)
        self._thread.join(timeout)

    def staged_dir(self, job_id: str) -> Path:
        return self.staging / job_id

    def _writer(self, user: str) -> Writer | None:
        """The uploader as they are now (a role or group change since the upload counts)."""
        found = self.identity.user(user)
        if found.disabled or found.role not in (ADMIN, EDITOR):
            return None
        principal = Principal(found.name, found.role, frozenset(found.groups))
        return Writer(found.name, principal.readers, principal.groups)

    def _run(self) -> None:
        while True:
            job_id = self._queue.get()
            if job_id is None:
                return
            try:
                self._process(job_id)
            except Exception as exc:  # the worker must outlive any one job
                log.exception("upload job %s failed", job_id)
                self.store.update(job_id, state=FAILED, error=f"{type(exc).__name__}: {exc}")

    def _process(self, job_id: str) -> None:
        job = self.store.get(job_id)
        directory = self.staged_dir(job_id)
        self.store.update(job_id, state=RUNNING)
        staged = {
            directory / f"{i:05d}" / Path(name).name: name for i, name in enumerate(job.files)
        }
        try:
            writer = self._writer(job.created_by)
        except NotFoundError:
            writer = None
        if writer is None:
            self.store.update(
                job_id,
                state=FAILED,
                error=f"the uploader {job.created_by!r} no longer exists or is disabled; "
                "nothing was ingested",
            )
            shutil.rmtree(directory, ignore_errors=True)
            return
        # An erasure removes a waiting file that names the person it erases.
        present = {path: name for path, name in staged.items() if path.is_file()}

        def progress(done: int, _total: int, _path: str) -> None:
            if done == len(present) or done % 10 == 0:
                self.store.update(job_id, done=done)

        # The permission and conflict checks of the upload are made again when each
        # version is activated: another upload of the same name may have landed since.
        report = self.jisik.add(
            list(present),
            groups=job.groups,
            progress=progress,
            sources={p.resolve(): upload_source(n) for p, n in present.items()},
            actor=f"user:{job.created_by}",
            writer=writer,
            keep_originals=True,
            lock_wait_seconds=WRITER_LOCK_WAIT_S,
        )
        failed = {Path(f.path).resolve(): f.error for f in report.failed}
        results = []
        for path, name in staged.items():
            error = failed.get(path.resolve())
            if path not in present:
                error = "removed by a privacy erasure before it was ingested"
            if error is None:
                results.append(FileResult(name, "ingested", document_id(upload_source(name))))
            else:
                results.append(FileResult(name, "failed", error=error))
        self.store.update(
            job_id,
            state=DONE,
            done=len(staged),
            counts={
                "added": report.added,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "failed": len(report.failed),
            },
            results=results,
        )
        shutil.rmtree(directory, ignore_errors=True)
