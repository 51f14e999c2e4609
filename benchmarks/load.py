"""Load benchmark: concurrent clients on loopback mixing searches, asks and uploads.

    python benchmarks/load.py [--clients 50] [--seconds 60] [--docs 300]
                              [--out benchmarks/results/load.json] [--keep]

Builds a temporary home (the demo handbook plus ``--docs`` synthetic Korean
documents, spread over public, ``hr`` and ``finance``), creates an admin and one
user per client (one in five an editor, the rest readers, in varied groups, so
every query goes through the permission filter), starts ``jisik serve`` as a
subprocess with a rate limit that cannot throttle, and runs the clients for the
duration: each client is a closed loop (next request as soon as the last one
answered) with its own key and ``httpx.AsyncClient``. Overall mix: 60 % search,
30 % ask, 10 % upload of a small new document (editors only). Afterwards it waits
for every upload job to end.

Every response that is not 2xx is an error, as is every transport error; there
are no retries. Prints a summary and writes JSON: requests, requests/s,
p50/p95/p99 latency per kind and overall, errors by status, jobs, the machine,
its load average before and after, and the commit.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
import numpy as np
from run import _busy_cpu_s, machine
from synthetic import SyntheticCorpus

from jisik.demo.corpus import SAMPLE_QUESTIONS, write_demo_corpus
from jisik.text.analyzer import shared_analyzer

ROOT = Path(__file__).resolve().parents[1]
GROUPS = ("hr", "finance")
# Groups of the clients, in turn: every permission case, public-only included.
CLIENT_GROUPS = (("hr",), ("finance",), ("hr", "finance"), ())
EDITOR_EVERY = 5  # one client in five is an editor
# Per role, so that the overall mix is 60 % search, 30 % ask, 10 % upload.
MIX = {
    "editor": (("upload", 0.5), ("search", 0.4), ("ask", 0.1)),
    "reader": (("search", 0.65), ("ask", 0.35)),
}
REQUEST_TIMEOUT_S = 60.0
JOB_WAIT_S = 300.0
UPLOAD_TEXTS = 50  # synthetic documents kept aside as upload contents


@dataclass
class Sample:
    kind: str
    seconds: float
    status: int | str  # HTTP status, or the transport error's class name


@dataclass
class Client:
    name: str
    role: str
    groups: tuple[str, ...]
    key: str = ""
    samples: list[Sample] = field(default_factory=list)
    jobs: list[str] = field(default_factory=list)
    error_examples: list[str] = field(default_factory=list)


def cli(home: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "jisik.cli.main", *args, "--home", str(home)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"jisik {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def build_home(home: Path, files: Path, documents: list[tuple[str, str]]) -> dict:
    """The demo handbook (public) and synthetic documents in thirds: public, hr, finance."""
    started = time.perf_counter()
    write_demo_corpus(files / "public" / "handbook")
    folders = [files / "public" / "synthetic", files / "hr", files / "finance"]
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    for i, (name, text) in enumerate(documents):
        (folders[i % 3] / name).write_text(text, encoding="utf-8")
    for group in GROUPS:
        cli(home, "groups", "add", group)
    cli(home, "add", str(files / "public"))
    for group in GROUPS:
        cli(home, "add", str(files / group), "--group", group)
    handbook = len(list((files / "public" / "handbook").rglob("*.*")))
    return {
        "documents": len(documents) + handbook,
        "ingest_s": round(time.perf_counter() - started, 1),
    }


def add_user(home: Path, name: str, role: str, groups: tuple[str, ...]) -> str:
    args = ["users", "add", name, "--role", role, "--json"]
    for group in groups:
        args += ["--group", group]
    return json.loads(cli(home, *args))["api_key"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(home: Path, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    handle = open(log, "w")  # noqa: SIM115 - lives as long as the server
    process = subprocess.Popen(
        [sys.executable, "-m", "jisik.cli.main", "serve", "--home", str(home)]
        + ["--port", str(port), "--rate-per-minute", "10000000"],
        stdout=handle,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return process, url
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.kill()
    raise SystemExit(f"the server did not start:\n{log.read_text()}")


def warm_up(url: str, key: str, question: str) -> None:
    """One search and one ask before the clock starts: the analyzer's model and the
    index open lazily, and the first requests would otherwise time that."""
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=url, headers=headers, timeout=REQUEST_TIMEOUT_S) as http:
        http.get("/v1/search", params={"q": question}).raise_for_status()
        http.post("/v1/ask", json={"question": question}).raise_for_status()


def process_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a running process (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run_client(
    client: Client,
    url: str,
    deadline: float,
    questions: list[str],
    uploads: list[str],
    seed: int,
) -> None:
    rng = random.Random(seed)
    kinds, weights = zip(*MIX[client.role], strict=True)
    headers = {"Authorization": f"Bearer {client.key}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=REQUEST_TIMEOUT_S) as http:
        n = 0
        while time.monotonic() < deadline:
            kind = rng.choices(kinds, weights)[0]
            question = rng.choice(questions)
            if kind == "search":
                request = http.build_request("GET", "/v1/search", params={"q": question, "k": 10})
            elif kind == "ask":
                request = http.build_request("POST", "/v1/ask", json={"question": question})
            else:
                name = f"load/{client.name}-{n:04d}.md"
                data = {"groups": list(client.groups)} if client.groups else {"public": "true"}
                request = http.build_request(
                    "POST",
                    "/v1/documents",
                    files=[("files", (name, rng.choice(uploads).encode(), "text/markdown"))],
                    data=data,
                )
            n += 1
            started = time.perf_counter()
            try:
                response = await http.send(request)
                status: int | str = response.status_code
            except httpx.HTTPError as exc:
                response, status = None, type(exc).__name__
            client.samples.append(Sample(kind, time.perf_counter() - started, status))
            if response is not None and 200 <= response.status_code < 300:
                if kind == "upload":
                    client.jobs.append(response.json()["id"])
            elif len(client.error_examples) < 3:
                body = response.text[:300] if response is not None else ""
                client.error_examples.append(
                    f"{request.method} {request.url.path}: {status} {body}"
                )


async def wait_for_jobs(url: str, admin_key: str, job_ids: list[str]) -> dict:
    """Poll every upload job until it ends; the states and how long the queue took to drain."""
    started = time.perf_counter()
    states: dict[str, str] = {}
    headers = {"Authorization": f"Bearer {admin_key}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as http:
        pending = list(job_ids)
        while pending and time.perf_counter() - started < JOB_WAIT_S:
            still = []
            for job_id in pending:
                state = (await http.get(f"/v1/jobs/{job_id}")).json()
                states[job_id] = state["state"]
                if state["state"] not in ("done", "failed"):
                    still.append(job_id)
                elif state["state"] == "done" and state["counts"].get("failed"):
                    states[job_id] = "failed"  # a file of the job failed
            pending = still
            if pending:
                await asyncio.sleep(0.5)
    counts = Counter(states.values())
    return {
        "submitted": len(job_ids),
        "done": counts.get("done", 0),
        "failed": counts.get("failed", 0),
        "unfinished": len(job_ids) - counts.get("done", 0) - counts.get("failed", 0),
        "drain_s_after_load": round(time.perf_counter() - started, 1),
    }


def percentiles(seconds: list[float]) -> dict:
    if not seconds:
        return {"count": 0}
    ms = np.asarray(seconds) * 1000
    return {
        "count": len(seconds),
        "p50_ms": round(float(np.percentile(ms, 50)), 1),
        "p95_ms": round(float(np.percentile(ms, 95)), 1),
        "p99_ms": round(float(np.percentile(ms, 99)), 1),
        "max_ms": round(float(ms.max()), 1),
    }


def git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
    return done.stdout.strip()


def summary(result: dict) -> str:
    machine_line = (
        f"{result['clients']} clients × {result['seconds']} s on "
        f"{result['machine']['cpus']} cores, {result['home']['documents']} documents, "
        f"commit {result['commit']}"
    )
    load_line = (
        f"load average before {result['load_average_before']}, after "
        f"{result['load_average_after']}; other processes kept "
        f"{result['other_processes_cores']} cores busy"
    )
    requests_line = (
        f"requests {result['requests']}, {result['requests_per_s']} req/s, "
        f"errors {result['errors']} {result['errors_by_status'] or ''}"
    )
    lines = [machine_line, load_line, requests_line]
    for kind, stats in result["latency"].items():
        if stats["count"]:
            lines.append(
                f"  {kind:8} n={stats['count']:6}  p50 {stats['p50_ms']:8.1f} ms  "
                f"p95 {stats['p95_ms']:8.1f} ms  p99 {stats['p99_ms']:8.1f} ms"
            )
    jobs = result["jobs"]
    lines.append(
        f"upload jobs: {jobs['submitted']} submitted, {jobs['done']} done, {jobs['failed']} failed, "
        f"{jobs['unfinished']} unfinished; queue drained {jobs['drain_s_after_load']} s after the load"
    )
    lines.append(
        f"server CPU {result['server_cpu_s']} s, load generator CPU {result['client_cpu_s']} s"
    )
    for example in result["error_examples"]:
        lines.append(f"  error: {example}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--docs", type=int, default=300, help="synthetic documents")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "load.json")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="jisik-load-"))
    home, files, log = workdir / "home", workdir / "files", workdir / "server.log"
    process = None
    try:
        print(f"building the home in {workdir} …", flush=True)
        corpus = SyntheticCorpus(shared_analyzer(), args.seed)
        documents = corpus.documents(args.docs + UPLOAD_TEXTS)
        home_info = build_home(home, files, documents[: args.docs])
        admin_key = add_user(home, "load-admin", "admin", ())
        clients = []
        for i in range(args.clients):
            role = "editor" if i % EDITOR_EVERY == 0 else "reader"
            client = Client(f"{role}-{i:03d}", role, CLIENT_GROUPS[i % len(CLIENT_GROUPS)])
            client.key = add_user(home, client.name, role, client.groups)
            clients.append(client)
        questions = [q.question for q in SAMPLE_QUESTIONS] + corpus.queries(500, stream=1)
        uploads = [text for _, text in documents[args.docs :]]  # not in the home yet
        process, url = start_server(home, log)
        warm_up(url, admin_key, questions[0])
        print(f"{home_info['documents']} documents; server on {url}; running …", flush=True)

        load_before = [round(x, 2) for x in os.getloadavg()]
        busy_before, server_before = _busy_cpu_s(), process_cpu_s(process.pid)
        own_before = time.process_time()
        started = time.perf_counter()
        deadline = time.monotonic() + args.seconds

        async def load() -> None:
            await asyncio.gather(
                *(
                    run_client(c, url, deadline, questions, uploads, args.seed * 1000 + i)
                    for i, c in enumerate(clients)
                )
            )

        asyncio.run(load())
        elapsed = time.perf_counter() - started
        server_cpu = process_cpu_s(process.pid) - server_before
        own_cpu = time.process_time() - own_before
        others = (_busy_cpu_s() - busy_before) - server_cpu - own_cpu
        load_after = [round(x, 2) for x in os.getloadavg()]
        jobs = asyncio.run(wait_for_jobs(url, admin_key, [j for c in clients for j in c.jobs]))

        samples = [s for c in clients for s in c.samples]
        errors = Counter(
            str(s.status)
            for s in samples
            if not (isinstance(s.status, int) and 200 <= s.status < 300)
        )
        latency = {"all": percentiles([s.seconds for s in samples])}
        for kind in ("search", "ask", "upload"):
            latency[kind] = percentiles([s.seconds for s in samples if s.kind == kind])
        log_text = log.read_text(errors="replace")
        result = {
            "benchmark": "load",
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "commit": git("rev-parse", "--short", "HEAD"),
            "src_modified": bool(git("status", "--porcelain", "src")),
            "clients": args.clients,
            "editors": sum(c.role == "editor" for c in clients),
            "seconds": args.seconds,
            "home": home_info,
            "embedder": "none (lexical search; the default)",
            "requests": len(samples),
            "requests_per_s": round(len(samples) / elapsed, 1),
            "elapsed_s": round(elapsed, 1),
            "errors": sum(errors.values()),
            "errors_by_status": dict(errors),
            "error_examples": [e for c in clients for e in c.error_examples][:10],
            "server_log_tracebacks": log_text.count("Traceback"),
            "latency": latency,
            "jobs": jobs,
            "server_cpu_s": round(server_cpu, 1),
            "client_cpu_s": round(own_cpu, 1),
            "other_processes_cores": round(max(others, 0.0) / elapsed, 2),
            "load_average_before": load_before,
            "load_average_after": load_after,
            "machine": machine(),
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        print(summary(result))
        print(f"written to {args.out}")
        if result["errors"] or result["server_log_tracebacks"] or jobs["done"] < jobs["submitted"]:
            args.keep = True  # something went wrong: keep the server log to find out why
            print(f"something failed; the server log is {log}")
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
