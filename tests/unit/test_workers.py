"""Ingest workers (issue 9, defect 8): each file is read in a worker process with a
time and memory budget; one over budget, or one whose reader crashes, fails alone
with the reason, the rest of the batch is ingested, and results keep their order."""

from __future__ import annotations

import dataclasses
import os
import signal
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jisik.errors import ConfigError
from jisik.ingest import wire
from jisik.ingest.chunker import ChunkingConfig
from jisik.ingest.prepare import file_facts, prepare, prepare_text
from jisik.ingest.workers import Budget, shared_pool
from jisik.privacy.detect import default_detector
from jisik.privacy.guard import guard_document
from jisik.privacy.policy import DEFAULT_ACTIONS, PiiPolicy
from jisik.privacy.redact import Redactor
from jisik.service import Jisik
from jisik.settings import load_settings
from jisik.text.analyzer import AnalyzerConfig, shared_analyzer
from tests.conftest import write_handbook

CHUNKING = ChunkingConfig()
SLOW = "직원은 연차를 신청하고 팀장은 이를 승인한다. " * 30_000  # ~5 s of Kiwi
BUDGET = Budget(timeout_s=120, memory_mb=2048)


def _text_job(source: str, text: str) -> tuple[str, dict]:
    request = {
        "op": "text",
        "source": source,
        "title": source,
        "text": text,
        "chunking": wire.chunking_json(CHUNKING),
        "guard": None,
    }
    return source, request


def _pool(memory_mb: int = 2048, size: int = 2):
    return shared_pool(AnalyzerConfig(), memory_mb, size)


def _settings(tmp_path: Path, **overrides):
    return load_settings(tmp_path / "home", embedder="hashing", **overrides)


def test_results_come_back_in_the_order_given():
    jobs = [
        _text_job("slow", "보안 규정을 지킨다. " * 3000),
        _text_job("fast", "연차는 15일입니다."),
        ("passing through", None),
        _text_job("empty", "  "),
    ]
    results = list(_pool().run(jobs, BUDGET))
    assert [payload for payload, _ in results] == ["slow", "fast", "passing through", "empty"]
    slow, fast, passing, empty = (outcome for _, outcome in results)
    assert slow.prepared and fast.prepared and passing is None
    assert empty.prepared is None and empty.error == "no text given"


def test_a_file_over_the_time_budget_fails_alone_and_the_writer_goes_on(tmp_path):
    folder = write_handbook(tmp_path / "handbook")
    (folder / "slow.txt").write_text(SLOW, encoding="utf-8")
    with Jisik(_settings(tmp_path, ingest_file_timeout_s=1)) as jisik:
        started = time.monotonic()
        report = jisik.add([folder])
        assert time.monotonic() - started < 60
        (failure,) = report.failed
        assert failure.path.endswith("slow.txt")
        assert failure.error.startswith("took longer than 1 s to read")
        assert "ingest_file_timeout_s" in failure.error
        assert report.added == 4
        assert jisik.search("비밀번호 변경", k=1)[0].source.endswith("password.txt")
        (folder / "later.md").write_text("# 나중\n나중에 추가한 문서입니다.\n", encoding="utf-8")
        assert jisik.add([folder / "later.md"]).added == 1


def test_a_file_over_the_memory_budget_fails_alone(tmp_path):
    folder = write_handbook(tmp_path / "handbook")
    # 20 MB of tiny paragraphs: the HTML tree alone takes several times that
    (folder / "hog.html").write_bytes(b"<html><body>" + b"<p>a</p>" * 2_500_000 + b"</body></html>")
    with Jisik(_settings(tmp_path, ingest_file_memory_mb=64)) as jisik:
        report = jisik.add([folder])
    (failure,) = report.failed
    assert failure.path.endswith("hog.html")
    assert failure.error.startswith("needed more than 64 MB of memory to read")
    assert report.added == 4


