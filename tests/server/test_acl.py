"""The permission matrix: users × groups × public/private documents × every endpoint.

A real `jisik serve` on a loopback port; every response body is searched for the
markers of documents its caller may not read. Zero leaks, also after a group
change, a disabled key and a deleted document.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.server.harness import add_user, cli, start, wait_for_job

COMMON = "분기 보고 절차"
QUESTION = "분기 보고 절차는 어떻게 진행하나요?"

# name -> (reader groups, marker); every text shares COMMON so one query finds all.
DOCUMENTS = {
    "public.md": ((), "CODEPUB"),
    "hr.md": (("hr",), "CODEHR"),
    "finance.md": (("finance",), "CODEFIN"),
    "shared.md": (("finance", "hr"), "CODEBOTH"),
}
UPLOADED = ("uploaded.md", ("hr",), "CODEUP")

USERS = {  # name -> (role, groups)
    "root": ("admin", ()),
    "alice": ("reader", ("hr",)),
    "bob": ("reader", ("finance",)),
    "erin": ("editor", ("hr",)),
    "audrey": ("auditor", ()),
    "carol": ("reader", ()),
}


def _text(marker: str) -> str:
    return (
        f"# {marker} 문서\n\n{COMMON}는 매 분기 첫 주에 시작합니다. 담당 부서가 {COMMON}에 따라 "
        f"보고서를 작성하고 관리 번호 {marker}를 붙여 제출합니다.\n"
    )


def _readable(user: str) -> set[str]:
    role, groups = USERS[user]
    everything = {marker for _, marker in DOCUMENTS.values()} | {UPLOADED[2]}
    if role == "admin":
        return everything
    allowed = {m for g, m in DOCUMENTS.values() if not g or set(g) & set(groups)}
    if set(UPLOADED[1]) & set(groups):
        allowed.add(UPLOADED[2])
    return allowed


ALL_MARKERS = {m for _, m in DOCUMENTS.values()} | {UPLOADED[2]}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("acl")
    home, files = root / "home", root / "files"
    files.mkdir()
    cli(home, "groups", "add", "hr")
    cli(home, "groups", "add", "finance")
    keys = {name: add_user(home, name, role, *groups) for name, (role, groups) in USERS.items()}
    for name, (groups, marker) in DOCUMENTS.items():
        (files / name).write_text(_text(marker), encoding="utf-8")
        args = ["add", str(files / name)]
        for group in groups:
            args += ["--group", group]
        cli(home, *args)
    server = start(home)
    with server.client(keys["erin"]) as erin:
        name, groups, marker = UPLOADED
        response = erin.post(
            "/v1/documents",
            files=[("files", (name, _text(marker).encode(), "text/markdown"))],
            data={"groups": list(groups)},
        )
        assert response.status_code == 202, response.text
        assert wait_for_job(erin, response.json())["state"] == "done"
    with server.client(keys["root"]) as admin:
        ids = {
            _marker_of(d["title"]): d["doc_id"]
            for d in admin.get("/v1/documents").json()["documents"]
        }
    yield server, keys, ids
    server.stop()


def _marker_of(title: str) -> str:
    return next(m for m in ALL_MARKERS if m in title)


def _leaks(body: str, allowed: set[str]) -> set[str]:
    return {m for m in ALL_MARKERS - allowed if m in body}


@pytest.mark.parametrize("user", list(USERS))
def test_every_read_endpoint_shows_exactly_the_readable_documents(world, user):
    server, keys, ids = world
    allowed = _readable(user)
    with server.client(keys[user]) as client:
        search = client.get("/v1/search", params={"q": COMMON, "k": 50})
        assert search.status_code == 200
        assert {_marker_of(h["title"]) for h in search.json()} == allowed
        bodies = [search.text]
        for marker in ALL_MARKERS:  # a query only a forbidden document matches
            hits = client.get("/v1/search", params={"q": marker, "k": 5}).json()
            assert (marker in {_marker_of(h["title"]) for h in hits}) == (marker in allowed)
            bodies.append(json.dumps(hits, ensure_ascii=False))

        ask = client.post("/v1/ask", json={"question": QUESTION, "k": 10})
        assert ask.status_code == 200
        assert {ids_by_doc(ids)[c["doc_id"]] for c in ask.json()["citations"]} <= allowed
        streamed = client.post("/v1/ask", json={"question": QUESTION, "stream": True})
        assert streamed.headers["content-type"].startswith("text/event-stream")
        chat = client.post(
            "/v1/chat/completions", json={"messages": [{"role": "user", "content": QUESTION}]}
        )
        chat_stream = client.post(
            "/v1/chat/completions",
            json={"messages": [{"role": "user", "content": QUESTION}], "stream": True},
        )
        assert chat.status_code == chat_stream.status_code == 200
        bodies += [ask.text, streamed.text, chat.text, chat_stream.text]

        listing = client.get("/v1/documents").json()
        assert {_marker_of(d["title"]) for d in listing["documents"]} == allowed
        assert listing["total"] == len(allowed)
        bodies.append(json.dumps(listing, ensure_ascii=False))

        missing_id = "0123456789abcdef"
        missing = client.get(f"/v1/documents/{missing_id}")
        for marker, doc_id in ids.items():
            shown = client.get(f"/v1/documents/{doc_id}")
            original = client.get(f"/v1/documents/{doc_id}/file")
            bodies += [shown.text, original.text]
            if marker in allowed:
                assert shown.status_code == original.status_code == 200
                assert marker in original.text
            else:
                assert shown.status_code == original.status_code == 404
                assert _same_problem(shown.json(), missing.json(), doc_id, missing_id)
        for body in bodies:
            assert not _leaks(body, allowed), body[:500]


def ids_by_doc(ids: dict[str, str]) -> dict[str, str]:
    return {doc_id: marker for marker, doc_id in ids.items()}


def _same_problem(forbidden: dict, missing: dict, doc_id: str, missing_id: str) -> bool:
    def normal(problem: dict, which: str) -> dict:
        return {k: str(v).replace(which, "ID") for k, v in problem.items() if k != "trace_id"}

    return normal(forbidden, doc_id) == normal(missing, missing_id)


@pytest.mark.parametrize("user", ["alice", "bob", "carol", "audrey"])
def test_readers_cannot_manage_documents_or_users(world, user):
    server, keys, ids = world
    with server.client(keys[user]) as client:
        upload = client.post(
            "/v1/documents", files=[("files", ("x.md", b"# x\n\nhello", "text/markdown"))]
        )
        assert upload.status_code == 403
        assert upload.headers["content-type"].startswith("application/problem+json")
        assert client.delete(f"/v1/documents/{ids['CODEPUB']}").status_code == 403
        assert client.get("/v1/users").status_code == 403
        assert client.post("/v1/groups", json={"name": "x"}).status_code == 403


def test_an_editor_cannot_touch_documents_they_cannot_read(world):
    server, keys, ids = world
    with server.client(keys["erin"]) as erin:
        assert erin.delete(f"/v1/documents/{ids['CODEFIN']}").status_code == 404
        assert erin.patch(f"/v1/documents/{ids['CODEFIN']}", json={"groups": []}).status_code == 404
        foreign = erin.post(
            "/v1/documents",
            files=[("files", ("y.md", b"# y\n\nhello", "text/markdown"))],
            data={"groups": ["finance"]},
        )
        assert foreign.status_code == 403 and "finance" in foreign.json()["detail"]


def test_requests_without_a_valid_key_are_refused(world):
    server, _, ids = world
    for key in (None, "jsk_not-a-real-key", "Basic abc"):
        with server.client(key) as client:
            for method, path in (
                ("GET", "/v1/search?q=보고"),
                ("POST", "/v1/ask"),
                ("GET", "/v1/documents"),
                ("GET", f"/v1/documents/{ids['CODEPUB']}"),
                ("GET", "/v1/models"),
                ("POST", "/v1/chat/completions"),
            ):
                response = client.request(method, path, json={"question": "보고"})
                assert response.status_code == 401, (key, path)
                assert response.headers["www-authenticate"].startswith("Bearer")
                assert "CODE" not in response.text


def test_changes_take_effect_on_the_next_request(tmp_path: Path):
    home, files = tmp_path / "home", tmp_path / "files"
    files.mkdir()
    cli(home, "groups", "add", "hr")
    root = add_user(home, "root", "admin")
    alice = add_user(home, "alice", "reader", "hr")
    bob = add_user(home, "bob", "reader", "hr")
    (files / "hr.md").write_text(_text("CODEHR"), encoding="utf-8")
    (files / "pub.md").write_text(_text("CODEPUB"), encoding="utf-8")
    cli(home, "add", str(files / "hr.md"), "--group", "hr")
    cli(home, "add", str(files / "pub.md"))
    server = start(home)
    try:
        with server.client(root) as admin, server.client(alice) as a, server.client(bob) as b:

            def markers(client) -> set[str]:
                hits = client.get("/v1/search", params={"q": COMMON}).json()
                return {_marker_of(h["title"]) for h in hits}

            assert markers(a) == {"CODEHR", "CODEPUB"}
            assert admin.delete("/v1/groups/hr/members/alice").status_code == 200
            assert markers(a) == {"CODEPUB"}  # group change: the very next request
            assert "CODEHR" not in a.get("/v1/documents").text
            assert admin.put("/v1/groups/hr/members/alice").status_code == 200
            assert markers(a) == {"CODEHR", "CODEPUB"}

            assert admin.post("/v1/users/bob/disable").status_code == 200
            assert b.get("/v1/search", params={"q": COMMON}).status_code == 401
            rotated = admin.post("/v1/users/alice/key").json()["api_key"]
            assert a.get("/v1/documents").status_code == 401  # old key revoked
            with server.client(rotated) as a2:
                hr_id = next(
                    d["doc_id"]
                    for d in a2.get("/v1/documents").json()["documents"]
                    if "CODEHR" in d["title"]
                )
                assert admin.delete(f"/v1/documents/{hr_id}").status_code == 200
                assert markers(a2) == {"CODEPUB"}
                assert a2.get(f"/v1/documents/{hr_id}").status_code == 404
                assert a2.get(f"/v1/documents/{hr_id}/file").status_code == 404
                ask = a2.post("/v1/ask", json={"question": QUESTION}).text
                assert "CODEHR" not in ask
    finally:
        server.stop()


def test_server_refuses_to_start_without_an_admin_unless_dev_on_loopback(tmp_path: Path):
    home = tmp_path / "home"
    cli(home, "groups", "add", "hr")
    server = start(home, expect_ready=False)
    assert server.process.wait(120) == 2
    assert "no admin" in server.log.read_text()
    exposed = start(home, "--dev", "--host", "0.0.0.0", expect_ready=False)
    assert exposed.process.wait(120) == 2
    assert "loopback" in exposed.log.read_text()
    dev = start(home, "--dev")
    try:
        with dev.client() as client:
            assert client.get("/v1/documents").status_code == 200
    finally:
        dev.stop()
