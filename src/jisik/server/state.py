"""What the running server holds open, shared by every request."""

from __future__ import annotations

from dataclasses import dataclass

from jisik.identity.records import Principal
from jisik.identity.store import IdentityStore
from jisik.identity.web_auth import WebAuth
from jisik.server.config import ServerConfig
from jisik.server.jobs import JobRunner, JobStore
from jisik.server.ratelimit import RateLimiter
from jisik.service import Jisik
from jisik.web.throttle import SignInThrottle


@dataclass
class ServerState:
    jisik: Jisik
    identity: IdentityStore
    jobs: JobStore
    runner: JobRunner
    config: ServerConfig
    limiter: RateLimiter
    dev_principal: Principal | None  # set only in development mode
    # The local operator's token (jisik.local_link), or None when no link is written.
    local_token: str | None = None
    web_auth: WebAuth | None = None  # browser sign-in (passwords, sessions)
    sign_in: SignInThrottle | None = None
