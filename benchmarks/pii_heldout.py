"""PII detection on the held-out set: per-type and per-form recall, hard-negative precision.

    python benchmarks/pii_heldout.py                 # print only
    python benchmarks/pii_heldout.py --record after  # also store under "after" in the JSON

The held-out set (benchmarks.piidata.heldout) was written without reading the rules, unlike the
synthetic set that benchmarks/pii.py scores. Scoring is span-exact (benchmarks.piidata.scoring).
Besides per-type precision/recall/F2 this reports recall per written form ("variant", e.g.
spaced-hyphen phones, full-width digits, lot-number addresses) and the false findings per
hard-negative category, so a regression points at its cause. --record stores the result under
that label in benchmarks/results/pii-heldout.json, keeping the other labels (before/after).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.piidata.heldout import negative_samples, positive_samples  # noqa: E402
from benchmarks.piidata.scoring import score  # noqa: E402
from jisik.privacy.detect import PII_TYPES, PiiDetector  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "results" / "pii-heldout.json"


def evaluate(seed: int = 0, per_template: int = 30, rounds: int = 25) -> dict:
    detector = PiiDetector()

    def detect(text: str) -> list[tuple[str, int, int]]:
        return [(f.kind, f.start, f.end) for f in detector.detect(text)]

    positives = positive_samples(seed, per_template)
    negatives = negative_samples(seed, rounds)
    result = score(detect, positives, negatives, PII_TYPES)

    variant_gold: Counter[str] = Counter()
    variant_hit: Counter[str] = Counter()
    misses: dict[str, list[str]] = defaultdict(list)
    for sample in positives:
        found = set(detect(sample.text))
        for g in sample.gold:
            key = f"{g.kind}/{g.variant}"
            variant_gold[key] += 1
            if (g.kind, g.start, g.end) in found:
                variant_hit[key] += 1
            elif len(misses[key]) < 3:
                misses[key].append(sample.text[g.start : g.end])
    false_by_category: Counter[str] = Counter()
    false_examples: dict[str, list[str]] = defaultdict(list)
    for sample in negatives:
        findings = detector.detect(sample.text)
        if findings:
            false_by_category[sample.source] += 1
            if len(false_examples[sample.source]) < 3:
                false_examples[sample.source].append(
                    f"{sample.text} -> {[(f.kind, f.text) for f in findings]}"
                )
    return {
        "positives": len(positives),
        "negatives": len(negatives),
        "per_type": {
            k.kind: {
                "gold": k.gold,
                "found": k.found,
                "correct": k.correct,
                "precision": round(k.precision, 4),
                "recall": round(k.recall, 4),
                "f2": round(k.f2, 4),
            }
            for k in result.kinds
        },
        "negative_precision": round(result.negative_precision, 4),
        "clean_negatives": result.clean_negatives,
        "recall_by_form": {
            key: f"{variant_hit[key]}/{n}" for key, n in sorted(variant_gold.items())
        },
        "missed_examples": dict(sorted(misses.items())),
        "negative_samples_flagged_by_category": dict(sorted(false_by_category.items())),
        "negative_false_examples": dict(sorted(false_examples.items())),
    }


def show(r: dict) -> None:
    print(f"{'type':18} {'gold':>5} {'found':>5} {'P':>6} {'R':>6} {'F2':>6}")
    for kind, k in r["per_type"].items():
        print(
            f"{kind:18} {k['gold']:5} {k['found']:5} {k['precision']:6.3f} "
            f"{k['recall']:6.3f} {k['f2']:6.3f}"
        )
    print(
        f"negative precision: {r['negative_precision']:.4f} "
        f"({r['clean_negatives']}/{r['negatives']} hard negatives with no finding)"
    )
    print("\nforms not fully found:")
    for key, frac in r["recall_by_form"].items():
        hit, n = map(int, frac.split("/"))
        if hit < n:
            print(f"  {key:36} {frac:>8}  e.g. {r['missed_examples'].get(key, [])[:2]}")
    print("\nhard-negative categories with findings:")
    for category, n in r["negative_samples_flagged_by_category"].items():
        print(f"  {category:18} {n:3}  e.g. {r['negative_false_examples'][category][:1]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--record", help="store the result under this label in the JSON")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    r = evaluate(args.seed)
    show(r)
    if args.record:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        stored = json.loads(args.out.read_text(encoding="utf-8")) if args.out.exists() else {}
        stored["seed"] = args.seed
        stored[args.record] = {"commit": head, **r}
        args.out.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(stored, ensure_ascii=False, indent=2) + "\n"
        args.out.write_text(text, encoding="utf-8")
        print(f"\nwritten to {args.out} under {args.record!r}")


if __name__ == "__main__":
    main()
