"""``jisik privacy`` (data-subject rights) and ``jisik registry`` (the source registry)."""

from __future__ import annotations

import json as jsonlib
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from jisik.audit.actors import local_actor
from jisik.cli import output
from jisik.cli.common import HomeOption, JsonOption, progress_bar, run
from jisik.errors import InvalidInputError
from jisik.keys import public_key_file, public_key_hex, read_public_key_file
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


NameOption = Annotated[list[str] | None, typer.Option("--name", help="A name (repeatable).")]
EmailOption = Annotated[list[str] | None, typer.Option("--email")]
PhoneOption = Annotated[list[str] | None, typer.Option("--phone")]
RrnOption = Annotated[list[str] | None, typer.Option("--rrn", help="Resident number.")]
ValueOption = Annotated[
    list[str] | None,
    typer.Option("--value", help="Any other identifier, literally (4 characters or more)."),
]
PLACES = (
    "old_versions",
    "chunks",
    "lexical_entries",
    "vector_entries",
    "answer_hashes",
    "job_records",
    "conversation_entries",
    "feedback_comments",
    "orphaned_originals",
    "stale_staging_folders",
    "database_file",
)


@privacy_app.command("find")
def find(
    name: NameOption = None,
    email: EmailOption = None,
    phone: PhoneOption = None,
    rrn: RrnOption = None,
    value: ValueOption = None,
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
        for key in PLACES:
            output.console.print(f"{key.replace('_', ' ')}: {found[key]}")
        output.console.print(f"index terms still present: {len(found['lexical_terms'])}")
        output.console.print(
            f"audit events naming them: {len(found['audit_events'])} "
            f"(+{len(found['audit_events_as_actor'])} as the acting user, kept)"
        )
        for e in found["exports"]:
            output.console.print(f"export {output.escape(e['path'])}: {e['lines']} lines")
        for path, count in found["home_files"].items():
            output.console.print(f"file {output.escape(path)}: {count} occurrences")

    run(body)


@privacy_app.command("erase")
def erase_command(
    name: NameOption = None,
    email: EmailOption = None,
    phone: PhoneOption = None,
    rrn: RrnOption = None,
    value: ValueOption = None,
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
        with _open(home) as jisik:
            confirmed = None
            if not yes:
                doomed = jisik.privacy_document_ids(subject) if remove_documents else []
                if not _confirm(doomed, remove_documents):
                    return 1
                confirmed = doomed if remove_documents else None
            with progress_bar(json) as bar:
                task = bar.add_task("rewriting the index", total=None, item="")

                def progress(done: int, total: int, item: str) -> None:
                    bar.update(task, completed=done, total=total, item=item[-40:])

                erased = jisik.privacy_erase(
                    subject, local_actor(), basis, remove_documents, progress, confirmed
                )
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


def _confirm(doomed: list[str], remove_documents: bool) -> bool:
    """Ask before an irreversible erasure; without a terminal, refuse with the fix."""
    if not sys.stdin.isatty():
        raise InvalidInputError(
            "privacy erase cannot be undone and there is no terminal to confirm it on; "
            "add --yes to confirm / 되돌릴 수 없는 작업입니다: 확인하려면 --yes를 붙이세요"
        )
    if remove_documents:
        output.console.print(f"these {len(doomed)} documents will be deleted whole:")
        for doc_id in doomed:
            output.console.print(f"  {doc_id}")
    return typer.confirm("This rewrites documents and the index and cannot be undone. Continue?")


@privacy_app.command("verify")
def verify_command(
    receipt: Annotated[Path, typer.Argument(help="The receipt (JSON).")],
    name: NameOption = None,
    email: EmailOption = None,
    phone: PhoneOption = None,
    rrn: RrnOption = None,
    value: ValueOption = None,
    public_key: Annotated[
        Path | None,
        typer.Option(
            "--public-key",
            help="Verify against this exported key file instead of the home's (no home needed).",
        ),
    ] = None,
    home: HomeOption = None,
    json: JsonOption = False,
) -> None:
    """Check a receipt's signature; with the identifiers, probe every store again."""

    def body() -> int:
        given = any((name, email, phone, rrn, value))
        subject = _subject(name, email, phone, rrn, value) if given else None
        document = load(receipt)
        if public_key is not None and subject is None:
            from jisik.privacy.erasure import verify

            result = verify(document, read_public_key_file(public_key))
        else:
            with _open(home) as jisik:
                if public_key is not None and public_key_hex(
                    read_public_key_file(public_key)
                ) != public_key_hex(jisik.public_key()):
                    raise InvalidInputError(
                        f"{public_key} is not the key of {jisik.layout.root}; drop --public-key "
                        "to use the home's own key"
                    )
                result = jisik.privacy_verify(document, subject)
        if json:
            output.emit_json(result)
        else:
            if result["signature_valid"]:
                output.console.print("signature: valid")
            else:
                output.console.print(
                    f"signature: [red]INVALID[/red] ({output.escape(result['signature_problem'])})"
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


@privacy_app.command("public-key")
def public_key_command(
    out: Annotated[
        Path | None, typer.Option(help="Write the key file here (default: stdout).")
    ] = None,
    home: HomeOption = None,
) -> None:
    """The home's public signing key, for auditors to verify receipts without the home."""

    def body() -> None:
        with _open(home) as jisik:
            text = public_key_file(jisik.public_key())
            jisik.audit.append("privacy.public_key", local_actor(), out=str(out) if out else None)
        if out is None:
            output.console.file.write(text)
        else:
            out.write_text(text, encoding="utf-8")

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
