"""An in-process GGUF model through llama.cpp (the ``local-llm`` extra).

For a machine without a model server: ``llm_path`` names a GGUF file on disk (never
downloaded). llama.cpp is not safe for concurrent use of one model, so generations are
serialised by a lock; a server with several users wants a model server instead
(vLLM, llama.cpp's own server, Ollama) through ``llm_base_url``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from jisik.errors import ConfigError
from jisik.llm.base import (
    Finished,
    GenerationEvent,
    GenerationParams,
    GeneratorError,
    Message,
    TextDelta,
    Usage,
)


class LlamaCppGenerator:
    def __init__(self, path: str, timeout_s: float = 60.0, max_context_tokens: int = 8192):
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise ConfigError(
                "llm_path needs the local-llm extra: pip install 'jisik[local-llm]' "
                "(or set llm_base_url to a model server instead)"
            ) from exc
        model = Path(path).expanduser()
        if not model.is_file():
            raise ConfigError(f"llm_path {model} is not a file; give the path of a .gguf model")
        self.id = f"gguf:{model.name}"
        self.path = str(model)
        self.max_context_tokens = max_context_tokens
        self.timeout_s = timeout_s
        self._lock = threading.Lock()
        try:
            self._llama = Llama(model_path=str(model), n_ctx=max_context_tokens, verbose=False)
        except (ValueError, RuntimeError) as exc:
            raise ConfigError(f"llama.cpp cannot load {model}: {exc}") from exc
        fallback = _chat_format(self._llama.metadata or {})
        if fallback:
            self._llama.chat_format = fallback

    @property
    def trained_context(self) -> int | None:
        """The context the model was trained for, from the GGUF metadata."""
        for key, value in (self._llama.metadata or {}).items():
            if key.endswith(".context_length") and str(value).isdigit():
                return int(value)
        return None

    def stream(
        self, messages: Sequence[Message], params: GenerationParams
    ) -> Iterator[GenerationEvent]:
        deadline = time.monotonic() + self.timeout_s
        with self._lock:
            try:
                chunks = self._llama.create_chat_completion(
                    messages=[{"role": m.role, "content": m.content} for m in messages],
                    max_tokens=params.max_tokens,
                    temperature=params.temperature,
                    stream=True,
                )
                finish, completion = "stop", 0
                for chunk in chunks:
                    if time.monotonic() > deadline:
                        raise GeneratorError(
                            f"{self.id} took longer than {self.timeout_s:g} s (llm_timeout_s)"
                        )
                    choice = chunk["choices"][0]
                    text = choice.get("delta", {}).get("content") or ""
                    if text:
                        completion += 1  # llama.cpp streams one token per chunk
                        yield TextDelta(text)
                    finish = choice.get("finish_reason") or finish
            except (ValueError, RuntimeError) as exc:
                raise GeneratorError(f"{self.id} failed: {exc}") from exc
        prompt = sum(
            len(self._llama.tokenize(m.content.encode("utf-8"), add_bos=False)) for m in messages
        )
        # The chat template's own tokens are not counted: marked as estimated.
        yield Finished(Usage(prompt, completion, estimated=True), finish, self.id)


# Chat formats of llama-cpp-python by model family, for GGUF files that carry no chat
# template of their own (llama.cpp would otherwise wrap the prompt as Llama 2's, and a
# model of another family answers nothing or nonsense).
_FAMILY_FORMATS = (("gemma", "gemma"), ("qwen", "qwen"), ("mistral", "mistral-instruct"))


def _chat_format(metadata: dict) -> str | None:
    if metadata.get("tokenizer.chat_template"):
        return None  # the file's own template is used
    architecture = str(metadata.get("general.architecture", "")).lower()
    return next((fmt for family, fmt in _FAMILY_FORMATS if architecture.startswith(family)), None)
