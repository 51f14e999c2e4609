"""Receiving uploaded files: names made safe, bytes streamed to the staging folder."""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

from fastapi import UploadFile
from starlette.concurrency import run_in_threadpool

from jisik.server.jobs import staged_path
from jisik.server.problems import Problem

MAX_NAME_CHARS = 255
CHUNK_BYTES = 1 << 20


def clean_name(raw: str | None) -> str:
    """An upload's name as a relative path without '..', empty parts or control characters."""
    name = unicodedata.normalize("NFC", raw or "").replace("\\", "/")
    parts = [p.strip() for p in name.split("/") if p.strip() not in ("", ".", "..")]
    if not parts:
        raise Problem(422, "every uploaded file needs a file name (e.g. 'hr/leave.md')")
    name = "/".join(parts)
    if len(name) > MAX_NAME_CHARS or any(unicodedata.category(c) == "Cc" for c in name):
        raise Problem(
            422,
            f"file name {name[:60]!r} is over {MAX_NAME_CHARS} characters or has control "
            "characters; rename the file",
        )
    return name


async def stage(files: list[UploadFile], names: list[str], job_dir: Path) -> None:
    """Copy every upload to the job's folder in 1 MB pieces; all or nothing."""
    try:
        for position, (upload, name) in enumerate(zip(files, names, strict=True)):
            target = staged_path(job_dir, position, name)
            target.parent.mkdir(parents=True, exist_ok=True)
            out = await run_in_threadpool(open, target, "wb")
            try:
                while block := await upload.read(CHUNK_BYTES):
                    await run_in_threadpool(out.write, block)
            finally:
                await run_in_threadpool(out.close)
    except BaseException:
        shutil.rmtree(job_dir, ignore_errors=True)
        raise
