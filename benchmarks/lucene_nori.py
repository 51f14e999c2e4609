"""Lucene 8 + Nori side by side with jisik: the yardstick for the question path and ingest.

Lucene with the Nori analyzer is what Elasticsearch and OpenSearch run for Korean.
This builds a Lucene BM25 index from Debian's ``liblucene8-java`` with our own small
Java program (``lucene/LuceneNori.java``) and a jisik home from the same passages,
then runs the same questions, interleaved query by query (so machine load hits all
of them alike), through:

* Lucene + Nori (parse + search + the ids; timed inside the JVM, thread CPU clock),
* jisik's index layer (``Retriever.search``: analysis + tantivy),
* the public API: ``Jisik.search`` (records, PII policy, audit) and ``Jisik.ask``.

Reported per system: CPU and wall p50/p95 per question, MRR@10 against the set's
qrels; per build: characters per CPU-second and per wall-second, index size, peak
memory (Lucene: the JVM's max RSS; jisik: the PSS of writer + zygote + workers).

    python benchmarks/lucene_nori.py                          # korquad1, autorag-ko, msmarco-ko
    python benchmarks/lucene_nori.py --sets korquad1 --queries 300 --embedder e5
    python benchmarks/lucene_nori.py --synthetic 200000       # speed only, no qrels

Skips (exit 0, with the reason) when Java, javac or the Lucene jars are missing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from tests.hostile.memory import PeakSampler, tree_cpu_s  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
JARS = Path(os.environ.get("LUCENE_JARS", "/usr/share/java"))
JAR_NAMES = ("lucene-core", "lucene-analyzers-common", "lucene-analyzers-nori", "lucene-queryparser")
JAVA_SOURCE = Path(__file__).resolve().parent / "lucene" / "LuceneNori.java"
DEFAULT_SETS = ("korquad1", "autorag-ko", "msmarco-ko")
BM25 = (1.2, 0.75)  # Lucene's defaults, as Elasticsearch ships them
DEPTH = 10
WARMUP = 30
OUT = Path(__file__).resolve().parent / "results" / "lucene-nori.json"


def lucene_classpath() -> str | None:
    """The jars and a compiled LuceneNori, or None when something is missing."""
    if not shutil.which("java") or not shutil.which("javac"):
        return None
    jars = []
    for name in JAR_NAMES:
        found = sorted(JARS.glob(f"{name}-8*.jar"))
        if not found:
            return None
        jars.append(str(found[-1]))
    classes = Path(tempfile.mkdtemp(prefix="jisik-lucene-classes-"))
    subprocess.run(
        ["javac", "-d", str(classes), "-cp", ":".join(jars), str(JAVA_SOURCE)], check=True
    )
    return ":".join([*jars, str(classes)])


def percentiles(values: list[float]) -> dict:
    ms = np.asarray(values) * 1000
    return {"p50_ms": round(float(np.percentile(ms, 50)), 3), "p95_ms": round(float(np.percentile(ms, 95)), 3)}


def reciprocal_rank(ranked: list[str], relevant: frozenset[str]) -> float:
    for rank, key in enumerate(ranked[:DEPTH], start=1):
        if key in relevant:
            return 1.0 / rank
    return 0.0


def one_line(text: str) -> str:
    return " ".join(text.split())


# --- building -------------------------------------------------------------------


def build_lucene(classpath: str, index: Path, passages, threads: int) -> dict:
    rows = index.parent / "passages.tsv"
    rows.write_text(
        "".join(f"{p.id}\t{one_line(p.title)}\t{one_line(p.text)}\n" for p in passages),
        encoding="utf-8",
    )
    with rows.open("rb") as stdin:
        process = subprocess.Popen(
            ["java", "-Xmx2g", "-cp", classpath, "LuceneNori", "build", str(index), str(threads)],
            stdin=stdin,
            stdout=subprocess.PIPE,
        )
        out = process.stdout.read().decode("utf-8")
        _, status, usage = os.wait4(process.pid, 0)  # reaped here, for its max RSS
    if status != 0:
        raise RuntimeError(f"the Lucene build failed (status {status})")
    figures = json.loads(out.strip().splitlines()[-1])
    figures["chars_per_cpu_s"] = round(figures["chars"] / max(figures["cpu_s"], 1e-9))
    figures["chars_per_wall_s"] = round(figures["chars"] / max(figures["wall_s"], 1e-9))
    figures["peak_rss_mb"] = round(usage.ru_maxrss / 1024, 1)
    return figures


def build_jisik(home: Path, name: str, passages, embedder: str):
    from jisik.service import Jisik
    from jisik.settings import load_settings

    settings = load_settings(home=home, embedder=embedder)
    items = [(f"{name}:{p.id}", p.title, p.text) for p in passages]
    chars = sum(len(p.title) + len(p.text) for p in passages)
    cpu0, wall0 = tree_cpu_s(os.getpid()), time.perf_counter()
    with PeakSampler() as sampler:
        jisik = Jisik(settings)
        jisik.add_texts(items)
        lexical_wall = time.perf_counter() - wall0
        jisik.embed_backlog()
    wall = time.perf_counter() - wall0
    cpu = tree_cpu_s(os.getpid()) - cpu0
    index_bytes = sum(f.stat().st_size for f in jisik.layout.index.rglob("*") if f.is_file())
    database_bytes = sum(f.stat().st_size for f in home.glob("jisik.db*") if f.is_file())
    return jisik, {
        "passages": len(passages),
        "chars": chars,
        "wall_s": round(wall, 3),
        "wall_s_before_embedding": round(lexical_wall, 3),
        "cpu_s": round(cpu, 3),
        "chars_per_cpu_s": round(chars / max(cpu, 1e-9)),
        "chars_per_wall_s": round(chars / max(wall, 1e-9)),
        "index_bytes": index_bytes,
        "database_bytes": database_bytes,  # the texts: Lucene stores only the ids here
        "peak_pss_mb": round(sampler.peak_mb, 1),
        "embedder": embedder,
    }


# --- querying -------------------------------------------------------------------


class LuceneServer:
    def __init__(self, classpath: str, index: Path) -> None:
        self.process = subprocess.Popen(
            ["java", "-Xmx1g", "-cp", classpath, "LuceneNori", "serve", str(index), *map(str, BM25)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            bufsize=1,
        )
        if self.process.stdout.readline().strip() != "ready":
            raise RuntimeError("the Lucene query process did not start")

    def search(self, text: str) -> tuple[float, float, list[str]]:
        self.process.stdin.write(one_line(text) + "\n")
        self.process.stdin.flush()
        cpu_ns, wall_ns, ids = self.process.stdout.readline().rstrip("\n").split("\t")
        return int(cpu_ns) / 1e9, int(wall_ns) / 1e9, ids.split()

    def close(self) -> float:
        """Stop the JVM; its peak RSS in MB."""
        self.process.stdin.close()
        self.process.stdout.read()
        _, _, usage = os.wait4(self.process.pid, 0)
        return round(usage.ru_maxrss / 1024, 1)


def timed(call):
    cpu0, wall0 = time.process_time(), time.perf_counter()
    result = call()
    return time.process_time() - cpu0, time.perf_counter() - wall0, result


def run_queries(jisik, lucene: LuceneServer, name: str, queries, modes: list[str]) -> dict:
    """Every question through every system, one after another, then the next question."""
    from jisik.errors import InvalidQueryError

    systems = ["lucene", *[f"index/{m}" for m in modes], *[f"search/{m}" for m in modes], "ask"]
    cpu = {s: [] for s in systems}
    wall = {s: [] for s in systems}
    ranks = {s: [] for s in systems if s != "ask"}
    chunk_source: dict[int, str] = {}
    prefix = f"{name}:"

    def passage_ids_of_chunks(pairs) -> list[str]:
        missing = [i for i, _ in pairs if i not in chunk_source]
        if missing:
            for chunk_id, chunk in jisik.records.active_chunks(missing).items():
                chunk_source[chunk_id] = chunk.source.removeprefix(prefix)
        return _distinct(chunk_source.get(i, "") for i, _ in pairs)

    def guarded(call):
        try:
            return call()
        except InvalidQueryError:
            return []

    for done, query in enumerate([*queries[:WARMUP], *queries]):
        measuring = done >= WARMUP
        c, w, ids = lucene.search(query.text)
        row = {"lucene": (c, w, ids)}
        for mode in modes:
            c, w, pairs = timed(lambda: guarded(lambda: jisik.retriever.search(query.text, DEPTH, mode)))
            row[f"index/{mode}"] = (c, w, pairs)
            c, w, hits = timed(lambda: guarded(lambda: jisik.search(query.text, DEPTH, mode)))
            row[f"search/{mode}"] = (c, w, _distinct(h.source.removeprefix(prefix) for h in hits))
        c, w, _ = timed(lambda: guarded(lambda: jisik.ask(query.text)))
        row["ask"] = (c, w, None)
        if not measuring:
            continue
        for system, (c, w, result) in row.items():
            cpu[system].append(c)
            wall[system].append(w)
            if system.startswith("index/"):
                result = passage_ids_of_chunks(result)
            if system != "ask":
                ranks[system].append(reciprocal_rank(result, query.relevant))
    out = {}
    for system in systems:
        figures = {
            "cpu": percentiles(cpu[system]),
            "wall": percentiles(wall[system]),
        }
        if system in ranks:
            figures["mrr@10"] = round(float(np.mean(ranks[system])), 4)
        out[system] = figures
    lucene_cpu = out["lucene"]["cpu"]["p50_ms"]
    for system in systems[1:]:
        out[system]["cpu_p50_vs_lucene"] = round(out[system]["cpu"]["p50_ms"] / lucene_cpu, 2)
    return out


def _distinct(keys) -> list[str]:
    seen: dict[str, None] = {}
    for key in keys:
        seen.setdefault(key, None)
    return list(seen)[:DEPTH]


# --- sets -----------------------------------------------------------------------


def shared_set(name: str, limit: int | None):
    from jisik.eval.dataset import load_dataset

    folder = DATA / name
    split = "test" if (folder / "split.tsv").exists() else None
    dataset = load_dataset(folder, split)
    queries = [q for q in dataset.queries if q.relevant]
    return dataset.corpus, queries[:limit] if limit else queries


def synthetic_set(count: int, limit: int | None):
    from synthetic import SyntheticCorpus

    from jisik.eval.dataset import Passage, Query
    from jisik.text.analyzer import shared_analyzer

    corpus = SyntheticCorpus(shared_analyzer(), 0)
    passages, batch = [], 0
    while len(passages) < count:
        for chunk in corpus.chunks(batch, min(10_000, count - len(passages))):
            passages.append(Passage(f"s{len(passages):07d}", chunk.title, chunk.text))
        batch += 1
    queries = [
        Query(f"q{i}", text, (), frozenset()) for i, text in enumerate(corpus.queries(limit or 500))
    ]
    return tuple(passages), queries


def bench_one(name, passages, queries, classpath, args) -> dict:
    from jisik.settings import load_settings

    work = Path(tempfile.mkdtemp(prefix=f"jisik-lucene-{name}-"))
    try:
        lucene_build = build_lucene(classpath, work / "lucene", passages, args.threads)
        jisik, jisik_build = build_jisik(work / "home", name, passages, args.embedder)
        modes = ["lexical"] if jisik.embedder is None else ["lexical", load_settings().mode]
        lucene = LuceneServer(classpath, work / "lucene")
        try:
            with PeakSampler() as sampler:
                queried = run_queries(jisik, lucene, name, queries, list(dict.fromkeys(modes)))
        finally:
            lucene_query_rss = lucene.close()
            jisik.close()
        return {
            "passages": len(passages),
            "queries": len(queries),
            "build": {"lucene": lucene_build, "jisik": jisik_build},
            "query": queried,
            "query_peak_mb": {"jisik_pss": round(sampler.peak_mb, 1), "lucene_rss": lucene_query_rss},
        }
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def table(name: str, result: dict) -> str:
    lines = [
        f"### {name}: {result['passages']:,} passages, {result['queries']:,} questions",
        "",
        "| system | CPU p50 / p95 ms | wall p50 / p95 ms | × Lucene (CPU p50) | MRR@10 |",
        "|---|---:|---:|---:|---:|",
    ]
    for system, f in result["query"].items():
        lines.append(
            f"| {system} | {f['cpu']['p50_ms']:.2f} / {f['cpu']['p95_ms']:.2f} "
            f"| {f['wall']['p50_ms']:.2f} / {f['wall']['p95_ms']:.2f} "
            f"| {f.get('cpu_p50_vs_lucene', 1.0):.2f} | {f.get('mrr@10', '')} |"
        )
    lb, jb = result["build"]["lucene"], result["build"]["jisik"]
    lines += [
        "",
        "| build | chars / CPU-s | chars / wall-s | CPU s | wall s | index MB | peak MB |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| Lucene + Nori ({lb['threads']} threads) | {lb['chars_per_cpu_s']:,} | {lb['chars_per_wall_s']:,} "
        f"| {lb['cpu_s']:.1f} | {lb['wall_s']:.1f} | {lb['index_bytes'] / 2**20:.1f} | {lb['peak_rss_mb']} |",
        f"| jisik ({jb['embedder']}) | {jb['chars_per_cpu_s']:,} | {jb['chars_per_wall_s']:,} "
        f"| {jb['cpu_s']:.1f} | {jb['wall_s']:.1f} | {jb['index_bytes'] / 2**20:.1f} "
        f"(+ {jb['database_bytes'] / 2**20:.1f} records) | {jb['peak_pss_mb']} |",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", nargs="*", default=list(DEFAULT_SETS))
    parser.add_argument("--synthetic", type=int, default=0, help="also N synthetic passages")
    parser.add_argument("--queries", type=int, help="at most N questions per set")
    parser.add_argument("--embedder", default="none", help="jisik's embedder (none: lexical only)")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--keep", action="store_true", help="keep the indexes and homes")
    args = parser.parse_args()
    classpath = lucene_classpath()
    if classpath is None:
        print("skipped: needs java, javac and liblucene8-java (apt-get install -y liblucene8-java)")
        return
    sets = {}
    for name in args.sets:
        if not (DATA / name / "corpus.jsonl").exists():
            print(f"skipped {name}: not in {DATA}")
            continue
        sets[name] = shared_set(name, args.queries)
    if args.synthetic:
        sets[f"synthetic-{args.synthetic}"] = synthetic_set(args.synthetic, args.queries)
    results = {"load_before": os.getloadavg(), "cores": os.cpu_count(), "sets": {}}
    for name, (passages, queries) in sets.items():
        results["sets"][name] = bench_one(name, passages, queries, classpath, args)
        print(table(name, results["sets"][name]), "\n", flush=True)
    results["load_after"] = os.getloadavg()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"load average {results['load_before']} → {results['load_after']}; written to {args.out}")


if __name__ == "__main__":
    main()
