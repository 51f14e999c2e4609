"""The natural-question set (benchmarks/natural) in the regression guard.

272 questions people ask over the demo handbook and the shared HWP/HWPX samples,
in nine classes, and 101 that nothing in them answers. Lexical mode (the suite's
embedder): answer@1 may not fall, nor false answers on off-corpus questions rise,
by more than 0.01 from what ``src/jisik/eval/expected/natural.json`` records. The
e5 figures are measured by ``benchmarks/natural.py --embedder e5`` (too slow for CI).
"""

from __future__ import annotations

import json

import pytest

from jisik.demo.corpus import write_demo_corpus
from jisik.eval.guard import EXPECTED_DIR
from jisik.eval.runner import evaluate_questions
from jisik.service import Jisik
from jisik.settings import load_settings
from tests.conftest import REPO, SHARED_DATA

QUESTIONS = REPO / "benchmarks" / "natural" / "questions.jsonl"
HWP = SHARED_DATA / "hwp-samples"
TOLERANCE = 0.01

pytestmark = pytest.mark.skipif(not HWP.is_dir(), reason=f"shared data not found at {HWP}")


@pytest.fixture(scope="module")
def measured(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("natural")
    write_demo_corpus(root / "demo")
    home = root / "home"
    with Jisik(load_settings(home, embedder="none"), create=True) as jisik:
        report = jisik.add([root / "demo", HWP])
    assert report.added >= 30
    return evaluate_questions(QUESTIONS, home=home, mode="all", baselines=False).to_json()


def test_natural_questions_do_not_regress(measured: dict):
    expected = json.loads((EXPECTED_DIR / "natural.json").read_text(encoding="utf-8"))
    got = measured["modes"]["lexical"]
    want = expected["modes"]["lexical"]
    assert got["answer@1"] >= want["answer@1"] - TOLERANCE, got
    assert got["false_answers"] <= want["false_answers"] + TOLERANCE, got


def test_every_class_is_measured(measured: dict):
    classes = measured["categories"]["lexical"]
    assert set(classes) == {
        "direct", "table", "form", "paraphrase", "next-sentence", "typo", "spacing",
        "cross-language", "off-corpus",
    }
    assert sum(c["questions"] for c in classes.values()) == 373


def test_the_set_is_as_documented():
    rows = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines()]
    off = [r for r in rows if r.get("abstain")]
    answerable = [r for r in rows if not r.get("abstain")]
    assert len(answerable) >= 150 and len(off) >= 100
    assert all(r.get("answer") and r.get("document") for r in answerable)
    assert all(not r.get("answer") and not r.get("document") for r in off)
    on_hwp = [r for r in answerable if "/" not in str(r["document"])]
    assert len(on_hwp) >= 60  # the shared HWP/HWPX samples, named by file
    assert len({r["question"] for r in rows}) == len(rows)


def test_the_guard_cannot_be_met_by_abstaining(measured: dict):
    # Abstaining on everything would score no false answers at all.
    assert measured["modes"]["lexical"]["abstention"] < 0.3
