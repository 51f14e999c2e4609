"""What ``jisik llm check`` finds out about the configured endpoint."""

from __future__ import annotations

import time
from dataclasses import dataclass

from jisik.llm.base import GenerationParams, GeneratorError, Message, generate
from jisik.llm.openai_chat import OpenAIChatGenerator

# Where OpenAI-compatible servers put a model's context length in /models.
_CONTEXT_KEYS = ("max_model_len", "context_length", "context_window", "max_context_length")


@dataclass(frozen=True, slots=True)
class CheckResult:
    base_url: str
    model: str
    ok: bool
    served: tuple[str, ...]  # the model ids the endpoint lists
    listed: bool  # whether the configured model is among them
    context_tokens: int | None  # as the endpoint reports it, when it does
    configured_context_tokens: int
    reply_seconds: float | None
    problem: str = ""


def check(generator) -> CheckResult:
    if not isinstance(generator, OpenAIChatGenerator):
        return _check_local(generator)
    served: tuple[str, ...] = ()
    context = None
    try:
        entries = generator.models()
        served = tuple(str(e.get("id", "")) for e in entries)
        mine = next((e for e in entries if e.get("id") == generator.model), {})
        context = _context(mine)
        started = time.perf_counter()
        generate(generator, [Message("user", "ping")], GenerationParams(max_tokens=4))
        seconds = time.perf_counter() - started
    except GeneratorError as exc:
        return CheckResult(
            generator.base_url,
            generator.model,
            False,
            served,
            generator.model in served,
            context,
            generator.max_context_tokens,
            None,
            str(exc),
        )
    problem = _short_context(context, generator.max_context_tokens, "the endpoint serves")
    return CheckResult(
        generator.base_url,
        generator.model,
        not problem,
        served,
        generator.model in served,
        context,
        generator.max_context_tokens,
        round(seconds, 3),
        problem,
    )


def _check_local(generator) -> CheckResult:
    """An in-process model (``llm_path``): nothing to reach, only a reply to time."""
    context = generator.trained_context
    started = time.perf_counter()
    try:
        generate(generator, [Message("user", "ping")], GenerationParams(max_tokens=4))
    except GeneratorError as exc:
        return CheckResult(
            f"local:{generator.path}",
            generator.id,
            False,
            (generator.id,),
            True,
            context,
            generator.max_context_tokens,
            None,
            str(exc),
        )
    seconds = round(time.perf_counter() - started, 3)
    problem = _short_context(context, generator.max_context_tokens, "the model was trained for")
    return CheckResult(
        f"local:{generator.path}",
        generator.id,
        not problem,
        (generator.id,),
        True,
        context,
        generator.max_context_tokens,
        seconds,
        problem,
    )


def _short_context(context: int | None, configured: int, has: str) -> str:
    """The problem when the model holds less context than the setting assumes."""
    if context is None or context >= configured:
        return ""
    return (
        f"{has} {context} tokens of context, less than llm_max_context_tokens "
        f"({configured}); lower the setting"
    )


def _context(entry: dict) -> int | None:
    for key in _CONTEXT_KEYS:
        value = entry.get(key) or (entry.get("meta") or {}).get(key)
        if isinstance(value, int) and value > 0:
            return value
    meta = entry.get("meta") or {}
    value = meta.get("n_ctx_train") or meta.get("n_ctx")  # llama.cpp server
    return value if isinstance(value, int) and value > 0 else None
