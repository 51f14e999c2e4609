"""The server's layout stays private (issue 9, defect 14).

Readers who are not admins see a document's path relative to the folder that was added
(or an upload's name); admins and the local CLI see absolute paths. Every response a
reader or auditor gets is searched for the server's folder names.
"""

from __future__ import annotations

import json

import pytest

from tests.server.harness import add_user, cli, start, wait_for_job

SECRET_FOLDER = "기밀구조조정팀"  # a folder name that says more than the document


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("paths")
    home = root / "home"
    share = root / "srv" / SECRET_FOLDER / "인사"
    (share / "규정").mkdir(parents=True)
    (share / "규정" / "leave.md").write_text(
        "# 연차 규정\n\n연차는 15일이며 담당자는 최유진입니다.\n", encoding="utf-8"
    )
    single = root / "srv" / SECRET_FOLDER / "memo.md"
    single.write_text("# 메모\n\n연차 신청은 메모 양식으로 합니다.\n", encoding="utf-8")
    cli(home, "add", str(share))
    cli(home, "add", str(single))
    keys = {
        "root": add_user(home, "root", "admin"),
        "rita": add_user(home, "rita", "reader"),
        "audrey": add_user(home, "audrey", "auditor"),
        "erin": add_user(home, "erin", "editor"),
    }
    server = start(home)
    with server.client(keys["erin"]) as erin:
        job = erin.post(
            "/v1/documents",
            files=[("files", ("hr/upload.md", "# 업로드\n\n연차 업로드 문서.\n".encode()))],
        ).json()
        assert wait_for_job(erin, job)["state"] == "done"
    yield server, keys, share
    server.stop()


def _calls(client) -> list[str]:
    bodies = [
        client.get("/v1/search", params={"q": "연차"}).text,
        client.post("/v1/ask", json={"question": "연차는 며칠인가요?"}).text,
        client.post(
            "/v1/chat/completions", json={"messages": [{"role": "user", "content": "연차 규정"}]}
        ).text,
    ]
    listed = client.get("/v1/documents").json()
    bodies.append(json.dumps(listed, ensure_ascii=False))
    for document in listed["documents"]:
        bodies.append(client.get(f"/v1/documents/{document['doc_id']}").text)
    return bodies


def test_readers_see_paths_relative_to_the_added_folder(world):
    server, keys, _ = world
    with server.client(keys["rita"]) as rita:
        for body in _calls(rita):
            assert SECRET_FOLDER not in body and "/srv/" not in body, body[:300]
        sources = {d["source"] for d in rita.get("/v1/documents").json()["documents"]}
    assert sources == {"규정/leave.md", "memo.md", "hr/upload.md"}


def test_auditors_see_relative_paths_in_the_registry_and_privacy_find(world):
    server, keys, _ = world
    with server.client(keys["audrey"]) as audrey:
        registry = audrey.get("/v1/registry").text
        found = audrey.post("/v1/privacy/find", json={"name": ["최유진"]}).text
    for body in (registry, found):
        assert SECRET_FOLDER not in body and "/srv/" not in body, body[:300]
    assert "규정/leave.md" in registry and "규정/leave.md" in found


def test_admins_and_the_cli_see_absolute_paths(world):
    server, keys, share = world
    with server.client(keys["root"]) as root:
        sources = {d["source"] for d in root.get("/v1/documents").json()["documents"]}
    assert str(share / "규정" / "leave.md") in sources
    listed = json.loads(cli(server.home, "docs", "list", "--json").stdout)
    assert str(share / "규정" / "leave.md") in {d["source"] for d in listed}


def test_the_original_file_is_still_served_to_readers(world):
    server, keys, _ = world
    with server.client(keys["rita"]) as rita:
        document = next(
            d for d in rita.get("/v1/documents").json()["documents"] if d["source"] == "memo.md"
        )
        served = rita.get(f"/v1/documents/{document['doc_id']}/file")
    assert served.status_code == 200 and "메모 양식" in served.text
    assert SECRET_FOLDER not in served.headers.get("content-disposition", "")
