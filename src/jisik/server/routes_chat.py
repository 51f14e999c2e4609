"""An OpenAI-compatible face: /v1/models and /v1/chat/completions.

Existing chat clients point their base URL and key at jisik and get jisik's
cited answers, under the caller's permissions. The question is the last user
message; the citations follow the answer as numbered lines, and also come as a
``citations`` field that OpenAI clients ignore.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field

from jisik.answer.events import sentence_pieces
from jisik.answer.labels import disclosure_header
from jisik.llm.base import estimate_tokens
from jisik.server.auth import Caller, State, requester
from jisik.server.problems import COMMON_PROBLEMS, Problem
from jisik.service import MAX_QUERY_CHARS
from jisik.shapes import answer_json
from jisik.types import Answer

router = APIRouter(prefix="/v1", tags=["openai-compatible"], responses={**COMMON_PROBLEMS})

MODEL_ID = "jisik"  # the server's default: generated when a model is configured, else quoted
EXTRACTIVE_ID = "jisik-extractive"  # quoted sentences only
GENERATIVE_ID = "jisik-generative"  # generated and checked (only with a configured model)


class ChatMessage(BaseModel):
    role: Literal["system", "developer", "user", "assistant", "tool"]
    # A string, or a list of parts like {"type": "text", "text": "..."}.
    content: str | list[dict[str, Any]] | None = None


class ChatRequest(BaseModel):
    model: str = MODEL_ID
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = Field(default=False, strict=True)
    # Accepted so that clients sending them work; an extractive answer has no use for them.
    temperature: float | None = None
    max_tokens: int | None = None


def _model_ids(state) -> list[str]:
    ids = [MODEL_ID, EXTRACTIVE_ID]
    if state.jisik.generative is not None:
        ids.append(GENERATIVE_ID)
    return ids


@router.get("/models", summary="The models this server answers as")
def models(principal: Caller, state: State) -> dict:
    return {
        "object": "list",
        "data": [
            {"id": model, "object": "model", "created": 0, "owned_by": "jisik"}
            for model in _model_ids(state)
        ],
    }


@router.post(
    "/chat/completions",
    summary="Chat completion with cited answers",
    responses={200: {"content": {"text/event-stream": {}}}},
)
def chat(body: ChatRequest, request: Request, principal: Caller, state: State):
    if body.model not in _model_ids(state):
        # OpenAI's error shape, which chat clients show as it is.
        return JSONResponse(
            {
                "error": {
                    "message": f"The model '{body.model}' does not exist; this server answers "
                    f"as {', '.join(_model_ids(state))} (GET /v1/models)",
                    "type": "invalid_request_error",
                    "param": "model",
                    "code": "model_not_found",
                }
            },
            status_code=404,
        )
    question = _last_user_text(body.messages)
    generate = {MODEL_ID: None, EXTRACTIVE_ID: False, GENERATIVE_ID: True}[body.model]
    answer = state.jisik.ask(question, who=requester(principal, request), generate=generate)
    headers = {"AI-Disclosure": disclosure_header(answer)}
    completion_id = f"chatcmpl-{answer.trace_id}"
    created = int(time.time())
    content = chat_text(answer)
    if body.stream:
        return StreamingResponse(
            _chunks(
                completion_id,
                created,
                content,
                answer,
                body.model,
                _usage(body.messages, content, answer),
            ),
            media_type="text/event-stream",
            headers={**headers, "Cache-Control": "no-cache"},
        )
    body_out = {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": body.model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": _usage(body.messages, content, answer),
        "citations": answer_json(answer)["citations"],
        "jisik": _labels(answer),
    }
    return JSONResponse(body_out, headers=headers)


def _labels(answer: Answer) -> dict:
    """jisik's AI-output labels, beside the OpenAI fields (clients ignore extra keys)."""
    data = answer_json(answer)
    keys = ("ai_generated", "method", "model", "digital_source_type", "generated_at", "trace_id")
    return {key: data[key] for key in keys}


def chat_text(answer: Answer) -> str:
    if not answer.citations:
        return answer.text
    sources = "\n".join(f"[{c.n}] {c.title} — {c.location}" for c in answer.citations)
    return f"{answer.text}\n\n{sources}"


def _last_user_text(messages: list[ChatMessage]) -> str:
    for message in reversed(messages):
        if message.role != "user":
            continue
        if isinstance(message.content, str):
            text = message.content
        else:
            text = " ".join(
                str(p.get("text", "")) for p in message.content or [] if p.get("type") == "text"
            )
        text = text.strip()
        if len(text) > MAX_QUERY_CHARS:
            raise Problem(
                422, f"the question is {len(text)} characters long; the limit is {MAX_QUERY_CHARS}"
            )
        if text:
            return text
    raise Problem(422, "no user message with text; the last 'user' message is the question")


def _chunks(
    completion_id: str, created: int, content: str, answer: Answer, model: str, usage: dict
) -> Iterator[str]:
    def chunk(delta: dict, finish: str | None = None, **extra: object) -> str:
        body = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            **extra,
        }
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

    yield chunk({"role": "assistant"})
    for piece in sentence_pieces(content):
        yield chunk({"content": piece})
    yield chunk(
        {}, "stop", citations=answer_json(answer)["citations"], jisik=_labels(answer), usage=usage
    )
    yield "data: [DONE]\n\n"


def _usage(messages: list[ChatMessage], content: str, answer: Answer) -> dict:
    """The model's token counts for a generated answer; otherwise an estimate of what a
    model would count, marked ``estimated`` (an extractive answer runs no model)."""
    if answer.usage is not None:
        prompt, completion, estimated = answer.usage
    else:
        prompt = sum(estimate_tokens(_text(m)) for m in messages)
        completion, estimated = estimate_tokens(content), True
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "estimated": estimated,
    }


def _text(message: ChatMessage) -> str:
    if isinstance(message.content, str):
        return message.content
    return " ".join(str(p.get("text", "")) for p in message.content or [] if isinstance(p, dict))
