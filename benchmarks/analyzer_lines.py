"""Kiwi time per character against line length: one line given to Kiwi whole (as
before issue 9) and in the analyzer's bounded windows (now).

    python benchmarks/analyzer_lines.py [--lengths 10000,20000,40000,80000,160000]

Three kinds of line: Korean sentences without a newline (the issue's case), and
Hangul or Latin letters with no space at all. Whole lines longer than --whole-limit are skipped
(they take minutes); the windowed ones are always run.
"""

from __future__ import annotations

import argparse
import json
import time

from jisik.text import analyzer as analyzer_module
from jisik.text.analyzer import Analyzer, AnalyzerConfig

KINDS = {
    "sentences": lambda n: ("직원은 연차를 신청하고 팀장은 이를 승인한다. " * (n // 25 + 1))[:n],
    "hangul run": lambda n: ("가나다라마바사" * (n // 7 + 1))[:n],
    "latin run": lambda n: "x" * n,
}


def _time(function) -> float:
    started = time.process_time()
    function()
    return time.process_time() - started


def _whole(analyzer: Analyzer, line: str) -> None:
    """The analysis as it was: the line handed to Kiwi in one piece."""
    windows = analyzer_module.windows
    analyzer_module.windows = lambda text, size=0: iter([(0, len(text))])
    try:
        analyzer.analyze(line)
    finally:
        analyzer_module.windows = windows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lengths", default="10000,20000,40000,80000,160000")
    parser.add_argument("--whole-limit", type=int, default=160_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    analyzer = Analyzer(AnalyzerConfig(workers=1))  # one thread, as in an ingest worker
    analyzer.analyze("워밍업 문장입니다.")
    rows = []
    for kind, make in KINDS.items():
        for n in (int(x) for x in args.lengths.split(",")):
            line = make(n)
            windowed = _time(lambda line=line: analyzer.analyze(line))
            whole = None
            if n <= args.whole_limit:
                whole = _time(lambda line=line: _whole(analyzer, line))
            rows.append({"kind": kind, "chars": n, "whole_s": whole, "windowed_s": windowed})
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(
        f"{'line':<10} {'chars':>8} {'whole s':>8} {'µs/char':>8} {'windows s':>9} {'µs/char':>8}"
    )
    for row in rows:
        whole = row["whole_s"]
        shown = f"{whole:8.2f} {whole / row['chars'] * 1e6:8.1f}" if whole is not None else " " * 17
        windowed = row["windowed_s"]
        print(
            f"{row['kind']:<11} {row['chars']:>8} {shown} {windowed:9.2f} "
            f"{windowed / row['chars'] * 1e6:8.1f}"
        )


if __name__ == "__main__":
    main()
