"""Upload jobs: staged files ingested by one background writer, state in SQLite.

An upload is streamed to ``uploads/<job id>/`` and recorded as a ``queued`` job;
one worker thread ingests jobs in order (the home has one writer anyway). A
job's files stay staged until the job ends, so a job that a crash or restart
interrupted is resumed on the next start: ingest is idempotent (unchanged
files are skipped) and crash-safe, so resuming never duplicates or loses
anything that was committed.
"""

from __future__ import annotations

import json
import logging
import queue
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from jisik.errors import NotFoundError
from jisik.ingest.prepare import document_id
from jisik.originals import Originals
from jisik.service import Jisik
from jisik.store.schema import JobRow

log = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


@dataclass(frozen=True, slots=True)
class FileResult:
    name: str
    status: str  # "ingested" or "failed"
    doc_id: str = ""
    error: str = ""


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    state: str
    created_by: str
    created_at: float
    updated_at: float
    groups: tuple[str, ...] | None
    files: tuple[str, ...]
    done: int
    results: tuple[FileResult, ...]
    counts: dict
    error: str

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "state": self.state,
            "created_by": self.created_by,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "groups": None if self.groups is None else list(self.groups),
            "total": len(self.files),
            "done": self.done,
            "counts": self.counts,
            "files": [
                {"name": r.name, "status": r.status, "doc_id": r.doc_id, "error": r.error}
                for r in self.results
            ],
            "error": self.error,
        }


class JobStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(
        self, job_id: str, user: str, groups: tuple[str, ...] | None, files: list[str]
    ) -> None:
        now = time.time()
        with Session(self.engine) as session, session.begin():
            session.add(
                JobRow(
                    id=job_id,
                    state=QUEUED,
                    created_by=user,
                    created_at=now,
                    updated_at=now,
                    groups_json=json.dumps(None if groups is None else list(groups)),
                    files_json=json.dumps({"files": files, "done": 0, "counts": {}}),
                    results_json="[]",
                    error="",
                )
            )

    def known(self) -> set[str]:
        with Session(self.engine) as session:
            return set(session.scalars(select(JobRow.id)))

    def get(self, job_id: str) -> Job:
        with Session(self.engine) as session:
            row = session.get(JobRow, job_id)
            if row is None:
                raise NotFoundError(f"no job with id '{job_id}'")
            return _job(row)

    def unfinished(self) -> list[Job]:
        with Session(self.engine) as session:
            rows = session.scalars(
                select(JobRow)
                .where(JobRow.state.in_((QUEUED, RUNNING)))
                .order_by(JobRow.created_at)
            )
            return [_job(r) for r in rows]

    def update(
        self,
        job_id: str,
        *,
        state: str | None = None,
        done: int | None = None,
        counts: dict | None = None,
        results: list[FileResult] | None = None,
        error: str | None = None,
    ) -> None:
        with Session(self.engine) as session, session.begin():
            row = session.get(JobRow, job_id)
            if row is None:
                return
            progress = json.loads(row.files_json)
            if done is not None:
                progress["done"] = done
            if counts is not None:
                progress["counts"] = counts
            row.files_json = json.dumps(progress, ensure_ascii=False)
            if state is not None:
                row.state = state
            if results is not None:
                row.results_json = json.dumps(
                    [[r.name, r.status, r.doc_id, r.error] for r in results], ensure_ascii=False
                )
            if error is not None:
                row.error = error
            row.updated_at = time.time()


def _job(row: JobRow) -> Job:
    progress = json.loads(row.files_json)
    groups = json.loads(row.groups_json)
    return Job(
        id=row.id,
        state=row.state,
        created_by=row.created_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
        groups=None if groups is None else tuple(groups),
        files=tuple(progress["files"]),
        done=progress["done"],
        results=tuple(FileResult(*r) for r in json.loads(row.results_json)),
        counts=progress["counts"],
        error=row.error,
    )


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
