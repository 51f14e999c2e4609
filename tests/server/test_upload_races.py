"""Uploads checked again when the job writer activates them (issue 9, defects 3 and 6).

The home's write lock is held by the test while uploads queue up, so that both are
accepted (202) before either is ingested — the race an attacker used: two editors of
different groups uploading the same name, or a public replacement of a group-only
document. The job must re-check and report the loser's file as failed, with the reason.
"""

from __future__ import annotations

import fcntl
from contextlib import contextmanager
from pathlib import Path

import pytest

from jisik.ingest.prepare import document_id
from tests.server.harness import add_user, cli, start, wait_for_job


@contextmanager
def writer_busy(home: Path):
    """Hold the home's write lock: the server's job writer waits behind it."""
    with open(home / ".write.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _upload(client, name: str, text: str, **data):
    response = client.post(
        "/v1/documents", files=[("files", (name, text.encode(), "text/markdown"))], data=data
    )
    assert response.status_code == 202, response.text
    return response.json()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("races")
    home = root / "home"
    cli(home, "groups", "add", "hr")
    cli(home, "groups", "add", "finance")
    keys = {
        "root": add_user(home, "root", "admin"),
        "erin": add_user(home, "erin", "editor", "hr"),
        "fred": add_user(home, "fred", "editor", "finance"),
    }
    server = start(home)
    yield home, server, keys
    server.stop()


def _document(server, key, name):
    with server.client(key) as client:
        return client.get(f"/v1/documents/{document_id('upload:' + name)}")


def test_two_editors_same_name_while_the_writer_is_busy(world):
    home, server, keys = world
    with server.client(keys["erin"]) as erin, server.client(keys["fred"]) as fred:
        with writer_busy(home):
            first = _upload(
                erin, "plan.md", "# 인사 계획\n\nHRSECRET 인사 계획입니다.\n", groups="hr"
            )
            second = _upload(
                fred, "plan.md", "# 재무 계획\n\nFINSECRET 재무 계획입니다.\n", groups="finance"
            )
        won, lost = wait_for_job(erin, first), wait_for_job(fred, second)
    assert won["files"][0]["status"] == "ingested", won
    assert lost["files"][0]["status"] == "failed", lost
    assert "cannot replace it" in lost["files"][0]["error"]
    assert lost["counts"] == {"added": 0, "updated": 0, "unchanged": 0, "failed": 1}
    document = _document(server, keys["root"], "plan.md").json()
    assert "HRSECRET" in document["text"] and "FINSECRET" not in document["text"]
    assert document["groups"] == ["hr"]
    assert _document(server, keys["fred"], "plan.md").status_code == 404


def test_the_same_bytes_cannot_regroup_another_groups_document(world):
    home, server, keys = world
    text = "# 같은 내용\n\nSAMEBYTES 동일한 파일입니다.\n"
    with server.client(keys["erin"]) as erin, server.client(keys["fred"]) as fred:
        with writer_busy(home):
            first = _upload(erin, "same.md", text, groups="hr")
            second = _upload(fred, "same.md", text, groups="finance")
        assert wait_for_job(erin, first)["files"][0]["status"] == "ingested"
        lost = wait_for_job(fred, second)
    assert lost["files"][0]["status"] == "failed" and "cannot replace" in lost["files"][0]["error"]
    assert _document(server, keys["root"], "same.md").json()["groups"] == ["hr"]


def test_an_editor_cannot_make_a_group_document_public(world):
    home, server, keys = world
    with server.client(keys["erin"]) as erin, server.client(keys["root"]) as root:
        done = wait_for_job(erin, _upload(erin, "memo.md", "# 메모\n\nHRMEMO 메모.\n", groups="hr"))
        doc_id = done["files"][0]["doc_id"]
        patched = erin.patch(f"/v1/documents/{doc_id}", json={"groups": []})
        assert patched.status_code == 403 and "admin role" in patched.json()["detail"]
        public = erin.post(
            "/v1/documents",
            files=[("files", ("memo.md", b"# memo\n\nHRMEMO v2\n", "text/markdown"))],
            data={"public": "true"},
        )
        assert public.status_code == 403 and "admin role" in public.json()["detail"]
        # The race: accepted while the document did not exist yet, checked again at activation.
        with writer_busy(home):
            created = _upload(root, "later.md", "# 나중\n\nLATER 인사 전용.\n", groups="hr")
            widened = _upload(erin, "later.md", "# 나중\n\nLATER 공개판.\n", public="true")
        assert wait_for_job(root, created)["files"][0]["status"] == "ingested"
        lost = wait_for_job(erin, widened)
        assert lost["files"][0]["status"] == "failed" and "admin role" in lost["files"][0]["error"]
        later = root.get(f"/v1/documents/{document_id('upload:later.md')}").json()
        assert later["groups"] == ["hr"] and "공개판" not in later["text"]
        # An admin may publish; readers then see it.
        assert root.patch(f"/v1/documents/{doc_id}", json={"groups": []}).status_code == 200
        assert root.get(f"/v1/documents/{doc_id}").json()["groups"] == []


def test_a_new_upload_of_an_editor_may_be_public_and_keep_its_groups(world):
    _, server, keys = world
    with server.client(keys["erin"]) as erin, server.client(keys["fred"]) as fred:
        done = wait_for_job(
            erin, _upload(erin, "open.md", "# 공지\n\nOPENNOTE 전체 공지.\n", public="true")
        )
        assert done["files"][0]["status"] == "ingested"
        assert fred.get(f"/v1/documents/{done['files'][0]['doc_id']}").status_code == 200
