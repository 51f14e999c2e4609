"""The rerank APIs in common use.

- ``tei``: Hugging Face text-embeddings-inference, ``POST {url}/rerank`` with
  ``{"query", "texts"}``, answering ``[{"index", "score"}]``.
- ``cohere``: the Cohere/Jina-style ``POST {url}/rerank`` with ``{"model", "query",
  "documents"}``, answering ``{"results": [{"index", "relevance_score"}]}`` — what vLLM,
  Infinity, LiteLLM and Jina serve under ``/v1/rerank`` (give the URL with ``/v1``).
"""

from __future__ import annotations

from collections.abc import Sequence

import httpx

from jisik.search.rerank.base import RerankError

MAX_PASSAGE_CHARS = 2000  # a cross-encoder reads ~512 tokens; the rest only costs time


class HttpReranker:
    def __init__(
        self, api: str, base_url: str, model: str = "", api_key: str = "", timeout_s: float = 10.0
    ) -> None:
        self.api = api
        self.model = model
        self.id = f"{api}:{model or base_url}"
        self._url = base_url.rstrip("/") + "/rerank"
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        # One attempt within the timeout: a question waits on this, so a slow reranker
        # costs a bounded delay and then jisik's own order.
        self._client = httpx.Client(headers=headers, timeout=timeout_s, trust_env=False)

    def scores(self, query: str, passages: Sequence[str]) -> list[float]:
        if not passages:
            return []
        texts = [p[:MAX_PASSAGE_CHARS] for p in passages]
        if self.api == "tei":
            body: dict = {"query": query, "texts": texts, "truncate": True}
        else:
            body = {"query": query, "documents": texts, "top_n": len(texts)}
            if self.model:
                body["model"] = self.model
        data = self._post(body)
        try:
            items = data if self.api == "tei" else data["results"]
            key = "score" if self.api == "tei" else "relevance_score"
            found = {int(item["index"]): float(item[key]) for item in items}
        except (KeyError, TypeError, ValueError) as exc:
            raise RerankError(
                f"rerank endpoint {self._url} did not answer in the {self.api} format"
            ) from exc
        if set(found) != set(range(len(texts))):
            raise RerankError(
                f"rerank endpoint {self._url} scored {len(found)} of {len(texts)} passages"
            )
        return [found[i] for i in range(len(texts))]

    def _post(self, body: dict):
        try:
            response = self._client.post(self._url, json=body)
            response.raise_for_status()
            return response.json()
        except httpx.HTTPStatusError as exc:
            raise RerankError(
                f"rerank endpoint {self._url} answered {exc.response.status_code}: "
                f"{exc.response.text[:200]}"
            ) from exc
        except httpx.TimeoutException as exc:
            raise RerankError(f"rerank endpoint {self._url} did not answer in time") from exc
        except httpx.HTTPError as exc:
            raise RerankError(f"cannot reach rerank endpoint {self._url}: {exc}") from exc
        except ValueError as exc:
            raise RerankError(f"rerank endpoint {self._url} did not answer JSON") from exc
