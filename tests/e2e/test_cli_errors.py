"""Errors that used to escape the CLI (issue 9, defect 11): one line, exit 2, the fix."""

from __future__ import annotations

import json
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import write_handbook


def jisik(home: Path, *args: str, limit_bytes: int | None = None, stdin=subprocess.DEVNULL):
    def limited() -> None:
        # A file-size limit makes every write past it fail as a full disk would (EFBIG).
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    return subprocess.run(
        [sys.executable, "-m", "jisik.cli.main", *args, "--home", str(home)],
        capture_output=True,
        text=True,
        stdin=stdin,
        timeout=300,
        check=False,
        preexec_fn=limited if limit_bytes else None,
    )


def _bulky(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True)
    for i in range(count):
        (folder / f"note-{i}.md").write_text(
            f"# 점검 기록 {i}\n\n"
            + f"보안 점검 절차와 비밀번호 변경 주기를 안내합니다. 기록 {i}. " * 400,
            encoding="utf-8",
        )
    return folder


def test_a_full_disk_is_one_line_and_the_home_stays_consistent(tmp_path):
    home = tmp_path / "home"
    assert jisik(home, "add", str(write_handbook(tmp_path / "hb"))).returncode == 0
    size = max(p.stat().st_size for p in home.rglob("*") if p.is_file())
    bulky = _bulky(tmp_path / "bulky", 40)
    failed = jisik(home, "add", str(bulky), limit_bytes=size + 200_000)
    assert failed.returncode == 2, failed.stderr
    assert "Traceback" not in failed.stderr
    errors = [line for line in failed.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "full" in errors[0] and "run the command again" in errors[0]
    # Nothing committed before was damaged, and the next run completes the job.
    again = jisik(home, "add", str(bulky), "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["added"] == 40
    listed = json.loads(jisik(home, "docs", "list", "--json").stdout)
    assert len(listed) == 44
    assert jisik(home, "audit", "verify").returncode == 0
    hits = json.loads(jisik(home, "search", "신입사원 연차", "--json").stdout)
    assert hits and "leave" in hits[0]["source"]


def test_erase_without_a_terminal_asks_for_yes(tmp_path):
    home = tmp_path / "home"
    assert jisik(home, "add", str(write_handbook(tmp_path / "hb"))).returncode == 0
    result = jisik(home, "privacy", "erase", "--name", "김민준", "--json")
    assert result.returncode == 2
    assert "add --yes" in result.stderr and result.stdout == ""


@pytest.mark.parametrize("create", [False, True])
def test_add_refuses_an_unknown_group_unless_asked_to_create_it(tmp_path, create):
    home = tmp_path / "home"
    folder = write_handbook(tmp_path / "hb")
    args = ["add", str(folder), "--group", "인사팀"] + (["--create-groups"] if create else [])
    result = jisik(home, *args)
    if not create:
        assert result.returncode == 2
        assert "jisik groups add 인사팀" in result.stderr and "--create-groups" in result.stderr
        assert (
            not (home / "jisik.db").exists()
            or json.loads(jisik(home, "docs", "list", "--json").stdout) == []
        )
    else:
        assert result.returncode == 0, result.stderr
        groups = json.loads(jisik(home, "groups", "list", "--json").stdout)
        assert [g["name"] for g in groups] == ["인사팀"]


def test_add_exclude_counts_what_it_left_out_and_refuses_a_bad_pattern(tmp_path: Path):
    handbook = write_handbook(tmp_path / "handbook")
    home = tmp_path / "home"
    bad = jisik(home, "add", str(handbook), "--exclude", "!")
    assert bad.returncode == 2 and "--exclude '!' is not a valid pattern" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
    done = jisik(home, "add", str(handbook), "-x", "*.csv", "--exclude", "general/", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["added"], report["excluded"], report["failed"]) == (2, 2, [])
