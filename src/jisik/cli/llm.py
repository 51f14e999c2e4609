"""``jisik llm check``: does the configured language model answer, and how."""

from __future__ import annotations

import dataclasses

import typer

from jisik.cli import output
from jisik.cli.common import EXIT_FAILED_ITEMS, HomeOption, JsonOption, run
from jisik.errors import ConfigError
from jisik.settings import load_settings

llm_app = typer.Typer(help="The language model for generated answers.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(llm_app, name="llm")


@llm_app.command("check")
def llm_check(home: HomeOption = None, json: JsonOption = False) -> None:
    """Whether the endpoint answers, which models it serves, and its context size."""

    def body() -> int:
        from jisik.compose import generator_for
        from jisik.llm.check import check

        generator = generator_for(load_settings(home))
        if generator is None:
            raise ConfigError(
                "no language model is configured: set llm_base_url and llm_model in the "
                "home's config.toml, or JISIK_LLM_BASE_URL and JISIK_LLM_MODEL"
            )
        result = check(generator)
        if json:
            output.emit_json(dataclasses.asdict(result))
        else:
            state = "[green]answers[/green]" if result.ok else "[red]problem[/red]"
            output.console.print(f"{state} · {result.base_url} · model {result.model}")
            listed = "listed" if result.listed else "[yellow]not listed[/yellow]"
            output.console.print(
                f"  served: {', '.join(result.served) or '(none listed)'} ({listed})"
            )
            context = result.context_tokens or "not reported"
            output.console.print(
                f"  context: {context} (llm_max_context_tokens {result.configured_context_tokens})"
            )
            if result.reply_seconds is not None:
                output.console.print(f"  a short reply took {result.reply_seconds:.2f} s")
            if result.problem:
                output.err_console.print(f"[red]{output.escape(result.problem)}[/red]")
        return 0 if result.ok else EXIT_FAILED_ITEMS

    run(body)
