"""Any OpenAI-compatible ``/v1/embeddings`` endpoint (vLLM, Ollama, TEI, LiteLLM …)."""

from __future__ import annotations

from collections.abc import Sequence

import httpx
import numpy as np

from jisik.embed.base import unit_rows
from jisik.errors import ProviderError

BATCH = 64


class OpenAIEmbedder:
    def __init__(
        self, base_url: str, model: str, dim: int, api_key: str = "", timeout: float = 60.0
    ) -> None:
        self.id = f"openai:{model}"
        self.dim = dim
        self._url = base_url.rstrip("/") + "/embeddings"
        self._model = model
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(headers=headers, timeout=timeout)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        rows: list[list[float]] = []
        for i in range(0, len(texts), BATCH):
            rows.extend(self._post(list(texts[i : i + BATCH])))
        matrix = np.asarray(rows, dtype=np.float32)
        if matrix.shape != (len(texts), self.dim):
            raise ProviderError(
                f"embeddings endpoint {self._url} returned shape {matrix.shape}, "
                f"expected ({len(texts)}, {self.dim}); check the model name and dimension"
            )
        return unit_rows(matrix)

    def _post(self, batch: list[str]) -> list[list[float]]:
        try:
            response = self._client.post(self._url, json={"model": self._model, "input": batch})
            response.raise_for_status()
            data = response.json()["data"]
        except httpx.HTTPStatusError as exc:
            raise ProviderError(
                f"embeddings endpoint {self._url} answered {exc.response.status_code}: "
                f"{exc.response.text[:200]}"
            ) from exc
        except httpx.HTTPError as exc:
            raise ProviderError(f"cannot reach embeddings endpoint {self._url}: {exc}") from exc
        except (KeyError, TypeError, ValueError) as exc:
            raise ProviderError(
                f"embeddings endpoint {self._url} did not answer in the OpenAI format"
            ) from exc
        data = sorted(data, key=lambda item: item.get("index", 0))
        return [item["embedding"] for item in data]
