"""A real `jisik serve` configured with a language model (a real local HTTP server that
speaks the OpenAI API, tests/llm_server.py): generated answers stream over SSE sentence by
sentence, each checked; the model down means quoted answers with a notice."""

from __future__ import annotations

import json

import httpx
import pytest

from jisik.service import Jisik
from jisik.settings import load_settings
from tests.llm_server import FakeChatServer, Reply
from tests.server.harness import add_user, start


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    llm = FakeChatServer().start()
    home = tmp_path_factory.mktemp("generated") / "home"
    with Jisik(load_settings(home, embedder="none")) as jisik:
        jisik.add_texts(
            [
                (
                    "memo",
                    "회의 안내",
                    "주간 회의는 매주 월요일 10시에 3층 회의실에서 합니다. 불참 시 팀장에게 알립니다.",
                )
            ]
        )
    key = add_user(home, "root", "admin")
    server = start(
        home, JISIK_LLM_BASE_URL=llm.url, JISIK_LLM_MODEL=llm.model, JISIK_LLM_TIMEOUT_S="3"
    )
    yield server, key, llm
    server.stop()
    llm.stop()


def _events(response: httpx.Response) -> list[tuple[str, dict]]:
    events, name = [], ""
    for line in response.iter_lines():
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: "):
            events.append((name, json.loads(line[6:])))
    return events


def test_a_generated_answer_streams_checked_sentences_then_the_whole(world):
    server, key, llm = world
    llm.replies.append(
        Reply(
            "주간 회의는 매주 월요일 10시에 합니다 [1]. 회의는 5층에서 합니다 [1]. 불참 시 팀장에게 알립니다 [1].",
            pieces=6,
        )
    )
    with server.client(key) as client:
        with client.stream(
            "POST", "/v1/ask", json={"question": "주간 회의는 언제 어디서 하나요?", "stream": True}
        ) as response:
            assert response.status_code == 200
            assert "mode=ai-originated" in response.headers["ai-disclosure"]
            events = _events(response)
    names = [name for name, _ in events]
    assert names[-2:] == ["citations", "done"] and names.count("delta") == 2
    done = events[-1][1]
    assert done["generated"] is True and done["answer"] == "".join(
        d["text"] for n, d in events if n == "delta"
    )
    assert "5층" not in done["answer"] and done["unsupported"] == ["회의는 5층에서 합니다 [1]."]
    assert done["digital_source_type"].endswith("trainedAlgorithmicMedia")
    with server.client(key) as client:
        models = [m["id"] for m in client.get("/v1/models").json()["data"]]
    assert models == ["jisik", "jisik-extractive", "jisik-generative"]


def test_the_model_failing_gives_quoted_sentences_with_a_notice(world):
    server, key, llm = world
    llm.replies.extend([Reply(status=500), Reply(status=500), Reply(status=500)])
    with server.client(key) as client:
        answer = client.post("/v1/ask", json={"question": "주간 회의는 언제인가요?"}).json()
    assert (
        answer["generated"] is False
        and "fell back" in answer["notice"]
        and "500" in answer["notice"]
    )
    assert "월요일" in answer["answer"] and answer["citations"]


def test_a_follow_up_is_rewritten_by_the_model_and_the_answer_streams(world):
    server, key, llm = world
    llm.replies.extend(
        [
            Reply("주간 회의는 어디에서 하나요?"),  # the rewrite
            Reply("주간 회의는 3층 회의실에서 합니다 [1].", pieces=3),  # the answer
        ]
    )
    messages = [
        {"role": "user", "content": "주간 회의는 언제 하나요?"},
        {"role": "assistant", "content": "매주 월요일 10시에 합니다 [1]."},
        {"role": "user", "content": "그럼 장소는?"},
    ]
    with server.client(key) as client:
        with client.stream(
            "POST", "/v1/chat/completions", json={"messages": messages, "stream": True}
        ) as response:
            chunks = [
                json.loads(line[6:]) for line in response.iter_lines() if line.startswith("data: {")
            ]
    rewrite = llm.requests[-2]["body"]["messages"]
    assert (
        "주간 회의는 언제 하나요?" in rewrite[1]["content"]
        and "그럼 장소는?" in rewrite[1]["content"]
    )
    prompt = llm.requests[-1]["body"]["messages"][-1]["content"]
    assert "주간 회의는 어디에서 하나요?" in prompt  # the answer is asked the standalone question
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks)
    assert "understood as): 주간 회의는 어디에서 하나요?" in text and "3층 회의실" in text
    last = chunks[-1]
    assert last["jisik"]["rewritten_by"] == "model" and last["jisik"]["ai_generated"] is True
    assert last["usage"]["completion_tokens"] > 0 and last["citations"]
