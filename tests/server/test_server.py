"""The server beyond permissions: upload jobs, limits, errors, streaming, OpenAI clients,
restarts and the access log. A real `jisik serve` process throughout."""

from __future__ import annotations

import io
import json
import signal
import sqlite3
import threading
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.conftest import HANDBOOK
from tests.server.harness import add_user, cli, start, wait_for_job


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    home = tmp_path_factory.mktemp("served") / "home"
    key = add_user(home, "root", "admin")
    cli(home, "groups", "add", "hr")
    reader = add_user(home, "alice", "reader", "hr")
    server = start(home, "--max-upload-files", "5", "--max-request-mb", "2")
    yield server, key, reader
    server.stop()


def _upload(client: httpx.Client, files: dict[str, bytes], **data) -> httpx.Response:
    return client.post(
        "/v1/documents",
        files=[("files", (name, body, "application/octet-stream")) for name, body in files.items()],
        data=data,
    )


def _corrupt_docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document><broken")
    return buffer.getvalue()


def test_an_upload_job_reports_each_file_and_keeps_the_originals(served):
    server, key, _ = served
    good = {name: text.encode() for name, text in HANDBOOK.items() if name.endswith(".md")}
    good["handbook/security/password.txt"] = HANDBOOK["security/password.txt"].encode("cp949")
    files = {**good, "broken.docx": _corrupt_docx(), "empty.txt": b""}
    with server.client(key) as client:
        response = _upload(client, files, groups="hr")
        assert response.status_code == 202, response.text
        job = wait_for_job(client, response.json())
        assert job["state"] == "done" and job["total"] == 4 and job["done"] == 4
        by_name = {f["name"]: f for f in job["files"]}
        assert by_name["broken.docx"]["status"] == "failed" and by_name["broken.docx"]["error"]
        assert "empty" in by_name["empty.txt"]["error"]
        for name, body in good.items():
            assert by_name[name]["status"] == "ingested"
            doc_id = by_name[name]["doc_id"]
            shown = client.get(f"/v1/documents/{doc_id}").json()
            assert shown["source"] == f"upload:{name}" and shown["groups"] == ["hr"]
            original = client.get(f"/v1/documents/{doc_id}/file")
            assert original.content == body  # the exact bytes, CP949 included
            assert Path(name).name in original.headers["content-disposition"]
        hits = client.get("/v1/search", params={"q": "비밀번호 변경 주기"}).json()
        assert hits[0]["source"] == "upload:handbook/security/password.txt"
        # Re-uploading a name makes a new version of the same document.
        again = _upload(client, {"hr/leave.md": "# leave\n\n연차는 20일입니다.\n".encode()})
        assert wait_for_job(client, again.json())["counts"]["updated"] == 1
        doc_id = by_name["hr/leave.md"]["doc_id"]
        assert client.get(f"/v1/documents/{doc_id}").json()["version"] == 2


def test_limits_and_validation_answer_with_problem_documents(served):
    server, key, _ = served
    with server.client(key) as client:
        too_many = _upload(client, {f"{i}.md": b"# x\n\ntext" for i in range(6)})
        assert too_many.status_code == 413 and "limit is 5" in too_many.json()["detail"]
        too_big = _upload(client, {"big.txt": b"a" * 2_500_000})
        assert too_big.status_code == 413
        long_query = client.get("/v1/search", params={"q": "가" * 2001})
        wrong_k = client.get("/v1/search", params={"q": "연차", "k": 0})
        bad_json = client.post(
            "/v1/ask", content=b"{not json", headers={"content-type": "application/json"}
        )
        no_text = client.post("/v1/ask", json={"question": "?!"})
        unknown_group = _upload(client, {"a.md": b"# a\n\ntext"}, groups="nope")
        traversal = _upload(client, {"../../etc/passwd.md": b"# a\n\n text"})
        for response, status in (
            (long_query, 422),
            (wrong_k, 422),
            (bad_json, 422),
            (no_text, 422),
            (unknown_group, 404),
        ):
            assert response.status_code == status, response.text
            problem = response.json()
            assert response.headers["content-type"].startswith("application/problem+json")
            assert problem["status"] == status and problem["detail"] and problem["title"]
            assert "Traceback" not in response.text
        assert "groups add" in unknown_group.json()["detail"]
        assert traversal.status_code == 202
        job = wait_for_job(client, traversal.json())
        assert job["files"][0]["name"] == "etc/passwd.md"
        assert client.get("/v1/nowhere").json()["status"] == 404


