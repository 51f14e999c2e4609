"""Upload jobs as records: what was uploaded, by whom, and what became of each file.

The server's job writer (``jisik.server.jobs``) ingests them; erasure reads and redacts
them here too (an upload's name can name a person).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from jisik.errors import NotFoundError
from jisik.store.json_strings import json_strings, transform_strings
from jisik.store.schema import JobRow

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
                    groups_json=json.dumps(
                        None if groups is None else list(groups), ensure_ascii=False
                    ),
                    files_json=json.dumps(
                        {"files": files, "done": 0, "counts": {}}, ensure_ascii=False
                    ),
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

    def redact(self, transform: Callable[[str], tuple[str, int]]) -> int:
        """Apply ``transform`` (erasure) to every string in every job's file names, results
        and error; returns how many replacements were made."""
        total = 0
        with Session(self.engine) as session, session.begin():
            for row in session.scalars(select(JobRow)):
                for column in ("files_json", "results_json"):
                    value, count = transform_strings(json.loads(getattr(row, column)), transform)
                    if count:
                        setattr(row, column, json.dumps(value, ensure_ascii=False))
                        total += count
                error, count = transform(row.error)
                if count:
                    row.error = error
                    total += count
        return total

    def count_matching(self, matches: Callable[[str], bool]) -> int:
        """Jobs with a file name, result or error that ``matches``."""
        with Session(self.engine) as session:
            rows = session.execute(select(JobRow.files_json, JobRow.results_json, JobRow.error))
            return sum(
                1
                for files, results, error in rows
                if matches(error)
                or any(matches(s) for s in json_strings(json.loads(files)))
                or any(matches(s) for s in json_strings(json.loads(results)))
            )

    def states(self) -> dict[str, str]:
        """Every job's state, by id."""
        with Session(self.engine) as session:
            return dict(session.execute(select(JobRow.id, JobRow.state)).all())


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
