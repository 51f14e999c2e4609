"""Settings -> components: the one place that names backends.

The service, the CLI's database-only commands and the server get their parts here,
so that a new backend (an embedder provider, an index, a database) is a registry
entry plus the line that picks it, and nothing else reaches for a concrete class.
"""

from __future__ import annotations

from jisik.answer.base import Answerer
from jisik.answer.registry import AnswererParts, make_answerer
from jisik.embed.base import Embedder
from jisik.embed.registry import make_embedder
from jisik.home import HomeLayout
from jisik.index.base import Index, TermStatistics, require
from jisik.index.registry import open_index
from jisik.ingest.chunker import ChunkingConfig
from jisik.search.retriever import RetrievalOptions, Retriever
from jisik.settings import Settings
from jisik.store.database import sqlite_url
from jisik.text.analyzer import Analyzer, AnalyzerConfig, shared_analyzer
from jisik.text.lexicon import QueryExpander, lexicon_groups


def database_url(layout: HomeLayout) -> str:
    """The system of record of a home (SQLite inside it, for now)."""
    return sqlite_url(layout.database)


def analyzer_for(settings: Settings) -> Analyzer:
    return shared_analyzer(AnalyzerConfig(user_dictionary=settings.user_dictionary))


def embedder_for(settings: Settings) -> Embedder | None:
    return make_embedder(
        settings.embedder,
        url=settings.embed_url,
        model=settings.embed_model,
        dim=settings.embed_dim,
        api_key=settings.embed_api_key,
        path=settings.embed_path,
    )


def chunking_for(settings: Settings) -> ChunkingConfig:
    return ChunkingConfig(
        settings.chunk_target_chars, settings.chunk_max_chars, settings.chunk_overlap_sentences
    )


def index_for(settings: Settings, layout: HomeLayout, embedder: Embedder | None) -> Index:
    return open_index(settings.index_backend, layout.index, embedder.dim if embedder else 0)


def readers_for(
    settings: Settings, analyzer: Analyzer, embedder: Embedder | None, index: Index
) -> tuple[Retriever, Answerer]:
    """The retriever and the answerer, sharing one query expander (the lexicon)."""
    groups = lexicon_groups(settings.lexicon)
    expander = QueryExpander(groups, analyzer.query_terms) if groups else None
    retriever = Retriever(
        index, analyzer, embedder, RetrievalOptions.from_settings(settings, embedder), expander
    )
    answerer = make_answerer(
        "extractive",
        AnswererParts(
            analyzer,
            require(index, TermStatistics, "weigh answer terms by rarity").document_frequencies,
            embedder,
            expander,
            threshold=settings.abstain_threshold,
            max_sentences=settings.answer_sentences,
        ),
    )
    return retriever, answerer


def generator_for(settings: Settings):
    """The configured language model, or None (answers are quoted, not generated)."""
    if settings.llm_path:
        from jisik.llm.llamacpp import LlamaCppGenerator

        return LlamaCppGenerator(
            settings.llm_path, settings.llm_timeout_s, settings.llm_max_context_tokens
        )
    if not settings.llm_base_url:
        return None
    from jisik.llm.openai_chat import OpenAIChatGenerator

    return OpenAIChatGenerator(
        settings.llm_base_url,
        settings.llm_model,
        settings.llm_api_key,
        settings.llm_timeout_s,
        settings.llm_max_context_tokens,
    )


def reranker_for(settings: Settings):
    """The configured reranker service, or None (jisik's own order)."""
    if not settings.rerank_api:
        return None
    from jisik.search.rerank.http import HttpReranker

    return HttpReranker(
        settings.rerank_api,
        settings.rerank_url,
        settings.rerank_model,
        settings.rerank_api_key,
        settings.rerank_timeout_s,
    )


def generative_for(settings: Settings, generator, fallback: Answerer, analyzer: Analyzer):
    from jisik.answer.generative import GenerativeAnswerer
    from jisik.llm.base import GenerationParams

    return GenerativeAnswerer(
        generator, fallback, analyzer, GenerationParams(settings.llm_max_answer_tokens)
    )
