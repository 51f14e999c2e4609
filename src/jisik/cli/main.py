"""``jisik`` commands. Each is a thin layer over ``service.Jisik``; errors are
translated here, at the edge, into one-line messages and exit codes."""

from __future__ import annotations

import dataclasses
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from jisik.cli import output, remote
from jisik.cli.audit import register as register_audit
from jisik.cli.chat import register as register_chat
from jisik.cli.common import (
    EXIT_FAILED_ITEMS,
    HomeOption,
    JsonOption,
    embed_backlog,
    progress_bar,
    run,
)
from jisik.cli.eval import register as register_eval
from jisik.cli.governance import register as register_governance
from jisik.cli.identity import register as register_identity
from jisik.cli.llm import register as register_llm
from jisik.cli.pii import register as register_pii
from jisik.cli.serve import register as register_serve
from jisik.cli.timings import Timings
from jisik.errors import InvalidInputError
from jisik.ingest.exclude import compile_patterns
from jisik.service import Jisik
from jisik.settings import load_settings

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="jisik (지식): cited answers from your own documents, Korean first.",
    pretty_exceptions_enable=False,
)
docs_app = typer.Typer(no_args_is_help=True, help="List, show and remove documents.")
app.add_typer(docs_app, name="docs")

EmbedderOption = Annotated[
    str | None,
    typer.Option("--embedder", help="none (default: lexical), use, hashing, openai or local."),
]


def _open(home: Path | None, embedder: str | None = None, *, create: bool = False) -> Jisik:
    return Jisik(load_settings(home, embedder=embedder), create=create)


VerboseOption = Annotated[
    bool,
    typer.Option(
        "--verbose", "-v", help="Also say how long opening, loading and the question took."
    ),
]


ServerOption = Annotated[
    bool | None,
    typer.Option(
        "--server/--no-server",
        help="Answer through the `jisik serve` running on this home (default: when one "
        "runs; it has the models loaded), or always in this process.",
    ),
]


def _through_server(home: Path | None, server: bool | None, verbose: bool, call):
    """``call(remote, link)``'s result from the running server, or None: answer in-process."""
    link = remote.server_for(load_settings(home).home, server)
    if link is None:
        return None
    timings = Timings()
    with timings.part(f"question via {link.url}"):
        result = call(remote, link)
    if verbose:
        output.err_console.print(
            timings.line()
            if result is not None
            else f"the server at {link.url} did not answer; answering in this process"
        )
    return result


@contextmanager
def _timed_open(home: Path | None, embedder: str | None, verbose: bool, mode: str | None = None):
    """The home opened; with ``verbose``, models loaded up front and every part timed,
    printed on stderr at the end (a shell call pays the model load every time)."""
    timings = Timings()
    with timings.part("open home"):
        jisik = _open(home, embedder)
    with jisik:
        if verbose:
            for part, seconds in jisik.load_models(mode).items():
                timings.add(f"load {part}", seconds)
        yield jisik, timings
    if verbose:
        output.err_console.print(timings.line())


