"""Search and ask, under the caller's permissions; ask can stream Server-Sent Events."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field

from jisik.answer.events import CitationsEvent, DeltaEvent, events_of
from jisik.answer.labels import disclosure_header
from jisik.server.auth import Caller, State, requester
from jisik.server.problems import COMMON_PROBLEMS
from jisik.service import MAX_QUERY_CHARS
from jisik.shapes import answer_json, hit_json
from jisik.types import Answer

router = APIRouter(prefix="/v1", tags=["questions"], responses={**COMMON_PROBLEMS})


class AskRequest(BaseModel):
    question: str = Field(min_length=1, max_length=MAX_QUERY_CHARS)
    k: int = Field(default=5, ge=1, le=50, description="Passages the answer may draw on")
    stream: bool = Field(default=False, strict=True, description="Answer as Server-Sent Events")
    generate: bool | None = Field(
        default=None,
        strict=True,
        description="A generated answer checked against its citations (needs a configured "
        "language model; default: the server's `generate` setting)",
    )


@router.get("/search", summary="The best passages you may read")
def search(
    request: Request,
    principal: Caller,
    state: State,
    q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY_CHARS)],
    k: Annotated[int, Query(ge=1, le=100)] = 10,
    mode: Annotated[Literal["lexical", "dense", "hybrid"] | None, Query()] = None,
) -> list[dict]:
    hits = state.jisik.search(q, min(k, state.config.max_k), mode, requester(principal, request))
    return [hit_json(h) for h in hits]


@router.post(
    "/ask",
    summary="A cited answer (JSON like `jisik ask --json`, or SSE with stream=true)",
    responses={200: {"content": {"text/event-stream": {}}}},
)
def ask(body: AskRequest, request: Request, principal: Caller, state: State):
    answer = state.jisik.ask(
        body.question, body.k, requester(principal, request), generate=body.generate
    )
    headers = {"AI-Disclosure": disclosure_header(answer)}
    if body.stream:
        return StreamingResponse(
            answer_events(answer),
            media_type="text/event-stream",
            headers={**headers, "Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
    return JSONResponse(answer_json(answer), headers=headers)


def answer_events(answer: Answer) -> Iterator[str]:
    """``citations`` first, the answer in ``delta`` pieces, then ``done`` with all of it."""
    for event in events_of(answer):
        if isinstance(event, CitationsEvent):
            yield _event("citations", {"citations": answer_json(answer)["citations"]})
        elif isinstance(event, DeltaEvent):
            yield _event("delta", {"text": event.text})
        else:
            yield _event("done", answer_json(event.answer))


def _event(name: str, data: dict) -> str:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
