"""Answers to natural questions over the demo handbook and the shared HWP/HWPX samples.

    python benchmarks/natural.py [--questions benchmarks/natural/questions.jsonl]
                                 [--embedder none] [--set lexicon=off] [--out FILE]

Builds a temporary home from the demo corpus (written by ``jisik.demo``) and
``../shared/data/hwp-samples``, then runs ``jisik eval --questions`` on the set:
answer@1 (the answer holds a gold value and its first citation is in the gold
document), the abstention rate on answerable questions and the false-answer rate
on the off-corpus ones, overall and per class. It also sweeps the abstention
threshold on the same answers (each question is answered once at threshold 0
and its best sentence's score kept), which is how ``abstain_threshold`` was
chosen: the curve of answer@1 against false answers.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from jisik.demo.corpus import write_demo_corpus
from jisik.errors import InvalidQueryError
from jisik.eval.answers import contains_answer
from jisik.eval.runner import evaluate_questions
from jisik.service import Jisik
from jisik.settings import load_settings

ROOT = Path(__file__).resolve().parent
HWP = ROOT.parents[1] / "shared" / "data" / "hwp-samples"
THRESHOLDS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)


def build_home(home: Path, corpus: Path, embedder: str, overrides: dict) -> None:
    """The corpus in a new home whose config.toml holds ``overrides``, so that the
    evaluation (which reads the home's settings) runs with them too."""
    write_demo_corpus(corpus / "demo")
    home.mkdir(parents=True)
    (home / "config.toml").write_text(
        "".join(f"{k} = {json.dumps(_typed(v))}\n" for k, v in overrides.items()),
        encoding="utf-8",
    )
    with Jisik(load_settings(home, embedder=embedder)) as jisik:
        report = jisik.add([corpus / "demo", HWP])
        jisik.embed_backlog()
        print(f"ingested {report.added}, failed {len(report.failed)}", file=sys.stderr)


def _typed(value: str) -> object:
    try:
        return float(value) if "." in value else int(value)
    except ValueError:
        return value


def sweep(home: Path, questions: Path, embedder: str, overrides: dict) -> dict:
    """answer@1 and false answers per threshold, from one answer per question."""
    from jisik.eval.own_questions import load_questions, resolve_questions

    settings = load_settings(home, embedder=embedder)
    rows = []
    with Jisik(settings, create=False) as jisik:
        queries = resolve_questions(load_questions(questions), jisik.documents(), questions)
        jisik.answerer.threshold = 0.0
        for q in queries:
            try:
                hits = jisik.search(q.text, 5)
            except InvalidQueryError:
                hits = []
            candidates = jisik.answerer._candidates(q.text, hits)
            score = candidates[0].score if candidates else 0.0
            reply = jisik.answerer.answer(q.text, hits)
            whole = " ".join(c.text for c in reply.citations)
            right = (
                not q.abstain
                and bool(reply.citations)
                and reply.citations[0].doc_id in q.relevant
                and contains_answer(whole, q.answers)
            )
            rows.append((q.abstain, score, right))
    answerable = [r for r in rows if not r[0]] or [(False, 0.0, False)]
    off = [r for r in rows if r[0]] or [(True, 0.0, False)]
    return {
        str(t): {
            "answer@1": round(sum(s >= t and ok for _, s, ok in answerable) / len(answerable), 4),
            "abstention": round(sum(s < t for _, s, _ in answerable) / len(answerable), 4),
            "false_answers": round(sum(s >= t for _, s, _ in off) / len(off), 4),
        }
        for t in THRESHOLDS
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--questions", type=Path, default=ROOT / "natural" / "questions.jsonl")
    parser.add_argument("--embedder", default="none")
    parser.add_argument("--set", action="append", default=[], help="setting=value override")
    parser.add_argument("--no-sweep", action="store_true")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if not HWP.is_dir():
        sys.exit(f"shared data not found at {HWP}")
    overrides = dict(item.split("=", 1) for item in args.set)
    with tempfile.TemporaryDirectory(prefix="jisik-natural-") as scratch:
        home, corpus = Path(scratch) / "home", Path(scratch) / "corpus"
        started = time.process_time()
        build_home(home, corpus, args.embedder, overrides)
        result = evaluate_questions(
            args.questions.resolve(),
            home=home,
            mode="all",
            baselines=False,
        ).to_json()
        out = {
            "questions": str(args.questions),
            "embedder": args.embedder,
            "overrides": overrides,
            "modes": result["modes"],
            "categories": result.get("categories", {}),
        }
        if not args.no_sweep:
            out["threshold_sweep"] = sweep(home, args.questions.resolve(), args.embedder, overrides)
        out["cpu_seconds"] = round(time.process_time() - started, 1)
    text = json.dumps(out, indent=2, ensure_ascii=False)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
