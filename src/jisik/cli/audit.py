"""``jisik audit``: verify, checkpoint, export, look up and prune the audit trail."""

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
from jisik.keys import read_public_key_file
from jisik.store.conversations import ConversationStore
from jisik.store.feedback import FeedbackStore

audit_app = typer.Typer(no_args_is_help=True, help="The audit trail: verify, export, lookup.")


EXIT_BROKEN = 1


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def verify(
    checkpoint: Annotated[
        Path | None,
        typer.Option(
            "--checkpoint",
            help="Also check against a checkpoint exported earlier (`jisik audit checkpoint "
            "--out`): shows a removed tail even if the home's own checkpoint was rolled back.",
        ),
    ] = None,
    public_key: Annotated[
        Path | None,
        typer.Option(
            "--public-key",
            help="Check signatures against this exported public key (`jisik privacy "
            "public-key`), not the home's own key; works without the private key.",
        ),
    ] = None,
    home: HomeOption = None,
    json: JsonOption = False,
) -> None:
    """Check the hash chain, its redactions and the signed checkpoint: any edited, removed,
    reordered or falsely redacted event is reported (exit 1)."""

    def body() -> int:
        exported = _read_checkpoint(checkpoint) if checkpoint else None
        key = read_public_key_file(public_key) if public_key else None
        with home_database(home) as (settings, engine):
            check = AuditLog(engine, home=settings.home).verify(exported, key)
        if json:
            output.emit_json(
                {
                    "ok": check.ok,
                    "events": check.events,
                    "head": check.head,
                    "checkpoint_seq": check.checkpoint_seq,
                    "unanchored": check.unanchored,
                    "problems": list(check.problems),
                }
            )
        elif check.ok:
            output.console.print(
                f"audit trail intact: {check.events} events, head {check.head}"
                + _anchoring(check.checkpoint_seq, check.unanchored, check.events)
                + (" (and as the exported checkpoint signed it)" if exported else "")
            )
        else:
            output.err_console.print(f"[red]audit trail broken[/red] ({check.events} events):")
            for problem in check.problems:
                output.err_console.print(f"  {output.escape(problem)}")
        return 0 if check.ok else EXIT_BROKEN

    run(body)


@audit_app.command("checkpoint")
def checkpoint_command(
    out: Annotated[
        Path | None, typer.Option(help="Write the signed checkpoint here (default: stdout).")
    ] = None,
    reanchor: Annotated[
        bool,
        typer.Option(
            "--reanchor",
            help="Sign the trail's head as it is now although the home's checkpoint is "
            "missing or contradicted (after a restore or an incident); recorded in the trail "
            "with what it replaced.",
        ),
    ] = False,
    home: HomeOption = None,
    json: JsonOption = False,
) -> None:
    """Export the signed checkpoint of the trail's head. Keep it, with the public key
    (`jisik privacy public-key`), away from this machine: `jisik audit verify --checkpoint`
    then shows any later removal of what it covers."""

    def body() -> None:
        with home_database(home) as (settings, engine):
            audit = AuditLog(engine, home=settings.home)
            if reanchor:
                document = audit.reanchor(local_actor())
            else:
                document = audit.export_checkpoint(
                    local_actor(), str(out.resolve()) if out else None
                )
        text = jsonlib.dumps(document, ensure_ascii=False, indent=2) + "\n"
        if out:
            out.write_text(text, encoding="utf-8")
        if json or not (out or reanchor):
            sys.stdout.write(text)
            return
        what = "re-anchored: signed" if reanchor else "signed"
        output.console.print(
            f"{what} the head, event {document['seq']} ({document['events']} events), key "
            f"{document['signature']['key_id']}" + (f"; written to {out}" if out else "")
        )

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
        with home_database(home) as (settings, engine):
            audit = AuditLog(engine, home=settings.home)
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
    """Redact question/answer events and delete conversation turns older than N days
    (never fewer than the floor)."""

    def body() -> None:
        with home_database(home) as (settings, engine):
            result = prune(
                AuditLog(engine, home=settings.home),
                AnswerRegistry(engine),
                older_than,
                settings.audit_retention_floor_days,
                local_actor(),
                ConversationStore(engine),
                FeedbackStore(engine),
            )
        if json:
            output.emit_json(result)
        else:
            output.console.print(
                f"redacted {result['redacted_events']} events and deleted "
                f"{result['conversation_turns_deleted']} conversation turns older than "
                f"{older_than} days"
            )

    run(body)


def _anchoring(checkpoint_seq: int | None, unanchored: int, events: int) -> str:
    if checkpoint_seq is None:
        return "; no signed checkpoint yet (the next event signs one)" if events else ""
    later = f", {unanchored} later events not yet signed" if unanchored else ""
    return f"; signed checkpoint at event {checkpoint_seq}{later}"


def _read_checkpoint(path: Path) -> object:
    try:
        return jsonlib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInputError(f"cannot read the checkpoint {path}: {exc}") from exc
    except ValueError:
        raise InvalidInputError(
            f"{path} is not JSON: pass a file written by `jisik audit checkpoint --out`"
        ) from None


def _date(text: str) -> float:
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC).timestamp()
    except ValueError:
        raise InvalidInputError(f"--since must be a date like 2026-01-31, not {text!r}") from None


def _iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
