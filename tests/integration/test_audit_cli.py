"""`jisik audit checkpoint` and `jisik audit verify --checkpoint --public-key` as an
auditor uses them: export, keep elsewhere, verify a copy of the home that has no keys."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import typer
from typer.testing import CliRunner

from jisik.audit.chain import AuditLog
from jisik.cli.audit import register
from jisik.keys import public_key_file
from jisik.store.database import open_engine, sqlite_url
from tests.unit.audit_tamper import checkpoint_file, home_key, new_home, sql


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.callback()
    def _root() -> None:  # a group, so that `audit` is a subcommand
        pass

    return app


def audit(home: Path, *args: str):
    return CliRunner().invoke(_app(), ["audit", *args, "--home", str(home)])


def test_export_then_verify_a_keyless_copy_against_the_exported_checkpoint(tmp_path: Path):
    home = new_home(tmp_path / "home")
    log = AuditLog(open_engine(sqlite_url(home / "jisik.db")), home=home)
    for i in range(4):
        log.append("ask", "user:kim", f"t{i}", question=f"질문 {i}")
    assert "signed checkpoint at event 5" in audit(home, "verify").stdout

    kept = tmp_path / "auditor" / "checkpoint.json"
    kept.parent.mkdir()
    result = audit(home, "checkpoint", "--out", str(kept))
    assert result.exit_code == 0, result.output
    assert "event 6 (6 events)" in result.stdout
    exported = json.loads(kept.read_text(encoding="utf-8"))
    assert exported["seq"] == 6 and exported == json.loads(checkpoint_file(home).read_text())
    shown = json.loads(audit(home, "checkpoint", "--json").stdout)
    assert shown["seq"] == 7  # each export is itself recorded, then signed
    key = tmp_path / "auditor" / "jisik-public.key"
    key.write_text(public_key_file(home_key(home).public_key()), encoding="utf-8")

    copy = tmp_path / "copy"
    shutil.copytree(home, copy, ignore=shutil.ignore_patterns("secrets"))
    ok = audit(copy, "verify", "--checkpoint", str(kept), "--public-key", str(key), "--json")
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["checkpoint_seq"] == 7
    assert audit(copy, "verify", "--checkpoint", str(kept)).exit_code == 1  # no key to check

    sql(copy / "jisik.db", "DELETE FROM audit_events WHERE seq > 3")
    checkpoint_file(copy).unlink()  # rolled back with it: the exported one still tells
    broken = audit(copy, "verify", "--checkpoint", str(kept), "--public-key", str(key))
    assert broken.exit_code == 1
    assert "event 6, the head it signed, is missing: 3 events removed from the end" in (
        broken.stderr
    )
    assert not (copy / "secrets").exists()


def test_reanchor_after_an_incident_is_recorded(tmp_path: Path):
    home = new_home(tmp_path / "home")
    log = AuditLog(open_engine(sqlite_url(home / "jisik.db")), home=home)
    for i in range(4):
        log.append("ask", "user:kim", f"t{i}", question=f"질문 {i}")
    sql(home / "jisik.db", "DELETE FROM audit_events WHERE seq = 5")  # the signed head
    assert audit(home, "verify").exit_code == 1
    refused = audit(home, "checkpoint")  # recorded as a new event 5, which it cannot sign
    assert refused.exit_code == 2 and "--reanchor" in refused.stderr
    done = audit(home, "checkpoint", "--reanchor")
    assert done.exit_code == 0 and "re-anchored" in done.stdout
    verified = json.loads(audit(home, "verify", "--json").stdout)
    assert verified["ok"], verified
    anchor = [e for e in log.events() if e.action == "audit.anchor"][-1]
    assert anchor.seq == 6 and anchor.payload["previous"]["seq"] == 5
    assert anchor.payload["events_before"] == 5
    assert any("event 5 is not the event it signed" in p for p in anchor.payload["problems"])


def test_a_checkpoint_file_that_is_not_json_names_the_fix(tmp_path: Path):
    home = new_home(tmp_path / "home")
    bad = tmp_path / "cp.json"
    bad.write_text("not json", encoding="utf-8")
    result = audit(home, "verify", "--checkpoint", str(bad))
    assert result.exit_code == 2 and "jisik audit checkpoint --out" in result.stderr
