"""Feedback on answers: the reader says helpful or wrong (with a comment); admins read it."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from jisik.server.auth import Admin, Caller, State, requester
from jisik.server.problems import COMMON_PROBLEMS, MAX_OFFSET, documented
from jisik.store.feedback import MAX_COMMENT_CHARS, FeedbackStore

router = APIRouter(prefix="/v1", tags=["feedback"], responses={**COMMON_PROBLEMS})


class NewFeedback(BaseModel):
    trace_id: str = Field(min_length=1, max_length=32, description="The answer's trace_id")
    verdict: Literal["helpful", "wrong"]
    comment: str = Field(default="", max_length=MAX_COMMENT_CHARS)


@router.post(
    "/feedback",
    status_code=201,
    summary="Say whether one of your answers was helpful or wrong",
    responses=documented(404),
)
def give(body: NewFeedback, request: Request, principal: Caller, state: State) -> dict:
    who = requester(principal, request)
    given = FeedbackStore(state.jisik.engine).give(
        who.actor, body.trace_id, body.verdict, body.comment
    )
    state.jisik.audit.append(
        "feedback",
        who.actor,
        who.trace_id,
        answer_trace_id=body.trace_id,
        verdict=body.verdict,
        commented=bool(body.comment),
    )
    return given.as_json()


@router.get("/feedback", summary="Recent feedback on answers, newest first")
def recent(
    principal: Admin,
    state: State,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> dict:
    found, total = FeedbackStore(state.jisik.engine).recent(limit, offset)
    return {"data": [f.as_json() for f in found], "total": total}
