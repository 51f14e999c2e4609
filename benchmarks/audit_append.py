"""Cost of one audit append (it runs on every question), with and without the checkpoint.

    python benchmarks/audit_append.py                 # both modes, 2,000 appends each
    python benchmarks/audit_append.py --appends 5000 --rounds 3 --out results/audit-append.json

Each round makes a fresh home in a temporary directory (a migrated SQLite file, WAL,
synchronous=NORMAL as in production), appends a few warm-up events, then times
``AuditLog.append`` with a payload shaped like a real ``ask`` event: wall time and
process CPU time per append (mean, median, p95). ``no-home`` is the chain alone;
``home`` also moves the signed checkpoint (``<home>/audit-checkpoint.json``).
Modes take turns round by round; on a shared machine compare medians from one run.
"""

from __future__ import annotations

import argparse
import inspect
import json
import statistics
import tempfile
import time
from pathlib import Path

from jisik.audit.chain import AuditLog
from jisik.store.database import migrate, open_engine, sqlite_url

WARMUP = 20
PAYLOAD = {
    "question": "연차휴가는 다음 해로 이월되나요? 신입사원의 경우도 알려 주세요.",
    "answer_sha256": "a" * 64,
    "sources": [
        {"doc_id": f"doc{i:04d}", "version_id": 100 + i, "chunk_id": 1000 + i, "score": 0.5}
        for i in range(5)
    ],
    "versions": {"analyzer": "kiwi 0.21.0", "embedder": "hashing-256", "answerer": "extractive"},
}


def _log(directory: Path, with_home: bool) -> AuditLog:
    engine = open_engine(sqlite_url(directory / "jisik.db"))
    migrate(engine)
    if not with_home:
        return AuditLog(engine)
    if "home" not in inspect.signature(AuditLog).parameters:
        raise SystemExit(
            "this AuditLog has no checkpoint (no `home` argument): run --modes no-home"
        )
    return AuditLog(engine, home=directory)


def one_round(appends: int, with_home: bool) -> dict:
    with tempfile.TemporaryDirectory(prefix="jisik-audit-bench-") as tmp:
        log = _log(Path(tmp), with_home)
        for i in range(WARMUP):
            log.append("ask", "user:bench", f"warm{i}", **PAYLOAD)
        walls, cpus = [], []
        for i in range(appends):
            wall, cpu = time.perf_counter(), time.process_time()
            log.append("ask", "user:bench", f"{i:032x}", **PAYLOAD)
            cpus.append(time.process_time() - cpu)
            walls.append(time.perf_counter() - wall)
        check = log.verify()
        assert check.ok, check.problems
        log.engine.dispose()
    return {"wall": walls, "cpu": cpus}


def summary(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {
        "mean_us": round(statistics.fmean(ordered) * 1e6, 1),
        "median_us": round(ordered[len(ordered) // 2] * 1e6, 1),
        "p95_us": round(ordered[int(len(ordered) * 0.95)] * 1e6, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appends", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--modes", default="no-home,home")
    parser.add_argument("--out", type=Path, help="also write the figures here (JSON)")
    args = parser.parse_args()
    modes = args.modes.split(",")
    samples: dict[str, dict[str, list[float]]] = {m: {"wall": [], "cpu": []} for m in modes}
    for _ in range(args.rounds):  # modes take turns, so a busy moment hits both alike
        for mode in modes:
            measured = one_round(args.appends, mode == "home")
            for kind in ("wall", "cpu"):
                samples[mode][kind] += measured[kind]
    results = {
        mode: {
            "appends": len(got["wall"]),
            "wall": summary(got["wall"]),
            "cpu": summary(got["cpu"]),
        }
        for mode, got in samples.items()
    }
    for mode, figures in results.items():
        print(mode, json.dumps(figures))
    if args.out:
        args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
