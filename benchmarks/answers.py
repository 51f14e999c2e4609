"""Extractive answer quality and abstention calibration.

    python benchmarks/answers.py [--split tune] [--limit 600] [--negatives 300]

Ingests korquad1 and asks its questions (those of the split): ``answer_sentence@1``
is the share whose first answer sentence contains a gold answer (abstaining
counts as a miss). Questions of another set (msmarco-ko), asked against the
same corpus, have no answer there: the share answered anyway is the false
answer rate. A sweep over thresholds shows the trade-off.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from jisik.errors import InvalidQueryError
from jisik.eval.dataset import load_dataset
from jisik.service import Jisik
from jisik.settings import load_settings

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
THRESHOLDS = (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5)


def best_candidate(jisik: Jisik, question: str):
    try:
        hits = jisik.search(question, 5)
    except InvalidQueryError:
        return None
    candidates = jisik.answerer._candidates(question, hits)
    return candidates[0] if candidates else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", default="tune")
    parser.add_argument("--limit", type=int, default=600)
    parser.add_argument("--negatives", type=int, default=300)
    parser.add_argument("--embedder", default="use")
    args = parser.parse_args()
    korquad = load_dataset(DATA / "korquad1", args.split)
    negatives = load_dataset(DATA / "msmarco-ko", args.split).queries[: args.negatives]
    positives = [q for q in korquad.queries if q.answers][: args.limit]
    with tempfile.TemporaryDirectory(prefix="jisik-answers-") as home:
        with Jisik(load_settings(Path(home), embedder=args.embedder)) as jisik:
            jisik.add_texts((f"kq:{p.id}", p.title, p.text) for p in korquad.corpus)
            pos = []
            for query in positives:
                best = best_candidate(jisik, query.text)
                if best is None:
                    pos.append((0.0, False))
                    continue
                sentence = best.hit.text[best.start : best.end]
                pos.append((best.score, any(a in sentence for a in query.answers)))
            neg = [getattr(best_candidate(jisik, q.text), "score", 0.0) for q in negatives]
    sweep = {}
    for threshold in THRESHOLDS:
        sweep[threshold] = {
            "answer_sentence@1": round(sum(ok and s >= threshold for s, ok in pos) / len(pos), 4),
            "answered": round(sum(s >= threshold for s, _ in pos) / len(pos), 4),
            "false_answer_rate": round(sum(s >= threshold for s in neg) / max(1, len(neg)), 4),
        }
    result = {
        "questions": len(pos),
        "negatives": len(neg),
        "best_sentence_contains_answer": round(sum(ok for _, ok in pos) / len(pos), 4),
        "sweep": sweep,
    }
    json.dump(result, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
