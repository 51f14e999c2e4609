"""``jisik audit``: verify, export, look up and prune the audit trail."""

from __future__ import annotations

import json as jsonlib
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from jisik.audit.actors import local_actor
from jisik.audit.chain import AuditLog
from jisik.audit.registry import AnswerRegistry
from jisik.audit.retention import prune
from jisik.cli import output
from jisik.cli.common import HomeOption, JsonOption, run
from jisik.cli.database import home_database
from jisik.errors import InvalidInputError

audit_app = typer.Typer(no_args_is_help=True, help="The audit trail: verify, export, lookup.")


EXIT_BROKEN = 1


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def verify(home: HomeOption = None, json: JsonOption = False) -> None:
    """Check the hash chain: any edited, removed or reordered event is reported (exit 1)."""

    def body() -> int:
        with home_database(home) as (_, engine):
            check = AuditLog(engine).verify()
        if json:
            output.emit_json(
                {
                    "ok": check.ok,
                    "events": check.events,
                    "head": check.head,
                    "problems": list(check.problems),
                }
            )
        elif check.ok:
            output.console.print(f"audit trail intact: {check.events} events, head {check.head}")
        else:
            output.err_console.print(f"[red]audit trail broken[/red] ({check.events} events):")
            for problem in check.problems:
                output.err_console.print(f"  {output.escape(problem)}")
        return 0 if check.ok else EXIT_BROKEN

    run(body)


@audit_app.command("export")
def export(
    since: Annotated[str, typer.Option(help="From this date (YYYY-MM-DD, UTC) on.")] = "1970-01-01",
    out: Annotated[
        Path | None, typer.Option(help="Write JSON Lines here (default: stdout).")
    ] = None,
    home: HomeOption = None,
) -> None:
    """Events as JSON Lines, one per line, in chain order (for auditors)."""

    def body() -> None:
        start = _date(since)
        with home_database(home) as (_, engine):
            audit = AuditLog(engine)
            audit.append(
                "audit.export", local_actor(), since=since, out=str(out.resolve()) if out else None
            )
            handle = open(out, "w", encoding="utf-8") if out else sys.stdout  # noqa: SIM115
            try:
                for event in audit.events(since=start):
                    handle.write(jsonlib.dumps(event.as_json(), ensure_ascii=False) + "\n")
            finally:
                if out:
                    handle.close()

    run(body)


@audit_app.command("lookup")
def lookup(
    text: Annotated[str, typer.Argument(help="The text to check ('-' reads stdin).")],
    home: HomeOption = None,
    json: JsonOption = False,
) -> None:
    """Was this text produced by this jisik? Exit 0 if so, 1 if not."""

    def body() -> int:
        given = sys.stdin.read() if text == "-" else text
        with home_database(home) as (_, engine):
            found = AnswerRegistry(engine).lookup(given)
        matches = [
            {"trace_id": p.trace_id, "generated_at": _iso(p.at), "whole_answer": p.whole}
            for p in found
        ]
        if json:
            output.emit_json({"produced_by_jisik": bool(found), "matches": matches})
        elif found:
            what = "this exact answer" if found[0].whole else "sentences of an answer"
            output.console.print(f"yes: jisik produced {what}")
            for m in matches:
                output.console.print(f"  trace {m['trace_id']} at {m['generated_at']}")
        else:
            output.console.print("no: not an answer of this jisik (or its log was pruned)")
        return 0 if found else 1

    run(body)


@audit_app.command("prune")
def prune_command(
    older_than: Annotated[int, typer.Option("--older-than", help="Days to keep.")],
    home: HomeOption = None,
    json: JsonOption = False,
) -> None:
    """Redact question/answer events older than N days (never fewer than the floor)."""

    def body() -> None:
        with home_database(home) as (settings, engine):
            result = prune(
                AuditLog(engine),
                AnswerRegistry(engine),
                older_than,
                settings.audit_retention_floor_days,
                local_actor(),
            )
        if json:
            output.emit_json(result)
        else:
            output.console.print(
                f"redacted {result['redacted_events']} events older than {older_than} days"
            )

    run(body)


def _date(text: str) -> float:
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC).timestamp()
    except ValueError:
        raise InvalidInputError(f"--since must be a date like 2026-01-31, not {text!r}") from None


def _iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
