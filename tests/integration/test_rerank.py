"""A reranker service reorders the top candidates: both common APIs against a real local
server (tests/rerank_server.py), only readable passages sent, and jisik's own order kept
when the service fails, is slow or answers nonsense."""

from __future__ import annotations

import pytest

from jisik.errors import ConfigError
from jisik.search.rerank.base import RerankError
from jisik.search.rerank.http import HttpReranker
from jisik.service import Jisik
from jisik.settings import load_settings
from jisik.types import Requester
from tests.rerank_server import FakeRerankServer

TEXTS = [
    ("a", "출장 규정", "국내 출장비는 출장 후 일주일 안에 정산합니다. 영수증을 첨부합니다."),
    ("b", "출장 숙박", "출장 숙박비는 1박 10만 원까지 지원합니다. 정산은 경비 시스템에서 합니다."),
    (
        "c",
        "해외 출장",
        "해외 출장은 출발 2주 전에 승인을 받습니다. 출장 보고서는 귀국 후 제출합니다.",
    ),
    ("secret", "임원 출장", "임원 출장 정산은 비서실이 대행합니다. 출장 정산 기준은 별도입니다."),
]


@pytest.fixture(scope="module")
def reranker():
    server = FakeRerankServer(words=("보고서",)).start()
    yield server
    server.stop()


def _home(tmp_path, server, api: str, **more):
    url = server.url if api == "tei" else f"{server.url}/v1"
    settings = load_settings(
        tmp_path / api,
        embedder="none",
        rerank_api=api,
        rerank_url=url,
        rerank_model="bge-m3",
        **more,
    )
    jisik = Jisik(settings)
    jisik.add_texts(TEXTS[:3])
    jisik.add_texts(TEXTS[3:], groups=["executives"])
    return jisik


@pytest.mark.parametrize("api", ["tei", "cohere"])
def test_the_reranker_orders_the_top_candidates(tmp_path, reranker, api):
    reranker.status, reranker.malformed, reranker.delay_s = 200, False, 0.0
    with _home(tmp_path, reranker, api) as jisik:
        reranker.requests.clear()
        reader = Requester("user:staff", frozenset({"*"}))
        hits = jisik.search("출장 정산은 어떻게 하나요?", 3, who=reader)
        assert hits[0].title == "해외 출장" and hits[0].score == 1.0
        # Lexically fourth of four, first by the reranker's scores ("보고서").
        assert "임원 출장" not in {h.title for h in hits}
        sent = reranker.requests[-1]
        assert sent["path"] == ("/rerank" if api == "tei" else "/v1/rerank")
        passages = sent["body"]["texts" if api == "tei" else "documents"]
        assert passages and not any("임원" in p for p in passages)  # only what staff may read
        if api == "cohere":
            assert sent["body"]["model"] == "bge-m3"
        assert jisik.ask("출장 숙박비는 얼마까지 지원하나요?", who=reader).citations


@pytest.mark.parametrize(
    "failure", [{"status": 503}, {"malformed": True}, {"delay_s": 1.5}], ids=str
)
def test_a_failing_reranker_leaves_jisiks_own_order(tmp_path, reranker, failure):
    reranker.status, reranker.malformed, reranker.delay_s = 200, False, 0.0
    with Jisik(load_settings(tmp_path / "plain", embedder="none")) as plain:
        plain.add_texts(TEXTS[:3])
        plain.add_texts(TEXTS[3:], groups=["executives"])
        expected = [h.title for h in plain.search("출장 정산은 어떻게 하나요?", 3)]
    with _home(tmp_path, reranker, "tei", rerank_timeout_s=0.5) as jisik:
        reordered = [h.title for h in jisik.search("출장 정산은 어떻게 하나요?", 3)]
        assert reordered[0] == "해외 출장" != expected[0]  # a working reranker reorders
        for name, value in failure.items():
            setattr(reranker, name, value)
        try:
            assert [h.title for h in jisik.search("출장 정산은 어떻게 하나요?", 3)] == expected
        finally:
            reranker.status, reranker.malformed, reranker.delay_s = 200, False, 0.0


def test_the_client_names_what_went_wrong(reranker):
    reranker.status = 500
    try:
        with pytest.raises(RerankError, match="answered 500"):
            HttpReranker("tei", reranker.url).scores("질문", ["하나", "둘"])
    finally:
        reranker.status = 200
    assert HttpReranker("tei", reranker.url).scores("질문", []) == []
    with pytest.raises(RerankError, match="cannot reach"):
        HttpReranker("cohere", "http://127.0.0.1:9/v1").scores("질문", ["하나"])


def test_settings_refuse_half_a_reranker(tmp_path):
    with pytest.raises(ConfigError, match="both rerank_api and rerank_url"):
        load_settings(tmp_path, rerank_api="tei")
    with pytest.raises(ConfigError, match="rerank_api must be"):
        load_settings(tmp_path, rerank_api="bm25", rerank_url="http://x")
