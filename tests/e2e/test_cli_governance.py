"""`jisik pii|privacy|audit|registry` as a user runs them: real processes, real files."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

NAME, PHONE = "박지훈", "010-3456-7890"


def run(*args: str, home: Path, ok: bool = True, stdin: str | None = None):
    result = subprocess.run(
        [sys.executable, "-m", "jisik.cli.main", *args, "--home", str(home)],
        capture_output=True,
        text=True,
        timeout=600,
        input=stdin,
        check=False,
    )
    if ok:
        assert result.returncode == 0, result.stderr + result.stdout
    return result


def test_pii_scan_report_and_policies(tmp_path: Path):
    home, docs = tmp_path / "home", tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text(
        f"# 명부\n\n{NAME}의 주민등록번호는 900101-1234568이고 전화는 {PHONE}입니다.\n",
        encoding="utf-8",
    )
    scan = json.loads(run("pii", "scan", str(docs), "--json", home=home).stdout)
    kinds = {(f["kind"], f["action"]) for f in scan[0]["findings"]}
    assert kinds == {("rrn", "mask"), ("phone", "allow")}
    assert all("1234568" not in f["preview"] for f in scan[0]["findings"])  # never in full
    run("pii", "policy", "set", "phone", "pseudonymize", home=home)
    run("add", str(docs), home=home)
    report = json.loads(run("pii", "report", "--json", home=home).stdout)
    assert report["documents"][0]["pii"] == {
        "phone": {"found": 1, "action": "pseudonymize"},
        "rrn": {"found": 1, "action": "mask"},
    }
    policies = json.loads(run("pii", "policy", "show", "--json", home=home).stdout)
    assert policies["*"]["phone"] == "pseudonymize"
    bad = run("pii", "policy", "set", "phone", "shred", home=home, ok=False)
    assert bad.returncode == 2 and "allow, pseudonymize, mask, block" in bad.stderr


def test_erasure_audit_and_registry_from_the_command_line(tmp_path: Path):
    home, docs = tmp_path / "home", tmp_path / "docs"
    docs.mkdir()
    for i in range(3):
        (docs / f"m{i}.md").write_text(
            f"# 회의록 {i}\n\n참석자 {NAME} 책임의 연락처는 {PHONE}이며 {i + 1}분기 계획을 발표했습니다.\n",
            encoding="utf-8",
        )
    run("add", str(docs), "--owner", "경영지원팀", "--licence", "internal", home=home)
    asked = json.loads(run("ask", f"{NAME} 책임의 연락처는?", "--json", home=home).stdout)
    assert PHONE in asked["answer"]
    lookup = run("audit", "lookup", asked["answer"], home=home)
    assert "yes" in lookup.stdout
    assert (
        run(
            "audit", "lookup", "제가 직접 쓴 문장입니다. 시스템과 무관합니다.", home=home, ok=False
        ).returncode
        == 1
    )
    export = tmp_path / "registry.csv"
    run("registry", "export", "--format", "csv", "--out", str(export), home=home)
    rows = export.read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("doc_id,title,source") and len(rows) == 4
    assert "경영지원팀" in rows[1] and "internal" in rows[1] and "found, allowed" in rows[1]

    found = json.loads(
        run("privacy", "find", "--name", NAME, "--phone", PHONE, "--json", home=home).stdout
    )
    assert len(found["documents"]) == 3 and found["audit_events"]
    erased = json.loads(
        run(
            "privacy", "erase", "--name", NAME, "--phone", PHONE, "--yes", "--json", home=home
        ).stdout
    )
    assert not any(erased["probe_after"].values())
    receipt = Path(erased["path"])
    verified = json.loads(
        run(
            "privacy", "verify", str(receipt), "--name", NAME, "--phone", PHONE, "--json", home=home
        ).stdout
    )
    assert verified["ok"] and verified["signature_valid"]
    assert "valid" in run("privacy", "verify", str(receipt), home=home).stdout

    assert "intact" in run("audit", "verify", home=home).stdout
    with sqlite3.connect(home / "jisik.db") as db:
        db.execute("UPDATE audit_events SET action = 'search' WHERE seq = 2")
    broken = run("audit", "verify", home=home, ok=False)
    assert broken.returncode == 1 and "event 2" in broken.stderr
    events = run("audit", "export", "--since", "2020-01-01", home=home).stdout.splitlines()
    assert events and all(json.loads(line)["seq"] for line in events)
    assert NAME not in "\n".join(events)
