"""PII policies (admins set them) and the findings of the scan at ingest (auditors read
them), the same as `jisik pii policy` and `jisik pii report`."""

from __future__ import annotations

from collections import Counter
from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from jisik.privacy.detect import PII_TYPES
from jisik.privacy.policy import ACTIONS, HOME, PolicyStore
from jisik.privacy.redact import LABELS
from jisik.server.auth import Admin, Auditor, State, requester
from jisik.server.problems import COMMON_PROBLEMS, Problem, documented

router = APIRouter(
    prefix="/v1/pii", tags=["personal data"], responses={**COMMON_PROBLEMS, **documented(403)}
)

Action = Literal["allow", "pseudonymize", "mask", "block"]


class PolicyChange(BaseModel):
    action: Action


def _store(state) -> PolicyStore:
    return PolicyStore(state.jisik.engine, state.jisik.audit)


@router.get("/policies", summary="The home's policy and every group's own")
def policies(principal: Auditor, state: State) -> dict:
    return {
        "types": [{"kind": k, "label": LABELS[k]} for k in PII_TYPES],
        "actions": list(ACTIONS),
        "policies": {
            ("home" if scope == HOME else scope): p.as_json()
            for scope, p in _store(state).policies().items()
        },
    }


@router.put("/policies/{scope}/{kind}", summary="Set what is done with one PII type")
def set_policy(scope: str, kind: str, change: PolicyChange, principal: Admin, state: State) -> dict:
    if kind not in PII_TYPES:
        raise Problem(422, f"unknown PII type {kind!r}; use one of {', '.join(PII_TYPES)}")
    group = HOME if scope == "home" else scope
    if group != HOME and group not in {g.name for g in state.identity.groups()}:
        raise Problem(404, f"no group {scope!r}; create it first or use 'home'")
    _store(state).set(kind, change.action, group, actor=f"user:{principal.user}")
    return policies(principal, state)


@router.delete("/policies/{scope}", status_code=204, summary="Reset a policy to the defaults")
def reset_policy(scope: str, principal: Admin, state: State) -> Response:
    _store(state).reset(HOME if scope == "home" else scope, actor=f"user:{principal.user}")
    return Response(status_code=204)


@router.get("/report", summary="What the PII scan found in the documents you may read")
def report(request: Request, principal: Auditor, state: State) -> dict:
    who = requester(principal, request)
    documents = state.jisik.records.documents(who.readers)
    totals: Counter = Counter()
    for d in documents:
        for kind, seen in (d.pii or {}).items():
            totals[(kind, seen["action"])] += seen["found"]
    return {
        "documents": [
            {"doc_id": d.doc_id, "title": d.title, "pii": d.pii} for d in documents if d.pii
        ],
        "totals": [
            {"kind": k, "label": LABELS[k], "action": a, "found": n}
            for (k, a), n in sorted(totals.items())
        ],
        "not_scanned": sum(1 for d in documents if d.pii is None),
    }
