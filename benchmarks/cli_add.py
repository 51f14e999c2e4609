"""`jisik add` of one small file: wall time, and CPU and peak RSS of the whole process
tree (the CLI, the zygote it starts and its worker).

    python benchmarks/cli_add.py [--runs 5] [--pythonpath OTHER/src]

``--pythonpath`` runs another checkout's code (e.g. ``git archive``d landed main) for
a before/after. Linux only: this process becomes a child subreaper so that the
zygote, which outlives nothing but is not the CLI's direct wait, is counted.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PR_SET_CHILD_SUBREAPER = 36
TEXT = "연차휴가 규정\n직원은 입사 첫해 한 달 개근마다 1일의 유급휴가를 받습니다.\n"


def one_run(folder: Path, environment: dict) -> tuple[float, float, float]:
    home = Path(tempfile.mkdtemp(dir=folder))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "jisik.cli.main",
            "add",
            str(folder / "small.txt"),
            "--home",
            str(home),
            "--json",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        env=environment,
    )
    wall = time.perf_counter() - started
    while True:  # orphans (the zygote, if it lingers) are ours to wait for
        try:
            os.wait()
        except ChildProcessError:
            break
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pythonpath", help="run this source tree instead of the installed one")
    args = parser.parse_args()
    ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1)
    environment = dict(os.environ)
    if args.pythonpath:
        environment["PYTHONPATH"] = args.pythonpath
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "small.txt").write_text(TEXT, encoding="utf-8")
        runs = [one_run(Path(folder), environment) for _ in range(args.runs)]
    walls, cpus, peaks = zip(*runs, strict=True)
    print(
        f"{args.runs} runs: wall median {statistics.median(walls):.2f} s "
        f"(min {min(walls):.2f}), CPU median {statistics.median(cpus):.2f} s "
        f"(min {min(cpus):.2f}), largest process {max(peaks):.0f} MB"
    )


if __name__ == "__main__":
    main()
