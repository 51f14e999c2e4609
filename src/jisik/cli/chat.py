"""``jisik chat``: a conversation at the terminal, follow-ups read in context.

Each question is read against the earlier turns (a follow-up is rewritten into a
standalone question, shown before the answer), the answer is printed as it is made,
and the conversation is kept in the home under the local user, like the server's.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated

import typer

from jisik.cli import output
from jisik.cli.common import HomeOption, run
from jisik.errors import InvalidQueryError, JisikError
from jisik.settings import load_settings

QUIT = frozenset({"/quit", "/exit", "/q", "/끝"})
NEW = frozenset({"/new", "/새대화"})
HELP = (
    "질문을 입력하세요. /new 새 대화, /quit 끝내기 (Ctrl-D도 됩니다) / "
    "type a question; /new starts a new conversation, /quit or Ctrl-D ends"
)


def register(app: typer.Typer) -> None:
    app.command("chat")(chat)


def chat(
    home: HomeOption = None,
    resume: Annotated[
        str | None, typer.Option("--resume", help="Continue a conversation by its id.")
    ] = None,
    list_them: Annotated[
        bool, typer.Option("--list", help="List your conversations and exit.")
    ] = False,
    generate: Annotated[
        bool | None,
        typer.Option(
            "--generate/--no-generate",
            help="Generated answers from the configured language model, or quoted sentences.",
        ),
    ] = None,
) -> None:
    """A conversation with your documents: follow-up questions use the earlier turns."""

    def body() -> None:
        from jisik.audit.actors import local_actor, new_trace_id
        from jisik.service import Jisik
        from jisik.types import Requester

        with Jisik(load_settings(home), create=False) as jisik:
            chats = jisik.conversations
            me = Requester(local_actor())
            if list_them:
                for c in chats.list(me):
                    output.console.print(
                        f"{c.id}  {output.escape(c.title or '(제목 없음)')}  [dim]{c.turns} turns[/dim]"
                    )
                return
            conversation = chats.store.get(me.actor, resume) if resume else chats.create(me)
            output.console.print(f"[dim]{HELP}[/dim]")
            while True:
                try:
                    asked = output.console.input("[bold cyan]질문>[/bold cyan] ").strip()
                except EOFError:
                    output.console.print()
                    break
                if not asked:
                    continue
                if asked in QUIT:
                    break
                if asked in NEW:
                    conversation = chats.create(me)
                    output.console.print("[dim]새 대화 / new conversation[/dim]")
                    continue
                who = dataclasses.replace(me, trace_id=new_trace_id())
                try:
                    turn = chats.ask(who, asked, conversation_id=conversation.id, generate=generate)
                except InvalidQueryError as exc:
                    output.err_console.print(f"[red]{output.escape(str(exc))}[/red]")
                    continue
                if turn.standalone.rewritten:
                    output.console.print(
                        f"[dim]질문 이해 (understood as): "
                        f"{output.escape(turn.standalone.question)}[/dim]"
                    )
                provisional = dataclasses.replace(jisik.provisional_label(generate), question="")
                try:
                    output.stream_answer(turn.events, provisional)
                except JisikError as exc:  # one failed turn does not end the conversation
                    output.err_console.print(f"[red]error:[/red] {output.escape(str(exc))}")
            output.console.print(
                f"[dim]conversation {conversation.id} kept: jisik chat --resume {conversation.id}[/dim]"
            )

    run(body)
