"""Request size limits at the edge: bodies refused before reading or cut off while
streaming, and a cap on the request line and headers.

A JSON body (every operation but uploads) may be ``max_json_kb``; an upload (an operation
whose body is a multipart form) ``max_request_mb``. A declared Content-Length over the limit
is refused before a byte of the body is read. A body without one (chunked transfer) is counted
as it arrives and cut off at the limit, so a request never holds much more than its limit in
memory. Every refusal is a problem document with ``Connection: close``: the rest of the body
is never read, the server just hangs up.

The request line and headers may be ``MAX_HEAD_BYTES``: room for the longest question in a URL
(2,000 characters, up to 12 bytes each percent-encoded) and ordinary headers. h11 refuses a
head still incomplete past that size, but one that arrives in a single read (up to 256 KB) it
parses whole; counted here too, the limit holds however the bytes arrived.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fastapi import params
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jisik.server.problems import problem_response

MAX_HEAD_BYTES = 64 * 1024
HEAD_TOO_LARGE = (
    f"the request line and headers are over {MAX_HEAD_BYTES // 1024} KB; send a shorter URL "
    "and fewer or smaller headers (long inputs belong in a JSON body)"
)
# Without it uvicorn would keep reading (and discarding) the unread body of a refused request.
CLOSE = {"Connection": "close"}

MALFORMED_LENGTH = (
    "Content-Length must be one non-negative decimal integer (no sign, no list of values); "
    "send the body's size in bytes once, or send the body chunked without a Content-Length"
)


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a streamed body passes its limit.

    An HTTPException on purpose: FastAPI's body reader lets those through (any other error
    there becomes a 400 "error parsing the body") and the problem handler answers it.
    """

    def __init__(self, detail: str) -> None:
        super().__init__(413, detail, CLOSE)


@dataclass(frozen=True, slots=True)
class Limit:
    size: int  # bytes
    what: str  # "a JSON body", "an upload"
    option: str  # the `jisik serve` option that sets it, with its value
    fix: str  # what the client can do instead

    def refusal(self, size: int | None) -> str:
        sent = f"{size:,} bytes" if size is not None else f"over {self.size:,} bytes"
        return (
            f"the request body is {sent}; {self.what} may be at most {self.size:,} bytes "
            f"({self.option}): {self.fix}, or restart the server with a larger limit"
        )


def content_length(values: Sequence[bytes]) -> int | None:
    """The declared body size, None when undeclared; ValueError unless exactly one
    non-negative decimal integer (``bytes.isdigit`` is ASCII-only)."""
    if not values:
        return None
    if len(values) > 1 or not values[0].isdigit():
        raise ValueError("malformed Content-Length")
    return int(values[0])  # ValueError past 4,300 digits: malformed too


def upload_routes(routes: Sequence[BaseRoute]) -> list[APIRoute]:
    """The operations whose body is a form (multipart files): they get the upload limit."""
    return [
        route
        for route in routes
        if isinstance(route, APIRoute)
        and route.body_field is not None
        and isinstance(route.body_field.field_info, params.Form)  # File is a Form
    ]


class RequestLimits:
    """ASGI middleware enforcing the two body limits."""

    def __init__(
        self, app: ASGIApp, *, json: Limit, upload: Limit, uploads: Sequence[BaseRoute]
    ) -> None:
        self.app = app
        self.json = json
        self.upload = upload
        self.uploads = uploads

    def limit_for(self, scope: Scope) -> Limit:
        if any(route.matches(scope)[0] is Match.FULL for route in self.uploads):
            return self.upload
        return self.json

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if _head_size(scope) > MAX_HEAD_BYTES:
            await _refuse(scope, receive, send, 431, HEAD_TOO_LARGE)
            return
        limit = self.limit_for(scope)
        try:
            declared = content_length([v for k, v in scope["headers"] if k == b"content-length"])
        except ValueError:
            # uvicorn's h11 refuses these first; this holds under any other server too.
            await _refuse(scope, receive, send, 400, MALFORMED_LENGTH)
            return
        if declared is not None and declared > limit.size:
            await _refuse(scope, receive, send, 413, limit.refusal(declared))
            return
        received = 0

        async def receive_within_limit() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit.size:
                    raise BodyTooLarge(limit.refusal(None))
            return message

        await self.app(scope, receive_within_limit, send)


def _head_size(scope: Scope) -> int:
    """The request line and headers, counted as sent ("Name: value\r\n")."""
    line = len(scope["method"]) + len(scope.get("raw_path") or b"") + len(scope["query_string"])
    return line + sum(len(name) + len(value) + 4 for name, value in scope["headers"])


async def _refuse(scope: Scope, receive: Receive, send: Send, status: int, detail: str) -> None:
    response = problem_response(Request(scope), status, detail, CLOSE)
    await response(scope, receive, send)
