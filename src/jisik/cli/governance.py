"""``jisik privacy`` (data-subject rights) and ``jisik registry`` (the source registry)."""

from __future__ import annotations

import json as jsonlib
import os
from pathlib import Path
from typing import Annotated

import typer

from jisik.audit.actors import local_actor
from jisik.cli import output
from jisik.cli.common import HomeOption, JsonOption, progress_bar, run
from jisik.errors import InvalidInputError
from jisik.privacy.receipts import load
from jisik.privacy.subject import Subject
from jisik.settings import load_settings
from jisik.sources import registry_csv, registry_rows

privacy_app = typer.Typer(
    no_args_is_help=True, help="Data-subject rights: find, erase, verify (anyone, any country)."
)
registry_app = typer.Typer(no_args_is_help=True, help="The source registry.")


def register(app: typer.Typer) -> None:
    app.add_typer(privacy_app, name="privacy")
    app.add_typer(registry_app, name="registry")


def _open(home: Path | None):
    from jisik.service import Jisik

    return Jisik(load_settings(home), create=False)


def _subject(name, email, phone, rrn, value) -> Subject:
    return Subject.of(name=name, email=email, phone=phone, rrn=rrn, value=value)


@privacy_app.command("find")
def find(
    name: Annotated[list[str] | None, typer.Option("--name", help="A name (repeatable).")] = None,
    email: Annotated[list[str] | None, typer.Option("--email")] = None,
    phone: Annotated[list[str] | None, typer.Option("--phone")] = None,
    rrn: Annotated[list[str] | None, typer.Option("--rrn", help="Resident number.")] = None,
    value: Annotated[
        list[str] | None, typer.Option("--value", help="Any other identifier, literally.")
    ] = None,
    home: HomeOption = None,
    json: JsonOption = False,
) -> None:
    """Every place a person appears: documents, chunks, index, logs, exports, files."""

    def body() -> None:
        subject = _subject(name, email, phone, rrn, value)
        with _open(home) as jisik:
            found = jisik.privacy_find(subject)
        if json:
            output.emit_json(found)
            return
        for d in found["documents"]:
            output.console.print(
                f"document {d['doc_id']}  {output.escape(d['title'])}  "
                f"({d['occurrences']} occurrences)  [dim]{output.escape(d['source'])}[/dim]"
            )
        for key in (
            "old_versions",
            "chunks",
            "lexical_entries",
            "vector_entries",
            "answer_hashes",
            "originals",
            "database_file",
        ):
            output.console.print(f"{key.replace('_', ' ')}: {found[key]}")
        output.console.print(f"index terms still present: {len(found['lexical_terms'])}")
        output.console.print(
            f"audit events naming them: {len(found['audit_events'])} "
            f"(+{len(found['audit_events_as_actor'])} as the acting user, kept)"
        )
        for e in found["exports"]:
            output.console.print(f"export {output.escape(e['path'])}: {e['lines']} lines")

    run(body)


@privacy_app.command("erase")
def erase_command(
    name: Annotated[list[str] | None, typer.Option("--name")] = None,
    email: Annotated[list[str] | None, typer.Option("--email")] = None,
    phone: Annotated[list[str] | None, typer.Option("--phone")] = None,
    rrn: Annotated[list[str] | None, typer.Option("--rrn")] = None,
    value: Annotated[list[str] | None, typer.Option("--value")] = None,
    remove_documents: Annotated[
        bool,
        typer.Option("--remove-documents", help="Delete whole documents instead of redacting."),
    ] = False,
    basis: Annotated[str, typer.Option(help="Why (recorded in the receipt).")] = (
        "data subject's request: GDPR art. 17, PIPA art. 36"
    ),
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    home: HomeOption = None,
    json: JsonOption = False,
) -> None:
    """Remove or redact a person everywhere, physically, and write a signed receipt."""

    def body() -> int:
        subject = _subject(name, email, phone, rrn, value)
        if not yes and not typer.confirm(
            "This rewrites documents and the index and cannot be undone. Continue?"
        ):
            return 1
        with _open(home) as jisik, progress_bar(json) as bar:
            task = bar.add_task("rewriting the index", total=None, item="")

            def progress(done: int, total: int, item: str) -> None:
                bar.update(task, completed=done, total=total, item=item[-40:])

            erased = jisik.privacy_erase(subject, local_actor(), basis, remove_documents, progress)
        if json:
            output.emit_json({**erased.receipt, "path": str(erased.path)})
            return 0
        removed = erased.receipt["removed"]
        output.console.print(
            f"erased: {len(removed['documents_redacted'])} documents redacted, "
            f"{len(removed['documents_removed'])} removed, {removed['chunks']} chunks, "
            f"{removed['audit_events_redacted']} log events"
        )
        left = {k: v for k, v in erased.receipt["probe_after"].items() if v}
        output.console.print("probe after erasure: " + ("nothing found" if not left else str(left)))
        output.console.print(f"signed receipt: {erased.path}")
        return 0 if not left else 1

    run(body)


@privacy_app.command("verify")
def verify_command(
    receipt: Annotated[Path, typer.Argument(help="The receipt (JSON).")],
    name: Annotated[list[str] | None, typer.Option("--name")] = None,
    email: Annotated[list[str] | None, typer.Option("--email")] = None,
    phone: Annotated[list[str] | None, typer.Option("--phone")] = None,
    rrn: Annotated[list[str] | None, typer.Option("--rrn")] = None,
    value: Annotated[list[str] | None, typer.Option("--value")] = None,
    home: HomeOption = None,
    json: JsonOption = False,
) -> None:
    """Check a receipt's signature; with the identifiers, probe every store again."""

    def body() -> int:
        given = any((name, email, phone, rrn, value))
        subject = _subject(name, email, phone, rrn, value) if given else None
        with _open(home) as jisik:
            result = jisik.privacy_verify(load(receipt), subject)
        if json:
            output.emit_json(result)
        else:
            output.console.print(
                "signature: " + ("valid" if result["signature_valid"] else "[red]INVALID[/red]")
            )
            if result["probed"]:
                if not result["identifiers_match"]:
                    output.console.print("[red]these identifiers are not the receipt's[/red]")
                left = {k: v for k, v in result["found"].items() if v}
                output.console.print("stores: " + ("clean" if not left else f"[red]{left}[/red]"))
            else:
                output.console.print(result["note"])
        return 0 if result["ok"] else 1

    run(body)


@registry_app.command("export")
def registry_export(
    format_: Annotated[str, typer.Option("--format", help="csv or json.")] = "json",
    out: Annotated[Path | None, typer.Option(help="Write here (default: stdout).")] = None,
    home: HomeOption = None,
) -> None:
    """Every ingested source: title, path, hash, version, time, groups, PII scan, owner."""

    def body() -> None:
        if format_ not in ("csv", "json"):
            raise InvalidInputError(f"--format must be csv or json, not {format_!r}")
        with _open(home) as jisik:
            rows = registry_rows(jisik.documents())
            jisik.audit.append(
                "registry.export",
                local_actor(),
                format=format_,
                out=str(out.resolve()) if out else None,
                documents=len(rows),
            )
        if format_ == "csv":
            text = registry_csv(rows)
        else:
            text = "\n".join(jsonlib.dumps(r, ensure_ascii=False) for r in rows) + "\n"
        if out is None:
            output.console.file.write(text)
        else:
            partial = out.with_name(out.name + ".partial")
            partial.write_text(text, encoding="utf-8")
            os.replace(partial, out)

    run(body)
