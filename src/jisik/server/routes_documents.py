"""Documents: upload (as jobs), list, show, download, regroup, delete — all per permission."""

from __future__ import annotations

import dataclasses
import mimetypes
import uuid
from pathlib import PurePosixPath
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from jisik.access import Writer
from jisik.errors import NotFoundError
from jisik.identity.records import NAME_PATTERN, Principal
from jisik.ingest.prepare import document_id
from jisik.server.auth import Caller, Editor, State, requester
from jisik.server.jobs import upload_source
from jisik.server.problems import COMMON_PROBLEMS, MAX_OFFSET, Problem, documented
from jisik.server.state import ServerState
from jisik.server.uploads import clean_name, stage
from jisik.shapes import document_json

router = APIRouter(
    prefix="/v1", tags=["documents"], responses={**COMMON_PROBLEMS, **documented(403, 404, 409)}
)


class GroupsChange(BaseModel):
    groups: list[Annotated[str, Field(pattern=NAME_PATTERN)]] = Field(
        description="Reader groups; an empty list makes the document readable by everyone."
    )


def _writer(principal: Principal) -> Writer:
    return Writer(principal.user, principal.readers, principal.groups)


def _existing_groups(state: ServerState, groups: list[str]) -> tuple[str, ...]:
    for group in groups:
        state.identity.group(group)  # NotFoundError names a missing group
    return tuple(sorted(set(groups)))


def _current_groups(state: ServerState, doc_id: str) -> tuple[str, ...] | None:
    """A document's reader groups, or None when there is no such document."""
    return state.jisik.records.groups(doc_id) if state.jisik.exists(doc_id) else None


@router.post("/documents", status_code=202, summary="Upload files (ingested by a job)")
async def upload(
    request: Request,
    principal: Editor,
    state: State,
    files: Annotated[list[UploadFile], File(description="One or more files")],
    groups: Annotated[
        list[str] | None, Form(description="Reader groups (repeat the field); none: keep")
    ] = None,
    public: Annotated[bool, Form(description="Make the documents readable by everyone")] = False,
) -> dict:
    if not files:
        raise Problem(422, "no files in the upload; send them as multipart field 'files'")
    if len(files) > state.config.max_upload_files:
        raise Problem(
            413,
            f"{len(files)} files in one upload; the limit is {state.config.max_upload_files}, "
            "split the upload",
        )
    if public and groups:
        raise Problem(422, "give either reader groups or public=true, not both")
    names = [clean_name(f.filename) for f in files]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise Problem(422, f"the same name is uploaded twice: {', '.join(duplicates)}")
    chosen = () if public else (_existing_groups(state, groups) if groups else None)
    writer = _writer(principal)
    # Checked here for a quick answer, and again by the job when it activates each
    # version (another upload of the same name may land in between).
    for name in names:
        current = _current_groups(state, document_id(upload_source(name)))
        if writer.replace_refusal(current):
            raise Problem(
                409, f"a document named {name!r} cannot be replaced by you; pick another name"
            )
        refusal = writer.readers_refusal(current, chosen)
        if refusal:
            raise Problem(403, f"{name!r}: {refusal}")
    job_id = uuid.uuid4().hex
    await stage(files, names, state.runner.staged_dir(job_id))
    state.jobs.create(job_id, principal.user, chosen, names)
    state.runner.submit(job_id)
    return {**state.jobs.get(job_id).as_json(), "url": f"/v1/jobs/{job_id}"}


@router.get("/jobs/{job_id}", summary="Progress and per-file results of an upload")
def job(job_id: str, principal: Caller, state: State) -> dict:
    found = state.jobs.get(job_id)
    if found.created_by != principal.user and principal.readers is not None:
        raise NotFoundError(f"no job with id '{job_id}'")
    return found.as_json()


@router.get("/documents", summary="Documents you may read")
def documents(
    request: Request,
    principal: Caller,
    state: State,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> dict:
    who = requester(principal, request)
    page = state.jisik.documents(who, limit, offset)
    return {
        "total": state.jisik.count_documents(who),
        "documents": [document_json(d) for d in page],
    }


@router.get("/documents/{doc_id}", summary="A document's metadata and text")
def document(doc_id: str, request: Request, principal: Caller, state: State) -> dict:
    who = requester(principal, request)
    info, text = state.jisik.document(doc_id, who)
    state.jisik.audit.append("document.read", who.actor, who.trace_id, doc_id=doc_id)
    return document_json(info, text)


@router.get(
    "/documents/{doc_id}/file",
    summary="The original file",
    response_class=FileResponse,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def document_file(doc_id: str, request: Request, principal: Caller, state: State) -> FileResponse:
    who = requester(principal, request)
    # The original is found by its real path; the reader is only shown its name.
    info, _ = state.jisik.document(doc_id, dataclasses.replace(who, full_paths=True))
    path = state.jisik.originals.find(info)
    if path is None:
        reason = (
            "personal data in it was masked by the PII policy, so the original is not served"
            if info.pii_redacted
            else "it was added from a path that has changed since"
        )
        raise NotFoundError(
            f"the original file of document '{doc_id}' is not available ({reason}); its text "
            f"is at /v1/documents/{doc_id}"
        )
    state.jisik.audit.append("document.file", who.actor, who.trace_id, doc_id=doc_id)
    name = PurePosixPath(info.source.removeprefix("upload:")).name or f"{doc_id}.{info.format}"
    media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return FileResponse(path, media_type=media_type, filename=name)


@router.patch("/documents/{doc_id}", summary="Change a document's reader groups")
def regroup(
    doc_id: str, change: GroupsChange, request: Request, principal: Editor, state: State
) -> dict:
    who = requester(principal, request)
    state.jisik.check_readable(doc_id, who)
    groups = _existing_groups(state, change.groups)
    return document_json(
        state.jisik.set_groups(doc_id, groups, actor=who.actor, writer=_writer(principal))
    )


@router.delete("/documents/{doc_id}", summary="Delete a document and its file")
def remove(doc_id: str, request: Request, principal: Editor, state: State) -> dict:
    who = requester(principal, request)
    state.jisik.check_readable(doc_id, who)
    info = state.jisik.remove(doc_id, actor=who.actor, who=who)
    return {"removed": info.doc_id, "title": info.title}
