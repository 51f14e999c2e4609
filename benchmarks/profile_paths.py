"""Where one question and one ingest spend their time: cProfile over the real calls.

Builds a home from a shared set (default korquad1, lexical unless ``--embedder``), then
profiles ``--queries`` calls of ``Jisik.search`` and of ``Jisik.ask``, and the ingest
itself, and prints the top functions by cumulative and by own time.

    python benchmarks/profile_paths.py [--set korquad1] [--queries 300] [--top 25]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lucene_nori import shared_set  # noqa: E402


def report(profile: cProfile.Profile, title: str, top: int) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out).strip_dirs()
    out.write(f"\n=== {title}: by cumulative time ===\n")
    stats.sort_stats("cumulative").print_stats(top)
    out.write(f"\n=== {title}: by own time ===\n")
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


def main() -> None:
    from jisik.service import Jisik
    from jisik.settings import load_settings

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", default="korquad1")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--embedder", default="none")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--only", choices=("ingest", "search", "ask"), nargs="*")
    args = parser.parse_args()
    only = set(args.only or ("ingest", "search", "ask"))
    passages, queries = shared_set(args.set, args.queries)
    home = Path(tempfile.mkdtemp(prefix="jisik-profile-"))
    try:
        jisik = Jisik(load_settings(home=home, embedder=args.embedder))
        items = [(f"{args.set}:{p.id}", p.title, p.text) for p in passages]
        profile = cProfile.Profile()
        profile.runcall(jisik.add_texts, items)
        if "ingest" in only:
            print(report(profile, f"ingest of {len(items)} passages (writer process)", args.top))
        jisik.embed_backlog()
        for query in queries[:20]:  # warm caches and lazy loads
            jisik.ask(query.text)
        for verb in ("search", "ask"):
            if verb not in only:
                continue
            call = getattr(jisik, verb)
            profile = cProfile.Profile()
            profile.enable()
            for query in queries:
                call(query.text)
            profile.disable()
            print(report(profile, f"{len(queries)} × Jisik.{verb}", args.top))
        jisik.close()
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