def test_a_crashing_reader_fails_alone_and_is_replaced():
    pool = _pool()
    killed: list[int] = []

    def crash_the_busy_worker():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not killed:
            # Only while the slow file is the one being read: "fine" goes to the other
            # worker and, on a loaded machine, may still be busy when the killer looks.
            busy = pool.busy()
            if len(busy) == 1:
                os.kill(busy[0], signal.SIGSEGV)
                killed.append(busy[0])
            time.sleep(0.02)

    killer = threading.Thread(target=crash_the_busy_worker)
    killer.start()
    results = list(pool.run([_text_job("doomed", SLOW), _text_job("fine", "휴가 규정")], BUDGET))
    killer.join()
    (_, doomed), (_, fine) = results
    assert killed and doomed.prepared is None
    assert "the reader crashed on this file (killed by SIGSEGV)" in doomed.error
    assert fine.prepared is not None
    ((_, again),) = list(pool.run([_text_job("after", "복리후생 안내")], BUDGET))
    assert again.prepared is not None


def test_an_idle_worker_that_died_is_replaced():
    pool = _pool()
    list(pool.run([_text_job("warm", "워밍업 문서")], BUDGET))
    for worker in list(pool._idle):
        worker.kill()
    time.sleep(0.1)
    ((_, outcome),) = list(pool.run([_text_job("next", "다음 문서")], BUDGET))
    assert outcome.prepared is not None


def test_the_worker_prepares_exactly_what_prepare_does_here(tmp_path):
    """Same chunks, terms, PII summary and redactions as in the writer's process."""
    folder = write_handbook(tmp_path / "handbook")
    pii = folder / "pii.md"
    pii.write_text(
        "# 인사 기록\n주민등록번호 900101-1234568, 전화 010-2345-6789.\n", encoding="utf-8"
    )
    policy, key = PiiPolicy(dict(DEFAULT_ACTIONS)), b"k" * 32
    redactor = Redactor(default_detector(), key)

    def protect(title, sections):
        guarded = guard_document(redactor, policy, title, sections)
        return guarded.title, guarded.sections, guarded.pii

    paths = sorted(p for p in folder.rglob("*") if p.is_file())
    jobs = []
    for path in paths:
        request = {
            "op": "file",
            "path": str(path),
            "facts": wire.facts_json(file_facts(path, 10**6)),
            "chunking": wire.chunking_json(CHUNKING),
            "guard": wire.guard_json(policy, key),
        }
        jobs.append((path, request))
    analyzer = shared_analyzer()
    for path, outcome in _pool().run(jobs, BUDGET):
        here = prepare(path, file_facts(path, 10**6), analyzer, CHUNKING, protect)
        assert dataclasses.replace(outcome.prepared, title_terms=()) == here
        assert outcome.prepared.title_terms  # the writer need not analyse titles again
    masked = next(o.prepared for p, o in _pool().run(jobs, BUDGET) if p == pii)
    assert "900101-1234568" not in masked.chunked.text
    assert masked.pii["rrn"] == {"found": 1, "action": "mask"}


@settings(max_examples=15, deadline=None)
@given(
    st.lists(
        st.sampled_from(["연차", "휴가는", "15일", ".", " ", "\n", "# 제목\n", "VPN"]), max_size=200
    )
)
def test_prepared_files_survive_the_wire_unchanged(pieces):
    text = "".join(pieces) + " 본문"
    prepared = prepare_text("api:x", "제목", text, shared_analyzer(), CHUNKING)
    message = wire.decode(wire.encode(wire.prepared_json(prepared)))
    assert wire.prepared_from(message) == prepared


def test_malformed_replies_are_not_data():
    with pytest.raises(TypeError):
        wire.decode(b"[1, 2]")
    with pytest.raises(ValueError):
        wire.decode(b"\x80not json")


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("ingest_workers", -1, "ingest_workers must be 0"),
        ("ingest_file_timeout_s", 0, "ingest_file_timeout_s must be more than 0"),
        ("ingest_file_memory_mb", 10, "ingest_file_memory_mb must be at least 64"),
    ],
)
def test_budget_settings_are_checked(tmp_path, name, value, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(tmp_path / "home", **{name: value})


def test_budget_settings_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("JISIK_INGEST_FILE_TIMEOUT_S", "2.5")
    monkeypatch.setenv("JISIK_INGEST_WORKERS", "3")
    loaded = load_settings(tmp_path / "home")
    assert (loaded.ingest_file_timeout_s, loaded.ingest_workers) == (2.5, 3)
