"""The hostile-input suite at full size, one file at a time, with the issue's originals.

    python benchmarks/hostile.py [--out benchmarks/results/hostile.json] [--keep DIR]

Writes the catalogue of tests/hostile (zip bombs around every limit, entity tricks,
deep nesting, long lines, odd types, hostile names) at the sizes below, plus the
two files of issue 9: a 3.6 MB text file on one line and a 1.6 MB .docx whose XML
inflates to 450 MB. Each is added alone to one home with a per-file budget of
--timeout-s and --memory-mb (120 s and 512 MB: the defaults, 600 s and 2,048 MB,
would let the memory hog read on for minutes); printed per file: outcome, wall and
CPU seconds of the whole process tree (writer, zygote, workers) and its peak PSS.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jisik.service import Jisik
from jisik.settings import load_settings
from tests.hostile import catalogue, files, memory

SIZES = catalogue.Sizes(
    long_line_chars=300_000,
    deep_levels=200_000,
    hog_xml_mb=96,
    total_kinds=catalogue.ZIP_KINDS,
    xml_under_kinds=catalogue.ZIP_KINDS,
)
REAP_S = 1.2  # the zygote reaps its exited workers at least once a second


def issue_files(folder: Path, scratch: Path, expect: dict) -> None:
    """The two files the issue reported."""
    folder.mkdir(parents=True)
    line = catalogue.SENTENCE * (3_600_000 // len(catalogue.SENTENCE.encode()) + 1)
    data = line.encode()[:3_600_000]
    (folder / "one-line-3.6MB.txt").write_bytes(data[: len(data.decode(errors="ignore").encode())])
    expect["issue/one-line-3.6MB.txt"] = catalogue.Expect("ingested")

    def document():
        yield (
            b'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w='
            b'"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        )
        written = 0
        while written < 450 * files.MB:
            chunk = b"".join(
                b"<w:p><w:r><w:t>" + bytes([65 + b % 26]) * 1000 + b"</w:t></w:r></w:p>"
                for b in os.urandom(1024)
            )
            written += len(chunk)
            yield chunk
        yield b"</w:body></w:document>"

    base = catalogue.base("docx", scratch)
    members = [m for m in files.members_of(base) if m.name != "word/document.xml"]
    members.append(files.deflated("word/document.xml", document(), 9))
    files.write_zip(folder / "bomb-450MB.docx", members)
    expect["issue/bomb-450MB.docx"] = catalogue.Expect("failed", "inflates")


def _for(report, path: Path):
    """The report's failure for ``path`` alone (a folder's report may list more)."""
    mine = tuple(f for f in report.failed if Path(f.path) == path)
    return type(report)(report.added, report.updated, report.unchanged, mine)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path)
    parser.add_argument("--keep", type=Path, help="write the files here and keep them")
    parser.add_argument("--only", help="a regular expression on the file names")
    parser.add_argument("--timeout-s", type=float, default=120)
    parser.add_argument("--memory-mb", type=int, default=512)
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="jisik-hostile-"))
    started = time.monotonic()
    expect = catalogue.build(root / "added", root / "scratch", SIZES)
    issue_files(root / "added" / "issue", root / "scratch", expect)
    print(f"wrote {len(expect)} files in {time.monotonic() - started:.0f} s under {root}")
    settings = load_settings(
        root / "home",
        embedder="none",
        ingest_file_timeout_s=args.timeout_s,
        ingest_file_memory_mb=args.memory_mb,
    )
    rows = []
    with Jisik(settings) as jisik:
        jisik.add([root / "added" / "normal"])  # warm: the zygote and its workers start
        for name in sorted(expect):
            if name.startswith("normal/") or (args.only and not re.search(args.only, name)):
                continue
            # a link is followed when named itself: add its folder, as a user would
            path = root / "added" / name
            given = path.parent if name.startswith("links/") else path
            cpu, wall = memory.tree_cpu_s(os.getpid()), time.monotonic()
            with memory.PeakSampler(interval=0.02) as peak:
                report = jisik.add([given])
            took = time.monotonic() - wall
            time.sleep(REAP_S)  # a retired or killed worker's CPU moves to the zygote
            report = _for(report, path)
            row = {
                "file": name,
                "bytes": (root / "added" / name).lstat().st_size,
                "outcome": "failed" if report.failed else "ingested",
                "reason": report.failed[0].error if report.failed else "",
                "wall_s": round(took, 2),
                "cpu_s": round(memory.tree_cpu_s(os.getpid()) - cpu, 2),
                "peak_pss_mb": round(peak.peak_mb),
                "as_expected": (expect[name].outcome == "failed") == bool(report.failed),
            }
            rows.append(row)
            print(
                f"{name:<34} {row['bytes'] / 1e6:8.1f} MB {row['outcome']:<8} "
                f"{row['wall_s']:7.2f} s {row['cpu_s']:7.2f} cpu {row['peak_pss_mb']:6} MB"
                f"{'' if row['as_expected'] else '  UNEXPECTED'}  {row['reason'][:70]}"
            )
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
