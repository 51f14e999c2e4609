"""``jisik ask``/``search`` through a ``jisik serve`` running on the same home.

The server has Kiwi and the embedder loaded, so a question from the shell is answered in
milliseconds instead of the seconds a fresh process spends loading them. The server is
found and trusted through the home's ``serve.json`` (``jisik.local_link``); when it is
missing, stale or the server does not answer, the command answers in its own process.
The audit trail records the same actor either way ("cli:LOGIN").
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from jisik.answer.events import AnswerEvent, DeltaEvent, FinalEvent
from jisik.audit.actors import local_actor
from jisik.errors import ConfigError, JisikError
from jisik.local_link import LOCAL_ACTOR_HEADER, LocalLink, read_link
from jisik.shapes import answer_from_json, hit_from_json
from jisik.types import Answer, Hit

CONNECT_TIMEOUT_S = 1.0
ANSWER_TIMEOUT_S = 120.0  # a question waits behind an ingest batch's write at most this


def server_for(root: Path, use: bool | None) -> LocalLink | None:
    """The running server to use: ``use`` None means when there is one, False never,
    True always (an error when none runs)."""
    if use is False:
        return None
    link = read_link(root)
    if link is None and use:
        raise ConfigError(
            f"no `jisik serve` is running on {root}; start one (`jisik serve --home {root}`) "
            "or leave out --server"
        )
    return link


def ask(link: LocalLink, question: str, generate: bool | None = None) -> Answer | None:
    """The server's answer, or None when it cannot be reached (answer in-process)."""
    body: dict = {"question": question}
    if generate is not None:
        body["generate"] = generate
    data = _call(link, "POST", "/v1/ask", json=body)
    return None if data is None else answer_from_json(data)


def ask_stream(
    link: LocalLink, question: str, generate: bool | None = None
) -> tuple[Answer, Iterator[AnswerEvent]] | None:
    """The server's answer as it is made: the labels it announces and its events (the
    text in pieces, the citations, the final answer); None when it cannot be reached."""
    import httpx

    body: dict = {"question": question, "stream": True}
    if generate is not None:
        body["generate"] = generate
    client = httpx.Client(
        headers=_headers(link),
        timeout=httpx.Timeout(ANSWER_TIMEOUT_S, connect=CONNECT_TIMEOUT_S),
        trust_env=False,
    )
    try:
        response = client.send(
            client.build_request("POST", link.url + "/v1/ask", json=body), stream=True
        )
    except httpx.TransportError:
        client.close()
        return None
    if response.status_code == 401 or response.is_error:
        response.read()
        client.close()
        if response.status_code == 401:
            return None
        raise JisikError(
            f"the jisik server at {link.url} refused the request: {_detail(response)} / "
            "실행 중인 서버가 요청을 거부했습니다"
        )
    return _announced(question, response.headers), _events(response, client)


def _announced(question: str, headers) -> Answer:
    """The labels the stream's ``AI-Disclosure`` header announces, for the first line."""
    fields = dict(re.findall(r'([\w-]+)="([^"]*)"', headers.get("ai-disclosure", "")))
    return Answer(
        question,
        "",
        False,
        (),
        "",
        model=fields.get("model", ""),
        digital_source_type=fields.get("source-type", ""),
    )


def _events(response, client) -> Iterator[AnswerEvent]:
    try:
        name = ""
        for line in response.iter_lines():
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                data = json.loads(line[6:])
                if name == "delta":
                    yield DeltaEvent(data["text"])
                elif name == "done":
                    yield FinalEvent(answer_from_json(data))
    finally:
        response.close()  # also when the reader stops early (Ctrl-C)
        client.close()


def search(link: LocalLink, query: str, k: int, mode: str | None) -> list[Hit] | None:
    params: dict[str, str | int] = {"q": query, "k": k}
    if mode is not None:
        params["mode"] = mode
    data = _call(link, "GET", "/v1/search", params=params)
    return None if data is None else [hit_from_json(h) for h in data]


def _call(link: LocalLink, method: str, path: str, **request) -> object | None:
    import httpx  # only when a server runs: a plain CLI call does not pay its import

    try:
        response = httpx.request(
            method,
            link.url + path,
            headers=_headers(link),
            timeout=httpx.Timeout(ANSWER_TIMEOUT_S, connect=CONNECT_TIMEOUT_S),
            trust_env=False,  # never through a proxy: the server is on this machine
            **request,
        )
    except httpx.TransportError:
        return None
    if response.status_code == 401:  # another server took the address: not ours
        return None
    if response.is_error:
        raise JisikError(
            f"the jisik server at {link.url} refused the request: {_detail(response)} / "
            "실행 중인 서버가 요청을 거부했습니다"
        )
    return response.json()


def _headers(link: LocalLink) -> dict[str, str]:
    return {"Authorization": f"Bearer {link.token}", LOCAL_ACTOR_HEADER: local_actor()}


def _detail(response) -> str:
    try:
        return str(response.json().get("detail") or response.reason_phrase)
    except ValueError:
        return f"HTTP {response.status_code}"