def test_ask_streams_server_sent_events_that_add_up_to_the_answer(served):
    server, key, _ = served
    with server.client(key) as client:
        job = _upload(
            client, {"guide.md": "# 출장\n\n출장비는 하루 5만 원까지 지급합니다.".encode()}
        )
        wait_for_job(client, job.json())
        plain = client.post("/v1/ask", json={"question": "출장비는 하루 얼마까지 지급하나요?"})
        with client.stream(
            "POST",
            "/v1/ask",
            json={"question": "출장비는 하루 얼마까지 지급하나요?", "stream": True},
        ) as streamed:
            events = _sse(streamed.iter_lines())
    names = [name for name, _ in events]
    assert names[0] == "citations" and names[-1] == "done" and "delta" in names
    answer = "".join(data["text"] for name, data in events if name == "delta")
    done = events[-1][1]
    assert answer == done["answer"] == plain.json()["answer"]
    assert done["citations"] == events[0][1]["citations"] and done["citations"]
    assert "5만 원" in answer


def _sse(lines) -> list[tuple[str, dict]]:
    events, name = [], ""
    for line in lines:
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: "):
            events.append((name, json.loads(line[6:])))
    return events


def test_openai_clients_work_against_jisik(served):
    openai = pytest.importorskip("openai")
    server, _, reader = served
    client = openai.OpenAI(base_url=f"{server.url}/v1", api_key=reader)
    # No language model is configured here: the quoted answerer only.
    assert [m.id for m in client.models.list()] == ["jisik", "jisik-extractive"]
    question = [{"role": "user", "content": "비밀번호는 몇 자 이상이어야 하나요?"}]
    completion = client.chat.completions.create(model="jisik", messages=question)
    content = completion.choices[0].message.content
    assert "12자" in content and "[1]" in content
    usage = completion.usage
    assert usage.prompt_tokens > 0 and usage.completion_tokens > 0
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    with pytest.raises(openai.NotFoundError, match="does not exist"):
        client.chat.completions.create(model="gpt-4o", messages=question)
    assert client.chat.completions.create(model="jisik-extractive", messages=question).usage
    stream = client.chat.completions.create(model="jisik", messages=question, stream=True)
    assert "".join(chunk.choices[0].delta.content or "" for chunk in stream) == content
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=f"{server.url}/v1", api_key="jsk_wrong").models.list()


def test_requests_that_return_content_are_audited_and_answers_labelled(served):
    server, _, reader = served
    with server.client(reader) as client:
        hits = client.get("/v1/search", params={"q": "연차 일수"}).json()
        ask = client.post("/v1/ask", json={"question": "연차는 며칠인가요?"})
        chat = client.post(
            "/v1/chat/completions", json={"messages": [{"role": "user", "content": "연차는?"}]}
        )
        shown = client.get(f"/v1/documents/{hits[0]['doc_id']}")
    for response in (ask, chat):
        disclosure = response.headers["ai-disclosure"]
        assert "mode=" in disclosure and 'provider="jisik"' in disclosure
    labels = ask.json()
    assert labels["ai_generated"] is True and labels["digital_source_type"].startswith(
        "http://cv.iptc.org/newscodes/digitalsourcetype/"
    )
    assert labels["trace_id"] == ask.headers["x-trace-id"] and labels["generated_at"]
    assert chat.json()["jisik"]["trace_id"] == chat.headers["x-trace-id"]
    assert shown.status_code == 200
    with sqlite3.connect(server.home / "jisik.db") as db:
        rows = db.execute(
            "SELECT action, payload_json, trace_id FROM audit_events WHERE actor = 'user:alice'"
        ).fetchall()
    by_action = {action: (json.loads(payload), trace) for action, payload, trace in rows}
    search_payload = by_action["search"][0]
    assert search_payload["query"] == "연차 일수"
    assert {s["doc_id"] for s in search_payload["sources"]} == {h["doc_id"] for h in hits}
    asked = {trace for action, _, trace in rows if action == "ask"}  # ask and chat
    assert {labels["trace_id"], chat.json()["jisik"]["trace_id"]} <= asked
    assert by_action["document.read"][0]["doc_id"] == hits[0]["doc_id"]


