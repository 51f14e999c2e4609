"""Any OpenAI-compatible chat endpoint: vLLM, Ollama, llama.cpp server, TGI, LiteLLM, or a
hosted API under contract.

Streams ``/chat/completions`` (Server-Sent Events), asking for usage in the last chunk.
Before the first token, connection failures, timeouts, 429 and 5xx are retried with
backoff; after it, a failure ends the reply with a ``GeneratorError`` (a half answer is
never passed off as whole). ``timeout_s`` bounds the whole reply, not only each read, so
a model that trickles tokens is stopped too. Closing the stream (the reader went away)
closes the connection, which stops generation on the servers that watch for it. The API
key is sent only in the Authorization header and appears in no message.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence

import httpx

from jisik.llm.base import (
    Finished,
    GenerationEvent,
    GenerationParams,
    GeneratorError,
    Message,
    TextDelta,
    Usage,
    estimate_tokens,
)

RETRIES = 2
BACKOFF_S = (0.5, 1.5)
MAX_RETRY_AFTER_S = 5.0
_RETRIED_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}


class OpenAIChatGenerator:
    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str = "",
        timeout_s: float = 60.0,
        max_context_tokens: int = 8192,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.id = f"openai:{model}"
        self.model = model
        self.max_context_tokens = max_context_tokens
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(
            headers=headers,
            timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 10.0)),
            transport=transport,
            trust_env=False,  # an internal endpoint is never reached through a proxy by surprise
        )

    # --- the protocol ---------------------------------------------------------

    def stream(
        self, messages: Sequence[Message], params: GenerationParams
    ) -> Iterator[GenerationEvent]:
        body = {
            "model": self.model,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "max_tokens": params.max_tokens,
            "temperature": params.temperature,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        deadline = time.monotonic() + self.timeout_s
        response = self._open(body)
        try:
            yield from self._events(response, messages, deadline)
        finally:
            response.close()  # also when the reader went away mid-stream

    # --- what `jisik llm check` reports ----------------------------------------

    def models(self) -> list[dict]:
        """The endpoint's ``/models`` entries (an OpenAI-style list)."""
        try:
            response = self._client.get(f"{self.base_url}/models")
            response.raise_for_status()
            data = response.json().get("data", [])
        except httpx.HTTPStatusError as exc:
            raise GeneratorError(_status_problem(self.base_url, exc.response)) from exc
        except httpx.HTTPError as exc:
            raise GeneratorError(f"cannot reach {self.base_url}: {_plain(exc)}") from exc
        except (ValueError, AttributeError) as exc:
            raise GeneratorError(f"{self.base_url}/models did not answer an OpenAI list") from exc
        return [entry for entry in data if isinstance(entry, dict)]

    # --- internals ------------------------------------------------------------

    def _open(self, body: dict):
        """The streaming response, retried with backoff while nothing has arrived."""
        url = f"{self.base_url}/chat/completions"
        for attempt in range(RETRIES + 1):
            try:
                request = self._client.build_request("POST", url, json=body)
                response = self._client.send(request, stream=True)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                if attempt == RETRIES:
                    raise GeneratorError(
                        f"cannot reach the language model at {self.base_url}: {_plain(exc)}"
                    ) from exc
                time.sleep(BACKOFF_S[min(attempt, len(BACKOFF_S) - 1)])
                continue
            if response.status_code == 200:
                return response
            response.read()
            response.close()
            if response.status_code in _RETRIED_STATUS and attempt < RETRIES:
                time.sleep(_retry_after(response, attempt))
                continue
            raise GeneratorError(_status_problem(self.base_url, response))
        raise GeneratorError(f"the language model at {self.base_url} did not answer")

    def _events(
        self, response: httpx.Response, messages: Sequence[Message], deadline: float
    ) -> Iterator[GenerationEvent]:
        parts: list[str] = []
        usage: Usage | None = None
        finish, model = "", self.model
        try:
            for line in response.iter_lines():
                if time.monotonic() > deadline:
                    raise GeneratorError(
                        f"the language model took longer than {self.timeout_s:g} s (llm_timeout_s)"
                    )
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    break
                chunk = _chunk(data, self.base_url)
                model = chunk.get("model") or model
                usage = _usage(chunk.get("usage")) or usage
                for choice in chunk.get("choices") or ():
                    text = (choice.get("delta") or {}).get("content") or ""
                    if text:
                        parts.append(text)
                        yield TextDelta(text)
                    finish = choice.get("finish_reason") or finish
        except httpx.HTTPError as exc:
            raise GeneratorError(f"the language model's reply broke off: {_plain(exc)}") from exc
        if not finish:
            raise GeneratorError("the language model's reply ended before it finished")
        if usage is None:
            prompt = sum(estimate_tokens(m.content) for m in messages)
            usage = Usage(prompt, estimate_tokens("".join(parts)), estimated=True)
        yield Finished(usage, finish, model)


def _chunk(data: str, base_url: str) -> dict:
    try:
        chunk = json.loads(data)
    except ValueError as exc:
        raise GeneratorError(f"{base_url} streamed something that is not JSON") from exc
    if not isinstance(chunk, dict):
        raise GeneratorError(f"{base_url} streamed something that is not a completion chunk")
    if "error" in chunk:
        raise GeneratorError(f"the language model reported an error: {_error_text(chunk)}")
    return chunk


def _usage(raw: object) -> Usage | None:
    if not isinstance(raw, dict):
        return None
    try:
        return Usage(int(raw["prompt_tokens"]), int(raw["completion_tokens"]))
    except (KeyError, TypeError, ValueError):
        return None


def _retry_after(response: httpx.Response, attempt: int) -> float:
    try:
        return min(float(response.headers.get("retry-after", "")), MAX_RETRY_AFTER_S)
    except ValueError:
        return BACKOFF_S[min(attempt, len(BACKOFF_S) - 1)]


def _status_problem(base_url: str, response: httpx.Response) -> str:
    detail = ""
    try:
        detail = _error_text(response.json())
    except ValueError:
        detail = response.text[:200]
    hint = {
        401: " (check llm_api_key)",
        403: " (check llm_api_key)",
        404: " (check llm_base_url and llm_model)",
    }.get(response.status_code, "")
    return f"the language model at {base_url} answered {response.status_code}{hint}: {detail}"


def _error_text(data: object) -> str:
    if isinstance(data, dict):
        error = data.get("error", data)
        if isinstance(error, dict):
            return str(error.get("message") or error)[:200]
        return str(error)[:200]
    return str(data)[:200]


def _plain(exc: Exception) -> str:
    return type(exc).__name__ + (f": {exc}" if str(exc) else "")
