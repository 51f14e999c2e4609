"""What every command module shares: the common options, error handling, progress bars."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.exc import SQLAlchemyError

from jisik.cli import output
from jisik.errors import JisikError
from jisik.store.database import storage_failure

if TYPE_CHECKING:
    from jisik.service import Jisik

HomeOption = Annotated[
    Path | None,
    typer.Option("--home", help="Data directory (default: $JISIK_HOME or ~/.local/share/jisik)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]

EXIT_FAILED_ITEMS = 1
EXIT_ERROR = 2


def run(action: Callable[[], int | None]) -> None:
    """Run a command body, turning jisik's errors into one clean line."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        code = action()
    except JisikError as exc:
        output.err_console.print(f"[red]error:[/red] {output.escape(str(exc))}")
        raise typer.Exit(EXIT_ERROR) from None
    except (OSError, SQLAlchemyError) as exc:
        problem = storage_failure(exc)
        if problem is None:
            raise
        output.err_console.print(
            f"[red]error:[/red] {output.escape(problem)}; what was committed is kept — free some "
            "space and run the command again / 저장 공간을 확보한 뒤 다시 실행하세요"
        )
        raise typer.Exit(EXIT_ERROR) from None
    except KeyboardInterrupt:
        output.err_console.print("interrupted; what was committed is kept, run the command again")
        raise typer.Exit(130) from None
    if code:
        raise typer.Exit(code)


def progress_bar(json_mode: bool) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[item]}", style="dim"),
        console=output.err_console,
        transient=json_mode,
        disable=not output.err_console.is_terminal and json_mode,
    )


def embed_backlog(jisik: Jisik, bar: Progress) -> int:
    """Embed what ingest left for later, with progress; Ctrl-C stops here and keeps
    everything done so far (documents are searchable lexically already). Returns
    the chunks still waiting."""
    task = bar.add_task("embedding", total=None, item="searchable already · Ctrl-C: later")

    def tick(done: int, total: int, _what: str) -> None:
        bar.update(task, completed=done, total=total)

    try:
        jisik.embed_backlog(tick)
    except KeyboardInterrupt:
        pass
    return jisik.backlog.pending()