def test_follow_ups_and_conversations_over_http(served):
    server, key, reader = served
    password = {"role": "user", "content": "비밀번호는 몇 자 이상이어야 하나요?"}
    follow_up = {"role": "user", "content": "그럼 며칠마다 변경해야 해?"}
    with server.client(reader) as client:
        # A chat client's own history: the follow-up is rewritten, shown and answered.
        history = [password, {"role": "assistant", "content": "12자 이상입니다 [1]"}, follow_up]
        body = client.post("/v1/chat/completions", json={"messages": history}).json()
        content = body["choices"][0]["message"]["content"]
        assert body["jisik"]["rewritten_by"] == "subject"
        assert "비밀번호" in body["jisik"]["standalone_question"]
        assert "understood as" in content and "90일" in content
        # store: a new conversation of the caller's; conversation_id continues it.
        first = client.post("/v1/chat/completions", json={"messages": [password], "store": True})
        conversation = first.json()["jisik"]["conversation_id"]
        more = client.post(
            "/v1/chat/completions", json={"messages": [follow_up], "conversation_id": conversation}
        ).json()
        assert "90일" in more["choices"][0]["message"]["content"]
        with client.stream(
            "POST",
            f"/v1/conversations/{conversation}/messages",
            json={"question": "그건 어떤 인증이 필요해?", "stream": True},
        ) as response:
            assert response.status_code == 200
            events = _sse(response.iter_lines())
        assert events[0][0] == "question" and events[0][1]["asked"] == "그건 어떤 인증이 필요해?"
        assert events[0][1]["standalone_question"] != events[0][1]["asked"]
        assert events[-1][0] == "done"
        listed = client.get("/v1/conversations").json()
        assert listed["total"] == 1 and listed["data"][0]["id"] == conversation
        read = client.get(f"/v1/conversations/{conversation}").json()
        assert [m["role"] for m in read["messages"]] == ["user", "assistant"] * 3
        assert read["messages"][2]["standalone_question"].startswith("비밀번호")
        renamed = client.patch(f"/v1/conversations/{conversation}", json={"title": "보안 문의"})
        assert renamed.json()["title"] == "보안 문의"
        assert client.post("/v1/conversations", json={}).status_code == 201
    with server.client(key) as admin:  # even an admin cannot read someone's conversation
        assert admin.get(f"/v1/conversations/{conversation}").status_code == 404
        assert admin.delete(f"/v1/conversations/{conversation}").status_code == 404
        assert admin.get("/v1/conversations").json()["total"] == 0
    with server.client(reader) as client:
        assert client.delete(f"/v1/conversations/{conversation}").status_code == 204
        assert client.get(f"/v1/conversations/{conversation}").status_code == 404


def test_health_and_readiness(served):
    server, _, _ = served
    assert httpx.get(f"{server.url}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{server.url}/readyz").json()
    assert ready["status"] == "ready" and ready["documents"] >= 1
    assert ready["embedding_backlog"] == 0
    spec = httpx.get(f"{server.url}/openapi.json").json()
    assert "/v1/chat/completions" in spec["paths"]


def test_queries_run_while_an_upload_is_ingested(tmp_path: Path):
    home = tmp_path / "home"
    key = add_user(home, "root", "admin")
    server = start(home, "--max-upload-files", "200")
    try:
        with server.client(key) as client:
            seed = _upload(client, {"seed.md": "# 기준\n\n보안 점검은 매월 실시합니다.".encode()})
            wait_for_job(client, seed.json())
            files = {
                f"bulk/{i:03d}.md": f"# 문서 {i}\n\n{i}번 부서의 회의록입니다. 보고 절차를 따릅니다.\n".encode()
                for i in range(150)
            }
            job = _upload(client, files).json()
            statuses: list[int] = []

            def query() -> None:
                with server.client(key) as c:
                    for _ in range(10):
                        statuses.append(c.get("/v1/search", params={"q": "보안 점검"}).status_code)

            threads = [threading.Thread(target=query) for _ in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert statuses == [200] * 40
            done = wait_for_job(client, job)
            assert done["state"] == "done" and done["counts"]["added"] == 150
    finally:
        # Graceful: uvicorn drains, runs the shutdown, then re-raises SIGTERM.
        assert server.stop() in (0, -signal.SIGTERM)
        assert "Application shutdown complete" in server.log.read_text()


def test_a_job_interrupted_by_a_crash_is_resumed_on_restart(tmp_path: Path):
    home = tmp_path / "home"
    key = add_user(home, "root", "admin")
    server = start(home, "--max-upload-files", "200")
    files = {
        f"batch/{i:03d}.md": f"# 기록 {i}\n\n{i}번째 점검 기록입니다. 이상 없음.\n".encode()
        for i in range(120)
    }
    with server.client(key) as client:
        job = _upload(client, files).json()
    server.stop(signal.SIGKILL)
    restarted = start(home)
    try:
        with restarted.client(key) as client:
            done = wait_for_job(client, job)
            assert "resuming upload job" in restarted.log.read_text()
            assert done["state"] == "done"
            assert all(f["status"] == "ingested" for f in done["files"])
            listing = client.get("/v1/documents", params={"limit": 1000}).json()
            sources = [d["source"] for d in listing["documents"]]
            assert sorted(sources) == sorted(f"upload:{name}" for name in files)  # once each
            stats = cli(home, "stats", "--json").stdout
            assert json.loads(stats)["documents"] == 120
    finally:
        restarted.stop()


def test_each_key_is_rate_limited(tmp_path: Path):
    home = tmp_path / "home"
    key = add_user(home, "root", "admin")
    other = add_user(home, "other", "reader")
    server = start(home, "--rate-per-minute", "3")
    try:
        with server.client(key) as client:
            statuses = [client.get("/v1/documents").status_code for _ in range(4)]
            assert statuses == [200, 200, 200, 429]
            limited = client.get("/v1/documents")
            assert int(limited.headers["retry-after"]) >= 1
            assert "rate limit" in limited.json()["detail"]
        with server.client(other) as client:  # another key has its own allowance
            assert client.get("/v1/documents").status_code == 200
    finally:
        server.stop()
