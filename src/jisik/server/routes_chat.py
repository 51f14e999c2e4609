"""An OpenAI-compatible face: /v1/models and /v1/chat/completions.

Existing chat clients point their base URL and key at jisik and get jisik's
cited answers, under the caller's permissions. The question is the last user
message, read against the messages before it (a follow-up is rewritten into a
standalone question, shown above the answer); the citations follow the answer as
numbered lines, and also come as a ``citations`` field that OpenAI clients ignore.
``store: true`` keeps the exchange as a conversation of the caller's, and
``conversation_id`` continues one.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from jisik.answer.events import DeltaEvent, FinalEvent, final_answer
from jisik.answer.labels import disclosure_header
from jisik.chat.assistant import HISTORY_TURNS, ChatTurn, history_from_messages
from jisik.llm.base import estimate_tokens
from jisik.server.auth import Caller, State, requester
from jisik.server.problems import COMMON_PROBLEMS, Problem
from jisik.server.routes_query import event_stream
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
    # OpenAI's own field: keep this exchange as a new conversation of the caller's.
    store: bool = Field(default=False, strict=True)
    # jisik's: continue one of the caller's conversations (its turns are the history).
    conversation_id: str | None = Field(default=None, max_length=32)


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
    question, earlier = _question_and_history(body.messages)
    generate = {MODEL_ID: None, EXTRACTIVE_ID: False, GENERATIVE_ID: True}[body.model]
    who = requester(principal, request)
    chats = state.jisik.conversations
    conversation_id = body.conversation_id
    if conversation_id is None and body.store:
        conversation_id = chats.create(who).id
    # A conversation continued by id has its own turns as history; otherwise the messages
    # sent are the history (also of a conversation that `store` starts now).
    history = None if body.conversation_id else history_from_messages(earlier, state.jisik.analyzer)
    turn = chats.ask(
        who, question, conversation_id=conversation_id, history=history, generate=generate
    )
    completion_id = f"chatcmpl-{who.trace_id or 'jisik'}"
    created = int(time.time())
    extra = {"conversation_id": conversation_id} if conversation_id else {}
    if body.stream:
        chunks = _chunks(completion_id, created, turn, body.model, body.messages, extra)
        return event_stream(chunks, state.jisik.provisional_label(generate))
    answer = final_answer(turn.events)
    content = _understood_line(turn) + chat_text(answer)
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
        "jisik": {**_labels(answer), **_understood(turn), **extra},
    }
    return JSONResponse(body_out, headers={"AI-Disclosure": disclosure_header(answer)})


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


def _question_and_history(
    messages: list[ChatMessage],
) -> tuple[str, list[tuple[str, str]]]:
    """The last user message with text (the question), and the (question, answer) pairs
    before it; system and tool messages are not questions and are left out."""
    last = next(
        (
            i
            for i in range(len(messages) - 1, -1, -1)
            if messages[i].role == "user" and _text(messages[i]).strip()
        ),
        None,
    )
    if last is None:
        raise Problem(422, "no user message with text; the last 'user' message is the question")
    question = _text(messages[last]).strip()
    if len(question) > MAX_QUERY_CHARS:
        raise Problem(
            422, f"the question is {len(question)} characters long; the limit is {MAX_QUERY_CHARS}"
        )
    pairs: list[tuple[str, str]] = []
    for message in messages[:last]:
        text = _text(message).strip()
        if message.role == "user" and text:
            pairs.append((text[:MAX_QUERY_CHARS], ""))
        elif message.role == "assistant" and pairs and text:
            pairs[-1] = (pairs[-1][0], text)
    return question, pairs[-HISTORY_TURNS:]


def _chunks(
    completion_id: str,
    created: int,
    turn: ChatTurn,
    model: str,
    messages: list[ChatMessage],
    extra: dict,
) -> Iterator[str]:
    """The answer as it is made: how the question was understood (when rewritten), the
    checked sentences, then the sources and, in the last chunk, citations, labels and
    usage. A fallback after some text streamed is added with its notice (a stream
    cannot take back what it sent)."""

    def chunk(delta: dict, finish: str | None = None, **fields: object) -> str:
        body = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            **fields,
        }
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

    yield chunk({"role": "assistant"})
    streamed: list[str] = []
    line = _understood_line(turn)
    if line:
        yield chunk({"content": line})
    answer: Answer | None = None
    for event in turn.events:
        if isinstance(event, DeltaEvent):
            streamed.append(event.text)
            yield chunk({"content": event.text})
        elif isinstance(event, FinalEvent):
            answer = event.answer
    if answer is None:
        return
    text = "".join(streamed)
    if text.strip() != answer.text.strip():
        replacement = f"\n\n{answer.notice}\n\n{answer.text}" if text else answer.text
        yield chunk({"content": replacement})
    sources = chat_text(answer)[len(answer.text) :]
    if sources:
        yield chunk({"content": sources})
    content = line + chat_text(answer)
    yield chunk(
        {},
        "stop",
        citations=answer_json(answer)["citations"],
        jisik={**_labels(answer), **_understood(turn), **extra},
        usage=_usage(messages, content, answer),
    )
    yield "data: [DONE]\n\n"


def _understood(turn: ChatTurn) -> dict:
    standalone = turn.standalone
    return {
        "standalone_question": standalone.question,
        "rewritten_by": standalone.method if standalone.rewritten else None,
    }


def _understood_line(turn: ChatTurn) -> str:
    """Shown above the answer when a follow-up was rewritten, so the reader can see what
    was searched for."""
    if not turn.standalone.rewritten:
        return ""
    return f"_질문 이해 (understood as): {turn.standalone.question}_\n\n"


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
