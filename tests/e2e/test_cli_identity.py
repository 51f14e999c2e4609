"""``jisik users`` and ``jisik groups`` as a user runs them: a real process, a real home."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from jisik.identity.keys import hash_key


def run(*args: str, home: Path, check: bool = True) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "jisik.cli.main", *args, "--home", str(home)]
    result = subprocess.run(command, check=False, capture_output=True, text=True, timeout=120)
    if check:
        assert result.returncode == 0, result.stderr
    return result


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def test_users_and_groups_on_a_new_home(home):
    run("groups", "add", "인사팀", "--description", "HR", home=home)
    assert (home / "manifest.json").exists()  # the home was created properly

    added = json.loads(
        run(
            "users", "add", "김민수", "--role", "reader", "--group", "인사팀", "--json", home=home
        ).stdout
    )
    assert set(added) == {"name", "role", "groups", "api_key"}
    assert added["name"] == "김민수" and added["role"] == "reader" and added["groups"] == ["인사팀"]
    key = added["api_key"]
    with sqlite3.connect(home / "jisik.db") as raw:
        assert raw.execute("SELECT key_hash FROM api_keys").fetchall() == [(hash_key(key),)]

    human = run("users", "add", "root", "--role", "admin", home=home)
    assert "jsk_" in human.stdout and "shown only once" in human.stderr

    listed = json.loads(run("users", "list", "--json", home=home).stdout)
    assert [(u["name"], u["role"], u["groups"], u["enabled"]) for u in listed] == [
        ("root", "admin", [], True),
        ("김민수", "reader", ["인사팀"], True),
    ]
    assert listed[1]["key_prefix"] == key[:8]
    assert key not in run("users", "list", home=home).stdout

    assert json.loads(run("users", "disable", "김민수", "--json", home=home).stdout) == {
        "name": "김민수",
        "enabled": False,
    }
    listed = json.loads(run("users", "list", "--json", home=home).stdout)
    assert [u["enabled"] for u in listed] == [True, False]

    members = json.loads(
        run(
            "groups",
            "members",
            "인사팀",
            "--add",
            "root",
            "--remove",
            "김민수",
            "--json",
            home=home,
        ).stdout
    )
    assert members == {"name": "인사팀", "description": "HR", "members": ["root"]}
    groups = json.loads(run("groups", "list", "--json", home=home).stdout)
    assert groups == [members]

    rotated = json.loads(run("users", "rotate-key", "김민수", "--json", home=home).stdout)
    assert set(rotated) == {"name", "api_key"} and rotated["api_key"] != key


def test_errors_are_one_line_with_exit_code_2(home):
    missing = run("users", "list", home=home, check=False)
    assert missing.returncode == 2 and "no jisik home" in missing.stderr

    run("users", "add", "root", "--role", "admin", home=home)
    for args, message in (
        (("users", "add", "kim", "--role", "boss"), "admin, editor, reader, auditor"),
        (("users", "add", "kim", "--role", "reader", "--group", "hr"), "jisik groups add hr"),
        (("users", "add", "root", "--role", "reader"), "already exists"),
        (("users", "disable", "root"), "last enabled admin"),
        (("users", "enable", "nobody"), "no user named 'nobody'"),
        (("groups", "members", "hr"), "no group named 'hr'"),
    ):
        result = run(*args, home=home, check=False)
        assert result.returncode == 2, args
        assert message in result.stderr and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_identity_commands_work_on_a_home_with_documents(home, tmp_path):
    doc = tmp_path / "a.txt"
    doc.write_text("비밀번호는 90일마다 변경합니다.", encoding="utf-8")
    run("add", str(doc), home=home)
    run("users", "add", "editor1", "--role", "editor", home=home)
    assert json.loads(run("docs", "list", "--json", home=home).stdout)[0]["title"]
