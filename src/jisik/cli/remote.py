"""``jisik ask``/``search`` through a ``jisik serve`` running on the same home.

The server has Kiwi and the embedder loaded, so a question from the shell is answered in
milliseconds instead of the seconds a fresh process spends loading them. The server is
found and trusted through the home's ``serve.json`` (``jisik.local_link``); when it is
missing, stale or the server does not answer, the command answers in its own process.
The audit trail records the same actor either way ("cli:LOGIN").
"""

from __future__ import annotations

from pathlib import Path

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


def search(link: LocalLink, query: str, k: int, mode: str | None) -> list[Hit] | None:
    params: dict[str, str | int] = {"q": query, "k": k}
    if mode is not None:
        params["mode"] = mode
    data = _call(link, "GET", "/v1/search", params=params)
    return None if data is None else [hit_from_json(h) for h in data]


def _call(link: LocalLink, method: str, path: str, **request) -> object | None:
    import httpx  # only when a server runs: a plain CLI call does not pay its import

    headers = {"Authorization": f"Bearer {link.token}", LOCAL_ACTOR_HEADER: local_actor()}
    try:
        response = httpx.request(
            method,
            link.url + path,
            headers=headers,
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


def _detail(response) -> str:
    try:
        return str(response.json().get("detail") or response.reason_phrase)
    except ValueError:
        return f"HTTP {response.status_code}"
