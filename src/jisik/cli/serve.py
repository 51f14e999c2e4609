"""``jisik serve``: the HTTP server on the same home as the CLI."""

from __future__ import annotations

from typing import Annotated

import typer

from jisik.cli import output
from jisik.cli.common import HomeOption, run
from jisik.settings import load_settings


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def serve(
    host: Annotated[str, typer.Option(help="Address to bind (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    dev: Annotated[
        bool,
        typer.Option(
            "--dev",
            help="Development mode: no admin needed, requests without a key act as an admin. "
            "Loopback only.",
        ),
    ] = False,
    rate_per_minute: Annotated[
        int, typer.Option(min=1, help="Requests per minute per API key.")
    ] = 600,
    max_upload_files: Annotated[int, typer.Option(min=1, help="Files in one upload.")] = 100,
    max_request_mb: Annotated[
        int, typer.Option(min=1, help="Size of one request (an upload), in MB.")
    ] = 1024,
    max_json_kb: Annotated[
        int, typer.Option(min=1, help="Size of any other request body (JSON), in kB.")
    ] = 1000,
    home: HomeOption = None,
    embedder: Annotated[str | None, typer.Option(help="Embedder of the home.")] = None,
) -> None:
    """Serve the REST API (/v1, OpenAPI at /docs) and the OpenAI-compatible chat API.

    While it runs, `jisik ask` and `jisik search` on this home answer through it."""

    def body() -> int:
        import uvicorn

        from jisik.server.app import create_app, open_state
        from jisik.server.config import ServerConfig
        from jisik.server.http11 import ProblemH11Protocol
        from jisik.server.limits import MAX_HEAD_BYTES

        config = ServerConfig(
            host=host,
            port=port,
            dev=dev,
            rate_per_minute=rate_per_minute,
            rate_burst=min(120, rate_per_minute),  # never more than a minute's worth at once
            max_upload_files=max_upload_files,
            max_request_mb=max_request_mb,
            max_json_kb=max_json_kb,
            local_link=True,
        )
        state = open_state(load_settings(home, embedder=embedder), config)
        if state.dev_principal is not None:
            output.err_console.print(
                "[yellow]development mode:[/yellow] no authentication, loopback only; create "
                "an admin with `jisik users add NAME --role admin` before real use"
            )
        output.err_console.print(f"jisik serving {state.jisik.layout.root} on http://{host}:{port}")
        uvicorn.run(
            create_app(state),
            host=host,
            port=port,
            log_level="info",
            server_header=False,
            timeout_graceful_shutdown=30,
            # h11 always (not httptools when installed): unparseable requests answered as
            # problem documents, and the same head limit everywhere.
            http=ProblemH11Protocol,
            h11_max_incomplete_event_size=MAX_HEAD_BYTES,
        )
        return 0

    run(body)
