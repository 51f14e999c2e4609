"""The ``jisik`` command as a user runs it: a real process, real files, JSON contracts."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import write_handbook


def run(*args: str, home: Path, check: bool = True, embedder: str | None = "hashing"):
    command = [sys.executable, "-m", "jisik.cli.main", *args, "--home", str(home)]
    if embedder and args[0] in ("add", "search", "ask", "demo"):
        command += ["--embedder", embedder]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    if check:
        assert result.returncode == 0, result.stderr
    return result


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return write_handbook(tmp_path / "handbook")


def test_add_search_ask_docs_stats_json_contracts(home, folder):
    added = json.loads(run("add", str(folder), "--json", home=home).stdout)
    assert added == {"added": 4, "updated": 0, "unchanged": 0, "excluded": 0, "failed": [], "embedding_backlog": 0}

    hits = json.loads(run("search", "비밀번호 변경", "-k", "2", "--json", home=home).stdout)
    assert len(hits) == 2
    assert set(hits[0]) == {
        "doc_id", "version", "title", "source", "location", "start", "end", "score", "text",
        "also_sources",
    }
    assert hits[0]["source"].endswith("password.txt")

    answer = json.loads(run("ask", "비밀번호는 며칠마다 바꿔야 하나요?", "--json", home=home).stdout)
    assert answer["abstained"] is False and answer["ai_generated"] is True
    citation = answer["citations"][0]
    assert set(citation) >= {"n", "doc_id", "title", "source", "location", "start", "end", "text"}
    shown = json.loads(run("docs", "show", citation["doc_id"], "--json", home=home).stdout)
    assert shown["text"][citation["start"] : citation["end"]] == citation["text"]

    listed = json.loads(run("docs", "list", "--json", home=home).stdout)
    assert len(listed) == 4 and all(d["groups"] == [] for d in listed)

    stats = json.loads(run("stats", "--json", home=home).stdout)
    assert stats["documents"] == 4 and stats["lexical_bytes"] > 0
    assert stats["embedder"]["id"].startswith("hashing") and stats["analyzer"]["name"] == "kiwi"

    removed = json.loads(run("docs", "remove", citation["doc_id"], "--json", home=home).stdout)
    assert removed["removed"] == citation["doc_id"]
    again = json.loads(run("search", "비밀번호 변경 90일", "--json", home=home).stdout)
    assert all(h["doc_id"] != citation["doc_id"] for h in again)
    assert run("docs", "show", citation["doc_id"], home=home, check=False).returncode == 2


def test_human_output_labels_answers_and_reports_failures(home, folder):
    (folder / "broken.xlsx").write_bytes(b"not a workbook")
    result = run("add", str(folder), home=home, check=False)
    assert result.returncode == 1
    assert "broken.xlsx" in result.stderr and "Traceback" not in result.stderr
    asked = run("ask", "자기계발비는 얼마인가요?", home=home)
    assert "AI" in asked.stdout and "[1]" in asked.stdout
    no_evidence = run("ask", "화성 탐사선 발사 일정", home=home)
    assert "근거 문서를 찾지 못했습니다" in no_evidence.stdout


def test_links_out_of_the_folder_are_listed_and_followed_only_when_asked(home, folder, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("외부 보관 문서: 접근 코드 7731.", encoding="utf-8")
    (folder / "secret.txt").symlink_to(outside / "secret.txt")
    result = run("add", str(folder), "--json", home=home, check=False)
    report = json.loads(result.stdout)
    assert result.returncode == 1 and report["added"] == 4
    (skipped,) = report["failed"]
    assert skipped["path"] == str(folder / "secret.txt")
    assert "outside the folder being added" in skipped["error"]
    assert "--follow-symlinks" in skipped["error"]
    hits = json.loads(run("search", "접근 코드 7731", "--json", home=home).stdout)
    assert not any("7731" in h["text"] for h in hits)
    again = json.loads(run("add", str(folder), "--follow-symlinks", "--json", home=home).stdout)
    assert again == {"added": 1, "updated": 0, "unchanged": 4, "excluded": 0, "failed": [], "embedding_backlog": 0}
    hits = json.loads(run("search", "접근 코드 7731", "--json", home=home).stdout)
    assert "7731" in hits[0]["text"]


@pytest.mark.parametrize(
    "args",
    [
        ("ask", "?!"),
        ("ask", ""),
        ("search", "..."),
        ("docs", "show", "nope"),
        ("docs", "remove", "nope"),
    ],
)
def test_bad_input_is_one_clean_line(home, folder, args):
    run("add", str(folder), home=home)
    result = run(*args, home=home, check=False)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().startswith("error:")


def test_missing_home_and_bad_options(tmp_path):
    result = run("search", "연차", home=tmp_path / "none", check=False)
    assert result.returncode == 2 and "jisik add" in result.stderr
    assert "Traceback" not in result.stderr
    bad = run("search", "연차", "-k", "0", home=tmp_path / "none", check=False)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_killed_ingest_leaves_a_consistent_home_and_the_next_add_completes(home, tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(240):
        (folder / f"doc{i:03d}.md").write_text(
            f"# 문서 {i}\n\n" + f"사내 규정 {i}번 항목은 보고서 제출 기한을 {i}일로 정합니다. " * 30,
            encoding="utf-8",
        )
    process = subprocess.Popen(
        [sys.executable, "-m", "jisik.cli.main", "add", str(folder), "--home", str(home),
         "--embedder", "hashing", "--json"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    database = home / "jisik.db"
    deadline = time.monotonic() + 300
    active = 0
    while time.monotonic() < deadline and process.poll() is None:
        if database.exists():
            try:
                with sqlite3.connect(database, timeout=1) as db:
                    active = db.execute(
                        "select count(*) from versions where state='active'"
                    ).fetchone()[0]
            except sqlite3.OperationalError:
                active = 0
            if active:
                break
        time.sleep(0.05)
    assert process.poll() is None, "ingest finished before it could be interrupted"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()

    # What was committed is searchable; nothing half-indexed is visible.
    stats = json.loads(run("stats", "--json", home=home).stdout)
    assert 0 < stats["documents"] < 240
    listed = json.loads(run("docs", "list", "--json", home=home).stdout)
    committed = {d["source"] for d in listed}
    first = sorted(committed)[0]
    number = int(Path(first).stem[3:])
    hits = json.loads(run("search", f"사내 규정 {number}번 항목", "--json", home=home).stdout)
    assert hits and all(h["source"] in committed for h in hits)

    report = json.loads(run("add", str(folder), "--json", home=home).stdout)
    assert report["failed"] == []
    assert report["added"] + report["unchanged"] == 240
    final = json.loads(run("stats", "--json", home=home).stdout)
    assert final["documents"] == 240
    assert final["lexical_entries"] == final["chunks"] == final["dense_entries"]
