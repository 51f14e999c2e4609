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

from jisik.ingest.prepare import document_id
from jisik.originals import Originals
from jisik.service import Jisik
from jisik.store.jobs import DONE, FAILED, QUEUED, RUNNING, FileResult, JobStore

__all__ = ["JobRunner", "JobStore", "staged_path", "upload_source"]

log = logging.getLogger(__name__)


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
        kept = {path: self.originals.keep(path) for path in staged}

        def progress(done: int, _total: int, _path: str) -> None:
            if done == len(staged) or done % 10 == 0:
                self.store.update(job_id, done=done)

        report = self.jisik.add(
            list(staged),
            groups=job.groups,
            progress=progress,
            sources={p.resolve(): upload_source(n) for p, n in staged.items()},
            actor=f"user:{job.created_by}",
        )
        failed = {Path(f.path).resolve(): f.error for f in report.failed}
        results = []
        for path, name in staged.items():
            error = failed.get(path.resolve())
            if error is None:
                results.append(FileResult(name, "ingested", document_id(upload_source(name))))
            else:
                results.append(FileResult(name, "failed", error=error))
                if not self.jisik.records.uses_content(kept[path]):
                    self.originals.remove([kept[path]])
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
