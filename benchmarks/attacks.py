"""Replay of the hardening issue's attacks (issue 9) at their original sizes, for figures.

    python benchmarks/attacks.py                    # one line per attack
    python benchmarks/attacks.py --record after     # also kept in results/attacks.json
    python benchmarks/attacks.py --pythonpath /tmp/old/src --record before   # another checkout

Each attack runs against a real `jisik serve` (or the service, where the attack was on the
CLI or the library) on a temporary home, and reports what the attacker got: the status or
verdict, the wall time, and the server's resident-memory growth while it answered. The
tests (tests/server/test_limits.py, test_devguard.py, test_privacy_api.py, test_acl.py;
tests/integration/test_erasure_hardening.py; tests/unit/test_audit_checkpoint.py) assert
each outcome; this script only measures it.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.server.harness import add_user, cli, start  # noqa: E402
from tests.server.rawhttp import PeakRss, endless_chunks, exchange, head  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "attacks.json"
PHONE_FORMS = ("010 - 1234 - 5678", "010–1234–5678", "０１０-１２３４-５６７８", "010/1234/5678")


def edge_attacks(workdir: Path) -> list[dict]:
    """Request bodies (defect 9) and dev-mode Host/Origin (defect 10): a dev server on a
    home without users, where keyless requests act as the local admin."""
    home = workdir / "edge" / "home"
    cli(home, "groups", "add", "staff")  # makes the home, adds no user
    server = start(home, "--dev", "--rate-per-minute", "1000000")
    out = []
    try:
        host = f"127.0.0.1:{server.port}"
        json_type = ("Content-Type", "application/json")
        for name, headers, body in (
            (
                "400 MB chunked /v1/ask",
                [("Transfer-Encoding", "chunked")],
                endless_chunks(400_000_000),
            ),
            ("1 GB declared Content-Length /v1/ask", [("Content-Length", str(10**9))], ()),
        ):
            request = head("POST", "/v1/ask", host, json_type, *headers)
            started = time.perf_counter()
            with PeakRss(server.process.pid) as rss:
                try:
                    reply = exchange(server.port, request, body, timeout=120)
                    got = {"status": reply.status, "problem_json": reply.problem}
                    got["body_bytes_accepted"] = reply.sent
                except (TimeoutError, OSError, AssertionError) as exc:
                    got = {"status": f"no answer ({type(exc).__name__})"}
            got["seconds"] = round(time.perf_counter() - started, 2)
            out.append({"attack": name, **got, "server_rss_growth_mb": round(rss.growth_mb, 1)})
        body = json.dumps({"name": "pwned"}).encode()
        for name, headers in (
            ("dev mode, Host: evil.example (DNS rebinding)", [("Host", "evil.example")]),
            ("dev mode, cross-site Origin on a change", [("Origin", "http://evil.example")]),
        ):
            target = "evil.example" if headers[0][0] == "Host" else host
            extra = [h for h in headers if h[0] != "Host"]
            request = head(
                "POST", "/v1/groups", target, json_type, ("Content-Length", str(len(body))), *extra
            )
            reply = exchange(server.port, request, [body])
            out.append({"attack": name, "status": reply.status, "problem_json": reply.problem})
        made = cli(home, "groups", "list", "--json").stdout
        out.append({"attack": "groups created by those requests", "created": "pwned" in made})
    finally:
        server.stop()
    return out


def privacy_attacks(workdir: Path) -> list[dict]:
    """An auditor guessing document text, removing documents by a common word (defect 5),
    an editor publishing a group-only document (defect 6)."""
    import httpx

    home = workdir / "privacy" / "home"
    docs = workdir / "privacy" / "docs"
    docs.mkdir(parents=True)
    (docs / "salary.md").write_text("# 급여\n\n대표이사 연봉은 3억 원이다. 담당 김민수.\n", "utf-8")
    add_user(home, "root", "admin")
    cli(home, "groups", "add", "hr")
    cli(home, "groups", "add", "ops")
    cli(home, "add", str(docs), "--group", "hr")
    auditor = add_user(home, "audit", "auditor", "ops")
    editor = add_user(home, "ed", "editor", "hr")
    outsider = add_user(home, "outsider", "reader")
    server = start(home, "--rate-per-minute", "1000000")
    out = []
    try:
        with httpx.Client(base_url=server.url, timeout=60) as client:

            def call(key, method, path, body=None):
                reply = client.request(
                    method, path, json=body, headers={"Authorization": f"Bearer {key}"}
                )
                return reply.status_code, reply.text

            status, text = call(auditor, "POST", "/v1/privacy/find", {"value": ["연봉은 3억"]})
            out.append(
                {
                    "attack": "auditor: privacy/find with a guessed phrase",
                    "status": status,
                    "confirmed_a_document": '"doc_id"' in text,
                    "text_leaked": "대표이사" in text,
                }
            )
            status, text = call(auditor, "POST", "/v1/privacy/find", {"name": ["김민수"]})
            out.append(
                {
                    "attack": "auditor: find a typed name in an unreadable document",
                    "status": status,
                    "text_leaked": "대표이사" in text or "salary" in text or "급여" in text,
                }
            )

            def documents():
                return json.loads(cli(home, "docs", "list", "--json").stdout)

            doc = documents()[0]["doc_id"]
            status, _ = call(editor, "PATCH", f"/v1/documents/{doc}", {"groups": []})
            out.append(
                {
                    "attack": "editor: PATCH groups [] on an hr-only document",
                    "status": status,
                    "groups_after": [d.get("groups") for d in documents()],
                    "outsider_reads_it": call(outsider, "GET", f"/v1/documents/{doc}")[0],
                }
            )
            status, _ = call(
                auditor,
                "POST",
                "/v1/privacy/erase",
                {"value": ["원이다"], "remove_documents": True},
            )
            out.append(
                {
                    "attack": "auditor: erase a common word with remove_documents",
                    "status": status,
                    "documents_left": len(documents()),
                }
            )
    finally:
        server.stop()
    return out


def governance_attacks(workdir: Path) -> list[dict]:
    """Forged receipt (defect 1), spaced and Unicode phone spellings (defect 4), a deleted
    audit tail (defect 7); run in the library, as the CLI would."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from jisik.audit.chain import AuditLog
    from jisik.privacy.receipts import check_signature, sign
    from jisik.privacy.subject import Subject
    from jisik.service import Jisik
    from jisik.settings import load_settings

    docs = workdir / "gov" / "docs"
    docs.mkdir(parents=True)
    lines = [f"연락처 {i}: {form}" for i, form in enumerate(PHONE_FORMS)]
    (docs / "contacts.md").write_text("# 연락처\n\n홍길동 " + "\n\n".join(lines) + "\n", "utf-8")
    out = []
    with Jisik(load_settings(workdir / "gov" / "home"), create=True) as jisik:
        jisik.add([docs])
        subject = Subject.from_json([{"kind": "phone", "value": "01012345678"}])
        receipt = jisik.privacy_erase(subject).receipt
        text = "\n".join(jisik.records.active_version(d.doc_id).text for d in jisik.documents())
        out.append(
            {
                "attack": "erase a phone written 4 ways (spaced, en dash, full-width, /)",
                "probe_after": receipt["probe_after"],
                "left_in_text": sum(text.count(f) for f in PHONE_FORMS),
            }
        )
        forged = json.loads(json.dumps(receipt))
        forged["removed"]["documents_redacted"].append({"doc_id": "x", "replacements": 1})
        forged = sign(forged, Ed25519PrivateKey.generate())
        check = check_signature(forged, jisik.public_key())
        out.append(
            {
                "attack": "receipt edited and re-signed with a fresh key",
                "valid": check.valid,
                "reason": check.reason,
            }
        )
        for i in range(3):
            jisik.search(f"연락처 {i}")
        last = AuditLog(jisik.engine).verify().events
    with sqlite3.connect(workdir / "gov" / "home" / "jisik.db") as db:
        db.execute("DELETE FROM audit_events WHERE seq > ?", (last - 2,))
    with Jisik(load_settings(workdir / "gov" / "home"), create=False) as jisik:
        found = jisik.audit.verify()
        out.append(
            {
                "attack": "last 2 audit events deleted",
                "verify_ok": found.ok,
                "problems": list(found.problems)[:2],
            }
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pythonpath", help="run the attacks against another checkout's src/")
    parser.add_argument("--only", choices=("edge", "privacy", "governance"), action="append")
    parser.add_argument("--record", help="store the outcomes under this label in results/")
    args = parser.parse_args()
    if args.pythonpath and os.environ.get("PYTHONPATH") != args.pythonpath:
        env = {**os.environ, "PYTHONPATH": args.pythonpath}
        command = [sys.executable, __file__, *[a for a in sys.argv[1:]]]
        raise SystemExit(subprocess.call(command, env=env))
    runs = {"edge": edge_attacks, "privacy": privacy_attacks, "governance": governance_attacks}
    results = []
    with tempfile.TemporaryDirectory(prefix="jisik-attacks-") as tmp:
        for name in args.only or list(runs):
            try:
                found = runs[name](Path(tmp))
            except Exception as exc:  # an older checkout may lack an API: say so, go on
                found = [{"attack": name, "error": f"{type(exc).__name__}: {exc}"[:300]}]
            for row in found:
                print(json.dumps(row, ensure_ascii=False))
            results += found
    if args.record:
        kept = json.loads(RESULTS.read_text("utf-8")) if RESULTS.exists() else {}
        kept[args.record] = results
        RESULTS.write_text(json.dumps(kept, ensure_ascii=False, indent=1) + "\n", "utf-8")


if __name__ == "__main__":
    main()
