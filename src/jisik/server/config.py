"""Server settings: where to listen and the limits that protect the service."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from jisik.errors import ConfigError


@dataclass(frozen=True, slots=True)
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 8000
    # Development mode: no admin needed, keyless requests act as an admin.
    # Only allowed on a loopback address.
    dev: bool = False
    max_upload_files: int = 100
    max_request_mb: int = 1024  # a whole upload request; each file also obeys max_file_mb
    # Every other body is JSON: a question, a receipt, a user. 1 MB is far beyond any of them
    # and keeps a flood of large bodies from filling memory (they are parsed in memory).
    max_json_kb: int = 1000
    rate_per_minute: int = 600  # per API key, sustained
    rate_burst: int = 120
    max_k: int = 100
    shutdown_job_wait_s: float = 30.0
    # Write the home's serve.json (jisik.local_link) so `jisik ask`/`search` on this
    # machine answer through this server; `jisik serve` sets it, embedded apps need not.
    local_link: bool = False

    def check(self) -> None:
        if self.dev and not is_loopback(self.host):
            raise ConfigError(
                f"development mode serves without authentication, so it only binds to a "
                f"loopback address (127.0.0.1 or ::1), not {self.host}; drop --dev and "
                "create an admin with `jisik users add NAME --role admin`"
            )
        if self.rate_per_minute <= 0 or self.rate_burst <= 0:
            raise ConfigError("rate limits must be positive")
        if self.max_json_kb <= 0 or self.max_request_mb <= 0:
            raise ConfigError("body limits (--max-json-kb, --max-request-mb) must be positive")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
