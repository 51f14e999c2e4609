"""``jisik pii``: scan files for personal data, report what ingest found, set policies."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from jisik.audit.chain import AuditLog
from jisik.cli import output
from jisik.cli.common import HomeOption, JsonOption, run
from jisik.cli.database import home_database
from jisik.errors import ParseError
from jisik.home import HomeLayout
from jisik.ingest import parsers
from jisik.ingest.discover import discover
from jisik.privacy.detect import PII_TYPES, default_detector
from jisik.privacy.policy import ACTIONS, DEFAULT_ACTIONS, HOME, PiiPolicy, PolicyStore
from jisik.privacy.redact import LABELS, preview
from jisik.settings import load_settings
from jisik.store.records import Records
from jisik.text.analyzer import normalize

pii_app = typer.Typer(no_args_is_help=True, help="Personal data: scan, report, policies.")
policy_app = typer.Typer(no_args_is_help=True, help="What happens to each PII type.")
pii_app.add_typer(policy_app, name="policy")

GroupOption = Annotated[
    str | None, typer.Option("--group", help="A group's policy instead of the home's.")
]


def register(app: typer.Typer) -> None:
    app.add_typer(pii_app, name="pii")


@pii_app.command("scan")
def scan(
    paths: Annotated[list[Path], typer.Argument(help="Files and folders (recursive).")],
    group: GroupOption = None,
    home: HomeOption = None,
    json: JsonOption = False,
) -> None:
    """Find personal data in files without ingesting them; values are shown truncated."""

    def body() -> int:
        policy = _policy(home, group)
        detector = default_detector()
        results = []
        for item in discover(paths):
            entry: dict = {"path": str(item.path), "findings": [], "error": item.problem}
            if not item.problem:
                try:
                    parsed = parsers.parse(item.path)
                except ParseError as exc:
                    entry["error"] = str(exc)
                else:
                    for section in parsed.sections:
                        for f in detector.detect(normalize(section.text)):
                            entry["findings"].append(
                                {
                                    "kind": f.kind,
                                    "location": section.location,
                                    "start": f.start,
                                    "end": f.end,
                                    "preview": preview(f.text),
                                    "confidence": f.confidence,
                                    "action": policy.action(f.kind),
                                }
                            )
            results.append(entry)
        if json:
            output.emit_json(results)
        else:
            _show_scan(results)
        return 1 if any(r["error"] for r in results) else 0

    run(body)


def _show_scan(results: list[dict]) -> None:
    table = Table("file", "location", "type", "value", "action")
    for result in results:
        if result["error"]:
            table.add_row(
                output.escape(result["path"]), "", "", f"[red]{result['error']}[/red]", ""
            )
        for f in result["findings"]:
            table.add_row(
                output.escape(result["path"]),
                output.escape(f["location"]),
                LABELS[f["kind"]],
                output.escape(f["preview"]),
                f["action"],
            )
    output.console.print(table)
    total = sum(len(r["findings"]) for r in results)
    output.console.print(f"{total} findings in {len(results)} files")


@pii_app.command("report")
def report(home: HomeOption = None, json: JsonOption = False) -> None:
    """What the PII scan at ingest found in every stored document, and what it did."""

    def body() -> None:
        with home_database(home) as (_, engine):
            documents = Records(engine).documents()
        rows = [
            {"doc_id": d.doc_id, "title": d.title, "source": d.source, "pii": d.pii}
            for d in documents
        ]
        totals: Counter = Counter()
        for d in documents:
            for kind, seen in (d.pii or {}).items():
                totals[(kind, seen["action"])] += seen["found"]
        if json:
            output.emit_json(
                {
                    "documents": rows,
                    "totals": [
                        {"kind": k, "action": a, "found": n} for (k, a), n in sorted(totals.items())
                    ],
                    "not_scanned": sum(1 for d in documents if d.pii is None),
                }
            )
            return
        table = Table("document", "personal data found → action")
        for row in rows:
            found = ", ".join(
                f"{LABELS[k]} {v['found']} → {v['action']}" for k, v in (row["pii"] or {}).items()
            )
            table.add_row(
                output.escape(row["title"]),
                found or ("not scanned" if row["pii"] is None else "none"),
            )
        output.console.print(table)

    run(body)


@policy_app.command("show")
def policy_show(home: HomeOption = None, json: JsonOption = False) -> None:
    """The home policy and every group's own policy."""

    def body() -> None:
        policies = _policies(home)
        if json:
            output.emit_json({scope: p.as_json() for scope, p in policies.items()})
            return
        table = Table("type", *[("home" if s == HOME else s) for s in policies])
        for kind in PII_TYPES:
            table.add_row(f"{kind} ({LABELS[kind]})", *[p.action(kind) for p in policies.values()])
        output.console.print(table)

    run(body)


@policy_app.command("set")
def policy_set(
    kind: Annotated[str, typer.Argument(help=f"One of: {', '.join(PII_TYPES)}.")],
    action: Annotated[str, typer.Argument(help=f"One of: {', '.join(ACTIONS)}.")],
    group: GroupOption = None,
    home: HomeOption = None,
) -> None:
    """Set the action for one PII type (for the home, or for a group with --group).

    Output follows at once; stored documents keep what their ingest did: re-add them
    to apply a stricter policy to their text."""

    def body() -> None:
        with home_database(home, create=True) as (settings, engine):
            PolicyStore(engine, AuditLog(engine, home=settings.home)).set(
                kind, action, group or HOME
            )
        where = f"group {group}" if group else "the home"
        output.console.print(f"{kind} → {action} for {output.escape(where)}")

    run(body)


@policy_app.command("reset")
def policy_reset(group: GroupOption = None, home: HomeOption = None) -> None:
    """Back to the defaults (the home), or drop a group's own policy."""

    def body() -> None:
        with home_database(home) as (settings, engine):
            PolicyStore(engine, AuditLog(engine, home=settings.home)).reset(group or HOME)
        output.console.print("policy reset")

    run(body)


def _policies(home: Path | None) -> dict[str, PiiPolicy]:
    with home_database(home) as (_, engine):
        return PolicyStore(engine).policies()


def _policy(home: Path | None, group: str | None) -> PiiPolicy:
    """The policy a scan reports against; the defaults when there is no home yet."""
    if not HomeLayout(load_settings(home).home).exists():
        return PiiPolicy(dict(DEFAULT_ACTIONS))
    with home_database(home) as (_, engine):
        store = PolicyStore(engine)
        return store.for_document([group] if group else [])
