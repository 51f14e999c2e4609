"""Search and ask, under the caller's permissions; ask can stream Server-Sent Events."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field

from jisik.answer.events import AnswerEvent, CitationsEvent, DeltaEvent
from jisik.answer.labels import disclosure_header
from jisik.server.auth import Caller, State, requester
from jisik.server.problems import COMMON_PROBLEMS
from jisik.service import MAX_QUERY_CHARS
from jisik.shapes import answer_json, citations_json, hit_json
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
    who = requester(principal, request)
    if body.stream:
        events = state.jisik.ask_stream(body.question, body.k, who, generate=body.generate)
        return event_stream(answer_events(events), state.jisik.provisional_label(body.generate))
    answer = state.jisik.ask(body.question, body.k, who, generate=body.generate)
    return JSONResponse(answer_json(answer), headers={"AI-Disclosure": disclosure_header(answer)})


def event_stream(chunks: Iterator[str], provisional: Answer) -> StreamingResponse:
    """A stream of Server-Sent Events, labelled with the answer it will most likely be
    (the headers leave before the answer exists; its own labels come in the stream)."""
    return StreamingResponse(
        chunks,
        media_type="text/event-stream",
        headers={
            "AI-Disclosure": disclosure_header(provisional),
            "Cache-Control": "no-cache",
            "X-Accel-Buffering": "no",  # a reverse proxy must not buffer it
        },
    )


def answer_events(events: Iterator[AnswerEvent]) -> Iterator[str]:
    """``delta`` pieces as the answer is made (a quoted answer: ``citations`` first), then
    ``citations`` and ``done`` with the whole, authoritative answer. Closing the stream
    (the client went away) closes the model's stream too."""
    for event in events:
        if isinstance(event, CitationsEvent):
            yield _event("citations", {"citations": citations_json(event.citations)})
        elif isinstance(event, DeltaEvent):
            yield _event("delta", {"text": event.text})
        else:
            yield _event("done", answer_json(event.answer))


def _event(name: str, data: dict) -> str:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
