"""Search and ask, under the caller's permissions; ask can stream Server-Sent Events."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field

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
    answer = state.jisik.ask(body.question, body.k, requester(principal, request))
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
    data = answer_json(answer)
    yield _event("citations", {"citations": data["citations"]})
    for piece in sentence_pieces(answer.text):
        yield _event("delta", {"text": piece})
    yield _event("done", data)


def sentence_pieces(text: str) -> list[str]:
    """The text cut after sentence ends and newlines; the pieces join back to it exactly."""
    pieces, start = [], 0
    for i, ch in enumerate(text):
        if ch == "\n" or (ch in ".?!" and (i + 1 == len(text) or text[i + 1] == " ")):
            pieces.append(text[start : i + 1])
            start = i + 1
    if start < len(text):
        pieces.append(text[start:])
    return pieces


def _event(name: str, data: dict) -> str:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
