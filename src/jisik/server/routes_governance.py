"""Governance over HTTP: audit trail, answer lookup, source registry, data-subject rights.

The same operations as `jisik audit`, `jisik registry` and `jisik privacy`, for the
``auditor`` and ``admin`` roles (lookup is open to every caller: anyone may ask
whether a text came from this system).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field

from jisik.audit.registry import AnswerRegistry
from jisik.identity.records import ADMIN
from jisik.keys import public_key_file
from jisik.privacy.erasure import DEFAULT_BASIS
from jisik.privacy.subject import Subject
from jisik.server.auth import Auditor, Caller, State, requester
from jisik.server.problems import COMMON_PROBLEMS, MAX_OFFSET, Problem, documented
from jisik.sources import registry_csv, registry_rows

router = APIRouter(
    prefix="/v1", tags=["governance"], responses={**COMMON_PROBLEMS, **documented(403, 409)}
)

Values = list[Annotated[str, Field(min_length=2, max_length=200)]]


class Identifiers(BaseModel):
    """A person's identifiers, by kind. Only typed identifiers: a free-form value would let
    a caller search the documents for any word."""

    model_config = ConfigDict(extra="forbid")

    name: Values = []
    email: Values = []
    phone: Values = []
    rrn: Values = []
    frn: Values = []
    card: Values = []
    account: Values = []
    passport: Values = []
    driver_license: Values = []
    health_insurance: Values = []
    business_reg: Values = []
    corp_reg: Values = []

    def subject(self) -> Subject:
        return Subject.of(
            typed_only=True, **{kind: getattr(self, kind) for kind in Identifiers.model_fields}
        )


class ErasureRequest(Identifiers):
    basis: str = Field(default=DEFAULT_BASIS, max_length=500)
    remove_documents: bool = Field(
        default=False,
        strict=True,
        description="Delete whole documents instead of redacting the person (admin only; "
        "list them in confirm_documents)",
    )
    confirm_documents: list[Annotated[str, Field(max_length=64)]] | None = Field(
        default=None,
        max_length=10_000,
        description="With remove_documents: exactly the document ids privacy/find reported",
    )


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
        # The event the home's signed checkpoint covers, and how many came after it.
        "checkpoint_seq": check.checkpoint_seq,
        "unanchored": check.unanchored,
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
    """Auditors and admins search every answer; anyone else the answers given to them
    (a lookup across all answers would tell whether a guessed sentence is in a document
    the caller may not read)."""
    produced_for = None if principal.can_audit else f"user:{principal.user}"
    found = AnswerRegistry(state.jisik.engine).lookup(body.text, produced_for)
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
    # Admins see where each file lies on the server; auditors see it relative to the
    # folder that was added.
    full = principal.role == ADMIN
    rows = registry_rows([d.shown(full) for d in state.jisik.documents()])
    state.jisik.audit.append(
        "registry.export", f"user:{principal.user}", format=format, out=None, documents=len(rows)
    )
    if format == "csv":
        return PlainTextResponse(registry_csv(rows), media_type="text/csv; charset=utf-8")
    return {"documents": rows}


@router.post("/privacy/find", summary="Every place a person appears")
def privacy_find(body: Identifiers, request: Request, principal: Auditor, state: State) -> dict:
    """Counts everywhere; titles and sources only of documents the caller may read."""
    return state.jisik.privacy_find(body.subject(), requester(principal, request))


@router.post("/privacy/erase", summary="Erase a person everywhere; returns the signed receipt")
def privacy_erase(body: ErasureRequest, request: Request, principal: Auditor, state: State) -> dict:
    subject = body.subject()
    if body.remove_documents:
        who = requester(principal, request)
        if not principal.can_manage_users:
            reason = "removing whole documents needs the admin role; erase without it to redact"
            state.jisik.privacy_denied("privacy.erase", who, reason)
            raise Problem(403, reason)
        if body.confirm_documents is None:
            found = state.jisik.privacy_document_ids(subject)
            raise Problem(
                422,
                "remove_documents deletes whole documents: confirm them by listing their ids "
                f"in confirm_documents ({len(found)} would be removed; see privacy/find)",
            )
    erased = state.jisik.privacy_erase(
        subject,
        f"user:{principal.user}",
        body.basis,
        body.remove_documents,
        confirm_documents=body.confirm_documents,
    )
    return erased.receipt


@router.post("/privacy/verify", summary="Check a receipt; with identifiers, probe every store")
def privacy_verify(body: VerifyRequest, request: Request, principal: Auditor, state: State) -> dict:
    subject = body.identifiers.subject() if body.identifiers else None
    return state.jisik.privacy_verify(body.receipt, subject, requester(principal, request))


@router.get(
    "/privacy/public-key",
    summary="The home's public signing key, to verify receipts and audit checkpoints offline",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/plain": {}}}},
)
def privacy_public_key(principal: Caller, state: State) -> PlainTextResponse:
    return PlainTextResponse(public_key_file(state.jisik.public_key()))
