"""The server never drops SQLite's locks (issue 9, defect 2).

SQLite's POSIX locks belong to the process: a plain ``open()``/``close()`` of the database
file inside the server (the erasure probe once did that) silently released them, so a CLI
process on the same home later deleted ``jisik.db-shm`` under the running server — every
request a 500 and an upload already answered 202 lost. Here the server is probed, a CLI
writes and exits, more uploads follow, and nothing may be lost.
"""

from __future__ import annotations

from pathlib import Path

from tests.server.harness import add_user, cli, start, wait_for_job

NAME = "박서준"


def test_privacy_probes_then_cli_writes_then_uploads_lose_nothing(tmp_path: Path):
    home, docs = tmp_path / "home", tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text(f"# 공지\n\n담당자는 {NAME} 대리입니다.\n", encoding="utf-8")
    cli(home, "add", str(docs))
    add_user(home, "root", "admin")
    editor = add_user(home, "erin", "editor")
    auditor = add_user(home, "audrey", "auditor")
    server = start(home)
    try:
        with server.client(editor) as e, server.client(auditor) as a:
            for round_ in range(3):
                found = a.post("/v1/privacy/find", json={"name": [NAME]})
                assert found.status_code == 200, found.text
                # Another process writes to the home and exits (its connection closes).
                extra = tmp_path / f"cli-{round_}.md"
                extra.write_text(f"# CLI 문서 {round_}\n\n터미널에서 추가한 문서 CLIDOC{round_}.\n")
                cli(home, "add", str(extra))
                upload = e.post(
                    "/v1/documents",
                    files=[
                        (
                            "files",
                            (f"up-{round_}.md", f"# 업로드 {round_}\n\nUPDOC{round_} 내용.\n"),
                        )
                    ],
                )
                assert upload.status_code == 202, upload.text
                job = wait_for_job(e, upload.json())
                assert job["state"] == "done" and job["files"][0]["status"] == "ingested", job
                assert server.client().get("/readyz").status_code == 200
            for marker in [f"CLIDOC{i}" for i in range(3)] + [f"UPDOC{i}" for i in range(3)]:
                hits = e.get("/v1/search", params={"q": marker}).json()
                assert any(marker in h["text"] for h in hits), marker
            listed = e.get("/v1/documents").json()
            assert listed["total"] == 7
    finally:
        server.stop()
    assert "disk I/O error" not in server.log.read_text()