@app.command()
def add(
    paths: Annotated[list[Path], typer.Argument(help="Files and folders (recursive).")],
    group: Annotated[
        list[str] | None,
        typer.Option("--group", "-g", help="Group allowed to read these documents (repeatable)."),
    ] = None,
    owner: Annotated[
        str | None, typer.Option(help="Owner, for the source registry (kept if not given).")
    ] = None,
    licence: Annotated[
        str | None, typer.Option(help="Licence or terms of use, for the source registry.")
    ] = None,
    create_groups: Annotated[
        bool,
        typer.Option("--create-groups", help="Create the --group groups that do not exist yet."),
    ] = False,
    follow_symlinks: Annotated[
        bool,
        typer.Option(
            "--follow-symlinks",
            help="Read symbolic links that point outside the folders given (default: skip "
            "and report them).",
        ),
    ] = False,
    exclude: Annotated[
        list[str] | None,
        typer.Option(
            "--exclude",
            "-x",
            help="Leave out files and folders matching this .gitignore-style pattern "
            "(repeatable; e.g. '*.tmp', 'drafts/'). A .jisikignore file in a folder does the "
            "same for that folder.",
        ),
    ] = None,
    home: HomeOption = None,
    json: JsonOption = False,
    embedder: EmbedderOption = None,
) -> None:
    """Ingest files and folders; unchanged files are skipped, changed ones replaced."""

    def body() -> int:
        compile_patterns(exclude or ())  # a bad pattern is refused before anything starts
        with _open(home, embedder, create=True) as jisik, progress_bar(json) as bar:
            _check_groups(jisik, group or [], create_groups)
            task = bar.add_task("ingesting", total=None, item="")

            def tick(done: int, total: int, path: str) -> None:
                bar.update(task, completed=done - 1, total=total, item=Path(path).name[-40:])

            report = jisik.add(
                paths,
                groups=group,
                progress=tick,
                owner=owner,
                licence=licence,
                follow_symlinks=follow_symlinks,
                exclude=exclude or (),
            )
            bar.update(task, completed=bar.tasks[0].total or 0, item="")
            left = embed_backlog(jisik, bar) if jisik.embeds_later else 0
        if json:
            output.emit_json({**output.add_json(report), "embedding_backlog": left})
        else:
            output.show_add(report)
            if left:
                output.console.print(output.backlog_notice(left))
        return EXIT_FAILED_ITEMS if report.failed else 0

    run(body)


@app.command()
def embed(home: HomeOption = None, json: JsonOption = False) -> None:
    """Embed the documents still without vectors (after an interrupted add)."""

    def body() -> None:
        with _open(home, None, create=False) as jisik, progress_bar(json) as bar:
            if jisik.embedder is None:
                raise InvalidInputError(
                    "this home has no embedder: nothing to embed / 임베딩 모델이 없는 홈입니다"
                )
            before = jisik.backlog.pending()
            left = embed_backlog(jisik, bar)
        if json:
            output.emit_json({"embedded": before - left, "embedding_backlog": left})
        else:
            output.console.print(f"embedded {before - left} passages")
            if left:
                output.console.print(output.backlog_notice(left))

    run(body)


def _check_groups(jisik: Jisik, groups: list[str], create: bool) -> None:
    """A mistyped group would make documents readable by nobody but admins: refuse it,
    as `users add` does, unless asked to create it."""
    from jisik.identity.store import IdentityStore

    identity = IdentityStore(jisik.engine, jisik.audit)
    known = {g.name for g in identity.groups()}
    missing = [g for g in dict.fromkeys(groups) if g not in known]
    if missing and not create:
        names = " ".join(missing)
        raise InvalidInputError(
            f"no group named {', '.join(missing)}; create it first with `jisik groups add "
            f"{names}`, or add --create-groups / 그룹이 없습니다: `jisik groups add {names}`로 "
            "먼저 만드세요"
        )
    for name in missing:
        identity.add_group(name)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What to look for.")],
    k: Annotated[int, typer.Option("-k", min=1, max=100, help="How many passages.")] = 10,
    mode: Annotated[str | None, typer.Option("--mode", help="hybrid, lexical or dense.")] = None,
    home: HomeOption = None,
    json: JsonOption = False,
    embedder: EmbedderOption = None,
    verbose: VerboseOption = False,
    server: ServerOption = None,
) -> None:
    """Show the passages that best match a query."""

    def body() -> None:
        hits = _through_server(
            home, server, verbose, lambda remote, link: remote.search(link, query, k, mode)
        )
        if hits is None:
            with _timed_open(home, embedder, verbose, mode) as (jisik, timings):
                with timings.part("search"):
                    hits = jisik.search(query, k, mode)
        if json:
            output.emit_json([output.hit_json(h) for h in hits])
        else:
            output.show_hits(hits)

    run(body)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="A question, in Korean or English.")],
    home: HomeOption = None,
    json: JsonOption = False,
    embedder: EmbedderOption = None,
    verbose: VerboseOption = False,
    server: ServerOption = None,
    generate: Annotated[
        bool | None,
        typer.Option(
            "--generate/--no-generate",
            help="A generated answer from the configured language model, checked against "
            "its citations (default: the `generate` setting), or quoted sentences only.",
        ),
    ] = None,
) -> None:
    """Answer from your documents with numbered citations, or abstain."""

    def body() -> None:
        if json:
            answer = _through_server(
                home, server, verbose, lambda remote, link: remote.ask(link, question, generate)
            )
        else:  # shown as the server makes it
            streamed = _through_server(
                home,
                server,
                verbose,
                lambda remote, link: remote.ask_stream(link, question, generate),
            )
            if streamed is not None:
                provisional, events = streamed
                output.stream_answer(events, provisional)
                return
            answer = None
        if answer is None:
            with _timed_open(home, embedder, verbose) as (jisik, timings):
                with timings.part("question"):
                    if json:
                        answer = jisik.ask(question, generate=generate)
                    else:  # shown as it is made
                        provisional = jisik.provisional_label(generate)
                        output.stream_answer(
                            jisik.ask_stream(question, generate=generate),
                            dataclasses.replace(provisional, question=question),
                        )
                        return
        if json:
            output.emit_json(output.answer_json(answer))
        else:
            output.show_answer(answer)

    run(body)


