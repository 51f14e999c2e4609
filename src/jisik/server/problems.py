"""Errors as RFC 9457 problem details (application/problem+json), never a stack trace."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from jisik.errors import (
    BusyError,
    ConflictError,
    ForbiddenError,
    HomeMismatchError,
    InvalidInputError,
    InvalidQueryError,
    JisikError,
    NotFoundError,
    ParseError,
)
from jisik.store.database import storage_failure

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
# Paging offsets stay far inside SQLite's 64-bit integers (the fuzzer sent 10^22).
MAX_OFFSET = 1_000_000_000

_TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Content too large",
    415: "Unsupported media type",
    421: "Misdirected request",
    422: "Invalid request",
    429: "Too many requests",
    431: "Request header fields too large",
    500: "Internal server error",
    501: "Not implemented",
    503: "Service unavailable",
}


def title_of(status: int) -> str:
    return _TITLES.get(status, "Error")


class ProblemDocument(BaseModel):
    """RFC 9457 problem details, as every error of this API is answered."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str
    trace_id: str | None = None
    errors: list[dict] | None = None  # validation errors: [{"loc": [...], "msg": "..."}]


def documented(*statuses: int) -> dict[int | str, dict]:
    """OpenAPI ``responses`` entries for problem documents with these statuses (their
    content type is set by ``problem_openapi``)."""
    return {status: {"description": _TITLES.get(status, "Error")} for status in statuses}


# What every /v1 operation can answer: authentication, limits, validation, failure.
COMMON_PROBLEMS = documented(401, 413, 422, 429, 500)


def problem_openapi(schema: dict) -> dict:
    """Declare every 4xx/5xx response of the document as application/problem+json."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["ProblemDocument"] = ProblemDocument.model_json_schema()
    reference = {"$ref": "#/components/schemas/ProblemDocument"}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                if status[0] in "45":
                    response["content"] = {PROBLEM_JSON: {"schema": reference}}
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    return schema


class Problem(Exception):
    """Raised by handlers for an HTTP error with a clear, user-facing detail."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers or {}


def problem_response(
    request: Request,
    status: int,
    detail: str,
    headers: dict[str, str] | None = None,
    **extra: object,
) -> JSONResponse:
    body = {
        "type": "about:blank",
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extra,
    }
    trace_id = getattr(request.state, "trace_id", None)
    if trace_id:
        body["trace_id"] = trace_id
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def status_of(error: JisikError) -> int:
    if isinstance(error, NotFoundError):
        return 404
    if isinstance(error, ForbiddenError):
        return 403
    if isinstance(error, ConflictError):
        return 409
    if isinstance(error, BusyError | HomeMismatchError):
        return 503
    if isinstance(error, InvalidQueryError | InvalidInputError | ParseError):
        return 422
    return 400


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(request, exc.status, exc.detail, exc.headers)

    @app.exception_handler(JisikError)
    async def _jisik(request: Request, exc: JisikError) -> JSONResponse:
        status = status_of(exc)
        headers = {"Retry-After": "5"} if status == 503 else None
        return problem_response(request, status, str(exc), headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        # Location and message only: echoing the input could reflect secrets or PII.
        errors = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))}
            for e in exc.errors()
        ]
        detail = "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors)
        return problem_response(request, 422, detail or "invalid request", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "")
        return problem_response(request, exc.status_code, detail, getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        storage = storage_failure(exc)
        if storage is not None:
            # A full disk or failing storage: the operator's problem, not the client's;
            # the write was rolled back, so retrying later is safe.
            log.error("storage failure on %s %s: %s", request.method, request.url.path, storage)
            return problem_response(
                request,
                503,
                f"{storage}; nothing was changed, try again later",
                {"Retry-After": "30"},
            )
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(
            request,
            500,
            "the server failed to handle this request; the error is in the server log "
            "under this trace id",
        )
