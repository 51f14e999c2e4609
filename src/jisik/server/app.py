"""The FastAPI application: routes, problem responses, limits, lifecycle."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text

from jisik import __version__
from jisik.embed.backlog import BackgroundEmbedder
from jisik.errors import ConfigError
from jisik.identity.records import ADMIN, Principal
from jisik.identity.store import IdentityStore
from jisik.identity.web_auth import WebAuth
from jisik.local_link import LocalLink, client_url, new_token, remove_link, write_link
from jisik.server import (
    problems,
    routes_admin,
    routes_chat,
    routes_conversations,
    routes_documents,
    routes_feedback,
    routes_governance,
    routes_pii,
    routes_query,
)
from jisik.server.config import ServerConfig
from jisik.server.devguard import STATE_CHANGING, DevGuard, loopback_names
from jisik.server.jobs import JobRunner, JobStore
from jisik.server.limits import Limit, RequestLimits, upload_routes
from jisik.server.problems import problem_response, title_of
from jisik.server.ratelimit import RateLimiter
from jisik.server.state import ServerState
from jisik.service import Jisik
from jisik.settings import Settings
from jisik.web import pages as web_pages
from jisik.web.pages import static_directory
from jisik.web.throttle import SignInThrottle

log = logging.getLogger(__name__)

DEV_USER = "dev"
# An upload's text fields (reader groups, public) are held in memory: 256 of at most 4 kB
# each stay within a JSON body's megabyte. Files go to disk past 1 MB each (Starlette).
FORM_FIELDS = 256
FORM_FIELD_BYTES = 4096


def open_state(settings: Settings, config: ServerConfig) -> ServerState:
    """Open the home and everything the server needs, or refuse with the fix."""
    config.check()
    jisik = Jisik(settings)
    try:
        identity = IdentityStore(jisik.engine, jisik.audit)
        dev_principal = None
        if not identity.has_admin():
            if not config.dev:
                raise ConfigError(
                    f"no admin in {settings.home}: create one with "
                    f"`jisik users add NAME --role admin --home {settings.home}` (it prints the "
                    "API key), or try jisik locally with `jisik serve --dev` (loopback only, "
                    "no authentication)"
                )
            dev_principal = Principal(DEV_USER, ADMIN, frozenset())
        elif config.dev:
            log.warning("development mode, but an admin exists: API keys are required")
        jobs = JobStore(jisik.engine)
        runner = JobRunner(jisik, jobs, jisik.layout.uploads, jisik.originals)
        return ServerState(
            jisik=jisik,
            identity=identity,
            jobs=jobs,
            runner=runner,
            config=config,
            limiter=RateLimiter(config.rate_per_minute, config.rate_burst),
            dev_principal=dev_principal,
            local_token=new_token() if config.local_link else None,
            web_auth=WebAuth(jisik.engine, jisik.audit),
            sign_in=SignInThrottle(),
        )
    except BaseException:
        jisik.close()
        raise


def create_app(state: ServerState) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state.runner.start()
        root = state.jisik.layout.root
        if state.local_token is not None:
            link = LocalLink(
                client_url(state.config.host, state.config.port), os.getpid(), state.local_token
            )
            write_link(root, link)
        # A slow embedder embeds after ingest, here, while searches go on lexically.
        embedding = BackgroundEmbedder(state.jisik.backlog) if state.jisik.embeds_later else None
        if embedding is not None:
            embedding.start()
        try:
            yield
        finally:
            # Graceful: requests have drained; the job in hand may finish, queued
            # jobs stay staged and resume on the next start.
            if embedding is not None:
                embedding.stop()
            if state.local_token is not None:
                remove_link(root, state.local_token)
            state.runner.stop(state.config.shutdown_job_wait_s)
            state.jisik.close()

    app = FastAPI(
        title="jisik",
        version=__version__,
        summary="Cited answers from your own documents, Korean first, with per-document "
        "permissions.",
        lifespan=lifespan,
        # /docs is the web UI's own page over the vendored Swagger UI (no CDN).
        docs_url=None,
        redoc_url=None,
        # Body sizes are limited by RequestLimits (FastAPI's max_body_size would answer
        # text/plain). One file over the upload limit, so that the route's own 413, which
        # names the limit, answers before the form parser's 400.
        form_limits={
            "max_files": state.config.max_upload_files + 1,
            "max_fields": FORM_FIELDS,
            "max_part_size": FORM_FIELD_BYTES,
        },
    )
    app.state.jisik = state
    problems.install(app)
    routers = (
        routes_documents.router,
        routes_query.router,
        routes_chat.router,
        routes_conversations.router,
        routes_feedback.router,
        routes_admin.router,
        routes_governance.router,
        routes_pii.router,
    )
    for router in routers:
        app.include_router(router)
    app.include_router(web_pages.router)
    app.mount("/static", StaticFiles(directory=static_directory()), name="static")
    _add_health(app, state)
    # The routers' own routes (FastAPI wraps included ones in private types).
    _add_middleware(app, state.config, upload_routes([r for rt in routers for r in rt.routes]))

    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = _edge_problems(FastAPI.openapi(app), state.config.dev)
            app.openapi_schema = problems.problem_openapi(schema)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def _add_middleware(app: FastAPI, config: ServerConfig, uploads: list[APIRoute]) -> None:
    # Each one added wraps the ones before: the body limits innermost, then the dev guard,
    # then trace outermost; so every refusal carries a trace id, and a refused Host or
    # Origin is not even measured.
    app.add_middleware(
        RequestLimits,
        json=Limit(
            config.max_json_kb * 1000,
            "a JSON body",
            f"--max-json-kb {config.max_json_kb}",
            "send a smaller body (documents are uploaded with POST /v1/documents)",
        ),
        upload=Limit(
            config.max_request_mb * 1_000_000,
            "an upload",
            f"--max-request-mb {config.max_request_mb}",
            "split the upload into several requests",
        ),
        uploads=uploads,
    )
    if config.dev:
        app.add_middleware(DevGuard, names=loopback_names(config.host))

    @app.middleware("http")
    async def trace(request: Request, call_next):
        request.state.trace_id = uuid.uuid4().hex
        try:
            response = await call_next(request)
        except Exception:  # answered here, so the connection stays usable
            # Left to Starlette, the error would be re-raised after the 500 and
            # uvicorn would drop the keep-alive connection with it.
            log.exception("unhandled error on %s %s", request.method, request.url.path)
            response = problem_response(
                request,
                500,
                "the server failed to handle this request; the error is in the server log "
                "under this trace id",
            )
        response.headers["X-Trace-Id"] = request.state.trace_id
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def _edge_problems(schema: dict, dev: bool) -> dict:
    """Document what the edge may answer to any operation: a malformed request (400), an
    oversized body (413) or head (431), and in dev mode a foreign Host (421) or a change
    sent by another site (403)."""
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            statuses = [400, 413, 431]
            if dev:
                statuses += [421, 403] if method.upper() in STATE_CHANGING else [421]
            responses = operation.setdefault("responses", {})
            for status in statuses:
                responses.setdefault(str(status), {"description": title_of(status)})
    return schema


def _add_health(app: FastAPI, state: ServerState) -> None:
    @app.get("/healthz", tags=["health"], summary="The process is up")
    def healthz() -> dict:
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"], summary="The home can be read")
    def readyz() -> JSONResponse:
        try:
            with state.jisik.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            documents = state.jisik.records.counts()["documents"]
            # Passages searchable by words but not yet by meaning (background embedding).
            backlog = state.jisik.backlog.pending()
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
            log.warning("readiness check failed: %s", exc)
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse(
            {"status": "ready", "documents": documents, "embedding_backlog": backlog}
        )