@docs_app.command("list")
def docs_list(home: HomeOption = None, json: JsonOption = False) -> None:
    """List the documents in the home."""

    def body() -> None:
        with _open(home) as jisik:
            documents = jisik.documents()
        if json:
            output.emit_json([output.document_json(d) for d in documents])
        else:
            output.show_documents(documents)

    run(body)


@docs_app.command("show")
def docs_show(doc_id: str, home: HomeOption = None, json: JsonOption = False) -> None:
    """Show one document's metadata and text."""

    def body() -> None:
        with _open(home) as jisik:
            info, text = jisik.document(doc_id)
        if json:
            output.emit_json(output.document_json(info, text))
        else:
            output.show_document(info, text)

    run(body)


@docs_app.command("remove")
def docs_remove(doc_id: str, home: HomeOption = None, json: JsonOption = False) -> None:
    """Remove a document: afterwards nothing of it can be found."""

    def body() -> None:
        with _open(home) as jisik:
            info = jisik.remove(doc_id)
        if json:
            output.emit_json({"removed": info.doc_id, "title": info.title})
        else:
            output.console.print(f"removed {info.doc_id} ({output.escape(info.title)})")

    run(body)


@app.command()
def stats(home: HomeOption = None, json: JsonOption = False) -> None:
    """Counts, sizes on disk, embedder and analyzer of the home."""

    def body() -> None:
        with _open(home) as jisik:
            data = jisik.stats()
        if json:
            output.emit_json(data)
        else:
            output.show_stats(data)

    run(body)


@app.command()
def reindex(
    home: HomeOption = None, json: JsonOption = False, embedder: EmbedderOption = None
) -> None:
    """Rebuild the index from stored documents (after changing embedder or analyzer)."""

    def body() -> None:
        settings = load_settings(home, embedder=embedder)
        with Jisik(settings, create=False, rebuilding=True) as jisik, progress_bar(json) as bar:
            task = bar.add_task("reindexing", total=None, item="")

            def tick(done: int, total: int, title: str) -> None:
                bar.update(task, completed=done, total=total, item=title[:40])

            count = jisik.reindex(tick)
        if json:
            output.emit_json({"reindexed": count})
        else:
            output.console.print(f"reindexed {count} documents")

    run(body)


@app.command()
def demo(
    home: HomeOption = None, json: JsonOption = False, embedder: EmbedderOption = None
) -> None:
    """Write a demo company handbook, ingest it and answer sample questions."""
    from jisik.cli.demo import run_demo

    def body() -> int:
        target = home or Path(tempfile.mkdtemp(prefix="jisik-demo-"))
        return run_demo(target, embedder, json)

    run(body)


register_eval(app)
register_identity(app)
register_serve(app)
register_llm(app)
register_chat(app)
register_audit(app)
register_pii(app)
register_governance(app)


def main() -> None:
    app(prog_name="jisik")


if __name__ == "__main__":
    sys.exit(main())
