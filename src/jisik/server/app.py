"""The FastAPI application: routes, problem responses, limits, lifecycle."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from jisik import __version__
from jisik.errors import ConfigError
from jisik.identity.records import ADMIN, Principal
from jisik.identity.store import IdentityStore
from jisik.server import (
    problems,
    routes_admin,
    routes_chat,
    routes_documents,
    routes_governance,
    routes_query,
)
from jisik.server.config import ServerConfig
from jisik.server.jobs import JobRunner, JobStore
from jisik.server.problems import problem_response
from jisik.server.ratelimit import RateLimiter
from jisik.server.state import ServerState
from jisik.service import Jisik
from jisik.settings import Settings

log = logging.getLogger(__name__)

DEV_USER = "dev"


def open_state(settings: Settings, config: ServerConfig) -> ServerState:
    """Open the home and everything the server needs, or refuse with the fix."""
    config.check()
    jisik = Jisik(settings)
    try:
        identity = IdentityStore(jisik.engine)
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
        )
    except BaseException:
        jisik.close()
        raise


def create_app(state: ServerState) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state.runner.start()
        try:
            yield
        finally:
            # Graceful: requests have drained; the job in hand may finish, queued
            # jobs stay staged and resume on the next start.
            state.runner.stop(state.config.shutdown_job_wait_s)
            state.jisik.close()

    app = FastAPI(
        title="jisik",
        version=__version__,
        summary="Cited answers from your own documents, Korean first, with per-document "
        "permissions.",
        lifespan=lifespan,
        # Bodies sent without a Content-Length are cut off here; declared ones are
        # refused before reading, with a problem document, by the middleware below.
        max_body_size=state.config.max_request_mb * 1_000_000,
    )
    app.state.jisik = state
    problems.install(app)
    for router in (
        routes_documents.router,
        routes_query.router,
        routes_chat.router,
        routes_admin.router,
        routes_governance.router,
    ):
        app.include_router(router)
    _add_middleware(app, state.config)
    _add_health(app, state)

    def openapi() -> dict:
        if app.openapi_schema is None:
            app.openapi_schema = problems.problem_openapi(FastAPI.openapi(app))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def _add_middleware(app: FastAPI, config: ServerConfig) -> None:
    limit = config.max_request_mb * 1_000_000

    @app.middleware("http")
    async def trace_and_limit(request: Request, call_next):
        request.state.trace_id = uuid.uuid4().hex
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            return problem_response(
                request,
                413,
                f"the request is {int(declared) / 1e6:.0f} MB; the limit is "
                f"{config.max_request_mb} MB, split the upload",
            )
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
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
            log.warning("readiness check failed: %s", exc)
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ready", "documents": documents})
