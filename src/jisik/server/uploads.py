"""Receiving uploaded files: names made safe, bytes streamed to the staging folder."""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

from fastapi import UploadFile
from starlette.concurrency import run_in_threadpool

from jisik.server.jobs import staged_path
from jisik.server.problems import Problem
from jisik.text.display import BIDI_CONTROLS, hidden_characters, neutralise

MAX_NAME_CHARS = 255
MAX_PART_BYTES = 255  # what file systems take for one name (the staged copy keeps it)
CHUNK_BYTES = 1 << 20


def clean_name(raw: str | None) -> str:
    """An upload's name as a relative path without '..', empty parts, control,
    format or direction-changing characters (a U+202E makes 'txt.exe' read 'exe.txt')."""
    name = unicodedata.normalize("NFC", raw or "").replace("\\", "/")
    parts = [p.strip() for p in name.split("/") if p.strip() not in ("", ".", "..")]
    if not parts:
        raise Problem(422, "every uploaded file needs a file name (e.g. 'hr/leave.md')")
    name = "/".join(parts)
    shown = repr(neutralise(name)[:60])
    hidden = hidden_characters(name)
    if hidden:
        bidi = any(c in BIDI_CONTROLS for c in name)
        kinds = "direction-changing" if bidi else "invisible or control"
        raise Problem(
            422,
            f"file name {shown} has {kinds} characters ({', '.join(hidden[:5])}); "
            "rename the file without them",
        )
    if len(name) > MAX_NAME_CHARS:
        raise Problem(
            422, f"file name {shown}… is over {MAX_NAME_CHARS} characters; rename the file"
        )
    if any(len(part.encode("utf-8")) > MAX_PART_BYTES for part in parts):
        raise Problem(
            422,
            f"a part of the file name {shown} is over {MAX_PART_BYTES} bytes, more than file "
            "systems allow; rename the file",
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
