"""PII detection: span-exact precision, recall and F2 per type, negative-set precision, speed.

    python benchmarks/pii.py                  # jisik's detector
    python benchmarks/pii.py --compare-ko-pii # also the ko-pii library, when it is importable

Quality is measured on the seeded synthetic set of benchmarks.piidata.synthetic (see
benchmarks.piidata.scoring for the definitions). Throughput is single-threaded, in MB of UTF-8 per
second, on two texts: the KorQuAD 1.0 passages in ../shared/data/korquad1 (real Korean prose;
skipped when absent) and the synthetic positive set joined by newlines (dense with PII).
Results are printed and written to benchmarks/results/pii.json (or --out).
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.piidata.scoring import Score, score  # noqa: E402
from benchmarks.piidata.synthetic import negative_samples, positive_samples  # noqa: E402
from jisik.privacy.detect import PII_TYPES, PiiDetector  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
KORQUAD = ROOT.parent / "shared" / "data" / "korquad1" / "corpus.jsonl"
STRUCTURED = ("rrn", "frn", "phone", "email", "card", "business_reg", "corp_reg", "ip")

Detect = Callable[[str], Iterable[tuple[str, int, int]]]

# ko-pii label -> our type
KO_PII_LABELS = {
    "RRN": "rrn",
    "FRN": "frn",
    "PHONE": "phone",
    "EMAIL": "email",
    "CARD": "card",
    "ACCOUNT": "account",
    "BUSINESS_REG": "business_reg",
    "CORP_REG": "corp_reg",
    "PASSPORT": "passport",
    "DRIVER_LICENSE": "driver_license",
    "MEDICAL_INSURANCE": "health_insurance",
    "IP": "ip",
    "ADDRESS": "address",
}


def jisik_detect() -> Detect:
    detector = PiiDetector()
    return lambda text: [(f.kind, f.start, f.end) for f in detector.detect(text)]


def ko_pii_detect() -> Detect:
    from ko_pii import detect_all  # an optional comparison, not a dependency

    include = set(KO_PII_LABELS)
    return lambda text: [
        (KO_PII_LABELS[d.label], d.start, d.end) for d in detect_all(text, include=include)
    ]


def korquad_texts(limit_bytes: int) -> list[str]:
    texts, size = [], 0
    with KORQUAD.open(encoding="utf-8") as f:
        for line in f:
            text = json.loads(line)["text"]
            texts.append(text)
            size += len(text.encode())
            if size >= limit_bytes:
                break
    return texts


def throughput(detect: Detect, texts: list[str]) -> dict[str, float]:
    size = sum(len(t.encode()) for t in texts)
    best = float("inf")
    for _ in range(3):  # best of three: the machine's two cores are shared
        started = time.perf_counter()
        for text in texts:
            list(detect(text))
        best = min(best, time.perf_counter() - started)
    return {
        "mb": round(size / 1e6, 3),
        "seconds": round(best, 3),
        "mb_per_s": round(size / 1e6 / best, 2),
    }


def report(name: str, result: Score, speed: dict[str, dict[str, float]]) -> dict:
    rows = {
        k.kind: {
            "gold": k.gold,
            "found": k.found,
            "correct": k.correct,
            "overlapping_not_exact": k.overlapping,
            "precision": round(k.precision, 4),
            "recall": round(k.recall, 4),
            "f2": round(k.f2, 4),
        }
        for k in result.kinds
    }
    print(f"\n{name}")
    print(f"{'type':18} {'gold':>5} {'found':>5} {'P':>6} {'R':>6} {'F2':>6}")
    for kind, r in rows.items():
        print(
            f"{kind:18} {r['gold']:5} {r['found']:5} {r['precision']:6.3f} "
            f"{r['recall']:6.3f} {r['f2']:6.3f}"
        )
    structured_recall = min(result.kind(k).recall for k in STRUCTURED)
    print(
        f"negative-set precision: {result.negative_precision:.4f} "
        f"({result.clean_negatives}/{result.negatives} PII-free sentences with no finding); "
        f"false findings by type: {dict(result.negative_false_kinds)}"
    )
    print(f"lowest recall on structured identifiers: {structured_recall:.4f}")
    for label, s in speed.items():
        print(f"throughput on {label}: {s['mb_per_s']} MB/s ({s['mb']} MB in {s['seconds']} s)")
    return {
        "per_type": rows,
        "negative_precision": round(result.negative_precision, 4),
        "negatives": result.negatives,
        "clean_negatives": result.clean_negatives,
        "negative_false_findings": dict(result.negative_false_kinds),
        "min_structured_recall": round(structured_recall, 4),
        "throughput": speed,
    }


def commit() -> str:
    run = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return run.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--per-kind", type=int, default=150)
    parser.add_argument("--korquad-mb", type=float, default=1.0)
    parser.add_argument("--compare-ko-pii", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "pii.json")
    args = parser.parse_args()

    positives = positive_samples(args.seed, args.per_kind)
    negatives = negative_samples(args.seed)
    texts = {"synthetic (PII-dense)": ["\n".join(s.text for s in positives)]}
    if KORQUAD.exists():
        texts["korquad1 passages"] = korquad_texts(int(args.korquad_mb * 1e6))

    detectors = {"jisik": jisik_detect()}
    if args.compare_ko_pii:
        detectors["ko-pii"] = ko_pii_detect()
    out = {
        "definitions": {
            "match": "span-exact: same type, start and end as a gold span",
            "precision": "per type, over findings on positive and negative samples",
            "negative_precision": "share of PII-free sentences with zero findings",
            "f2": "5PR/(4P+R)",
        },
        "seed": args.seed,
        "positives": len(positives),
        "negatives": len(negatives),
        "commit": commit(),
        "machine": f"{platform.processor() or platform.machine()}, python "
        f"{platform.python_version()}",
    }
    for name, detect in detectors.items():
        result = score(detect, positives, negatives, PII_TYPES)
        speed = {label: throughput(detect, t) for label, t in texts.items()}
        out[name] = report(name, result, speed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten to {args.out}")


if __name__ == "__main__":
    main()
