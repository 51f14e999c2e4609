"""Governance over HTTP: audit trail, answer lookup, source registry, data-subject rights.

The same operations as `jisik audit`, `jisik registry` and `jisik privacy`, for the
``auditor`` and ``admin`` roles (lookup is open to every caller: anyone may ask
whether a text came from this system).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from jisik.audit.registry import AnswerRegistry
from jisik.privacy.erasure import DEFAULT_BASIS
from jisik.privacy.subject import Subject
from jisik.server.auth import Auditor, Caller, State
from jisik.server.problems import COMMON_PROBLEMS, MAX_OFFSET, documented
from jisik.sources import registry_csv, registry_rows

router = APIRouter(
    prefix="/v1", tags=["governance"], responses={**COMMON_PROBLEMS, **documented(403)}
)

Values = list[Annotated[str, Field(min_length=2, max_length=200)]]


class Identifiers(BaseModel):
    name: Values = []
    email: Values = []
    phone: Values = []
    rrn: Values = []
    value: Values = []

    def subject(self) -> Subject:
        return Subject.of(
            name=self.name, email=self.email, phone=self.phone, rrn=self.rrn, value=self.value
        )


class ErasureRequest(Identifiers):
    basis: str = Field(default=DEFAULT_BASIS, max_length=500)
    remove_documents: bool = Field(default=False, strict=True)


class VerifyRequest(BaseModel):
    receipt: dict
    identifiers: Identifiers | None = None


class LookupRequest(BaseModel):
    text: str = Field(min_length=1, max_length=20_000)


@router.get("/audit/verify", summary="Check the audit trail's hash chain")
def audit_verify(principal: Auditor, state: State) -> dict:
    check = state.jisik.audit.verify()
    return {
        "ok": check.ok,
        "events": check.events,
        "head": check.head,
        "problems": list(check.problems),
    }


@router.get("/audit/events", summary="Audit events in chain order (export)")
def audit_events(
    principal: Auditor,
    state: State,
    since: Annotated[date, Query(description="From this day on (UTC), YYYY-MM-DD")] = date(
        1970, 1, 1
    ),
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> dict:
    start = datetime(since.year, since.month, since.day, tzinfo=UTC).timestamp()
    events = []
    for n, event in enumerate(state.jisik.audit.events(since=start)):
        if n >= offset + limit:
            break
        if n >= offset:
            events.append(event.as_json())
    state.jisik.audit.append(
        "audit.export", f"user:{principal.user}", since=since.isoformat(), out=None
    )
    return {"events": events, "offset": offset}


@router.post("/audit/lookup", summary="Was this text produced by this jisik?")
def audit_lookup(body: LookupRequest, principal: Caller, state: State) -> dict:
    found = AnswerRegistry(state.jisik.engine).lookup(body.text)
    return {
        "produced_by_jisik": bool(found),
        "matches": [{"trace_id": p.trace_id, "at": p.at, "whole_answer": p.whole} for p in found],
    }


@router.get(
    "/registry",
    summary="The source registry: every document the assistant uses",
    responses={200: {"content": {"text/csv": {}}}},
)
def registry(
    principal: Auditor,
    state: State,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
):
    rows = registry_rows(state.jisik.documents())
    state.jisik.audit.append(
        "registry.export", f"user:{principal.user}", format=format, out=None, documents=len(rows)
    )
    if format == "csv":
        return PlainTextResponse(registry_csv(rows), media_type="text/csv; charset=utf-8")
    return {"documents": rows}


@router.post("/privacy/find", summary="Every place a person appears")
def privacy_find(body: Identifiers, principal: Auditor, state: State) -> dict:
    found = state.jisik.privacy_find(body.subject())
    state.jisik.audit.append("privacy.find", f"user:{principal.user}", places=_places(found))
    return found


@router.post("/privacy/erase", summary="Erase a person everywhere; returns the signed receipt")
def privacy_erase(body: ErasureRequest, principal: Auditor, state: State) -> dict:
    erased = state.jisik.privacy_erase(
        body.subject(), f"user:{principal.user}", body.basis, body.remove_documents
    )
    return erased.receipt


@router.post("/privacy/verify", summary="Check a receipt; with identifiers, probe every store")
def privacy_verify(body: VerifyRequest, principal: Auditor, state: State) -> dict:
    subject = body.identifiers.subject() if body.identifiers else None
    return state.jisik.privacy_verify(body.receipt, subject)


def _places(found: dict) -> dict[str, int]:
    return {k: (len(v) if isinstance(v, list) else v) for k, v in found.items() if k != "documents"}
