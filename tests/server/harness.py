"""Starting the real server: `jisik serve` as a process on a free loopback port."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cli(home: Path, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "jisik.cli.main", *args, "--home", str(home)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result


def add_user(home: Path, name: str, role: str, *groups: str) -> str:
    args = ["users", "add", name, "--role", role, "--json"]
    for group in groups:
        args += ["--group", group]
    return json.loads(cli(home, *args).stdout)["api_key"]


@dataclass
class Server:
    home: Path
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self, key: str | None = None, timeout: float = 60.0) -> httpx.Client:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=timeout)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def start(home: Path, *args: str, expect_ready: bool = True, **env: str) -> Server:
    port = free_port()
    log = home.parent / f"server-{port}.log"
    home.parent.mkdir(parents=True, exist_ok=True)
    handle = open(log, "w")  # noqa: SIM115 - lives as long as the process
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jisik.cli.main",
            "serve",
            "--home",
            str(home),
            "--port",
            str(port),
            *args,
        ],
        stdout=handle,
        stderr=subprocess.STDOUT,
        env={**os.environ, **env},
    )
    server = Server(home, port, process, log)
    if not expect_ready:
        return server
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{server.url}/healthz", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    server.stop(signal.SIGKILL)
    raise AssertionError(f"server did not start:\n{log.read_text()}")


def wait_for_job(client: httpx.Client, job: dict, timeout: float = 180) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = client.get(f"/v1/jobs/{job['id']}").json()
        if state["state"] in ("done", "failed"):
            return state
        time.sleep(0.2)
    raise AssertionError(f"job {job['id']} did not finish: {state}")
