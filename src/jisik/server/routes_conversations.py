"""Each user's conversations: list, start, read, rename, delete, and ask within one.

A question asked in a conversation is read against its earlier turns: a follow-up is
rewritten into a standalone question before retrieval, and the answer says how it was
understood (``standalone_question``). Only the owner sees a conversation; another
user's is answered exactly like a missing one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from jisik.answer.events import final_answer
from jisik.answer.labels import disclosure_header
from jisik.chat.assistant import ChatTurn
from jisik.server.auth import Caller, State, requester
from jisik.server.problems import COMMON_PROBLEMS, MAX_OFFSET, documented
from jisik.server.routes_query import AskRequest, answer_events, event_stream
from jisik.shapes import answer_json
from jisik.store.conversations import MAX_TITLE_CHARS

router = APIRouter(
    prefix="/v1/conversations",
    tags=["conversations"],
    responses={**COMMON_PROBLEMS, **documented(404)},
)


class NewConversation(BaseModel):
    title: str = Field(default="", max_length=MAX_TITLE_CHARS)


class Rename(BaseModel):
    title: str = Field(min_length=1, max_length=MAX_TITLE_CHARS)


@router.get("", summary="Your conversations, the most recent first")
def list_conversations(
    request: Request,
    principal: Caller,
    state: State,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> dict:
    who = requester(principal, request)
    chats = state.jisik.conversations
    return {
        "data": [c.as_json() for c in chats.list(who, limit, offset)],
        "total": chats.count(who),
        "limit": limit,
        "offset": offset,
    }


@router.post("", status_code=201, summary="Start a conversation")
def create(body: NewConversation, request: Request, principal: Caller, state: State) -> dict:
    who = requester(principal, request)
    return state.jisik.conversations.create(who, body.title).as_json()


@router.get("/{conversation_id}", summary="A conversation with its turns")
def read(conversation_id: str, request: Request, principal: Caller, state: State) -> dict:
    who = requester(principal, request)
    conversation, turns = state.jisik.conversations.read(who, conversation_id)
    return {**conversation.as_json(), "messages": turns}


@router.patch("/{conversation_id}", summary="Rename a conversation")
def rename(
    conversation_id: str, body: Rename, request: Request, principal: Caller, state: State
) -> dict:
    who = requester(principal, request)
    return state.jisik.conversations.rename(who, conversation_id, body.title).as_json()


@router.delete("/{conversation_id}", status_code=204, summary="Delete a conversation")
def delete(conversation_id: str, request: Request, principal: Caller, state: State) -> Response:
    state.jisik.conversations.delete(requester(principal, request), conversation_id)
    return Response(status_code=204)


@router.post(
    "/{conversation_id}/messages",
    summary="Ask within a conversation (a follow-up is read against the earlier turns)",
    responses={200: {"content": {"text/event-stream": {}}}},
)
def ask(conversation_id: str, body: AskRequest, request: Request, principal: Caller, state: State):
    who = requester(principal, request)
    turn = state.jisik.conversations.ask(
        who, body.question, conversation_id=conversation_id, generate=body.generate, k=body.k
    )
    if body.stream:
        return event_stream(_with_question(turn), state.jisik.provisional_label(body.generate))
    answer = final_answer(turn.events)
    return JSONResponse(
        {**answer_json(answer), **understood(turn)},
        headers={"AI-Disclosure": disclosure_header(answer)},
    )


def understood(turn: ChatTurn) -> dict:
    """How the question was understood, beside the answer."""
    return {
        "conversation_id": turn.conversation_id,
        "asked": turn.standalone.asked,
        "standalone_question": turn.standalone.question,
        "rewritten_by": turn.standalone.method if turn.standalone.rewritten else None,
    }


def _with_question(turn: ChatTurn) -> Iterator[str]:
    # First how the question was understood, so a UI can show it while the answer comes.
    data = json.dumps(understood(turn), ensure_ascii=False)
    yield f"event: question\ndata: {data}\n\n"
    yield from answer_events(turn.events)
