"""`jisik ask`/`search` answer through a `jisik serve` running on the same home.

A real server process, the real CLI in other processes: the server's serve.json
(owner-only) is what the CLI finds and trusts; without a live server it answers in its
own process, and nobody else's key can pass for the local operator.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, text

from jisik.local_link import LINK_FILE, LOCAL_ACTOR_HEADER, read_link
from jisik.service import Jisik
from jisik.settings import load_settings
from tests.conftest import write_handbook
from tests.server.harness import add_user, start

QUESTION = "신입사원 연차는 며칠인가요?"


def _cli(home, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "jisik.cli.main", *args, "--home", str(home)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("linked")
    home = root / "home"
    with Jisik(load_settings(home, embedder="none")) as jisik:
        jisik.add([write_handbook(root / "handbook")])
    key = add_user(home, "root", "admin")
    reader = add_user(home, "bora", "reader")
    server = start(home)
    yield server, key, reader
    server.stop()


def test_the_link_is_owner_only_and_names_the_live_server(served):
    server, _, _ = served
    path = server.home / LINK_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    link = read_link(server.home)
    assert link is not None
    assert link.url == server.url and link.pid == server.process.pid


def test_ask_and_search_answer_through_the_server_as_in_process(served):
    server, _, _ = served
    via = _cli(server.home, "ask", QUESTION, "--json", "--verbose")
    assert via.returncode == 0, via.stderr
    assert f"question via {server.url}" in via.stderr
    local = _cli(server.home, "ask", QUESTION, "--json", "--no-server")
    assert local.returncode == 0, local.stderr
    assert "question via" not in local.stderr
    remote_answer, local_answer = json.loads(via.stdout), json.loads(local.stdout)
    assert not remote_answer["abstained"]
    assert remote_answer["answer"] == local_answer["answer"]
    assert remote_answer["citations"] == local_answer["citations"]

    hits = _cli(server.home, "search", "연차 이월", "-k", "3", "--json", "--verbose")
    assert hits.returncode == 0, hits.stderr
    assert f"question via {server.url}" in hits.stderr
    in_process = _cli(server.home, "search", "연차 이월", "-k", "3", "--json", "--no-server")
    assert json.loads(hits.stdout) == json.loads(in_process.stdout) != []

    # The human rendering streams from the server, with its label and citations.
    shown = _cli(server.home, "ask", QUESTION, "--verbose")
    assert shown.returncode == 0 and "[1]" in shown.stdout
    assert f"question via {server.url}" in shown.stderr
    assert "AI" in shown.stdout and local_answer["answer"].split(" [")[0][:20] in shown.stdout


def test_the_server_records_the_shell_user_not_an_api_user(served):
    server, _, _ = served
    assert _cli(server.home, "ask", "출장 숙박비 한도는?", "--server").returncode == 0
    engine = create_engine(f"sqlite:///{server.home / 'jisik.db'}")
    with engine.connect() as connection:
        actor = connection.execute(
            text("SELECT actor FROM audit_events WHERE action = 'ask' ORDER BY seq DESC LIMIT 1")
        ).scalar()
    engine.dispose()
    assert actor.startswith("cli:")


def test_only_the_link_token_is_the_local_operator(served):
    server, key, reader = served
    with server.client("jisik-local-" + "x" * 43) as forged:
        assert forged.get("/v1/search", params={"q": "연차"}).status_code == 401
    # A reader's key with the header is still that reader: no admin paths, own name.
    with server.client(reader) as client:
        client.headers[LOCAL_ACTOR_HEADER] = "cli:root"
        assert client.get("/v1/users").status_code == 403
    link = read_link(server.home)
    with server.client(link.token) as local:
        local.headers[LOCAL_ACTOR_HEADER] = "cli:root; DROP"
        assert local.get("/v1/users").status_code == 200  # an admin, as the shell is


def test_a_stale_link_is_ignored_and_server_mode_says_why(tmp_path, served):
    server, _, _ = served
    home = tmp_path / "home"
    with Jisik(load_settings(home, embedder="none")) as jisik:
        jisik.add_texts([("memo", "메모", "회의는 매주 월요일 10시에 합니다.")])
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    link = {"url": server.url, "pid": int(dead.stdout), "token": "jisik-local-" + "y" * 43}
    (home / LINK_FILE).write_text(json.dumps(link))
    os.chmod(home / LINK_FILE, 0o600)
    answered = _cli(home, "ask", "회의는 언제 하나요?", "--json", "--verbose")
    assert answered.returncode == 0, answered.stderr
    assert "question via" not in answered.stderr
    assert "월요일" in json.loads(answered.stdout)["answer"]
    refused = _cli(home, "ask", "회의는 언제 하나요?", "--server")
    assert refused.returncode != 0
    assert "no `jisik serve` is running" in refused.stderr


def test_the_link_goes_when_the_server_stops(tmp_path_factory):
    home = tmp_path_factory.mktemp("stopping") / "home"
    add_user(home, "root", "admin")
    server = start(home)
    assert (home / LINK_FILE).exists()
    server.stop()  # SIGTERM: a graceful shutdown (uvicorn re-raises the signal after it)
    assert not (home / LINK_FILE).exists()
